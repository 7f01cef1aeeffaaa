"""Execution: walk a query plan with concurrent subgraph calls and one projection pass."""
