"""The executor: walks a query plan for one request.

Root fields run concurrently. A search fans out to every usable organisation (each within its
own timeout), merges the answers in a stable pseudo-random order per vraagID, takes one page,
issues vumIDs for it, completes entity fields, and projects. A source that fails is reported in
`bronnen` and never fails the query.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
import hashlib
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, execute
from graphql.execution.values import VariableValues, get_argument_values

from vumschema import Contract
from vumschema.constraints import ValueChecker

from ..plan.nodes import Detail, FanOut, Introspection, Organisaties, QueryPlan, RootPlan, Search, Typename
from ..plan.planner import DETAIL_RECORD_FIELD, KINDS
from ..pseudonym import InvalidVumID, Pseudonymiser, RecordRef
from ..registry import Registry, SourceState
from ..subgraph_client import ERROR, SourceFailure, SubgraphClient
from .entities import EntityCompleter
from .projection import NullInNonNull, Projector

OK = "OK"
UNSUPPORTED = "UNSUPPORTED_CRITERION"
SAFE_ID = re.compile(r"^[a-zA-Z0-9_.-]{1,200}$")
CURSOR = re.compile(r"^([0-9a-f]{32}):([0-9a-f]{16})$")


@dataclass
class Services:
    """What every request shares: schema, registry, HTTP client, pseudonyms, limits."""

    schema: GraphQLSchema
    contract: Contract
    registry: Registry
    client: SubgraphClient
    pseudonyms: Pseudonymiser
    order_key: bytes
    max_page_size: int
    input_checker: ValueChecker = field(init=False)

    def __post_init__(self) -> None:
        self.input_checker = ValueChecker(self.contract, wire=False)


class FieldError(Exception):
    """A root field cannot be answered; it becomes null with this error."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Request:
    """One request's state while its plan is walked."""

    services: Services
    variable_values: VariableValues
    raw_variables: Mapping[str, Any]
    projector: Projector
    entities: EntityCompleter

    @property
    def variables(self) -> Mapping[str, Any]:
        return self.variable_values.coerced


async def execute_plan(
    plan: QueryPlan, variable_values: VariableValues, raw_variables: Mapping[str, Any], services: Services
) -> dict[str, Any]:
    """The GraphQL response (`data`, and `errors` when there are any) for one planned request."""
    variables = variable_values.coerced
    request = Request(
        services,
        variable_values,
        raw_variables,
        Projector(services.schema, variables),
        EntityCompleter(services.registry, services.client),
    )
    roots = [root for root in plan.roots if root.selection.included(variables)]
    values = await asyncio.gather(*(_root(root, request) for root in roots))
    response: dict[str, Any] = {"data": {root.selection.key: value for root, value in zip(roots, values, strict=True)}}
    if request.projector.errors:
        response["errors"] = request.projector.errors
    return response


async def _root(root: RootPlan, request: Request) -> Any:
    try:
        if isinstance(root, Search):
            return await _search(root, request)
        if isinstance(root, Detail):
            return await _detail(root, request)
        if isinstance(root, Organisaties):
            return _organisaties(root, request)
        if isinstance(root, Typename):
            return "Query"
        return _introspection(root, request)
    except FieldError as error:
        request.projector.error(str(error), [root.selection.key], error.code)
        return None


def _arguments(root: Search | Detail, request: Request) -> dict[str, Any]:
    assert root.selection.definition is not None
    try:
        return get_argument_values(root.selection.definition, root.selection.node, request.variable_values)
    except GraphQLError as error:
        raise FieldError(error.message, "BAD_USER_INPUT") from None


# -- search -----------------------------------------------------------------------------------


@dataclass
class SourceAnswer:
    """One source's part of a search."""

    state: SourceState
    status: str = OK
    records: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False
    duration_ms: float = 0.0
    message: str | None = None
    unsupported: list[str] = field(default_factory=list)
    error_code: str | None = None  # the source's GraphQL error code, when it refused

    def status_object(self) -> dict[str, Any]:
        source = self.state.config
        return {
            "bronID": source.id,
            "naam": source.name,
            "oin": source.oin,
            "status": self.status,
            "aantal": len(self.records),
            "maximumAantalResultatenBereikt": self.more,
            "duurMs": round(self.duration_ms, 1),
            "melding": self.message,
            "nietOndersteundeCriteria": self.unsupported,
        }


async def _ask(
    fan_out: FanOut, state: SourceState, variables: dict[str, Any], request: Request, id_field: str
) -> SourceAnswer:
    answer = SourceAnswer(state)
    if not state.usable:
        answer.status, answer.message = ERROR, f"not queried: {state.message or state.schema_status}"
        return answer
    started = time.perf_counter()
    try:
        response = await request.services.client.query(
            state.config.url, fan_out.fetch.operation, variables, state.config.timeout
        )
        _read_search_answer(answer, response.data, response.errors, fan_out.fetch.root_field, id_field)
    except SourceFailure as failure:
        answer.status, answer.message = failure.status, failure.message
    answer.duration_ms = (time.perf_counter() - started) * 1000
    return answer


def _read_search_answer(
    answer: SourceAnswer, data: dict[str, Any] | None, errors: list[dict[str, Any]], root_field: str, id_field: str
) -> None:
    for error in errors:
        extensions = error.get("extensions") or {}
        if extensions.get("code") == UNSUPPORTED:
            criteria = extensions.get("criteria")
            answer.status, answer.message = UNSUPPORTED, str(error["message"])[:300]
            answer.unsupported = [str(c) for c in criteria] if isinstance(criteria, list) else []
            return
    result = (data or {}).get(root_field)
    if errors or not isinstance(result, dict) or not isinstance(result.get("matches"), list):
        message = str(errors[0]["message"])[:300] if errors else "the source's answer lacks its matches"
        answer.error_code = str((errors[0].get("extensions") or {}).get("code")) if errors else None
        raise SourceFailure(ERROR, message)
    records = [
        r
        for r in result["matches"]
        if isinstance(r, dict) and isinstance(r.get(id_field), str) and SAFE_ID.match(r[id_field])
    ]
    if len(records) < len(result["matches"]):
        answer.message = f"{len(result['matches']) - len(records)} result(s) without a valid {id_field} left out"
    answer.records = records
    answer.more = result.get("maximumAantalResultatenBereikt") is True


def _cursor(vraag_id: str, position: str) -> str:
    return base64.urlsafe_b64encode(f"{vraag_id}:{position}".encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        text = ""
    match = CURSOR.match(text)
    if not match:
        raise FieldError("after: not a cursor of this gateway", "BAD_USER_INPUT")
    return match.group(1), match.group(2)


def _position(order_key: bytes, vraag_id: str, bron_id: str, record_id: str) -> str:
    """A record's place in the order of one search: stable across its pages, unlinkable across searches."""
    digest = hashlib.blake2b(f"{vraag_id}\x1f{bron_id}\x1f{record_id}".encode(), key=order_key, digest_size=8)
    return digest.hexdigest()


def _refuse_when_every_source_refused_the_input(answers: list[SourceAnswer]) -> None:
    """Input only a source can judge (such as an unknown postcode area) is the caller's error
    when every source that was asked says so."""
    asked = [a for a in answers if a.state.usable]
    if asked and all(a.error_code == "BAD_USER_INPUT" for a in asked):
        raise FieldError(asked[0].message or "the selectievraag was refused", "BAD_USER_INPUT")


@dataclass(frozen=True)
class Hit:
    """A record in the merged result, at its position in the search's order."""

    position: str
    bron_id: str
    record: dict[str, Any]


def _merge(answers: list[SourceAnswer], id_field: str, vraag_id: str, order_key: bytes) -> list[Hit]:
    """All sources' records in one order; a record a source sent twice counts once."""
    hits: dict[tuple[str, str], Hit] = {}
    for answer in answers:
        bron_id = answer.state.config.id
        for record in answer.records:
            record_id = record[id_field]
            hits.setdefault(
                (bron_id, record_id), Hit(_position(order_key, vraag_id, bron_id, record_id), bron_id, record)
            )
    return sorted(hits.values(), key=lambda hit: (hit.position, hit.bron_id, hit.record[id_field]))


def _check_search_arguments(root: Search, arguments: dict[str, Any], request: Request) -> None:
    kind = KINDS[root.kind]
    problems = request.services.input_checker.check(kind.input_type, arguments["selectievraag"], "selectievraag")
    first = arguments["first"]
    if not 1 <= first <= request.services.max_page_size:
        problems.append(f"first: must be from 1 to {request.services.max_page_size}")
    if problems:
        raise FieldError("; ".join(problems), "BAD_USER_INPUT")


async def _search(root: Search, request: Request) -> Any:
    services = request.services
    arguments = _arguments(root, request)
    _check_search_arguments(root, arguments, request)
    after = arguments.get("after")
    vraag_id, after_position = _read_cursor(after) if after else (uuid.uuid4().hex, "")
    variables = {"selectievraag": arguments["selectievraag"], "maximumAantal": None}
    answers = await asyncio.gather(
        *(_ask(root.fan_out, state, variables, request, root.id_field) for state in services.registry.organisations)
    )
    _refuse_when_every_source_refused_the_input(answers)
    merged = _merge(answers, root.id_field, vraag_id, services.order_key)
    start = bisect.bisect_right(merged, after_position, key=lambda hit: hit.position) if after_position else 0
    page = merged[start : start + arguments["first"]]
    for hit in page:
        hit.record["vumID"] = services.pseudonyms.issue(root.kind, RecordRef(hit.bron_id, hit.record[root.id_field]))
    edges = [{"cursor": _cursor(vraag_id, hit.position), "bronID": hit.bron_id, "node": hit.record} for hit in page]
    await _complete(root.flatten, [hit.record for hit in page], root.selection.key, request)
    value = {
        "vraagID": vraag_id,
        "maximumAantalResultatenBereikt": any(a.more for a in answers),
        "totalCount": len(merged),
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + len(page) < len(merged),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "bronnen": [a.status_object() for a in answers],
    }
    return _project(root, value, request)


async def _complete(flatten: tuple[Any, ...], records: list[dict[str, Any]], key: str, request: Request) -> None:
    failures = await asyncio.gather(*(request.entities.complete(f, records) for f in flatten))
    for failure in dict.fromkeys(f for f in failures if f):
        request.projector.error(failure, [key], "REFERENCE_DATA_UNAVAILABLE")


def _project(root: RootPlan, value: Any, request: Request) -> Any:
    definition = root.selection.definition
    assert definition is not None
    try:
        return request.projector.complete(root.selection, definition.type, value, [root.selection.key])
    except NullInNonNull:  # root fields are answered independently: this one is null
        return None


# -- detail -----------------------------------------------------------------------------------


async def _detail(root: Detail, request: Request) -> Any:
    services = request.services
    vumid = _arguments(root, request)["vumID"]
    try:
        ref = services.pseudonyms.open(root.kind, str(vumid))
    except InvalidVumID as error:
        raise FieldError(str(error), "INVALID_VUMID") from None
    state = services.registry.states.get(ref.bron_id)
    if state is None or not state.config.enabled:
        raise FieldError("the organisation that holds this record is no longer connected", "SOURCE_UNAVAILABLE")
    if not state.usable:
        raise FieldError(f"{state.config.name} cannot be asked: {state.message}", "SOURCE_UNAVAILABLE")
    try:
        response = await services.client.query(
            state.config.url, root.fetch.operation, {"id": ref.record_id}, state.config.timeout
        )
    except SourceFailure as failure:
        raise FieldError(f"{state.config.name}: {failure.message}", "SOURCE_UNAVAILABLE") from None
    record = (response.data or {}).get(root.fetch.root_field)
    if response.errors and record is None:
        raise FieldError(f"{state.config.name}: {str(response.errors[0]['message'])[:300]}", "SOURCE_ERROR")
    if record is None:
        return None
    id_field = KINDS[root.kind].id_field
    if not isinstance(record, dict) or record.get(id_field) != ref.record_id:
        raise FieldError(f"{state.config.name} answered with another record", "INVALID_SOURCE_DATA")
    await _complete(root.flatten, [record], root.selection.key, request)
    value = {"vumID": vumid, "bronID": ref.bron_id, DETAIL_RECORD_FIELD[root.kind]: record}
    return _project(root, value, request)


# -- registry and introspection ---------------------------------------------------------------


def _organisaties(root: Organisaties, request: Request) -> Any:
    states = request.services.registry.states.values()
    value = [
        {
            "bronID": s.config.id,
            "naam": s.config.name,
            "oin": s.config.oin,
            "soort": s.config.kind,
            "actief": s.config.enabled,
            "schemaStatus": s.schema_status,
            "melding": s.message,
        }
        for s in states
    ]
    return _project(root, value, request)


def _introspection(root: Introspection, request: Request) -> Any:
    result = execute(request.services.schema, root.document, variable_values=dict(request.raw_variables))
    assert isinstance(result, ExecutionResult)  # introspection resolves synchronously
    for error in result.errors or ():
        request.projector.error(error.message, [root.selection.key], "INTROSPECTION_ERROR")
    return (result.data or {}).get(root.selection.key)
