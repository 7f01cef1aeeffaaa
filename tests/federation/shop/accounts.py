"""`accounts`: users and bots behind the entity interface `Account`; the username is shareable,
an internal code is `@inaccessible`, the e-mail address needs a scope, a bot's model a policy."""

from __future__ import annotations

import strawberry

from . import data


@strawberry.federation.interface(keys=["id"])
class Account:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Account | None:
        if id in data.USERS:
            return User(id=id)
        if id in data.BOTS:
            return Bot(id=id)
        return None


@strawberry.federation.type(keys=["id"])
class User(Account):
    @strawberry.field
    def name(self) -> str:
        return data.USERS[self.id]["name"]

    @strawberry.federation.field(shareable=True)
    def username(self) -> str | None:
        return data.USERS[self.id]["username"]

    @strawberry.federation.field(inaccessible=True)
    def internal_code(self) -> str | None:
        return data.USERS[self.id]["internal_code"]

    @strawberry.federation.field(requires_scopes=[["users:email"]])
    def email(self) -> str | None:
        return data.USERS[self.id]["email"]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User | None:
        return cls(id=id) if id in data.USERS else None


@strawberry.federation.type(keys=["id"])
class Bot(Account):
    @strawberry.field
    def name(self) -> str:
        return data.BOTS[self.id]["name"]

    @strawberry.federation.field(policy=[["internal"]])
    def model(self) -> str:
        return data.BOTS[self.id]["model"]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Bot | None:
        return cls(id=id) if id in data.BOTS else None


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User:
        return User(id=strawberry.ID("u1"))

    @strawberry.field
    def users(self) -> list[User]:
        return [User(id=strawberry.ID(u)) for u in data.USERS]

    @strawberry.field
    def accounts(self) -> list[Account]:
        found: list[Account] = [User(id=strawberry.ID(u)) for u in data.USERS]
        return found + [Bot(id=strawberry.ID(b)) for b in data.BOTS]


def schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query, types=[User, Bot])
