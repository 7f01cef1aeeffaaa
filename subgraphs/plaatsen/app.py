"""The plaatsen subgraph: extends `Adres` with the place (woonplaats) of its postcode.

An example of an extension subgraph: reference data an organisation does not hold, added to the
VUM graph through `@key` (`Adres @key(fields: "postcode")`, so a vacancy's address gets a
`plaats`), with its consent category declared as a federation `@policy` (MATCHPROFIEL: released
wherever the address is). The federation engine composes it in by configuration only
(`[[extensions]]`); the bespoke engine does not know it. Its place names come from the PC4 table
shipped with the contract (GeoNames); an unknown area has no place (null).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, NewType

import strawberry
from starlette.applications import Starlette
from strawberry.federation.schema_directives import Policy
from strawberry.schema.config import StrawberryConfig

from subgraphs.sdk.app import http_app
from subgraphs.sdk.identity import GatewayTrust
from vumschema import data as reference_data
from vumschema.policy import Caller

SUBGRAPH = "plaatsen"
Postcode = NewType("Postcode", str)
POSTCODE = strawberry.scalar(name="Postcode", serialize=str, parse_value=str)


def read_places(path: Path = reference_data.POSTCODES) -> dict[str, str]:
    """The place of each four-digit postcode area."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["pc4"]: row["plaats"] for row in csv.DictReader(handle) if row.get("plaats")}


def build_schema(places: dict[str, str]) -> strawberry.federation.Schema:
    @strawberry.federation.type(keys=["postcode"], description="Adres, uitgebreid met de plaats van de postcode.")
    class Adres:
        postcode: Postcode
        plaats: str | None = strawberry.federation.field(
            description="Uitbreiding (plaatsen): de woonplaats van het postcodegebied; null als die onbekend is.",
            directives=[Policy(policies=[["MATCHPROFIEL"]])],
            default=None,
        )

        @classmethod
        def resolve_reference(cls, postcode: str, **_: Any) -> Adres:
            return cls(postcode=Postcode(postcode), plaats=places.get(postcode[:4]))

    def areas() -> int:
        return len(places)

    @strawberry.type
    class Query:
        plaatsen_gebieden: int = strawberry.federation.field(
            resolver=areas, inaccessible=True, description="The number of areas this subgraph knows."
        )

    config = StrawberryConfig(scalar_map={Postcode: POSTCODE})
    return strawberry.federation.Schema(query=Query, types=[Adres], config=config)


def create_app(trust: GatewayTrust | None, anonymous: Caller | None = None, places: Path | None = None) -> Starlette:
    """The subgraph; like every subgraph it answers the gateway only (`trust`)."""
    known = read_places(places or reference_data.POSTCODES)

    async def ready() -> bool:
        return bool(known)

    return http_app(build_schema(known), SUBGRAPH, ready, trust, anonymous)
