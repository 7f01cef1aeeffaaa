"""Command-line plumbing shared by the example subgraphs: common options, logging, serving."""

from __future__ import annotations

import argparse
import gc
import logging
import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from vumschema import data as reference_data
from vumschema.policy import OIN

from .app import DEFAULT_MAX_RESULTS, SubgraphSettings
from .identity import GatewayTrust
from .selectievraag import EXTENSIONS


def add_trust_options(result: argparse.ArgumentParser) -> None:
    """Which gateway this subgraph answers: every subgraph accepts the gateway's tokens only."""
    result.add_argument("--host", default=os.environ.get("VUM_SUBGRAPH_HOST", "127.0.0.1"), help="address to listen on")
    result.add_argument(
        "--gateway-jwks",
        default=os.environ.get("VUM_GATEWAY_JWKS"),
        help="URL of the gateway's keys, e.g. https://gateway/.well-known/jwks.json; env VUM_GATEWAY_JWKS",
    )
    result.add_argument("--gateway-issuer", default=os.environ.get("VUM_GATEWAY_ISSUER", "urn:vum:gateway"))
    result.add_argument(
        "--oin", default=os.environ.get("VUM_OIN"), help="this organisation's OIN (20 digits); env VUM_OIN"
    )


def trust(args: argparse.Namespace, parser: argparse.ArgumentParser) -> GatewayTrust:
    if not args.gateway_jwks or not args.oin or not OIN.match(args.oin):
        parser.error("--gateway-jwks URL and --oin OIN (20 digits) are required: a subgraph answers one gateway only")
    return GatewayTrust(jwks_url=args.gateway_jwks, audience=args.oin, issuer=args.gateway_issuer)


def parser(description: str, default_port: int) -> argparse.ArgumentParser:
    """An argument parser with the options every organisation subgraph has."""
    result = argparse.ArgumentParser(description=description)
    add_trust_options(result)
    result.add_argument("--port", type=int, default=default_port, help=f"port to listen on (default {default_port})")
    result.add_argument("--name", default=None, help="name of the organisation, for logs and /health")
    result.add_argument(
        "--postcodes",
        type=Path,
        default=os.environ.get("VUM_POSTCODES") or reference_data.POSTCODES,
        help="CSV of PC4 centroids (pc4,lat,lon); env VUM_POSTCODES; default: shipped with the package",
    )
    result.add_argument(
        "--max-results",
        type=int,
        default=DEFAULT_MAX_RESULTS,
        help=f"most matches returned per search (default {DEFAULT_MAX_RESULTS}, as VUM prescribes)",
    )
    result.add_argument(
        "--unsupported",
        default="",
        help="comma-separated extension criteria this organisation cannot answer, e.g. interesse "
        f"(of: {', '.join(sorted(EXTENSIONS))})",
    )
    result.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return result


def settings(args: argparse.Namespace, default_name: str, parser: argparse.ArgumentParser) -> SubgraphSettings:
    try:
        return SubgraphSettings(
            name=args.name or default_name,
            postcodes=Path(args.postcodes),
            oin=args.oin,
            trust=trust(args, parser),
            max_results=args.max_results,
            unsupported_extensions=frozenset(name.strip() for name in args.unsupported.split(",") if name.strip()),
        )
    except ValueError as error:
        parser.error(str(error))
        raise  # unreachable: parser.error exits


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def serve(app: Starlette, host: str, port: int, log_level: str) -> None:
    """Serve until interrupted; uvicorn handles Ctrl-C and SIGTERM."""
    gc.collect()
    gc.freeze()  # what start-up loaded (records, the schema) is never garbage: do not scan it again
    gc.set_threshold(100_000, 50, 100)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
