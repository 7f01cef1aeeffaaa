"""The accreditation cases of the VUM test environment and how a front's answers are judged
against them; shared by the GraphQL and the REST accreditation tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.wire import without_empty

from .conftest import ACCREDITATIE, read_json

CASES = {
    "werkzoekende": read_json(ACCREDITATIE / "werkzoekenden-cases.json"),
    "vacature": read_json(ACCREDITATIE / "vacatures-cases.json"),
}

Found = dict[str, tuple[str, dict[str, Any]]]  # record id -> (vumID, match profile with the record id)


async def failing_cases(
    kind: str,
    id_field: str,
    search: Callable[[dict[str, Any]], Awaitable[Found]],
    detail: Callable[[str], Awaitable[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every case whose expected results are not all among the answers (equal after removing empty
    values), or whose detail differs."""
    failures = []
    for number, case in enumerate(CASES[kind], start=1):
        found = await search(case["zoekvraag"])
        wrong = [
            expected[id_field]
            for expected in case["verwachteResultaten"]
            if expected[id_field] not in found or without_empty(found[expected[id_field]][1]) != without_empty(expected)
        ]
        detail_equal = case[id_field] in found and without_empty(
            await detail(found[case[id_field]][0])
        ) == without_empty(case["detail"])
        if wrong or not detail_equal:
            failures.append({"case": number, "missing or different": wrong, "detail equal": detail_equal})
    return failures


def tally(front: str, kind: str, failures: list[dict[str, Any]]) -> str:
    passed = len(CASES[kind]) - len(failures)
    return f"accreditation through {front}, {kind}: {passed}/{len(CASES[kind])} cases pass"
