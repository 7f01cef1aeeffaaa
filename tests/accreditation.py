"""The accreditation cases of the VUM test environment, judged as its official collection judges.

The official judge is the Postman collection itself (`tests/data/accreditatie-collectie/`), run
by newman against the demo (`test_newman.py`). This module is the same judge in Python, for the
tests that run the cases in-process over every adapter kind; it is exactly as strict as the
collection's test scripts, line by line:

- search: every expected match profile (without `idWerkzoekende` / `idVacature`) must be among the
  answer's matches (without `vumID`), both sides after `removeEmptyObjectsAndArrays` (only empty
  lists and empty objects go; an empty string is a value), compared as lodash's `_.some(observed,
  expected)` compares: a partial deep match, arrays unordered, extra fields and items allowed;
- the vumID to look up is that of a match deep-equal (`_.isEqual`: every field, arrays in order)
  to the first expected result, uncleaned;
- detail: the record must deep-equal (`eql`) the expected one, every field, empty lists included;
  for a vacancy without `idVacature` on either side, as the vacancy collection does.

A null anywhere in an answer fails, as it makes the collection's script throw (`Object.keys(null)`).
`test_accreditation_judge.py` runs this module and the collection's own functions side by side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .conftest import ACCREDITATIE, read_json

CASES = {
    "werkzoekende": read_json(ACCREDITATIE / "werkzoekenden-cases.json"),
    "vacature": read_json(ACCREDITATIE / "vacatures-cases.json"),
}
ID_FIELDS = {"werkzoekende": "idWerkzoekende", "vacature": "idVacature"}

Match = tuple[str, dict[str, Any]]  # (vumID, the match profile in the standard's JSON, without the vumID)


class ScriptError(Exception):
    """What makes the collection's script throw (a null where it expects an object or a value)."""


def remove_empty_objects_and_arrays(value: Any) -> Any:
    """The collection's `removeEmptyObjectsAndArrays`: drops empty lists and objects, bottom up."""
    if isinstance(value, list):
        items = [remove_empty_objects_and_arrays(item) for item in value]
        return [item for item in items if not _empty_container(item)]
    if isinstance(value, dict):
        cleaned = {key: remove_empty_objects_and_arrays(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if not _empty_container(item)}
    return value


def _empty_container(value: Any) -> bool:
    if value is None:
        raise ScriptError("a null value (Object.keys(null) throws in the collection's script)")
    return isinstance(value, list | dict) and not value


def _same_primitive(a: Any, b: Any) -> bool:
    """JavaScript's `===` on JSON values: a boolean is never a number; 1 and 1.0 are one number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def is_equal(a: Any, b: Any) -> bool:
    """lodash `_.isEqual` and chai `eql` on JSON values: every key, arrays in order."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(is_equal(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(is_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return _same_primitive(a, b)


def is_match(observed: Any, expected: Any) -> bool:
    """lodash `_.isMatch(observed, expected)`: `expected`'s keys, partially and recursively; an
    expected array's items each matched by a distinct observed item, first come first served."""
    if isinstance(expected, dict):
        return isinstance(observed, dict) and all(
            key in observed and is_match(observed[key], item) for key, item in expected.items()
        )
    if isinstance(expected, list):
        if not isinstance(observed, list) or len(observed) < len(expected):
            return False
        used: set[int] = set()
        for item in expected:
            index = next((i for i, o in enumerate(observed) if i not in used and is_match(o, item)), None)
            if index is None:
                return False
            used.add(index)
        return True
    return not isinstance(observed, list | dict) and _same_primitive(observed, expected)


def _without(record: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


def expected_results_included(expected: Sequence[Mapping[str, Any]], matches: Sequence[Match], kind: str) -> bool:
    """The search test: `expected.every(val => _.some(observed, val))`."""
    wanted = [remove_empty_objects_and_arrays(_without(e, ID_FIELDS[kind])) for e in expected]
    observed = [remove_empty_objects_and_arrays(profile) for _, profile in matches]
    return all(any(is_match(o, w) for o in observed) for w in wanted)


def vumid_to_look_up(expected: Sequence[Mapping[str, Any]], matches: Sequence[Match], kind: str) -> str:
    """The vumID the collection asks the detail of ("" when no match equals the first expected)."""
    first = _without(expected[0], ID_FIELDS[kind])
    chosen = ""
    for vumid, profile in matches:
        if is_equal(remove_empty_objects_and_arrays(profile), first):
            chosen = vumid  # the collection keeps the last equal one
    return chosen


def detail_equal(observed: Mapping[str, Any], expected: Mapping[str, Any], kind: str) -> bool:
    """The detail test: `eql`, every field; the vacancy collection first deletes `idVacature`."""
    if kind == "vacature":
        observed, expected = _without(observed, "idVacature"), _without(expected, "idVacature")
    _reject_nulls(observed)
    return is_equal(observed, expected)


def _reject_nulls(value: Any) -> None:
    if value is None:
        raise ScriptError("a null value in the detail")
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _reject_nulls(item)


@dataclass(frozen=True)
class CaseResult:
    number: int
    included: bool
    vumid_found: bool
    detail: bool
    problem: str = ""

    @property
    def passed(self) -> bool:
        return self.included and self.vumid_found and self.detail


async def judge_cases(
    kind: str,
    search: Callable[[dict[str, Any]], Awaitable[list[Match]]],
    detail: Callable[[str], Awaitable[dict[str, Any]]],
) -> list[CaseResult]:
    """Every case of `kind` run through a front (`search`: vraagObject -> matches in answer order;
    `detail`: vumID -> the record) and judged as the collection judges it."""
    results = []
    for number, case in enumerate(CASES[kind], start=1):
        expected = case["verwachteResultaten"]
        try:
            matches = await search(case["zoekvraag"])
            included = expected_results_included(expected, matches, kind)
            vumid = vumid_to_look_up(expected, matches, kind)
            same = bool(vumid) and detail_equal(await detail(vumid), case["detail"], kind)
            results.append(CaseResult(number, included, bool(vumid), same))
        except ScriptError as error:
            results.append(CaseResult(number, False, False, False, str(error)))
    return results


def tally(front: str, kind: str, results: Sequence[CaseResult]) -> str:
    passed = sum(result.passed for result in results)
    return f"accreditation through {front}, {kind}: {passed}/{len(results)} cases pass (the collection's judge)"


def failures(results: Sequence[CaseResult]) -> list[CaseResult]:
    return [result for result in results if not result.passed]
