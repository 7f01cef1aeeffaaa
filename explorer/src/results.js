// Reads a search out of a GraphQL request and its response: which root field searched, the
// selectiegebied it asked for, and one row per match for the list and the map.

import { Kind, parse, print, valueFromASTUntyped, visit } from "graphql";

export const SEARCH_FIELDS = { werkzoekendeProfielMatches: "werkzoekende", vacatureMatches: "vacature" };

function operationOf(document, operationName) {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name && o.name.value === operationName) ?? null;
  return operations.length === 1 ? operations[0] : null;
}

// The request with an operation name its document holds. GraphiQL learns the operation's name
// from the editor 100 ms after the last edit, so ▶ right after the explorer rewrote the query sends
// the name of the query before it ("the document has no operation named ..."); a document with one
// operation is then sent without a name, which means that one.
export function withCurrentOperation(params) {
  if (!params || typeof params.query !== "string" || !params.operationName) return params;
  let document;
  try {
    document = parse(params.query);
  } catch {
    return params; // the gateway says what is wrong with it
  }
  const only = operationOf(document, null);
  if (operationOf(document, params.operationName) || !only) return params;
  return { ...params, operationName: only.name ? only.name.value : null };
}

function selectiegebied(field, variables) {
  const argument = (field.arguments ?? []).find((a) => a.name.value === "selectievraag");
  if (!argument) return null;
  try {
    const vraag = valueFromASTUntyped(argument.value, variables ?? {});
    const gebied = vraag && vraag.selectiegebied;
    if (!gebied || typeof gebied.postcode !== "string") return null;
    return { postcode: gebied.postcode, afstand: Number(gebied.afstand) || 0 };
  } catch {
    return null;
  }
}

// The search in this request/response pair, or null when it holds none.
export function searchOf(params, response) {
  if (!params || typeof params.query !== "string" || !response || typeof response !== "object") return null;
  let document;
  try {
    document = parse(params.query);
  } catch {
    return null;
  }
  const operation = operationOf(document, params.operationName);
  if (!operation) return null;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !(selection.name.value in SEARCH_FIELDS)) continue;
    const key = selection.alias ? selection.alias.value : selection.name.value;
    const value = response.data ? response.data[key] : null;
    const errors = (response.errors ?? []).filter((e) => !e.path || e.path[0] === key);
    return {
      kind: SEARCH_FIELDS[selection.name.value],
      key,
      gebied: selectiegebied(selection, params.variables),
      totalCount: value ? value.totalCount : null,
      bronnen: value && Array.isArray(value.bronnen) ? value.bronnen : [],
      rows: value && Array.isArray(value.edges) ? value.edges.map((edge) => rowOf(edge, SEARCH_FIELDS[selection.name.value])) : [],
      asked: value ? { edges: "edges" in value, bronnen: "bronnen" in value } : { edges: false, bronnen: false },
      errors,
    };
  }
  return null;
}

const pc4 = (postcode) => (typeof postcode === "string" && postcode.length >= 4 ? postcode.slice(0, 4) : null);

function occupations(beroepen) {
  return (beroepen ?? []).filter(Boolean).map((b) => ({
    label: b.omschrijvingBeroepsnaam ?? null,
    code: b.codeBeroepsnaam ?? null,
  }));
}

function hours(werktijden) {
  if (!werktijden) return null;
  const min = werktijden.aantalWerkurenPerWeekMinimaal;
  const max = werktijden.aantalWerkurenPerWeekMaximaal;
  if (min == null && max == null) return null;
  if (min != null && max != null) return min === max ? `${min} uur` : `${min}–${max} uur`;
  return min != null ? `vanaf ${min} uur` : `tot ${max} uur`;
}

// null when the search did not ask for the field, "niet ingevuld" when the record has no value
function asked(node, field, format) {
  if (!(field in node)) return null;
  return format(node[field]) ?? "niet ingevuld";
}

// null when the search did not ask for it, so the list can say so instead of "none"
function licences(holder) {
  if (!holder || !("rijbewijs" in holder)) return null;
  return (holder.rijbewijs ?? []).map((r) => r && r.codeSoortRijbewijs).filter(Boolean);
}

// One row of the list: what a mediator reads of a match.
export function rowOf(edge, kind) {
  const node = edge.node ?? {};
  if (kind === "vacature") {
    return {
      vumID: node.vumID ?? null,
      bronID: edge.bronID ?? null,
      kind,
      title: node.naamVacature ?? null,
      postcode: node.adres ? node.adres.postcode : null,
      pc4: pc4(node.adres && node.adres.postcode),
      occupations: occupations(node.beroep ? [node.beroep] : []),
      hours: asked(node, "werktijden", hours),
      licences: licences(node),
    };
  }
  const mobiliteit = node.mobiliteit ?? {};
  const kwalificatie = node.arbeidsmarktkwalificatie ?? {};
  return {
    vumID: node.vumID ?? null,
    bronID: edge.bronID ?? null,
    kind,
    title: null,
    postcode: mobiliteit.bemiddelingspostcode ?? null,
    pc4: pc4(mobiliteit.bemiddelingspostcode),
    occupations: occupations(node.bemiddelingsberoep),
    hours: asked(node, "werktijden", hours),
    licences: "arbeidsmarktkwalificatie" in node ? licences(kwalificatie) : null,
  };
}

// Why fields of a detail are missing: the gateway's FORBIDDEN_FIELD errors (a scope the token
// lacks) and its `achtergehouden` extension (consent, role, SUWI), which wins where both apply.
// `fields` maps a dotted field path to its reason; `categories` lists each withheld category.
export function withheldOf(response, recordPath) {
  const fields = new Map();
  const prefix = recordPath.join(".");
  for (const error of response.errors ?? []) {
    const code = error.extensions && error.extensions.code;
    const path = (error.path ?? []).join(".");
    if (code === "FORBIDDEN_FIELD" && path.startsWith(prefix + ".")) {
      fields.set(path.slice(prefix.length + 1), { reden: "SCOPE", melding: error.message });
    }
  }
  const categories = [];
  for (const entry of (response.extensions && response.extensions.achtergehouden) ?? []) {
    if ((entry.path ?? []).join(".") !== prefix) continue;
    categories.push(entry);
    for (const veld of entry.velden ?? []) fields.set(veld, { reden: entry.reden, categorie: entry.categorie });
  }
  return { fields, categories };
}

// The query without the fields at these response paths (by alias or name).
export function withoutFields(query, paths) {
  const refused = new Set(paths.map((path) => path.join(".")));
  const stack = [];
  return print(
    visit(parse(query), {
      Field: {
        enter(node) {
          const key = node.alias ? node.alias.value : node.name.value;
          if (refused.has([...stack, key].join("."))) return null; // removed: its leave is not called
          stack.push(key);
          return undefined;
        },
        leave() {
          stack.pop();
        },
      },
    }),
  );
}
