"""The selectievraag as a koppelvlak 3.0 `vraagObject` (MongoDB-style), and back.

The values side is the SDK's plain selectievraag (`Selectievraag.values`: the GraphQL input as
plain data with the standard's codes). Each criterion defines both directions side by side, so
they cannot drift apart. Decoding checks the structure (objects, operators, lists); the values
themselves are checked afterwards against the contract (`ValueChecker`) and by the SDK's parser,
as for any selectievraag. Unknown criteria and operators are ignored, as the standard demands.

`gateway/vraagobject.py` is the same mapping towards GraphQL enum names; subgraphs do not depend
on the gateway package, so `tests/test_vumbron.py` cross-checks the two on the accreditation cases.
The extension criteria of this project have no vraagObject form: a VUM source cannot be asked them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Values = dict[str, Any]
Encode = Callable[[Any], Any]
Decode = Callable[[str, Any], Any]  # (vraagObject key, criterion) -> value, None when it says nothing
UNKNOWN_LEVEL = "7"  # codeWerkEnDenkniveauMinimaal: (nog) niet bekend


class VraagObjectError(ValueError):
    """A documented criterion of the vraagObject is malformed."""

    def __init__(self, criterion: str, problem: str) -> None:
        super().__init__(f"{criterion}: {problem}")
        self.criterion = criterion
        self.problem = problem


@dataclass(frozen=True)
class Criterion:
    """One criterion: its key in the vraagObject, its place in the values, both directions."""

    key: str
    field: tuple[str, ...]
    encode: Encode
    decode: Decode


# -- structure ----------------------------------------------------------------------------------


def _object(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise VraagObjectError(key, "expected an object")
    return value


def _operand(key: str, value: Any, operator: str) -> Any:
    return _object(key, value).get(operator)


def _items(key: str, container: Any, operator: str) -> list[Any]:
    if container is None:
        return []
    if not isinstance(container, list) or not container:
        raise VraagObjectError(key, f"{operator} needs a non-empty list")
    return container


def _scalar(key: str, value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise VraagObjectError(key, f"expected a code or URI, not {type(value).__name__}")
    return value


def _eq_in(key: str, item: Any, field: str) -> int | str | None:
    """`{field: {$eq: value}}` inside an $or or $elemMatch; None when absent."""
    value = _operand(key, _object(key, item).get(field, {}), "$eq")
    return None if value is None else _scalar(key, value)


def _distinct(values: list[int | str]) -> list[int | str] | None:
    return list(dict.fromkeys(values)) or None


# -- criteria -----------------------------------------------------------------------------------


def _compare(operator: str) -> tuple[Encode, Decode]:
    """`{key: {$op: value}}` on a single value."""
    return (lambda value: {operator: value}), (lambda key, criterion: _operand(key, criterion, operator))


def _any_of(field: str) -> tuple[Encode, Decode]:
    """`{key: {$elemMatch: {$or: [{field: {$eq: v}}, ...]}}}`: one of the values."""

    def encode(values: list[Any]) -> Any:
        return {"$elemMatch": {"$or": [{field: {"$eq": value}} for value in values]}}

    def decode(key: str, criterion: Any) -> Any:
        match = _operand(key, criterion, "$elemMatch")
        alternatives = _items(key, None if match is None else _operand(key, match, "$or"), "$elemMatch.$or")
        return _distinct([v for v in (_eq_in(key, item, field) for item in alternatives) if v is not None])

    return encode, decode


def _all_of(field: str) -> tuple[Encode, Decode]:
    """`{key: {$all: [{$elemMatch: {field: {$eq: v}}}, ...]}}`: every value."""

    def encode(values: list[Any]) -> Any:
        return {"$all": [{"$elemMatch": {field: {"$eq": value}}} for value in values]}

    def decode(key: str, criterion: Any) -> Any:
        items = _items(key, _operand(key, criterion, "$all"), "$all")
        found = (_eq_in(key, _operand(key, item, "$elemMatch") or {}, field) for item in items)
        return _distinct([v for v in found if v is not None])

    return encode, decode


LEVELS = (
    ("codeNiveauTaalbeheersingMondeling", "minimaalMondeling"),
    ("codeNiveauTaalbeheersingSchriftelijk", "minimaalSchriftelijk"),
)


def _encode_talen(eisen: list[Mapping[str, Any]]) -> Any:
    def match(eis: Mapping[str, Any]) -> dict[str, Any]:
        levels = {field: {"$gte": eis[name]} for field, name in LEVELS if eis.get(name) is not None}
        return {"$elemMatch": {"codeTaal": {"$eq": eis["codeTaal"]}, **levels}}

    return {"$all": [match(eis) for eis in eisen]}


def _decode_talen(key: str, criterion: Any) -> Any:
    eisen = []
    for item in _items(key, _operand(key, criterion, "$all"), "$all"):
        match = _object(key, _operand(key, item, "$elemMatch") or {})
        taal = _operand(key, match.get("codeTaal", {}), "$eq")
        if taal is None:
            raise VraagObjectError(key, "every $elemMatch needs codeTaal")
        eis = {"codeTaal": taal}
        for field, name in LEVELS:
            level = _operand(key, match.get(field, {}), "$gte")
            if level is not None:
                eis[name] = level
        eisen.append(eis)
    return eisen or None


def _encode_gebied(gebied: Mapping[str, Any]) -> Any:
    return {"postcode": gebied["postcode"], "afstand": gebied["afstand"]}


def _decode_gebied(key: str, criterion: Any) -> Any:
    gebied = _object(key, criterion)
    if "postcode" not in gebied or "afstand" not in gebied:
        raise VraagObjectError(key, "needs postcode and afstand")
    return {"postcode": gebied["postcode"], "afstand": gebied["afstand"]}


def _encode_niveau(selectie: Mapping[str, Any]) -> Any:
    if selectie.get("nietBekend"):
        return {"$eq": UNKNOWN_LEVEL}
    vanaf = selectie.get("vanaf")
    return {"$lt": UNKNOWN_LEVEL} if vanaf is None else {"$gte": vanaf, "$lt": UNKNOWN_LEVEL}


def _decode_niveau(key: str, criterion: Any) -> Any:
    niveau = _object(key, criterion)
    if "$lt" in niveau:
        if niveau["$lt"] != UNKNOWN_LEVEL:
            raise VraagObjectError(key, f'$lt must be "{UNKNOWN_LEVEL}"')
        return {} if niveau.get("$gte") is None else {"vanaf": niveau["$gte"]}
    if "$eq" in niveau:
        if niveau["$eq"] != UNKNOWN_LEVEL:
            raise VraagObjectError(key, f'$eq must be "{UNKNOWN_LEVEL}"')
        return {"nietBekend": True}
    return None


def _criterion(key: str, field: str | tuple[str, ...], codec: tuple[Encode, Decode]) -> Criterion:
    return Criterion(key, (field,) if isinstance(field, str) else field, *codec)


SELECTIEGEBIED = _criterion("selectiegebied", "selectiegebied", (_encode_gebied, _decode_gebied))
ONREGELMATIG = _criterion(
    "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
    "indicatieOnregelmatigWerkOfPloegendienst",
    _compare("$eq"),
)
UREN = (
    _criterion("werktijden.aantalWerkurenPerWeekMaximaal", ("aantalWerkurenPerWeek", "minimaal"), _compare("$gte")),
    _criterion("werktijden.aantalWerkurenPerWeekMinimaal", ("aantalWerkurenPerWeek", "maximaal"), _compare("$lte")),
)

WERKZOEKENDE_CRITERIA: tuple[Criterion, ...] = (
    SELECTIEGEBIED,
    _criterion("bemiddelingsberoep", "bemiddelingsberoep", _any_of("beroep.codeBeroepsnaam")),
    _criterion("contractvorm", "contractvorm", _any_of("codeTypeArbeidscontract")),
    ONREGELMATIG,
    _criterion("arbeidsmarktkwalificatie.rijbewijs", "rijbewijs", _all_of("codeSoortRijbewijs")),
    _criterion("arbeidsmarktkwalificatie.taalbeheersing", "taalbeheersing", (_encode_talen, _decode_talen)),
    _criterion("datumAanvangBeschikbaarVoorWerk", "datumAanvangBeschikbaarVoorWerk", _compare("$lte")),
    _criterion("werktijden.indicatieKantoortijden", "indicatieKantoortijden", _compare("$eq")),
    *UREN,
)

VACATURE_CRITERIA: tuple[Criterion, ...] = (
    SELECTIEGEBIED,
    _criterion("beroep.codeBeroepsnaam", "beroep", _compare("$eq")),
    _criterion("codeWerkEnDenkniveauMinimaal", "codeWerkEnDenkniveauMinimaal", (_encode_niveau, _decode_niveau)),
    _criterion("datumAanvangWerkzaamheden", "datumAanvangWerkzaamheden", _compare("$gte")),
    ONREGELMATIG,
    _criterion("rijbewijs", "rijbewijs", _all_of("codeSoortRijbewijs")),
    _criterion("taalbeheersing", "taalbeheersing", (_encode_talen, _decode_talen)),
    *UREN,
)


# -- both directions ----------------------------------------------------------------------------


def _get(values: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = values
    for step in path:
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def _put(values: Values, path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        values = values.setdefault(step, {})
    values[path[-1]] = value


def to_vraag_object(values: Mapping[str, Any], criteria: Sequence[Criterion]) -> dict[str, Any]:
    """The selectievraag values as a vraagObject (criteria without a vraagObject form are left out)."""
    vraag = {}
    for criterion in criteria:
        value = _get(values, criterion.field)
        if value is not None and value != []:
            vraag[criterion.key] = criterion.encode(value)
    return vraag


def to_values(vraag: Any, criteria: Sequence[Criterion]) -> Values:
    """A vraagObject as selectievraag values; unknown criteria are ignored, malformed ones refused."""
    if not isinstance(vraag, Mapping):
        raise VraagObjectError("vraagObject", "expected an object")
    if "selectiegebied" not in vraag:
        raise VraagObjectError("selectiegebied", "is required")
    values: Values = {}
    for criterion in criteria:
        if criterion.key in vraag:
            value = criterion.decode(criterion.key, vraag[criterion.key])
            if value is not None:
                _put(values, criterion.field, value)
    return values


def werkzoekende_vraag_object(values: Mapping[str, Any]) -> dict[str, Any]:
    return to_vraag_object(values, WERKZOEKENDE_CRITERIA)


def vacature_vraag_object(values: Mapping[str, Any]) -> dict[str, Any]:
    return to_vraag_object(values, VACATURE_CRITERIA)


def werkzoekende_values(vraag: Any) -> Values:
    return to_values(vraag, WERKZOEKENDE_CRITERIA)


def vacature_values(vraag: Any) -> Values:
    return to_values(vraag, VACATURE_CRITERIA)
