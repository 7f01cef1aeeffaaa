"""`inventory`: stock and shipping; the estimate `@requires` the price in EUR and the weight."""

from __future__ import annotations

import strawberry

from . import data


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str
    weight: int | None = strawberry.federation.field(external=True, default=None)
    euro_price: strawberry.Private[int | None] = None

    @strawberry.federation.field(external=True)
    def price(self, currency: str = "EUR") -> int | None:
        return None  # external: never asked here

    @strawberry.field
    def in_stock(self) -> bool:
        return bool(data.PRODUCTS[self.upc]["in_stock"])

    @strawberry.federation.field(requires=['price(currency: "EUR") weight'])
    def shipping_estimate(self) -> int | None:
        if self.euro_price is None or self.weight is None:
            raise ValueError("shippingEstimate needs price and weight in the representation")
        return 0 if self.euro_price >= 100 else self.weight * 2

    @strawberry.field
    def flaky(self) -> str | None:
        if self.upc == "p3":
            raise ValueError("the stock of p3 cannot be counted")
        return f"counted {self.upc}"

    @classmethod
    def resolve_reference(cls, upc: str, price: int | None = None, weight: int | None = None) -> Product:
        return cls(upc=upc, weight=weight, euro_price=price)


@strawberry.type
class Query:
    @strawberry.field
    def warehouse_name(self) -> str:
        return "Central"


def schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query, types=[Product])
