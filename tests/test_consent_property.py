"""Property: nothing leaves a source or the gateway without consent and permission.

Hypothesis draws consent settings for every job seeker, a caller (role, scopes, SUWI, own or other
organisation) and an operation (search or detail, aliases, fragments, variables, nested
selections), then checks every value in the gateway's answer, and what the source itself answers
to the gateway for that caller, against the policy. 2,000 examples with CI=true (set
VUM_PROPERTY_EXAMPLES to change it).
"""

from __future__ import annotations

import datetime
import json
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema import load_contract
from vumschema.contract import directive_args
from vumschema.policy import (
    ALL_CATEGORIES,
    MATCHPROFIEL,
    ROLES,
    Caller,
    Toestemming,
    Vastlegging,
    released_categories,
    scopes_satisfied,
)

from .conftest import ACCREDITATIE, in_ci, read_json, report
from .issuer import ALL_SCOPES
from .stack import ENGINES, Source, Stack, consented, organisation_app, start_stack

EXAMPLES = int(os.environ.get("VUM_PROPERTY_EXAMPLES", "2000" if in_ci() else "150"))
CONTRACT = load_contract()
ORGANISATIONS = ("gemeente", "uwv")
RICH = (
    "persoonlijkePresentatie",
    "emailadres",
    "contactpersoon",
    "indicatieLdrRegistratie",
    "eisAanWerk",
    "webadres",
    "telefoonnummer",
)
CONSENT_DATE = datetime.date(2026, 10, 1)
examples_run = 0
examples_without_leak = 0
examples_by_engine: Counter[str] = Counter()  # each engine is held to the full count


def rich_records() -> list[dict[str, Any]]:
    """Accreditation profiles with data in every category, moved into one area."""
    records = [r for r in read_json(ACCREDITATIE / "werkzoekenden-upload.json") if all(r.get(f) for f in RICH)]
    return [{**r, "mobiliteit": {**r["mobiliteit"], "bemiddelingspostcode": "5611AB"}} for r in records[:8]]


@dataclass
class World:
    stack: Stack
    adapters: dict[str, InMemoryAdapter]
    records: dict[str, list[dict[str, Any]]]


@pytest_asyncio.fixture(scope="module", params=ENGINES)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    records = rich_records()
    share = {"gemeente": records[:4], "uwv": records[4:]}
    adapters = {name: InMemoryAdapter(consented(share[name])) for name in ORGANISATIONS}
    stack = await start_stack(
        [Source(name, organisation_app(adapters[name], name)) for name in ORGANISATIONS],
        codelijsten=False,
        engine=request.param,
        rate_limit={"enabled": False},  # thousands of examples from one caller: not what this is about
    )
    yield World(stack, adapters, share)
    await stack.close()


# -- what may leave ---------------------------------------------------------------------------


def field_allowed(
    type_name: str, name: str, inherited: str | None, released: frozenset[str], caller: Caller
) -> tuple[bool, str | None]:
    field = CONTRACT.field(type_name, name)
    category = CONTRACT.category(type_name, name) or inherited
    scopes = directive_args(field, "requiresScopes")
    ok = (category is None or category in released) and scopes_satisfied(
        scopes["scopes"] if scopes else None, caller.scopes
    )
    return ok, category


def assert_nothing_extra(
    type_name: str,
    value: dict[str, Any],
    aliases: dict[str, str],
    released: frozenset[str],
    caller: Caller,
    inherited: str | None = None,
) -> None:
    """Every non-empty field in `value` (keys possibly aliases) is one the caller may see."""
    for key, item in value.items():
        name = aliases.get(key, key)
        if name in ("__typename", "vumID", "toestemmingen") or item in (None, [], {}):
            continue
        ok, category = field_allowed(type_name, name, inherited, released, caller)
        assert ok, f"{type_name}.{name} ({category}) left for a {caller.role} with {sorted(released)}"


# -- operations -------------------------------------------------------------------------------

MATCH_FIELDS = (
    "mobiliteit { bemiddelingspostcode maximaleReisafstand }",
    "werktijden { aantalWerkurenPerWeekMaximaal }",
    "bemiddelingsberoep { codeBeroepsnaam }",
    "arbeidsmarktkwalificatie { taalbeheersing { codeTaal } }",
    "sector { codeSbi }",
)
DETAIL_FIELDS = (
    *MATCH_FIELDS,
    "persoonlijkePresentatie",
    "emailadres",
    "telefoonnummer",
    "indicatieLdrRegistratie",
    "eisAanWerk { indicatieBegeleiding }",
    "contactpersoon { naamContactpersoonAfdeling emailadres }",
    "webadres { url }",
)


@st.composite
def selections(draw: st.DrawFn, fields: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """A selection body over `fields` with random aliases, and alias -> field name."""
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields), unique=True))
    parts, aliases = [], {}
    for index, field in enumerate(chosen):
        name = field.split()[0]
        if draw(st.booleans()):
            alias = f"a{index}"
            aliases[alias] = name
            field = f"{alias}: {field}"
        parts.append(field)
    return " ".join(parts), aliases


@st.composite
def operations(draw: st.DrawFn) -> dict[str, Any]:
    match_body, match_aliases = draw(selections(MATCH_FIELDS))
    detail_body, detail_aliases = draw(selections(DETAIL_FIELDS))
    style = draw(st.sampled_from(["plain", "fragment", "inline", "conditional"]))
    if style == "fragment":
        node = "...P"
        fragment = f"fragment P on WerkzoekendeProfielMatch {{ vumID {match_body} }}"
    elif style == "inline":
        node, fragment = f"... on WerkzoekendeProfielMatch {{ vumID {match_body} }}", ""
    elif style == "conditional":
        node, fragment = f"vumID ... @include(if: $mee) {{ {match_body} }}", ""
    else:
        node, fragment = f"vumID {match_body}", ""
    search = (
        "query Zoek($s: WerkzoekendeSelectievraag!, $mee: Boolean = true) { "
        f"gevonden: werkzoekendeProfielMatches(selectievraag: $s, first: 50) {{ edges {{ bronID node {{ {node} }} }} }} }} {fragment}"
    )
    detail = f"query($v: ID!) {{ werkzoekendeProfiel(vumID: $v) {{ bronID werkzoekende {{ {detail_body} }} }} }}"
    return {"search": search, "detail": detail, "match_aliases": match_aliases, "detail_aliases": detail_aliases}


CONSENT = st.lists(st.sets(st.sampled_from(sorted(ALL_CATEGORIES))), min_size=8, max_size=8)
CALLERS = st.builds(
    lambda role, scopes, suwi, org: (role, frozenset(scopes), suwi, org),
    st.sampled_from(ROLES),
    st.sets(st.sampled_from(sorted(ALL_SCOPES))),
    st.booleans(),
    st.sampled_from([*ORGANISATIONS, "elders"]),
)


def install(world: World, consents: list[set[str]]) -> dict[tuple[str, str], frozenset[str]]:
    """Give every record its drawn consent; (organisation, id) -> consent."""
    given_consent: dict[tuple[str, str], frozenset[str]] = {}
    index = 0
    for name in ORGANISATIONS:
        records = []
        for record in world.records[name]:
            consent = Toestemming({c: Vastlegging(CONSENT_DATE, "km") for c in consents[index]})
            records.extend(consented([record], consent))
            given_consent[(name, record["idWerkzoekende"])] = frozenset(consents[index])
            index += 1
        world.adapters[name].replace(records, [])
    return given_consent


def released_for(caller: Caller, world: World, organisation: str, consent: frozenset[str]) -> frozenset[str]:
    toestemming = Toestemming({c: Vastlegging(CONSENT_DATE, "km") for c in consent})
    return released_categories(caller, toestemming, own_organisation=caller.oin == world.stack.oins[organisation])


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(consents=CONSENT, who=CALLERS, operation=operations())
async def test_nothing_leaves_without_consent_and_permission(
    world: World, consents: list[set[str]], who: tuple[str, frozenset[str], bool, str], operation: dict[str, Any]
) -> None:
    global examples_run, examples_without_leak
    examples_run += 1
    role, scopes, suwi, organisation = who
    oin = world.stack.oins.get(organisation, "00000001009999999000")
    caller = Caller("p", oin, role, scopes, suwi=suwi, purpose="arbeidsbemiddeling")
    consent = install(world, consents)
    stack = world.stack
    body = await stack.query(
        operation["search"], {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 5}}}, caller=caller
    )
    edges = ((body.get("data") or {}).get("gevonden") or {}).get("edges") or []
    for edge in edges:
        ref = stack.open_vumid("werkzoekende", edge["node"]["vumID"])
        released = released_for(caller, world, ref.bron_id, consent[(ref.bron_id, ref.record_id)])
        assert MATCHPROFIEL in released, f"{ref.record_id} was found without its match profile released"
        assert_nothing_extra("WerkzoekendeProfielMatch", edge["node"], operation["match_aliases"], released, caller)
    if edges:
        ref = stack.open_vumid("werkzoekende", edges[0]["node"]["vumID"])
        detail = await stack.query(operation["detail"], {"v": edges[0]["node"]["vumID"]}, caller=caller)
        record = ((detail.get("data") or {}).get("werkzoekendeProfiel") or {}).get("werkzoekende")
        if record:
            released = released_for(caller, world, ref.bron_id, consent[(ref.bron_id, ref.record_id)])
            assert_nothing_extra("Werkzoekende", record, operation["detail_aliases"], released, caller)
    await check_the_source(world, caller, consent)
    examples_without_leak += 1
    examples_by_engine[stack.engine] += 1


SOURCE_DETAIL = " ".join(f.split(" { ")[0] if " { " not in f else f for f in DETAIL_FIELDS)


async def check_the_source(world: World, caller: Caller, consent: dict[tuple[str, str], frozenset[str]]) -> None:
    """What a source answers the gateway for this caller is within policy too."""
    organisation = ORGANISATIONS[examples_run % 2]
    stack = world.stack
    token = stack.gateway.signer.token(caller, stack.oins[organisation])
    query = (
        '{ bronWerkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 5}}) '
        f"{{ matches {{ idWerkzoekende toestemmingen {' '.join(MATCH_FIELDS)} }} }} "
        f'd: bronWerkzoekendeProfiel(idWerkzoekende: "{world.records[organisation][0]["idWerkzoekende"]}") {{ idWerkzoekende {SOURCE_DETAIL} }} }}'
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            stack.subgraphs[organisation].url, json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        body = json.loads(await response.text())
    data = body.get("data") or {}
    for match in (data.get("bronWerkzoekendeProfielMatches") or {}).get("matches", []):
        released = released_for(caller, world, organisation, consent[(organisation, match["idWerkzoekende"])])
        assert MATCHPROFIEL in released
        assert_nothing_extra("WerkzoekendeProfielMatch", match, {}, released, caller)
    if data.get("d"):
        released = released_for(caller, world, organisation, consent[(organisation, data["d"]["idWerkzoekende"])])
        assert_nothing_extra("Werkzoekende", data["d"], {}, released, caller)


def test_the_property_ran_its_examples() -> None:
    """Runs after the property (file order) and reports its count; with CI=true at least 2,000."""
    by_engine = ", ".join(f"{count} on the {engine} engine" for engine, count in sorted(examples_by_engine.items()))
    report(f"consent property: {examples_run} examples, {examples_without_leak} without a leak ({by_engine})")
    if examples_run:  # zero only when this test was selected on its own
        assert all(examples_by_engine[engine] >= EXAMPLES for engine in ENGINES), examples_by_engine
    if in_ci():
        assert all(examples_by_engine[engine] >= 2000 for engine in ENGINES), examples_by_engine
