"""The SQL adapter: SQLAlchemy Core over the SDK's table layout, the selectievraag pushed down.

The same code serves SQLite (the default, no server needed) and PostgreSQL (by DSN, e.g.
`postgresql+psycopg://postgres@127.0.0.1:5432/vum`). Queries run in a worker thread so the
event loop keeps serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from subgraphs.sdk import sql
from subgraphs.sdk.adapter import Adapter, SearchResult
from subgraphs.sdk.selectievraag import VACATURE, WERKZOEKENDE, Record, Selectievraag


def make_engine(dsn: str) -> Engine:
    """An engine for the DSN; an in-memory SQLite database is shared by all threads."""
    if dsn in ("sqlite://", "sqlite:///:memory:"):
        return create_engine(dsn, poolclass=StaticPool, connect_args={"check_same_thread": False})
    return create_engine(dsn, pool_pre_ping=True)


class SqlAdapter(Adapter):
    """Job seekers and vacancies in a relational database."""

    def __init__(self, dsn: str) -> None:
        self.engine = make_engine(dsn)

    def create_tables(self) -> None:
        metadata, _ = sql.layout()
        metadata.create_all(self.engine)

    def load(self, werkzoekenden: Iterable[Record], vacatures: Iterable[Record]) -> tuple[int, int]:
        """Replace the organisation's records (one transaction)."""
        self.create_tables()
        with self.engine.begin() as connection:
            return (
                sql.replace_records(connection, WERKZOEKENDE, werkzoekenden),
                sql.replace_records(connection, VACATURE, vacatures),
            )

    async def startup(self) -> None:
        await asyncio.to_thread(self.create_tables)

    async def shutdown(self) -> None:
        self.engine.dispose()

    def _search(self, vraag: Selectievraag, limit: int) -> SearchResult:
        with self.engine.connect() as connection:
            records, more = sql.search(connection, vraag, limit)
        return SearchResult(records, more)

    def _fetch(self, soort: str, record_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            return sql.fetch(connection, soort, record_id)

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        return await asyncio.to_thread(self._search, vraag, limit)

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        return await asyncio.to_thread(self._fetch, WERKZOEKENDE, id_werkzoekende)

    async def search_vacatures(self, vraag: Selectievraag, limit: int) -> SearchResult:
        return await asyncio.to_thread(self._search, vraag, limit)

    async def get_vacature(self, id_vacature: str) -> Record | None:
        return await asyncio.to_thread(self._fetch, VACATURE, id_vacature)

    async def ready(self) -> bool:
        def ping() -> bool:
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except SQLAlchemyError:
                return False
            return True

        return await asyncio.to_thread(ping)
