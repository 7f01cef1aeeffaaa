"""schema.graphql mirrors koppelvlak 3.0: every attribute, cardinality, code list and constraint.

The official OpenAPI contracts in tests/data/contracts are walked type by type and compared
with schema.graphql, so the GraphQL contract cannot drift from the standard unnoticed.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)

from gateway.vraagobject import VACATURE_CRITERIA, WERKZOEKENDE_CRITERIA
from vumschema import Contract
from vumschema.views import public_schema

from .conftest import CONTRACTS
from .issuer import ALL_SCOPES

# (contract file, contract schema, our type, fields only the gateway or the source adds)
PAIRS = [
    ("VUM-Bemiddelaar-WerkzoekendeProfielen", "Werkzoekende", "Werkzoekende", {"toestemmingen"}),
    (
        "VUM-Bemiddelaar-WerkzoekendeProfielen",
        "MPWerkzoekendeMatch",
        "WerkzoekendeProfielMatch",
        {"idWerkzoekende", "toestemmingen"},
    ),
    ("VUM-Bemiddelaar-Vacatures", "Vacature", "Vacature", set()),
    ("VUM-Bemiddelaar-Vacatures", "MPVacatureMatch", "VacatureMatch", {"idVacature"}),
]
GATEWAY_ONLY = {"omschrijvingBeroepsnaam", "referentieberoep"}  # labels added by codelijsten


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))["components"]["schemas"]  # type: ignore[no-any-return]


def resolve(schemas: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schemas[node["$ref"].split("/")[-1]]
    return node


def compare(
    schemas: dict[str, Any], contract: Contract, node: dict[str, Any], type_name: str, path: str, extra: set[str]
) -> list[str]:
    """Differences between a contract object schema and our GraphQL type, recursively."""
    problems = []
    ours = {
        name: field
        for name, field in contract.fields(type_name).items()
        if contract.resolved_by(type_name, name) in ("organisation", "gateway")
    }
    theirs = node.get("properties", {})
    for missing in sorted(set(theirs) - set(ours)):
        problems.append(f"{path}.{missing} is in the contract but not in schema.graphql")
    for surplus in sorted(set(ours) - set(theirs) - extra - GATEWAY_ONLY):
        problems.append(f"{path}.{surplus} is in schema.graphql but not in the contract")
    for name in sorted(set(theirs) & set(ours)):
        problems += compare_field(
            schemas,
            contract,
            resolve(schemas, theirs[name]),
            type_name,
            name,
            f"{path}.{name}",
            name in node.get("required", []),
        )
    return problems


def compare_field(
    schemas: dict[str, Any],
    contract: Contract,
    node: dict[str, Any],
    type_name: str,
    name: str,
    path: str,
    required: bool,
) -> list[str]:
    field = contract.field(type_name, name)
    type_string = contract_type = field.type
    from vumschema.contract import is_list, named_type
    from vumschema.contract import type_string as render

    problems = []
    if (node.get("type") == "array") != is_list(field.type):
        problems.append(f"{path}: cardinality differs ({render(type_string)} vs {node.get('type')})")
    item = resolve(schemas, node["items"]) if node.get("type") == "array" else node
    target = named_type(contract_type)
    if required and not render(field.type).endswith("!"):
        problems.append(f"{path}: required in the contract, nullable here")
    if "enum" in item:
        codes = set(contract.enum_codes(target).code_by_value.values())
        if codes != set(item["enum"]):
            problems.append(f"{path}: codes {sorted(map(str, codes))} vs contract {sorted(map(str, item['enum']))}")
    elif item.get("type") == "object" or "properties" in item:
        problems += compare(schemas, contract, item, target, path, set())
    else:
        problems += compare_constraint(contract, field, item, target, path)
    return problems


def compare_constraint(contract: Contract, field: Any, item: dict[str, Any], target: str, path: str) -> list[str]:
    ours = (
        {**contract.constraint(contract.types[target]), **contract.constraint(field)}
        if target in contract.types
        else contract.constraint(field)
    )
    theirs = {
        key: item[source]
        for key, source in (("maxLength", "maxLength"), ("pattern", "pattern"), ("min", "minimum"), ("max", "maximum"))
        if source in item
    }
    expected_scalar = {"integer": "Int", "string": "String", "boolean": "Boolean"}.get(item.get("type", ""), "")
    if item.get("format") == "date":
        expected_scalar = "Datum"
    problems = []
    if (
        expected_scalar
        and target not in (expected_scalar, "Postcode", "URI", "ID")
        and not (expected_scalar == "String" and target in ("Postcode", "URI"))
    ):
        problems.append(f"{path}: {target} for a contract {item.get('type')}")
    for key, value in theirs.items():
        if ours.get(key) != value:
            problems.append(f"{path}: {key} {ours.get(key)} vs contract {value}")
    return problems


@pytest.mark.parametrize(("contract_file", "schema_name", "type_name", "extra"), PAIRS, ids=[p[2] for p in PAIRS])
def test_schema_mirrors_the_contract(
    contract: Contract, contract_file: str, schema_name: str, type_name: str, extra: set[str]
) -> None:
    schemas = load(contract_file)
    problems = compare(schemas, contract, resolve(schemas, schemas[schema_name]), type_name, type_name, extra)
    assert not problems, "\n".join(problems)


def test_search_results_carry_no_detail_only_field_and_detail_fields_are_marked(contract: Contract) -> None:
    for match, detail in (("WerkzoekendeProfielMatch", "Werkzoekende"), ("VacatureMatch", "Vacature")):
        for name in contract.fields(match):
            assert contract.category(match, name) == "MATCHPROFIEL", f"{match}.{name}"
        for name in set(contract.fields(detail)) - set(contract.fields(match)):
            assert contract.category(detail, name) in ("DETAIL", "CONTACTGEGEVENS", "BIJZONDER"), f"{detail}.{name}"
    assert contract.category("Werkzoekende", "indicatieLdrRegistratie") == "BIJZONDER"
    assert contract.category("Werkgever", "contactpersoon") == "CONTACTGEGEVENS"
    assert "contactpersoon" not in contract.fields("WerkgeverProfiel")


def test_every_record_field_knows_its_category(contract: Contract) -> None:
    for type_name in ("Werkzoekende", "WerkzoekendeProfielMatch", "Vacature", "VacatureMatch"):
        for name in contract.fields(type_name):
            assert contract.category(type_name, name) is not None, f"{type_name}.{name}"


def test_the_selectievraag_covers_every_criterion_of_the_contract() -> None:
    for contract_file, schema_name, criteria in (
        ("VUM-Bemiddelaar-WerkzoekendeProfielen", "MPWerkzoekende", WERKZOEKENDE_CRITERIA),
        ("VUM-Bemiddelaar-Vacatures", "MPVacature", VACATURE_CRITERIA),
    ):
        documented = set(load(contract_file)[schema_name]["properties"])
        assert documented == set(criteria), f"{schema_name}: {documented ^ set(criteria)}"


def test_extensions_are_marked_and_explained(contract: Contract) -> None:
    for input_type in ("WerkzoekendeSelectievraag", "VacatureSelectievraag"):
        marked = {name for name in contract.fields(input_type) if contract.extension_reason(input_type, name)}
        assert {"typeOvereenkomst", "vervoermiddel", "competentie"} <= marked
    assert contract.extension_reason("WerkzoekendeSelectievraag", "respecteerMaximaleReisafstand")
    assert contract.extension_reason("WerkzoekendeSelectievraag", "selectiegebied") is None


def _undocumented(schema: GraphQLSchema) -> list[str]:
    missing = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in type_.values.items() if not value.description]
    return missing


def test_every_type_field_argument_and_enum_value_is_described(contract: Contract) -> None:
    assert _undocumented(public_schema(contract)) == []


def test_code_lists_carry_dutch_labels_and_wire_codes(contract: Contract) -> None:
    schema = public_schema(contract)
    assert contract.enum_codes("TypeOvereenkomst").code_by_value["LEERBAAN"] == "02"
    assert contract.enum_codes("SoortVervoermiddel").code_by_value["OPENBAAR_VERVOER"] == 5
    assert contract.enum_codes("SoortRijbewijs").code_by_value["B_PLUS"] == "B+"
    enum = schema.get_type("TypeOvereenkomst")
    assert isinstance(enum, GraphQLEnumType)
    assert (enum.values["VRIJWILLIGERSWERK"].description or "").startswith("Vrijwilligerswerk")
    coded = {codes.name for codes in contract.coded_enums()}
    assert {
        "Indicatie",
        "JaNee",
        "IndicatieDiploma",
        "SoortRijbewijs",
        "SoortVervoermiddel",
        "TypeArbeidscontract",
        "TypeOvereenkomst",
        "WerkEnDenkniveauWerkzoekende",
        "WerkEnDenkniveauMinimaal",
        "NiveauOpleiding",
        "StatusOpleiding",
        "NiveauTaalbeheersing",
        "SoortSollicitatiewijze",
        "SoortWebadres",
    } <= coded


def test_custom_scalars_for_postcode_date_and_uri(contract: Contract) -> None:
    schema = public_schema(contract)
    for name in ("Postcode", "Datum", "URI"):
        assert isinstance(schema.get_type(name), GraphQLScalarType)
    match = schema.get_type("WerkzoekendeProfielMatch")
    assert isinstance(match, GraphQLObjectType)
    mobiliteit = get_named_type(match.fields["mobiliteit"].type)
    assert isinstance(mobiliteit, GraphQLObjectType)
    assert get_named_type(mobiliteit.fields["bemiddelingspostcode"].type).name == "Postcode"
    assert isinstance(match.fields["mobiliteit"].type, GraphQLNonNull)
    assert isinstance(get_named_type(match.fields["bemiddelingsberoep"].type), GraphQLObjectType)
    assert isinstance(match.fields["bemiddelingsberoep"].type, GraphQLList)


def test_the_scopes_tokens_grant_are_the_ones_the_contract_requires(contract: Contract) -> None:
    assert contract.scopes() == ALL_SCOPES
