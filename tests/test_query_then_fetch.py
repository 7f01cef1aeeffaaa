"""Query-then-fetch on the federation engine: a search costs what its page costs.

Page 1 asks every organisation only for keys (and the consent they carry), orders them, and
fetches the page's records from their owners (`_entities`, one request per owner); page 2 reuses
the kept key list (`gateway/vum/keylist.py`) and asks only the owners of its records. Every stack
here runs real HTTP subgraphs that record what they are asked.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.http.app import create_http_app
from gateway.http.transport import server_options
from gateway.server import Gateway
from gateway.serving import free_port
from gateway.vum.keylist import Key, KeyList, KeyLists
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sdk.selectievraag import Record

from .conftest import need
from .issuer import MEDIATOR
from .servers import LiveServer, WatchedSubgraph
from .stack import AppFactory, Source, Stack, consented, organisation_app, start_stack

AREA = {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 50}}}
PAGE = """query($s: WerkzoekendeSelectievraag!, $first: Int!, $after: String) {
  werkzoekendeProfielMatches(selectievraag: $s, first: $first, after: $after) {
    vraagID totalCount pageInfo { hasNextPage endCursor }
    bronnen { bronID status aantal melding }
    edges { bronID cursor node { vumID mobiliteit { bemiddelingspostcode } } } } }"""
PER_SOURCE = 8


def profiles(prefix: str, count: int = PER_SOURCE) -> list[dict[str, Any]]:
    return [{"idWerkzoekende": f"{prefix}-{i}", "mobiliteit": {"bemiddelingspostcode": "5612AB"}} for i in range(count)]


class Recorded(WatchedSubgraph):
    """A subgraph that records the bodies it is asked and the bytes it answers, by kind."""

    def __init__(self, factory: AppFactory) -> None:
        super().__init__(factory)
        self.asked: dict[str, list[bytes]] = {"search": [], "entities": [], "other": []}
        self.sent: Counter[str] = Counter()
        self.fail_entities = False

    async def handle(self, body: bytes, scope: Any, replay: Any, send: Any) -> None:
        kind = "entities" if b"_entities" in body else "search" if b"Matches" in body else "other"
        self.asked[kind].append(body)
        if kind == "entities" and self.fail_entities:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"down for maintenance"})
            return

        async def counting(message: Any) -> None:
            if message["type"] == "http.response.body":
                self.sent[kind] += len(message.get("body", b""))
            await send(message)

        await self.app(scope, replay, counting)

    def representations(self) -> list[list[str]]:
        return [
            [r["idWerkzoekende"] for r in orjson.loads(b)["variables"]["representations"]]
            for b in self.asked["entities"]
        ]


def recorded(prefix: str, adapter: InMemoryAdapter | None = None) -> Recorded:
    return Recorded(organisation_app(adapter or InMemoryAdapter(consented(profiles(prefix))), prefix))


NAMES = ("gemeente", "uwv", "reintegratie")


async def qtf_stack(sources: dict[str, Recorded], **gateway: Any) -> Stack:
    return await start_stack(
        [Source(name, app) for name, app in sources.items()], engine="federation", source_timeout=30.0, **gateway
    )


async def page(stack: Stack, first: int, after: str | None = None) -> dict[str, Any]:
    body = await stack.query(PAGE, {**AREA, "first": first, "after": after})
    assert "errors" not in body, body
    return body["data"]["werkzoekendeProfielMatches"]  # type: ignore[no-any-return]


def records(stack: Stack, result: dict[str, Any]) -> list[tuple[str, str]]:
    """The page's records as (source, record id), in the page's order."""
    refs = [stack.open_vumid("werkzoekende", e["node"]["vumID"]) for e in result["edges"]]
    return [(ref.bron_id, ref.record_id) for ref in refs]


def calls(sources: dict[str, Recorded], kind: str) -> int:
    return sum(len(s.asked[kind]) for s in sources.values())


@pytest.fixture
def sources() -> dict[str, Recorded]:
    return {name: recorded(name) for name in NAMES}


async def test_page_one_asks_every_source_only_for_keys_and_the_owners_for_the_page(
    sources: dict[str, Recorded],
) -> None:
    stack = await qtf_stack(sources)
    try:
        result = await page(stack, 5)
    finally:
        await stack.close()
    assert result["totalCount"] == 3 * PER_SOURCE and len(result["edges"]) == 5
    for source in sources.values():
        (search,) = source.asked["search"]
        query = orjson.loads(search)["query"]
        assert "mobiliteit" not in query and "bemiddelingspostcode" not in query, "phase 1 asks keys only"
        assert "idWerkzoekende" in query and "toestemmingen" in query
    owners = Counter(bron for bron, _ in records(stack, result))
    for name, source in sources.items():
        if name in owners:
            (asked,) = source.representations()  # one batched request per owner
            assert len(asked) == owners[name], "an owner is asked for its records of this page only"
            assert "mobiliteit" in orjson.loads(source.asked["entities"][0])["query"], "with the client's selection"
        else:
            assert source.asked["entities"] == []
    keys_bytes = sum(s.sent["search"] for s in sources.values())
    print(f"query-then-fetch: page 1 of 5 from {3 * PER_SOURCE} records: {keys_bytes} bytes of keys received")


async def test_page_two_asks_only_the_owners_of_its_records(sources: dict[str, Recorded]) -> None:
    stack = await qtf_stack(sources)
    try:
        first = await page(stack, 5)
        searches = calls(sources, "search")
        before = {name: len(s.asked["entities"]) for name, s in sources.items()}
        second = await page(stack, 5, first["pageInfo"]["endCursor"])
    finally:
        await stack.close()
    assert calls(sources, "search") == searches, "page 2 does not ask every organisation again"
    owners = Counter(bron for bron, _ in records(stack, second))
    asked = {name: s.representations()[before[name] :] for name, s in sources.items()}
    assert {name: sum(map(len, a)) for name, a in asked.items() if a} == dict(owners), (
        "only its owners, for its records"
    )
    assert all(len(a) <= 1 for a in asked.values()), "one request per owner"
    assert second["totalCount"] == first["totalCount"] and second["vraagID"] == first["vraagID"]


async def test_pages_together_are_the_one_big_page_in_the_same_order(sources: dict[str, Recorded]) -> None:
    stack = await qtf_stack(sources)
    try:
        shown: list[tuple[str, str]] = []
        result = await page(stack, 7)
        vraag_id = result["vraagID"]
        shown += records(stack, result)
        while result["pageInfo"]["hasNextPage"]:
            result = await page(stack, 7, result["pageInfo"]["endCursor"])
            shown += records(stack, result)
        big = await page(stack, 100)
        again = await page(stack, 100)
    finally:
        await stack.close()
    assert len(shown) == 3 * PER_SOURCE and len(set(shown)) == len(shown)
    assert big["vraagID"] != vraag_id
    assert sorted(shown) == sorted(records(stack, big)), "the pages hold the same records as one big page"
    assert records(stack, big) != records(stack, again), "the order is random per search"


async def test_a_page_expected_to_hold_every_record_asks_each_source_once(sources: dict[str, Recorded]) -> None:
    """Once the gateway has seen each organisation answer 8 records, a page of 50 is expected to
    hold them all: each source is asked once, with the client's fields, and nobody by `_entities`."""
    stack = await qtf_stack(sources)
    try:
        await page(stack, 5)  # organisations not asked yet: query-then-fetch
        searches, entities = calls(sources, "search"), calls(sources, "entities")
        whole = await page(stack, 50)
        again = await page(stack, 50)
    finally:
        await stack.close()
    assert calls(sources, "search") == searches + 2 * len(NAMES) and calls(sources, "entities") == entities
    for source in sources.values():
        assert "bemiddelingspostcode" in orjson.loads(source.asked["search"][-1])["query"], "the client's fields"
    assert whole["totalCount"] == 3 * PER_SOURCE and not whole["pageInfo"]["hasNextPage"]
    nodes = [edge["node"] for edge in whole["edges"]]
    assert len(nodes) == 3 * PER_SOURCE and all(n["mobiliteit"]["bemiddelingspostcode"] == "5612AB" for n in nodes)
    assert sorted(records(stack, whole)) == sorted((name, f"{name}-{i}") for name in NAMES for i in range(PER_SOURCE))
    assert records(stack, whole) != records(stack, again), "still in an order random per search"


async def test_a_source_grown_beyond_the_expected_page_still_pages_right() -> None:
    """The guess from the last answers is only a cost: a source that grew since makes the one-phase
    page hold fewer than all, and page 2 comes from the kept key list by `_entities`."""
    grown = InMemoryAdapter(consented(profiles("gemeente", 2)))
    sources = {"gemeente": recorded("gemeente", grown), "uwv": recorded("uwv")}
    stack = await qtf_stack(sources)
    try:
        await page(stack, 12)  # learns: 2 + 8
        grown.replace(consented(profiles("gemeente", 20)), [])
        first = await page(stack, 12)  # expected 10 <= 12: one phase, and 28 arrive
        entities = calls(sources, "entities")
        second = await page(stack, 12, first["pageInfo"]["endCursor"])
        third = await page(stack, 12, second["pageInfo"]["endCursor"])
    finally:
        await stack.close()
    assert first["totalCount"] == 28 and len(first["edges"]) == 12 and first["pageInfo"]["hasNextPage"]
    assert calls(sources, "entities") > entities, "page 2 fetched by key from its owners"
    shown = records(stack, first) + records(stack, second) + records(stack, third)
    assert len(shown) == 28 == len(set(shown)) and not third["pageInfo"]["hasNextPage"]


async def test_the_pages_order_is_the_one_of_their_search(sources: dict[str, Recorded]) -> None:
    stack = await qtf_stack(sources)
    try:
        first = await page(stack, 6)
        second = await page(stack, 6, first["pageInfo"]["endCursor"])
        stack.gateway.engine.keys.clear()  # type: ignore[union-attr]  # the same pages from phase 1 again
        second_again = await page(stack, 6, first["pageInfo"]["endCursor"])
    finally:
        await stack.close()
    assert records(stack, second) == records(stack, second_again), "stable across pages, with or without the list"
    assert not set(records(stack, first)) & set(records(stack, second))


class Withdrawing(InMemoryAdapter):
    """Consent withdrawn after the search found the profile: asked by key, it has none."""

    withdrawn: ClassVar[set[str]] = set()

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        record = await super().get_werkzoekende(id_werkzoekende)
        if record is not None and id_werkzoekende in self.withdrawn:
            return {key: value for key, value in record.items() if key != "toestemming"}
        return record


async def test_consent_withdrawn_between_the_phases_discloses_nothing() -> None:
    adapter = Withdrawing(consented(profiles("gemeente")))
    Withdrawing.withdrawn = {f"gemeente-{i}" for i in range(PER_SOURCE)}
    sources = {"gemeente": recorded("gemeente", adapter), "uwv": recorded("uwv")}
    stack = await qtf_stack(sources)
    try:
        result = await page(stack, 100)
    finally:
        await stack.close()
        Withdrawing.withdrawn = set()
    shown = records(stack, result)
    assert shown and all(bron == "uwv" for bron, _ in shown), "no profile whose consent is gone leaves"
    assert result["totalCount"] == 2 * PER_SOURCE, "the count is phase 1's"
    assert len(sources["gemeente"].representations()[0]) == PER_SOURCE, "asked, and refused at the source"


async def test_an_owner_failing_in_phase_two_is_named_and_the_rest_answered(sources: dict[str, Recorded]) -> None:
    sources["uwv"].fail_entities = True
    stack = await qtf_stack(sources)
    try:
        result = await page(stack, 100)
        first = await page(stack, 4)
        pages = [first]
        while pages[-1]["pageInfo"]["hasNextPage"]:
            pages.append(await page(stack, 4, pages[-1]["pageInfo"]["endCursor"]))
    finally:
        await stack.close()
    statuses = {b["bronID"]: b for b in result["bronnen"]}
    assert statuses["uwv"]["status"] == "ERROR" and "could not be fetched" in statuses["uwv"]["melding"]
    assert statuses["gemeente"]["status"] == "OK" and statuses["reintegratie"]["status"] == "OK"
    assert {bron for bron, _ in records(stack, result)} == {"gemeente", "reintegratie"}
    assert result["totalCount"] == 3 * PER_SOURCE
    paged = [r for p in pages for r in records(stack, p)]
    assert len(paged) == 2 * PER_SOURCE and len(set(paged)) == len(paged), "paging skips the left-out records once"
    assert len(pages) == -(-3 * PER_SOURCE // 4), "the cursors cover the left-out records too"


async def test_page_two_is_right_when_its_key_list_is_gone(sources: dict[str, Recorded]) -> None:
    stack = await qtf_stack(sources, search_cache_entries=1)
    try:
        first = await page(stack, 5)
        expected = await page(stack, 10, first["pageInfo"]["endCursor"])  # from the kept list
        await page(stack, 5)  # another search: the only place goes to it
        searches = calls(sources, "search")
        second = await page(stack, 5, first["pageInfo"]["endCursor"])
    finally:
        await stack.close()
    assert calls(sources, "search") == searches + len(NAMES), "phase 1 again, with the same vraagID"
    assert records(stack, second) == records(stack, expected)[:5]


def signing_key(tmp_path: Path) -> Path:
    path = tmp_path / "gateway-signing.pem"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    return path


def redis_url() -> str:
    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        need(f"Redis is not reachable at {url} (start it with `redis-server --daemonize yes`)")
    return url


async def test_two_gateways_share_a_search_s_key_list_through_redis(
    sources: dict[str, Recorded], tmp_path: Path
) -> None:
    shared = redis_url()
    stack = await qtf_stack(
        sources, search_cache_redis_url=shared, auth={"signing_key_file": str(signing_key(tmp_path))}
    )
    other = Gateway(stack.gateway.config)
    server = await LiveServer(create_http_app(other), **server_options(stack.gateway.config)).start(free_port())
    try:
        deadline = time.monotonic() + 10
        while not (other.ready and other.services.registry.checked) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        first = await page(stack, 5)
        searches = calls(sources, "search")
        async with stack.session.post(
            server.url,
            json={"query": PAGE, "variables": {**AREA, "first": 5, "after": first["pageInfo"]["endCursor"]}},
            headers=stack.issuer.headers(),
        ) as response:
            body = await response.json()
        client = redis.Redis.from_url(shared)
        kept = [client.get(k) for k in client.scan_iter("vum:keys:*")]
    finally:
        await server.stop()
        await stack.close()
    second = body["data"]["werkzoekendeProfielMatches"]
    assert "errors" not in body, body
    assert calls(sources, "search") == searches, "the other gateway read the list from Redis: no phase 1"
    assert len(second["edges"]) == 5 and second["vraagID"] == first["vraagID"]
    assert not set(records(stack, first)) & set(records(stack, second))
    assert kept and all(b"gemeente-" not in value and b"MATCHPROFIEL" not in value for value in kept if value), (
        "sealed in Redis: no record id or consent readable"
    )


async def test_a_tampered_cursor_is_refused_with_a_clear_code(sources: dict[str, Recorded]) -> None:
    stack = await qtf_stack(sources)
    try:
        first = await page(stack, 5)
        cursor = first["pageInfo"]["endCursor"]
        tampered = cursor[:-4] + ("AAAA" if cursor[-4:] != "AAAA" else "BBBB")
        body = await stack.query(PAGE, {**AREA, "first": 5, "after": tampered})
    finally:
        await stack.close()
    assert (body["data"] or {}).get("werkzoekendeProfielMatches") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a cursor" in body["errors"][0]["message"]


# -- the key lists themselves -------------------------------------------------------------------------


def key_list(count: int, prefix: str = "r") -> KeyList:
    keys = tuple(Key(f"{i:016x}", "gemeente", f"{prefix}{i}", frozenset({"MATCHPROFIEL"})) for i in range(count))
    return KeyList(keys, ({"bronID": "gemeente", "status": "OK", "aantal": count},), False)


async def test_key_lists_are_bounded_by_entries_bytes_and_time() -> None:
    now = [0.0]
    lists = KeyLists(b"k" * 32, entries=2, max_bytes=1024 * 1024, seconds=10, clock=lambda: now[0])
    for name in ("a", "b", "c"):
        await lists.put(name, key_list(3))
    assert await lists.get("a") is None and await lists.get("c") == key_list(3), "least recently used first"
    now[0] = 11
    assert await lists.get("c") is None, "expired"
    small = KeyLists(b"k" * 32, entries=100, max_bytes=key_list(100).size() + 10)
    await small.put("big", key_list(100))
    await small.put("small", key_list(1))
    assert await small.get("big") is None and await small.get("small") is not None
    assert small.bytes <= small.max_bytes


def test_a_key_list_s_size_is_not_less_than_the_memory_it_holds() -> None:
    """The byte bound counts an estimate (serialising 30,000 keys per search to weigh them cost a
    tenth of page 1): it must not undercount what a national search's list really holds."""
    sources = [f"organisatie-{i:03d}" for i in range(300)]
    consent = frozenset({"MATCHPROFIEL", "CONTACTGEGEVENS"})
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keys = [
            Key(f"{i * 2654435761 % 2**64:016x}", sources[i % 300], f"werkzoekende-{i:08d}", consent)
            for i in range(30_000)
        ]
        bronnen: tuple[dict[str, Any], ...] = tuple(
            {
                "bronID": s,
                "naam": f"Organisatie {s}",
                "oin": "0" * 20,
                "status": "OK",
                "aantal": 100,
                "maximumAantalResultatenBereikt": False,
                "duurMs": 12.5,
                "melding": None,
                "nietOndersteundeCriteria": [],
            }
            for s in sources
        )
        found = KeyList(tuple(sorted(keys)), bronnen, False)
        del keys
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert found.size() >= held, f"estimated {found.size()} bytes, held {held}"


async def test_a_key_list_in_redis_is_sealed_and_a_forged_one_ignored() -> None:
    url = redis_url()
    lists = KeyLists(b"k" * 32, redis_url=url)
    other = KeyLists(b"k" * 32, redis_url=url)  # another replica, same key material
    stranger = KeyLists(b"x" * 32, redis_url=url)
    try:
        name = lists.name("ab" * 16, "werkzoekende", MEDIATOR.oin, MEDIATOR.role, b"{}")
        await lists.put(name, key_list(5, "geheim-"))
        raw = redis.Redis.from_url(url).get("vum:keys:" + name)
        assert isinstance(raw, bytes) and b"geheim-" not in raw
        assert await other.get(name) == key_list(5, "geheim-")
        assert await stranger.get(name) is None, "another key opens nothing"
        redis.Redis.from_url(url).set("vum:keys:" + name, raw[:-1] + bytes([raw[-1] ^ 1]))
        assert await KeyLists(b"k" * 32, redis_url=url).get(name) is None, "a changed list is ignored"
    finally:
        for each in (lists, other, stranger):
            await each.close()
