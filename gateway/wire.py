"""Between GraphQL values and the VUM standard's JSON: enum names <-> codes, full selections.

The REST facade answers in the standard's JSON, and a mediator client may ask for "everything":
`full_selection` renders every field of a type the public API serves, and `standard_json` turns a
GraphQL result of that type into the standard's JSON (codes for enum names, nulls left out, and
nothing else: what the source stores, empty strings and lists included, leaves as stored).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType, GraphQLSchema

from vumschema import ORGANISATION, Contract


def full_selection(schema: GraphQLSchema, contract: Contract, type_name: str) -> str:
    """Every field of the standard in `type_name` and below, as a selection set body.

    Fields the gateway computes (`vumID`) or reference data adds (labels) are not the standard's
    and are left out; ask for them by name.
    """
    type_ = schema.get_type(type_name)
    assert isinstance(type_, GraphQLObjectType), type_name
    parts = []
    for name, field in type_.fields.items():
        if contract.resolved_by(type_name, name) != ORGANISATION:
            continue
        named = field.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if isinstance(named, GraphQLObjectType):
            parts.append(f"{name} {{ {full_selection(schema, contract, named.name)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def to_wire(schema: GraphQLSchema, contract: Contract, type_name: str, value: Any) -> Any:
    """A GraphQL result object of `type_name` in the standard's JSON (enum names become codes)."""
    type_ = schema.get_type(type_name)
    assert isinstance(type_, GraphQLObjectType), type_name
    return _object(schema, contract, type_, value)


def _object(schema: GraphQLSchema, contract: Contract, type_: GraphQLObjectType, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        field = type_.fields.get(key)
        result[key] = _value(schema, contract, field.type, item) if field is not None else item
    return result


def _value(schema: GraphQLSchema, contract: Contract, type_: GraphQLOutputType, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(type_, GraphQLNonNull):
        return _value(schema, contract, type_.of_type, value)
    if isinstance(type_, GraphQLList):
        return [_value(schema, contract, type_.of_type, item) for item in value]
    if isinstance(type_, GraphQLObjectType):
        return _object(schema, contract, type_, value)
    if isinstance(type_, GraphQLEnumType) and type_.name in contract.types:
        return contract.enum_codes(type_.name).code_by_value.get(value, value)
    return value


def without_nulls(value: Any) -> Any:
    """A GraphQL result in the standard's JSON: a null is a field the record does not have (or the
    caller may not see), so it is left out. Everything else stays as the source holds it: an empty
    string or an empty list is a value, and the accreditation collection compares it exactly."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def standard_json(schema: GraphQLSchema, contract: Contract, type_name: str, value: Any) -> Any:
    """A GraphQL result object of `type_name` as the standard's JSON: codes for enum names, no nulls."""
    return without_nulls(to_wire(schema, contract, type_name, value))
