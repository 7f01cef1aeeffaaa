"""Commands of the federation runtime: serve any supergraph, print a query plan.

`python -m gateway.federation serve --supergraph FILE|URL` and `... plan --supergraph F --query Q`;
`vum-gateway` exposes the same as `serve --supergraph` and `plan`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

from .errors import FederationError
from .supergraph import Supergraph, fetch_supergraph, load_supergraph


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--supergraph", help="supergraph SDL: a file or an http(s) URL")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument(
        "--deduplicate-inbound",
        action="store_const",
        const=True,
        help="run identical queries in flight at the same time once (only where answers do not depend on the caller)",
    )
    parser.add_argument(
        "--no-deduplicate-subgraph",
        dest="deduplicate_subgraph",
        action="store_const",
        const=False,
        help="send identical subgraph requests in flight at the same time each on their own",
    )


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--supergraph", required=True, help="supergraph SDL: a file or an http(s) URL")
    parser.add_argument("--query", required=True, help="the operation: a file, or the GraphQL text itself")
    parser.add_argument("--operation-name")


def add_compose_arguments(parser: argparse.ArgumentParser) -> None:
    """`vum-gateway compose`'s (`gateway/federation/compose/cli.py`): here, so that every other
    command builds its parser without importing the composer."""
    parser.add_argument(
        "--subgraph",
        action="append",
        default=[],
        metavar="NAME=SOURCE[@ROUTING_URL]",
        help="a subgraph: its name, an SDL file or the subgraph's URL, and where the gateway reaches it (repeat)",
    )
    parser.add_argument("--config", type=Path, help="rover's supergraph.yaml format (YAML or TOML)")
    parser.add_argument("-o", "--output", type=Path, help="write the supergraph here (default: standard output)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a subgraph's schema")


def serve_overrides(args: argparse.Namespace) -> dict[str, object]:
    """Command-line values that override the configuration file (None: not given)."""
    return {
        "supergraph": args.supergraph,
        "host": args.host,
        "port": args.port,
        "deduplicate_inbound_requests": args.deduplicate_inbound,
        "deduplicate_subgraph_requests": args.deduplicate_subgraph,
    }


def read_supergraph_source(source: str) -> Supergraph:
    if source.startswith(("http://", "https://")):
        return asyncio.run(fetch_supergraph(source))
    return load_supergraph(Path(source))


def serve(config_path: Path | None, overrides: dict[str, object], log_level: str) -> int:
    import uvicorn

    from .runtime import FederationRuntime, RuntimeOptions
    from .server.app import create_app
    from .server.config import load_config

    config = load_config(config_path, overrides)
    loaded = read_supergraph_source(config.supergraph)
    options = RuntimeOptions(
        plan_cache_size=config.plan_cache_size,
        plan_cache_bytes=config.plan_cache_bytes,
        deduplicate_subgraph_requests=config.deduplicate_subgraph_requests,
        deduplicate_inbound_requests=config.deduplicate_inbound_requests,
        subgraph_timeout=config.subgraph_timeout,
        max_subgraph_response_bytes=config.max_subgraph_response_bytes,
        connections=config.connections,
    )
    from .execution.hooks import Hooks

    unknown = sorted(set(config.subgraphs) - set(loaded.subgraphs))
    if unknown:
        raise FederationError(f"subgraphs.{unknown[0]}: the supergraph has no subgraph {unknown[0]!r}")
    hooks = Hooks(
        loaded,
        urls={name: sub.url for name, sub in config.subgraphs.items() if sub.url},
        timeouts={name: sub.timeout for name, sub in config.subgraphs.items() if sub.timeout},
        default_timeout=config.subgraph_timeout,
    )
    runtime = FederationRuntime(loaded, options, hooks=hooks)
    app = create_app(runtime, config)
    gc.collect()
    gc.freeze()  # what start-up built is never garbage: stop scanning it
    gc.set_threshold(100_000, 50, 100)  # answers allocate many short-lived objects: collect seldom
    uvicorn.run(app, host=config.host, port=config.port, log_level=log_level, access_log=False)
    return 0


def plan(supergraph: str, query: str, operation_name: str | None) -> int:
    from .planning import QueryPlanner, print_plan

    text = Path(query).read_text(encoding="utf-8") if _is_file(query) else query
    planner = QueryPlanner(read_supergraph_source(supergraph))
    print(print_plan(planner.plan(text, operation_name)))
    return 0


def _is_file(value: str) -> bool:
    try:
        return "{" not in value and Path(value).is_file()
    except OSError:
        return False


def main(argv: list[str] | None = None) -> None:
    root = argparse.ArgumentParser(prog="python -m gateway.federation", description="A Federation v2 gateway.")
    root.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    commands = root.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve a supergraph over HTTP")
    add_serve_arguments(serve_parser)
    serve_parser.add_argument("--config", type=Path, help="TOML configuration ([gateway] table)")
    plan_parser = commands.add_parser("plan", help="print the query plan of an operation")
    add_plan_arguments(plan_parser)
    args = root.parse_args(argv)
    try:
        if args.command == "serve":
            code = serve(args.config, serve_overrides(args), args.log_level)
        else:
            code = plan(args.supergraph, args.query, args.operation_name)
    except FederationError as error:
        print(f"error: {error.message}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
