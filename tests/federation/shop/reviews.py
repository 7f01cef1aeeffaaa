"""`reviews`: reviews of products by users; the author's username is `@provides`d; it overrides
`Product.averageRating` from `products`; a mutation doubles the shared counter."""

from __future__ import annotations

import strawberry

from . import data


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    username: str | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def reviews(self) -> list[Review]:
        return [Review.of(r) for r, review in data.REVIEWS.items() if review["author"] == self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str

    @strawberry.field
    def reviews(self) -> list[Review]:
        return [Review.of(r) for r, review in data.REVIEWS.items() if review["product"] == self.upc]

    @strawberry.federation.field(override="products")
    def average_rating(self) -> float | None:
        ratings = [int(r["rating"]) for r in data.REVIEWS.values() if r["product"] == self.upc]  # type: ignore[call-overload]
        return sum(ratings) / len(ratings) if ratings else None

    @classmethod
    def resolve_reference(cls, upc: str) -> Product:
        return cls(upc=upc)


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str
    rating: int

    @strawberry.federation.field(provides=["username"])
    def author(self) -> User:
        author = str(data.REVIEWS[self.id]["author"])
        return User(id=strawberry.ID(author), username=str(data.USERS[author]["username"]))

    @strawberry.field
    def product(self) -> Product:
        return Product(upc=str(data.REVIEWS[self.id]["product"]))

    @classmethod
    def of(cls, review_id: str) -> Review:
        review = data.REVIEWS[review_id]
        return cls(id=strawberry.ID(review_id), body=str(review["body"]), rating=int(review["rating"]))  # type: ignore[call-overload]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Review | None:
        return cls.of(id) if id in data.REVIEWS else None


@strawberry.type
class Query:
    @strawberry.field
    def latest_reviews(self) -> list[Review]:
        return [Review.of(r) for r in sorted(data.REVIEWS, reverse=True)]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def double(self) -> int:
        data.COUNTER["value"] *= 2
        return data.COUNTER["value"]


def schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query, mutation=Mutation, types=[User, Product, Review])
