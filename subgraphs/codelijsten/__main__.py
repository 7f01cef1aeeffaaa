"""`python -m subgraphs.codelijsten`: serve occupation labels from the UWV BO&C list."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from subgraphs.sdk import cli
from vumschema import data as reference_data

from .app import BeroepenListError, create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="VUM reference-data subgraph (codelijsten): occupation labels.")
    cli.add_trust_options(parser)
    parser.add_argument("--port", type=int, default=4100)
    parser.add_argument(
        "--beroepen",
        type=Path,
        default=os.environ.get("VUM_BEROEPEN") or reference_data.BEROEPEN,
        help="UWV BO&C occupation list (CSV, ';'-separated); env VUM_BEROEPEN; default: shipped with the package",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args()
    cli.configure_logging(args.log_level)
    try:
        app = create_app(args.beroepen, cli.trust(args, parser))
    except BeroepenListError as error:
        parser.error(str(error))
    cli.serve(app, args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
