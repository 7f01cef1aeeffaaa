"""`vum-gateway demo`, as a user runs it: one command in an empty directory, real processes, stops
cleanly on Ctrl-C, starts again at once, and says in one line why when it cannot start."""

from __future__ import annotations

import csv
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.auth.dev import ALL_SCOPES, mint
from vumschema.data import POSTCODES as POSTCODE_AREAS

from .conftest import ACCREDITATIE, BEROEPEN, POSTCODES, ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def token(workdir: Path, **claims: Any) -> str:
    """A token from the demo's own issuer, as `vum-gateway token` prints it."""
    return mint(workdir / "dev-issuer.pem", **{"subject": "test", "oin": "00000001009999999000", "role": "bemiddelaar",
                                               "scopes": ALL_SCOPES, "suwi": True, **claims})  # fmt: skip


def post(demo: Demo, query: str, variables: dict[str, Any] | None = None, **claims: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{demo.port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token(demo.workdir, **claims)}",
            "X-VUM-Doelbinding": "arbeidsbemiddeling",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def processes_mentioning(text: str) -> list[int]:
    """Pids of running processes whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class Demo:
    """`vum-gateway demo` in a subprocess. With `workdir` None it runs as on a fresh clone: in the
    directory `cwd`, with no options but `--port`, so it creates `var/demo` there itself."""

    def __init__(self, workdir: Path | None, *extra: str, cwd: Path = ROOT, port: int | None = None) -> None:
        self.port = port or free_port()
        self.cwd = cwd
        self.workdir = workdir or cwd / "var" / "demo"
        command = [sys.executable, "-m", "gateway.cli", "demo", "--port", str(self.port), *extra]
        if workdir is not None:
            command += ["--workdir", str(workdir), "--postcodes", str(POSTCODES), "--beroepen", str(BEROEPEN)]
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []

    def wait_until_serving(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                pytest.fail("the demo stopped:\n" + "".join(self.output))
            self.output.append(line)
            if "gateway ready" in line:
                return
        pytest.fail("the demo did not start in time:\n" + "".join(self.output))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo as the README starts it, in an empty directory: no work directory exists yet."""
    running = Demo(None, cwd=tmp_path_factory.mktemp("fresh-clone"))
    running.wait_until_serving()
    yield running
    if running.process.poll() is None:
        running.stop()


SEARCH = """query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s, first: 200) {
  totalCount bronnen { bronID status aantal melding }
  edges { bronID node { vumID mobiliteit { bemiddelingspostcode } bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam } } } } }"""


def test_the_banner_shows_graphiql_and_every_organisation(demo: Demo) -> None:
    banner = "".join(demo.output)
    assert f"GraphiQL:   http://127.0.0.1:{demo.port}/graphql" in banner
    for name in (
        "gemeente-eindhoven",
        "uwv-zuid-oost-brabant",
        "reintegratie-de-kempen",
        "uitzendbureau-brabant-werkt",
        "codelijsten",
    ):
        assert name in banner
    assert "var/demo/<organisation>.log" in banner, "the banner says where the logs are"
    assert (demo.cwd / "var" / "demo" / "codelijsten.log").is_file(), "the demo made its work directory"


def try_it_lines(banner: str) -> list[str]:
    """The shell lines under the banner's "Try it" heading, as a user would copy them."""
    lines = banner.splitlines()
    start = next(i for i, line in enumerate(lines) if "Try it from a shell" in line) + 1
    return [line.strip() for line in itertools.takewhile(lambda line: line.startswith("    "), lines[start:])]


def test_the_banners_try_it_lines_search_with_a_token_from_vum_gateway_token(demo: Demo) -> None:
    script = try_it_lines("".join(demo.output))
    assert script[0].startswith("TOKEN=$(vum-gateway token "), "the token comes from `vum-gateway token`"
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    shell = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(script)],
        cwd=demo.cwd, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shell.returncode == 0, shell.stderr
    result = json.loads(shell.stdout)["data"]["werkzoekendeProfielMatches"]
    labels = [b["omschrijvingBeroepsnaam"] for e in result["edges"] for b in e["node"]["bemiddelingsberoep"] or ()]
    assert result["totalCount"] > 0 and labels and all(labels), result


def test_one_query_returns_profiles_from_every_organisation_with_labels_and_status(demo: Demo) -> None:
    body = post(demo, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}})
    result = body["data"]["werkzoekendeProfielMatches"]
    sources = {edge["bronID"] for edge in result["edges"]}
    assert len(sources) >= 3 and {b["status"] for b in result["bronnen"]} == {"OK"}
    labels = [b["omschrijvingBeroepsnaam"] for e in result["edges"] for b in e["node"]["bemiddelingsberoep"] or ()]
    assert labels and all(labels)
    page = urllib.request.urlopen(
        urllib.request.Request(f"http://127.0.0.1:{demo.port}/graphql", headers={"Accept": "text/html"})
    )
    assert "GraphiQL" in page.read().decode()


def test_the_personas_are_there(demo: Demo) -> None:
    veldhoven = post(
        demo,
        "query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s, first: 1000) { edges { node { vumID mobiliteit { bemiddelingspostcode } } } } }",
        {
            "s": {
                "selectiegebied": {"postcode": "5504AA", "afstand": 0},
                "vervoermiddel": ["OPENBAAR_VERVOER"],
                "aantalWerkurenPerWeek": {"maximaal": 24},
            }
        },
    )
    assert veldhoven["data"]["werkzoekendeProfielMatches"]["edges"], (
        "Henk: Veldhoven, public transport, at most 24 hours"
    )
    mehmet = post(
        demo,
        "query($s: VacatureSelectievraag!) { vacatureMatches(selectievraag: $s, first: 1000) { edges { node { naamVacature werkgever { handelsnaamOrganisatie } adres { postcode } } } } }",
        {
            "s": {
                "selectiegebied": {"postcode": "5611AB", "afstand": 40},
                "vervoermiddel": ["OPENBAAR_VERVOER"],
                "typeOvereenkomst": ["LEERBAAN"],
            }
        },
    )
    employers = {
        e["node"]["werkgever"]["handelsnaamOrganisatie"]
        for e in mehmet["data"]["vacatureMatches"]["edges"]
        if e["node"]["werkgever"]
    }
    assert "Confectieatelier Mehmet B.V." in employers


PLACES = """query($s: VacatureSelectievraag!) { vacatureMatches(selectievraag: $s, first: 100) {
  edges { bronID node { adres { postcode plaats } } } } }"""


def test_the_extension_subgraph_adds_the_place_of_each_vacancy_address(demo: Demo) -> None:
    """`plaatsen` (at the gateway's port + 199) is not an organisation: the demo composes it in by
    `[[extensions]]` in its configuration only, and the search answers `Adres.plaats` from it."""
    banner = "".join(demo.output)
    assert "plaatsen" in banner and "extension: Adres.plaats" in banner
    assert (demo.workdir / "plaatsen.graphql").is_file(), "its SDL, as `[[extensions]] schema_file` names it"
    body = post(demo, PLACES, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}})
    assert "errors" not in body, body.get("errors")
    edges = body["data"]["vacatureMatches"]["edges"]
    addresses = [e["node"]["adres"] for e in edges if e["node"]["adres"]]
    with POSTCODE_AREAS.open(encoding="utf-8", newline="") as handle:
        known = {row["pc4"]: row["plaats"] for row in csv.DictReader(handle) if row.get("plaats")}
    assert len({e["bronID"] for e in edges}) >= 3 and addresses
    assert all(a["plaats"] == known.get(a["postcode"][:4]) for a in addresses)
    assert sum(a["plaats"] is not None for a in addresses) >= len(addresses) // 2, addresses


def test_with_one_source_stopped_the_query_answers_and_names_it(demo: Demo) -> None:
    victim = processes_mentioning(f"{demo.workdir}/reintegratie-de-kempen-werkzoekenden")
    assert len(victim) == 1
    os.kill(victim[0], signal.SIGKILL)
    time.sleep(0.5)
    body = post(demo, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}})
    result = body["data"]["werkzoekendeProfielMatches"]
    statuses = {b["bronID"]: b for b in result["bronnen"]}
    assert statuses["reintegratie-de-kempen"]["status"] == "ERROR"
    assert "unreachable" in statuses["reintegratie-de-kempen"]["melding"]
    assert len({e["bronID"] for e in result["edges"]}) == 4, "the other four organisations answer"


def test_ctrl_c_stops_the_gateway_and_every_organisation(demo: Demo) -> None:
    assert processes_mentioning(str(demo.workdir))
    assert demo.stop() == 0
    time.sleep(0.5)
    assert processes_mentioning(str(demo.workdir)) == [], "no subgraph process outlives the demo"


def test_demo_spreads_given_records_over_n_organisations(tmp_path: Path) -> None:
    demo = Demo(tmp_path, "--werkzoekenden", str(ACCREDITATIE / "werkzoekenden-upload.json"),
                "--vacatures", str(ACCREDITATIE / "vacatures-upload.json"), "--organisaties", "4")  # fmt: skip
    try:
        demo.wait_until_serving()
        body = post(demo, "{ organisaties { bronID soort schemaStatus } }")
        organisations = [o for o in body["data"]["organisaties"] if o["soort"] != "codelijsten"]
        assert len(organisations) == 4 and {o["schemaStatus"] for o in organisations} == {"CONFORM"}
        result = post(demo, SEARCH, {"s": {"selectiegebied": {"postcode": "3511AA", "afstand": 999}}})
        assert {b["aantal"] for b in result["data"]["werkzoekendeProfielMatches"]["bronnen"]} == {100}
    finally:
        assert demo.stop() == 0


def test_the_demo_starts_again_at_once_after_it_stopped(tmp_path: Path) -> None:
    """The connections of the last run linger in TIME_WAIT on its port: they must not block it."""
    first = Demo(tmp_path / "demo")
    try:
        first.wait_until_serving()
        assert post(first, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}})["data"]
    finally:
        assert first.stop() == 0
    again = Demo(tmp_path / "demo", port=first.port)
    try:
        again.wait_until_serving()
        result = post(again, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}})
        assert result["data"]["werkzoekendeProfielMatches"]["totalCount"] > 0
    finally:
        assert again.stop() == 0


def test_a_taken_port_is_told_in_one_line_that_names_it_and_the_option(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = Demo(tmp_path / "demo", port=port)
        output, _ = demo.process.communicate(timeout=60)
    assert demo.process.returncode == 1
    assert output.splitlines() == [
        f"vum-gateway: cannot listen on 127.0.0.1:{port}: the port is in use by another program; "
        "pass --port N to use another (the demo takes N to N+199)"
    ]
    assert processes_mentioning(str(tmp_path)) == [], "nothing was started"
