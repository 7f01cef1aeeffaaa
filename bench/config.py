"""Settings of one benchmark run, the file layout, and the headers sent to our gateway."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import vumschema.data

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"  # generated data, configs, logs and raw results (git-ignored)
RESULTS = BENCH / "results"
NODE_DIR = BENCH / "node"
SHARED = ROOT.parent / "shared"  # reference material beside the checkout: the federation kits (B0)
# the project's packaged reference data; VUM_POSTCODES / VUM_BEROEPEN override
DEFAULT_POSTCODES = Path(os.environ.get("VUM_POSTCODES") or vumschema.data.POSTCODES)
DEFAULT_BEROEPEN = Path(os.environ.get("VUM_BEROEPEN") or vumschema.data.BEROEPEN)
# Scenario R: the replicas' shared processing log and quota (the test suite's servers by default)
DEFAULT_POSTGRES = os.environ.get("VUM_TEST_POSTGRES_DSN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DEFAULT_REDIS = os.environ.get("VUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SCENARIOS = ("B0", "B1", "B2", "B3", "R")

OURS = "ours"
APOLLO = "apollo"
HIVE = "hive"
LIMIT = "limit"
COMPARED = "ours@"  # B1's name of our gateway from another checkout: "ours@<its directory's name>"
GATEWAYS = (OURS, APOLLO, HIVE)
LABELS = {
    OURS: "vum-gateway (ours)",
    APOLLO: "@apollo/gateway",
    HIVE: "@graphql-hive/gateway",
    LIMIT: "direct client (limit)",
}


def our_gateway_headers(work: Path = WORK) -> dict[str, str]:
    """The request headers the load generator sends to OUR gateway: the one place to change them.

    The caller's token and purpose (`bench.identity`, the keys written in `work`);
    `VUM_BENCH_HEADERS` ("name: value; name: value") adds headers without editing this file.
    """
    from .identity import caller_headers

    headers = {"content-type": "application/json", **caller_headers(work)}
    for item in os.environ.get("VUM_BENCH_HEADERS", "").split(";"):
        name, _, value = item.partition(":")
        if name.strip() and value.strip():
            headers[name.strip().lower()] = value.strip()
    return headers


NODE_GATEWAY_HEADERS = {"content-type": "application/json"}


@dataclass(frozen=True)
class BenchConfig:
    """What to run and how long; the defaults are a full run."""

    duration: float = 20.0  # measured seconds per run
    warmup: float = 5.0  # seconds of load before measuring (fills caches, JIT-compiles the Node gateways)
    b1_rounds: int = 3  # B1's measured time in rounds, the gateways taking turns: the machine's drift hits each alike
    concurrency: int = 50
    scenarios: tuple[str, ...] = ("B0", "B1", "B2")
    gateways: tuple[str, ...] = GATEWAYS
    profile: bool = True  # py-spy record our gateway under B1 and B2 (separate runs)
    profile_duration: float = 10.0
    gateway_core: int = 0
    other_core: int = 1  # subgraphs, load generator and this harness
    seed: int = 2026
    postcodes: Path = DEFAULT_POSTCODES
    beroepen: Path = DEFAULT_BEROEPEN
    profiles_per_organisation: int = 120  # more than the 100 a source returns
    b2_organisations: int = 10
    b3_organisations: int = 300  # B3, national (`--organisations`)
    work: Path = WORK
    results: Path = RESULTS
    quick: bool = False
    engine: str | None = None  # our gateway's [gateway] engine; None: the gateway's default
    compare: tuple[Path, ...] = ()  # B1: other checkouts of our gateway, measured in the same rounds (`--compare`)
    postgres: str = DEFAULT_POSTGRES  # scenario R: a server where the run may create a database
    redis: str = DEFAULT_REDIS
