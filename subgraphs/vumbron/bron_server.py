"""A small VUM source: standard JSON records served per the VUM-Bron contracts (koppelvlak 3.0).

A test stand-in, for tests and the demo of `subgraphs.vumbron`: it plays an organisation that
already serves the Bron API, with synthetic or test records. Like a real Bron it answers only the
parties it has agreements with: `X-VUM-toParty` must be its own OIN (`--oin`) and
`X-VUM-fromParty` one of the allowed callers (`--allow-party`, repeatable); anyone else gets 401.
A real Bron also authenticates those parties (PKIoverheid mutual TLS), which this stand-in does not.

`POST /werkzoekendeProfielen/matches` and `/vacatures/matches` evaluate the
vraagObject with the SDK's semantics (at most `max_results` matches, 100 by default, in id order),
`GET /werkzoekendeProfielen/{idWerkzoekende}` and `/vacatures/{idVacature}` return a record;
`GET /health` says it is up (not part of the contracts; for whoever starts it).
Errors use the standard's model (`{code, message, details}`); an unknown id answers 404, which
the Bron contract leaves open.

    python -m subgraphs.vumbron.bron_server --werkzoekenden W.json --vacatures V.json \
        --postcodes nl-pc4-centroids.csv --port 4201 --oin <its OIN> --allow-party <the exchange's OIN>
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import ObjectTypeDefinitionNode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from subgraphs.sdk import cli
from subgraphs.sdk.app import DEFAULT_MAX_RESULTS
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.records import RecordFileError, read_json_records
from subgraphs.sdk.selectievraag import (
    Record,
    Selectievraag,
    SelectievraagError,
    first_sorted,
    parse_vacature_vraag,
    parse_werkzoekende_vraag,
)
from vumschema import ORGANISATION, Contract, load_contract
from vumschema import data as reference_data
from vumschema.constraints import ValueChecker
from vumschema.contract import named_type
from vumschema.policy import OIN

from .headers import BronParties, HeaderError, read_parties, response_headers
from .vraagobject import VraagObjectError, vacature_values, werkzoekende_values

SAFE_ID = re.compile(r"[a-zA-Z0-9_.-]{1,200}")  # fullmatch: `$` would allow a final newline
MAX_REQUEST_BYTES = 256 * 1024


class BronError(Exception):
    """An error answer in the standard's model."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message: str) -> BronError:
    return BronError(400, "400.01", f"Ongeldige aanroep: {message}"[:500])


def incomplete(message: str) -> BronError:
    return BronError(400, "400.02", f"Onvolledige aanroep: {message}"[:500])


@dataclass(frozen=True)
class BronResource:
    """One resource of the Bron contracts and how its records are searched."""

    path: str
    id_field: str
    input_type: str  # the selectievraag type whose values the vraagObject becomes
    match_type: str  # the contract type of a match profile (what a search returns of a record)
    record_type: str  # the contract type of the whole record
    values: Callable[[Any], dict[str, Any]]
    parse: Callable[[Mapping[str, Any], PostcodeTable], Selectievraag]


WERKZOEKENDEN = BronResource(
    "werkzoekendeProfielen",
    "idWerkzoekende",
    "WerkzoekendeSelectievraag",
    "WerkzoekendeProfielMatch",
    "Werkzoekende",
    werkzoekende_values,
    parse_werkzoekende_vraag,
)
VACATURES = BronResource(
    "vacatures",
    "idVacature",
    "VacatureSelectievraag",
    "VacatureMatch",
    "Vacature",
    vacature_values,
    parse_vacature_vraag,
)


def standard_part(contract: Contract, type_name: str, value: Any, id_field: str) -> Any:
    """The part of a record that `type_name` carries in the standard: its fields that a source
    serves and the public API shows, plus the record's id. A match profile leaves out detail-only
    and contact fields; anything a store keeps beside the standard's fields stays home."""
    if isinstance(value, list):
        return [standard_part(contract, type_name, item, id_field) for item in value]
    if not isinstance(value, Mapping):
        return value
    fields = contract.fields(type_name)
    part = {}
    for key, item in value.items():
        field = fields.get(key)
        if field is None or contract.resolved_by(type_name, key) != ORGANISATION:
            continue
        if contract.is_inaccessible(field) and key != id_field:
            continue
        target = named_type(field.type)
        nested = isinstance(contract.types.get(target), ObjectTypeDefinitionNode)
        part[key] = standard_part(contract, target, item, id_field) if nested else item
    return part


class BronService:
    """The source's records and the answers to the four operations."""

    def __init__(
        self,
        werkzoekenden: Sequence[Record],
        vacatures: Sequence[Record],
        table: PostcodeTable,
        max_results: int = DEFAULT_MAX_RESULTS,
        contract: Contract | None = None,
    ) -> None:
        self.records = {
            WERKZOEKENDEN.path: {str(r["idWerkzoekende"]): r for r in werkzoekenden},
            VACATURES.path: {str(r["idVacature"]): r for r in vacatures},
        }
        self.table = table
        self.max_results = max_results
        self.contract = contract or load_contract()
        self.checker = ValueChecker(self.contract, wire=True)

    def selectievraag(self, resource: BronResource, payload: Any) -> Selectievraag:
        if not isinstance(payload, dict) or payload.get("vraagObject") is None:
            raise incomplete('send {"vraagObject": {...}}')
        try:
            values = resource.values(payload["vraagObject"])
        except VraagObjectError as error:
            raise invalid(f"vraagObject.{error.criterion}: {error.problem}") from None
        problems = self.checker.check(resource.input_type, values, "vraagObject")
        if problems:
            raise invalid("; ".join(problems))
        try:
            return resource.parse(values, self.table)
        except SelectievraagError as error:
            raise invalid(str(error)) from None

    def matches(self, resource: BronResource, payload: Any) -> dict[str, Any]:
        vraag = self.selectievraag(resource, payload)
        records = list(self.records[resource.path].values())
        found, more = first_sorted(records, resource.id_field, vraag, self.max_results)
        profiles = [standard_part(self.contract, resource.match_type, r, resource.id_field) for r in found]
        return {"maximumAantalResultatenBereikt": more, "matches": profiles}

    def record(self, resource: BronResource, record_id: str) -> Any:
        if not SAFE_ID.fullmatch(record_id):
            raise invalid(f"{resource.id_field} must be 1 to 200 letters, digits or _.-")
        record = self.records[resource.path].get(record_id)
        if record is None:
            raise BronError(404, "404", f"no record with this {resource.id_field}")
        return standard_part(self.contract, resource.record_type, record, resource.id_field)


@dataclass(frozen=True)
class BronAccess:
    """Who may ask this source: it is `oin`, and it answers the parties in `callers` (OINs)."""

    oin: str
    callers: frozenset[str]

    def check(self, parties: BronParties) -> None:
        """Refuses (401) a request not addressed to this source or not from an allowed party."""
        if parties.to_party != self.oin:
            raise BronError(401, "401", f"Niet geautoriseerd: X-VUM-toParty {parties.to_party[:20]} is not this source")
        if parties.from_party not in self.callers:
            raise BronError(401, "401", f"Niet geautoriseerd: {parties.from_party[:20]} is not a party of this source")


def _json(payload: Any, status: int, headers: dict[str, str]) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


async def _payload(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_REQUEST_BYTES:
        raise invalid(f"the request body is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        return orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        raise invalid("the request body is not valid JSON") from None


def create_bron_app(service: BronService, access: BronAccess) -> Starlette:
    """The Bron REST API of `service` (paths as in the contracts, without the `/api/v3` base),
    answering the parties `access` allows."""

    def endpoint(work: Callable[[Request], Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            headers = response_headers(request.headers)
            try:
                access.check(read_parties(request.headers))
                return _json(await work(request), 200, headers)
            except HeaderError as error:
                failure = incomplete(str(error)) if error.incomplete else invalid(str(error))
                return _json({"code": failure.code, "message": failure.message}, failure.status, headers)
            except BronError as error:
                return _json({"code": error.code, "message": error.message}, error.status, headers)

        return handle

    def search(resource: BronResource) -> Callable[[Request], Awaitable[Response]]:
        async def work(request: Request) -> Any:
            return service.matches(resource, await _payload(request))

        return endpoint(work)

    def detail(resource: BronResource) -> Callable[[Request], Awaitable[Response]]:
        async def work(request: Request) -> Any:
            return service.record(resource, request.path_params["id"])

        return endpoint(work)

    async def health(request: Request) -> Response:
        return _json({"status": "ok"}, 200, {})

    routes = [Route("/health", health)]
    for resource in (WERKZOEKENDEN, VACATURES):
        routes.append(Route(f"/{resource.path}/matches", search(resource), methods=["POST"]))
        routes.append(Route(f"/{resource.path}/{{id}}", detail(resource), methods=["GET"]))
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description="A small VUM source serving standard JSON records (VUM-Bron API).")
    parser.add_argument("--host", default=os.environ.get("VUM_SUBGRAPH_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=4201)
    parser.add_argument("--werkzoekenden", type=Path, help="JSON array of Werkzoekende records")
    parser.add_argument("--vacatures", type=Path, help="JSON array of Vacature records")
    parser.add_argument(
        "--postcodes",
        type=Path,
        default=os.environ.get("VUM_POSTCODES") or reference_data.POSTCODES,
        help="CSV of PC4 centroids; default: shipped with the package",
    )
    parser.add_argument("--max-results", type=int, default=DEFAULT_MAX_RESULTS, help="cap per search (default 100)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--oin", required=True, help="this source's OIN: requests must name it in X-VUM-toParty")
    parser.add_argument(
        "--allow-party",
        action="append",
        required=True,
        metavar="OIN",
        help="an OIN that may ask this source (X-VUM-fromParty); repeat for more",
    )
    args = parser.parse_args()
    if not all(OIN.fullmatch(oin) for oin in (args.oin, *args.allow_party)):
        parser.error("--oin and --allow-party take OINs (20 digits)")
    if not 1 <= args.max_results <= 1000:
        parser.error("--max-results must be between 1 and 1000")
    cli.configure_logging(args.log_level)
    try:
        werkzoekenden = read_json_records(args.werkzoekenden, "Werkzoekende") if args.werkzoekenden else []
        vacatures = read_json_records(args.vacatures, "Vacature") if args.vacatures else []
    except RecordFileError as error:
        parser.error(str(error))
    service = BronService(werkzoekenden, vacatures, PostcodeTable.from_csv(args.postcodes), args.max_results)
    access = BronAccess(args.oin, frozenset(args.allow_party))
    cli.serve(create_bron_app(service, access), args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
