"""The VUM REST facade (koppelvlak 3.0, VUM-Bemiddelaar contracts) on top of the GraphQL API."""

from .headers import PartyGuard, VumParties
from .routes import rest_routes

__all__ = ["PartyGuard", "VumParties", "rest_routes"]
