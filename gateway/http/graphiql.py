"""The GraphiQL explorer page served at `/graphql` to browsers."""

from __future__ import annotations

import html
import json

ASSETS = "https://unpkg.com"
VERSIONS = {"react": "18.3.1", "react-dom": "18.3.1", "graphiql": "3.8.3"}

DEFAULT_QUERY = """# Zoek werkzoekenden bij alle aangesloten organisaties tegelijk.
query ZoekWerkzoekenden {
  werkzoekendeProfielMatches(
    selectievraag: {
      selectiegebied: { postcode: "5611AB", afstand: 25 }
      aantalWerkurenPerWeek: { minimaal: 16, maximaal: 32 }
    }
    first: 10
  ) {
    vraagID
    totalCount
    maximumAantalResultatenBereikt
    bronnen { bronID naam status aantal duurMs melding }
    edges {
      bronID
      node {
        vumID
        mobiliteit { bemiddelingspostcode maximaleReisafstand }
        werktijden { aantalWerkurenPerWeekMinimaal aantalWerkurenPerWeekMaximaal }
        bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def graphiql_page(endpoint: str, presets: dict[str, dict[str, str]] | None = None, assets: str = ASSETS) -> str:
    """An HTML page that runs GraphiQL against `endpoint`; `presets` offers header sets by name
    (the demo's roles)."""
    react, react_dom, graphiql = (f"{assets}/{name}@{VERSIONS[name]}" for name in ("react", "react-dom", "graphiql"))
    headers = {name: json.dumps(value, indent=2) for name, value in (presets or {}).items()}
    config = json.dumps({"endpoint": endpoint, "query": DEFAULT_QUERY, "presets": headers})
    safe_config = config.replace("</", "<\\/")  # JSON inside <script> must not close the element
    return f"""<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <title>VUM gateway · GraphiQL</title>
  <style>
    body {{ margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: sans-serif; }}
    #roles {{ padding: 6px 10px; background: #f3f3f3; font-size: 14px; }}
    #roles[hidden] {{ display: none; }}
    #graphiql {{ flex: 1; min-height: 0; }}
  </style>
  <link rel="stylesheet" href="{html.escape(graphiql)}/graphiql.min.css">
</head>
<body>
  <div id="roles" hidden><label>Rol (headers): <select id="role"></select></label></div>
  <div id="graphiql">GraphiQL wordt geladen…</div>
  <script crossorigin src="{html.escape(react)}/umd/react.production.min.js"></script>
  <script crossorigin src="{html.escape(react_dom)}/umd/react-dom.production.min.js"></script>
  <script crossorigin src="{html.escape(graphiql)}/graphiql.min.js"></script>
  <script id="vum-config" type="application/json">{safe_config}</script>
  <script>
    const config = JSON.parse(document.getElementById("vum-config").textContent);
    const fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
    const root = ReactDOM.createRoot(document.getElementById("graphiql"));
    const names = Object.keys(config.presets);
    function show(name) {{
      root.render(React.createElement(GraphiQL, {{
        key: name || "none", fetcher, defaultQuery: config.query,
        defaultHeaders: name ? config.presets[name] : "", headers: name ? config.presets[name] : undefined,
        shouldPersistHeaders: names.length === 0, defaultEditorToolsVisibility: names.length ? "headers" : false,
      }}));
    }}
    if (names.length) {{
      const select = document.getElementById("role");
      for (const name of names) select.add(new Option(name, name));
      select.onchange = () => show(select.value);
      document.getElementById("roles").hidden = false;
    }}
    show(names[0]);
  </script>
</body>
</html>
"""
