"""The VUM contract (`schema.graphql`) as plain data, shared by the gateway and the adapter SDK."""

from .contract import CATEGORIES, GATEWAY, ORGANISATION, Contract, EnumCodes, load_contract, schema_path

__all__ = ["CATEGORIES", "GATEWAY", "ORGANISATION", "Contract", "EnumCodes", "load_contract", "schema_path"]
