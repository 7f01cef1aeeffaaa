"""`products`: the catalogue (names, prices in a currency, weights, categories), a search union, a counter."""

from __future__ import annotations

from typing import Annotated

import strawberry

from . import data


@strawberry.federation.type(keys=["id"])
class Category:
    id: strawberry.ID

    @strawberry.field
    def name(self) -> str:
        return data.CATEGORIES[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Category | None:
        return cls(id=id) if id in data.CATEGORIES else None


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str

    @strawberry.field
    def name(self) -> str | None:
        return str(data.PRODUCTS[self.upc]["name"])

    @strawberry.federation.field(shareable=True)
    def price(self, currency: str = "EUR") -> int | None:
        return data.price_in(int(data.PRODUCTS[self.upc]["price"]), currency)  # type: ignore[call-overload]

    @strawberry.federation.field(shareable=True)
    def weight(self) -> int | None:
        weight: int = data.PRODUCTS[self.upc]["weight"]  # type: ignore[assignment]
        return weight

    @strawberry.field
    def category(self) -> Category | None:
        return Category(id=strawberry.ID(str(data.PRODUCTS[self.upc]["category"])))

    @strawberry.field
    def average_rating(self) -> float | None:
        return -1.0  # stale: reviews overrides it, so the gateway never asks here

    @classmethod
    def resolve_reference(cls, upc: str) -> Product | None:
        return cls(upc=upc) if upc in data.PRODUCTS else None


SearchResult = Annotated[Product | Category, strawberry.union("SearchResult")]


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(upc=upc) for upc in data.PRODUCTS]

    @strawberry.field
    def product(self, upc: str) -> Product | None:
        return Product(upc=upc) if upc in data.PRODUCTS else None

    @strawberry.field
    def search(self, term: str) -> list[SearchResult]:
        found: list[Product | Category] = [
            Product(upc=upc) for upc, p in data.PRODUCTS.items() if term.lower() in str(p["name"]).lower()
        ]
        found += [Category(id=strawberry.ID(c)) for c, name in data.CATEGORIES.items() if term.lower() in name.lower()]
        return found


@strawberry.type
class Mutation:
    @strawberry.mutation
    def increment(self, by: int) -> int:
        data.COUNTER["value"] += by
        return data.COUNTER["value"]


def schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query, mutation=Mutation, types=[Product, Category])
