"""The two VUM resources as GraphQL operations, and their results in the standard's JSON.

A search is `werkzoekendeProfielMatches` / `vacatureMatches` with every field of the match
profile; a detail lookup is `werkzoekendeProfiel` / `vacature` with every field of the record. The
query texts are fixed per resource, so the gateway plans each once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema

from vumschema import Contract

from ..vraagobject import vacature_selectievraag, werkzoekende_selectievraag
from ..wire import full_selection, standard_json

SOURCE_ANSWERED = "OK"


@dataclass(frozen=True)
class Operation:
    """A GraphQL operation whose root field is aliased `result`."""

    name: str
    text: str


@dataclass(frozen=True)
class Resource:
    """How one VUM resource maps onto the public GraphQL API."""

    path: str  # the resource's path segment in the contract
    search_field: str
    input_type: str
    match_type: str
    detail_field: str
    record_field: str  # the record's name in the detail answer (`{bronID, werkzoekende}`)
    record_type: str
    translate: Callable[[Contract, Any], dict[str, Any]]  # vraagObject -> selectievraag input
    closed_body: bool  # the request body allows no property besides vraagObject

    def search_operation(self, schema: GraphQLSchema, contract: Contract) -> Operation:
        name = f"VumRest_{self.search_field}"
        fields = full_selection(schema, contract, self.match_type)
        return Operation(
            name,
            f"query {name}($selectievraag: {self.input_type}!, $first: Int!) "
            f"{{ result: {self.search_field}(selectievraag: $selectievraag, first: $first) {{ "
            "vraagID maximumAantalResultatenBereikt totalCount bronnen { bronID status melding } "
            f"edges {{ node {{ vumID {fields} }} }} }} }}",
        )

    def detail_operation(self, schema: GraphQLSchema, contract: Contract) -> Operation:
        name = f"VumRest_{self.detail_field}"
        fields = full_selection(schema, contract, self.record_type)
        return Operation(
            name,
            f"query {name}($vumID: ID!) "
            f"{{ result: {self.detail_field}(vumID: $vumID) {{ bronID {self.record_field} {{ {fields} }} }} }}",
        )

    def matches_answer(self, schema: GraphQLSchema, contract: Contract, result: Mapping[str, Any]) -> dict[str, Any]:
        """`{vraagID, maximumAantalResultatenBereikt, matches}` from a search result."""
        edges = result["edges"]
        matches = [standard_json(schema, contract, self.match_type, edge["node"]) for edge in edges]
        return {
            "vraagID": result["vraagID"],
            # also true when the page could not hold every match (more than the gateway's page size)
            "maximumAantalResultatenBereikt": bool(result["maximumAantalResultatenBereikt"])
            or result["totalCount"] > len(edges),
            "matches": matches,
        }

    def detail_answer(self, schema: GraphQLSchema, contract: Contract, result: Mapping[str, Any]) -> dict[str, Any]:
        """`{bronID, werkzoekende}` / `{bronID, vacature}` from a detail result."""
        record = standard_json(schema, contract, self.record_type, result[self.record_field])
        return {"bronID": result["bronID"], self.record_field: record}


WERKZOEKENDEN = Resource(
    path="werkzoekendeProfielen",
    search_field="werkzoekendeProfielMatches",
    input_type="WerkzoekendeSelectievraag",
    match_type="WerkzoekendeProfielMatch",
    detail_field="werkzoekendeProfiel",
    record_field="werkzoekende",
    record_type="Werkzoekende",
    translate=werkzoekende_selectievraag,
    closed_body=True,
)

VACATURES = Resource(
    path="vacatures",
    search_field="vacatureMatches",
    input_type="VacatureSelectievraag",
    match_type="VacatureMatch",
    detail_field="vacature",
    record_field="vacature",
    record_type="Vacature",
    translate=vacature_selectievraag,
    closed_body=False,
)

RESOURCES = (WERKZOEKENDEN, VACATURES)


def failed_sources(result: Mapping[str, Any]) -> list[str]:
    """`bronID: status melding` of every source that did not answer a search."""
    return [
        f"{b['bronID']}: {b['status']}{' ' + b['melding'] if b.get('melding') else ''}"
        for b in result.get("bronnen") or ()
        if b.get("status") != SOURCE_ANSWERED
    ]
