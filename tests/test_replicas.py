"""Three gateway replicas share their state, tested for real: `vum-gateway serve` processes with
real configuration files behind a real HAProxy, the processing log in PostgreSQL, the detail quota
in Redis, and real subgraph processes over HTTP.

Each scenario is one thing a client relies on when it lands on any replica: a search paged across
replicas, one search's detail quota spent across replicas, and a replica killed under load (SIGKILL
and SIGTERM) without an answered disclosure missing from the log and with errors only for the
requests that were in flight on the killed replica; and one caller's rate limit, shared through
Redis, refusing on every replica once spent. New shared state (per-search state) is another
scenario on the same `Running` cluster. Figures go to the run's `measured` section.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import redis
from sqlalchemy import create_engine, text

from gateway.config import PseudonymConfig
from gateway.demo.runner import with_consent
from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from gateway.processing_log import SLOT, ProcessingLog, log_key, record_digest
from gateway.pseudonym import Pseudonymiser
from gateway.serving import free_port

from . import issuer as identity
from .cluster import REPLICA_HEADER, REQUEST_ID, Cluster, ClusterError, ClusterSpec, haproxy_binary
from .conftest import BEROEPEN, POSTCODES, fresh_database, need, report
from .issuer import AUDIENCE, ISSUER, MEDIATOR

ORGANISATIONS = (  # id, subgraph module, OIN
    ("gemeente-eindhoven", "subgraphs.sql", "00000001001172773000"),
    ("reintegratie-kempen", "subgraphs.bestand", "00000001001172773001"),
)
CODELIJSTEN_OIN = "00000001003214345001"
PROFILES_PER_ORGANISATION = 40
WIDE = {"selectiegebied": {"postcode": "5611AB", "afstand": 100}}
SEARCH = """query Zoek($s: WerkzoekendeSelectievraag!, $first: Int, $after: String) {
  werkzoekendeProfielMatches(selectievraag: $s, first: $first, after: $after) {
    vraagID totalCount bronnen { bronID status }
    edges { cursor bronID node { vumID bemiddelingsberoep { omschrijvingBeroepsnaam } } }
    pageInfo { hasNextPage endCursor } } }"""
DETAIL = "query D($v: ID!) { werkzoekendeProfiel(vumID: $v) { vumID bronID werkzoekende { idWerkzoekende } } }"
LOAD_BEFORE_KILL = 3.0  # seconds of load before the replica is killed
LOAD_AFTER_KILL = 4.0  # and after: HAProxy notices within ~1 s (two failed checks, 500 ms apart)
LOAD_WORKERS = 6
DRAIN_SECONDS = 2.0  # after SIGTERM a replica fails /ready this long; HAProxy takes it out within ~1 s


def redis_url() -> str:
    url = os.environ.get("VUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        need(f"Redis is not reachable at {url} (start it with `redis-server --daemonize yes`)")
    return url


# -- the cluster ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One request as the client saw it, and where HAProxy sent it."""

    request_id: str
    kind: str  # search, page or detail
    started: float
    ended: float = 0.0
    status: int = 0  # 0: no HTTP answer
    replica: str | None = None
    error: str | None = None  # a transport error, a non-200 status or a GraphQL error code
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.error is None

    def in_flight_at(self, moment: float) -> bool:
        return self.started <= moment <= self.ended


@dataclass
class Running:
    """The cluster and a client of it that keeps every request's outcome.

    The client opens a connection per request: a request that fails on a reused keep-alive
    connection is closed by HAProxy without an answer and without a log line (so that a browser
    may retry it), and every failure must be accounted for by HAProxy's log."""

    cluster: Cluster
    issuer: identity.TestIssuer
    subgraphs: list[asyncio.subprocess.Process]
    dsn: str
    pseudonyms: Pseudonymiser
    client: aiohttp.ClientSession
    log_key: bytes  # the processing log's, from the pseudonym key
    outcomes: list[Outcome] = field(default_factory=list)

    async def post(self, kind: str, payload: dict[str, Any]) -> Outcome:
        """One GraphQL request through HAProxy, accounted for by its request id."""
        outcome = Outcome(uuid.uuid4().hex, kind, time.monotonic())
        headers = {**self.issuer.headers(MEDIATOR), REQUEST_ID: outcome.request_id}
        try:
            async with self.client.post(self.cluster.url, json=payload, headers=headers) as response:
                outcome.status, outcome.replica = response.status, response.headers.get(REPLICA_HEADER)
                outcome.body = await response.json(content_type=None)
        except (aiohttp.ClientError, json.JSONDecodeError) as error:
            outcome.error = type(error).__name__
        outcome.ended = time.monotonic()
        if outcome.error is None and outcome.status != 200:
            outcome.error = f"HTTP {outcome.status}"
        if outcome.error is None and outcome.body.get("errors"):
            outcome.error = str(outcome.body["errors"][0].get("extensions", {}).get("code"))
        self.outcomes.append(outcome)
        return outcome

    async def search(self, first: int = 10, after: str | None = None) -> Outcome:
        return await self.post(
            "page" if after else "search", {"query": SEARCH, "variables": {"s": WIDE, "first": first, "after": after}}
        )

    async def detail(self, vumid: str) -> Outcome:
        return await self.post("detail", {"query": DETAIL, "variables": {"v": vumid}})


def matches(outcome: Outcome) -> dict[str, Any]:
    assert outcome.answered, (outcome.error, outcome.body)
    return outcome.body["data"]["werkzoekendeProfielMatches"]  # type: ignore[no-any-return]


def vumids(outcome: Outcome) -> list[str]:
    return [edge["node"]["vumID"] for edge in matches(outcome)["edges"]]


async def start_subgraph(
    module: str, args: list[str], port: int, log: Path, session: aiohttp.ClientSession
) -> asyncio.subprocess.Process:
    with log.open("ab") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, "--port", str(port), "--log-level", "warning", *args,
            stdout=handle, stderr=handle, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise ClusterError(f"{module} stopped during start; see {log}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                if response.status == 200:
                    return process
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise ClusterError(f"{module} did not answer /health within 60 s")


async def start_subgraphs(
    cluster: Cluster, work: Path
) -> tuple[list[dict[str, Any]], list[asyncio.subprocess.Process]]:
    """Two organisations (a database and a JSON export) and codelijsten, each its own process."""
    ids = [organisation[0] for organisation in ORGANISATIONS]
    data = generate(
        2026, ids, read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=PROFILES_PER_ORGANISATION
    )
    organisations, processes = [], []
    for (bron_id, module, oin), generated in zip(ORGANISATIONS, data, strict=True):
        records = work / f"{bron_id}.json"
        records.write_text(
            json.dumps(with_consent(generated.werkzoekenden, bron_id, everything=True)), encoding="utf-8"
        )
        port = free_port()
        args = ["--werkzoekenden", str(records), "--postcodes", str(POSTCODES), "--name", bron_id]
        args += ["--gateway-jwks", cluster.jwks_url, "--oin", oin]
        if module == "subgraphs.sql":
            args += ["--dsn", f"sqlite:///{work / bron_id}.sqlite"]
        processes.append(await start_subgraph(module, args, port, work / f"{bron_id}.log", cluster.session))
        organisations.append(
            {"id": bron_id, "name": bron_id, "oin": oin, "kind": "gemeente", "url": f"http://127.0.0.1:{port}/graphql"}
        )
    port = free_port()
    args = ["--beroepen", str(BEROEPEN), "--gateway-jwks", cluster.jwks_url, "--oin", CODELIJSTEN_OIN]
    processes.append(
        await start_subgraph("subgraphs.codelijsten", args, port, work / "codelijsten.log", cluster.session)
    )
    organisations.append(
        {
            "id": "codelijsten",
            "name": "Codelijsten",
            "oin": CODELIJSTEN_OIN,
            "kind": "codelijsten",
            "url": f"http://127.0.0.1:{port}/graphql",
        }
    )
    return organisations, processes


@pytest_asyncio.fixture(scope="module")
async def running(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    if haproxy_binary() is None:
        need("HAProxy is not installed (apt-get install haproxy)")
    quota = redis_url()
    work = tmp_path_factory.mktemp("replicas")
    issuer = await identity.TestIssuer().start()
    databases = fresh_database(postgres_server)
    dsn = next(databases)
    spec = ClusterSpec(
        work,
        organisations=[],
        issuer={"issuer": ISSUER, "jwks_url": issuer.jwks_url, "audience": AUDIENCE},
        processing_log_dsn=dsn,
        quota_redis_url=quota,
        gateway={"shutdown_delay": DRAIN_SECONDS},
    )
    cluster = Cluster(spec)
    subgraphs: list[asyncio.subprocess.Process] = []
    try:
        await cluster.start_haproxy()
        spec.organisations, subgraphs = await start_subgraphs(cluster, work)
        cluster.write_configuration()
        await cluster.start_replicas()
        key = (work / "secrets" / "pseudonym-key").read_text().strip()
        keys = PseudonymConfig(key=key).keys()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
            yield Running(cluster, issuer, subgraphs, dsn, Pseudonymiser(keys), client, log_key(keys[0]))
    except ClusterError as error:
        pytest.fail(f"{error}\n{cluster.logs()}")
    finally:
        await cluster.stop()
        for process in subgraphs:
            process.terminate()
            await process.wait()
        await issuer.server.stop()
        next(databases, None)  # drops the database


# -- scenarios --------------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_replicas_starting_together_on_an_empty_database_all_start(postgres_server: str) -> None:
    for dsn in fresh_database(postgres_server):
        logs = [ProcessingLog(dsn, retention_days=30, key=b"k" * 32) for _ in range(6)]
        try:
            await asyncio.gather(*(log.start() for log in logs))  # six threads race to create the tables
        finally:
            for log in logs:
                log.close()


async def test_a_search_is_paged_across_replicas(running: Running) -> None:
    pages = [await running.search(first=7)]
    while matches(pages[-1])["pageInfo"]["hasNextPage"]:
        pages.append(await running.search(first=7, after=matches(pages[-1])["pageInfo"]["endCursor"]))
    served_by = [page.replica for page in pages]
    assert all(a != b for a, b in itertools.pairwise(served_by)), f"round robin: {served_by}"
    assert set(served_by) == {r.name for r in running.cluster.replicas}
    assert len({matches(page)["vraagID"] for page in pages}) == 1
    edges = [edge for page in pages for edge in matches(page)["edges"]]
    records = [running.pseudonyms.open("werkzoekende", edge["node"]["vumID"]) for edge in edges]
    total = matches(pages[0])["totalCount"]
    # every record exactly once over the pages: one order for the whole search, whichever replica
    # served a page (cursors are opaque, so the order shows only in what the pages hold)
    assert len({(r.bron_id, r.record_id) for r in records}) == len(records) == total > 3 * 7
    assert {r.bron_id for r in records} == {organisation[0] for organisation in ORGANISATIONS}
    assert len({edge["cursor"] for edge in edges}) == len(edges)
    # a vumID issued by one replica opens on every other one
    details = [await running.detail(edge["node"]["vumID"]) for edge in matches(pages[0])["edges"][:6]]
    assert all(d.answered for d in details), [d.error for d in details]
    assert {d.replica for d in details} - {pages[0].replica}, "some details land on another replica"
    for detail, record in zip(details, records, strict=False):
        assert detail.body["data"]["werkzoekendeProfiel"]["werkzoekende"]["idWerkzoekende"] == record.record_id
    report(f"replicas: one search paged over {len(pages)} pages served by {', '.join(map(str, served_by))}; "
           f"vumIDs from {pages[0].replica} opened on {', '.join(sorted({str(d.replica) for d in details}))}")  # fmt: skip


async def test_one_searchs_detail_quota_is_spent_across_replicas(running: Running) -> None:
    search = await running.search(first=20)
    ids = vumids(search)
    spent = [await running.detail(vumid) for vumid in ids[:10]]
    assert all(d.answered for d in spent), [d.error for d in spent]
    eleventh = [await running.detail(ids[10]) for _ in running.cluster.replicas]
    assert {d.error for d in eleventh} == {"QUOTA_EXCEEDED"}
    assert {d.replica for d in eleventh} == {r.name for r in running.cluster.replicas}, "refused wherever it lands"
    again = [await running.detail(ids[0]) for _ in running.cluster.replicas]
    assert all(d.answered for d in again), "the same profile again does not count twice, on any replica"
    # ten and no more, even when twenty lookups race over three replicas
    racing = vumids(await running.search(first=20))
    raced = await asyncio.gather(*(running.detail(vumid) for vumid in racing))
    outcome = Counter(d.error or "OK" for d in raced)
    assert outcome == {"OK": 10, "QUOTA_EXCEEDED": 10}, outcome
    spread = Counter(str(d.replica) for d in spent)
    report(f"replicas: detail quota shared: 10 details over {dict(sorted(spread.items()))}, the 11th refused "
           f"on {len(eleventh)} replicas; 20 racing lookups: {outcome['OK']} answered, {outcome['QUOTA_EXCEEDED']} refused")  # fmt: skip


async def load(running: Running, stop: asyncio.Event) -> None:
    """One client: search, a detail from it, the next page; again until `stop`."""
    while not stop.is_set():
        search = await running.search()
        if not search.answered:
            continue
        found = matches(search)
        if found["edges"]:
            await running.detail(found["edges"][0]["node"]["vumID"])
        if found["pageInfo"]["hasNextPage"]:
            await running.search(after=found["pageInfo"]["endCursor"])


def logged_disclosures(dsn: str) -> set[tuple[bytes, str]]:
    """(record hash, soort) of every record in the log: the log holds no vumIDs, only keyed hashes."""
    engine = create_engine(dsn)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT soort, inzage FROM verwerking")).all()
    engine.dispose()
    return {
        (SLOT.unpack_from(row.inzage, at)[0], row.soort) for row in rows for at in range(0, len(row.inzage), SLOT.size)
    }


def answered_disclosures(running: Running, outcomes: list[Outcome]) -> set[tuple[bytes, str]]:
    """(record hash, soort) of every record answered: its vumID opened, hashed as the log does."""
    disclosed = set()
    for outcome in outcomes:
        if not outcome.answered:
            continue
        if outcome.kind == "detail":
            found = [(outcome.body["data"]["werkzoekendeProfiel"]["vumID"], "DETAIL")]
        else:
            found = [(vumid, "ZOEKRESULTAAT") for vumid in vumids(outcome)]
        for vumid, soort in found:
            record = running.pseudonyms.open("werkzoekende", vumid)
            disclosed.add((record_digest(running.log_key, record.bron_id, record.record_id), soort))
    return disclosed


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
async def test_a_replica_killed_under_load(running: Running, signum: signal.Signals) -> None:
    """SIGKILL: only the requests in flight on the killed replica fail. SIGTERM: none fails (the
    replica drains: it fails /ready, HAProxy takes it out, then it finishes what it has)."""
    cluster = running.cluster
    victim = cluster.replica("gw2")
    assert victim.process is not None
    if victim.process.returncode is not None:  # an earlier scenario failed before restarting it
        await cluster.restart(victim)
        assert victim.process is not None
    first = len(running.outcomes)
    stop = asyncio.Event()
    clients = [asyncio.create_task(load(running, stop)) for _ in range(LOAD_WORKERS)]
    await asyncio.sleep(LOAD_BEFORE_KILL)
    killed_at = time.monotonic()
    victim.signal(signum)
    exit_code = await victim.process.wait()
    exited_at = time.monotonic()
    await asyncio.sleep(max(0.0, LOAD_AFTER_KILL - (exited_at - killed_at)))
    stop.set()
    await asyncio.gather(*clients)
    outcomes = running.outcomes[first:]
    logged = await cluster.haproxy.logged_all(o.request_id for o in outcomes)
    missing = [o for o in outcomes if o.request_id not in logged]
    assert not missing, f"HAProxy logs every request; not: {[(o.kind, o.error) for o in missing]}"
    # in flight on the victim: sent to it, and not answered before it began to stop
    in_flight = [
        o for o in outcomes
        if logged[o.request_id].replica == victim.name and o.started <= exited_at and o.ended >= killed_at
    ]  # fmt: skip
    errors = [o for o in outcomes if not o.answered]
    unexplained = [(o.kind, o.error, logged[o.request_id]) for o in errors if o not in in_flight]
    assert not unexplained, f"errors for requests that were not in flight on {victim.name}: {unexplained}"
    if signum == signal.SIGTERM:
        assert not errors, f"a drained replica fails no request: {[(o.kind, o.error) for o in errors]}"
    after = [o for o in outcomes if o.started > exited_at]
    assert after and {logged[o.request_id].replica for o in after} == {r.name for r in cluster.replicas} - {victim.name}
    answered = answered_disclosures(running, outcomes)
    lost = answered - logged_disclosures(running.dsn)
    assert not lost, f"{len(lost)} answered disclosures are not in the processing log"
    redispatched = sum(1 for o in outcomes if logged[o.request_id].retries.startswith("+"))
    report(f"replicas: {signum.name} of {victim.name} under load ({LOAD_WORKERS} clients, exit {exit_code} after "
           f"{exited_at - killed_at:.1f} s): {len(outcomes)} requests, {len(in_flight)} in flight on {victim.name}, "
           f"{len(errors)} errors (all in flight there), {redispatched} redispatched; {len(answered)} answered "
           f"disclosures, none missing from the processing log")  # fmt: skip
    await cluster.restart(victim)
    back = [await running.search(first=1) for _ in cluster.replicas]
    assert victim.name in {o.replica for o in back}, "the restarted replica serves again"


# -- a rate limit shared by the replicas (its own small cluster: the others' load must not meet it) --

RATE_BURST = 6
RATE_PER_SECOND = 0.2  # one request every 5 s: within this scenario the bucket refills at most once


@pytest_asyncio.fixture(scope="module")
async def limited(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """Three replicas without sources whose per-caller buckets live in one Redis."""
    if haproxy_binary() is None:
        need("HAProxy is not installed (apt-get install haproxy)")
    shared = redis_url()
    issuer = await identity.TestIssuer().start()
    databases = fresh_database(postgres_server)
    spec = ClusterSpec(
        tmp_path_factory.mktemp("rate-limit"),
        organisations=[],
        issuer={"issuer": ISSUER, "jwks_url": issuer.jwks_url, "audience": AUDIENCE},
        processing_log_dsn=next(databases),
        quota_redis_url=shared,
        rate_limit={"burst": RATE_BURST, "requests_per_second": RATE_PER_SECOND, "redis_url": shared},
    )
    cluster = Cluster(spec)
    try:
        await cluster.start_haproxy()
        await cluster.start_replicas()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
            yield Running(
                cluster, issuer, [], spec.processing_log_dsn, Pseudonymiser([b"k" * 32]), client, log_key(b"k" * 32)
            )
    except ClusterError as error:
        pytest.fail(f"{error}\n{cluster.logs()}")
    finally:
        await cluster.stop()
        await issuer.server.stop()
        next(databases, None)


async def test_one_callers_rate_limit_is_shared_across_replicas(limited: Running) -> None:
    caller = replace(MEDIATOR, subject=f"burst-{uuid.uuid4().hex[:12]}")  # a bucket no earlier run filled
    headers = limited.issuer.headers(caller)
    answers: list[tuple[int, str | None]] = []
    for _ in range(2 * RATE_BURST):  # round robin: with a bucket per replica, each would answer all of its 4
        async with limited.client.post(limited.cluster.url, json={"query": "{ __typename }"}, headers=headers) as r:
            answers.append((r.status, r.headers.get(REPLICA_HEADER)))
    answered = [replica for status, replica in answers if status == 200]
    refused = [replica for status, replica in answers if status == 429]
    assert len(answered) + len(refused) == len(answers), answers
    assert RATE_BURST <= len(answered) <= RATE_BURST + 1, answers  # the burst, plus at most one refill
    assert len(set(refused)) >= 2, f"refused by one bucket on several replicas: {answers}"
    report(f"replicas: one caller's rate limit shared through Redis: {len(answers)} requests round robin over "
           f"3 replicas, {len(answered)} answered (burst {RATE_BURST}), {len(refused)} refused (429) by "
           f"{', '.join(sorted(map(str, set(refused))))}")  # fmt: skip
