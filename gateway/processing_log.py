"""The processing log (verwerkingenlog): who saw which profile, when, why, which categories.

Every disclosure is appended before the answer leaves the gateway; when the entry cannot be
written, the answer is not sent (fail closed). SQLite by default, PostgreSQL by DSN, with a
retention period. Records are found by a keyed hash of (bronID, record id), so the log holds no
source ids in the clear, and `verwerkingen(vumID)` can list every disclosure of one profile.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

log = logging.getLogger("vum.verwerkingen")

SCHEMA_LOCK = int.from_bytes(hashlib.blake2b(b"vum-verwerkingen-schema", digest_size=8).digest(), "big", signed=True)

metadata = MetaData()
verwerking = Table(
    "verwerking",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False, index=True),
    Column("afnemer", String(200), nullable=False),
    Column("afnemer_oin", String(20), nullable=False),
    Column("doelbinding", String(100), nullable=False),
    Column("vraag_id", String(100), nullable=False),
    Column("soort", String(20), nullable=False),
)
inzage = Table(
    "verwerking_inzage",
    metadata,
    Column("verwerking_id", Integer, ForeignKey("verwerking.id", ondelete="CASCADE"), nullable=False),
    Column("bron_id", String(64), nullable=False),
    Column("record_hash", BigInteger, nullable=False, index=True),  # a small index: appends stay cheap
    Column("record_key", String(44), nullable=False),
    Column("vum_id", String(500), nullable=False),
    Column("categorieen", String(100), nullable=False),
)


_COLUMNS = "verwerking_id, bron_id, record_hash, record_key, vum_id, categorieen"
INSERT_INZAGE = {
    "qmark": f"INSERT INTO verwerking_inzage ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
    "pyformat": f"INSERT INTO verwerking_inzage ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
    "format": f"INSERT INTO verwerking_inzage ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
}


class LogUnavailable(Exception):
    """The log could not be written (or read); nothing may be disclosed."""


@dataclass(frozen=True)
class Disclosure:
    """One profile as it left the gateway."""

    bron_id: str
    record_id: str
    vum_id: str
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
        self._pending: list[tuple[list[Entry], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def record_key(self, bron_id: str, record_id: str) -> tuple[int, str]:
        """A keyed hash (BLAKE2b as a MAC) of the record: findable with the key, opaque without.
        Returned as its first 8 bytes (a signed integer, for a compact index) and in full."""
        digest = hashlib.blake2b(f"{bron_id}\x1f{record_id}".encode(), key=self.key, digest_size=32).digest()
        return int.from_bytes(digest[:8], "big", signed=True), base64.urlsafe_b64encode(digest).decode().rstrip("=")

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
            metadata.create_all(connection)
        self._check_layout()
        self._purge()

    def _check_layout(self) -> None:
        """Refuse to start on a log written by another version, rather than fail every request."""
        for table in (verwerking, inzage):
            found = {column["name"] for column in inspect(self.engine).get_columns(table.name)}
            missing = {column.name for column in table.columns} - found
            if missing:
                raise LogUnavailable(
                    f"the processing log has another layout (table {table.name} lacks {', '.join(sorted(missing))}); "
                    "migrate it or configure another processing_log.dsn"
                )

    def _purge(self) -> None:
        cutoff = datetime.datetime.now(datetime.UTC) - self.retention
        with self.engine.begin() as connection:
            old = select(verwerking.c.id).where(verwerking.c.tijdstip < cutoff)
            connection.execute(delete(inzage).where(inzage.c.verwerking_id.in_(old)))
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
            except SQLAlchemyError as error:
                log.error("processing log not written (%s): nothing is disclosed", type(error).__name__)
                for _, waiter in batch:
                    waiter.set_exception(LogUnavailable("the processing log cannot be written"))
                continue
            for _, waiter in batch:
                waiter.set_result(None)

    def _append(self, entries: Sequence[Entry]) -> None:
        with self.engine.begin() as connection:
            for entry in entries:
                row = {
                    "tijdstip": entry.tijdstip,
                    "afnemer": entry.afnemer,
                    "afnemer_oin": entry.afnemer_oin,
                    "doelbinding": entry.doelbinding,
                    "vraag_id": entry.vraag_id,
                    "soort": entry.soort,
                }
                entry_id = connection.execute(insert(verwerking).values(row)).inserted_primary_key[0]  # type: ignore[index]
                key = self.record_key
                rows = [
                    (entry_id, d.bron_id, *key(d.bron_id, d.record_id), d.vum_id, ",".join(sorted(d.categories)))
                    for d in entry.disclosures
                ]
                # Straight to the driver: a search can disclose a thousand profiles, and per-row
                # parameter processing would cost more than the rest of the request.
                connection.exec_driver_sql(INSERT_INZAGE[connection.dialect.paramstyle], rows)

    async def seen(self, bron_id: str, record_id: str) -> list[Seen]:
        """Every disclosure of one profile, oldest first."""
        try:
            return await asyncio.to_thread(self._seen, self.record_key(bron_id, record_id))
        except SQLAlchemyError as error:
            log.error("processing log not readable (%s)", type(error).__name__)
            raise LogUnavailable("the processing log cannot be read") from None

    def _seen(self, record_key: tuple[int, str]) -> list[Seen]:
        record_hash, full_key = record_key
        query = (
            select(verwerking, inzage.c.categorieen)
            .join(inzage, inzage.c.verwerking_id == verwerking.c.id)
            .where(inzage.c.record_hash == record_hash, inzage.c.record_key == full_key)
            .order_by(verwerking.c.tijdstip, verwerking.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Seen(
                _utc(row.tijdstip),
                row.afnemer,
                row.afnemer_oin,
                row.doelbinding,
                row.vraag_id,
                row.soort,
                tuple(c for c in row.categorieen.split(",") if c),
            )
            for row in rows
        ]

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_wal(connection: Any, record: Any) -> None:
    """Write-ahead logging: appends do not block readers, and a commit costs one sync, not two."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # The record-key index takes random keys: keep its pages in memory, or every append reads disk.
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
    cursor.close()


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
