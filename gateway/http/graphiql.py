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


def graphiql_page(endpoint: str, assets: str = ASSETS, headers: dict[str, str] | None = None) -> str:
    """An HTML page that runs GraphiQL against `endpoint`."""
    react, react_dom, graphiql = (f"{assets}/{name}@{VERSIONS[name]}" for name in ("react", "react-dom", "graphiql"))
    config = json.dumps({"endpoint": endpoint, "query": DEFAULT_QUERY, "headers": json.dumps(headers or {}, indent=2)})
    safe_config = config.replace("</", "<\\/")  # JSON inside <script> must not close the element
    return f"""<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <title>VUM gateway · GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="{html.escape(graphiql)}/graphiql.min.css">
</head>
<body>
  <div id="graphiql">GraphiQL wordt geladen…</div>
  <script crossorigin src="{html.escape(react)}/umd/react.production.min.js"></script>
  <script crossorigin src="{html.escape(react_dom)}/umd/react-dom.production.min.js"></script>
  <script crossorigin src="{html.escape(graphiql)}/graphiql.min.js"></script>
  <script id="vum-config" type="application/json">{safe_config}</script>
  <script>
    const config = JSON.parse(document.getElementById("vum-config").textContent);
    const fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher, defaultQuery: config.query, defaultHeaders: config.headers, shouldPersistHeaders: true,
      }})
    );
  </script>
</body>
</html>
"""
