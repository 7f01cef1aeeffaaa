"""The processing log's compact layout: one row per request, records only as keyed hashes,
`verwerkingen` an indexed lookup (keys indexed in bulk, queued entries found as well); on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

import gateway.processing_log
from gateway.processing_log import SLOT, Disclosure, Entry, LogUnavailable, ProcessingLog, log_key, record_digest
from gateway.pseudonym import Pseudonymiser, RecordRef
from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import fresh_database
from .stack import Source, organisation_app, start_stack
from .test_consent import AREA, SEARCH, people

KEY = log_key(b"p" * 32)
ANJA = ("anja", "1" * 20)
BART = ("bart", "2" * 20)
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def dsn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'verwerkingen.sqlite'}"
    else:
        yield from fresh_database(request.getfixturevalue("postgres_server"))


def entry(who: tuple[str, str], vraag_id: str, disclosures: list[Disclosure], *, at: datetime.datetime = NOW) -> Entry:
    return Entry(at, who[0], who[1], "arbeidsbemiddeling", vraag_id, "ZOEKRESULTAAT", tuple(disclosures))


def profiles(count: int, bron_id: str = "gemeente") -> list[Disclosure]:
    return [Disclosure(bron_id, f"werkzoekende-{i}", frozenset({"MATCHPROFIEL"})) for i in range(count)]


async def started(dsn: str) -> ProcessingLog:
    log = ProcessingLog(dsn, retention_days=30, key=KEY)
    await log.start()
    return log


async def writer_done(log: ProcessingLog) -> None:
    """Until the log's writer has finished what it does after the answers went out (indexing)."""
    if log._writer is not None:
        await log._writer


def count(log: ProcessingLog, query: str) -> int:
    with log.engine.connect() as connection:
        return int(connection.execute(text(query)).scalar_one())


def file_bytes(directory: Path, prefix: str) -> bytes:
    """Every byte of a SQLite database on disk: its file, write-ahead log and shared memory."""
    return b"".join(p.read_bytes() for p in sorted(directory.iterdir()) if p.name.startswith(prefix))


async def test_a_request_that_discloses_a_hundred_profiles_is_one_row(dsn: str) -> None:
    log = await started(dsn)
    try:
        found = [*profiles(60), *profiles(40, "uwv")]
        await log.append([entry(ANJA, "q1", found)])
        assert count(log, "SELECT count(*) FROM verwerking") == 1
        with log.engine.connect() as connection:
            row = connection.execute(text("SELECT organisaties, categorieen, inzage FROM verwerking")).one()
        inzage = bytes(row.inzage)
        assert len(inzage) == 100 * SLOT.size == 3600, "36 bytes per disclosed profile"
        slots = [SLOT.unpack_from(inzage, at) for at in range(0, len(inzage), SLOT.size)]
        assert slots[0][0] == record_digest(KEY, "gemeente", "werkzoekende-0")
        assert {s[1] for s in slots[:60]} == {0} and {s[1] for s in slots[60:]} == {1}
        assert row.organisaties == '["gemeente","uwv"]' and row.categorieen == '["MATCHPROFIEL"]'
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 1, "its keys are indexed later, in bulk"
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 0
        assert await log.index() == 1
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 100, "one index key per profile"
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 0
    finally:
        log.close()


async def test_who_saw_a_profile_is_found_by_its_hash_with_the_categories_each_saw(dsn: str) -> None:
    log = await started(dsn)
    try:
        henk = Disclosure("gemeente", "henk", frozenset({"MATCHPROFIEL", "CONTACTGEGEVENS"}))
        jessica = Disclosure("gemeente", "jessica", frozenset({"MATCHPROFIEL"}))
        later = NOW + datetime.timedelta(minutes=5)
        detail = Entry(
            later, *BART, "arbeidsbemiddeling", "q2", "DETAIL", (Disclosure("gemeente", "henk", frozenset({"CV"})),)
        )
        await log.append([entry(ANJA, "q1", [jessica, henk, *profiles(20)]), detail])
        await log.append([entry(BART, "q3", profiles(5), at=later + datetime.timedelta(minutes=1))])
        for state in ("queued", "indexed", "partly indexed"):
            seen = await log.seen("gemeente", "henk")
            assert [(s.afnemer, s.vraag_id, s.soort, s.categorieen) for s in seen] == [
                ("anja", "q1", "ZOEKRESULTAAT", ("CONTACTGEGEVENS", "MATCHPROFIEL")),
                ("bart", "q2", "DETAIL", ("CV",)),
            ], state
            assert seen[0].tijdstip == NOW and seen[0].afnemer_oin == "1" * 20
            assert seen[0].doelbinding == "arbeidsbemiddeling"
            assert [s.categorieen for s in await log.seen("gemeente", "jessica")] == [("MATCHPROFIEL",)]
            assert [s.vraag_id for s in await log.seen("gemeente", "werkzoekende-3")] == ["q1", "q3"], state
            assert await log.seen("uwv", "henk") == [], "the organisation is part of the record's identity"
            assert await log.seen("gemeente", "niemand") == []
            if state == "queued":
                await log.index()
            else:  # one more entry queued beside the indexed ones
                await log.append([entry(ANJA, "q4", profiles(1, "uwv"), at=later + datetime.timedelta(minutes=2))])
    finally:
        log.close()


async def test_the_log_holds_neither_vumids_nor_record_ids_only_keyed_hashes(tmp_path: Path) -> None:
    database = tmp_path / "verwerkingen.sqlite"
    log = await started(f"sqlite:///{database}")
    record = "henk-de-vries-4711"
    vumid = Pseudonymiser([b"p" * 32]).issue("werkzoekende", RecordRef("gemeente", record, "q1", ANJA[1]))
    await log.append([entry(ANJA, "q1", [Disclosure("gemeente", record, frozenset({"MATCHPROFIEL"})), *profiles(3)])])
    assert [s.vraag_id for s in await log.seen("gemeente", record)] == ["q1"]
    log.close()
    stored = file_bytes(tmp_path, "verwerkingen.sqlite")
    assert b"anja" in stored, "the scan reads what was written"
    for secret in (vumid, record, "werkzoekende-1"):
        assert secret.encode() not in stored, f"{secret!r} is in the log's file"
    digest = record_digest(KEY, "gemeente", record)
    assert digest in stored and digest != record_digest(log_key(b"q" * 32), "gemeente", record), "keyed"
    with sqlite3.connect(database) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(verwerking)")}
    assert not {"vum_id", "record_id", "record_key"} & columns


async def test_a_search_through_the_gateway_leaves_no_vumid_in_the_log() -> None:
    gemeente, _, _ = people()
    stack = await start_stack([Source("gemeente", organisation_app(InMemoryAdapter(gemeente), "gemeente"))])
    try:
        body = await stack.query(SEARCH, {"s": AREA})
        vumids = [edge["node"]["vumID"] for edge in body["data"]["werkzoekendeProfielMatches"]["edges"]]
        records = [stack.open_vumid("werkzoekende", vumid).record_id for vumid in vumids]
        assert len(vumids) > 5
        log = stack.gateway.processing_log
        assert count(log, "SELECT count(*) FROM verwerking") == 1, "one row for the whole search"
        raw = log.engine.raw_connection()  # the in-memory database, as the bytes of its file
        try:
            stored = raw.driver_connection.serialize()  # type: ignore[union-attr]
        finally:
            raw.close()
        assert b"arbeidsbemiddeling" in stored, "the scan reads what was written"
        for secret in [*vumids, *(r for r in records if len(r) >= 6)]:
            assert secret.encode() not in stored, f"{secret!r} is in the processing log"
        assert len(await log.seen("gemeente", records[0])) == 1
    finally:
        await stack.close()


async def test_a_log_of_the_old_layout_is_refused_at_start_with_what_to_do(dsn: str) -> None:
    engine = create_engine(dsn)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE verwerking (id INTEGER PRIMARY KEY, soort VARCHAR(20))"))
        connection.execute(text("CREATE TABLE verwerking_inzage (verwerking_id INTEGER, vum_id VARCHAR(500))"))
    engine.dispose()
    log = ProcessingLog(dsn, retention_days=30, key=KEY)
    with pytest.raises(LogUnavailable) as refused:
        await log.start()
    log.close()
    message = str(refused.value)
    assert "table verwerking_inzage" in message and "configure a new processing_log.dsn" in message, message


async def test_concurrent_writers_on_one_database_lose_nothing(dsn: str) -> None:
    """Two replicas (two logs on one database), each with many requests appending at once."""
    logs = [await started(dsn) for _ in range(2)]
    try:
        everyone = [(f"afnemer-{i}", f"{i:020d}") for i in range(8)]

        async def searches(log: ProcessingLog, who: tuple[str, str]) -> None:
            for n in range(10):
                await log.append([entry(who, f"{who[0]}-{n}", profiles(25))])

        await asyncio.gather(*(searches(logs[i % 2], who) for i, who in enumerate(everyone)))
        assert count(logs[0], "SELECT count(*) FROM verwerking") == 80
        seen = await logs[1].seen("gemeente", "werkzoekende-7")
        assert len(seen) == 80 and {s.afnemer for s in seen} == {who[0] for who in everyone}
        await asyncio.gather(*(log.index() for log in logs))  # both replicas index at once
        assert count(logs[0], "SELECT count(*) FROM verwerking_sleutel") == 80 * 25
        assert count(logs[0], "SELECT count(*) FROM verwerking_wachtrij") == 0
        assert len(await logs[0].seen("gemeente", "werkzoekende-7")) == 80
    finally:
        for log in logs:
            log.close()


async def test_retention_removes_old_requests_and_their_index_keys(dsn: str) -> None:
    log = await started(dsn)
    try:
        old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=31)
        await log.append([entry(ANJA, "old", profiles(10), at=old)])
        await log.append([entry(BART, "new", profiles(3), at=datetime.datetime.now(datetime.UTC))])
        await log.index()
        await log.append([entry(ANJA, "old, queued", profiles(10), at=old)])
        await log.purge()
        assert [s.vraag_id for s in await log.seen("gemeente", "werkzoekende-1")] == ["new"]
        assert await log.seen("gemeente", "werkzoekende-5") == []
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 3
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 0
    finally:
        log.close()


async def test_the_lookup_by_record_uses_the_primary_key_index(tmp_path: Path) -> None:
    log = await started(f"sqlite:///{tmp_path / 'verwerkingen.sqlite'}")
    try:
        with log.engine.connect() as connection:
            plan = connection.execute(
                text("EXPLAIN QUERY PLAN SELECT verwerking_id FROM verwerking_sleutel WHERE record_hash = :h"),
                {"h": 4711},
            ).all()
        assert any("USING PRIMARY KEY" in str(row) for row in plan), plan
    finally:
        log.close()


async def test_the_writer_indexes_the_queue_in_bulk_as_requests_are_logged(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway.processing_log, "INDEX_AFTER", 5)
    log = await started(dsn)
    try:
        for n in range(4):
            await log.append([entry(ANJA, f"q{n}", profiles(10))])
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 0, "fewer than INDEX_AFTER: queued"
        await asyncio.gather(*(log.append([entry(BART, f"r{n}", profiles(10))]) for n in range(3)))
        await writer_done(log)
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 0, "the fifth entry set off the indexing"
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 7 * 10
        assert len(await log.seen("gemeente", "werkzoekende-9")) == 7
    finally:
        log.close()


async def test_a_record_disclosed_twice_in_one_request_is_indexed_once(dsn: str) -> None:
    log = await started(dsn)
    try:
        twice = [*profiles(3), *profiles(3)]
        await log.append([entry(ANJA, "q1", twice)])
        assert await log.index() == 1
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 3
        seen = await log.seen("gemeente", "werkzoekende-1")
        assert [s.vraag_id for s in seen] == ["q1", "q1"], "found through the index, each disclosure as logged"
    finally:
        log.close()


async def test_entries_queued_when_a_gateway_stopped_are_indexed_by_the_next(dsn: str) -> None:
    crashed = await started(dsn)
    await crashed.append([entry(ANJA, "q1", profiles(10))])
    crashed.engine.dispose()  # gone without `close`, which would have indexed it
    log = await started(dsn)
    try:
        assert [s.vraag_id for s in await log.seen("gemeente", "werkzoekende-2")] == ["q1"]
        log.close()
        assert count(log, "SELECT count(*) FROM verwerking_sleutel") == 10, "indexed at the clean stop"
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 0
    finally:
        log.close()


async def test_a_failed_indexing_loses_nothing_and_fails_no_request(
    dsn: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(gateway.processing_log, "INDEX_AFTER", 1)

    def broken(connection: object) -> int:
        raise OperationalError("INSERT INTO verwerking_sleutel", {}, Exception("disk I/O error"))

    log = await started(dsn)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(gateway.processing_log, "_index_chunk", broken)
            await log.append([entry(ANJA, "q1", profiles(3))])
            await log.append([entry(BART, "q2", profiles(3))])
            await writer_done(log)
        assert "record keys not indexed yet (OperationalError); they stay queued" in caplog.text
        assert count(log, "SELECT count(*) FROM verwerking_wachtrij") == 2
        assert [s.vraag_id for s in await log.seen("gemeente", "werkzoekende-1")] == ["q1", "q2"]
        assert await log.index() == 2
        assert [s.vraag_id for s in await log.seen("gemeente", "werkzoekende-1")] == ["q1", "q2"]
    finally:
        log.close()
