"""The merger's state and setup: the subgraphs, the supergraph being built, the specs that compose
into it (with their `@link`s), and the rules of what merges at all. `applied.py`, `fields.py` and
`merge.py` build on it, in that order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .compose_directive import ComposedDirectives
from .errors import Code, CompositionError, CompositionHint, HintCode, in_subgraph
from .links import FeatureUrl, Version
from .reporter import MismatchReporter, Sources
from .schema import (
    DirectiveDefinition,
    Element,
    FieldDefinition,
    NamedType,
    Schema,
    SchemaDefinition,
)
from .specs import (
    CONNECT,
    FEDERATION,
    JOIN_VERSIONS,
    LATEST_FEDERATION,
    LINK,
    LINK_VERSIONS,
    DirectiveSpec,
    FeatureSpec,
    known_spec,
)
from .subgraph import FEDERATION_TYPES, Subgraph, federation_version_used, is_federation_field
from .supergraph import add_graphs, add_join, add_spec, apply_link, link_itself

NON_MERGED_FEATURES = (FEDERATION, LINK, "https://specs.apollo.dev/core", CONNECT)


@dataclass
class FieldMergeContext:
    """Per subgraph, what `@override` decided about a field."""

    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    unknown_target: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)

    def is_overridden(self, index: int) -> bool:
        return index in self.used_overridden or index in self.unused_overridden


@dataclass
class ComposedSpec:
    """A spec whose directives compose into the supergraph, and the directives that do."""

    spec: FeatureSpec
    directives: list[tuple[str, str, DirectiveSpec]]  # (name in spec, name in supergraph, spec)


@dataclass
class MergedDirective:
    spec: DirectiveSpec
    definition: DirectiveDefinition


@dataclass
class EnumUsage:
    position: str  # Input, Output or Both
    examples: dict[str, str]  # position -> coordinate


def type_kind(subgraph: Subgraph, type_: NamedType) -> str:
    return "InterfaceType" if subgraph.is_interface_object(type_) else type_.kind


def _description_block(text: str, indentation: str) -> str:
    return indentation + '"""\n' + indentation + text.replace("\n", "\n" + indentation, 1) + "\n" + indentation + '"""'


def in_subgraph_error(subgraph: str, code: str, message: str) -> CompositionError:
    return in_subgraph(subgraph, CompositionError(code, message))


class MergerBase:
    """What every part of the merger shares."""

    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subgraphs = subgraphs
        self.names = [s.name for s in subgraphs]
        self.schemas = [s.schema for s in subgraphs]
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        self.reporter = MismatchReporter(self.names, self.errors, self.hints)
        self.merged = Schema()
        self.enum_usages: dict[str, EnumUsage] = {}
        self.merged_directives: dict[str, MergedDirective] = {}
        self.join_directive_names: set[str] = set()
        self.inaccessible: str | None = None
        self.access_control: list[tuple[str, str]] = []  # (name in spec, name in supergraph)
        self.to_merge: list[tuple[list[str], Sources, Element]] = []
        self.latest_federation = self._latest_federation_version()
        self.join_version = JOIN_VERSIONS.for_federation(self.latest_federation).version
        self.fields_with_from_context = self._coordinates("fromContext", lambda a: a.parent.parent)
        self.fields_with_override = self._coordinates("override", lambda a: a.parent)
        self.fields_with_requires = self._coordinates("requires", lambda a: a.parent)
        self.composed = ComposedDirectives(subgraphs, self.errors, self.hints)
        self.access_sources: dict[str, list[Any]] | None = None  # see applied.access_control_sources
        self.graph_names: dict[str, str] = {}

    def _latest_federation_version(self) -> Version:
        versions = []
        for subgraph in self.subgraphs:
            used = federation_version_used(subgraph)
            if used is None:
                continue
            linked = subgraph.federation.url.version if subgraph.federation else None
            if linked is not None and used != linked:
                self.hints.append(
                    CompositionHint(
                        HintCode.IMPLICITLY_UPGRADED_FEDERATION_VERSION,
                        f"Subgraph {subgraph.name} has been implicitly upgraded from federation {linked} to {used}",
                    )
                )
            versions.append(used)
        return max(versions) if versions else LATEST_FEDERATION

    def _coordinates(self, directive: str, field_of: Callable[[Any], FieldDefinition]) -> set[str]:
        found: set[str] = set()
        for subgraph in self.subgraphs:
            for application in subgraph.applications(directive):
                found.add(field_of(application).coordinate)
        return found

    def join_name(self, index: int) -> str:
        return self.graph_names[self.names[index]]

    def prepare(self) -> None:
        link = LINK_VERSIONS.for_federation(self.latest_federation)
        link_itself(self.merged, link)
        add_join(self.merged, self.join_version)
        composed = self._collect_composed_specs()
        self.composed.validate()
        for info in composed.values():
            self._add_composed_spec(info)
        self.graph_names = add_graphs(self.merged, [(s.name, s.url) for s in self.subgraphs])

    def _collect_composed_specs(self) -> dict[str, ComposedSpec]:
        """The spec directives used in the subgraphs that compose (`@tag`, `@cost`, ...), by spec."""
        collected: dict[tuple[str, str, int], tuple[FeatureUrl, dict[str, str]]] = {}
        for subgraph in self.subgraphs:
            assert subgraph.features is not None
            for definition in subgraph.schema.directive_definitions.values():
                if definition.built_in:
                    continue
                source = subgraph.features.source_feature(definition.name, True)
                if source is None or source.name_in_feature is None:
                    continue
                if not subgraph.schema.applications(definition.name):
                    continue
                url = source.feature.url
                major = url.version.major if url.version.major > 0 else -url.version.minor
                key = (source.name_in_feature, url.identity, major)
                entry = collected.get(key)
                if entry is None:
                    entry = (url, {})
                    collected[key] = entry
                elif url.version > entry[0].version:
                    collected[key] = entry = (url, entry[1])
                entry[1][subgraph.name] = definition.name
        by_identity: dict[str, ComposedSpec] = {}
        for (name_in_feature, _, _), (url, per_subgraph) in collected.items():
            feature_spec = known_spec(url)
            directive_spec = feature_spec.directive(name_in_feature) if feature_spec else None
            if directive_spec is None or not directive_spec.composes or directive_spec.supergraph is None:
                continue
            name_in_supergraph = None
            mismatch = False
            for subgraph in self.subgraphs:
                name = per_subgraph.get(subgraph.name)
                if name is None:
                    continue
                if name_in_supergraph is None:
                    name_in_supergraph = name
                elif name != name_in_supergraph:
                    mismatch = True
            if mismatch:
                sources = {i: per_subgraph.get(n) for i, n in enumerate(self.names)}
                self.reporter.error(
                    Code.LINK_IMPORT_NAME_MISMATCH,
                    f'The "@{name_in_feature}" directive (from {url}) is imported with mismatched name between '
                    "subgraphs: it is imported as ",
                    name_in_supergraph,
                    sources,
                    lambda name, _: f'"@{name}"',
                )
                return by_identity
            assert name_in_supergraph is not None
            spec_in_supergraph = directive_spec.supergraph(self.latest_federation)
            info = by_identity.setdefault(spec_in_supergraph.identity, ComposedSpec(spec_in_supergraph, []))
            info.directives.append((name_in_feature, name_in_supergraph, directive_spec))
            if directive_spec.join_directive:
                self.join_directive_names.add(name_in_supergraph)
        return by_identity

    def _add_composed_spec(self, info: ComposedSpec) -> None:
        spec = info.spec
        imports: list[Any] = []
        names: dict[str, str] = {}
        for name_in_feature, name_in_supergraph, directive_spec in info.directives:
            if directive_spec.join_directive:
                continue
            default = spec.name if name_in_feature == spec.name else f"{spec.name}__{name_in_feature}"
            names[name_in_feature] = name_in_supergraph
            if name_in_supergraph != default:
                imports.append(
                    f"@{name_in_feature}"
                    if name_in_feature == name_in_supergraph
                    else {"name": f"@{name_in_feature}", "as": f"@{name_in_supergraph}"}
                )
        apply_link(self.merged, spec.url, None, spec.purpose, imports)
        add_spec(self.merged, spec, names)
        for name_in_feature, name_in_supergraph, directive_spec in info.directives:
            definition = self.merged.directive(name_in_supergraph)
            if definition is None:
                continue
            self.merged_directives[name_in_supergraph] = MergedDirective(directive_spec, definition)
            if name_in_feature == spec.name and spec.name == "inaccessible":
                self.inaccessible = name_in_supergraph
            if name_in_feature == spec.name and spec.name in ("authenticated", "requiresScopes", "policy"):
                self.access_control.append((spec.name, name_in_supergraph))

    def is_merged_type(self, subgraph: Subgraph, type_: NamedType) -> bool:
        if type_.built_in or type_.name.startswith("__") or type_.name in FEDERATION_TYPES:
            return False
        if subgraph.features is None:
            return True
        source = subgraph.features.source_feature(type_.name, False)
        return source is None or source.feature.url.identity not in NON_MERGED_FEATURES

    def is_merged_field(self, schema: Schema, definition: Any) -> bool:
        return not isinstance(definition, FieldDefinition) or not is_federation_field(schema, definition)

    def is_merged_directive_application(self, index: int, name: str) -> bool:
        if self.composed.should_compose(self.names[index], name):
            return True
        if name in self.join_directive_names:
            return False
        if name in self.merged_directives:
            return True
        definition = self.schemas[index].directive(name)
        return definition is not None and definition.built_in and name not in ("include", "skip", "defer", "stream")

    def is_merged_directive_definition(self, index: int, definition: DirectiveDefinition) -> bool:
        if self.composed.should_compose(self.names[index], definition.name):
            return True
        if definition.name in self.join_directive_names or definition.built_in:
            return False
        return definition.has_executable_locations()

    def _merge_description(self, sources: Sources, dest: Element) -> None:
        descriptions: list[str] = []
        counts: list[float] = []
        for source in sources.values():
            if source is None or source.description is None:
                continue
            if source.description in descriptions:
                counts[descriptions.index(source.description)] += 1
            else:
                descriptions.append(source.description)
                counts.append(float("-inf") if source.description == "" else 1)
        if not descriptions:
            return
        non_empty = [d for d in descriptions if d != ""]
        if len(descriptions) == 1:
            dest.description = descriptions[0]
        elif len(non_empty) == 1:
            dest.description = non_empty[0]
        else:
            dest.description = descriptions[counts.index(max(counts))]
            name = f'Element "{dest.coordinate}"' if not isinstance(dest, SchemaDefinition) else "The schema definition"
            self.reporter.hint(
                HintCode.INCONSISTENT_DESCRIPTION,
                f"{name} has inconsistent descriptions across subgraphs. ",
                dest,
                sources,
                lambda element, _: element.description,
                lambda description, names: (
                    f"The supergraph will use description (from {names}):\n" + _description_block(description, "  ")
                ),
                lambda description, names: (
                    f"\nIn {names}, the description is:\n" + _description_block(description, "  ")
                ),
                ignore=lambda element: element is None or element.description is None,
                no_end_dot=True,
            )

    def _schema_of(self, element: Any, is_supergraph: bool) -> Schema:
        if is_supergraph:
            return self.merged
        for schema in self.schemas:
            if schema.element(element.coordinate) is element:
                return schema
        return self.merged
