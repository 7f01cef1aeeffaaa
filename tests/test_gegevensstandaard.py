"""schema.graphql speaks the standard's words: every field of the public schema carries the Dutch
definition of gegevensstandaard 1.5 (docs/gegevensstandaard/*.xlsx, read by
vumschema/gegevensstandaard.py), or says that it comes from koppelvlak 3.0 or is the gateway's own
extension; every code of a list of values keeps the standard's label."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from gateway.public_schema import build_public_schema
from vumschema import load_contract
from vumschema.gegevensstandaard import Standard, descriptions, read_standard, rewrite

KOPPELVLAK, EXTENSION = "Koppelvlak 3.0: ", "Uitbreiding van de gateway: "


def words_of(text: str | None) -> str:
    """Text as a reader sees it: schema.graphql wraps long lines."""
    return " ".join((text or "").split())


@pytest.fixture(scope="module")
def standard() -> Standard:
    return read_standard()


def test_schema_graphql_is_generated_from_the_lists_as_they_are(standard: Standard) -> None:
    sdl = load_contract().sdl
    assert rewrite(sdl, standard) == sdl, "run: python -m vumschema.gegevensstandaard"


def test_every_public_field_has_the_standards_definition_or_says_where_it_comes_from(standard: Standard) -> None:
    contract = load_contract()
    words = descriptions(contract.sdl, standard)
    schema = build_public_schema(contract)
    standard_fields, other = 0, []
    for graphql_type in schema.type_map.values():
        if graphql_type.name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInputObjectType
        ):
            continue
        for name, field in graphql_type.fields.items():
            description = field.description or ""
            if (graphql_type.name, name) in words:
                assert words_of(description) == words_of(words[(graphql_type.name, name)]), (
                    f"{graphql_type.name}.{name}"
                )
                assert "Gegevensstandaard 1.5" in description
                standard_fields += 1
                continue
            extension = contract.extension_reason(graphql_type.name, name) is not None
            marker = EXTENSION if extension else (KOPPELVLAK, EXTENSION)
            if not description.startswith(marker):
                other.append(f"{graphql_type.name}.{name}: {description[:60]!r}")
    assert other == [], "fields without the standard's definition must say where they come from"
    assert standard_fields > 150, standard_fields


def test_the_definitions_are_the_standards_own_dutch_words() -> None:
    schema = build_public_schema(load_contract())
    mobiliteit = schema.get_type("Werkzoekende").fields["mobiliteit"]  # type: ignore[union-attr]
    assert mobiliteit.description.startswith("Gewenste reisafstand woon-werk.")
    postcode = schema.get_type("Mobiliteit").fields["bemiddelingspostcode"]  # type: ignore[union-attr]
    assert "Gegevensstandaard 1.5, attribuut 'Bemiddelingspostcode'" in words_of(postcode.description)
    niveau = schema.get_type("Arbeidsmarktkwalificatie").fields["codeWerkEnDenkniveauWerkzoekende"]  # type: ignore[union-attr]
    assert "Toelichting: Dit gegeven wordt onder meer gebruikt" in words_of(niveau.description)
    assert "(norminstantie SGR)" in words_of(niveau.description)


def test_codes_keep_their_labels(standard: Standard) -> None:
    contract = load_contract()
    words = descriptions(contract.sdl, standard)
    schema = build_public_schema(contract)
    labelled = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLEnumType) or graphql_type.name.startswith("__"):
            continue
        for name, value in graphql_type.values.items():
            assert value.description, f"{graphql_type.name}.{name} has a label"
            if (graphql_type.name, name) in words:
                assert words_of(value.description) == words_of(words[(graphql_type.name, name)])
                labelled += 1
    assert labelled > 60, labelled
    overeenkomst = schema.get_type("TypeOvereenkomst")
    assert isinstance(overeenkomst, GraphQLEnumType)
    assert overeenkomst.values["LEERBAAN"].description == "Leerbaan (code 02)."
