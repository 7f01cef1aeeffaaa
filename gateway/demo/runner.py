"""`vum-gateway demo`: the gateway and its organisations on localhost, in one command.

Every organisation is a real subgraph process (`python -m subgraphs.sql`, `subgraphs.bestand`, or
`subgraphs.vumbron` in front of a VUM-Bron server, `subgraphs.vumbron.bron_server`), plus
`subgraphs.codelijsten`; the gateway runs in this process. Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import uvicorn

from ..auth.dev import DEV_ISSUER, ensure_key, presets
from ..config import GatewayConfig, new_key, parse_config
from ..http.app import create_http_app
from ..http.transport import server_options
from ..server import Gateway
from ..serving import CannotListen, StartError, free_port, listening_socket, port_free
from . import DEFAULT_WORKDIR, DEV_KEY_NAME
from .pki import ACCREDITATIE_OIN, DemoPki, ensure_demo_pki, tls_settings

log = logging.getLogger("vum.demo")

READY_TIMEOUT = 60.0


@dataclass
class DemoSource:
    """One demo organisation: who it is, which adapter serves it, and its records."""

    id: str
    name: str
    oin: str
    kind: str
    adapter: str  # "sql", "bestand" or "vumbron" (a VUM-Bron server with the records, the subgraph in front)
    werkzoekenden: list[dict[str, Any]] = field(default_factory=list)
    vacatures: list[dict[str, Any]] = field(default_factory=list)
    export_format: str = "json"  # for "bestand": json or csv
    dsn: str | None = None  # for "sql": None means a SQLite file in the work directory


@dataclass
class RunningSource:
    source: DemoSource
    port: int
    process: asyncio.subprocess.Process
    log: Path
    bron: RunningBron | None = None  # vumbron: the VUM-Bron server behind the subgraph

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def processes(self) -> list[asyncio.subprocess.Process]:
        return [self.process] + ([self.bron.process] if self.bron else [])


@dataclass
class RunningBron:
    port: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class ChildlessServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its owner, so the owner can stop its children
    before exiting (uvicorn re-raises a captured SIGTERM, which would end the process at once)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def stop(self) -> None:
        self.should_exit = True


def spread(
    werkzoekenden: Sequence[dict[str, Any]], vacatures: Sequence[dict[str, Any]], count: int
) -> list[DemoSource]:
    """Given records over `count` organisations, round-robin; adapters alternate SQL and file."""
    sources = []
    for index in range(count):
        adapter = "sql" if index % 2 == 0 else "bestand"
        sources.append(
            DemoSource(
                id=f"organisatie-{index + 1}",
                name=f"Organisatie {index + 1} ({'database' if adapter == 'sql' else 'bestand'})",
                oin=f"{99000000000000000000 + index + 1:020d}",
                kind="gemeente" if index % 2 == 0 else "reintegratiebureau",
                adapter=adapter,
                werkzoekenden=with_consent(
                    list(werkzoekenden[index::count]), f"organisatie-{index + 1}", everything=True
                ),
                vacatures=list(vacatures[index::count]),
            )
        )
    return sources


SYNTHETIC = (  # id, name, kind, adapter, export format; the personas: Henk and Jessica first, Mehmet last
    ("gemeente-eindhoven", "Gemeente Eindhoven", "gemeente", "sql", "json"),
    ("uwv-zuid-oost-brabant", "UWV Zuidoost-Brabant", "uwv", "sql", "json"),
    ("reintegratie-de-kempen", "Re-integratiebureau De Kempen", "reintegratiebureau", "bestand", "json"),
    ("reintegratie-bron-brabant", "Re-integratiebureau Brabant (VUM-Bron)", "reintegratiebureau", "vumbron", "json"),
    ("uitzendbureau-brabant-werkt", "Uitzendbureau Brabant Werkt", "uitzendbureau", "bestand", "csv"),
)


def synthetic(seed: int, postcodes: Path, beroepen: Path, postgres_dsn: str | None = None) -> list[DemoSource]:
    """Five organisations of the Eindhoven region with generated records (personas included):
    two databases (the second on PostgreSQL when a DSN is given), a JSON and a CSV export, and
    one that already serves the VUM-Bron API (its records carry no consent: the Bron decides)."""
    from .synthetic import generate, read_beroepen, read_postcodes

    generated = generate(seed, [entry[0] for entry in SYNTHETIC], read_postcodes(postcodes), read_beroepen(beroepen))
    for organisation, entry in zip(generated, SYNTHETIC, strict=True):
        if entry[3] != "vumbron":
            organisation.werkzoekenden = with_consent(organisation.werkzoekenden, organisation.bron_id)
    sources = []
    for index, ((source_id, name, kind, adapter, export), data) in enumerate(zip(SYNTHETIC, generated, strict=True)):
        sources.append(
            DemoSource(
                id=source_id,
                name=name,
                oin=f"{99000000000000000000 + index + 1:020d}",
                kind=kind,
                adapter=adapter,
                werkzoekenden=data.werkzoekenden,
                vacatures=data.vacatures,
                export_format=export,
                dsn=postgres_dsn if source_id.startswith("uwv") else None,
            )
        )
    return sources


CONSENT_DATE = datetime.date(2026, 10, 1)
PERSONA_CONSENT = {"henk": ("matchprofiel",), "jessica": ("matchprofiel", "detail", "contactgegevens", "bijzonder")}


def _consent(categories: Sequence[str], recorded_by: str) -> dict[str, Any]:
    return {c: {"datum": CONSENT_DATE.isoformat(), "vastgelegdDoor": recorded_by} for c in categories}


def with_consent(records: list[dict[str, Any]], bron_id: str, *, everything: bool = False) -> list[dict[str, Any]]:
    """Job seekers with a (seeded) mix of consent: most findable, fewer sharing detail or contact.
    Henk shares his match profile only; Jessica everything. `everything` consents all categories."""
    result = []
    for record in records:
        record_id = str(record["idWerkzoekende"])
        if everything:
            categories: Sequence[str] = ("matchprofiel", "detail", "contactgegevens", "bijzonder")
        elif record_id in PERSONA_CONSENT:
            categories = PERSONA_CONSENT[record_id]
        else:
            roll = int(hashlib.sha256(f"{bron_id}/{record_id}".encode()).hexdigest()[:8], 16) % 100
            categories = [
                c
                for c, share in (("matchprofiel", 85), ("detail", 60), ("contactgegevens", 40), ("bijzonder", 10))
                if roll < share
            ]
        result.append({**record, "toestemming": _consent(categories, f"klantmanager-{bron_id}")})
    return result


def _write_source_files(source: DemoSource, workdir: Path) -> list[str]:
    """Write the source's records and return the subgraph's data arguments."""
    from subgraphs.bestand.adapter import write_csv_records

    args: list[str] = []
    for kind, type_name, records in (
        ("werkzoekenden", "Werkzoekende", source.werkzoekenden),
        ("vacatures", "Vacature", source.vacatures),
    ):
        suffix = source.export_format if source.adapter == "bestand" else "json"
        path = workdir / f"{source.id}-{kind}.{suffix}"
        if suffix == "csv":
            path.write_text(write_csv_records(records, type_name), encoding="utf-8")
        else:
            path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
        args += [f"--{kind}", str(path)]
    if source.adapter == "sql":
        args += ["--dsn", source.dsn or f"sqlite:///{workdir / (source.id + '.sqlite')}"]
    return args


CODELIJSTEN_OIN = "99000000000000000099"
PLAATSEN_OIN = "99000000000000000097"  # the extension subgraph (reference data: the place of a postcode)
PLAATSEN = "plaatsen"
GATEWAY_OIN = "99000000000000000098"  # the exchange: X-VUM-fromParty towards a VUM-Bron source


def _trust(gateway_port: int, oin: str, gateway_ca: Path | None = None) -> list[str]:
    """Subgraph options: answer this gateway only, as the organisation with this OIN (the
    gateway's keys over HTTPS, trusting `gateway_ca`, when the demo runs with --tls)."""
    scheme = "https" if gateway_ca else "http"
    options = ["--gateway-jwks", f"{scheme}://127.0.0.1:{gateway_port}/.well-known/jwks.json", "--oin", oin]
    return options + (["--gateway-ca", str(gateway_ca)] if gateway_ca else [])


async def _start(module: str, args: list[str], log_file: Path) -> asyncio.subprocess.Process:
    handle = log_file.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args, stdout=handle, stderr=handle, start_new_session=True
        )
    finally:
        handle.close()


async def _start_bron(source: DemoSource, workdir: Path, postcodes: Path, port: int) -> RunningBron:
    """The organisation's VUM-Bron server, serving its records (written to the work directory)."""
    args = ["--port", str(port), "--postcodes", str(postcodes), "--log-level", "warning"]
    args += ["--oin", source.oin, "--allow-party", GATEWAY_OIN]  # it answers the exchange only
    args += _write_source_files(source, workdir)
    log_file = workdir / f"{source.id}-bron.log"
    return RunningBron(port, await _start("subgraphs.vumbron.bron_server", args, log_file), log_file)


SOURCES_OFFSET = 100  # codelijsten at the gateway's port + 100, the organisations after it
EXTENSION_OFFSET = 199  # the extension subgraph (plaatsen) at the gateway's port + 199, the demo's last
BRON_OFFSET = 50  # an organisation's VUM-Bron server at its subgraph's port + 50: the demo stays within port..port+199


def _port_near(port: int) -> int:
    return port if port_free(port) else free_port()


def _data_args(source: DemoSource, workdir: Path, bron_port: int | None) -> list[str]:
    """The subgraph's data arguments: its files, or for vumbron the Bron server it asks."""
    if bron_port is None:
        return _write_source_files(source, workdir)
    bron = ["--bron-url", f"http://127.0.0.1:{bron_port}"]
    return [*bron, "--from-party", GATEWAY_OIN, "--to-party", source.oin]


async def _wait_ready(
    session: aiohttp.ClientSession, port: int, process: asyncio.subprocess.Process, name: str, log_file: Path
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise StartError(f"{name} stopped during start (exit code {process.returncode}); see {log_file}")
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise StartError(f"{name} did not start within {READY_TIMEOUT:.0f} s; see {log_file}")


async def start_sources(
    sources: list[DemoSource],
    workdir: Path,
    postcodes: Path,
    beroepen: Path,
    first_port: int,
    running: list[RunningSource],
    gateway_port: int,
    *,
    gateway_ca: Path | None = None,
) -> RunningSource:
    """Start codelijsten and every organisation subgraph (added to `running` as they start);
    wait until all answer. Returns codelijsten."""
    port = first_port
    codelijsten_port = _port_near(port)
    codelijsten_log = workdir / "codelijsten.log"
    codelijsten = RunningSource(
        DemoSource("codelijsten", "Codelijsten (UWV BO&C 24.1)", CODELIJSTEN_OIN, "codelijsten", "codelijsten"),
        codelijsten_port,
        await _start(
            "subgraphs.codelijsten",
            [
                "--port",
                str(codelijsten_port),
                "--beroepen",
                str(beroepen),
                "--log-level",
                "warning",
                *_trust(gateway_port, CODELIJSTEN_OIN, gateway_ca),
            ],
            codelijsten_log,
        ),
        codelijsten_log,
    )
    running.append(codelijsten)
    for source in sources:
        port += 1
        source_port = _port_near(port)
        args = [
            "--port", str(source_port),
            "--name", source.name,
            "--postcodes", str(postcodes),
            "--log-level", "warning",
            *_trust(gateway_port, source.oin, gateway_ca),
        ]  # fmt: skip
        bron_port = _port_near(port + BRON_OFFSET) if source.adapter == "vumbron" else None
        args += _data_args(source, workdir, bron_port)
        log_file = workdir / f"{source.id}.log"
        process = await _start(f"subgraphs.{source.adapter}", args, log_file)
        running.append(RunningSource(source, source_port, process, log_file))
        if bron_port is not None:  # the subgraph asks it only when asked itself
            running[-1].bron = await _start_bron(source, workdir, postcodes, bron_port)
    running.append(await _start_extension(workdir, gateway_port, gateway_ca))
    waits = [(r.port, r.process, r.source.name, r.log) for r in running]
    waits += [(r.bron.port, r.bron.process, f"{r.source.name}: VUM-Bron", r.bron.log) for r in running if r.bron]
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(_wait_ready(session, *wait) for wait in waits))
    return codelijsten


def extension_schema_file(workdir: Path) -> Path:
    return workdir / f"{PLAATSEN}.graphql"


async def _start_extension(workdir: Path, gateway_port: int, gateway_ca: Path | None) -> RunningSource:
    """The extension subgraph `plaatsen` (subgraphs/plaatsen): not an organisation, a second kind of
    subgraph that adds `Adres.plaats` (the place of a vacancy's postcode) to the VUM graph through
    `Adres @key(fields: "postcode")`. The gateway composes it in from `[[extensions]]` in its
    configuration (`gateway_config`), with the SDL the subgraph prints (`--print-sdl`)."""
    from subgraphs.plaatsen.app import build_schema, read_places

    sdl = build_schema(read_places()).execute_sync("{ _service { sdl } }").data
    assert sdl is not None
    extension_schema_file(workdir).write_text(sdl["_service"]["sdl"], encoding="utf-8")
    port = _port_near(gateway_port + EXTENSION_OFFSET)
    log_file = workdir / f"{PLAATSEN}.log"
    args = ["--port", str(port), "--log-level", "warning", *_trust(gateway_port, PLAATSEN_OIN, gateway_ca)]
    source = DemoSource(PLAATSEN, "Plaatsen (woonplaats per postcode)", PLAATSEN_OIN, PLAATSEN, PLAATSEN)
    return RunningSource(source, port, await _start(f"subgraphs.{PLAATSEN}", args, log_file), log_file)


async def stop_sources(running: Sequence[RunningSource]) -> None:
    processes = [process for source in running for process in source.processes]
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


def gateway_config(
    running: Sequence[RunningSource], port: int, workdir: Path, pki: DemoPki | None = None
) -> GatewayConfig:
    organisations = [
        {
            "id": r.source.id,
            "name": r.source.name,
            "oin": r.source.oin,
            "kind": r.source.kind,
            "url": r.url,
            "timeout": 5.0,
        }
        for r in running
        if r.source.adapter != PLAATSEN
    ]
    extensions = [
        {"name": PLAATSEN, "url": r.url, "oin": r.source.oin, "schema_file": str(extension_schema_file(workdir))}
        for r in running
        if r.source.adapter == PLAATSEN
    ]
    auth: dict[str, Any] = {
        "dev_issuer": {"issuer": DEV_ISSUER, "key_file": str(ensure_key(workdir / DEV_KEY_NAME))},
        "signing_key_file": str(ensure_key(workdir / "gateway-signing.pem")),
    }
    server: dict[str, Any] = {"port": port, "schema_check_interval": 10}
    if pki is not None:  # HTTPS, and the accreditation party's client certificate in the register
        server["tls"], client_certificates = tls_settings(pki)
        auth |= client_certificates
    return parse_config(
        {
            "gateway": server,
            "pseudonym": {"key": new_key()},
            "auth": {**auth, "gateway_oin": GATEWAY_OIN},
            "processing_log": {"dsn": f"sqlite:///{workdir / 'verwerkingen.sqlite'}"},
            "organisations": organisations,
            "extensions": extensions,
        }
    )


def role_presets(sources: Sequence[DemoSource], workdir: Path) -> dict[str, dict[str, str]]:
    """GraphiQL headers per role: a mediator of the first organisation, one of the last, and more."""
    henk = next((r["idWerkzoekende"] for r in sources[0].werkzoekenden if r["idWerkzoekende"] == "henk"), None)
    return presets(workdir / DEV_KEY_NAME, sources[0].oin, sources[-1].oin, henk)


TRY_QUERY = (
    '{ werkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: \\"5611AB\\", afstand: 10}}, first: 3) '
    "{ totalCount edges { bronID node { vumID bemiddelingsberoep { omschrijvingBeroepsnaam } } } } }"
)


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative when it is under the current directory."""
    here = Path.cwd()
    return path.relative_to(here) if path.is_relative_to(here) else path


def try_it(port: int, workdir: Path, oin: str) -> list[str]:
    """Shell lines a user can paste: a token from the demo's issuer, and one search with it."""
    key = "" if workdir == DEFAULT_WORKDIR.absolute() else f" --key {_shown(workdir) / DEV_KEY_NAME}"
    return [
        f"TOKEN=$(vum-gateway token{key} --rol bemiddelaar --oin {oin} --scope werkzoekenden:zoeken --suwi)",
        f'curl -s http://127.0.0.1:{port}/graphql -H "Authorization: Bearer $TOKEN" '
        '-H "X-VUM-Doelbinding: arbeidsbemiddeling" -H "Content-Type: application/json" \\',
        f'  -d \'{{"query": "{TRY_QUERY}"}}\'',
    ]


def banner(running: Sequence[RunningSource], port: int, workdir: Path) -> str:
    lines = ["", "VUM gateway demo", f"  GraphiQL:   http://127.0.0.1:{port}/graphql", "  Subgraphs:"]
    for r in running:
        counts = f"{len(r.source.werkzoekenden):>5} werkzoekenden {len(r.source.vacatures):>4} vacatures"
        if r.source.adapter == "codelijsten":
            counts = f"{'UWV BO&C beroepen':<34}"
        elif r.source.adapter == PLAATSEN:
            counts = f"{'extension: Adres.plaats':<34}"
        lines.append(f"    {r.source.id:<30} {r.source.adapter:<12} {counts}  {r.url}")
        if r.bron is not None:
            lines.append(f"    {'':<30} {'VUM-Bron API':<12} {'the source the subgraph asks':<34}  {r.bron.url}")
    organisations = [r.source for r in running if r.source.adapter not in ("codelijsten", PLAATSEN)]
    lines += [
        f"  VUM REST:   http://127.0.0.1:{port}/api/v3 (VUM-Bemiddelaar; X-VUM-fromParty = the token's OIN)",
        "  Callers: GraphiQL offers ready-made headers per role (a token from the demo's own issuer).",
        f"  Try it from a shell (a mediator of {organisations[0].name}):",
        *(f"    {line}" for line in try_it(port, workdir, organisations[0].oin)),
        f"  Logs: the gateway's here; each organisation's in {_shown(workdir)}/<organisation>.log (its data beside it)",
        "  Ctrl-C stops the gateway and every organisation.",
        "",
    ]
    return "\n".join(lines)


def tls_banner(pki: DemoPki, port: int) -> str:
    """What --tls adds to the banner: the test PKI and a call with the client certificate."""
    certificate = f"--cacert {pki.ca} --cert {pki.client} --key {pki.client_key}"
    parties = f"-H 'X-VUM-fromParty: {ACCREDITATIE_OIN}' -H 'X-VUM-viaParty: {ACCREDITATIE_OIN}'"
    return "\n".join(
        [
            f"  HTTPS with a test PKI made for this demo (never a real key): {pki.directory}",
            f"    ca.pem; client.pem + client-key.pem = OIN {ACCREDITATIE_OIN}, a SUWI mediator in the participant",
            "    register; client certificates are optional at the TLS layer, data needs an identity. Try:",
            f"    curl {certificate} https://127.0.0.1:{port}/api/v3/vacatures/matches \\",
            f"      -H 'X-VUM-berichtVersie: 3.0.0' -H 'API-Version: 3.0.0' {parties} \\",
            f"      -H 'X-VUM-toParty: {GATEWAY_OIN}' -H 'Content-Type: application/json' \\",
            """      -d '{"vraagObject": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}}'""",
            "",
        ]
    )


def make_workdir(workdir: Path) -> Path:
    """The demo's work directory (data, logs, keys), created on a fresh clone, as an absolute path:
    in the processes' command lines `ps` then shows which demo they belong to."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StartError(f"cannot create the work directory {workdir}: {error.strerror}") from None
    return workdir.absolute()


async def run_demo(
    sources: list[DemoSource], workdir: Path, postcodes: Path, beroepen: Path, port: int, *, tls: bool = False
) -> None:
    """Start every organisation, then the gateway on `port` (HTTPS with a test PKI with `tls`),
    until SIGINT or SIGTERM; a start that fails raises `StartError` with one line (which port or
    process, which log), everything stopped. `workdir` exists and is absolute (`make_workdir`)."""
    try:
        listener = listening_socket("127.0.0.1", port)  # first: a taken port is told before anything starts
    except CannotListen as error:
        raise StartError(f"{error}; pass --port N to use another (the demo takes N to N+199)") from None
    running: list[RunningSource] = []
    pki = ensure_demo_pki(workdir / "tls") if tls else None
    try:
        print(f"starting {len(sources)} organisations, codelijsten and plaatsen…", flush=True)
        await start_sources(
            sources,
            workdir,
            postcodes,
            beroepen,
            port + SOURCES_OFFSET,
            running,
            port,
            gateway_ca=pki.ca if pki else None,
        )
        config = gateway_config(running, port, workdir, pki)
        gateway = Gateway(config, demo=True)
        gateway.graphiql_presets = role_presets(sources, workdir)
        server = ChildlessServer(
            uvicorn.Config(
                create_http_app(gateway), host="127.0.0.1", port=port, log_level="warning", **server_options(config)
            )
        )
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop_signal, server.stop)
        await gateway.start()
        text = banner(running, port, workdir)
        if pki is not None:  # the same port, over HTTPS
            text = text.replace(f"http://127.0.0.1:{port}", f"https://127.0.0.1:{port}") + tls_banner(pki, port)
        print(text, flush=True)
        await server.serve(sockets=[listener])
    finally:
        print("stopping…", flush=True)
        await stop_sources(running)
        listener.close()
