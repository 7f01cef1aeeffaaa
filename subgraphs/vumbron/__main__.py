"""`python -m subgraphs.vumbron`: serve an existing VUM source (VUM-Bron REST API) as a subgraph.

    python -m subgraphs.vumbron --bron-url https://bron.example.nl/api/v3 \
        --from-party 00000001234567890000 --to-party 00000009876543210000 --postcodes pc4.csv \
        --gateway-jwks https://gateway.example.nl/.well-known/jwks.json --oin 00000009876543210000

`--oin` is the organisation's OIN in the gateway's configuration (usually the source's, `--to-party`).

A small Bron server for trying it out: `python -m subgraphs.vumbron.bron_server --help`.
"""

from __future__ import annotations

import os

from subgraphs.sdk import cli

from .adapter import DEFAULT_TIMEOUT, VumBronAdapter
from .app import create_vumbron_app


def main() -> None:
    parser = cli.parser("VUM organisation subgraph for a source that serves the VUM-Bron REST API.", default_port=4103)
    parser.add_argument("--bron-url", required=True, help="base URL of the source's Bron API, e.g. https://.../api/v3")
    parser.add_argument(
        "--from-party", default=os.environ.get("VUM_FROM_PARTY"), help="OIN sent as X-VUM-fromParty; env VUM_FROM_PARTY"
    )
    parser.add_argument("--to-party", default=os.environ.get("VUM_TO_PARTY"), help="the source's OIN (X-VUM-toParty)")
    parser.add_argument(
        "--via-party", default=None, help="OIN of the verwerker (X-VUM-viaParty); default: --from-party"
    )
    parser.add_argument(
        "--suwi-party",
        action="store_true",
        help="send X-VUM-SUWIparty: true when the caller is not known (each caller's own status otherwise)",
    )
    parser.add_argument(
        "--bron-timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds per call (default {DEFAULT_TIMEOUT:g})"
    )
    args = parser.parse_args()
    if not args.from_party or not args.to_party:
        parser.error("--from-party and --to-party are required (the X-VUM party headers)")
    cli.configure_logging(args.log_level)
    settings = cli.settings(args, "vumbron", parser)
    try:
        adapter = VumBronAdapter(
            args.bron_url,
            args.from_party,
            args.to_party,
            via_party_oin=args.via_party,
            suwi_party=args.suwi_party,
            timeout=args.bron_timeout,
            name=settings.name,
        )
    except ValueError as error:
        parser.error(str(error))
    cli.serve(create_vumbron_app(adapter, settings), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
