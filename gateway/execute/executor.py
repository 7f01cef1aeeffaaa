"""The executor: walks a query plan for one caller's request.

Root fields run concurrently. A search fans out to every usable organisation (each within its
own timeout, each call carrying a gateway-signed token for that organisation), merges the answers
in a stable pseudo-random order per vraagID, takes one page, issues vumIDs for it, completes
entity fields, and projects. A source that fails is reported in `bronnen` and never fails the
query. What leaves is logged first; if the log cannot be written, nothing leaves.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import datetime
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import ExecutionResult, GraphQLError, GraphQLNonNull, GraphQLSchema, execute
from graphql.execution.values import VariableValues, get_argument_values

from vumschema import Contract
from vumschema.constraints import ValueChecker
from vumschema.policy import WERKZOEKENDE as ROLE_WERKZOEKENDE
from vumschema.policy import Caller, role_categories

from ..auth.signing import GatewaySigner
from ..cursor import Cursors, InvalidCursor, Place
from ..metrics import DISCLOSURES, SECURITY_EVENTS, SOURCE_ANSWERS, SOURCE_SECONDS
from ..plan.nodes import (
    Detail,
    FanOut,
    Introspection,
    Organisaties,
    QueryPlan,
    RootPlan,
    Search,
    Typename,
    Verwerkingen,
)
from ..plan.planner import DETAIL_RECORD_FIELD, KINDS, WERKZOEKENDE
from ..plan.selection import Selected
from ..processing_log import Disclosure, Entry, LogUnavailable, ProcessingLog, Seen
from ..pseudonym import InvalidVumID, Pseudonymiser, RecordRef
from ..quota import DetailQuota, QuotaExceeded, QuotaUnavailable, Reservation, reserve
from ..registry import Registry, SourceState
from ..subgraph_client import ERROR, SourceFailure, SubgraphClient
from .compiled import META, Compiler
from .entities import EntityCompleter
from .projection import NullInNonNull, Projector, RecordMeta
from .withheld import EXTENSION, withheld

log = logging.getLogger("vum.executor")

OK = "OK"
UNSUPPORTED = "UNSUPPORTED_CRITERION"
SAFE_ID = re.compile(r"[a-zA-Z0-9_.-]{1,200}")  # used with fullmatch: `$` would allow a trailing newline
MAX_SUBGRAPH_CALLS = "MAX_SUBGRAPH_CALLS_LIMIT"
SOURCE_IDS_TO_MEDIATORS = "mediators"  # auth.detail_source_id: other organisations' mediators get the source's id


@dataclass
class Services:
    """What every request shares: schema, registry, HTTP client, pseudonyms, identity, log, limits."""

    schema: GraphQLSchema
    contract: Contract
    registry: Registry
    client: SubgraphClient
    pseudonyms: Pseudonymiser
    order_key: bytes
    max_page_size: int
    signer: GatewaySigner
    processing_log: ProcessingLog
    quota: DetailQuota
    cursors: Cursors
    max_subgraph_calls: int = 500
    detail_source_id: str = SOURCE_IDS_TO_MEDIATORS  # or "owner": only the owning organisation's mediators
    input_checker: ValueChecker = field(init=False)

    def __post_init__(self) -> None:
        self.input_checker = ValueChecker(self.contract, wire=False, show_values=True)  # the caller's own input


class OperationTooLarge(Exception):
    """The operation would cause more subgraph requests than one operation may."""


class FieldError(Exception):
    """A root field cannot be answered; it becomes null with this error."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Request:
    """One request's state while its plan is walked."""

    services: Services
    caller: Caller | None
    variable_values: VariableValues
    raw_variables: Mapping[str, Any]
    projector: Projector
    entities: EntityCompleter
    entries: list[Entry] = field(default_factory=list)
    withheld: list[dict[str, Any]] = field(default_factory=list)  # the `achtergehouden` extension
    reservations: list[Reservation] = field(default_factory=list)  # quota places taken by disclosed details

    @property
    def variables(self) -> Mapping[str, Any]:
        return self.variable_values.coerced

    def headers(self, state: SourceState, vraag_id: str | None = None) -> dict[str, str]:
        token = self.services.signer.token(self.caller, state.config.oin)
        headers = {"Authorization": f"Bearer {token}"}
        if vraag_id:
            headers["X-VUM-vraagID"] = vraag_id
        return headers


class ProcessingLogFailed(Exception):
    """The disclosures could not be logged: the response must carry no data."""


async def log_disclosures(services: Services, entries: list[Entry], reservations: list[Reservation]) -> None:
    """Log what an operation disclosed, before it is answered (both engines); when the log cannot
    be written nothing is disclosed, so the quota it reserved is given back."""
    try:
        await services.processing_log.append(entries)
    except LogUnavailable as error:
        for reservation in reservations:
            await services.quota.give_back(reservation.search, reservation.record)
        raise ProcessingLogFailed(str(error)) from None
    for entry in entries:
        DISCLOSURES.labels(entry.soort).inc(len(entry.disclosures))


def verwerking_objects(seen: Iterable[Seen], sources: Iterable[SourceState]) -> list[dict[str, Any]]:
    """The processing log's rows about one record as `Verwerking` objects (both engines)."""
    names = {s.config.oin: s.config.name for s in sources}
    return [
        {
            "tijdstip": s.tijdstip.isoformat(),
            "afnemer": s.afnemer,
            "afnemerOin": s.afnemer_oin,
            "afnemerNaam": names.get(s.afnemer_oin),
            "doelbinding": s.doelbinding,
            "vraagID": s.vraag_id,
            "soort": s.soort,
            "categorieen": list(s.categorieen),
        }
        for s in seen
    ]


async def execute_plan(
    plan: QueryPlan,
    variable_values: VariableValues,
    raw_variables: Mapping[str, Any],
    services: Services,
    caller: Caller | None,
) -> dict[str, Any]:
    """The GraphQL response (`data`, and `errors` when there are any) for one planned request.

    Raises `ProcessingLogFailed` when what would be disclosed cannot be logged (its detail
    lookups then spend no quota), `OperationTooLarge` before anything is asked when it would cause
    more subgraph requests than `services.max_subgraph_calls`.
    """
    variables = variable_values.coerced
    roots = [root for root in plan.roots if root.selection.included(variables)]
    calls = sum(_subgraph_calls(root, services) for root in roots)
    if calls > services.max_subgraph_calls:
        raise OperationTooLarge(
            f"this operation would send {calls} requests to the organisations; this gateway allows "
            f"{services.max_subgraph_calls} per operation (gateway.limits.max_subgraph_calls)"
        )
    request = Request(
        services,
        caller,
        variable_values,
        raw_variables,
        Projector(services.schema, services.contract, variables, Compiler(services.contract, plan.derived)),
        EntityCompleter(services.registry, services.client, lambda state: request.headers(state)),
    )
    for denied in plan.denied:
        if any(denied.path[0] == root.selection.key for root in roots):
            request.projector.error(denied.message, list(denied.path), "FORBIDDEN_FIELD")
    values = await asyncio.gather(*(_root(root, request) for root in roots))
    await log_disclosures(services, request.entries, request.reservations)
    data: dict[str, Any] | None = {root.selection.key: value for root, value in zip(roots, values, strict=True)}
    if any(value is None and _non_null(root) for root, value in zip(roots, values, strict=True)):
        data = None  # a non-null root field is null: GraphQL nulls the whole data
    response: dict[str, Any] = {"data": data}
    if request.projector.errors:
        response["errors"] = request.projector.errors
    if request.withheld and data is not None:
        response["extensions"] = {EXTENSION: request.withheld}
    return response


def _subgraph_calls(root: RootPlan, services: Services) -> int:
    """The requests a root field sends at most: one per organisation for a search, one for a
    detail, and one per entity fetch that completes them."""
    if root.selection.denied:
        return 0
    if isinstance(root, Search):
        return sum(1 for state in services.registry.organisations if state.usable) + len(root.flatten)
    if isinstance(root, Detail):
        return 1 + len(root.flatten)
    return 0


def _non_null(root: RootPlan) -> bool:
    definition = root.selection.definition
    return definition is not None and isinstance(definition.type, GraphQLNonNull)


async def _root(root: RootPlan, request: Request) -> Any:
    if root.selection.denied:
        return None
    try:
        if isinstance(root, Search):
            return await _search(root, request)
        if isinstance(root, Detail):
            return await _detail(root, request)
        if isinstance(root, Verwerkingen):
            return await _verwerkingen(root, request)
        if isinstance(root, Organisaties):
            return _organisaties(root, request)
        if isinstance(root, Typename):
            return "Query"
        return _introspection(root, request)
    except FieldError as error:
        request.projector.error(str(error), [root.selection.key], error.code)
        return None


def _arguments(root: Search | Detail | Verwerkingen, request: Request) -> dict[str, Any]:
    assert root.selection.definition is not None
    try:
        return get_argument_values(root.selection.definition, root.selection.node, request.variable_values)
    except GraphQLError as error:
        raise FieldError(error.message, "BAD_USER_INPUT") from None


def _entry(request: Request, vraag_id: str, soort: str, metas: list[RecordMeta]) -> None:
    """Queue the processing-log entry for what this root field discloses."""
    caller = request.caller
    disclosures = tuple(Disclosure(m.bron_id, m.record_id, frozenset(m.disclosed)) for m in metas if m.disclosed)
    if caller is None or not disclosures:
        return
    now = datetime.datetime.now(datetime.UTC)
    request.entries.append(Entry(now, caller.subject, caller.oin, caller.purpose or "", vraag_id, soort, disclosures))


def _report_violations(metas: list[RecordMeta], kind: str) -> None:
    for meta in metas:
        for category in meta.violations:
            SECURITY_EVENTS.labels(meta.bron_id, "categorie_buiten_toestemming").inc()
            log.warning(
                "security event: source %s sent %s data of a %s outside consent or rights; stripped",
                meta.bron_id,
                category,
                kind,
            )


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
    fan_out: FanOut, state: SourceState, variables: dict[str, Any], request: Request, id_field: str, vraag_id: str
) -> SourceAnswer:
    answer = SourceAnswer(state)
    if not state.usable:
        answer.status, answer.message = ERROR, f"not queried: {state.message or state.schema_status}"
        SOURCE_ANSWERS.labels(state.config.id, answer.status).inc()
        return answer
    started = time.perf_counter()
    try:
        response = await request.services.client.query(
            state.config.url,
            fan_out.fetch.operation,
            variables,
            state.config.timeout,
            request.headers(state, vraag_id),
            source=state.config.id,
        )
        _read_search_answer(answer, response.data, response.errors, fan_out.fetch.root_field, id_field)
    except SourceFailure as failure:
        answer.status, answer.message = failure.status, failure.message
    answer.duration_ms = (time.perf_counter() - started) * 1000
    SOURCE_ANSWERS.labels(state.config.id, answer.status).inc()
    SOURCE_SECONDS.labels(state.config.id).observe(answer.duration_ms / 1000)
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
        if isinstance(r, dict) and isinstance(r.get(id_field), str) and SAFE_ID.fullmatch(r[id_field])
    ]
    if len(records) < len(result["matches"]):
        answer.message = f"{len(result['matches']) - len(records)} result(s) without a valid {id_field} left out"
    answer.records = records
    answer.more = result.get("maximumAantalResultatenBereikt") is True


def _question(arguments: Mapping[str, Any]) -> bytes:
    """The search's selectievraag as canonical JSON: what a cursor is bound to."""
    return orjson.dumps(arguments["selectievraag"], option=orjson.OPT_SORT_KEYS, default=str)


def _place(after: str, question: bytes, kind: str, request: Request) -> Place:
    assert request.caller is not None
    try:
        return request.services.cursors.open(after, question, kind, request.caller.oin)
    except InvalidCursor as error:
        raise FieldError(f"after: {error}", "BAD_USER_INPUT") from None


def _selects(selection: Selected, *names: str) -> bool:
    """Whether the selection reaches a field by following `names` (through any alias)."""
    current = [selection]
    for name in names:
        current = [child for s in current for child in s.children if child.name == name]
    return bool(current)


def _refuse_when_every_source_refused_the_input(answers: list[SourceAnswer]) -> None:
    """Input only a source can judge (such as an unknown postcode area) is the caller's error
    when every source that was asked says so."""
    asked = [a for a in answers if a.state.usable]
    if asked and all(a.error_code == "BAD_USER_INPUT" for a in asked):
        raise FieldError(asked[0].message or "the selectievraag was refused", "BAD_USER_INPUT")


@dataclass
class Hit:
    """A record in the merged result, at its position in the search's order."""

    position: str
    bron_id: str
    record: dict[str, Any]
    allowed: frozenset[str] = frozenset()  # the categories it may release to this caller


class SearchOrder:
    """The order of one search's records: a record's place is the keyed hash of (vraagID, bronID,
    record id), stable across the search's pages and unlinkable across searches."""

    def __init__(self, order_key: bytes, vraag_id: str) -> None:
        self._keyed = hashlib.blake2b(key=order_key, digest_size=8)  # keyed once: a copy costs half a keying
        self._prefix = f"{vraag_id}\x1f"

    def position(self, bron_id: str, record_id: str) -> str:
        digest = self._keyed.copy()
        digest.update(f"{self._prefix}{bron_id}\x1f{record_id}".encode())
        return digest.hexdigest()


def _merge(answers: list[SourceAnswer], id_field: str, vraag_id: str, order_key: bytes) -> list[Hit]:
    """All sources' records in one order (`SearchOrder`); a record a source sent twice counts once."""
    hits: dict[tuple[str, str], Hit] = {}
    order = SearchOrder(order_key, vraag_id)
    for answer in answers:
        bron_id = answer.state.config.id
        for record in answer.records:
            record_id = record[id_field]
            if (bron_id, record_id) not in hits:
                hits[bron_id, record_id] = Hit(order.position(bron_id, record_id), bron_id, record)
    return sorted(hits.values(), key=lambda hit: (hit.position, hit.bron_id, hit.record[id_field]))


def _check_search_arguments(root: Search, arguments: dict[str, Any], request: Request) -> None:
    kind = KINDS[root.kind]
    problems = request.services.input_checker.check(kind.input_type, arguments["selectievraag"], "selectievraag")
    first = arguments["first"]
    if not 1 <= first <= request.services.max_page_size:
        problems.append(f"first: {first} is out of range (allowed: 1 to {request.services.max_page_size})")
    if problems:
        raise FieldError("; ".join(problems), "BAD_USER_INPUT")


def _allowed(request: Request, kind: str, record: Mapping[str, Any]) -> frozenset[str]:
    """What a record may release to this caller: for a profile, the consent the source states
    intersected with the caller's role; for a vacancy, the caller's role."""
    caller = request.caller
    if caller is None:
        return frozenset()
    if kind != WERKZOEKENDE:
        return role_categories(caller, vacancy=True)
    stated = record.get("toestemmingen")
    consent = frozenset(c for c in stated if isinstance(c, str)) if isinstance(stated, list) else frozenset()
    return consent & role_categories(caller)


def _without_unconsented(hits: list[Hit], kind: str, request: Request) -> list[Hit]:
    """Drop profiles whose match profile may not reach this caller (a security event if sent)."""
    kept = []
    for hit in hits:
        hit.allowed = _allowed(request, kind, hit.record)
        if kind != WERKZOEKENDE or "MATCHPROFIEL" in hit.allowed:
            kept.append(hit)
            continue
        SECURITY_EVENTS.labels(hit.bron_id, "profiel_zonder_toestemming").inc()
        log.warning(
            "security event: source %s returned a profile without consent for this caller; left out", hit.bron_id
        )
    return kept


async def _search(root: Search, request: Request) -> Any:
    services, caller = request.services, request.caller
    assert caller is not None  # the field requires an authenticated caller
    arguments = _arguments(root, request)
    _check_search_arguments(root, arguments, request)
    after = arguments.get("after")
    question = _question(arguments)
    place = _place(after, question, root.kind, request) if after else Place(uuid.uuid4().hex, "")
    vraag_id, after_position = place.vraag_id, place.position
    variables = {"selectievraag": arguments["selectievraag"], "maximumAantal": None}
    answers = await asyncio.gather(
        *(
            _ask(root.fan_out, state, variables, request, root.id_field, vraag_id)
            for state in services.registry.organisations
        )
    )
    _refuse_when_every_source_refused_the_input(answers)
    merged = _without_unconsented(_merge(answers, root.id_field, vraag_id, services.order_key), root.kind, request)
    start = bisect.bisect_right(merged, after_position, key=lambda hit: hit.position) if after_position else 0
    page = merged[start : start + arguments["first"]]
    metas = _mark(page, root.kind, root.id_field, vraag_id, request)
    cursors = _cursors(root, page, vraag_id, question, request)
    edges = [
        {"cursor": cursor, "bronID": hit.bron_id, "node": hit.record} for hit, cursor in zip(page, cursors, strict=True)
    ]
    await _complete(root.flatten, [hit.record for hit in page], root.selection.key, request)
    value = {
        "vraagID": vraag_id,
        "maximumAantalResultatenBereikt": any(a.more for a in answers),
        "totalCount": len(merged),
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + len(page) < len(merged),
            "hasPreviousPage": start > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
        "bronnen": [a.status_object() for a in answers],
    }
    projected = _project(root, value, request)
    _report_violations(metas, root.kind)
    if root.kind == WERKZOEKENDE:
        _entry(request, vraag_id, "ZOEKRESULTAAT", metas)
    return projected


def _cursors(root: Search, page: list[Hit], vraag_id: str, question: bytes, request: Request) -> list[str | None]:
    """Each record's cursor when the operation asks for cursors; the page's ends otherwise."""
    assert request.caller is not None
    if _selects(root.selection, "edges", "cursor"):
        wanted = list(range(len(page)))
    elif _selects(root.selection, "pageInfo") and page:
        wanted = [0, len(page) - 1]
    else:
        wanted = []
    places = [Place(vraag_id, page[index].position) for index in wanted]
    issued = request.services.cursors.issue_many(places, question, root.kind, request.caller.oin)
    cursors: list[str | None] = [None] * len(page)
    for index, cursor in zip(wanted, issued, strict=True):
        cursors[index] = cursor
    return cursors


def _mark(page: list[Hit], kind: str, id_field: str, vraag_id: str, request: Request) -> list[RecordMeta]:
    """Issue each record's vumID and attach what it may release (for projection and the log)."""
    caller = request.caller
    assert caller is not None
    refs = [RecordRef(hit.bron_id, hit.record[id_field], vraag_id, caller.oin) for hit in page]
    metas = []
    for hit, vumid in zip(page, request.services.pseudonyms.issue_many(kind, refs), strict=True):
        record = hit.record
        record["vumID"] = vumid
        record[META] = meta = RecordMeta(hit.bron_id, record[id_field], hit.allowed)
        metas.append(meta)
    return metas


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


def _open_vumid(request: Request, kind: str, vumid: Any) -> RecordRef:
    caller = request.caller
    assert caller is not None
    try:
        ref = request.services.pseudonyms.open(kind, str(vumid))
    except InvalidVumID as error:
        raise FieldError(str(error), "INVALID_VUMID") from None
    if ref.afnemer_oin != caller.oin:
        raise FieldError("this vumID was issued to another organisation", "INVALID_VUMID")
    return ref


async def _reserve_quota(request: Request, ref: RecordRef) -> Reservation | None:
    """A place in the search's detail quota (None when the record was counted in it before)."""
    try:
        return await reserve(request.services.quota, ref.afnemer_oin, ref.vraag_id, f"{ref.bron_id}\x1f{ref.record_id}")
    except QuotaExceeded as error:
        raise FieldError(str(error), "QUOTA_EXCEEDED") from None
    except QuotaUnavailable as error:
        raise FieldError(str(error), "QUOTA_UNAVAILABLE") from None


def _owner(request: Request, ref: RecordRef) -> SourceState:
    state = request.services.registry.states.get(ref.bron_id)
    if state is None or not state.config.enabled:
        raise FieldError("the organisation that holds this record is no longer connected", "SOURCE_UNAVAILABLE")
    if not state.usable:
        raise FieldError(f"{state.config.name} cannot be asked: {state.message}", "SOURCE_UNAVAILABLE")
    return state


async def _detail(root: Detail, request: Request) -> Any:
    vumid = _arguments(root, request)["vumID"]
    ref = _open_vumid(request, root.kind, vumid)
    state = _owner(request, ref)
    reservation = await _reserve_quota(request, ref) if root.kind == WERKZOEKENDE else None
    value = None
    try:
        value = await _fetch_detail(root, request, ref, state, str(vumid))
    finally:
        if reservation is not None:
            if value is None:  # nothing disclosed: the place is given back
                await request.services.quota.give_back(reservation.search, reservation.record)
            else:
                request.reservations.append(reservation)
    return value


async def _fetch_detail(root: Detail, request: Request, ref: RecordRef, state: SourceState, vumid: str) -> Any:
    """The detail from its owner, projected; None when there is none (or it may not be shown)."""
    try:
        response = await request.services.client.query(
            state.config.url,
            root.fetch.operation,
            {"id": ref.record_id},
            state.config.timeout,
            request.headers(state, ref.vraag_id),
            source=state.config.id,
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
    meta = RecordMeta(ref.bron_id, ref.record_id, _allowed(request, root.kind, record))
    if root.kind == WERKZOEKENDE and "MATCHPROFIEL" not in meta.allowed:
        SECURITY_EVENTS.labels(ref.bron_id, "profiel_zonder_toestemming").inc()
        return None
    if root.kind == WERKZOEKENDE and not _may_see_source_id(request, state):
        record[id_field] = _detail_pseudonym(request, ref)
    record[META] = meta
    assert request.caller is not None  # the field requires an authenticated caller
    request.withheld += withheld(
        request.services.contract,
        KINDS[root.kind].detail_type,
        meta.allowed,
        request.caller,
        [root.selection.key, DETAIL_RECORD_FIELD[root.kind]],
        vacancy=root.kind != WERKZOEKENDE,
    )
    await _complete(root.flatten, [record], root.selection.key, request)
    value = {"vumID": vumid, "bronID": ref.bron_id, DETAIL_RECORD_FIELD[root.kind]: record}
    projected = _project(root, value, request)
    _report_violations([meta], root.kind)
    if root.kind == WERKZOEKENDE:
        _entry(request, ref.vraag_id, "DETAIL", [meta])
    return projected


def _may_see_source_id(request: Request, owner: SourceState) -> bool:
    """Whether the caller gets the source's own idWerkzoekende in a detail: the owning
    organisation's mediators, and (as koppelvlak 3.0 and its accreditation have it) other
    organisations' mediators unless `auth.detail_source_id = "owner"`; never an employer."""
    caller = request.caller
    assert caller is not None
    if caller.role != "bemiddelaar":
        return False
    return caller.oin == owner.config.oin or request.services.detail_source_id == SOURCE_IDS_TO_MEDIATORS


def _detail_pseudonym(request: Request, ref: RecordRef) -> str:
    """What stands in for the source's id: the same within one search, unlinkable across searches."""
    text = "\x1f".join(("detail", ref.afnemer_oin, ref.vraag_id, ref.bron_id, ref.record_id)).encode()
    digest = hashlib.blake2b(text, key=request.services.order_key, digest_size=16).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


# -- processing log, registry and introspection -----------------------------------------------


async def _verwerkingen(root: Verwerkingen, request: Request) -> Any:
    caller = request.caller
    assert caller is not None
    vumid = _arguments(root, request).get("vumID")
    if vumid is not None:
        ref = _open_vumid(request, WERKZOEKENDE, vumid)
        bron_id, record_id = ref.bron_id, ref.record_id
    elif caller.role == ROLE_WERKZOEKENDE and caller.own_record:
        bron_id, record_id = _own_profile(request, caller)
    else:
        raise FieldError("give the vumID of the profile", "BAD_USER_INPUT")
    state = request.services.registry.states.get(bron_id)
    owner_oin = state.config.oin if state else None
    own_profile = caller.role == ROLE_WERKZOEKENDE and caller.own_record == (owner_oin, record_id)
    owning_mediator = caller.role == "bemiddelaar" and caller.oin == owner_oin
    if not (own_profile or owning_mediator):
        raise FieldError("only the owning organisation's mediators and the job seeker may see this", "FORBIDDEN")
    try:
        seen = await request.services.processing_log.seen(bron_id, record_id)
    except LogUnavailable as error:
        raise FieldError(str(error), "PROCESSING_LOG_UNAVAILABLE") from None
    return _project(root, verwerking_objects(seen, request.services.registry.states.values()), request)


def _own_profile(request: Request, caller: Caller) -> tuple[str, str]:
    assert caller.own_record is not None
    oin, record_id = caller.own_record
    for state in request.services.registry.organisations:
        if state.config.oin == oin:
            return state.config.id, record_id
    raise FieldError("the organisation that holds your profile is not connected", "SOURCE_UNAVAILABLE")


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
