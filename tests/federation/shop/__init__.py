"""A small federated shop for integration tests: five strawberry federation subgraphs.

`products`, `inventory`, `reviews`, `accounts` and `billing` between them use every feature the
runtime plans: entity keys, `@requires` with arguments, `@provides`, `@external`, `@shareable`,
`@override`, a union, an interface entity with an `@interfaceObject` elsewhere, `@inaccessible`,
the authorisation directives, mutations, and a field that fails for one object. The supergraph
they compose to is stored beside them (`supergraph.graphql`, made with `@apollo/composition` by
`compose.mjs`); `test_shop_supergraph_is_current` fails when a subgraph's SDL drifts from it.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from . import accounts, billing, inventory, products, reviews

SUBGRAPHS: dict[str, Callable[[], strawberry.federation.Schema]] = {
    "accounts": accounts.schema,
    "billing": billing.schema,
    "inventory": inventory.schema,
    "products": products.schema,
    "reviews": reviews.schema,
}


def app(name: str) -> Starlette:
    """The subgraph as an ASGI app (POST /graphql)."""
    return Starlette(routes=[Route("/graphql", GraphQL(SUBGRAPHS[name](), graphql_ide=None))])


def sdl(name: str) -> str:
    """The subgraph's SDL, as `_service { sdl }` serves it."""
    result = SUBGRAPHS[name]().execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors
    return str(result.data["_service"]["sdl"])
