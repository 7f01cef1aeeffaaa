"""Per-request extension points of the executor: where each subgraph is, what each call carries.

The defaults serve one URL per subgraph (from the supergraph, or overridden by configuration)
and add nothing. A deployment subclasses `Hooks` to
- serve one subgraph from MANY instances: `instances` lists the endpoints a root fetch goes to
  (all of them answer, `merge_instances` combines their answers), and `route` sends each
  representation of an entity fetch to the instance that owns the object (one `_entities`
  request per instance);
- add headers per call (`headers`, e.g. a token signed per instance per request);
- look at every answer before it is merged (`received`, e.g. to mark each object with the
  instance it came from, or with what it may release: see `projection.RELEASE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..supergraph import Supergraph
from .transport import Endpoint, SubgraphFailure, SubgraphResponse


@dataclass
class RequestContext:
    """What one request carries into execution: the inbound headers and anything hooks attach
    (`attributes["caller"]` is the `authorization.Caller`; `attributes["override_labels"]` the
    progressive-override labels to turn on). `encoded`: the response is written out with
    `orjson.dumps` as it is, so the projection may hand an object back as its JSON already
    (`orjson.Fragment`) instead of a dict; off where anything reads the answer afterwards."""

    headers: Mapping[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    encoded: bool = False


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
        """The one endpoint of a subgraph (entity fetches that are not routed go here)."""
        return self.endpoints[subgraph]

    def instances(self, subgraph: str, context: RequestContext) -> Sequence[Endpoint]:
        """Every instance a root fetch of `subgraph` goes to."""
        return (self.endpoint(subgraph, context),)

    def fans_out(self, subgraph: str, context: RequestContext) -> bool:
        """Whether root fetches of `subgraph` always go through `merge_instances`, also with one
        instance or none (its answers are combined, e.g. ordered and paged, whatever their number)."""
        return False

    def merge_instances(
        self,
        subgraph: str,
        answers: Sequence[tuple[Endpoint, SubgraphResponse | SubgraphFailure]],
        context: RequestContext,
    ) -> SubgraphResponse:
        """One answer from the answers of several instances to the same root fetch."""
        raise NotImplementedError(f"subgraph {subgraph} has several instances but no way to merge their answers")

    def route(
        self,
        subgraph: str,
        representations: Sequence[dict[str, Any]],
        objects: Sequence[dict[str, Any]],
        context: RequestContext,
    ) -> Sequence[tuple[Endpoint, Sequence[int]]] | None:
        """Which instance resolves which representation (indexes into `representations`; the
        object each came from is at the same index of `objects`); None: all to `endpoint`."""
        return None

    def headers(self, subgraph: str, endpoint: Endpoint, context: RequestContext) -> Mapping[str, str] | None:
        return None

    def received(self, subgraph: str, endpoint: Endpoint, response: SubgraphResponse, context: RequestContext) -> None:
        """Called with every well-formed answer before it is merged into the response tree."""
