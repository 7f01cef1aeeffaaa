"""Setting up from the registries (pip, npm) and describing the machine and versions for the report."""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from .config import BENCH, ROOT
from .procs import BenchError

PYTHON_PACKAGES = (
    *("vum-gateway", "graphql-core", "strawberry-graphql", "starlette", "uvicorn", "uvloop", "aiohttp"),
    *("orjson", "httptools", "matplotlib", "py-spy"),
)
NODE_PACKAGES = (
    "@apollo/gateway",
    "@apollo/server",
    "@apollo/composition",
    "@graphql-hive/gateway",
    "graphql",
    "autocannon",
)


def ensure_python_packages() -> None:
    """pip-install bench/requirements.txt into this interpreter when something is missing."""
    if importlib.util.find_spec("matplotlib") and (Path(sys.executable).parent / "py-spy").exists():
        return
    print("installing bench/requirements.txt …", flush=True)
    _run([sys.executable, "-m", "pip", "install", "-q", "-r", str(BENCH / "requirements.txt")], BENCH)


def ensure_node_modules() -> None:
    """`npm ci` from the committed lock file when node_modules is missing or older than the lock."""
    lock = BENCH / "package-lock.json"
    marker = BENCH / "node_modules" / ".package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("installing the pinned Node packages (npm ci) …", flush=True)
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], BENCH)


def compile_project() -> None:
    """Byte-compile the project's packages, as `pip install` does for the container image: an
    editable install under PYTHONDONTWRITEBYTECODE would otherwise compile every module at each
    start, and start-up would measure the compiler."""
    compile_tree(ROOT)


def compile_tree(root: Path) -> None:
    """Byte-compile the packages of the checkout at `root` (this one, or a snapshot of another)."""
    packages = [str(root / name) for name in ("gateway", "vumschema", "subgraphs", "bench") if (root / name).is_dir()]
    _run([sys.executable, "-m", "compileall", "-q", *packages], root)


def _run(command: list[str], cwd: Path) -> None:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def python_versions() -> dict[str, str]:
    versions = {}
    for name in PYTHON_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def node_versions() -> dict[str, str]:
    versions = {}
    for name in NODE_PACKAGES:
        manifest = BENCH / "node_modules" / name / "package.json"
        versions[name] = json.loads(manifest.read_text())["version"] if manifest.exists() else "not installed"
    return versions


def node_version() -> str:
    completed = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": _memory(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node_version(),
        "revision": revision(),
    }


def revision() -> str:
    """The commit of the benchmarked tree, and whether its code differs from it (read-only git)."""
    if os.environ.get("VUM_BENCH_REVISION"):
        return os.environ["VUM_BENCH_REVISION"]
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return "unknown (not a git checkout; set VUM_BENCH_REVISION)"
    paths = ["gateway", "subgraphs", "vumschema", "schema.graphql"]
    status = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", *paths], capture_output=True, text=True
    )
    return head.stdout.strip() + (" with uncommitted changes" if status.stdout.strip() else "")


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"
