"""A search on the federation engine: every organisation asked, one order, one page.

The runtime fans the source query out to the registry's usable organisations (`hooks.py`); their
answers merge here: each organisation's records (a failed one reported in `bronnen`, never
fatal), profiles without consent for this caller left out, one order by the keyed hash of
(vraagID, bronID, record id) as the bespoke engine has it (`gateway/execute`), one page after the
sealed cursor (`gateway/cursor.py`). The page's records are completed by the runtime's entity
plan (vumID, codelijsten labels, consent per record in the projection), and the processing log
gets what left.
"""

from __future__ import annotations

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
    SourceAnswer,
    _merge,
    _read_search_answer,
    _refuse_when_every_source_refused_the_input,
)
from ..federation import RELEASE, ErrorCode, Release
from ..federation.execution.transport import SubgraphFailure, SubgraphResponse
from ..federation.operation import Field
from ..federation.planning.nodes import Fetch
from ..metrics import SECURITY_EVENTS, SOURCE_ANSWERS, SOURCE_SECONDS
from ..plan.planner import KINDS, SEARCH_ROOTS, WERKZOEKENDE, Kind
from ..pseudonym import RecordRef
from ..subgraph_client import ERROR, TIMEOUT, SourceFailure
from .computed import BRON, PSEUDONYMS, RECORD_ID, VUM_ID
from .hooks import Answered, Fanout
from .release import allowed
from .request import VumRequest, below, disclosures, entry, plain, source_query
from .supergraph import ORGANISATIE

log = logging.getLogger("vum.federation")
MATCHES = "{{matches{{__typename {id} {consent} {{given}}}} maximumAantalResultatenBereikt}}"


@dataclass
class Merged:
    """A search's answers after the merge: the page and what `bronnen` and `pageInfo` report."""

    answers: list[SourceAnswer] = field(default_factory=list)
    total: int = 0
    start: int = 0
    page: list[Hit] = field(default_factory=list)


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
    consent = "toestemmingen" if kind.name == WERKZOEKENDE else ""
    selection = MATCHES.format(id=kind.id_field, consent=consent)
    arguments_types = {"selectievraag": f"{kind.input_type}!", "maximumAantal": "Int"}
    text, used = source_query(request.operation, kind.search_field, arguments_types, selection, plans)
    variables = {**{n: request.variables.get(n) for n in used}, "selectievraag": arguments["selectievraag"]}
    variables["maximumAantal"] = None
    merged = Merged()
    registry = request.services.registry
    fanout = Fanout(
        [s for s in registry.organisations if s.usable],
        lambda data: _records(data, kind),
        lambda answered: _merge_page(answered, kind, place, arguments["first"], merged, request),
        place.vraag_id,
    )
    context = request.context(fanout)
    context.attributes[PSEUDONYMS] = lambda k, bron, rid: request.services.pseudonyms.issue(
        k, RecordRef(bron, rid, place.vraag_id, caller.oin)
    )
    await request.ask(
        Fetch(0, ORGANISATIE, text, "query", (*used, "selectievraag", "maximumAantal")), variables, context
    )
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


def _records(data: Any, kind: Kind) -> list[dict[str, Any]]:
    result = data.get(kind.search_field) if isinstance(data, dict) else None
    matches = result.get("matches") if isinstance(result, dict) else None
    return [r for r in matches if isinstance(r, dict)] if isinstance(matches, list) else []


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


def _merge_page(
    answered: list[Answered], kind: Kind, place: Place, first: int, merged: Merged, request: VumRequest
) -> SubgraphResponse:
    """The organisations' answers as one page (in `merged`); the tree gets the page's records."""
    by_source = {a.state.config.id: _source_answer(a, kind) for a in answered} | _not_asked(request)
    merged.answers = [
        by_source[s.config.id] for s in request.services.registry.organisations if s.config.id in by_source
    ]
    _refuse_when_every_source_refused_the_input(merged.answers)
    hits = _consented(_merge(merged.answers, kind.id_field, place.vraag_id, request.services.order_key), kind, request)
    start = bisect.bisect_right(hits, place.position, key=lambda hit: hit.position) if place.position else 0
    merged.total, merged.start, merged.page = len(hits), start, hits[start : start + first]
    for hit in merged.page:
        hit.record[RELEASE] = Release(hit.allowed)
        hit.record[RECORD_ID] = hit.record[kind.id_field]
        hit.record[BRON] = hit.bron_id
    return SubgraphResponse({kind.search_field: {"matches": [hit.record for hit in merged.page]}})


def _consented(hits: list[Hit], kind: Kind, request: VumRequest) -> list[Hit]:
    """Profiles whose match profile may reach this caller (a security event if one was sent)."""
    kept = []
    for hit in hits:
        hit.allowed = allowed(request.caller, kind.name, hit.record)
        if kind.name != WERKZOEKENDE or "MATCHPROFIEL" in hit.allowed:
            kept.append(hit)
            continue
        SECURITY_EVENTS.labels(hit.bron_id, "profiel_zonder_toestemming").inc()
        log.warning(
            "security event: source %s returned a profile without consent for this caller; left out", hit.bron_id
        )
    return kept


def _connection(
    root: Field, merged: Merged, vraag_id: str, question: bytes, completed: dict[Field, list[Any]], request: VumRequest
) -> Any:
    """The connection the client asked for, around the completed records."""
    page, start = merged.page, merged.start
    cursors = _cursors(root, merged, vraag_id, question, request)
    edges = [{"cursor": cursor, "bronID": hit.bron_id} for hit, cursor in zip(page, cursors, strict=True)]
    kept = [i for i in range(len(page)) if all(values[i] is not None for values in completed.values())]
    value = {
        "vraagID": vraag_id,
        "maximumAantalResultatenBereikt": any(a.more for a in merged.answers),
        "totalCount": merged.total,
        "pageInfo": {
            "hasNextPage": start + len(page) < merged.total,
            "hasPreviousPage": start > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
        "bronnen": [a.status_object() for a in merged.answers],
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


def _cursors(root: Field, merged: Merged, vraag_id: str, question: bytes, request: VumRequest) -> list[str | None]:
    """Each record's cursor when the operation asks for cursors; the page's ends otherwise."""
    assert request.caller is not None and root.selection is not None
    page = merged.page
    if below(root.selection, root.type_name, "edges", "cursor"):
        wanted = list(range(len(page)))
    elif below(root.selection, root.type_name, "pageInfo") and page:
        wanted = [0, len(page) - 1]
    else:
        wanted = []
    places = [Place(vraag_id, page[index].position) for index in wanted]
    issued = request.services.cursors.issue_many(places, question, SEARCH_ROOTS[root.name], request.caller.oin)
    cursors: list[str | None] = [None] * len(page)
    for index, cursor in zip(wanted, issued, strict=True):
        cursors[index] = cursor
    return cursors
