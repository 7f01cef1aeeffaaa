"""An organisation that already serves the VUM-Bron contracts (koppelvlak 3.0 REST), as a subgraph."""
