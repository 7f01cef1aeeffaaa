"""The plaatsen subgraph: an extension of the VUM graph (the place of a postcode)."""
