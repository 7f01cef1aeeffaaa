"""Operation limits and planning work, counted (never timed).

Issue 9, finding 2: an 897-byte document of 22 nested fragments, each spreading the previous one
twice, blocked the event loop for 17.7 s in the planner's field collection. Now every document is
measured against the limits first (in work linear in its length) and refused with the limit's
code; the collection itself is memoised, so even with the limits lifted that document is planned
in work linear in its length. A property test throws random documents (fragments spreading
fragments, aliases, nesting, conditions) at both and checks the counts.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from graphql import GraphQLObjectType, GraphQLSchema, Lexer, Source, TokenKind, get_named_type, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.limits import Limits, check_limits
from gateway.plan.planner import Planner
from gateway.public_schema import build_public_schema
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema import Contract

from .conftest import in_ci, report
from .issuer import MEDIATOR
from .stack import Source as StackSource
from .stack import Stack, consented, organisation_app, start_stack

UNLIMITED = Limits(10**12, 10**12, 10**12, 10**12, 10**12, 10**12)
RECORDS = [{"idWerkzoekende": f"w{i}", "mobiliteit": {"bemiddelingspostcode": "5611AB"}} for i in range(3)]


def doubling_fragments(levels: int) -> str:
    """The probe's document: each fragment spreads the one before twice (2**levels fields inlined)."""
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query Explode {{ ...F{levels} }}\n" + "\n".join(fragments)


def tokens(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


async def planning_work(session: aiohttp.ClientSession, base_url: str) -> int:
    async with session.get(f"{base_url}/metrics") as response:
        text = await response.text()
    return sum(int(float(v)) for v in re.findall(r"^vum_planning_work_total\{[^}]*\} (\S+)$", text, re.MULTILINE))


def gateway_with(**limits: Any) -> Any:
    source = StackSource("gemeente", organisation_app(InMemoryAdapter(consented(RECORDS)), "gemeente"))
    return start_stack([source], codelijsten=False, limits=limits, rate_limit={"enabled": False})


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    running = await gateway_with()
    yield running
    await running.close()


async def test_the_exponential_fragment_document_is_refused_at_once_while_health_answers(stack: Stack) -> None:
    document = doubling_fragments(22)
    assert len(document) < 1100
    before = await planning_work(stack.session, stack.server.base_url)
    health = stack.session.get(f"{stack.server.base_url}/health")
    (status, body), health_response = await asyncio.gather(stack.post({"query": document}), health)
    async with health_response:
        assert health_response.status == 200
    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["MAX_HEIGHT_LIMIT", "MAX_ROOT_FIELDS_LIMIT"]
    assert (
        "4194304 fields" in body["errors"][0]["message"] and "gateway.limits.max_height" in body["errors"][0]["message"]
    )
    work = await planning_work(stack.session, stack.server.base_url) - before
    assert work <= 3 * tokens(document), f"{work} units of work for {tokens(document)} tokens"
    report(f"limits: the 22-level fragment document ({tokens(document)} tokens) refused after {work} units of work")


async def test_without_limits_the_exponential_document_is_planned_in_linear_work() -> None:
    unlimited = {"max_height": 10**15, "max_root_fields": 10**15, "max_repeated_fields": 10**15}
    stack = await gateway_with(**unlimited)
    try:
        document = doubling_fragments(22)
        before = await planning_work(stack.session, stack.server.base_url)
        status, body = await stack.post({"query": document})
        work = await planning_work(stack.session, stack.server.base_url) - before
    finally:
        await stack.close()
    assert (status, body) == (200, {"data": {"__typename": "Query"}})
    assert work <= 10 * tokens(document), f"{work} units of work for {tokens(document)} tokens"
    report(f"planner: the 22-level fragment document ({tokens(document)} tokens) planned in {work} units of work")


SEARCH_ROOT = "werkzoekendeProfielMatches(selectievraag: $s) { totalCount }"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ organisaties { " + " ".join(f"a{i}: bronID" for i in range(31)) + " } }", "MAX_ALIASES_LIMIT"),
        (
            "query($s: WerkzoekendeSelectievraag!) { " + " ".join(f"z{i}: {SEARCH_ROOT}" for i in range(11)) + " }",
            "MAX_ROOT_FIELDS_LIMIT",
        ),
        ("{ organisaties { " + " ".join(["bronID @include(if: true)"] * 51) + " } }", "MAX_DIRECTIVES_LIMIT"),
        ("{ organisaties { " + " ".join(["bronID"] * 102) + " } }", "MAX_REPEATED_FIELDS_LIMIT"),
        ("{ __schema { types { fields { type { " + "ofType { " * 22 + "name" + " }" * 26 + " }", "MAX_DEPTH_LIMIT"),
        ("{ organisaties { " + " ".join(["bronID"] * 5001) + " } }", "MAX_TOKENS_LIMIT"),
    ],
    ids=["aliases", "root-fields", "directives", "repeated-fields", "depth", "tokens"],
)
async def test_each_limit_refuses_with_its_own_code(stack: Stack, document: str, code: str) -> None:
    status, body = await stack.post({"query": document}, stack.issuer.headers())
    assert status == 400, body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert "gateway.limits." in body["errors"][0]["message"]


async def test_repeated_fields_are_refused_before_validation_compares_them_pairwise(stack: Stack) -> None:
    """300 copies of one field with a sub-selection cost validation 90,000 comparisons."""
    inner = " ".join("mobiliteit { bemiddelingspostcode }" for _ in range(300))
    document = (
        "query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s) "
        f"{{ edges {{ node {{ {inner} }} }} }} }}"
    )
    status, body = await stack.post({"query": document, "variables": {}}, stack.issuer.headers())
    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["MAX_REPEATED_FIELDS_LIMIT"]


async def test_documents_within_the_limits_are_answered(stack: Stack) -> None:
    document = (
        "query($s: WerkzoekendeSelectievraag!) { a: werkzoekendeProfielMatches(selectievraag: $s) { ...M } "
        "b: werkzoekendeProfielMatches(selectievraag: $s) { ...M } } "
        "fragment M on WerkzoekendeProfielMatches { totalCount edges { node { vumID } } }"
    )
    variables = {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}}
    status, body = await stack.post({"query": document, "variables": variables}, stack.issuer.headers())
    assert status == 200 and "errors" not in body, body
    assert body["data"]["a"]["totalCount"] == body["data"]["b"]["totalCount"] == 3


# -- random documents: the work stays linear ------------------------------------------------------

ROOT_FIELDS = {  # root fields with their arguments (variables declared as needed)
    "organisaties": "",
    "werkzoekendeProfielMatches": "(selectievraag: $s)",
    "vacatureMatches": "(selectievraag: $v)",
}
VARIABLES = {"$s": "WerkzoekendeSelectievraag!", "$v": "VacatureSelectievraag!"}
# One variable in @skip/@include: conditions over many variables can multiply a field's alternatives
# (exponentially in the variables), which only the height limit bounds; the planner keeps conditions
# as data. The limits' own measurement is linear whatever the conditions.
BOOLEANS = ("$b0",)


class DocumentBuilder:
    """Random valid documents over the public schema: fragments spreading earlier fragments (often
    more than once), aliases, nested selections, inline fragments and @skip/@include."""

    def __init__(self, schema: GraphQLSchema, draw: Any) -> None:
        self.schema = schema
        self.draw = draw
        self.fragments: list[tuple[str, str, str]] = []  # name, type, body

    def object_type(self, name: str) -> GraphQLObjectType:
        type_ = self.schema.get_type(name)
        assert isinstance(type_, GraphQLObjectType)
        return type_

    def condition(self) -> str:
        choice = self.draw(st.integers(0, 5))
        if choice == 0:
            return f" @include(if: {self.draw(st.sampled_from(BOOLEANS))})"
        if choice == 1:
            return f" @skip(if: {self.draw(st.sampled_from(BOOLEANS))})"
        return ""

    def selection_set(self, type_name: str, depth: int) -> str:
        type_ = self.object_type(type_name)
        fields = [f for f, d in type_.fields.items() if not d.args or type_name == "Query"]
        if type_name == "Query":
            fields = list(ROOT_FIELDS)
        items = []
        for _ in range(self.draw(st.integers(1, 4))):
            kind = self.draw(st.integers(0, 9))
            usable = [f for f in self.fragments if f[1] == type_name]
            if kind < 4 and usable:
                name = self.draw(st.sampled_from(usable))[0]
                items.append(f"...{name}{self.condition()}" * self.draw(st.integers(1, 3)))
            elif kind == 3 and depth > 0:
                items.append(f"... on {type_name}{self.condition()} {{ {self.selection_set(type_name, depth - 1)} }}")
            else:
                items.append(self.field(type_, self.draw(st.sampled_from(fields)), depth))
        return " ".join(items)

    def field(self, parent: GraphQLObjectType, name: str, depth: int) -> str:
        alias = f"{name}_{self.draw(st.integers(0, 2))}: " if self.draw(st.booleans()) else ""
        arguments = ROOT_FIELDS.get(name, "") if parent.name == "Query" else ""
        named = get_named_type(parent.fields[name].type)
        if not isinstance(named, GraphQLObjectType):
            return f"{alias}{name}{self.condition()}"
        inner = self.selection_set(named.name, depth - 1) if depth > 0 else "__typename"
        return f"{alias}{name}{arguments}{self.condition()} {{ {inner} }}"

    def document(self) -> str:
        types = ["Query", "WerkzoekendeProfielMatches", "WerkzoekendeProfielMatch", "Organisatie"]
        for index in range(self.draw(st.integers(0, 6))):
            type_name = self.draw(st.sampled_from(types))
            self.fragments.append((f"F{index}", type_name, self.selection_set(type_name, self.draw(st.integers(0, 3)))))
        chain = self.chain(self.draw(st.integers(0, 16)))
        operation = self.selection_set("Query", 4) + (f" ...{chain} ...{chain}" if chain else "")
        used = self._used(operation)
        fragments = " ".join(f"fragment {n} on {t} {{ {b} }}" for n, t, b in self.fragments if n in used)
        text = operation + fragments
        declared = [
            f"{v}: {VARIABLES.get(v, 'Boolean!')}" for v in (*VARIABLES, *BOOLEANS) if re.search(rf"\{v}\b", text)
        ]
        header = f"query Random({', '.join(declared)})" if declared else "query Random"
        return f"{header} {{ {operation} }} {fragments}"

    def chain(self, length: int) -> str | None:
        """The probe's shape: fragments on Query, each spreading the one before two or three times
        (under conditions, now and then), often beside fields of its own; the last one's name."""
        if not length:
            return None
        name = f"C{len(self.fragments)}"
        self.fragments.append((name, "Query", self.selection_set("Query", 2)))
        for _ in range(length - 1):
            before, name = name, f"C{len(self.fragments)}"
            spreads = " ".join(f"...{before}{self.condition()}" for _ in range(self.draw(st.integers(2, 3))))
            own = self.selection_set("Query", 1) if self.draw(st.booleans()) else ""
            self.fragments.append((name, "Query", f"{spreads} {own}"))
        return name

    def _used(self, text: str) -> set[str]:
        used: set[str] = set()
        pending = set(re.findall(r"\.\.\.([FC]\d+)", text))
        while pending:
            name = pending.pop()
            used.add(name)
            body = next(b for n, _, b in self.fragments if n == name)
            pending |= set(re.findall(r"\.\.\.([FC]\d+)", body)) - used
        return used


@st.composite
def random_documents(draw: Any, schema: GraphQLSchema) -> str:
    return DocumentBuilder(schema, draw).document()


def test_the_work_of_measuring_and_planning_stays_linear(contract: Contract) -> None:
    schema = build_public_schema(contract)
    planner = Planner(contract, schema, 10, 10**6, UNLIMITED)
    largest = {"tokens": 0, "height": 0, "ratio": 0.0}
    examples = 0

    @settings(
        max_examples=300 if in_ci() else 100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(random_documents(schema))
    def check(document: str) -> None:
        nonlocal examples
        examples += 1
        size = tokens(document)
        parsed = parse(document, no_location=True)
        refused, first_pass = check_limits(parsed, Limits(0, 0, 0, 0, 0, 0))  # stops after pass one
        assert refused and first_pass.work <= 2 * size, (first_pass, size)
        errors, measured = check_limits(parsed, UNLIMITED)
        assert not errors
        assert measured.work <= 3 * size + measured.height, (measured, size)  # pass two adds at most the height
        before = planner.work.total
        plan = planner.plan(document, None, MEDIATOR)
        work = planner.work.total - before
        assert plan.size <= measured.height, "what a plan holds never exceeds the height the limit bounds"
        assert work <= 2 * (size + plan.size), (work, size, plan.size)
        largest["tokens"] = max(largest["tokens"], size)
        largest["height"] = max(largest["height"], measured.height)
        largest["ratio"] = max(largest["ratio"], work / (size + plan.size))

    check()
    report(
        f"planning work: {examples} random documents (up to {largest['tokens']} tokens, {largest['height']} fields "
        f"inlined); normalising took at most {largest['ratio']:.2f} units per token and planned field"
    )
