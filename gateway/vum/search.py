"""A search on the federation engine: query-then-fetch over every organisation.

Phase 1 asks every usable organisation (the runtime's fan-out, `hooks.py`) only for what the order
and the count need: each record's key and the consent it carries. The answers merge here (a failed
organisation reported in `bronnen`, never fatal; profiles without consent for this caller left
out) into one order by the keyed hash of (vraagID, bronID, record id), as the bespoke engine has it
(`gateway/execute`), and the page is chosen after the sealed cursor (`gateway/cursor.py`). Phase 2
asks each owner of the page's records for just those, one batched `_entities` request per owner
with the client's selection; consent is read again there (what leaves is what both phases
release). An owner that fails in phase 2 is named in `bronnen` and its records are left out; the
page's cursors still cover them. The ordered keys are kept (`keylist.py`), so the next page skips
phase 1. When the page is expected to hold every record (the organisations' last answers add up
to no more than `first`), phase 1 asks for the client's fields too and phase 2 is skipped: a second
round trip to every owner for the same records would be waste. The page's records are completed
by the runtime's entity plan (vumID, codelijsten labels, consent per record in the projection),
and the processing log gets what left.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..cursor import InvalidCursor, Place
from ..execute.executor import (
    FieldError,
    Hit,
    SearchOrder,
    SourceAnswer,
    _read_search_answer,
    _refuse_when_every_source_refused_the_input,
)
from ..federation import RELEASE, ErrorCode, Release
from ..federation.execution.transport import SubgraphFailure, SubgraphResponse
from ..federation.operation import Field
from ..federation.planning.nodes import Fetch
from ..federation.planning.planner import EntityPlan
from ..metrics import SECURITY_EVENTS, SOURCE_ANSWERS, SOURCE_SECONDS
from ..plan.planner import KINDS, SEARCH_ROOTS, WERKZOEKENDE, Kind
from ..pseudonym import RecordRef
from ..subgraph_client import ERROR, TIMEOUT, SourceFailure
from .computed import BRON, PSEUDONYMS, RECORD_ID, VUM_ID
from .hooks import Answered, Fanout
from .keylist import Key, KeyList
from .release import allowed
from .request import VumRequest, below, disclosures, entities_query, entry, plain, source_query
from .supergraph import ORGANISATIE

log = logging.getLogger("vum.federation")
PAGE_FAILED = "the records of this page could not be fetched"
UNKNOWN_MATCHES = 100  # what an organisation not asked yet is expected to answer: a VUM source's usual cap


@dataclass
class Listed:
    """Phase 1's outcome: the ordered keys and, when it asked for whole records, those."""

    keys: KeyList
    records: dict[tuple[str, str], dict[str, Any]] | None = None  # by (bronID, record id)


@dataclass
class Merged:
    """A page of a search: the ordered keys, the page chosen, the records fetched, who failed."""

    listed: KeyList
    start: int
    chosen: tuple[Key, ...]
    page: list[Hit]
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)  # owners failed in phase 2: status, why


async def search(root: Field, request: VumRequest) -> Any:
    kind = KINDS[SEARCH_ROOTS[root.name]]
    caller = request.caller
    assert caller is not None  # the field requires an authenticated caller
    arguments = request.arguments(root)
    _check(kind, arguments, request)
    question = orjson.dumps(arguments["selectievraag"], option=orjson.OPT_SORT_KEYS, default=str)
    after = arguments.get("after")
    place = _place(str(after), question, kind.name, request) if after else Place(uuid.uuid4().hex, "")
    nodes = [n for n in below(root.selection, root.type_name, "edges", "node") if n.selection] if root.selection else []
    plans = [request.plan(kind.match_type, node.selection) for node in nodes if node.selection is not None]
    name = request.keys.name(place.vraag_id, kind.name, caller.oin, caller.role, question) if request.keys else ""
    kept = await request.keys.get(name) if request.keys is not None and after else None
    fresh = kept is None
    if kept is None:  # page 1, or its list is gone: phase 1 again (the same vraagID, the same order)
        whole = not after and _one_page_expected(kind, arguments["first"], request)
        phase1 = await _keys(kind, place, arguments["selectievraag"], plans if whole else None, request)
    else:
        phase1 = Listed(kept)
    listed = phase1.keys
    start = bisect.bisect_right(listed.keys, place.position, key=lambda key: key.position) if place.position else 0
    chosen = listed.keys[start : start + arguments["first"]]
    if fresh and request.keys is not None and start + len(chosen) < len(listed.keys):
        await request.keys.put(name, listed)  # kept only for a search that has a next page
    context = request.context(Fanout([], _entities, _unused, place.vraag_id))
    context.attributes[PSEUDONYMS] = lambda k, bron, rid: request.services.pseudonyms.issue(
        k, RecordRef(bron, rid, place.vraag_id, caller.oin)
    )
    failed: dict[str, tuple[str, str]] = {}
    if phase1.records is not None:  # the records came with the keys
        fetched = _released(
            [Hit(k.position, k.bron_id, phase1.records[k.bron_id, k.record_id], k.allowed) for k in chosen], kind
        )
    else:
        fetched, failed = await _fetch_page(kind, chosen, plans, place.vraag_id, request)
    merged = Merged(listed, start, chosen, [hit for hit in fetched if hit is not None], failed)
    records = [hit.record for hit in merged.page]
    refs = [RecordRef(h.bron_id, h.record[kind.id_field], place.vraag_id, caller.oin) for h in merged.page]
    for record, vum_id in zip(records, request.services.pseudonyms.issue_many(kind.name, refs), strict=True):
        record[VUM_ID] = vum_id
    completed = {
        node: await request.complete(plan, records, context, [root.key, "edges", node.key])
        for node, plan in zip(nodes, plans, strict=True)
    }
    value = _connection(root, merged, place.vraag_id, question, completed, request)
    if kind.name == WERKZOEKENDE:
        entry(request, place.vraag_id, "ZOEKRESULTAAT", disclosures(records, kind.name))
    else:
        disclosures(records, kind.name)  # security events only: vacancies are not logged
    return value


def _one_page_expected(kind: Kind, first: int, request: VumRequest) -> bool:
    """Whether the organisations' last answers to this kind of search add up to no more than one
    page (an organisation not asked yet counting as `UNKNOWN_MATCHES`)."""
    usable = (s for s in request.services.registry.organisations if s.usable)
    return sum(s.matches_seen.get(kind.name, UNKNOWN_MATCHES) for s in usable) <= first


async def _keys(
    kind: Kind, place: Place, selectievraag: Any, plans: list[EntityPlan] | None, request: VumRequest
) -> Listed:
    """Phase 1: every organisation asked for its records' keys (and the consent they carry),
    merged into one order (`bronnen` as they answered); with `plans`, for the fields those need
    too, and the merged records kept."""
    consent = "toestemmingen" if kind.name == WERKZOEKENDE else ""
    typename = "__typename " if plans is not None else ""  # keys only: nothing projected, every byte counts
    selection = f"{{matches{{{typename}{kind.id_field} {consent} {{given}}}} maximumAantalResultatenBereikt}}"
    arguments_types = {"selectievraag": f"{kind.input_type}!", "maximumAantal": "Int"}
    text, used = source_query(request.operation, kind.search_field, arguments_types, selection, plans or [])
    variables = {**{n: request.variables.get(n) for n in used}, "selectievraag": selectievraag, "maximumAantal": None}
    found: list[Listed] = []
    registry = request.services.registry
    fanout = Fanout(
        [s for s in registry.organisations if s.usable],
        lambda data: [],  # keys and whole records alike are marked with their source when merged
        lambda answered: _merge_keys(answered, kind, place, plans is not None, found, request),
        place.vraag_id,
    )
    fetch = Fetch(0, ORGANISATIE, text, "query", (*used, "selectievraag", "maximumAantal"))
    await request.ask(fetch, variables, request.context(fanout))
    return found[0]


def _released(hits: list[Hit], kind: Kind) -> list[Hit | None]:
    """Phase 1's whole records made ready for completion, as phase 2 makes its own."""
    for hit in hits:
        hit.record[RELEASE] = Release(hit.allowed)
        hit.record[RECORD_ID] = hit.record[kind.id_field]
        hit.record[BRON] = hit.bron_id
    return list(hits)


async def _fetch_page(
    kind: Kind, chosen: tuple[Key, ...], plans: list[EntityPlan], vraag_id: str, request: VumRequest
) -> tuple[list[Hit | None], dict[str, tuple[str, str]]]:
    """Phase 2: the page's records from their owners, one batched `_entities` request each, with
    the client's selection. Consent is read again: what may leave is what both phases release. An
    owner that fails is named (by source id) and its records are left out (None)."""
    consent = "toestemmingen" if kind.name == WERKZOEKENDE else ""
    text, used = entities_query(request.operation, kind.match_type, f"__typename {kind.id_field} {consent}", plans)
    variables = {n: request.variables.get(n) for n in used}
    states = {s.config.id: s for s in request.services.registry.organisations}
    owners: dict[str, list[int]] = {}
    for index, key in enumerate(chosen):
        owners.setdefault(key.bron_id, []).append(index)
    hits: list[Hit | None] = [None] * len(chosen)
    failed: dict[str, tuple[str, str]] = {}

    async def ask(bron_id: str, indices: list[int]) -> None:
        state = states.get(bron_id)
        if state is None or not state.usable:
            reason = "no longer connected" if state is None else (state.message or state.schema_status)
            failed[bron_id] = (ERROR, f"{PAGE_FAILED}: not queried: {reason}")
            return
        kept: list[Answered] = []
        fanout = Fanout([state], _entities, lambda answered: _keep(answered, kept), vraag_id)
        representations = [{"__typename": kind.match_type, kind.id_field: chosen[i].record_id} for i in indices]
        fetch = Fetch(0, ORGANISATIE, text, "query", (*used, "representations"))
        await request.ask(fetch, {**variables, "representations": representations}, request.context(fanout))
        answered = kept[0]
        entities, problem = _read_entities(answered, len(indices))
        if problem is not None:
            status = (
                TIMEOUT
                if isinstance(answered.answer, SubgraphFailure) and answered.answer.code is ErrorCode.SUBREQUEST_TIMEOUT
                else ERROR
            )
            failed[bron_id] = (status, f"{PAGE_FAILED}: {problem}")
            SOURCE_ANSWERS.labels(bron_id, status).inc()
            if status == ERROR:
                request.services.registry.check_soon(state)  # its schema may have changed
            return
        for index, record in zip(indices, entities, strict=True):
            key = chosen[index]
            if record is None or record.get(kind.id_field) != key.record_id:
                continue  # gone since phase 1, or its consent withdrawn: nothing of it leaves
            hit = Hit(key.position, bron_id, record)
            allowed_now = allowed(request.caller, kind.name, record) & key.allowed
            if kind.name == WERKZOEKENDE and "MATCHPROFIEL" not in allowed_now:
                continue
            hit.allowed = allowed_now
            record[RELEASE] = Release(allowed_now)
            record[RECORD_ID] = key.record_id
            record[BRON] = bron_id
            hits[index] = hit

    await asyncio.gather(*(ask(bron_id, indices) for bron_id, indices in owners.items()))
    return hits, failed


def _keep(answered: list[Answered], kept: list[Answered]) -> SubgraphResponse:
    kept.extend(answered)
    return SubgraphResponse({})


def _unused(answered: list[Answered]) -> SubgraphResponse:
    raise AssertionError("the completion context fans out to no organisation")


def _entities(data: Any) -> list[dict[str, Any]]:
    found = data.get("_entities") if isinstance(data, dict) else None
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def _read_entities(answered: Answered, expected: int) -> tuple[list[dict[str, Any] | None], str | None]:
    """The owner's records in the order asked, or why it gave none."""
    if isinstance(answered.answer, SubgraphFailure):
        return [], answered.answer.message
    data, errors = answered.answer.data, answered.answer.errors
    found = data.get("_entities") if isinstance(data, dict) else None
    if not isinstance(found, list) or len(found) != expected:
        message = str(errors[0].get("message"))[:300] if errors else "the source's answer lacks its entities"
        return [], message
    return [r if isinstance(r, dict) else None for r in found], None


def _check(kind: Kind, arguments: dict[str, Any], request: VumRequest) -> None:
    services = request.services
    problems = services.input_checker.check(kind.input_type, arguments["selectievraag"], "selectievraag")
    first = arguments["first"]
    if not 1 <= first <= services.max_page_size:
        problems.append(f"first: {first} is out of range (allowed: 1 to {services.max_page_size})")
    if problems:
        raise FieldError("; ".join(problems), "BAD_USER_INPUT")


def _place(after: str, question: bytes, kind: str, request: VumRequest) -> Place:
    assert request.caller is not None
    try:
        return request.services.cursors.open(after, question, kind, request.caller.oin)
    except InvalidCursor as error:
        raise FieldError(f"after: {error}", "BAD_USER_INPUT") from None


def _source_answer(answered: Answered, kind: Kind) -> SourceAnswer:
    """One organisation's part, as `bronnen` reports it."""
    answer = SourceAnswer(answered.state, duration_ms=answered.duration_ms)
    source = answered.state.config.id
    if isinstance(answered.answer, SubgraphFailure):
        failure = answered.answer  # said in bronnen's words already (transport.py)
        answer.status = TIMEOUT if failure.code is ErrorCode.SUBREQUEST_TIMEOUT else ERROR
        answer.message = failure.message
    else:
        try:
            _read_search_answer(answer, answered.answer.data, answered.answer.errors, kind.search_field, kind.id_field)
            answered.state.matches_seen[kind.name] = len(answer.records)
        except SourceFailure as failure:
            answer.status, answer.message = failure.status, failure.message
    SOURCE_ANSWERS.labels(source, answer.status).inc()
    SOURCE_SECONDS.labels(source).observe(answer.duration_ms / 1000)
    return answer


def _not_asked(request: VumRequest) -> dict[str, SourceAnswer]:
    """Organisations that cannot be asked now: reported, not queried."""
    found = {}
    for state in request.services.registry.organisations:
        if not state.usable:
            answer = SourceAnswer(state, status=ERROR, message=f"not queried: {state.message or state.schema_status}")
            SOURCE_ANSWERS.labels(state.config.id, ERROR).inc()
            found[state.config.id] = answer
    return found


def _merge_keys(
    answered: list[Answered], kind: Kind, place: Place, whole: bool, found: list[Listed], request: VumRequest
) -> SubgraphResponse:
    """The organisations' keys in one order (in `found`, with the records when they are `whole`),
    with what `bronnen` reports of them."""
    by_source = {a.state.config.id: _source_answer(a, kind) for a in answered} | _not_asked(request)
    registry = request.services.registry
    answers = [by_source[s.config.id] for s in registry.organisations if s.config.id in by_source]
    for failed in (a for a in answered if by_source[a.state.config.id].status == ERROR):
        registry.check_soon(failed.state)  # its schema may have changed
    _refuse_when_every_source_refused_the_input(answers)
    keys, records = _ordered(answers, kind, place.vraag_id, whole, request)
    listed = KeyList(tuple(keys), tuple(a.status_object() for a in answers), any(a.more for a in answers))
    found.append(Listed(listed, records))
    return SubgraphResponse({kind.search_field: {"matches": []}})


def _ordered(
    answers: list[SourceAnswer], kind: Kind, vraag_id: str, whole: bool, request: VumRequest
) -> tuple[list[Key], dict[tuple[str, str], dict[str, Any]] | None]:
    """Every record's key in the search's order (`SearchOrder`), and with `whole` the records by
    (bronID, id). A record a source sent twice counts once; a profile whose match profile may not
    reach this caller is left out (a security event). Tens of thousands per search at national
    scale: tuples, sorted natively, consent decided once per distinct consent list."""
    order = SearchOrder(request.services.order_key, vraag_id)
    decided: dict[tuple[Any, ...], frozenset[str]] = {}
    keys: list[Key] = []
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for answer in answers:
        bron_id = answer.state.config.id
        seen: set[str] = set()
        for record in answer.records:
            record_id = record[kind.id_field]
            if record_id in seen:
                continue
            seen.add(record_id)
            released = _consent(record, kind, decided, request)
            if kind.name == WERKZOEKENDE and "MATCHPROFIEL" not in released:
                SECURITY_EVENTS.labels(bron_id, "profiel_zonder_toestemming").inc()
                log.warning(
                    "security event: source %s returned a profile without consent for this caller; left out", bron_id
                )
                continue
            keys.append(Key(order.position(bron_id, record_id), bron_id, record_id, released))
            if whole:
                records[bron_id, record_id] = record
    keys.sort()
    return keys, records if whole else None


def _consent(
    record: dict[str, Any], kind: Kind, decided: dict[tuple[Any, ...], frozenset[str]], request: VumRequest
) -> frozenset[str]:
    """What the record may release to this caller, decided once per distinct consent list."""
    stated = record.get("toestemmingen")
    try:
        key = tuple(stated) if isinstance(stated, list) else ()
        if key not in decided:
            decided[key] = allowed(request.caller, kind.name, record)
        return decided[key]
    except TypeError:  # unhashable entries: no consent list, decided on its own
        return allowed(request.caller, kind.name, record)


def _connection(
    root: Field, merged: Merged, vraag_id: str, question: bytes, completed: dict[Field, list[Any]], request: VumRequest
) -> Any:
    """The connection the client asked for, around the completed records."""
    page, start, total = merged.page, merged.start, len(merged.listed.keys)
    cursors, first_cursor, last_cursor = _cursors(root, merged, vraag_id, question, request)
    edges = [{"cursor": cursor, "bronID": hit.bron_id} for hit, cursor in zip(page, cursors, strict=True)]
    kept = [i for i in range(len(page)) if all(values[i] is not None for values in completed.values())]
    bronnen = [
        {**b, "status": merged.failed[b["bronID"]][0], "melding": merged.failed[b["bronID"]][1]}
        if b["bronID"] in merged.failed
        else b
        for b in merged.listed.bronnen
    ]
    value = {
        "vraagID": vraag_id,
        "maximumAantalResultatenBereikt": merged.listed.more,
        "totalCount": total,
        "pageInfo": {
            "hasNextPage": start + len(merged.chosen) < total,
            "hasPreviousPage": start > 0,
            "startCursor": first_cursor,
            "endCursor": last_cursor,
        },
        "bronnen": bronnen,
    }
    variables = request.variables

    def node_at(index: int) -> Callable[[Field], Any]:
        return lambda node: completed[node][index]

    def edge_list(edge_field: Field) -> list[Any]:
        assert edge_field.selection is not None
        selection, type_name = edge_field.selection, edge_field.type_name
        return [plain(selection, type_name, edges[i], variables, {"node": node_at(i)}) for i in kept]

    assert root.selection is not None
    return plain(root.selection, root.type_name, value, variables, {"edges": edge_list})


def _cursors(
    root: Field, merged: Merged, vraag_id: str, question: bytes, request: VumRequest
) -> tuple[list[str | None], str | None, str | None]:
    """Each shown record's cursor when the operation asks for cursors, and the page's ends. The
    end is the last record chosen for the page, also when it was left out in phase 2 (its owner
    failed, its consent withdrawn), so the next page starts after it."""
    assert request.caller is not None and root.selection is not None
    page, chosen = merged.page, merged.chosen
    with_edges = bool(below(root.selection, root.type_name, "edges", "cursor"))
    wanted = [hit.position for hit in page] if with_edges else []
    ends = bool(chosen) and bool(below(root.selection, root.type_name, "pageInfo"))
    if ends:
        wanted += [(page[0].position if page else chosen[0].position), chosen[-1].position]
    places = [Place(vraag_id, position) for position in wanted]
    issued = request.services.cursors.issue_many(places, question, SEARCH_ROOTS[root.name], request.caller.oin)
    cursors: list[str | None] = list(issued[: len(page)]) if with_edges else [None] * len(page)
    if ends:
        return cursors, issued[-2], issued[-1]
    return cursors, None, None
