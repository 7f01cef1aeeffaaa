"""A general Apollo Federation v2 runtime: any supergraph in, a GraphQL endpoint out. VUM-agnostic.

How a request flows (each step its own module; plans and operations are plain frozen data):

    supergraph SDL ──supergraph/──▶ API schema + join metadata (who resolves what, keys, …)
    request ──planning/planner──▶ parse, validate (API schema), normalise (operation.py, cached)
            ──authorization──▶ fields the caller may not see marked (before planning, cached per shape)
            ──planning/builder──▶ fetch groups: root fields to their subgraph, entity jumps by @key,
                                  @requires first, @provides, @shareable, @override, abstract types,
                                  @interfaceObject; plan = Sequence/Parallel/Fetch/Flatten/Condition
            ──execution/executor──▶ fetches (one batched, deduplicated `_entities` per Flatten),
                                  answers merged into one response tree
            ──execution/projection──▶ ONE pass: the client's answer (compiled per selection and type,
                                  general path on anything unusual), serialised by orjson

`FederationRuntime` (runtime.py) ties it together; `server/` is the Starlette edge;
`python -m gateway.federation serve|plan` (or `vum-gateway serve --supergraph` / `vum-gateway plan`).

Extension points (for VUM on top; none of them knows VUM):

(a) One subgraph, many instances (one `organisatie` subgraph, hundreds of organisations):
    subclass `execution.hooks.Hooks`. `instances(subgraph, ctx)` lists the endpoints a root fetch
    fans out to; `merge_instances(...)` combines their answers (VUM: concatenate, order, page, and
    report each source as `bronnen`; a failed instance is a `SubgraphFailure` in the list, so it
    can be reported instead of failing the request). `route(subgraph, representations, objects,
    ctx)` assigns each representation of an entity fetch to the instance that owns its object:
    one `_entities` request per instance, concurrently. `received(...)` sees every answer before
    it is merged: mark each object with the instance it came from (e.g. a key starting with
    `__`, which no GraphQL name can be) so that `route` can read it later.
(b) Gateway-resolved fields (`vumID`, `vraagID`, `bronnen`): `extensions.ComputedField(type,
    field, requires, compute)`, passed as `FederationRuntime(computed=[…])`. The planner never
    sends the field to a subgraph; it plans the fields in `requires` like any other (wherever they
    live) and the projection calls `compute(required values, object, request context)`, in the
    compiled fast path too. The object carries whatever `received` attached (its instance).
(c) Query-then-fetch as an ordinary plan: `QueryPlanner.plan_entities(type, selection, given)`
    plans a selection for objects that exist already with only the `given` fields (keys from a
    fan-out); `Executor.complete_entities(plan, objects)` runs its Flatten fetches (routed per
    owner by (a)) and projects each object. So a search is: a fan-out root fetch of keys, the
    gateway chooses the page, then `complete_entities` for the page's records. When the fan-out
    returns the objects themselves (sources that answer no entity fetch), plan with
    `given_from=subgraph`: `EntityPlan.given` is what to ask that subgraph for (at any depth,
    with the keys and `@requires` inputs the rest needs), and the plan completes the rest.
(d) Release hooks in the projection (consent, processing log): `extensions.ReleaseRules` gives
    fields a category (e.g. from the supergraph's `@policy` or a configured table); an object
    carrying an `extensions.Release` (attached in `received`/`merge_instances` from what the
    record states) releases only fields of `Release.allowed` categories. Withheld values a
    subgraph sent anyway are recorded in `Release.withheld` (security events) and released
    categories in `Release.released` (the processing log); the compiled path checks categories
    once per object and falls back to the general path for the exact record.
(e) Per-request headers per subgraph call: `Hooks.headers(subgraph, endpoint, ctx)` (a token
    signed per organisation per request; `ctx.attributes` carries the caller).
(f) Authorisation before planning: `authorization.Authorizer` applies `@authenticated`,
    `@requiresScopes` and `@policy` from the supergraph to the normalised operation; the caller is
    `ctx.attributes["caller"]` (`authorization.Caller`, whose `policies` callable decides policies,
    e.g. VUM's consent categories per role). Denied fields are never fetched, are null (nulls
    propagate) with one error each, or the operation is refused (`reject_unauthorized`). Plans
    are cached per set of denied fields; planning never imports authorisation.

Operation limits (depth, aliases, size) belong to the security layer: pass callables as
`FederationRuntime(limits=[…])`; each gets the normalised operation (with `Operation.work`, the
selections visited while expanding fragments) before planning and may raise `OperationError`.
"""

from .authorization import Authorizer, Caller
from .errors import ErrorCode, FederationError, OperationError, PlanningError, SupergraphError
from .execution.hooks import Hooks, RequestContext
from .extensions import RELEASE, ComputedField, Release, ReleaseRules
from .runtime import Answer, FederationRuntime, RuntimeOptions
from .supergraph import Supergraph, fetch_supergraph, load_supergraph, read_supergraph

__all__ = [
    "RELEASE",
    "Answer",
    "Authorizer",
    "Caller",
    "ComputedField",
    "ErrorCode",
    "FederationError",
    "FederationRuntime",
    "Hooks",
    "OperationError",
    "PlanningError",
    "Release",
    "ReleaseRules",
    "RequestContext",
    "RuntimeOptions",
    "Supergraph",
    "SupergraphError",
    "fetch_supergraph",
    "load_supergraph",
    "read_supergraph",
]
