"""A detail on the federation engine: the record behind a vumID, from the organisation that owns it.

The vumID names the owner: the runtime's fetch goes to that one organisation (`Fanout.asked`),
the detail quota is taken first (and given back when nothing is disclosed), the record is
completed and released by the runtime as a search's records are, and the processing log gets
what left. The other root fields the gateway answers itself (`organisaties`, `verwerkingen`)
are plain data, shaped by the client's selection.
"""

from __future__ import annotations

from typing import Any

from vumschema.policy import WERKZOEKENDE as ROLE_WERKZOEKENDE

from ..execute.executor import (
    FieldError,
    _detail_pseudonym,
    _may_see_source_id,
    _open_vumid,
    _owner,
    _reserve_quota,
    verwerking_objects,
)
from ..execute.withheld import withheld
from ..federation import RELEASE, Release
from ..federation.execution.transport import SubgraphFailure, SubgraphResponse
from ..federation.operation import Field
from ..federation.planning.nodes import Fetch
from ..metrics import SECURITY_EVENTS
from ..plan.planner import DETAIL_RECORD_FIELD, DETAIL_ROOTS, KINDS, WERKZOEKENDE, Kind
from ..processing_log import LogUnavailable
from ..pseudonym import RecordRef
from ..registry import SourceState
from .computed import BRON, RECORD_ID, VUM_ID
from .hooks import Answered, Fanout
from .release import allowed
from .request import VumRequest, below, disclosures, entry, plain, source_query
from .supergraph import ORGANISATIE

RECORD = "{{{id} {consent} {{given}}}}"


async def detail(root: Field, request: VumRequest) -> Any:
    kind = KINDS[DETAIL_ROOTS[root.name]]
    vumid = str(request.arguments(root)["vumID"])
    ref = _open_vumid(request, kind.name, vumid)  # type: ignore[arg-type]  # reads .caller and .services only
    state = _owner(request, ref)  # type: ignore[arg-type]
    reservation = await _reserve_quota(request, ref) if kind.name == WERKZOEKENDE else None  # type: ignore[arg-type]
    value = None
    try:
        value = await _fetch(root, kind, request, ref, state, vumid)
    finally:
        if reservation is not None:
            if value is None:  # nothing disclosed: the place is given back
                await request.services.quota.give_back(reservation.search, reservation.record)
            else:
                request.reservations.append(reservation)
    return value


async def _fetch(root: Field, kind: Kind, request: VumRequest, ref: RecordRef, state: SourceState, vumid: str) -> Any:
    """The detail from its owner, completed and projected; None when there is none (or it may not be shown)."""
    assert root.selection is not None and request.caller is not None
    records = [r for r in below(root.selection, root.type_name, DETAIL_RECORD_FIELD[kind.name]) if r.selection]
    plans = [request.plan(kind.detail_type, r.selection) for r in records if r.selection is not None]
    consent = "toestemmingen" if kind.name == WERKZOEKENDE else ""
    selection = RECORD.format(id=kind.id_field, consent=consent)
    text, used = source_query(request.operation, kind.detail_field, {kind.id_field: "String!"}, selection, plans)
    found: list[dict[str, Any]] = []
    fanout = Fanout([state], lambda data: _record(data, kind), lambda answered: _one(answered, kind, found))
    fanout.vraag_id = ref.vraag_id
    context = request.context(fanout)
    variables = {**{n: request.variables.get(n) for n in used}, kind.id_field: ref.record_id}
    await request.ask(Fetch(0, ORGANISATIE, text, "query", (*used, kind.id_field)), variables, context)
    if not found:
        return None
    record = found[0]
    if record.get(kind.id_field) != ref.record_id:
        raise FieldError(f"{state.config.name} answered with another record", "INVALID_SOURCE_DATA")
    permitted = allowed(request.caller, kind.name, record)
    if kind.name == WERKZOEKENDE and "MATCHPROFIEL" not in permitted:
        SECURITY_EVENTS.labels(ref.bron_id, "profiel_zonder_toestemming").inc()
        return None
    if kind.name == WERKZOEKENDE and not _may_see_source_id(request, state):  # type: ignore[arg-type]
        _replace_id(record, records, kind, _detail_pseudonym(request, ref))  # type: ignore[arg-type]
    record.update({RELEASE: Release(permitted), RECORD_ID: ref.record_id, VUM_ID: vumid, BRON: ref.bron_id})
    record_key = DETAIL_RECORD_FIELD[kind.name]
    request.withheld += withheld(
        request.services.contract,
        kind.detail_type,
        permitted,
        request.caller,
        [root.key, record_key],
        vacancy=kind.name != WERKZOEKENDE,
    )
    completed = {
        r: (await request.complete(p, [record], context, [root.key, r.key]))[0]
        for r, p in zip(records, plans, strict=True)
    }
    value = plain(
        root.selection,
        root.type_name,
        {"vumID": vumid, "bronID": ref.bron_id},
        request.variables,
        {record_key: lambda f: completed.get(f)},
    )
    found_disclosures = disclosures([record], kind.name)
    if kind.name == WERKZOEKENDE:
        entry(request, ref.vraag_id, "DETAIL", found_disclosures)
    return value


def _record(data: Any, kind: Kind) -> list[dict[str, Any]]:
    record = data.get(kind.detail_field) if isinstance(data, dict) else None
    return [record] if isinstance(record, dict) else []


def _one(answered: list[Answered], kind: Kind, found: list[dict[str, Any]]) -> SubgraphResponse:
    """The owner's answer: its record (in `found`), or why there is none."""
    (only,) = answered
    name = only.state.config.name
    if isinstance(only.answer, SubgraphFailure):
        raise FieldError(f"{name}: {only.answer.message}", "SOURCE_UNAVAILABLE")
    data, errors = only.answer.data, only.answer.errors
    record = (data or {}).get(kind.detail_field)
    if errors and record is None:
        raise FieldError(f"{name}: {str(errors[0].get('message'))[:300]}", "SOURCE_ERROR")
    if record is not None and not isinstance(record, dict):
        raise FieldError(f"{name} answered with another record", "INVALID_SOURCE_DATA")
    if record is not None:
        found.append(record)
    return SubgraphResponse(None)


def _replace_id(record: dict[str, Any], records: list[Field], kind: Kind, pseudonym: str) -> None:
    """The source's own id, wherever the client asked it (under any alias), becomes `pseudonym`."""
    for record_field in records:
        for field_ in record_field.selection.fields(kind.detail_type) if record_field.selection else ():
            if field_.name == kind.id_field:
                record[field_.key] = pseudonym


# -- the registry and the processing log ------------------------------------------------------


def organisaties(root: Field, request: VumRequest) -> Any:
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
        for s in request.services.registry.states.values()
    ]
    assert root.selection is not None
    return [plain(root.selection, root.type_name, v, request.variables) for v in value]


async def verwerkingen(root: Field, request: VumRequest) -> Any:
    caller = request.caller
    assert caller is not None and root.selection is not None
    vumid = request.arguments(root).get("vumID")
    if vumid is not None:
        ref = _open_vumid(request, WERKZOEKENDE, vumid)  # type: ignore[arg-type]
        bron_id, record_id = ref.bron_id, ref.record_id
    elif caller.role == ROLE_WERKZOEKENDE and caller.own_record:
        bron_id, record_id = _own_profile(request)
    else:
        raise FieldError("give the vumID of the profile", "BAD_USER_INPUT")
    states = request.services.registry.states
    owner_oin = states[bron_id].config.oin if bron_id in states else None
    own_profile = caller.role == ROLE_WERKZOEKENDE and caller.own_record == (owner_oin, record_id)
    owning_mediator = caller.role == "bemiddelaar" and caller.oin == owner_oin
    if not (own_profile or owning_mediator):
        raise FieldError("only the owning organisation's mediators and the job seeker may see this", "FORBIDDEN")
    try:
        seen = await request.services.processing_log.seen(bron_id, record_id)
    except LogUnavailable as error:
        raise FieldError(str(error), "PROCESSING_LOG_UNAVAILABLE") from None
    rows = verwerking_objects(seen, states.values())
    return [plain(root.selection, root.type_name, row, request.variables) for row in rows]


def _own_profile(request: VumRequest) -> tuple[str, str]:
    assert request.caller is not None and request.caller.own_record is not None
    oin, record_id = request.caller.own_record
    for state in request.services.registry.organisations:
        if state.config.oin == oin:
            return state.config.id, record_id
    raise FieldError("the organisation that holds your profile is not connected", "SOURCE_UNAVAILABLE")
