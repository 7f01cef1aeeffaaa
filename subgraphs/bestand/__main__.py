"""`python -m subgraphs.bestand`: serve an organisation from export files (JSON or CSV)."""

from __future__ import annotations

from pathlib import Path

from subgraphs.sdk import cli
from subgraphs.sdk.app import create_app

from .adapter import BestandAdapter


def main() -> None:
    parser = cli.parser(
        "VUM organisation subgraph serving exported files, re-read when they change.", default_port=4102
    )
    parser.add_argument("--werkzoekenden", type=Path, help="export of Werkzoekende records (.json or .csv)")
    parser.add_argument("--vacatures", type=Path, help="export of Vacature records (.json or .csv)")
    args = parser.parse_args()
    if not args.werkzoekenden and not args.vacatures:
        parser.error("give --werkzoekenden and/or --vacatures")
    cli.configure_logging(args.log_level)
    settings = cli.settings(args, "bestand", parser)
    adapter = BestandAdapter(args.werkzoekenden, args.vacatures)
    cli.serve(create_app(adapter, settings), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
