"""Validation of one subgraph: GraphQL's rules for type system documents (`validate_graphql.py`),
then federation's own (`federation_rules.py`). Errors carry the subgraph's name in brackets, as
composition reports them."""

from __future__ import annotations

from graphql.language import ast

from .errors import CompositionFailed, in_subgraph
from .federation_rules import FederationRules
from .subgraph import Subgraph
from .validate_graphql import graphql_rules, schema_rules


def validate_subgraph(subgraph: Subgraph, document: ast.DocumentNode | None) -> None:
    """Raise `CompositionFailed` with every problem found; `document` (the SDL as parsed) enables
    GraphQL's document rules, which an upgraded federation 1 subgraph has already passed."""
    errors = graphql_rules(subgraph, document) if document is not None else []
    errors += schema_rules(subgraph.schema)
    if not errors and subgraph.fed2:
        errors = FederationRules(subgraph).run()
    if errors:
        raise CompositionFailed([in_subgraph(subgraph.name, e) for e in errors])
