"""Reading supergraphs: the API schema clients see, the metadata the planner uses, and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, print_schema

from gateway.federation.supergraph import SupergraphError, fetch_supergraph, load_supergraph, read_supergraph
from tests.federation.conftest import SHOP_SUPERGRAPH
from tests.servers import LiveServer

HEADER = """
schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://a") }
"""


def test_the_api_schema_has_no_join_machinery_and_no_inaccessible_elements() -> None:
    printed = print_schema(load_supergraph(SHOP_SUPERGRAPH).api_schema)
    for hidden in ("join__", "link__", "@link", "internalCode", "@inaccessible", "@requiresScopes"):
        assert hidden not in printed
    assert "type User implements Account" in printed and "email: String" in printed


def test_the_planning_metadata() -> None:
    supergraph = load_supergraph(SHOP_SUPERGRAPH)
    assert {name: s.url for name, s in supergraph.subgraphs.items()}["billing"] == "http://127.0.0.1:0/billing/graphql"
    product = supergraph.types["Product"]
    assert [k.text for k in product.keys["inventory"]] == ["upc"]
    assert supergraph.resolvers("Product", "price") == ["products"]
    assert supergraph.source("Product", "price", "inventory").external  # type: ignore[union-attr]
    estimate = supergraph.source("Product", "shippingEstimate", "inventory")
    assert estimate is not None and estimate.requires_text == 'price(currency: "EUR") weight'
    assert supergraph.source("Review", "author", "reviews").provides is not None  # type: ignore[union-attr]
    assert supergraph.resolvers("Product", "averageRating") == ["reviews"]  # overridden from products
    assert supergraph.is_interface_object("Account", "billing") and not supergraph.is_interface_object(
        "Account", "accounts"
    )
    assert supergraph.possible_types_in("Account", "accounts") == {"User", "Bot"}
    assert supergraph.possible_types_in("SearchResult", "products") == {"Product", "Category"}
    assert supergraph.types["User"].fields["email"].authorization.scopes == (("users:email",),)
    assert supergraph.types["User"].fields["internalCode"].inaccessible


def test_a_renamed_join_specification_reads_the_same() -> None:
    text = SHOP_SUPERGRAPH.read_text(encoding="utf-8")
    renamed = text.replace(
        '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)',
        '@link(url: "https://specs.apollo.dev/join/v0.5", as: "j", for: EXECUTION)',
    )
    renamed = renamed.replace("join__", "j__")
    original, copy = read_supergraph(text), read_supergraph(renamed)
    assert print_schema(original.api_schema) == print_schema(copy.api_schema)
    assert copy.resolvers("Product", "inStock") == ["inventory"]


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query {", "not valid GraphQL"),
        ("type Query { a: Int }", "no `@link` to https://specs.apollo.dev/join"),
        (
            'schema @core(feature: "https://specs.apollo.dev/core/v0.1") { query: Query } type Query { a: Int }',
            "Federation 1 supergraph",
        ),
        (
            HEADER.replace("join/v0.3", "join/v0.9") + "type Query @join__type(graph: A) { a: Int }",
            "v0.9 is not supported",
        ),
        (HEADER + "type Query @join__type(graph: B) { a: Int }", "unknown subgraph 'B'"),
        (
            HEADER + 'type Query @join__type(graph: A) { a: T } type T @join__type(graph: A, key: "id {") { id: ID }',
            "field set 'id {' is not valid",
        ),
        (
            HEADER.replace('A @join__graph(name: "a", url: "http://a")', "A") + "type Query { a: Int }",
            "has no @join__graph",
        ),
        (HEADER + "type Query @join__type(graph: A) { a: Missing }", "schema is not valid"),
        (
            HEADER + 'type Query @join__type(graph: A) { a: T } type T @join__type(graph: A, key: "idx") { id: ID }',
            "T has no field 'idx'",
        ),
        (
            HEADER.replace("usedOverridden: Boolean)", "usedOverridden: Boolean, contextArguments: [String])")
            + 'type Query @join__type(graph: A) { a(x: ID): Int @join__field(graph: A, contextArguments: ["c"]) }',
            "contextual arguments (@fromContext) are not supported yet",
        ),
        (
            HEADER
            + 'type Query @join__type(graph: A) { a: T @join__field(graph: A, provides: "id { x }") } type T @join__type(graph: A, key: "id") { id: ID }',
            "is a leaf",
        ),
    ],
)
def test_a_malformed_supergraph_is_refused_with_a_reason(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError, match=re.escape(message)):
        read_supergraph(sdl)


def test_a_supergraph_error_points_at_the_line() -> None:
    with pytest.raises(SupergraphError) as caught:
        read_supergraph("type Query {\n  a: Int\n  b:\n}\n")
    assert caught.value.locations == [(4, 1)]


def test_reading_a_missing_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(SupergraphError, match=r"cannot read the supergraph .*nope\.graphql"):
        load_supergraph(tmp_path / "nope.graphql")


async def test_a_supergraph_is_fetched_from_a_url() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    text = SHOP_SUPERGRAPH.read_text(encoding="utf-8")
    app = Starlette(routes=[Route("/supergraph", lambda request: PlainTextResponse(text))])
    server = await LiveServer(app, "/supergraph").start()
    try:
        supergraph = await fetch_supergraph(server.url)
        assert isinstance(supergraph.api_schema.get_type("Product"), GraphQLObjectType)
        with pytest.raises(SupergraphError, match="HTTP 404"):
            await fetch_supergraph(server.base_url + "/elsewhere")
    finally:
        await server.stop()
