"""Shared test fixtures: reference data (package data and tests/data), real servers, PostgreSQL when available.

Tests that need PostgreSQL use the server at VUM_TEST_POSTGRES_DSN (default: trust auth on
127.0.0.1:5432, user postgres). Start one with e.g. `pg_ctlcluster 15 main start` or
`docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`. Without a server the
tests are skipped locally and fail in CI (CI=true), where the server must run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from subgraphs.sdk.geo import PostcodeTable
from vumschema import Contract, load_contract
from vumschema import data as reference_data

ROOT = Path(__file__).resolve().parent.parent
POSTCODES = reference_data.POSTCODES
BEROEPEN = reference_data.BEROEPEN
DATA = ROOT / "tests" / "data"  # public test data, sources and licences in NOTICE
ACCREDITATIE = DATA / "accreditatie"

# Figures the tests measured (accreditation cases, property examples), printed after the run.
FIGURES: list[str] = []


def report(figure: str) -> None:
    FIGURES.append(figure)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("measured")
        for figure in FIGURES:
            terminalreporter.write_line(figure)


CONTRACTS = DATA / "contracts"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(reason: str) -> None:
    """Skip locally, fail in CI: CI must run everything."""
    if in_ci():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract()


@pytest.fixture(scope="session")
def postcodes() -> PostcodeTable:
    return PostcodeTable.from_csv(POSTCODES)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def werkzoekenden_upload() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = read_json(ACCREDITATIE / "werkzoekenden-upload.json")
    return records


@pytest.fixture(scope="session")
def vacatures_upload() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = read_json(ACCREDITATIE / "vacatures-upload.json")
    return records


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """DSN of a reachable PostgreSQL server (its maintenance database)."""
    dsn = os.environ.get("VUM_TEST_POSTGRES_DSN", DEFAULT_POSTGRES)
    engine = create_engine(dsn)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        need(f"PostgreSQL is not reachable at {make_url(dsn).render_as_string(hide_password=True)}")
    finally:
        engine.dispose()
    return dsn


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards."""
    yield from fresh_database(postgres_server)


def fresh_database(server_dsn: str) -> Iterator[str]:
    name = f"vum_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_dsn, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_dsn).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
