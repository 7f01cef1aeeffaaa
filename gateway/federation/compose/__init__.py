"""`vum-gateway compose`: Apollo Federation composition in Python.

Subgraph SDLs (Federation 2 with `@link`, or Federation 1) in, a Federation v2 supergraph SDL out,
in the format `@apollo/composition` 2.14 writes (the tests compare with its output), so that a
deployment needs no Node:

    from gateway.federation.compose import SubgraphInput, compose

    result = compose([SubgraphInput("products", "http://products:4001/graphql", sdl), ...])
    if result.errors: ...            # each with Apollo's code and the subgraph, type and field
    supergraph = result.supergraph_sdl

Composition errors carry Apollo's error codes (`FIELD_TYPE_MISMATCH`, `INVALID_FIELD_SHARING`, ...).
Not done: the satisfiability check (whether every field can be reached through the subgraphs'
keys), which Apollo runs after merging; see the README.
"""

from .composer import CompositionResult, compose
from .errors import CompositionError, CompositionHint
from .subgraph import SubgraphInput

__all__ = ["CompositionError", "CompositionHint", "CompositionResult", "SubgraphInput", "compose"]
