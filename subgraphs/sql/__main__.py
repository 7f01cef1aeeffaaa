"""`python -m subgraphs.sql`: serve an organisation from a SQL database, optionally loading files first."""

from __future__ import annotations

import logging
from pathlib import Path

from subgraphs.sdk import cli
from subgraphs.sdk.app import create_app
from subgraphs.sdk.records import RecordFileError, read_json_records

from .adapter import SqlAdapter

log = logging.getLogger("vum.subgraph.sql")


def main() -> None:
    parser = cli.parser("VUM organisation subgraph backed by a SQL database.", default_port=4101)
    parser.add_argument(
        "--dsn", default="sqlite:///vum-organisatie.sqlite", help="SQLAlchemy DSN (default: a SQLite file)"
    )
    parser.add_argument(
        "--dsn-file", type=Path, help="a file holding the DSN (a mounted secret: the DSN carries the password)"
    )
    parser.add_argument("--werkzoekenden", type=Path, help="JSON file of Werkzoekende records to load (replaces)")
    parser.add_argument("--vacatures", type=Path, help="JSON file of Vacature records to load (replaces)")
    args = parser.parse_args()
    cli.configure_logging(args.log_level)
    settings = cli.settings(args, "sql", parser)
    adapter = SqlAdapter(cli.secret_file(args.dsn_file, "--dsn-file", parser) if args.dsn_file else args.dsn)
    if args.werkzoekenden or args.vacatures:
        try:
            werkzoekenden = read_json_records(args.werkzoekenden, "Werkzoekende") if args.werkzoekenden else []
            vacatures = read_json_records(args.vacatures, "Vacature") if args.vacatures else []
        except RecordFileError as error:
            parser.error(str(error))
        loaded = adapter.load(werkzoekenden, vacatures)
        log.info("%s: loaded %d werkzoekenden and %d vacatures", settings.name, *loaded)
    cli.serve(create_app(adapter, settings), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
