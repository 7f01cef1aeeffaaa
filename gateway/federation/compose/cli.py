"""`vum-gateway compose` (also `python -m gateway.federation.compose`): subgraph schemas from files
or running subgraphs in, a supergraph out.

    vum-gateway compose --subgraph products=products.graphql@http://products:4001/graphql \\
                        --subgraph reviews=http://reviews:4002/graphql -o supergraph.graphql
    vum-gateway compose --config supergraph.yaml -o supergraph.graphql

`--subgraph NAME=SOURCE[@ROUTING_URL]`: SOURCE is an SDL file or a subgraph's URL, whose schema is
read with `{ _service { sdl } }`; the routing URL (where the gateway will send the subgraph's
queries) defaults to that URL and is required for a file. `--config` reads rover's
`supergraph.yaml` format (YAML or TOML), paths relative to the file:

    subgraphs:
      products:
        routing_url: http://products:4001/graphql
        schema:
          file: ./products.graphql          # or subgraph_url: ..., or sdl: "..."

Exit status: 0 composed, 1 the subgraphs do not compose (errors on stderr, with Apollo's codes),
2 the input cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from ..cli import add_compose_arguments
from .composer import CompositionResult, compose
from .subgraph import SubgraphInput

SDL_QUERY = "query SubgraphIntrospectQuery { _service { sdl } }"
MAX_SDL_BYTES = 16 * 1024 * 1024  # a subgraph's answer is read up to this size, no further
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
SubgraphName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")]


class ComposeInputError(ValueError):
    """A subgraph's schema cannot be read; the message names the subgraph and where."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SchemaSource(Strict):
    file: Path | None = None
    subgraph_url: HttpUrl | None = None
    sdl: str | None = None
    introspection_headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def exactly_one(self) -> SchemaSource:
        given = [name for name in ("file", "subgraph_url", "sdl") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of file, subgraph_url, sdl (got {', '.join(given) or 'none'})")
        return self


class SubgraphConfig(Strict):
    routing_url: HttpUrl | None = None
    schema_: SchemaSource = Field(alias="schema")


class SupergraphConfig(Strict):
    federation_version: str | int | None = Field(
        default=None, description="accepted for rover compatibility; the supergraph is Federation v2"
    )
    subgraphs: dict[SubgraphName, SubgraphConfig] = Field(min_length=1)


@dataclass(frozen=True)
class Source:
    """Where one subgraph's schema comes from."""

    name: str
    routing_url: str
    file: Path | None = None
    url: str | None = None
    sdl: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def parse_subgraph_option(option: str) -> Source:
    """`NAME=SOURCE[@ROUTING_URL]`."""
    name, separator, rest = option.partition("=")
    if not separator or not name or not rest:
        raise ComposeInputError(f"--subgraph {option}: expected NAME=FILE_OR_URL[@ROUTING_URL]")
    routing = None
    for scheme in ("@https://", "@http://"):
        at = rest.rfind(scheme)
        if at > 0:
            rest, routing = rest[:at], rest[at + 1 :]
            break
    if rest.startswith(("http://", "https://")):
        return Source(name, routing or rest, url=rest)
    if routing is None:
        raise ComposeInputError(
            f"--subgraph {option}: a schema read from a file needs the subgraph's routing URL: "
            f"--subgraph {name}={rest}@http://host:port/graphql"
        )
    return Source(name, routing, file=Path(rest))


def read_config(path: Path) -> list[Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ComposeInputError(f"cannot read {path}: {error.strerror}") from None
    data = _parse_config_text(path, text)
    try:
        config = SupergraphConfig.model_validate(data)
    except ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in problem['loc']) or '(top level)'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ComposeInputError(f"{path}: invalid configuration:\n{problems}") from None
    sources = []
    for name, subgraph in config.subgraphs.items():
        schema = subgraph.schema_
        routing = subgraph.routing_url or schema.subgraph_url
        if routing is None:
            raise ComposeInputError(
                f"{path}: subgraphs.{name}.routing_url: required unless the schema comes from subgraph_url"
            )
        file = (path.parent / schema.file) if schema.file is not None else None
        sources.append(Source(name, routing, file, schema.subgraph_url, schema.sdl, dict(schema.introspection_headers)))
    return sources


def _parse_config_text(path: Path, text: str) -> Any:
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ComposeInputError(f"{path}: not valid TOML: {error}") from None
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        raise ComposeInputError(f"{path}: reading YAML needs PyYAML; or write the configuration as TOML") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ComposeInputError(f"{path}: not valid YAML: {error}") from None


async def fetch_sdl(session: aiohttp.ClientSession, source: Source, wait: float) -> str:
    """A running subgraph's SDL, from `{ _service { sdl } }`."""
    assert source.url is not None
    where = f"subgraph {source.name} ({source.url})"
    headers = {"Content-Type": "application/json", "Accept": "application/json", **source.headers}
    try:
        async with session.post(
            source.url,
            data=json.dumps({"query": SDL_QUERY}),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=wait),
        ) as response:
            body = await response.content.read(MAX_SDL_BYTES + 1)
            status = response.status
    except TimeoutError:
        raise ComposeInputError(f"{where}: no answer within {wait:g} s") from None
    except aiohttp.ClientError as error:
        raise ComposeInputError(f"{where}: cannot read the schema: {error}") from None
    if len(body) > MAX_SDL_BYTES:
        raise ComposeInputError(f"{where}: the answer is larger than {MAX_SDL_BYTES} bytes")
    if status != 200:
        raise ComposeInputError(f"{where}: HTTP {status} to {{ _service {{ sdl }} }}")
    try:
        answer = json.loads(body)
    except ValueError:
        raise ComposeInputError(f"{where}: the answer to {{ _service {{ sdl }} }} is not JSON") from None
    sdl = ((answer.get("data") or {}).get("_service") or {}).get("sdl") if isinstance(answer, dict) else None
    if not isinstance(sdl, str):
        errors = answer.get("errors") if isinstance(answer, dict) else None
        detail = (
            f": {errors[0].get('message')}"
            if isinstance(errors, list) and errors and isinstance(errors[0], dict)
            else ""
        )
        raise ComposeInputError(f"{where}: no SDL in the answer to {{ _service {{ sdl }} }}{detail}")
    return sdl


async def read_sources(sources: Sequence[Source], wait: float) -> list[SubgraphInput]:
    """Every subgraph's SDL: files read, URLs fetched concurrently."""
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ComposeInputError(f"subgraph {duplicates[0]} is given more than once")
    sdls: dict[str, str] = {}
    remote = [s for s in sources if s.url is not None]
    for source in sources:
        if source.file is not None:
            try:
                sdls[source.name] = source.file.read_text(encoding="utf-8")
            except OSError as error:
                raise ComposeInputError(
                    f"subgraph {source.name}: cannot read {source.file}: {error.strerror}"
                ) from None
            except UnicodeDecodeError:
                raise ComposeInputError(f"subgraph {source.name}: {source.file} is not UTF-8 text") from None
        elif source.sdl is not None:
            sdls[source.name] = source.sdl
    if remote:
        async with aiohttp.ClientSession() as session:
            fetched = await asyncio.gather(*(fetch_sdl(session, s, wait) for s in remote))
        sdls.update({s.name: sdl for s, sdl in zip(remote, fetched, strict=True)})
    return [SubgraphInput(s.name, s.routing_url, sdls[s.name]) for s in sources]


def run(args: argparse.Namespace) -> int:
    """Compose as the arguments say; raises `ComposeInputError` for input that cannot be read."""
    sources: list[Source] = read_config(args.config) if args.config else []
    sources += [parse_subgraph_option(option) for option in args.subgraph]
    if not sources:
        raise ComposeInputError("no subgraphs: give --subgraph NAME=SOURCE[@ROUTING_URL] or --config FILE")
    if args.timeout <= 0:
        raise ComposeInputError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    inputs = asyncio.run(read_sources(sources, args.timeout))
    result = compose(inputs)
    report(result, inputs, args.output)
    if result.supergraph_sdl is None:
        return 1
    if args.output is None:
        sys.stdout.write(result.supergraph_sdl)
        return 0
    try:
        args.output.write_text(result.supergraph_sdl, encoding="utf-8")
    except OSError as error:
        raise ComposeInputError(f"cannot write {args.output}: {error.strerror}") from None
    return 0


def report(result: CompositionResult, inputs: list[SubgraphInput], output: Path | None) -> None:
    for hint in result.hints:
        print(f"hint: [{hint.code}] {hint.message}", file=sys.stderr)
    for error in result.errors:
        print(f"error: [{error.code}] {error.message}", file=sys.stderr)
    names = ", ".join(sorted(s.name for s in inputs))
    if result.supergraph_sdl is None:
        count = len(result.errors)
        print(f"composition of {names} failed: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
    else:
        where = f" into {output}" if output is not None else ""
        size = len(result.supergraph_sdl.encode())
        print(f"composed {names}{where}: {size:,} bytes", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gateway.federation.compose", description="Compose a Federation v2 supergraph."
    )
    add_compose_arguments(parser)
    args = parser.parse_args(argv)
    try:
        sys.exit(run(args))
    except ComposeInputError as error:
        print(f"compose: {error}", file=sys.stderr)
        sys.exit(2)
