"""The VUM REST facade (koppelvlak 3.0, VUM-Bemiddelaar contracts) on top of the GraphQL API."""

from .headers import VumParties, check_parties
from .routes import Runner, rest_not_found, rest_routes

__all__ = ["Runner", "VumParties", "check_parties", "rest_not_found", "rest_routes"]
