"""An independent contract fuzzer (Schemathesis) against both VUM-Bemiddelaar contracts of the REST facade.

A real gateway with real subgraphs over HTTP (the accreditation data over two organisations and
the codelijsten subgraph) is fuzzed through its REST facade by Schemathesis with all its checks,
positive and negative data, and its stateful phase (search, then the detail of a returned vumID,
through a link added to a copy of the contract). It must find nothing except what the README
lists as deliberate stricter-than-contract checks (`DELIBERATE`, each with its reason).

The caller is a SUWI mediator with every scope; its X-VUM parties are fixed (the facade requires
`X-VUM-fromParty` to be the token's organisation, which the contract cannot say), and the rate
limit is off for this caller's burst of requests (a 429 would be right, but is not what is tested).
Both contracts are fuzzed at the same time, each by Schemathesis in a process of its own: the
gateway keeps this process's core and the fuzzers share the other, so each contract gets its whole
time budget at more requests per second than one after the other in a thread beside the gateway,
in two thirds of the wall time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import in_ci, report
from .contract_fuzzer import Found, Outcome, fuzz, linked_contract
from .issuer import MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import EXCHANGE_OIN

SECONDS = 200 if in_ci() else 60  # per contract, both at once: more requests than 150 s each, one after the other
FUZZED = (
    ("VUM-Bemiddelaar-WerkzoekendeProfielen", "werkzoekendeProfielen"),
    ("VUM-Bemiddelaar-Vacatures", "vacatures"),
)


@dataclass(frozen=True)
class Deliberate:
    """A check the facade makes on purpose beyond its contract: a valid-looking request it refuses
    with 400.01, recognised by its operation and the facade's own message. Listed in the README."""

    reason: str
    operation: str  # a regular expression over "METHOD /path"
    answer: str  # a regular expression over the facade's error message

    def explains(self, found: Found) -> bool:
        return (
            found.check == "positive_data_acceptance"
            and (found.status, found.code) == (400, "400.01")
            and re.fullmatch(self.operation, found.operation) is not None
            and re.search(self.answer, found.answer) is not None
        )


DELIBERATE = (
    Deliberate(
        "a vumID this gateway did not issue (to this organisation): it is a pseudonym, not any string of the pattern",
        r"GET /(werkzoekendeProfielen|vacatures)/\{vumID\}",
        r"vumID (is not|has the wrong length|failed authentication|was issued to another)|behind this vumID",
    ),
    Deliberate(
        "a selectiegebied around a postcode whose four-digit area does not exist: no distance can be measured",
        r"POST /(werkzoekendeProfielen|vacatures)/matches",
        r"selectiegebied\.postcode \S+: unknown postcode area [0-9]{4}$",
    ),
    Deliberate(
        "an empty $or: MongoDB, whose semantics the standard prescribes, refuses one (the contract gives "
        "contractvorm minItems 1 but not bemiddelingsberoep)",
        r"POST /werkzoekendeProfielen/matches",
        r"vraagObject\.bemiddelingsberoep: \$elemMatch needs a non-empty list$",
    ),
    Deliberate(
        "a language requirement without its language ($elemMatch with codeTaal but no codeTaal.$eq)",
        r"POST /(werkzoekendeProfielen|vacatures)/matches",
        r"vraagObject\.(arbeidsmarktkwalificatie\.)?taalbeheersing: every \$elemMatch needs codeTaal$",
    ),
)


def deliberate(found: Found) -> str | None:
    """The README's reason when a finding is a deliberate stricter-than-contract check."""
    return next((d.reason for d in DELIBERATE if d.explains(found)), None)


@pytest_asyncio.fixture(scope="module")
async def stack(
    werkzoekenden_upload: list[dict[str, Any]], vacatures_upload: list[dict[str, Any]]
) -> AsyncIterator[Stack]:
    sources = [
        Source(
            f"organisatie-{i}",
            organisation_app(InMemoryAdapter(consented(werkzoekenden_upload[i::2]), vacatures_upload[i::2]), f"o{i}"),
        )
        for i in range(2)
    ]
    # answers, not speed, are tested: two fuzzers and every server share this process's core, so a
    # source may be slow to answer; it must not be given up (a 503 the contract does not explain)
    running = await start_stack(sources, rate_limit={"enabled": False}, source_timeout=60.0)
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="module")
async def fuzzing(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, asyncio.Future[Outcome]]]:
    """Each contract's fuzzing, started together in processes of their own (by contract name)."""
    token = stack.issuer.token(MEDIATOR, exp=int(time.time()) + 3600)
    headers = {"Authorization": f"Bearer {token}", "X-VUM-Doelbinding": MEDIATOR.purpose or ""}
    parameters = {"X-VUM-fromParty": MEDIATOR.oin, "X-VUM-viaParty": MEDIATOR.oin, "X-VUM-toParty": EXCHANGE_OIN}
    url = f"{stack.server.base_url}/api/v3"
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(len(FUZZED), mp_context=multiprocessing.get_context("spawn")) as pool:
        running = {
            name: loop.run_in_executor(
                pool, fuzz, linked_contract(name, resource, tmp_path_factory.mktemp(resource)), url, headers,
                parameters, SECONDS,
            )
            for name, resource in FUZZED
        }  # fmt: skip
        yield running
        # a test that stopped early left its fuzzer running: the stack (this loop) serves it to its end
        await asyncio.gather(*running.values(), return_exceptions=True)


@pytest.mark.parametrize("name", [name for name, _ in FUZZED])
async def test_the_contract_fuzzer_finds_nothing_unexplained(
    fuzzing: dict[str, asyncio.Future[Outcome]], name: str
) -> None:
    outcome = await fuzzing[name]
    unexplained = [f for f in outcome.failures if deliberate(f) is None]
    explained = Counter(deliberate(f) for f in outcome.failures if deliberate(f) is not None)
    checks = sum(outcome.checks.values())
    report(
        f"contract fuzzer, {name}: {outcome.requests} requests, {checks} checks "
        f"({', '.join(f'{phase} {n}' for phase, n in sorted(outcome.phases.items()))} scenarios); "
        f"{len(unexplained)} unexplained failures, {sum(explained.values())} deliberate "
        f"({len(explained)} of the README's {len(DELIBERATE)} stricter-than-contract checks)"
    )
    assert not outcome.errors, outcome.errors[:5]
    assert not unexplained, "\n".join(map(str, unexplained[:10]))
    assert outcome.phases["stateful"] > 0 and outcome.checks["positive_data_acceptance"] > 0
