"""The shop's data, shared by its subgraphs (each answers only for its own fields)."""

from __future__ import annotations

PRODUCTS = {
    "p1": {"name": "Table", "price": 100, "weight": 20, "category": "c1", "in_stock": True},
    "p2": {"name": "Chair", "price": 40, "weight": 5, "category": "c1", "in_stock": False},
    "p3": {"name": "Lamp", "price": 25, "weight": 2, "category": "c2", "in_stock": True},
}
CATEGORIES = {"c1": "Furniture", "c2": "Lighting"}
USERS = {
    "u1": {"name": "Ada Lovelace", "username": "ada", "internal_code": "X-1", "email": "ada@example.org"},
    "u2": {"name": "Alan Turing", "username": "alan", "internal_code": "X-2", "email": "alan@example.org"},
}
BOTS = {"b1": {"name": "Stocktaker", "model": "T-800"}}
BALANCES = {"u1": 120, "u2": -5, "b1": 0}
REVIEWS = {
    "r1": {"body": "Sturdy", "rating": 5, "author": "u1", "product": "p1"},
    "r2": {"body": "Wobbly", "rating": 2, "author": "u2", "product": "p1"},
    "r3": {"body": "Bright", "rating": 4, "author": "u1", "product": "p3"},
}
USD_PER_EUR = 1.1


def price_in(amount: int, currency: str) -> int:
    if currency == "EUR":
        return amount
    if currency == "USD":
        return round(amount * USD_PER_EUR)
    raise ValueError(f"unknown currency {currency!r}")


COUNTER = {"value": 0}  # mutations in two subgraphs change it: their order shows in the results
