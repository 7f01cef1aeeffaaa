"""The VUM `vraagObject` (MongoDB-style selectievraag of koppelvlak 3.0) as the typed GraphQL input.

The REST facade and the accreditation tests translate a vraagObject into the same
`WerkzoekendeSelectievraag` / `VacatureSelectievraag` the GraphQL path takes, so the semantics
exist once (in the sources' SDK). As the standard demands, unknown fields and operators are
accepted and ignored; a documented criterion with a malformed value (at any depth, including a
null operand: the contract declares nothing nullable) is an error naming it, so nothing malformed
reaches GraphQL's own coercion.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from vumschema import Contract

# Matched whole (fullmatch): `$` would also match before a trailing newline.
POSTCODE = re.compile(r"[0-9]{4}[a-zA-Z]{2}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TAALCODE = re.compile(r"[a-z]{3}")


class VraagObjectError(ValueError):
    """A documented criterion of the vraagObject is malformed."""

    def __init__(self, criterion: str, problem: str) -> None:
        super().__init__(f"{criterion}: {problem}")
        self.criterion = criterion
        self.problem = problem


Input = dict[str, Any]
Parser = Callable[[Contract, str, Any, Input], None]


def _object(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise VraagObjectError(key, "expected an object")
    return value


def _int(key: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise VraagObjectError(key, f"expected a whole number from {low} to {high}")
    return value


def _match(key: str, value: Any, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise VraagObjectError(key, f"expected {what}")
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _enum_name(contract: Contract, enum: str, key: str, code: Any) -> str:
    names = contract.enum_codes(enum).value_by_code
    if not isinstance(code, str | int) or isinstance(code, bool) or code not in names:
        allowed = ", ".join(repr(c) for c in names)
        raise VraagObjectError(key, f"{_shown(code)} is not one of {allowed}")
    return names[code]


def _operator(key: str, value: Any, operator: str) -> Any:
    """The operand of a documented operator, or None when it is absent (ignored criterion); a
    null operand is malformed."""
    criterion = _object(key, value)
    if operator in criterion and criterion[operator] is None:
        raise VraagObjectError(key, f"{operator} may not be null")
    return criterion.get(operator)


def _items(key: str, value: Any, operator: str) -> list[Any]:
    container = _operator(key, value, operator)
    if container is None:
        return []
    if operator == "$elemMatch":
        container = _operator(key, container, "$or")
        if container is None:
            return []
    if not isinstance(container, list) or not container:
        raise VraagObjectError(key, f"{operator} needs a non-empty list")
    return container


def _eq_in(key: str, item: Any, field: str) -> Any:
    """`{field: {$eq: value}}` inside an $or or $elemMatch."""
    return _operator(key, _object(key, item).get(field, {}), "$eq")


# -- criteria ---------------------------------------------------------------------------------


def _selectiegebied(contract: Contract, key: str, value: Any, out: Input) -> None:
    gebied = _object(key, value)
    if "postcode" not in gebied or "afstand" not in gebied:
        raise VraagObjectError(key, "needs postcode and afstand")
    out["selectiegebied"] = {
        "postcode": _match(f"{key}.postcode", gebied["postcode"], POSTCODE, "a postcode like 1234AB"),
        "afstand": _int(f"{key}.afstand", gebied["afstand"], 0, 999),
    }


def _any_of(target: str, field: str, enum: str | None = None, limit: int = 200) -> Parser:
    def parse(contract: Contract, key: str, value: Any, out: Input) -> None:
        values = []
        for item in _items(key, value, "$elemMatch"):
            code = _eq_in(key, item, field)
            if code is None:
                continue
            if enum:
                values.append(_enum_name(contract, enum, key, code))
            elif isinstance(code, str) and len(code) <= limit:
                values.append(code)
            else:
                raise VraagObjectError(key, f"expected a URI of at most {limit} characters")
        if values:
            out[target] = list(dict.fromkeys(values))

    return parse


def _rijbewijs(contract: Contract, key: str, value: Any, out: Input) -> None:
    codes = []
    for item in _items(key, value, "$all"):
        code = _eq_in(key, _operator(key, item, "$elemMatch") or {}, "codeSoortRijbewijs")
        if code is not None:
            codes.append(_enum_name(contract, "SoortRijbewijs", key, code))
    if codes:
        out["rijbewijs"] = list(dict.fromkeys(codes))


def _taalbeheersing(contract: Contract, key: str, value: Any, out: Input) -> None:
    eisen = []
    for item in _items(key, value, "$all"):
        match = _object(key, _operator(key, item, "$elemMatch") or {})
        taal = _operator(key, match.get("codeTaal", {}), "$eq")
        if taal is None:
            raise VraagObjectError(key, "every $elemMatch needs codeTaal")
        eis: Input = {"codeTaal": _match(f"{key}.codeTaal", taal, TAALCODE, "an ISO 639-3 code like nld")}
        for field, target in (
            ("codeNiveauTaalbeheersingMondeling", "minimaalMondeling"),
            ("codeNiveauTaalbeheersingSchriftelijk", "minimaalSchriftelijk"),
        ):
            level = _operator(key, match.get(field, {}), "$gte")
            if level is not None:
                _int(f"{key}.{field}", level, 2, 4)
                eis[target] = _enum_name(contract, "NiveauTaalbeheersing", key, level)
        eisen.append(eis)
    if eisen:
        out["taalbeheersing"] = eisen


def _indicatie(target: str) -> Parser:
    def parse(contract: Contract, key: str, value: Any, out: Input) -> None:
        code = _operator(key, value, "$eq")
        if code is not None:
            out[target] = _enum_name(contract, "JaNee", key, code)

    return parse


def _date(target: str, operator: str) -> Parser:
    def parse(contract: Contract, key: str, value: Any, out: Input) -> None:
        date = _operator(key, value, operator)
        if date is not None:
            _match(key, date, DATE, "a date like 2026-11-28")
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                raise VraagObjectError(key, f"{_shown(date)} is not a date") from None
            out[target] = date

    return parse


def _hours(bound: str, operator: str) -> Parser:
    def parse(contract: Contract, key: str, value: Any, out: Input) -> None:
        hours = _operator(key, value, operator)
        if hours is not None:
            out.setdefault("aantalWerkurenPerWeek", {})[bound] = _int(key, hours, 1, 99)

    return parse


def _beroep(contract: Contract, key: str, value: Any, out: Input) -> None:
    uri = _operator(key, value, "$eq")
    if uri is not None:
        if not isinstance(uri, str) or len(uri) > 200:
            raise VraagObjectError(key, "expected a URI of at most 200 characters")
        out["beroep"] = uri


def _werk_en_denkniveau(contract: Contract, key: str, value: Any, out: Input) -> None:
    criterion = _object(key, value)
    for operator in ("$lt", "$gte", "$eq"):
        _operator(key, criterion, operator)  # refuses a null operand
    names = contract.enum_codes("WerkEnDenkniveauMinimaal").value_by_code
    if "$lt" in criterion:
        if criterion["$lt"] != "7":
            raise VraagObjectError(key, '$lt must be "7"')
        selectie: Input = {}
        if "$gte" in criterion:
            if criterion["$gte"] not in ("1", "2", "3", "4", "5", "6"):
                raise VraagObjectError(key, '$gte must be "1" to "6"')
            selectie["vanaf"] = names[criterion["$gte"]]
        out["codeWerkEnDenkniveauMinimaal"] = selectie
    elif "$eq" in criterion:
        if criterion["$eq"] != "7":
            raise VraagObjectError(key, '$eq must be "7"')
        out["codeWerkEnDenkniveauMinimaal"] = {"nietBekend": True}


WERKZOEKENDE_CRITERIA: dict[str, Parser] = {
    "selectiegebied": _selectiegebied,
    "bemiddelingsberoep": _any_of("bemiddelingsberoep", "beroep.codeBeroepsnaam"),
    "contractvorm": _any_of("contractvorm", "codeTypeArbeidscontract", "TypeArbeidscontract"),
    "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": _indicatie("indicatieOnregelmatigWerkOfPloegendienst"),
    "arbeidsmarktkwalificatie.rijbewijs": _rijbewijs,
    "arbeidsmarktkwalificatie.taalbeheersing": _taalbeheersing,
    "datumAanvangBeschikbaarVoorWerk": _date("datumAanvangBeschikbaarVoorWerk", "$lte"),
    "werktijden.indicatieKantoortijden": _indicatie("indicatieKantoortijden"),
    "werktijden.aantalWerkurenPerWeekMaximaal": _hours("minimaal", "$gte"),
    "werktijden.aantalWerkurenPerWeekMinimaal": _hours("maximaal", "$lte"),
}

VACATURE_CRITERIA: dict[str, Parser] = {
    "selectiegebied": _selectiegebied,
    "beroep.codeBeroepsnaam": _beroep,
    "codeWerkEnDenkniveauMinimaal": _werk_en_denkniveau,
    "datumAanvangWerkzaamheden": _date("datumAanvangWerkzaamheden", "$gte"),
    "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": _indicatie("indicatieOnregelmatigWerkOfPloegendienst"),
    "rijbewijs": _rijbewijs,
    "taalbeheersing": _taalbeheersing,
    "werktijden.aantalWerkurenPerWeekMaximaal": _hours("minimaal", "$gte"),
    "werktijden.aantalWerkurenPerWeekMinimaal": _hours("maximaal", "$lte"),
}


def _parse(contract: Contract, vraag: Any, criteria: Mapping[str, Parser]) -> Input:
    if not isinstance(vraag, Mapping):
        raise VraagObjectError("vraagObject", "expected an object")
    if "selectiegebied" not in vraag:
        raise VraagObjectError("selectiegebied", "is required")
    result: Input = {}
    for key, value in vraag.items():
        parser = criteria.get(key)
        if parser is not None:  # unknown criteria are allowed and ignored (forward compatibility)
            parser(contract, key, value, result)
    return result


def werkzoekende_selectievraag(contract: Contract, vraag: Any) -> Input:
    """A `MPWerkzoekende` vraagObject as a `WerkzoekendeSelectievraag` input value."""
    return _parse(contract, vraag, WERKZOEKENDE_CRITERIA)


def vacature_selectievraag(contract: Contract, vraag: Any) -> Input:
    """A `MPVacature` vraagObject as a `VacatureSelectievraag` input value."""
    return _parse(contract, vraag, VACATURE_CRITERIA)
