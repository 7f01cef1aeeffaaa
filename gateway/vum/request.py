"""One request on the federation engine: its state, and the steps every root field shares.

A root field the gateway answers (a search, a detail) asks `organisatie` for its records through
the runtime's fetcher (fan-out, merge), completes them with the runtime's entity plan (vumID,
codelijsten labels, consent in the projection), and shapes its own wrapper (`plain`) around them.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import print_ast
from graphql.error import GraphQLError
from graphql.execution.values import VariableValues, get_argument_values

from vumschema.policy import Caller

from ..execute.executor import FieldError, Services
from ..federation import RELEASE, Release
from ..federation.execution.fetching import Run
from ..federation.execution.hooks import RequestContext
from ..federation.execution.projection import Projected
from ..federation.operation import Field, Operation, Selection, included
from ..federation.planning.nodes import Fetch
from ..federation.planning.planner import EntityPlan
from ..federation.runtime import FederationRuntime
from ..metrics import SECURITY_EVENTS
from ..processing_log import Disclosure, Entry
from ..quota import Reservation
from .computed import BRON, PSEUDONYMS, RECORD_ID
from .hooks import FANOUT, VUM_CALLER, Fanout
from .keylist import KeyLists
from .release import federation_caller
from .supergraph import ORGANISATIE

log = logging.getLogger("vum.federation")
INVALID_SOURCE_DATA = "INVALID_SOURCE_DATA"
REFERENCE_DATA_UNAVAILABLE = "REFERENCE_DATA_UNAVAILABLE"
VARIABLE = re.compile(r"\$([_A-Za-z][_0-9A-Za-z]*)")


@dataclass
class VumRequest:
    """What one operation's root fields share while they are answered."""

    runtime: FederationRuntime
    services: Services
    operation: Operation
    caller: Caller | None
    variable_values: VariableValues
    public_fields: Mapping[str, Any]  # the public schema's Query fields (their input checks)
    errors: list[dict[str, Any]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    withheld: list[dict[str, Any]] = field(default_factory=list)  # the `achtergehouden` extension
    reservations: list[Reservation] = field(default_factory=list)  # quota places taken by disclosed details
    keys: KeyLists | None = None  # searches' ordered keys, for their next pages (keylist.py)
    encoded: bool = False  # the answer is dumped as it is: records may be JSON already (RequestContext)

    @property
    def variables(self) -> dict[str, Any]:
        return dict(self.variable_values.coerced)

    def arguments(self, root: Field) -> dict[str, Any]:
        try:
            return get_argument_values(self.public_fields[root.name], root.node, self.variable_values)
        except GraphQLError as error:
            raise FieldError(error.message, "BAD_USER_INPUT") from None

    def context(self, fanout: Fanout) -> RequestContext:
        """A root field's own context (root fields run concurrently, each with its fan-out)."""
        attributes = {
            "caller": federation_caller(self.caller),
            VUM_CALLER: self.caller,
            FANOUT: fanout,
            PSEUDONYMS: self._issue,
        }
        return RequestContext(attributes=attributes, encoded=self.encoded)

    def _issue(self, kind: str, bron_id: str, record_id: str) -> str:
        raise FieldError("no vumID can be issued outside a search", "INTERNAL_SERVER_ERROR")

    def plan(self, type_name: str, selection: Selection) -> EntityPlan:
        return self.runtime.planner.plan_selection_entities(
            type_name, selection, [], given_from=ORGANISATIE, variables=self.operation.variable_definitions
        )

    def error(self, message: str, path: list[Any], code: str) -> None:
        self.errors.append({"message": message, "path": path, "extensions": {"code": code}})

    async def ask(self, fetch: Fetch, variables: dict[str, Any], context: RequestContext) -> Run:
        """Run one fetch of `organisatie` through the runtime (fan-out and merge by the hooks)."""
        run = Run(variables, context)
        await self.runtime.executor.fetcher.root(fetch, run)
        return run

    async def complete(
        self, plan: EntityPlan, records: list[dict[str, Any]], context: RequestContext, path: list[Any]
    ) -> list[Projected | None]:
        """The records completed (codelijsten, vumID) and projected (consent) by the runtime (as
        JSON when `encoded`)."""
        completed, errors = await self.runtime.executor.complete_entities(plan, records, self.variables, context)
        reference: dict[str, dict[str, Any]] = {}
        for error in errors:
            service = (error.get("extensions") or {}).get("serviceName")
            if service is not None:  # a reference subgraph: one error per root field, its labels null
                message = f"reference data ({service}) unavailable: {_reason(error, service)}"
                reference.setdefault(message, {"message": message, "path": path[:1]})
                continue
            where = error.get("path") or []
            if len(where) >= 2 and where[0] == "_entities":
                where = [*path[:-1], where[1], path[-1], *where[2:]]
            self.error(f"the source's answer breaks the contract: {error.get('message')}", where, INVALID_SOURCE_DATA)
        for message, error in reference.items():
            self.error(message, error["path"], REFERENCE_DATA_UNAVAILABLE)
        for index, record in enumerate(completed):
            if record is None:
                self.error(
                    "a search result breaks the contract and is left out", [*path[:-1], index], INVALID_SOURCE_DATA
                )
        return completed


def _reason(error: Mapping[str, Any], service: str) -> str:
    message = str(error.get("message", ""))
    return message.removeprefix(f"subgraph {service}: ")


def source_query(
    operation: Operation, root_field: str, arguments: dict[str, str], selection: str, plans: list[EntityPlan]
) -> tuple[str, tuple[str, ...]]:
    """The query every organisation gets: `root_field` with the records' fields the plans need
    (their `given` selections: the client's own fields, the keys codelijsten needs, the ids
    vumID needs), and the client's variables those use. `arguments`: name to declared type."""
    given = " ".join(p.given[1:-1] for p in plans if p.given)
    used = sorted({name for name in VARIABLE.findall(given) if name in operation.variable_definitions})
    declarations = [f"${name}:{t}" for name, t in arguments.items()]
    declarations += [f"${n}:{print_ast(operation.variable_definitions[n].type)}" for n in used]
    call = ",".join(f"{name}:${name}" for name in arguments)
    records = selection.replace("{given}", given)
    return f"query({','.join(declarations)}){{{root_field}({call}){records}}}", tuple(used)


def entities_query(
    operation: Operation, type_name: str, selection: str, plans: list[EntityPlan]
) -> tuple[str, tuple[str, ...]]:
    """Phase 2 of a search (query-then-fetch): the owner's records of one page by key, with the
    fields the plans need (as `source_query` asks them) besides `selection` (key and consent)."""
    given = " ".join(p.given[1:-1] for p in plans if p.given)
    used = sorted({name for name in VARIABLE.findall(given) if name in operation.variable_definitions})
    declarations = ["$representations:[_Any!]!"]
    declarations += [f"${n}:{print_ast(operation.variable_definitions[n].type)}" for n in used]
    entities = f"_entities(representations:$representations){{... on {type_name}{{{selection} {given}}}}}"
    return f"query({','.join(declarations)}){{{entities}}}", tuple(used)


def plain(
    selection: Selection,
    type_name: str,
    value: Mapping[str, Any],
    variables: Mapping[str, Any],
    special: Mapping[str, Callable[[Field], Any]] | None = None,
) -> dict[str, Any]:
    """A value the gateway made itself, by the client's selection (response keys, conditions,
    `__typename`); `special` answers the named fields (the records, completed by the runtime)."""
    out: dict[str, Any] = {}
    for field_ in selection.fields(type_name):
        if not included(field_.when, variables):
            continue
        if field_.is_typename:
            out[field_.key] = type_name
        elif field_.denied:
            out[field_.key] = None
        elif special and field_.name in special:
            out[field_.key] = special[field_.name](field_)
        else:
            out[field_.key] = _plain_value(field_, value.get(field_.name), variables)
    return out


def _plain_value(field_: Field, value: Any, variables: Mapping[str, Any]) -> Any:
    if field_.selection is None or value is None:
        return value
    if isinstance(value, list):
        return [plain(field_.selection, field_.type_name, item, variables) for item in value]
    return plain(field_.selection, field_.type_name, value, variables)


def below(selection: Selection, type_name: str, *names: str) -> list[Field]:
    """The fields reached from `selection` by following `names` (through any alias)."""
    current = [f for f in selection.fields(type_name) if f.name == names[0]]
    for name in names[1:]:
        current = [
            c for f in current if f.selection is not None for c in f.selection.fields(f.type_name) if c.name == name
        ]
    return current


def disclosures(records: list[dict[str, Any]], kind: str) -> tuple[Disclosure, ...]:
    """What left of each record (for the processing log); a security event for what a source
    sent outside consent (stripped by the projection)."""
    found = []
    for record in records:
        release: Release | None = record.get(RELEASE)
        if release is None:
            continue
        for category in dict.fromkeys(release.withheld):
            SECURITY_EVENTS.labels(record[BRON], "categorie_buiten_toestemming").inc()
            log.warning(
                "security event: source %s sent %s data of a %s outside consent or rights; stripped",
                record[BRON],
                category,
                kind,
            )
        if release.released:
            found.append(Disclosure(record[BRON], record[RECORD_ID], frozenset(release.released)))
    return tuple(found)


def entry(request: VumRequest, vraag_id: str, soort: str, found: tuple[Disclosure, ...]) -> None:
    """Queue the processing-log entry for what this root field discloses."""
    caller = request.caller
    if caller is None or not found:
        return
    now = datetime.datetime.now(datetime.UTC)
    request.entries.append(Entry(now, caller.subject, caller.oin, caller.purpose or "", vraag_id, soort, found))
