"""The explorer served at `/graphql` to browsers: GraphiQL with the explorer plugin and the
mediators' panels (persona searches, results as a list and a map, a match's detail).

Its front-end is built from `explorer/` in the repository into `static/` here, and that build is
package data: the gateway serves every file itself, under a Content-Security-Policy that allows
nothing but this origin (and, for the `<style>` elements GraphiQL's dialogs add, a per-page nonce).
A broken install without the files gets a page that says so and how to fix it.
"""

from __future__ import annotations

import csv
import html
import json
import secrets
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from vumschema.data import POSTCODES

STATIC = Path(__file__).resolve().parent / "static"
REQUIRED = ("explorer.js", "explorer.css")
PREFIX = "/explorer"

DEFAULT_QUERY = """# Zoek werkzoekenden bij alle aangesloten organisaties tegelijk.
# Stel de zoekvraag samen in de verkenner links (vink velden aan), of kies bovenaan een
# kant-en-klare zoekvraag, en druk op ▶.
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
        arbeidsmarktkwalificatie { rijbewijs { codeSoortRijbewijs } }
        bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def missing_files(static: Path = STATIC) -> list[str]:
    """The explorer's files that are not installed."""
    return [name for name in REQUIRED if not (static / name).is_file()]


def content_security_policy(style_nonce: str) -> str:
    """Nothing but this origin: no CDN, no inline script, no other host to send data to."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{style_nonce}'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def _json_in_script(value: object) -> str:
    return json.dumps(value).replace("</", "<\\/")  # JSON inside <script> must not close the element


def page(endpoint: str, presets: dict[str, dict[str, str]], purposes: Sequence[str], style_nonce: str) -> str:
    """The explorer's HTML; `presets` offers header sets by role name (demo mode only)."""
    config = {
        "endpoint": endpoint,
        "postcodes": f"{PREFIX}/pc4.json",
        "query": DEFAULT_QUERY,
        "presets": presets,
        "purposes": list(purposes),
        "styleNonce": style_nonce,
    }
    return f"""<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>VUM-verkenner</title>
  <meta name="description" content="De VUM-verkenner: GraphiQL met zoekvragen, resultaten als lijst en kaart">
  <link rel="icon" href="{PREFIX}/static/favicon.svg">
  <link rel="stylesheet" href="{PREFIX}/static/explorer.css">
  <script id="vum-config" type="application/json">{_json_in_script(config)}</script>
  <script defer src="{PREFIX}/static/explorer.js"></script>
</head>
<body>
  <div id="explorer"><p>De verkenner wordt geladen…</p></div>
  <noscript>De verkenner heeft JavaScript nodig.</noscript>
</body>
</html>
"""


def missing_page(missing: Sequence[str], static: Path = STATIC) -> str:
    """Said instead of a page that would load forever: what is missing and how to fix it."""
    names = ", ".join(missing)
    return f"""<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>VUM-verkenner: bestanden ontbreken</title></head>
<body>
  <h1>De verkenner kan niet starten</h1>
  <p>De bestanden van de verkenner ontbreken in deze installatie: <code>{html.escape(names)}</code>
     (verwacht in <code>{html.escape(str(static))}</code>).</p>
  <p>Installeer de gateway opnieuw (<code>pip install --force-reinstall vum-gateway</code>, of in een
     clone van de repository <code>pip install -e .</code>), of bouw de bestanden zelf:
     <code>cd explorer &amp;&amp; npm ci &amp;&amp; npm run build</code>.</p>
  <p>De GraphQL-API zelf werkt: <code>POST /graphql</code>.</p>
</body>
</html>
"""


def explorer_response(
    endpoint: str, presets: dict[str, dict[str, str]], purposes: Sequence[str], static: Path = STATIC
) -> Response:
    """The explorer page with its security headers, or the page that says what is missing."""
    missing = missing_files(static)
    if missing:
        response: Response = HTMLResponse(missing_page(missing, static), status_code=503)
        response.headers["Content-Security-Policy"] = "default-src 'none'"
    else:
        nonce = secrets.token_urlsafe(18)
        response = HTMLResponse(page(endpoint, presets, purposes, nonce))
        response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    response.headers["Cache-Control"] = "no-store"  # demo tokens may be in it
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@cache
def _postcode_areas() -> bytes:
    """Every PC4 area as `[pc4, lat, lon, plaats]`, for the explorer's map."""
    with POSTCODES.open(encoding="utf-8", newline="") as handle:
        rows = [[r["pc4"], float(r["lat"]), float(r["lon"]), r.get("plaats") or ""] for r in csv.DictReader(handle)]
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()


async def _postcodes(request: Request) -> Response:
    return Response(_postcode_areas(), media_type="application/json", headers={"Cache-Control": "max-age=86400"})


def explorer_routes(static: Path = STATIC) -> list[BaseRoute]:
    """The explorer's files and the map's postcode areas, under `/explorer`."""
    return [
        Route(f"{PREFIX}/pc4.json", _postcodes),
        Mount(f"{PREFIX}/static", StaticFiles(directory=static, check_dir=False)),
    ]
