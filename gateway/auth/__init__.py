"""Authentication of callers, the gateway's own identity towards subgraphs, field authorisation."""
