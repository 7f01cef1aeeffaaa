"""`vum-gateway demo`: the gateway with synthetic organisations on localhost (`runner`, `synthetic`).

Where the demo keeps its files is known here, without importing the runner, so `vum-gateway token`
finds the demo issuer's key where the demo wrote it.
"""

from pathlib import Path

DEFAULT_WORKDIR = Path("var/demo")
DEV_KEY_NAME = "dev-issuer.pem"  # the demo issuer's key, in the work directory

__all__ = ["DEFAULT_WORKDIR", "DEV_KEY_NAME"]
