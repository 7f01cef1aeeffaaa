"""The demo's organisations and personas behind a test gateway, for the explorer's tests.

The records are the demo's own (`vum-gateway demo` generates the same ones from the same seed), so
a persona search that finds matches here finds them in the demo too. Each organisation is served
from memory over real HTTP; Anja is a mediator of the first organisation, Mehmet an employer.
"""

from __future__ import annotations

from pathlib import Path

from gateway.demo.runner import synthetic
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller

from .conftest import BEROEPEN, POSTCODES, ROOT
from .issuer import ALL_SCOPES
from .stack import CORRECTNESS_TIMEOUT, Source, Stack, organisation_app, start_stack

DEMO_SEED = 2026  # `vum-gateway demo`'s default
QUERIES = ROOT / "explorer" / "src" / "queries"
PURPOSE = "arbeidsbemiddeling"
MEHMET = Caller(
    "mehmet",
    "00000099000000000077",
    "werkgever",
    frozenset({"werkzoekenden:zoeken", "werkzoekenden:detail", "vacatures:zoeken", "vacatures:detail"}),
    purpose=PURPOSE,
)


def anja(stack: Stack) -> Caller:
    """Anja, a SUWI mediator of the first organisation (the municipality that holds Henk)."""
    return Caller("anja", next(iter(stack.oins.values())), "bemiddelaar", ALL_SCOPES, suwi=True, purpose=PURPOSE)


async def start_demo_data_stack(*, demo: bool = False) -> Stack:
    sources = [
        Source(s.id, organisation_app(InMemoryAdapter(s.werkzoekenden, s.vacatures), s.name), kind=s.kind)
        for s in synthetic(DEMO_SEED, POSTCODES, BEROEPEN)
    ]
    # what is answered, not how fast: every server runs in the test's process, beside a browser
    return await start_stack(sources, demo=demo, source_timeout=CORRECTNESS_TIMEOUT)


def role_presets(stack: Stack) -> dict[str, dict[str, str]]:
    """The explorer's role presets, named like the demo's (a persona search picks its role by name)."""
    return {
        "Anja, bemiddelaar (SUWI)": stack.issuer.headers(anja(stack)),
        "Mehmet, werkgever": stack.issuer.headers(MEHMET),
        "Zonder token": {},
    }


def persona_query(name: str) -> str:
    return (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.graphql"))
