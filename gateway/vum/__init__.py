"""VUM on the federation runtime: the second engine (`[gateway] engine = "federation"`).

The bespoke engine (`gateway/plan`, `gateway/execute`) knows the VUM root fields. This package
puts the same VUM graph on the general runtime (`gateway/federation`), through its extension
points only, so that `gateway/federation` stays VUM-agnostic:

    supergraph.py   the contract's three shares (organisatie, codelijsten, gateway) composed into
                    a Federation v2 supergraph, shipped precomposed (supergraph.graphql, written by
                    `python -m gateway.vum.supergraph`); its API schema is today's public schema
    (to come, see the README's parity status: hooks.py for fan-out, merge, order, page and route;
    computed.py for vumID; release.py for consent as Release/ReleaseRules)
"""
