"""The adapter SDK: its strawberry types are the contract, and it guards the semantics at the source."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from subgraphs.codelijsten.app import Codelijsten, code_of, read_beroepen
from subgraphs.sdk.adapter import Adapter, InMemoryAdapter, SearchResult, valid_records
from subgraphs.sdk.app import SourceService, SubgraphSettings, build_schema, create_app, organisation_schema
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.selectievraag import Record, Selectievraag
from subgraphs.sdk.types import contract_types
from vumschema import Contract
from vumschema.conformance import check_conformance
from vumschema.policy import Caller

from .conftest import BEROEPEN, POSTCODES
from .issuer import MEDIATOR
from .stack import consented


def sdl_of(schema: Any) -> str:
    return schema.execute_sync("{ _service { sdl } }").data["_service"]["sdl"]  # type: ignore[no-any-return]


def organisation_sdl(contract: Contract, adapter: Any = None) -> str:
    settings = SubgraphSettings(name="t", postcodes=POSTCODES)
    service = SourceService(adapter or InMemoryAdapter(), PostcodeTable.from_csv(POSTCODES), settings, contract)
    return sdl_of(organisation_schema(service, contract))


def test_the_organisation_subgraph_sdl_is_the_contract(contract: Contract) -> None:
    assert check_conformance(contract, organisation_sdl(contract), "organisation", strict=True) == []


def test_the_codelijsten_subgraph_sdl_is_the_contract(contract: Contract) -> None:
    codelijsten = Codelijsten(read_beroepen(BEROEPEN))
    sdl = sdl_of(build_schema(contract_types(contract, "codelijsten", codelijsten.resolve), {}))
    assert check_conformance(contract, sdl, "codelijsten", strict=True) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '(norminstantie NEN 5825:2002 - Postcode).\n  """\n  postcode: Postcode!',
            '(norminstantie NEN 5825:2002 - Postcode), anders.\n  """\n  postcode: Postcode!',
            "Adres.postcode: description differs",
        ),
        (
            "  huisnummertoevoeging: String @constraint(maxLength: 6)",
            "  huisnummertoevoeging: String @constraint(maxLength: 7)",
            "@constraint",
        ),
        ('  OPENBAAR_VERVOER @code(value: "5")', '  OPENBAAR_VERVOER @code(value: "6")', "@code"),
        (
            "  straatnaam: String @constraint(maxLength: 24)\n",
            "  straatnaam: String @constraint(maxLength: 24)\n  huisletter: String\n",
            "Adres.huisletter",
        ),
    ],
    ids=["description", "constraint", "code", "extra-field"],
)
def test_any_drift_between_sdk_and_contract_is_caught(contract: Contract, old: str, new: str, problem: str) -> None:
    assert old in contract.sdl
    drifted = Contract(contract.sdl.replace(old, new))
    problems = check_conformance(contract, organisation_sdl(drifted), "organisation", strict=True)
    assert any(problem in p for p in problems), problems


class LyingAdapter(InMemoryAdapter):
    """Returns every record, whatever is asked, and more than the limit."""

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        return SearchResult(list(self.werkzoekenden.values()))


def profile(record_id: str, postcode: str) -> dict[str, Any]:
    return {"idWerkzoekende": record_id, "mobiliteit": {"bemiddelingspostcode": postcode}}


def as_caller(caller: Caller = MEDIATOR) -> dict[str, Any]:
    """The context a request through the gateway gives a resolver."""
    return {"request": SimpleNamespace(scope={"state": {"caller": caller}})}


QUERY = '{ bronWerkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 5}}, maximumAantal: %d) { maximumAantalResultatenBereikt matches { idWerkzoekende } } }'


async def test_the_sdk_rechecks_what_the_adapter_returns_and_applies_the_cap(contract: Contract) -> None:
    records = consented([profile(f"e{i}", "5611AB") for i in range(5)] + [profile("groningen", "9711AA")])
    settings = SubgraphSettings(name="t", postcodes=POSTCODES, max_results=3)
    schema = organisation_schema(
        SourceService(LyingAdapter(records), PostcodeTable.from_csv(POSTCODES), settings, contract), contract
    )
    result = await schema.execute(QUERY % 100, context_value=as_caller())
    answer = result.data["bronWerkzoekendeProfielMatches"]  # type: ignore[index]
    ids = [m["idWerkzoekende"] for m in answer["matches"]]
    assert "groningen" not in ids, "a record outside the selectiegebied never leaves the source"
    assert len(ids) == 3 and answer["maximumAantalResultatenBereikt"] is True
    result = await schema.execute(QUERY % 2, context_value=as_caller())
    assert len(result.data["bronWerkzoekendeProfielMatches"]["matches"]) == 2  # type: ignore[index]


async def test_unexpected_adapter_errors_are_masked(contract: Contract) -> None:
    class Broken(InMemoryAdapter):
        async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
            raise RuntimeError("password=hunter2 in a stack trace")

    settings = SubgraphSettings(name="t", postcodes=POSTCODES)
    schema = organisation_schema(
        SourceService(Broken(), PostcodeTable.from_csv(POSTCODES), settings, contract), contract
    )
    result = await schema.execute(QUERY % 10, context_value=as_caller())
    assert result.errors and result.errors[0].message == "internal error in the source"


def test_invalid_records_are_skipped_with_their_position_only(caplog: pytest.LogCaptureFixture) -> None:
    records = [
        profile("ok", "5611AB"),
        profile("bad id!", "5611AB"),
        {
            "idWerkzoekende": "x",
            "mobiliteit": {"bemiddelingspostcode": "5611AB"},
            "emailadres": ["henk@example.org" * 30],
        },
        profile("ok", "5611AB"),
        "not a record",
    ]
    kept = valid_records(records, "Werkzoekende", "export.json")
    assert [r["idWerkzoekende"] for r in kept] == ["ok"]
    assert "henk@example.org" not in caplog.text, "no personal data in logs"
    assert "Werkzoekende[2].emailadres[0]: the value is too long: 480 characters (allowed: at most 320)" in caplog.text
    assert "duplicate id" in caplog.text


def test_codelijsten_resolves_boc_codes_in_uris() -> None:
    codelijsten = Codelijsten(read_beroepen(BEROEPEN))
    assert code_of("urn:uwv:boc:7737") == code_of("https://example.org/boc/7737") == "7737"
    found = codelijsten.resolve("Beroep", {"codeBeroepsnaam": "urn:uwv:boc:1000408470"})
    assert found["omschrijvingBeroepsnaam"] == "magazijnmedewerker bederfelijke goederen"
    assert found["referentieberoep"] == {"code": "7737", "omschrijving": "Magazijnmedewerker"}
    unknown = codelijsten.resolve(
        "Beroep", {"codeBeroepsnaam": "https://linkeddata.competentnl.nl/uwv/id/occupation/87C7A2585F"}
    )
    assert unknown["omschrijvingBeroepsnaam"] is None


def test_postcode_table_errors_are_clear(tmp_path: Path) -> None:
    from subgraphs.sdk.geo import PostcodeTableError

    bad = tmp_path / "pc4.csv"
    bad.write_text("pc4,lat\n1011,52.3\n", encoding="utf-8")
    with pytest.raises(PostcodeTableError, match="missing column"):
        PostcodeTable.from_csv(bad)
    bad.write_text("pc4,lat,lon\n10x1,52.3,4.9\n", encoding="utf-8")
    with pytest.raises(PostcodeTableError, match="not four digits"):
        PostcodeTable.from_csv(bad)
    with pytest.raises(PostcodeTableError, match="cannot read"):
        PostcodeTable.from_csv(tmp_path / "missing.csv")


def test_the_vendor_api_is_importable_from_the_sdk_itself() -> None:
    import subgraphs.sdk as sdk

    for name in (
        "Adapter",
        "SearchResult",
        "Selectievraag",
        "Record",
        "SubgraphSettings",
        "GatewayTrust",
        "create_app",
    ):
        assert name in sdk.__all__ and getattr(sdk, name) is not None


@pytest.mark.parametrize(
    ("misspelt", "meant"),
    [("search_werkzoekende", "search_werkzoekenden"), ("get_vacatures", "get_vacature"), ("start_up", "startup")],
)
def test_a_misspelt_adapter_method_fails_when_the_class_is_defined(misspelt: str, meant: str) -> None:
    async def method(self: Adapter, *args: Any) -> SearchResult:
        return SearchResult(())

    with pytest.raises(TypeError, match=rf"MijnSysteem\.{misspelt} is not a method of Adapter.*did you mean {meant}\?"):
        type("MijnSysteem", (Adapter,), {misspelt: method})


def test_an_operation_that_is_not_async_fails_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match=r"MijnSysteem\.get_werkzoekende must be `async def`"):

        class MijnSysteem(Adapter):
            def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:  # type: ignore[override]
                return None


async def test_a_forgotten_operation_is_named_to_the_gateway_and_at_start(
    contract: Contract, caplog: pytest.LogCaptureFixture
) -> None:
    class AlleenWerkzoekenden(Adapter):
        async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
            return SearchResult(())

    create_app(AlleenWerkzoekenden(), SubgraphSettings(name="t"))
    assert "AlleenWerkzoekenden does not implement get_werkzoekende, search_vacatures, get_vacature" in caplog.text
    settings = SubgraphSettings(name="t", postcodes=POSTCODES)
    schema = organisation_schema(
        SourceService(AlleenWerkzoekenden(), PostcodeTable.from_csv(POSTCODES), settings, contract), contract
    )
    result = await schema.execute(
        '{ bronVacatureMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 5}}) { matches { idVacature } } }',
        context_value=as_caller(),
    )
    assert result.errors and result.errors[0].extensions == {"code": "NOT_IMPLEMENTED"}
    assert result.errors[0].message == (
        "t: AlleenWerkzoekenden.search_vacatures is not implemented: override it "
        "(return SearchResult(()) if the organisation holds none)"
    )


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on WerkzoekendeProfielMatch { idWerkzoekende toestemmingen mobiliteit { bemiddelingspostcode } }
  ... on VacatureMatch { idVacature } } }"""


async def test_an_organisation_resolves_its_search_results_by_key_with_the_search_s_release(
    contract: Contract,
) -> None:
    records = [*consented([profile("p1", "5611AB")]), profile("zonder", "5611AB")]  # the second: no consent
    settings = SubgraphSettings(name="t", postcodes=POSTCODES)
    schema = organisation_schema(
        SourceService(InMemoryAdapter(records), PostcodeTable.from_csv(POSTCODES), settings, contract), contract
    )
    asked = [{"__typename": "WerkzoekendeProfielMatch", "idWerkzoekende": i} for i in ("p1", "zonder", "weg")]
    result = await schema.execute(ENTITIES, variable_values={"r": asked}, context_value=as_caller())
    assert result.errors is None, result.errors
    first, without_consent, gone = result.data["_entities"]  # type: ignore[index]
    assert first["idWerkzoekende"] == "p1" and first["mobiliteit"] == {"bemiddelingspostcode": "5611AB"}
    assert "MATCHPROFIEL" in first["toestemmingen"], "the consent is stated as in the search's answer"
    assert without_consent is None, "a profile without consent for this caller does not leave by key either"
    assert gone is None


async def test_resolving_search_results_by_key_needs_the_search_s_scopes(contract: Contract) -> None:
    settings = SubgraphSettings(name="t", postcodes=POSTCODES)
    schema = organisation_schema(
        SourceService(
            InMemoryAdapter(consented([profile("p1", "5611AB")])), PostcodeTable.from_csv(POSTCODES), settings, contract
        ),
        contract,
    )
    unscoped = Caller("x", MEDIATOR.oin, "bemiddelaar", frozenset(), suwi=True, purpose="arbeidsbemiddeling")
    asked = [{"__typename": "WerkzoekendeProfielMatch", "idWerkzoekende": "p1"}]
    result = await schema.execute(ENTITIES, variable_values={"r": asked}, context_value=as_caller(unscoped))
    assert result.errors and "requires" in result.errors[0].message
    assert result.data is None or result.data["_entities"] == [None]
