// The explorer: GraphiQL with the explorer plugin on the left (build a search by ticking fields),
// ready-made persona searches and the role above it, and the matches as a list and a map on the
// right.

import { explorerPlugin } from "@graphiql/plugin-explorer";
import { useEditorContext, useExecutionContext } from "@graphiql/react";
import { GraphiQL, GraphiQLInterface, GraphiQLProvider } from "graphiql";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { PERSONAS, presetFor } from "./personas.js";
import { ResultsPanel } from "./ResultsPanel.jsx";
import { searchOf, withCurrentOperation } from "./results.js";

// Sensible values for the arguments the explorer fills in when a field is ticked: a search around
// Eindhoven station instead of an empty postcode the gateway would refuse.
function defaultArgument(parentField, arg, argType) {
  const name = arg.name;
  if (name === "postcode") return { kind: "StringValue", value: "5611AB" };
  if (name === "afstand") return { kind: "IntValue", value: "25" };
  if (argType.name === "Int") return { kind: "IntValue", value: "10" };
  if (argType.name === "Boolean") return { kind: "BooleanValue", value: false };
  if (argType.getValues) return { kind: "EnumValue", value: argType.getValues()[0].name };
  return { kind: "StringValue", value: "" };
}

const EXPLORER = {
  ...explorerPlugin({ showAttribution: false, getDefaultScalarArgValue: defaultArgument, title: "Zoekvraag samenstellen" }),
  title: "Zoekvraag samenstellen",
};

const memoryStorage = () => {
  const values = new Map();
  return {
    getItem: (key) => (values.has(key) ? values.get(key) : null),
    setItem: (key, value) => values.set(key, String(value)),
    removeItem: (key) => values.delete(key),
    clear: () => values.clear(),
    get length() {
      return values.size;
    },
  };
};

// The gateway's answer as a GraphQL response; a request that failed on the way (the gateway
// unreachable, the connection dropped) becomes one too, so the results panel says so.
async function answerOf(endpoint, params, options) {
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", ...((options && options.headers) || {}) },
      body: JSON.stringify(params),
      credentials: "omit",
    });
  } catch (error) {
    return { errors: [{ message: `De gateway is niet bereikbaar (${error.message}). Probeer het opnieuw.` }] };
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `De gateway antwoordde met HTTP ${response.status} zonder JSON.` }] };
  }
}

function makeFetcher(endpoint, onResult) {
  return async (asked, options) => {
    const params = withCurrentOperation(asked);
    const body = await answerOf(endpoint, params, options);
    if (params.operationName !== "IntrospectionQuery") onResult(params, body);
    return body;
  };
}

function headersText(headers) {
  return JSON.stringify(headers, null, 2);
}

function Toolbar({ config, presetNames, preset, onPreset }) {
  const { queryEditor, headerEditor, setOperationName } = useEditorContext({ nonNull: true });
  const { run } = useExecutionContext({ nonNull: true });
  const choosePreset = (name) => {
    onPreset(name);
    if (headerEditor) headerEditor.setValue(headersText(config.presets[name] ?? {}));
  };
  const loadPersona = (persona) => {
    const name = presetFor(persona, presetNames);
    if (name) choosePreset(name);
    if (queryEditor) queryEditor.setValue(persona.query);
    setOperationName(persona.operationName);
    setTimeout(run, 0); // after the editors took the new values
  };
  return (
    <header className="vum-toolbar">
      <h1>VUM-verkenner</h1>
      {presetNames.length ? (
        <label className="vum-role">
          Rol (demo):{" "}
          <select id="role" value={preset ?? ""} onChange={(event) => choosePreset(event.target.value)}>
            {presetNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p className="vum-token-hint">
          Zet uw token en doelbinding onder <strong>Headers</strong>:{" "}
          <code>{'{"Authorization": "Bearer …", "X-VUM-Doelbinding": "…"}'}</code>
        </p>
      )}
      <nav className="vum-personas" aria-label="Kant-en-klare zoekvragen">
        <button type="button" data-action="leeg" title="Begin met een lege zoekvraag en stel hem samen in de verkenner" onClick={() => queryEditor && queryEditor.setValue("")}>
          Nieuwe zoekvraag
        </button>
        {PERSONAS.map((persona) => (
          <button key={persona.id} type="button" title={persona.summary} data-persona={persona.id} onClick={() => loadPersona(persona)}>
            {persona.title}
          </button>
        ))}
      </nav>
    </header>
  );
}

function Workspace({ config, presetNames, preset, onPreset, search, areas, places, selected, onSelect }) {
  const { headerEditor } = useEditorContext({ nonNull: true });
  const ask = useCallback(
    async (params) => {
      let headers = {};
      try {
        headers = JSON.parse((headerEditor && headerEditor.getValue()) || "{}");
      } catch {
        throw new Error("de headers zijn geen geldige JSON");
      }
      const response = await fetch(config.endpoint, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", ...headers },
        body: JSON.stringify(params),
        credentials: "omit",
      });
      return response.json();
    },
    [headerEditor, config.endpoint],
  );
  return (
    <div className="vum-app">
      <Toolbar config={config} presetNames={presetNames} preset={preset} onPreset={onPreset} />
      <div className="vum-main">
        <div className="vum-graphiql">
          <GraphiQLInterface
            isHeadersEditorEnabled
            defaultEditorToolsVisibility="headers"
            showPersistHeadersSettings={false}
            disableTabs
            forcedTheme="light"
          >
            <GraphiQL.Logo>VUM gateway</GraphiQL.Logo>
          </GraphiQLInterface>
        </div>
        <ResultsPanel search={search} areas={areas} places={places} selected={selected} onSelect={onSelect} ask={ask} />
      </div>
    </div>
  );
}

function usePostcodeAreas(url) {
  const [areas, setAreas] = useState([]);
  useEffect(() => {
    fetch(url)
      .then((response) => (response.ok ? response.json() : []))
      .then((rows) => setAreas(Array.isArray(rows) ? rows : []))
      .catch(() => setAreas([]));
  }, [url]);
  const places = useMemo(() => new Map(areas.map(([pc4, lat, lon, plaats]) => [pc4, { lat, lon, plaats }])), [areas]);
  return { areas, places };
}

export function App({ config }) {
  const presetNames = Object.keys(config.presets);
  const [preset, setPreset] = useState(presetNames[0] ?? null);
  const [search, setSearch] = useState(null);
  const [selected, setSelected] = useState(null);
  const [visiblePlugin, setVisiblePlugin] = useState(EXPLORER);
  const { areas, places } = usePostcodeAreas(config.postcodes);
  const onResult = useRef(() => {});
  onResult.current = (params, body) => {
    const found = searchOf(params, body);
    if (found) {
      setSearch(found);
      setSelected(null);
    }
  };
  const fetcher = useMemo(() => makeFetcher(config.endpoint, (params, body) => onResult.current(params, body)), [config.endpoint]);
  const storage = useMemo(() => (presetNames.length ? memoryStorage() : undefined), [presetNames.length]);
  const initialHeaders = preset
    ? headersText(config.presets[preset])
    : headersText({ Authorization: "Bearer <uw token>", "X-VUM-Doelbinding": config.purposes[0] ?? "" });
  return (
    <GraphiQLProvider
      fetcher={fetcher}
      plugins={[EXPLORER]}
      visiblePlugin={visiblePlugin}
      onTogglePluginVisibility={setVisiblePlugin}
      defaultQuery={config.query}
      defaultHeaders={initialHeaders}
      shouldPersistHeaders={false}
      storage={storage}
    >
      <Workspace
        config={config}
        presetNames={presetNames}
        preset={preset}
        onPreset={setPreset}
        search={search}
        areas={areas}
        places={places}
        selected={selected}
        onSelect={(row) => setSelected(row ? row.vumID : null)}
      />
    </GraphiQLProvider>
  );
}
