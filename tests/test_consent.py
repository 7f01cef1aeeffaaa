"""Consent and authorisation, scenario by scenario: the personas, own and other organisations,
the special category, quota, the processing log and what happens when a source breaks the rules."""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from gateway.metrics import REGISTRY
from gateway.processing_log import Disclosure, Entry, LogUnavailable, ProcessingLog
from gateway.quota import MemoryQuota, QuotaExceeded, RedisQuota, reserve, search_key
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller, Toestemming, Vastlegging

from .conftest import BEROEPEN, POSTCODES, fresh_database, need
from .issuer import ALL_SCOPES, MEDIATOR
from .servers import read_body
from .stack import Source, Stack, consented, organisation_app, start_stack

DATE = datetime.date(2026, 10, 1)
MATCH_ONLY = Toestemming({"MATCHPROFIEL": Vastlegging(DATE, "klantmanager-anja")})
AREA = {"selectiegebied": {"postcode": "5504AA", "afstand": 60}}


def people() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Henk (match profile only), Jessica (everything), others (everything) and one without consent;
    and Mehmet's vacancies."""
    data = generate(
        11,
        ["gemeente", "uwv"],
        read_postcodes(POSTCODES),
        read_beroepen(BEROEPEN),
        werkzoekenden_per_bron=14,
        vacatures_per_bron=4,
    )
    gemeente = data[0].werkzoekenden
    henk = [r for r in gemeente if r["idWerkzoekende"] == "henk"]
    rest = [r for r in gemeente if r["idWerkzoekende"] != "henk"]
    nobody = {**rest[-1], "idWerkzoekende": "zonder-toestemming"}
    return (
        consented(henk, MATCH_ONLY) + consented(rest[:-1]) + [nobody],
        consented(data[1].werkzoekenden),
        data[1].vacatures,
    )


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    gemeente, uwv, vacatures = people()
    running = await start_stack(
        [
            Source("gemeente", organisation_app(InMemoryAdapter(gemeente), "gemeente")),
            Source("uwv", organisation_app(InMemoryAdapter(uwv, vacatures), "uwv")),
        ]
    )
    yield running
    await running.close()


def caller(
    stack: Stack,
    role: str = "bemiddelaar",
    *,
    own: str | None = None,
    suwi: bool = True,
    scopes: frozenset[str] = ALL_SCOPES,
    subject: str = "tester",
    record: str | None = None,
) -> Caller:
    oin = stack.oins[own] if own else "00000001009999999000"
    return Caller(
        subject,
        oin,
        role,
        scopes,
        suwi=suwi,
        purpose="arbeidsbemiddeling",
        own_record=(oin, record) if record else None,
    )


SEARCH = """query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s, first: 100) {
  vraagID edges { bronID node { vumID mobiliteit { bemiddelingspostcode } } } } }"""
DETAIL = """query($v: ID!) { werkzoekendeProfiel(vumID: $v) { bronID werkzoekende {
  idWerkzoekende persoonlijkePresentatie eisAanWerk { indicatieBegeleiding } indicatieLdrRegistratie
  emailadres telefoonnummer contactpersoon { naamContactpersoonAfdeling } mobiliteit { bemiddelingspostcode } } } }"""


async def vumids(stack: Stack, who: Caller) -> dict[str, str]:
    """record id -> vumID for everything `who` finds in the area."""
    body = await stack.query(SEARCH, {"s": AREA}, caller=who)
    assert "errors" not in body, body
    edges = body["data"]["werkzoekendeProfielMatches"]["edges"]
    return {stack.open_vumid("werkzoekende", e["node"]["vumID"]).record_id: e["node"]["vumID"] for e in edges}


async def detail(stack: Stack, who: Caller, record_id: str) -> dict[str, Any]:
    found = await vumids(stack, who)
    return await stack.query(DETAIL, {"v": found[record_id]}, caller=who)


def security_events() -> float:
    return sum(
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "vum_security_events"
        for s in metric.samples
        if s.name.endswith("_total")
    )


async def test_henk_is_findable_but_only_his_match_profile_leaves_for_other_organisations(stack: Stack) -> None:
    events = security_events()
    body = await detail(stack, MEDIATOR, "henk")
    henk = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert henk["mobiliteit"]["bemiddelingspostcode"].startswith("5504")
    assert henk["persoonlijkePresentatie"] is None and henk["eisAanWerk"] is None
    assert henk["contactpersoon"] is None and henk["emailadres"] is None
    assert "errors" not in body, "no consent is not an error, just nothing"
    assert security_events() == events, "the source itself released nothing more"


async def test_henks_own_municipality_sees_all_of_him(stack: Stack) -> None:
    body = await detail(stack, caller(stack, own="gemeente"), "henk")
    henk = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert henk["persoonlijkePresentatie"] and henk["contactpersoon"][0]["naamContactpersoonAfdeling"]


async def test_jessica_shares_everything_and_the_special_category_goes_to_suwi_parties_only(stack: Stack) -> None:
    suwi = (await detail(stack, MEDIATOR, "jessica"))["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert (
        suwi["indicatieLdrRegistratie"] == "NEE"
        and suwi["emailadres"]
        and suwi["eisAanWerk"]["indicatieBegeleiding"] == "JA"
    )
    body = await detail(stack, caller(stack, suwi=False, subject="uitzendbureau"), "jessica")
    jessica = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert jessica["indicatieLdrRegistratie"] is None and jessica["emailadres"]
    assert [(e["extensions"]["code"], e["path"][-1]) for e in body["errors"]] == [
        ("FORBIDDEN_FIELD", "indicatieLdrRegistratie")
    ]


async def test_an_employer_sees_the_profile_but_contacts_only_through_a_mediator(stack: Stack) -> None:
    mehmet = caller(
        stack,
        "werkgever",
        subject="mehmet",
        scopes=frozenset({"werkzoekenden:zoeken", "werkzoekenden:detail", "werkzoekenden:contactgegevens"}),
    )
    body = await detail(stack, mehmet, "jessica")
    jessica = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert jessica["persoonlijkePresentatie"] and jessica["emailadres"] is None and jessica["contactpersoon"] is None
    denied = {e["path"][-1] for e in body["errors"] if e["extensions"]["code"] == "FORBIDDEN_FIELD"}
    assert {"emailadres", "telefoonnummer", "contactpersoon", "indicatieLdrRegistratie"} <= denied


async def test_vacancy_contact_persons_go_to_authenticated_mediators_only(stack: Stack) -> None:
    query = """query($s: VacatureSelectievraag!) { vacatureMatches(selectievraag: $s, first: 10) { edges { node { vumID } } } }"""
    detail_query = "query($v: ID!) { vacature(vumID: $v) { vacature { naamVacature werkgever { handelsnaamOrganisatie contactpersoon { naamContactpersoonAfdeling } } } } }"
    werkzoekende = caller(
        stack,
        "werkzoekende",
        scopes=frozenset({"vacatures:zoeken", "vacatures:detail", "vacatures:contactgegevens"}),
        record="x",
    )
    for who, sees_contacts in ((MEDIATOR, True), (werkzoekende, False)):
        found = await stack.query(query, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 300}}}, caller=who)
        contacts = []
        for edge in found["data"]["vacatureMatches"]["edges"]:
            body = await stack.query(detail_query, {"v": edge["node"]["vumID"]}, caller=who)
            werkgever = body["data"]["vacature"]["vacature"]["werkgever"]
            assert werkgever["handelsnaamOrganisatie"]
            assert ("errors" in body) is not sees_contacts
            contacts.append(bool(werkgever["contactpersoon"]))
        assert any(contacts) is sees_contacts, "Mehmet's vacancies have contact persons; only mediators see them"


async def test_a_job_seeker_without_consent_is_never_shown_to_another_organisation(stack: Stack) -> None:
    assert "zonder-toestemming" not in await vumids(stack, MEDIATOR)
    assert "zonder-toestemming" in await vumids(stack, caller(stack, own="gemeente"))


async def test_roles_without_search_scope_get_nothing(stack: Stack) -> None:
    beheerder = caller(stack, "beheerder", scopes=frozenset())
    body = await stack.query(SEARCH, {"s": AREA}, caller=beheerder)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert body["errors"][0]["path"] == ["werkzoekendeProfielMatches"]


async def test_the_plan_cache_keeps_callers_apart(stack: Stack) -> None:
    query = "query($v: ID!) { werkzoekendeProfiel(vumID: $v) { werkzoekende { indicatieLdrRegistratie } } }"
    for who, visible in ((MEDIATOR, True), (caller(stack, suwi=False, subject="b"), False), (MEDIATOR, True)):
        found = await vumids(stack, who)
        body = await stack.query(query, {"v": found["jessica"]}, caller=who)
        assert (body["data"]["werkzoekendeProfiel"]["werkzoekende"]["indicatieLdrRegistratie"] is not None) is visible


async def test_detail_quota_is_ten_profiles_per_search(stack: Stack) -> None:
    found = await vumids(stack, MEDIATOR)
    assert len(found) > 11
    ids = list(found.values())
    for vumid in ids[:10]:
        body = await stack.query(DETAIL, {"v": vumid})
        assert "errors" not in body or all(e["extensions"]["code"] == "FORBIDDEN_FIELD" for e in body["errors"])
    again = await stack.query(DETAIL, {"v": ids[3]})
    assert again["data"]["werkzoekendeProfiel"] is not None, "looking one up again does not count"
    eleventh = await stack.query(DETAIL, {"v": ids[10]})
    assert eleventh["data"]["werkzoekendeProfiel"] is None
    assert eleventh["errors"][0]["extensions"]["code"] == "QUOTA_EXCEEDED"
    fresh = await vumids(stack, MEDIATOR)
    assert (await stack.query(DETAIL, {"v": fresh[next(iter(fresh))]}))["data"]["werkzoekendeProfiel"], (
        "a new search, a new quota"
    )


async def test_a_vumid_is_worthless_to_another_organisation(stack: Stack) -> None:
    found = await vumids(stack, MEDIATOR)
    other = caller(stack, subject="elders", own="uwv")
    body = await stack.query(DETAIL, {"v": found["jessica"]}, caller=other)
    assert body["data"]["werkzoekendeProfiel"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VUMID"
    assert "issued to another organisation" in body["errors"][0]["message"]


VERWERKINGEN = "query($v: ID) { verwerkingen(vumID: $v) { afnemer afnemerOin doelbinding vraagID soort categorieen } }"


async def test_who_saw_what_is_answered_to_the_owner_and_to_the_job_seeker(stack: Stack) -> None:
    anja = caller(stack, subject="anja-elders")
    seen_by_anja = await vumids(stack, anja)
    await stack.query(DETAIL, {"v": seen_by_anja["henk"]}, caller=anja)
    owner = caller(stack, own="gemeente", subject="klantmanager")
    own_vumid = (await vumids(stack, owner))["henk"]
    body = await stack.query(VERWERKINGEN, {"v": own_vumid}, caller=owner)
    entries = [e for e in body["data"]["verwerkingen"] if e["afnemer"] == "anja-elders"]
    assert [e["soort"] for e in entries] == ["ZOEKRESULTAAT", "DETAIL"]
    assert entries[1]["categorieen"] == ["MATCHPROFIEL"], "Henk consented to his match profile only"
    assert entries[0]["doelbinding"] == "arbeidsbemiddeling" and entries[0]["vraagID"] == entries[1]["vraagID"]
    henk = caller(
        stack, "werkzoekende", own="gemeente", subject="henk", record="henk", scopes=frozenset({"verwerkingen:lezen"})
    )
    own = await stack.query(VERWERKINGEN, {}, caller=henk)
    assert {e["afnemer"] for e in own["data"]["verwerkingen"]} >= {"anja-elders", "klantmanager"}
    stranger = caller(stack, own="uwv", subject="nieuwsgierig")
    refused = await stack.query(VERWERKINGEN, {"v": (await vumids(stack, stranger))["henk"]}, caller=stranger)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_nothing_is_disclosed_when_the_log_cannot_be_written(stack: Stack) -> None:
    engine = stack.gateway.processing_log.engine
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE verwerking_wachtrij RENAME TO weg"))
    try:
        status, body = await stack.post({"query": SEARCH, "variables": {"s": AREA}}, stack.issuer.headers())
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE weg RENAME TO verwerking_wachtrij"))
    assert status == 503 and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "PROCESSING_LOG_UNAVAILABLE"
    assert "5504" not in json.dumps(body)


async def test_the_whole_operation_can_be_refused_instead() -> None:
    gemeente, _, _ = people()
    stack = await start_stack(
        [Source("gemeente", organisation_app(InMemoryAdapter(gemeente), "gemeente"))],
        auth={"reject_unauthorized_operations": True},
    )
    try:
        non_suwi = Caller(
            "x", "00000001009999999000", "bemiddelaar", ALL_SCOPES, suwi=False, purpose="arbeidsbemiddeling"
        )
        status, body = await stack.post({"query": DETAIL, "variables": {"v": "x"}}, stack.issuer.headers(non_suwi))
    finally:
        await stack.close()
    assert status == 403 and "data" not in body
    assert [e["path"][-1] for e in body["errors"]] == ["indicatieLdrRegistratie"]


# -- a source that breaks the rules -----------------------------------------------------------


def lying_source(detail_body: bytes, search_body: bytes) -> Any:
    from .test_failures import _garbling

    def build(trust: Any) -> Any:
        honest = organisation_app(
            InMemoryAdapter(consented([{"idWerkzoekende": "l1", "mobiliteit": {"bemiddelingspostcode": "5504AA"}}])),
            "leugen",
        )(trust)
        inner = _garbling(honest, search_body, 200)

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                body, replay = await read_body(receive)
                if b"bronWerkzoekendeProfiel(" in body:
                    from starlette.responses import Response

                    await Response(detail_body, media_type="application/json")(scope, receive, send)
                    return
                await inner(scope, replay, send)
                return
            await inner(scope, receive, send)

        return asgi

    return build


async def test_data_a_source_sends_outside_consent_is_stripped_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    search = (
        b'{"data": {"bronWerkzoekendeProfielMatches": {"maximumAantalResultatenBereikt": false, "matches": ['
        b'{"idWerkzoekende": "l1", "toestemmingen": ["MATCHPROFIEL"], "mobiliteit": {"bemiddelingspostcode": "5504AA"}},'
        b'{"idWerkzoekende": "l2", "toestemmingen": [], "mobiliteit": {"bemiddelingspostcode": "5504AA"}}]}}}'
    )
    detail_body = (
        b'{"data": {"bronWerkzoekendeProfiel": {"idWerkzoekende": "l1", "toestemmingen": ["MATCHPROFIEL"], '
        b'"emailadres": ["geheim@example.org"], "persoonlijkePresentatie": "vertrouwelijk", "mobiliteit": {"bemiddelingspostcode": "5504AA"}}}}'
    )
    stack = await start_stack([Source("leugen", lying_source(detail_body, search))])
    try:
        before = security_events()
        found = await vumids(stack, MEDIATOR)
        assert set(found) == {"l1"}, "a profile without consent for this caller is left out"
        body = await stack.query(DETAIL, {"v": found["l1"]})
    finally:
        await stack.close()
    werkzoekende = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert werkzoekende["emailadres"] is None and werkzoekende["persoonlijkePresentatie"] is None
    assert security_events() == before + 3
    assert "geheim" not in caplog.text and "vertrouwelijk" not in caplog.text
    assert "security event" in caplog.text


# -- quota store and processing log on their servers ------------------------------------------


ANJA_OIN, BART_OIN = "00000001009999999000", "00000001008888888000"


async def test_the_memory_quota() -> None:
    quota = MemoryQuota(2)
    assert await reserve(quota, ANJA_OIN, "v1", "a") is not None
    taken = await reserve(quota, ANJA_OIN, "v1", "b")
    assert await reserve(quota, ANJA_OIN, "v1", "a") is None, "counted before"
    with pytest.raises(QuotaExceeded):
        await reserve(quota, ANJA_OIN, "v1", "c")
    await reserve(quota, ANJA_OIN, "v2", "c")
    await reserve(quota, BART_OIN, "v1", "c")  # another organisation's search, whatever its vraagID
    assert taken is not None
    await quota.give_back(taken.search, taken.record)  # "b" was not disclosed after all
    await reserve(quota, ANJA_OIN, "v1", "c")


async def test_the_memory_quota_is_bounded() -> None:
    quota = MemoryQuota(2, max_searches=100)
    for index in range(1_000):
        await reserve(quota, ANJA_OIN, f"v{index}", "a")
    assert len(quota._seen) == 100


@pytest.fixture
def redis_url() -> Iterator[str]:
    import os

    import redis

    url = os.environ.get("VUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        need(f"Redis is not reachable at {url} (start it with `redis-server --daemonize yes`)")
    yield url


async def test_the_redis_quota_is_shared_by_every_replica(redis_url: str) -> None:
    import uuid

    first, second = RedisQuota(2, redis_url), RedisQuota(2, redis_url)
    vraag_id = uuid.uuid4().hex
    search = search_key(ANJA_OIN, vraag_id)
    try:
        assert await first.take(search, "a") == (1, True)
        assert await second.take(search, "b") == (2, True)
        assert await first.take(search, "b") == (2, False)
        with pytest.raises(QuotaExceeded):
            await reserve(second, ANJA_OIN, vraag_id, "c")
        assert await second.take(search_key(BART_OIN, vraag_id), "c") == (1, True)
        await first.give_back(search, "b")
        assert await second.take(search, "c") == (2, True)
        assert 0 < await first.redis.ttl(f"vum:quota:{search}") <= 24 * 3600
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_the_processing_log_on_postgresql_and_its_retention(postgres_server: str) -> None:
    for dsn in fresh_database(postgres_server):
        log = ProcessingLog(dsn, retention_days=30, key=b"k" * 32)
        await log.start()
        now = datetime.datetime.now(datetime.UTC)
        old = now - datetime.timedelta(days=31)
        disclosure = (Disclosure("gemeente", "henk", frozenset({"MATCHPROFIEL"})),)
        await log.append([Entry(old, "anja", "1" * 20, "arbeidsbemiddeling", "q1", "ZOEKRESULTAAT", disclosure)])
        await log.append([Entry(now, "anja", "1" * 20, "arbeidsbemiddeling", "q2", "DETAIL", disclosure)])
        assert [s.vraag_id for s in await log.seen("gemeente", "henk")] == ["q1", "q2"]
        await log.purge()
        assert [s.vraag_id for s in await log.seen("gemeente", "henk")] == ["q2"]
        assert await log.seen("gemeente", "jessica") == []
        with log.engine.connect() as connection:
            stored = connection.execute(text("SELECT inzage FROM verwerking")).scalar_one()
        assert b"henk" not in bytes(stored), "records are found by a keyed hash, not by their id"
        log.close()


async def test_a_processing_log_of_another_layout_is_refused_at_start(tmp_path: Any) -> None:
    database = tmp_path / "verwerkingen.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE verwerking_inzage (id INTEGER PRIMARY KEY, record_id TEXT)")
    log = ProcessingLog(f"sqlite:///{database}", retention_days=30, key=b"k" * 32)
    with pytest.raises(LogUnavailable, match=r"older layout \(table verwerking_inzage.*new processing_log.dsn"):
        await log.start()
    log.close()


async def test_anja_searches_every_organisation_at_once(stack: Stack) -> None:
    anja = caller(stack, own="gemeente", subject="anja")
    body = await stack.query(SEARCH.replace("first: 100", "first: 100"), {"s": AREA}, caller=anja)
    edges = body["data"]["werkzoekendeProfielMatches"]["edges"]
    assert {e["bronID"] for e in edges} == {"gemeente", "uwv"}, "her own clients and UWV's, in one answer"
    found = {stack.open_vumid("werkzoekende", e["node"]["vumID"]).record_id for e in edges}
    assert {"henk", "jessica", "zonder-toestemming"} <= found, "all of her own clients, consent or not"
