"""`python -m bench.log_cpu`: the processing log's CPU per request, on SQLite and PostgreSQL.

Appends `--requests` entries of `--disclosures` profiles each from `--concurrency` tasks (as
concurrent searches do, so group commit applies) and reports this process's CPU time per request:
the gateway's side of the log (hashing, packing, the driver), not the database server's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text

from gateway.processing_log import Disclosure, Entry, ProcessingLog

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def entries(count: int, disclosures: int) -> list[Entry]:
    now = datetime.datetime.now(datetime.UTC)
    return [
        Entry(
            now,
            "bench",
            "1" * 20,
            "arbeidsbemiddeling",
            uuid.uuid4().hex,
            "ZOEKRESULTAAT",
            tuple(
                Disclosure("gemeente", f"r{(n * disclosures + i) % 5000}", frozenset({"MATCHPROFIEL"}))
                for i in range(disclosures)
            ),
        )
        for n in range(count)
    ]


async def measure(dsn: str, requests: int, concurrency: int, disclosures: int) -> float:
    log = ProcessingLog(dsn, retention_days=30, key=b"k" * 32)
    await log.start()

    async def client(work: list[Entry]) -> None:
        for entry in work:
            await log.append([entry])

    try:
        await client(entries(20, disclosures))  # warm up
        work = [entries(requests // concurrency, disclosures) for _ in range(concurrency)]
        started = time.process_time()
        await asyncio.gather(*(client(w) for w in work))
        return (time.process_time() - started) * 1000 / (requests // concurrency * concurrency)
    finally:
        log.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--disclosures", type=int, default=100, help="profiles per request")
    parser.add_argument("--postgres", default=os.environ.get("VUM_TEST_POSTGRES_DSN", DEFAULT_POSTGRES))
    args = parser.parse_args()
    shape = (args.requests, args.concurrency, args.disclosures)
    with tempfile.TemporaryDirectory() as directory:
        sqlite = await measure(f"sqlite:///{directory}/verwerkingen.sqlite", *shape)
    print(f"SQLite: {sqlite:.2f} CPU ms per request of {args.disclosures} disclosures")
    name = f"vum_log_cpu_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        postgres = await measure(admin.url.set(database=name).render_as_string(hide_password=False), *shape)
        print(f"PostgreSQL: {postgres:.2f} CPU ms per request of {args.disclosures} disclosures")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
