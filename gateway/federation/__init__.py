"""Apollo Federation v2: composition (compose/) and, beside it, the runtime."""
