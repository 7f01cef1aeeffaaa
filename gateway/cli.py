"""`vum-gateway`: serve the gateway, run the demo, make a key, print the public schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import socket
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from graphql import print_schema

from vumschema import data as reference_data
from vumschema import load_contract
from vumschema.policy import OIN, ROLES

from .auth.keys import KeyFileError, new_private_key, write_private_key
from .config import ConfigError, config_path, load_config, new_key
from .demo import AUDIENCE, DEFAULT_WORKDIR, DEV_ISSUER, DEV_KEY_NAME
from .federation.cli import add_compose_arguments, add_plan_arguments, add_serve_arguments
from .federation.errors import FederationError
from .public_schema import build_public_schema
from .serving import CannotListen, GatewayServer, StartError, listening_socket


def tune_gc() -> None:
    """Each request allocates many short-lived objects (parsed JSON, projected answers): fewer,
    larger collections cost far less CPU, and freezing what start-up created stops the collector
    from scanning it again (measured: +40 % requests per second). What start-up made since the
    collector was paused is collected once first (its garbage: a few thousand objects); a full
    collection would scan every module too (80–150 ms) and find next to nothing more."""
    gc.collect(1)
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection while the gateway is built: it makes some 140,000 objects
    that live as long as the process (modules, the contract's and the supergraph's documents, the
    schemas) and little garbage, and each collection among them scanned them all again (~0.1 s of
    start-up); `tune_gc` collects once at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _serve(args: argparse.Namespace) -> int:
    if args.supergraph is not None:  # any Federation v2 supergraph, served by the general runtime
        from .federation.cli import serve as serve_supergraph
        from .federation.cli import serve_overrides

        config_file = Path(args.config) if args.config else None
        return serve_supergraph(config_file, serve_overrides(args), args.log_level)
    with collector_paused():
        path, server, sock = _gateway_server(args)
        tune_gc()
    try:
        server.run(sockets=[sock])
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    return 0


def _gateway_server(args: argparse.Namespace) -> tuple[Path, GatewayServer, socket.socket]:
    """The configuration file, the server of the gateway it configures, and its listening socket."""
    from .http.app import create_http_app
    from .http.transport import server_options
    from .server import Gateway

    path = config_path(args.config)
    config = load_config(path)
    try:
        gateway = Gateway(config, path)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    host = args.host or config.gateway.host
    port = args.port or config.gateway.port
    sock = _listen(host, port, "pass --port or change gateway.port")
    app = create_http_app(gateway)
    options = server_options(config)
    server = GatewayServer(gateway, uvicorn.Config(app, log_level=args.log_level, access_log=False, **options))
    return path, server, sock


def _plan(args: argparse.Namespace) -> int:
    from .federation.cli import plan

    return plan(args.supergraph, args.query, args.operation_name)


def _listen(host: str, port: int, hint: str) -> socket.socket:
    try:
        return listening_socket(host, port)
    except CannotListen as error:
        raise StartError(f"{error}; {hint}") from None


def _check_config(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    print(f"configuration is valid: {len(config.organisations)} organisation(s)")
    return 0


def _demo_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Options from a demo settings file (`--config`, paths relative to it), overridden by the
    command line; the reference data shipped with the package by default."""
    settings: dict[str, Any] = {"postcodes": reference_data.POSTCODES, "beroepen": reference_data.BEROEPEN}
    if args.config:
        config_file = Path(args.config)
        try:
            with config_file.open("rb") as handle:
                loaded = tomllib.load(handle)
        except OSError as error:
            raise ConfigError(f"cannot read {config_file}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{config_file}: not valid TOML: {error}") from None
        for key, value in loaded.items():
            settings[key] = (config_file.parent / value) if key in ("postcodes", "beroepen") else value
    for key in ("postcodes", "beroepen", "postgres"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    return settings


def _demo(args: argparse.Namespace) -> int:
    from .demo.runner import make_workdir, run_demo, spread, synthetic

    if args.organisaties < 1:
        raise ConfigError(f"--organisaties {args.organisaties}: give at least 1")
    settings = _demo_settings(args)
    for key, flag in (("postcodes", "--postcodes"), ("beroepen", "--beroepen")):
        path = settings.get(key)
        if path is None or not Path(path).is_file():
            raise ConfigError(f"{flag}: no such file: {path}")
    if args.werkzoekenden or args.vacatures:
        werkzoekenden = _read_records(args.werkzoekenden)
        vacatures = _read_records(args.vacatures)
        sources = spread(werkzoekenden, vacatures, args.organisaties)
        print(
            "imported records are synthetic test data without consent in the standard: they are imported as "
            "consented in every category (matchprofiel, detail, contactgegevens, bijzonder)"
        )
    else:
        sources = synthetic(
            args.seed, Path(settings["postcodes"]), Path(settings["beroepen"]), settings.get("postgres")
        )
    workdir = make_workdir(args.workdir)
    asyncio.run(
        run_demo(sources, workdir, Path(settings["postcodes"]), Path(settings["beroepen"]), args.port, tls=args.tls)
    )
    return 0


def _read_records(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read records from {path}: {error}") from None
    if not isinstance(records, list):
        raise ConfigError(f"{path}: expected a JSON array of records")
    return records


def _token(args: argparse.Namespace) -> int:
    from .auth.dev import issuer_jwks, mint

    try:
        if args.jwks:
            print(json.dumps(issuer_jwks(args.key), indent=2))
            return 0
        if args.rol is None or args.oin is None:
            raise ConfigError("give --rol and --oin (or --jwks to print the key's public JWKS)")
        if not OIN.fullmatch(args.oin):
            raise ConfigError(f"--oin {args.oin}: an OIN is 20 digits, e.g. 00000001001172773000")
        print(
            mint(
                args.key,
                subject=args.sub,
                oin=args.oin,
                role=args.rol,
                scopes=args.scope,
                suwi=args.suwi,
                purpose=args.doelbinding,
                id_werkzoekende=args.id_werkzoekende,
                lifetime=args.lifetime,
                issuer=args.issuer,
                audience=args.audience,
            )
        )
    except KeyFileError as error:
        hint = "start `vum-gateway demo` first: it creates the demo issuer's key"
        raise ConfigError(f"{error} ({hint}, or make one with `vum-gateway keygen --signing-key FILE`)") from None
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(print_schema(build_public_schema(load_contract())))
    return 0


def _compose(args: argparse.Namespace) -> int:
    from .federation.compose.cli import ComposeInputError, run

    try:
        return run(args)
    except ComposeInputError as error:
        raise ConfigError(str(error)) from None


def _keygen(args: argparse.Namespace) -> int:
    if args.signing_key is None:
        print(new_key())
        return 0
    try:
        write_private_key(new_private_key(), args.signing_key, overwrite=False)
    except FileExistsError:
        raise SystemExit(f"vum-gateway: {args.signing_key} exists; a signing key is never overwritten") from None
    except OSError as error:
        raise SystemExit(f"vum-gateway: cannot write {args.signing_key}: {error.strerror}") from None
    print(f"wrote an Ed25519 signing key to {args.signing_key} (auth.signing_key_file)")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="vum-gateway", description="GraphQL federation gateway for VUM (koppelvlak 3.0)."
    )
    root.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the gateway with a configuration file, or any supergraph")
    serve.add_argument("--config", help="TOML file (default: $VUM_CONFIG or gateway.toml)")
    add_serve_arguments(serve)
    serve.set_defaults(run=_serve)

    plan = commands.add_parser("plan", help="print the query plan of an operation against a supergraph")
    add_plan_arguments(plan)
    plan.set_defaults(run=_plan)

    check = commands.add_parser("check-config", help="validate a configuration file and exit")
    check.add_argument("--config")
    check.set_defaults(run=_check_config)

    demo = commands.add_parser("demo", help="run the gateway with demo organisations on localhost")
    demo.add_argument("--config", help="optional TOML of demo settings (postcodes, beroepen, postgres)")
    demo.add_argument("--port", type=int, default=4000, help="gateway port (subgraphs from port+100)")
    demo.add_argument(
        "--postcodes", type=Path, help="PC4 centroid CSV (pc4,lat,lon); default: shipped with the package"
    )
    demo.add_argument("--beroepen", type=Path, help="UWV BO&C occupation list (CSV); default: shipped with the package")
    demo.add_argument("--werkzoekenden", type=Path, help="JSON array of Werkzoekende records to spread")
    demo.add_argument("--vacatures", type=Path, help="JSON array of Vacature records to spread")
    demo.add_argument("--organisaties", type=int, default=4, help="organisations to spread records over")
    demo.add_argument("--seed", type=int, default=2026, help="seed of the synthetic data")
    demo.add_argument("--postgres", help="DSN: serve one organisation from PostgreSQL")
    demo.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where the demo writes data and logs")
    demo.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a test PKI (<workdir>/tls/: ca.pem, and client.pem + client-key.pem for the "
        "accreditation party's OIN, registered as a SUWI mediator)",
    )
    demo.set_defaults(run=_demo)

    token = commands.add_parser(
        "token",
        help="print a caller token signed with the demo issuer's key (or another Ed25519 key), or the key's JWKS",
    )
    token.add_argument("--rol", choices=ROLES, help="the caller's role (required for a token)")
    token.add_argument("--oin", help="OIN of the caller's organisation, 20 digits (required for a token)")
    token.add_argument("--scope", action="append", default=[], help="a scope (repeat), e.g. werkzoekenden:zoeken")
    token.add_argument("--suwi", action="store_true", help="the caller's organisation is a SUWI party")
    token.add_argument("--doelbinding", help="purpose claim (or send the X-VUM-Doelbinding header)")
    token.add_argument("--sub", default="demo-gebruiker", help="the caller's subject")
    token.add_argument("--id-werkzoekende", help="for a job seeker: the id of their own profile")
    token.add_argument("--lifetime", type=int, default=8 * 3600, help="seconds the token is valid")
    token.add_argument(
        "--key", type=Path, default=DEFAULT_WORKDIR / DEV_KEY_NAME, help="the issuer's Ed25519 key (PEM)"
    )
    token.add_argument("--issuer", default=DEV_ISSUER, help=f"the iss claim (default: the demo's, {DEV_ISSUER})")
    token.add_argument("--audience", default=AUDIENCE, help=f"the aud claim (default {AUDIENCE})")
    token.add_argument(
        "--jwks", action="store_true", help="print the key's public JWKS (for [[auth.issuers]] jwks_url) instead"
    )
    token.set_defaults(run=_token)

    schema = commands.add_parser("schema", help="print the public GraphQL schema")
    schema.set_defaults(run=_schema)

    compose = commands.add_parser("compose", help="compose a supergraph from subgraph schemas (files or URLs)")
    add_compose_arguments(compose)
    compose.set_defaults(run=_compose)

    keygen = commands.add_parser("keygen", help="print a new pseudonym key, or write a new signing key")
    keygen.add_argument(
        "--signing-key",
        type=Path,
        metavar="FILE",
        help="write a new Ed25519 key for signing subgraph tokens to FILE (auth.signing_key_file) instead",
    )
    keygen.set_defaults(run=_keygen)
    return root


def main(argv: list[str] | None = None) -> None:
    """Run a subcommand; a user error ends in one line on stderr and a non-zero exit, never a traceback."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        sys.exit(args.run(args))
    except (ConfigError, FederationError) as error:  # the command line, a file or the configuration
        _fail(error, 2)
    except StartError as error:  # what it serves cannot start (a port in use, a process that stopped)
        _fail(error, 1)
    except KeyboardInterrupt:
        sys.exit(130)


def _fail(error: Exception, code: int) -> None:
    print(f"vum-gateway: {' '.join(str(error).split())}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
