"""The adapter SDK: connect an organisation's system to a VUM gateway with one small class.

Everything a vendor writes against is importable from here (as from `httpx`):

    from subgraphs.sdk import Adapter, GatewayTrust, SearchResult, Selectievraag, SubgraphSettings, create_app

An `Adapter` answers four operations from the organisation's backend (search and fetch, for job
seekers and for vacancies) with records in the standard's JSON; `create_app` turns it into a
subgraph (an ASGI app) that accepts only the gateway named by `GatewayTrust`, parses and checks
every selectievraag, applies the cap, re-checks what the adapter returns and releases per record
only what the job seeker consented to. The modules behind it (`adapter`, `app`, `selectievraag`,
`identity`, `sql`, `geo`) are for the SDK's own examples and tests.
"""

from .adapter import Adapter, InMemoryAdapter, SearchResult, valid_records
from .app import DEFAULT_MAX_RESULTS, SubgraphSettings, create_app
from .identity import GatewayTrust
from .selectievraag import EXTENSIONS, Record, Selectievraag, first_sorted

__all__ = [
    "DEFAULT_MAX_RESULTS",
    "EXTENSIONS",
    "Adapter",
    "GatewayTrust",
    "InMemoryAdapter",
    "Record",
    "SearchResult",
    "Selectievraag",
    "SubgraphSettings",
    "create_app",
    "first_sorted",
    "valid_records",
]
