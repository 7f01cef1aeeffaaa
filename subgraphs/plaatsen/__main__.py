"""`python -m subgraphs.plaatsen`: serve the place of each postcode (an extension subgraph).

Print its SDL for the gateway's `[[extensions]] schema_file` with `--print-sdl`."""

from __future__ import annotations

import argparse

from subgraphs.sdk import cli

from .app import build_schema, create_app, read_places


def main() -> None:
    parser = argparse.ArgumentParser(description="VUM extension subgraph (plaatsen): the place of a postcode.")
    cli.add_trust_options(parser)
    parser.add_argument("--port", type=int, default=4102)
    parser.add_argument("--print-sdl", action="store_true", help="print the subgraph's SDL and stop")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args()
    if args.print_sdl:
        result = build_schema(read_places()).execute_sync("{ _service { sdl } }")
        print((result.data or {})["_service"]["sdl"])
        return
    cli.configure_logging(args.log_level)
    cli.serve(create_app(cli.trust(args, parser)), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
