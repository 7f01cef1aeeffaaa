"""`billing`: balances of accounts, which it knows only as the interface object `Account`."""

from __future__ import annotations

import strawberry

from . import data


@strawberry.federation.interface_object(keys=["id"])
class Account:
    id: strawberry.ID

    @strawberry.federation.field(authenticated=True)
    def balance(self) -> int:
        return data.BALANCES[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Account | None:
        return cls(id=id) if id in data.BALANCES else None


@strawberry.type
class Query:
    @strawberry.field
    def in_debt(self) -> list[Account]:
        return [Account(id=strawberry.ID(a)) for a, balance in data.BALANCES.items() if balance < 0]


def schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query, types=[Account])
