"""Every cache is bounded in memory (issue 9, finding 3).

3 × 1,000 distinct 120 KB searches took the gateway from 109 to 862 MB, linearly: the plan cache
bounded entries, not bytes, and the compiled-projection cache (50,000 entries) kept every
document's selections alive. Now the plan cache is bounded by the estimated memory of its plans
(documents are kept without their text), and compiled projections live in their plan. The
federation engine's caches (gateway/federation/cache.py) are bounded the same way, its compiled
projections kept on the selections of the operation they project. The RSS curve over a long
stream of distinct documents is measured by `python -m bench.memory`.
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


def cached(stack: Stack, document: str) -> tuple[Any, Any, Any]:
    """What a request of `document` left in the cache: its plan (the bespoke engine) or normalised
    operation (the federation engine), a selection of it, and a compiled projection kept with it."""
    if stack.engine == "federation":
        assert stack.gateway.engine is not None
        operation = stack.gateway.engine.runtime.planner.operation(document, None)
        pending, compiled = [operation.root], []
        while pending:
            selection = pending.pop()
            compiled += [(selection, f) for f in selection.derived.values() if callable(f)]  # projectors
            pending += [f.selection for fields in selection.by_type.values() for f in fields if f.selection]
        assert compiled, "the request compiled its projections onto the operation's selections"
        return operation, *compiled[0]
    plan = stack.gateway.planner.plan(document, None, MEDIATOR)
    assert plan.derived, "the request compiled its projections into the plan"
    compiled = next(iter(plan.derived.values()))
    return plan, plan.roots[0].selection.children[0], compiled[1]


def cached_bytes(stack: Stack) -> int:
    if stack.gateway.engine is not None:  # the federation engine
        return stack.gateway.engine.runtime.planner.cached_bytes
    return stack.gateway.planner.cached_bytes


async def test_plans_and_their_compiled_projections_are_forgotten_past_the_memory_bound(stack: Stack) -> None:
    first = search(0)
    await ask(stack, first)
    plan, selection, compiled = cached(stack, first)  # the cached plan the request used
    plan_ref, selections_ref = weakref.ref(plan), weakref.ref(selection)
    compiled_ref = weakref.ref(compiled) if compiled is not None else None
    del plan, selection, compiled
    for index in range(1, 200):
        await ask(stack, search(index))
        assert cached_bytes(stack) <= BUDGET
    gc.collect()
    assert plan_ref() is None and selections_ref() is None, "the first document's plan was kept"
    assert compiled_ref is None or compiled_ref() is None, "its compiled projection was kept"
    report(
        f"plan cache: 200 distinct ~{len(first) // 1024} KB searches kept within {BUDGET // 1024} KB "
        f"({cached_bytes(stack) // 1024} KB estimated at the end, {stack.engine} engine)"
    )


async def test_a_plan_within_the_bound_is_reused(stack: Stack) -> None:
    document = search(10_000, lines=1)
    await ask(stack, document)
    plan = cached(stack, document)[0]
    await ask(stack, document)
    assert cached(stack, document)[0] is plan
