"""The projection's native tier answers exactly as the compiled and the general path, on any data.

Records of the VUM match profile (nested objects, lists, enums, Ints, the contract's string
scalars, the computed vumID, release categories) are generated from the API schema, then spoiled
now and then as a faulty source would: a value of the wrong type, a null where none may be, a key
left out or added, an enum value the API does not have, an Int out of range, an object below with
a `Release` of its own, a record whose consent withholds a category. Each is projected by the three
paths; the answers (byte for byte), the errors and what each `Release` recorded must be equal. The
native tier also hands records back as their JSON (`RequestContext.encoded`, the HTTP answer's
case): the same JSON value, the same errors and releases.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
    parse,
)
from graphql.language import FragmentDefinitionNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.federation import RELEASE, Release
from gateway.federation.execution.compiled import Compiler
from gateway.federation.execution.executor import _GeneralOnly
from gateway.federation.execution.hooks import RequestContext
from gateway.federation.execution.projection import NullInNonNull, Projected, Projector
from gateway.federation.operation import Field, Normaliser, Selection
from gateway.vum.computed import VUM_ID, computed_fields
from gateway.vum.engine import _written_as_strings
from gateway.vum.release import release_rules
from gateway.vum.supergraph import vum_supergraph
from vumschema import load_contract

from ..conftest import in_ci

TYPE = "WerkzoekendeProfielMatch"
SELECTION = """{
  __typename vumID indicatieBeschikbaarheidContactgegevens
  mobiliteit { __typename bemiddelingspostcode maximaleReisafstand maximaleReistijd }
  vervoermiddel { codeVervoermiddel indicatieBeschikbaarVoorUitvoeringWerk indicatieBeschikbaarVoorWoonWerkverkeer }
  flexibiliteit { datumAanvangBeschikbaarVoorWerk datumEindeBeschikbaarVoorWerk indicatieOnregelmatigWerkOfPloegendienst }
  werktijden { aantalWerkurenPerWeekMinimaal aantalWerkurenPerWeekMaximaal indicatieKantoortijden }
  contractvorm { codeTypeArbeidscontract codeTypeOvereenkomst }
  sector { codeSbi }
  beroep: bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam }
  arbeidsmarktkwalificatie {
    codeWerkEnDenkniveauWerkzoekende
    opleiding { codeNiveauOpleiding codeStatusOpleiding indicatieDiploma }
    taalbeheersing { codeTaal codeNiveauTaalbeheersingMondeling codeNiveauTaalbeheersingSchriftelijk }
    rijbewijs { codeSoortRijbewijs }
  }
}"""
WRONG = [None, True, 0, 7, 1.5, 2**40, -(2**33), "x", "NIET_IN_DE_API", [], {}, [None], {"a": 1}]
EXAMPLES = 1500 if in_ci() else 300


class Setup:
    def __init__(self) -> None:
        contract = load_contract()
        supergraph = vum_supergraph()
        self.schema = supergraph.api_schema
        _written_as_strings(self.schema)  # as the gateway serves it: Postcode, Datum, URI are strings
        self.rules = release_rules(contract, supergraph)
        self.categories = sorted(set(self.rules.categories.values()))
        self.computed = {(c.type_name, c.field_name): c for c in computed_fields()}
        fragment = parse(f"fragment Match on {TYPE} {SELECTION}").definitions[0]
        assert isinstance(fragment, FragmentDefinitionNode)
        self.selection = Normaliser(self.schema).selection(TYPE, [(fragment.selection_set, ())])

    def projectors(self, errors: list[list[dict[str, Any]]]) -> dict[str, Projector]:
        native = Compiler(self.schema, self.computed, self.rules)
        compiled = Compiler(self.schema, self.computed, self.rules)
        compiled.native = None
        general = _GeneralOnly(self.schema, self.computed, self.rules)  # as `general_path_only` has it
        paths: dict[str, Compiler] = {"native": native, "compiled": compiled, "general": general}
        projectors = {
            name: Projector(self.schema, {}, errors[index], compiler, RequestContext())
            for index, (name, compiler) in enumerate(paths.items())
        }
        # the HTTP answer's case: objects handed back as their JSON, dumped as they are
        encoded = RequestContext(encoded=True)
        projectors["encoded"] = Projector(self.schema, {}, errors[3], native, encoded)
        return projectors


SETUP = Setup()


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record = _object(draw, SETUP.selection, TYPE, top=True)
    record[VUM_ID] = draw(st.sampled_from(["vum-1", "vum-2"]))
    if draw(st.booleans()):
        allowed = draw(st.sets(st.sampled_from(SETUP.categories)) | st.just(set(SETUP.categories)))
        record[RELEASE] = Release(frozenset(allowed))
    return record


def _object(draw: st.DrawFn, selection: Selection, type_name: str, *, top: bool = False) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for field in selection.fields(type_name):
        if field.is_typename:
            if draw(st.integers(0, 3)):
                value["__typename"] = type_name if draw(st.integers(0, 9)) else "Anders"
        elif (type_name, field.name) not in SETUP.computed:
            value[field.key] = _value(draw, field, field.type)
    spoil = draw(st.integers(0, 12 if top else 80))  # a record has some fifteen objects below
    keys = sorted(value)
    if spoil == 0 and keys:
        value[draw(st.sampled_from(keys))] = draw(st.sampled_from(WRONG))
    elif spoil == 1 and keys:
        del value[draw(st.sampled_from(keys))]
    elif spoil == 2:
        value["extra"] = 1
    elif spoil == 3 and not top:
        value[RELEASE] = Release(frozenset(draw(st.sets(st.sampled_from(SETUP.categories)))))
    return value


def _value(draw: st.DrawFn, field: Field, type_: GraphQLOutputType, nullable: bool = True) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(draw, field, type_.of_type, nullable=False)
    if nullable and not draw(st.integers(0, 5)):
        return None
    if isinstance(type_, GraphQLList):
        return [_value(draw, field, type_.of_type) for _ in range(draw(st.integers(0, 3)))]
    if isinstance(type_, GraphQLEnumType):
        return draw(st.sampled_from(list(type_.values)))
    if isinstance(type_, GraphQLScalarType):
        return draw(_scalar(type_.name))
    assert field.selection is not None
    return _object(draw, field.selection, get_named_type(type_).name)


def _scalar(name: str) -> st.SearchStrategy[Any]:
    if name == "Int":
        return st.integers(-(2**31), 2**31 - 1) | st.sampled_from([-(2**31), 2**31 - 1])
    if name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5)
    if name == "Boolean":
        return st.booleans()
    if name == "ID":
        return st.text(max_size=4) | st.integers(0, 99)
    return st.text(max_size=6)  # String and the contract's string scalars


def releases(value: Any) -> Iterator[Release]:
    if isinstance(value, dict):
        if isinstance(value.get(RELEASE), Release):
            yield value[RELEASE]
        for item in value.values():
            yield from releases(item)
    elif isinstance(value, list):
        for item in value:
            yield from releases(item)


def project(projector: Projector, record: dict[str, Any]) -> Projected | None:
    try:
        return projector.object(SETUP.selection, record, TYPE, ["_entities", 0], TYPE)
    except NullInNonNull:
        return None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records())
def test_the_native_tier_answers_exactly_as_the_compiled_and_the_general_path(record: dict[str, Any]) -> None:
    errors: list[list[dict[str, Any]]] = [[], [], [], []]
    answers = {}
    for name, projector in SETUP.projectors(errors).items():
        mine = copy.deepcopy(record)
        answer = project(projector, mine)
        answers[name] = (
            orjson.dumps(answer),
            [(sorted(r.released), sorted(r.withheld)) for r in releases(mine)],
        )
    assert answers["native"] == answers["compiled"] == answers["general"]
    # msgspec writes a float's exponent without "+" (1e16): the same JSON value, other bytes
    assert orjson.loads(answers["encoded"][0]) == orjson.loads(answers["native"][0])
    assert answers["encoded"][1] == answers["native"][1]
    assert errors[0] == errors[1] == errors[2] == errors[3]


def test_a_clean_record_takes_the_native_tier() -> None:
    """The property above would hold with the native tier never used; this one would not."""
    compiler = Compiler(SETUP.schema, SETUP.computed, SETUP.rules)
    assert compiler.native is not None
    native = compiler.native.projector(SETUP.selection, TYPE)
    assert native is not None, "the match profile's selection is one the native tier handles"
    record: dict[str, Any] = {"__typename": TYPE, VUM_ID: "vum-1", "extra": "left out"}
    for field in SETUP.selection.fields(TYPE):
        if not field.is_typename and (TYPE, field.name) not in SETUP.computed:
            record[field.key] = None
    record["indicatieBeschikbaarheidContactgegevens"] = "JA"
    record["mobiliteit"] = {"bemiddelingspostcode": "1234AB", "maximaleReisafstand": 5, "maximaleReistijd": None}
    release = record[RELEASE] = Release(frozenset(SETUP.categories))
    answer = native(record, None, RequestContext())
    assert isinstance(answer, dict) and answer["vumID"] == "vum-1" and answer["__typename"] == TYPE
    assert list(answer) == [f.key for f in SETUP.selection.fields(TYPE)], "the client's order, nothing else"
    assert release.released == {"MATCHPROFIEL"}
    as_json = compiler.native.projector(SETUP.selection, TYPE, encoded=True)
    assert as_json is not None
    encoded = as_json(record, None, RequestContext(encoded=True))
    assert isinstance(encoded, orjson.Fragment), "the HTTP answer's records are encoded once, in C"
    assert orjson.dumps(encoded) == orjson.dumps(answer)
    record["indicatieBeschikbaarheidContactgegevens"] = "MISSCHIEN"
    assert native(record, None, RequestContext()) is None, "an enum value the API lacks: the compiled path"
    assert as_json(record, None, RequestContext(encoded=True)) is None


@pytest.mark.parametrize("spoiled", ["mobiliteit", "werktijden"])
def test_an_object_below_with_its_own_release_is_left_to_the_other_paths(spoiled: str) -> None:
    compiler = Compiler(SETUP.schema, SETUP.computed, SETUP.rules)
    assert compiler.native is not None
    native = compiler.native.projector(SETUP.selection, TYPE)
    assert native is not None
    record: dict[str, Any] = {f.key: None for f in SETUP.selection.fields(TYPE) if not f.is_typename}
    record[VUM_ID] = "vum-1"
    record[spoiled] = {RELEASE: Release(frozenset())}
    assert native(record, None, RequestContext()) is None
