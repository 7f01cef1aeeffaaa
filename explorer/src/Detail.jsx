// The detail of one match: what the caller may see, and each withheld field with the reason.

import { useEffect, useState } from "react";
import detailVacature from "./queries/detail-vacature.graphql";
import detailWerkzoekende from "./queries/detail-werkzoekende.graphql";
import { withheldOf, withoutFields } from "./results.js";

const QUERIES = {
  werkzoekende: { query: detailWerkzoekende, root: "werkzoekendeProfiel", record: "werkzoekende" },
  vacature: { query: detailVacature, root: "vacature", record: "vacature" },
};

const CATEGORIES = {
  MATCHPROFIEL: "matchprofiel",
  DETAIL: "detailgegevens",
  CONTACTGEGEVENS: "contactgegevens",
  BIJZONDER: "bijzondere gegevens",
};

export function reasonText(why) {
  const categorie = CATEGORIES[why.categorie] ?? why.categorie;
  switch (why.reden) {
    case "GEEN_TOESTEMMING":
      return `geen toestemming: de werkzoekende deelt de ${categorie} niet met uw organisatie`;
    case "ROL":
      return `uw rol ziet ${categorie} nooit`;
    case "GEEN_SUWI":
      return `alleen SUWI-partijen zien ${categorie}`;
    case "SCOPE":
      return `uw token mist de scope hiervoor (${why.melding})`; // the message names the field
    default:
      return why.reden;
  }
}

// `persoonlijkePresentatie` -> `persoonlijke presentatie`
export const words = (name) => name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

function Value({ value }) {
  if (value === null || value === undefined) return <span className="vum-empty">niet ingevuld</span>;
  if (Array.isArray(value)) {
    if (!value.length) return <span className="vum-empty">geen</span>;
    return (
      <ul className="vum-values">
        {value.map((item, index) => (
          <li key={index}>
            <Value value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === "object") {
    return (
      <dl className="vum-object">
        {Object.entries(value).map(([key, inner]) => (
          <div key={key}>
            <dt>{words(key)}</dt>
            <dd>
              <Value value={inner} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  if (typeof value === "string" && /^[A-Z][A-Z0-9_]+$/.test(value)) return <span>{words(value.replace(/_/g, " "))}</span>;
  return <span>{String(value)}</span>;
}

// A gateway with `reject_unauthorized_operations` refuses the whole detail when it names a field
// the caller may not select (FORBIDDEN_FIELD, no data): ask again without those fields, and keep
// the refusals so the panel can say which fields were withheld for a missing scope.
async function askAllowed(ask, query, variables) {
  const response = await ask({ query, variables, operationName: null });
  const refused = (response.errors ?? []).filter((e) => e.extensions && e.extensions.code === "FORBIDDEN_FIELD" && e.path);
  if (response.data || !refused.length) return response;
  const retry = await ask({ query: withoutFields(query, refused.map((e) => e.path)), variables, operationName: null });
  return { ...retry, errors: [...refused, ...(retry.errors ?? [])] };
}

export function Detail({ row, ask, organisation, onClose }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    const spec = QUERIES[row.kind];
    setState({ loading: true });
    askAllowed(ask, spec.query, { vumID: row.vumID })
      .then((response) => live && setState({ loading: false, response, spec }))
      .catch((error) => live && setState({ loading: false, failure: String(error) }));
    return () => {
      live = false;
    };
  }, [row, ask]);

  return (
    <section className="vum-detail" aria-label="Detail">
      <header>
        <h3>{row.kind === "vacature" ? "Vacature" : "Profiel van een werkzoekende"}</h3>
        <button type="button" onClick={onClose}>
          Terug naar de lijst
        </button>
      </header>
      <p className="vum-muted">
        Bij {organisation} · vumID <code>{row.vumID ? row.vumID.slice(0, 18) : "?"}…</code>
      </p>
      <DetailBody state={state} />
    </section>
  );
}

function DetailBody({ state }) {
  if (state.loading) return <p>Detail wordt opgevraagd…</p>;
  if (state.failure) return <p className="vum-error">De gateway gaf geen antwoord: {state.failure}</p>;
  const { response, spec } = state;
  const detail = response.data ? response.data[spec.root] : null;
  const record = detail ? detail[spec.record] : null;
  if (!record) {
    const messages = (response.errors ?? []).map((e) => `${e.message} (${(e.extensions && e.extensions.code) || "?"})`);
    return (
      <div className="vum-error">
        <p>Geen detail te zien.</p>
        {messages.map((m) => (
          <p key={m}>{m}</p>
        ))}
      </div>
    );
  }
  const { fields: withheld, categories } = withheldOf(response, [spec.root, spec.record]);
  const nested = [...withheld.keys()].filter((path) => path.includes(".") && !(path.split(".")[0] in record && record[path.split(".")[0]] == null));
  const scoped = [...withheld.entries()].filter(([path, why]) => why.reden === "SCOPE" && !categories.some((c) => c.velden.includes(path)));
  return (
    <>
      {categories.length + scoped.length > 0 && (
        <div className="vum-withheld-summary" role="note" aria-label="Achtergehouden">
          <strong>Achtergehouden</strong>
          <ul>
            {categories.map((c) => (
              <li key={c.categorie}>
                {reasonText(c)}: {c.velden.map(words).join(", ")}
              </li>
            ))}
            {scoped.map(([path, why]) => (
              <li key={path}>
                {words(path)}: {reasonText(why)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <dl className="vum-fields">
        {Object.entries(record).map(([field, value]) => {
          const why = withheld.get(field);
          return (
            <div key={field} className={why && value == null ? "vum-withheld" : undefined} data-field={field}>
              <dt>{words(field)}</dt>
              <dd>{why && value == null ? <em>achtergehouden: {reasonText(why)}</em> : <Value value={value} />}</dd>
            </div>
          );
        })}
        {nested.map((path) => (
          <div key={path} className="vum-withheld" data-field={path}>
            <dt>{path.split(".").map(words).join(" › ")}</dt>
            <dd>
              <em>achtergehouden: {reasonText(withheld.get(path))}</em>
            </dd>
          </div>
        ))}
      </dl>
      <p className="vum-muted">De gateway legt elke inzage vast in het verwerkingenlog.</p>
    </>
  );
}
