"""`python -m gateway.federation.compose`: the same as `vum-gateway compose`."""

from .cli import main

if __name__ == "__main__":
    main()
