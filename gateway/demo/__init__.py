"""`vum-gateway demo`: the gateway with synthetic organisations on localhost (`runner`, `synthetic`).

Where the demo keeps its files, and who its issuer is, are known here without importing the
runner or the issuer (`gateway.auth.dev`), so `vum-gateway token` finds the demo issuer's key where
the demo wrote it and the other commands start without either.
"""

from pathlib import Path

DEFAULT_WORKDIR = Path("var/demo")
DEV_KEY_NAME = "dev-issuer.pem"  # the demo issuer's key, in the work directory
DEV_ISSUER = "urn:vum:demo-issuer"
AUDIENCE = "vum-gateway"  # the `aud` of the tokens `vum-gateway token` signs (the gateway's default)

__all__ = ["AUDIENCE", "DEFAULT_WORKDIR", "DEV_ISSUER", "DEV_KEY_NAME"]
