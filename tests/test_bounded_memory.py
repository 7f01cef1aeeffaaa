"""Every cache is bounded in memory (issue 9, finding 3).

3 × 1,000 distinct 120 KB searches took the gateway from 109 to 862 MB, linearly: the plan cache
bounded entries, not bytes, and the compiled-projection cache (50,000 entries) kept every
document's selections alive. Now the plan cache is bounded by the estimated memory of its plans
(documents are kept without their text), and compiled projections live in their plan. The RSS
curve over a long stream of distinct documents is measured by `python -m bench.memory`.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import report
from .issuer import MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack

BUDGET = 1024 * 1024  # the smallest plan cache the configuration allows
PADDING = "#" + "x" * 100 + "\n"  # a comment line: distinct large documents, as a client library may send


def search(index: int, lines: int = 300) -> str:
    """A distinct ~30 KB search document (comments take no tokens but are sent and parsed)."""
    return (
        PADDING * lines
        + f"query Zoek{index}($s: WerkzoekendeSelectievraag!) {{ werkzoekendeProfielMatches(selectievraag: $s) "
        + f"{{ v{index}: vraagID edges {{ node {{ vumID mobiliteit {{ bemiddelingspostcode }} }} }} }} }}"
    )


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    records = [{"idWerkzoekende": f"w{i}", "mobiliteit": {"bemiddelingspostcode": "5611AB"}} for i in range(5)]
    running = await start_stack(
        [Source("gemeente", organisation_app(InMemoryAdapter(consented(records)), "gemeente"))],
        codelijsten=False,
        plan_cache_bytes=BUDGET,
        rate_limit={"enabled": False},
    )
    yield running
    await running.close()


async def ask(stack: Stack, document: str) -> dict[str, Any]:
    status, body = await stack.post(
        {"query": document, "variables": {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 5}}}},
        stack.issuer.headers(),
    )
    assert status == 200 and "errors" not in body, body
    return body  # type: ignore[no-any-return]


async def test_plans_and_their_compiled_projections_are_forgotten_past_the_memory_bound(stack: Stack) -> None:
    first = search(0)
    await ask(stack, first)
    plan = stack.gateway.planner.plan(first, None, MEDIATOR)  # the cached plan the request used
    assert plan.derived, "the request compiled its projections into the plan"
    compiled = next(iter(plan.derived.values()))
    plan_ref, selections_ref = weakref.ref(plan), weakref.ref(plan.roots[0].selection.children[0])
    compiled_ref = weakref.ref(compiled[1]) if compiled[1] is not None else None
    del plan, compiled
    for index in range(1, 200):
        await ask(stack, search(index))
        assert stack.gateway.planner.cached_bytes <= BUDGET
    gc.collect()
    assert plan_ref() is None and selections_ref() is None, "the first document's plan was kept"
    assert compiled_ref is None or compiled_ref() is None, "its compiled projection was kept"
    report(
        f"plan cache: 200 distinct ~{len(first) // 1024} KB searches kept within {BUDGET // 1024} KB "
        f"({stack.gateway.planner.cached_bytes // 1024} KB estimated at the end)"
    )


async def test_a_plan_within_the_bound_is_reused(stack: Stack) -> None:
    document = search(10_000, lines=1)
    await ask(stack, document)
    plan = stack.gateway.planner.plan(document, None, MEDIATOR)
    await ask(stack, document)
    assert stack.gateway.planner.plan(document, None, MEDIATOR) is plan
