"""Errors a caller can act on: each names the argument path, the value and what is allowed, the
same way whether the value was written in the query or sent as a variable; a missing scope is named.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from graphql import GraphQLError

from gateway.input_errors import literal_errors
from subgraphs.sdk.adapter import PER_CALLER_FIELDS, InMemoryAdapter
from vumschema import Contract
from vumschema.constraints import PATTERNS, ValueChecker

from .issuer import MEDIATOR
from .stack import Source, Stack, organisation_app, start_stack

SEARCH = "query($s: WerkzoekendeSelectievraag!, $first: Int) { werkzoekendeProfielMatches(selectievraag: $s, first: $first) { totalCount } }"
POSTCODE = "allowed: a postcode of 4 digits and 2 letters, e.g. 5611AB"
VERVOER = "allowed: AUTO, BROMFIETS, FIETS, MOTOR, OPENBAAR_VERVOER, ANDERS"


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    running = await start_stack([Source("a", organisation_app(InMemoryAdapter(), "a"))], codelijsten=False)
    yield running
    await running.close()


def literal(selectievraag: str) -> str:
    return f"{{ werkzoekendeProfielMatches(selectievraag: {selectievraag}) {{ totalCount }} }}"


def area(**more: Any) -> dict[str, Any]:
    return {"selectiegebied": {"postcode": "5611AB", "afstand": 10}, **more}


async def the_error(stack: Stack, query: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    body = await stack.query(query, variables)
    assert len(body["errors"]) == 1, body
    return body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]


async def test_a_malformed_postcode_names_path_value_and_form(stack: Stack) -> None:
    written = await the_error(stack, literal('{selectiegebied: {postcode: "56", afstand: 10}}'))
    assert written == (
        "GRAPHQL_VALIDATION_FAILED",
        f'selectievraag.selectiegebied.postcode: "56" is not a Postcode ({POSTCODE})',
    )
    sent = await the_error(stack, SEARCH, {"s": {"selectiegebied": {"postcode": "56", "afstand": 10}}})
    assert sent == (
        "BAD_USER_INPUT",
        f'selectievraag.selectiegebied.postcode (variable $s): "56" is not a Postcode ({POSTCODE})',
    )


async def test_an_unknown_code_names_the_codes_there_are(stack: Stack) -> None:
    written = await the_error(
        stack, literal('{selectiegebied: {postcode: "5611AB", afstand: 10}, vervoermiddel: [FIETS2]}')
    )
    assert written == (
        "GRAPHQL_VALIDATION_FAILED",
        f"selectievraag.vervoermiddel[0]: FIETS2 is not a SoortVervoermiddel ({VERVOER}; did you mean FIETS?)",
    )
    sent = await the_error(stack, SEARCH, {"s": area(vervoermiddel=["OPENBAAR_VERVOER", "fiets"])})
    assert sent == (
        "BAD_USER_INPUT",
        f'selectievraag.vervoermiddel[1] (variable $s): "fiets" is not a SoortVervoermiddel ({VERVOER}; did you mean FIETS?)',
    )


@pytest.mark.parametrize(
    ("selectievraag", "message"),
    [
        (
            {"selectiegebied": {"postcode": "5611AB", "afstand": -5}},
            "selectievraag.selectiegebied.afstand: -5 is below the minimum (allowed: 0 to 999)",
        ),
        (
            area(aantalWerkurenPerWeek={"minimaal": 120}),
            "selectievraag.aantalWerkurenPerWeek.minimaal: 120 is above the maximum (allowed: 1 to 99)",
        ),
        (
            area(taalbeheersing=[{"codeTaal": "nederlands"}]),
            'selectievraag.taalbeheersing[0].codeTaal: "nederlands" has the wrong form '
            "(allowed: 3 lower-case letters, an ISO 639-3 language code such as nld)",
        ),
    ],
    ids=["below", "above", "pattern"],
)
async def test_a_value_out_of_range_or_form_names_path_value_and_what_is_allowed(
    stack: Stack, selectievraag: dict[str, Any], message: str
) -> None:
    assert await the_error(stack, SEARCH, {"s": selectievraag}) == ("BAD_USER_INPUT", message)


async def test_a_text_too_long_is_named_by_its_length_not_quoted_whole(stack: Stack) -> None:
    uri = "https://linkeddata.competentnl.nl/uwv/id/occupation/" + "x" * 200
    code, message = await the_error(stack, SEARCH, {"s": area(bemiddelingsberoep=[uri])})
    assert code == "BAD_USER_INPUT"
    assert message == (
        f'selectievraag.bemiddelingsberoep[0] (variable $s): "{uri[:40]}…" is too long: {len(uri)} characters '
        "(allowed: at most 200)"
    )


async def test_a_page_size_out_of_range(stack: Stack) -> None:
    assert await the_error(stack, SEARCH, {"s": area(), "first": 5000}) == (
        "BAD_USER_INPUT",
        "first: 5000 is out of range (allowed: 1 to 1000)",
    )


async def test_a_missing_field_or_a_wrong_type_is_named_by_its_path(stack: Stack) -> None:
    missing = await the_error(stack, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB"}}})
    assert missing[1].startswith("selectievraag.selectiegebied (variable $s): ") and "'afstand'" in missing[1]
    wrong = await the_error(stack, SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": "ver"}}})
    assert wrong[1].startswith("selectievraag.selectiegebied.afstand (variable $s): ") and "'ver'" in wrong[1]


async def test_a_missing_scope_is_named(stack: Stack) -> None:
    without = dataclasses.replace(MEDIATOR, scopes=frozenset({"vacatures:zoeken"}))
    body = await stack.query(SEARCH, {"s": area()}, caller=without)
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        (
            "FORBIDDEN_FIELD",
            "werkzoekendeProfielMatches requires the scope werkzoekenden:zoeken, which the caller's token does not have",
        )
    ]


def test_every_pattern_of_the_contract_is_described_in_words(contract: Contract) -> None:
    patterns = set(re.findall(r'pattern: "([^"]*)"', contract.sdl))  # on scalars, fields and arguments alike
    assert patterns and patterns <= PATTERNS.keys(), patterns - PATTERNS.keys()
    assert not any(re.search(r"[\^$\[\]{}]", words) for words in PATTERNS.values()), "words, not a regex"


def test_a_records_problems_never_quote_its_values(contract: Contract) -> None:
    """Problems of records are logged: they say where and what is allowed, never the value."""
    record = {"idWerkzoekende": "x", "mobiliteit": {"bemiddelingspostcode": "Henkstraat 1"}}
    problems = ValueChecker(contract, wire=True, skip=PER_CALLER_FIELDS).check("Werkzoekende", record)
    assert problems == [f"Werkzoekende.mobiliteit.bemiddelingspostcode: the value is not a Postcode ({POSTCODE})"]


def test_an_error_not_about_a_value_is_left_as_it_is() -> None:
    error = GraphQLError("Cannot query field 'x' on type 'Query'.")
    assert literal_errors("{ x }", [error]) == [error]
