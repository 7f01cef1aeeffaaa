"""Per-request extension points of the executor: where each subgraph is, and what headers it gets.

The defaults serve one URL per subgraph (from the supergraph, or overridden by configuration)
and add no headers. A deployment replaces them to route a subgraph to one of many instances, or
to sign a token per subgraph per request (see the package's design note).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..supergraph import Supergraph
from .transport import Endpoint


@dataclass
class RequestContext:
    """What one request carries into execution: the inbound headers and anything hooks attach."""

    headers: Mapping[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)


class Hooks:
    """The default hooks: the supergraph's URLs (or overrides), a timeout per subgraph, no headers."""

    def __init__(
        self,
        supergraph: Supergraph,
        urls: Mapping[str, str] | None = None,
        timeouts: Mapping[str, float] | None = None,
        default_timeout: float = 30.0,
    ) -> None:
        urls = urls or {}
        timeouts = timeouts or {}
        self.endpoints = {
            name: Endpoint(urls.get(name, subgraph.url), timeouts.get(name, default_timeout))
            for name, subgraph in supergraph.subgraphs.items()
        }

    def endpoint(self, subgraph: str, context: RequestContext) -> Endpoint:
        return self.endpoints[subgraph]

    def headers(self, subgraph: str, context: RequestContext) -> Mapping[str, str] | None:
        return None
