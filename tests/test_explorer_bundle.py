"""The committed explorer bundle is what its sources build: `npm ci` from the lock file and
`node build.mjs` in a scratch copy of explorer/ give the same bytes as gateway/http/explorer/static/,
so the sources and the bundle that `pip install` ships cannot drift apart.

Needs Node and npm, and the npm registry for `npm ci`. Skipped locally without them; CI runs it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.http.explorer import STATIC

from .conftest import ROOT, need

SOURCES = ROOT / "explorer"


def _run(command: list[str], cwd: Path) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=900)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"{' '.join(command)} failed:\n{error.stdout[-2000:]}\n{error.stderr[-2000:]}")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_committed_bundle_is_what_the_sources_build(tmp_path: Path) -> None:
    if not (shutil.which("npm") and shutil.which("node")):
        need("Node and npm are needed to rebuild the explorer")
    work = tmp_path / "explorer"
    shutil.copytree(SOURCES, work, ignore=shutil.ignore_patterns("node_modules"))
    _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], work)
    _run(["node", "build.mjs", str(tmp_path / "static")], work)
    built, committed = _tree(tmp_path / "static"), _tree(STATIC)
    assert sorted(built) == sorted(committed), "the same files (rebuild: cd explorer && npm ci && npm run build)"
    differing = [name for name in built if built[name] != committed[name]]
    assert differing == [], f"rebuild and commit the explorer (cd explorer && npm ci && npm run build): {differing}"
