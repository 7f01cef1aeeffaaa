"""Composition from start to end: build and validate each subgraph, upgrade federation 1
subgraphs, merge, print. Stops at the first stage that finds errors and reports all of that
stage's errors, as `@apollo/composition` does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql.language import ast

from .errors import CompositionError, CompositionFailed, CompositionHint
from .merge import Merger
from .printer import print_supergraph
from .schema import Schema
from .subgraph import Subgraph, SubgraphInput, build_subgraph, parse_sdl
from .upgrade import upgrade_subgraphs
from .validate import validate_subgraph


@dataclass(frozen=True)
class CompositionResult:
    """The supergraph SDL, or the errors that prevent it; hints either way."""

    supergraph_sdl: str | None
    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionHint] = field(default_factory=list)
    schema: Schema | None = None

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None


def compose(subgraphs: Iterable[SubgraphInput]) -> CompositionResult:
    inputs = list(subgraphs)
    seen: set[str] = set()
    for subgraph in inputs:
        if subgraph.name in seen:
            return CompositionResult(
                None, [CompositionError("INVALID_SUBGRAPH_NAME", f'A subgraph named "{subgraph.name}" already exists')]
            )
        seen.add(subgraph.name)
    try:
        built, documents = _build_all(inputs)  # errors in the order the subgraphs were given
        built.sort(key=lambda s: s.name)  # merged in the order of their names
        upgraded = upgrade_subgraphs(built, documents)
        _validate_upgraded(upgraded, built)
    except CompositionFailed as failure:
        return CompositionResult(None, failure.errors)
    merger = Merger(upgraded)
    merged = merger.merge()
    if merged is None:
        return CompositionResult(None, merger.errors)  # as Apollo: hints only with a supergraph
    return CompositionResult(print_supergraph(merged), [], merger.hints, merged)


def _build_all(inputs: list[SubgraphInput]) -> tuple[list[Subgraph], dict[str, ast.DocumentNode]]:
    errors: list[CompositionError] = []
    built: list[Subgraph] = []
    documents: dict[str, ast.DocumentNode] = {}
    for subgraph_input in inputs:
        try:
            document = parse_sdl(subgraph_input.name, subgraph_input.sdl)
            documents[subgraph_input.name] = document
            subgraph = build_subgraph(subgraph_input, document)
            validate_subgraph(subgraph, document)
            built.append(subgraph)
        except CompositionFailed as failure:
            errors.extend(failure.errors)
    if errors:
        raise CompositionFailed(errors)
    return built, documents


def _validate_upgraded(upgraded: list[Subgraph], built: list[Subgraph]) -> None:
    errors: list[CompositionError] = []
    for subgraph in upgraded:
        if subgraph in built:
            continue  # validated as built
        try:
            validate_subgraph(subgraph, None)
        except CompositionFailed as failure:
            errors.extend(failure.errors)
    if errors:
        raise CompositionFailed(errors)
