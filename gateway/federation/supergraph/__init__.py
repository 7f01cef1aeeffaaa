"""Supergraph in: a Federation v2 supergraph SDL read into its API schema and planning metadata."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from ..errors import SupergraphError
from .model import FieldMeta, FieldSource, Key, Kind, Subgraph, Supergraph, TypeMeta
from .reader import parse_field_set, read_supergraph

__all__ = [
    "FieldMeta",
    "FieldSource",
    "Key",
    "Kind",
    "Subgraph",
    "Supergraph",
    "SupergraphError",
    "TypeMeta",
    "fetch_supergraph",
    "load_supergraph",
    "parse_field_set",
    "read_supergraph",
]

MAX_SUPERGRAPH_BYTES = 50 * 1024 * 1024


def load_supergraph(source: str | Path) -> Supergraph:
    """Read a supergraph from a file path (or `-` for standard input is not supported here)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SupergraphError(f"cannot read the supergraph {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SupergraphError(f"the supergraph {path} is not UTF-8 text") from None
    return read_supergraph(text)


async def fetch_supergraph(url: str, timeout: float = 30.0) -> Supergraph:  # noqa: ASYNC109 - one call, its own timeout
    """Fetch a supergraph SDL over HTTP(S) and read it."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise SupergraphError(f"cannot fetch the supergraph from {url}: HTTP {response.status}")
            body = await response.content.read(MAX_SUPERGRAPH_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise SupergraphError(f"cannot fetch the supergraph from {url}: {type(error).__name__}") from None
    if len(body) > MAX_SUPERGRAPH_BYTES:
        raise SupergraphError(f"the supergraph at {url} exceeds {MAX_SUPERGRAPH_BYTES} bytes")
    try:
        return read_supergraph(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise SupergraphError(f"the supergraph at {url} is not UTF-8 text") from None
