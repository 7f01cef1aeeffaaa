"""The README is the front door: what it shows works when pasted, and it names only what exists."""

from __future__ import annotations

import re

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema

from gateway.public_schema import build_public_schema
from vumschema import Contract

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def public_names(schema: GraphQLSchema) -> set[str]:
    """Every type, field, argument and enum value a caller can use."""
    names = set(schema.type_map)
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            names |= set(type_.fields)
            for field in type_.fields.values():
                names |= set(getattr(field, "args", {}))
        elif isinstance(type_, GraphQLEnumType):
            names |= set(type_.values)
    return names


def test_the_readme_names_no_field_the_public_schema_lacks(contract: Contract) -> None:
    """A name in `code` that is a field of the contract must be one a caller can ask for."""
    contract_fields = {name for type_name in contract.types for name in contract.fields(type_name)}
    mentioned = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", README)) & contract_fields
    assert mentioned, "the README names fields"
    missing = mentioned - public_names(build_public_schema(contract))
    assert not missing, f"the README names fields a caller cannot ask for: {missing}"
