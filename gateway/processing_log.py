"""The processing log (verwerkingenlog): who saw which profile, when, why, which categories.

Every disclosure is appended before the answer leaves the gateway; when the entry cannot be
written, the answer is not sent (fail closed). SQLite by default, PostgreSQL by DSN, with a
retention period.

One compact row per request (`verwerking`): who asked, when, why, and in one binary column
(`inzage`) what left, 36 bytes per record: a keyed hash of (bronID, record id) (32 bytes, BLAKE2b
with the log key as a MAC), the index of its organisation in the row's list (2 bytes) and a bitmask
over the row's list of categories (2 bytes). Beside it `verwerking_sleutel` holds (record hash,
verwerking id) under a primary key, so `verwerkingen(vumID)` stays an indexed lookup; its record
hash is the first 8 bytes of the 32 as an integer (a small index, cheap appends), and a lookup
checks the full hash in `inzage`. The log holds no vumIDs and no source ids in the clear: without
the key a hash names no one.

The record keys are indexed in bulk, not per request. A request's row commits with its id in
`verwerking_wachtrij`, and every `INDEX_AFTER` entries the writer moves the queued rows' keys into
`verwerking_sleutel`, sorted, in one transaction. Keys of different records are random, so a
request's hundred keys inserted at once dirtied about a hundred pages of the index, all written at
its commit: 1.45 ms of CPU and 752 KiB written per request of 100 records on SQLite; in bulk
0.50 ms and 38 KiB (December 2026). A lookup reads the index and the queue (under `INDEX_AFTER` rows
while indexing works), so an entry is found the moment it is committed.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

log = logging.getLogger("vum.verwerkingen")

SCHEMA_LOCK = int.from_bytes(hashlib.blake2b(b"vum-verwerkingen-schema", digest_size=8).digest(), "big", signed=True)

DIGEST = 32  # bytes of a record's keyed hash
SLOT = struct.Struct(">32sHH")  # one disclosed record in `inzage`: hash, organisation index, categories
SLOT_KEY = struct.Struct(f">q{SLOT.size - 8}x")  # the same slot read as its `index_key` alone
MAX_CATEGORIES = 16  # bits of the mask

metadata = MetaData()
verwerking = Table(
    "verwerking",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False, index=True),
    Column("afnemer", String(200), nullable=False),
    Column("afnemer_oin", String(20), nullable=False),
    Column("doelbinding", String(100), nullable=False),
    Column("vraag_id", String(100), nullable=False),
    Column("soort", String(20), nullable=False),
    Column("organisaties", Text, nullable=False),  # JSON list: the bronIDs the slots point into
    Column("categorieen", Text, nullable=False),  # JSON list: the categories the slots' bits name
    Column("inzage", LargeBinary, nullable=False),  # SLOT per disclosed record
)
sleutel = Table(
    "verwerking_sleutel",
    metadata,
    Column("record_hash", BigInteger, primary_key=True),  # `index_key` of the record's hash
    Column("verwerking_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree, appends write it once
)
wachtrij = Table(  # entries whose keys are not in `verwerking_sleutel` yet
    "verwerking_wachtrij",
    metadata,
    Column("verwerking_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
)
INDEX_AFTER = 1024  # entries appended before the writer indexes the queue (fewer pages written per key)
INDEX_CHUNK = 2048  # entries indexed in one transaction at most
INDEX_LOCK = int.from_bytes(hashlib.blake2b(b"vum-verwerkingen-index", digest_size=8).digest(), "big", signed=True)
OLD_TABLES = {"verwerking_inzage": "one row per disclosed profile, with vumIDs"}

_HEAD = "tijdstip, afnemer, afnemer_oin, doelbinding, vraag_id, soort, organisaties, categorieen, inzage"
SQLITE_VERWERKING = f"INSERT INTO verwerking ({_HEAD}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
SQLITE_WACHTRIJ = "INSERT INTO verwerking_wachtrij (verwerking_id) VALUES (?)"
SQLITE_SLEUTEL = "INSERT OR IGNORE INTO verwerking_sleutel (record_hash, verwerking_id) VALUES (?, ?)"
SQLITE_INDEXED = "DELETE FROM verwerking_wachtrij WHERE verwerking_id = ?"
POSTGRES_IDS = "SELECT nextval(pg_get_serial_sequence('verwerking', 'id')) FROM generate_series(1, %s)"
POSTGRES_VERWERKING = (
    f"INSERT INTO verwerking (id, {_HEAD}) SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], "
    "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bytea[])"
)
POSTGRES_WACHTRIJ = "INSERT INTO verwerking_wachtrij (verwerking_id) SELECT * FROM unnest(%s::bigint[])"
POSTGRES_SLEUTEL = (
    "INSERT INTO verwerking_sleutel (record_hash, verwerking_id) SELECT * FROM unnest(%s::bigint[], %s::bigint[]) "
    "ON CONFLICT DO NOTHING"
)
POSTGRES_INDEXED = "DELETE FROM verwerking_wachtrij WHERE verwerking_id = ANY(%s::bigint[])"


def log_key(pseudonym_key: bytes) -> bytes:
    """The log's own key, derived from the pseudonym key (one secret to keep, two uses kept apart)."""
    return hashlib.blake2b(b"vum-verwerkingen", key=pseudonym_key, digest_size=32).digest()


def record_digest(key: bytes, bron_id: str, record_id: str) -> bytes:
    """A keyed hash (BLAKE2b as a MAC) of one record: findable with the key, opaque without."""
    return hashlib.blake2b(f"{bron_id}\x1f{record_id}".encode(), key=key, digest_size=DIGEST).digest()


def index_key(digest: bytes) -> int:
    """A record hash as `verwerking_sleutel` indexes it: its first 8 bytes, a signed integer."""
    return int.from_bytes(digest[:8], "big", signed=True)


class LogUnavailable(Exception):
    """The log could not be written (or read); nothing may be disclosed."""


@dataclass(frozen=True)
class Disclosure:
    """One profile as it left the gateway."""

    bron_id: str
    record_id: str
    categories: frozenset[str]


@dataclass(frozen=True)
class Entry:
    """One request's disclosures."""

    tijdstip: datetime.datetime
    afnemer: str
    afnemer_oin: str
    doelbinding: str
    vraag_id: str
    soort: str  # ZOEKRESULTAAT or DETAIL
    disclosures: tuple[Disclosure, ...]


@dataclass(frozen=True)
class Seen:
    """One disclosure of one profile, as `verwerkingen` answers it."""

    tijdstip: datetime.datetime
    afnemer: str
    afnemer_oin: str
    doelbinding: str
    vraag_id: str
    soort: str
    categorieen: tuple[str, ...]


class ProcessingLog:
    """Appends and reads entries in a worker thread (SQLAlchemy Core on SQLite or PostgreSQL)."""

    def __init__(self, dsn: str, retention_days: int, key: bytes) -> None:
        memory = dsn in ("sqlite://", "sqlite:///:memory:")
        options = (
            {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
            if memory
            else {"pool_pre_ping": True}
        )
        self.engine = create_engine(dsn, **options)
        if self.engine.url.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_wal)
        self.retention = datetime.timedelta(days=retention_days)
        self.key = key
        self._hasher = hashlib.blake2b(key=key, digest_size=DIGEST)  # copied per record: the key is set up once
        self._pending: list[tuple[list[Entry], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._queued = 0  # entries appended (or found queued at start) since the writer last indexed

    def record_hash(self, bron_id: str, record_id: str) -> bytes:
        """`record_digest` under this log's key."""
        return record_digest(self.key, bron_id, record_id)

    async def start(self) -> None:
        await asyncio.to_thread(self._create_and_purge)

    def _create_and_purge(self) -> None:
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas that start together on an empty database: one creates the tables, the
                # others wait for its transaction and find them (else: "relation already exists").
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            _check_layout(connection)
            metadata.create_all(connection)
            self._queued = connection.execute(select(func.count()).select_from(wachtrij)).scalar_one()
        self._purge()

    def _purge(self) -> None:
        cutoff = datetime.datetime.now(datetime.UTC) - self.retention
        with self.engine.begin() as connection:
            old = select(verwerking.c.id).where(verwerking.c.tijdstip < cutoff)
            connection.execute(delete(sleutel).where(sleutel.c.verwerking_id.in_(old)))
            connection.execute(delete(wachtrij).where(wachtrij.c.verwerking_id.in_(old)))
            removed = connection.execute(delete(verwerking).where(verwerking.c.tijdstip < cutoff)).rowcount
        if removed:
            log.info("retention: removed %d entries older than %d days", removed, self.retention.days)

    async def purge(self) -> None:
        await asyncio.to_thread(self._purge)

    async def append(self, entries: Sequence[Entry]) -> None:
        """Write the entries durably, or raise `LogUnavailable`.

        Group commit: requests that append while a transaction is being written wait for the next
        one, which writes all of them at once. Every caller still returns only after its own
        entries are committed (so nothing is disclosed unlogged), but under load one commit (one
        sync to disk) serves many requests instead of one each.
        """
        if not entries:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((list(entries), waiter))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        await waiter

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._append, [entry for entries, _ in batch for entry in entries])
            except (SQLAlchemyError, ValueError, struct.error) as error:  # struct: over 65,535 organisations
                log.error("processing log not written (%s): nothing is disclosed", type(error).__name__)
                for _, waiter in batch:
                    waiter.set_exception(LogUnavailable("the processing log cannot be written"))
                continue
            for _, waiter in batch:
                waiter.set_result(None)
            self._queued += sum(len(entries) for entries, _ in batch)
            if self._queued >= INDEX_AFTER:  # the requests above have their answers already
                await asyncio.to_thread(self._index_queued)

    async def index(self) -> int:
        """Index every queued entry now (at shutdown, in tests); returns how many."""
        done = 0
        while indexed := await asyncio.to_thread(self._index_queued):
            done += indexed
        return done

    def _index_queued(self) -> int:
        """Up to `INDEX_CHUNK` queued entries' keys into `verwerking_sleutel` in one transaction,
        sorted; how many. A failure leaves them queued (still found by `seen`) for the next time."""
        try:
            with self.engine.begin() as connection:
                indexed = _index_chunk(connection)
        except SQLAlchemyError as error:
            log.warning("processing log: record keys not indexed yet (%s); they stay queued", type(error).__name__)
            self._queued = 0  # the next try after another INDEX_AFTER entries
            return 0
        self._queued = max(0, self._queued - indexed)
        return indexed

    def _row(self, entry: Entry) -> tuple[Any, ...]:
        """An entry's columns as stored."""
        organisations: dict[str, int] = {}
        categories = sorted({c for d in entry.disclosures for c in d.categories})
        if len(categories) > MAX_CATEGORIES:
            raise ValueError(f"{len(categories)} categories in one entry; the log holds {MAX_CATEGORIES}")
        bits = {c: 1 << i for i, c in enumerate(categories)}
        masks: dict[frozenset[str], int] = {}  # most records of a request disclose the same categories
        pack, hasher = SLOT.pack, self._hasher
        slots: list[bytes] = []
        for d in entry.disclosures:
            h = hasher.copy()  # record_digest, with the key set up once per log
            h.update(f"{d.bron_id}\x1f{d.record_id}".encode())
            digest = h.digest()
            organisation = organisations.get(d.bron_id)
            if organisation is None:
                organisation = organisations[d.bron_id] = len(organisations)
            mask = masks.get(d.categories)
            if mask is None:
                mask = masks[d.categories] = sum(bits[c] for c in d.categories)
            slots.append(pack(digest, organisation, mask))
        return (
            entry.tijdstip,
            entry.afnemer,
            entry.afnemer_oin,
            entry.doelbinding,
            entry.vraag_id,
            entry.soort,
            orjson.dumps(list(organisations)).decode(),
            orjson.dumps(categories).decode(),
            b"".join(slots),
        )

    def _append(self, entries: Sequence[Entry]) -> None:
        rows = [self._row(entry) for entry in entries]
        # Straight to the driver: per-row parameter processing would cost more than the rest.
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                _append_postgresql(connection, rows)
            else:
                _append_sqlite(connection, rows)

    async def seen(self, bron_id: str, record_id: str) -> list[Seen]:
        """Every disclosure of one profile, oldest first."""
        try:
            return await asyncio.to_thread(self._seen, self.record_hash(bron_id, record_id))
        except SQLAlchemyError as error:
            log.error("processing log not readable (%s)", type(error).__name__)
            raise LogUnavailable("the processing log cannot be read") from None

    def _seen(self, digest: bytes) -> list[Seen]:
        indexed = select(verwerking).join(sleutel, sleutel.c.verwerking_id == verwerking.c.id)
        queued = select(verwerking).join(wachtrij, wachtrij.c.verwerking_id == verwerking.c.id)
        with self.engine.connect() as connection:
            rows = [
                *connection.execute(indexed.where(sleutel.c.record_hash == index_key(digest))),
                *connection.execute(queued),  # `_masks` keeps those that hold the record
            ]
        found = []
        for row in sorted({row.id: row for row in rows}.values(), key=lambda row: (_utc(row.tijdstip), row.id)):
            categories = orjson.loads(row.categorieen)
            for mask in _masks(bytes(row.inzage), digest):
                found.append(
                    Seen(
                        _utc(row.tijdstip),
                        row.afnemer,
                        row.afnemer_oin,
                        row.doelbinding,
                        row.vraag_id,
                        row.soort,
                        tuple(c for i, c in enumerate(categories) if mask & (1 << i)),
                    )
                )
        return found

    def close(self) -> None:
        while self._queued and self._index_queued():  # a clean stop leaves no entry of its own to index
            pass
        self.engine.dispose()


def _append_sqlite(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    ids = [(connection.exec_driver_sql(SQLITE_VERWERKING, columns).lastrowid,) for columns in rows]
    connection.exec_driver_sql(SQLITE_WACHTRIJ, ids)


def _append_postgresql(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Three statements, however many entries: ids drawn at once, then both tables filled from
    arrays (`unnest`)."""
    ids = [i for (i,) in connection.exec_driver_sql(POSTGRES_IDS, (len(rows),))]
    columns = [list(column) for column in zip(*rows, strict=True)]
    connection.exec_driver_sql(POSTGRES_VERWERKING, (ids, *columns))
    connection.exec_driver_sql(POSTGRES_WACHTRIJ, (ids,))


def _index_chunk(connection: Connection) -> int:
    """The keys of up to `INDEX_CHUNK` queued entries, read back from their `inzage`, into the
    index in key order; those entries leave the queue. One indexer at a time on PostgreSQL
    (replicas share the queue); on SQLite the write lock serialises them."""
    postgres = connection.dialect.name == "postgresql"
    if (
        postgres
        and not connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": INDEX_LOCK}).scalar()
    ):
        return 0  # another replica is indexing
    queued = select(verwerking.c.id, verwerking.c.inzage).join(wachtrij, wachtrij.c.verwerking_id == verwerking.c.id)
    rows = connection.execute(queued.order_by(wachtrij.c.verwerking_id).limit(INDEX_CHUNK)).all()
    if not rows:
        return 0
    # Sorted by key only (comparing integers, not tuples: a third of the time); a record twice
    # in one entry gives a duplicate pair, which the insert ignores.
    keys = [(key, row.id) for row in rows for (key,) in SLOT_KEY.iter_unpack(row.inzage)]
    keys.sort(key=itemgetter(0))
    ids = [row.id for row in rows]
    if postgres:
        connection.exec_driver_sql(POSTGRES_SLEUTEL, ([k for k, _ in keys], [i for _, i in keys]))
        connection.exec_driver_sql(POSTGRES_INDEXED, (ids,))
    else:
        if keys:
            connection.exec_driver_sql(SQLITE_SLEUTEL, keys)
        connection.exec_driver_sql(SQLITE_INDEXED, [(i,) for i in ids])
    return len(rows)


def _masks(inzage: bytes, digest: bytes) -> list[int]:
    """The category masks of the slots of `inzage` that hold this record."""
    masks = []
    at = inzage.find(digest)
    while at >= 0:
        if at % SLOT.size == 0:
            masks.append(SLOT.unpack_from(inzage, at)[2])
        at = inzage.find(digest, at + 1)
    return masks


def _check_layout(connection: Connection) -> None:
    """Refuse to start on a log written by another version, rather than fail every request."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    for name, what in OLD_TABLES.items():
        if name in tables:
            raise LogUnavailable(
                f"the processing log has an older layout (table {name}: {what}); this version writes one "
                "row per request (tables verwerking and verwerking_sleutel) and does not convert it: keep "
                "the old database for its retention period and configure a new processing_log.dsn"
            )
    for table in (verwerking, sleutel):
        if table.name not in tables:
            continue
        found = {column["name"] for column in inspector.get_columns(table.name)}
        missing = {column.name for column in table.columns} - found
        if missing:
            raise LogUnavailable(
                f"the processing log has another layout (table {table.name} lacks {', '.join(sorted(missing))}); "
                "keep that database and configure a new processing_log.dsn"
            )


def _sqlite_wal(connection: Any, record: Any) -> None:
    """Write-ahead logging: appends do not block readers, and a commit costs one sync, not two."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # The record-key index takes random keys: keep its pages in memory, or every append reads disk.
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
    cursor.close()


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
