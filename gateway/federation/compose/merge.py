"""Merging validated federation 2 subgraphs into a supergraph.

Every type, field, argument, enum value and union member of the subgraphs appears in the
supergraph once, with `@join__*` directives that say which subgraph defines what (and with which
`@key`, `@requires`, `@provides`, `@override`). The rules are Apollo Federation's:

* object and interface fields: the union over subgraphs; a field resolved by several subgraphs
  must be `@shareable` everywhere (or be a key, or be `@external`);
* input object fields: the intersection (a field missing in one subgraph is left out);
* enum values: the union for output enums, the intersection for input enums, and the same
  everywhere for enums used both ways;
* field and argument types: the same, or compatible (a field may be a subtype in some subgraphs;
  the supergraph gets the most general output type and the most specific input type);
* descriptions: the one most subgraphs agree on.

Composition directives (`@tag`, `@inaccessible`, `@authenticated`, `@cost`, ...) are carried into
the supergraph with the spec they belong to; a custom directive only with `@composeDirective`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .compose_directive import ComposedDirectives
from .context import parse_context
from .errors import Code, CompositionError, CompositionHint, HintCode, human_list, in_subgraph, subgraph_list
from .links import FeatureUrl, Version
from .reporter import MismatchReporter, Sources
from .schema import (
    MISSING,
    ROOT_KINDS,
    TYPE_CLASSES,
    DirectiveDefinition,
    Element,
    EnumType,
    EnumValue,
    FieldDefinition,
    FieldsType,
    InputObjectType,
    InputValue,
    InterfaceType,
    ListRef,
    NamedRef,
    NamedType,
    NonNullRef,
    ObjectType,
    Schema,
    SchemaDefinition,
    TypeRef,
    UnionType,
    base_name,
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
from .strategies import merge_values
from .subgraph import FEDERATION_TYPES, Subgraph, federation_version_used, is_federation_field
from .supergraph import add_graphs, add_join, add_spec, apply_link, link_itself
from .values import value_to_string, values_equal

NON_MERGED_FEATURES = (FEDERATION, LINK, "https://specs.apollo.dev/core", CONNECT)
LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")
OBJECT_LIKE = (ObjectType, InterfaceType)


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


class Merger:
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
        self.graph_names: dict[str, str] = {}

    # --- setup ---------------------------------------------------------------------------------

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

    # --- what merges -----------------------------------------------------------------------------

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

    # --- merging ---------------------------------------------------------------------------------

    def merge(self) -> Schema | None:
        self.prepare()
        if self.errors:
            return None
        self._add_composed_core_features()
        if self.errors:
            return None
        self._add_types_shallow()
        self._add_directives_shallow()
        kinds: dict[str, list[NamedType]] = {kind: [] for kind in TYPE_CLASSES}
        for type_ in self.merged.user_types():
            if type_.name.startswith(("link__", "join__")):
                continue
            kinds[type_.kind].append(type_)
        for type_ in kinds["ObjectType"] + kinds["InterfaceType"]:
            assert isinstance(type_, FieldsType)
            self._merge_implements(self._sources_of_type(type_), type_)
        for type_ in kinds["UnionType"]:
            self._merge_type(self._sources_of_type(type_), type_)
        self._merge_schema_definition()
        for type_ in kinds["ScalarType"] + kinds["InputObjectType"] + kinds["InterfaceType"] + kinds["ObjectType"]:
            if self.merged.type(type_.name) is type_:
                self._merge_type(self._sources_of_type(type_), type_)
        for definition in list(self.merged.directive_definitions.values()):
            if definition.built_in or definition.name == "link" or definition.name.startswith(("link__", "join__")):
                continue
            self._merge_directive_definition(definition)
        for type_ in kinds["EnumType"]:
            self._merge_type(self._sources_of_type(type_), type_)
        if self.merged.schema_definition.root("query") is None:
            self.errors.append(
                CompositionError(
                    Code.NO_QUERIES, "No queries found in any subgraph: a supergraph must have a query root type."
                )
            )
        self._merge_all_applied_directives()
        self._add_missing_interface_object_fields()
        if not self.errors:
            from .post_merge import post_merge_validations

            post_merge_validations(self)
        return None if self.errors else self.merged

    def _add_composed_core_features(self) -> None:
        for url, directives in self.composed.all_composed_features():
            imports: list[Any] = [
                f"@{alias}" if alias == original else {"name": f"@{original}", "as": f"@{alias}"}
                for alias, original in directives
            ]
            apply_link(self.merged, url, None, None, imports)

    def _add_types_shallow(self) -> None:
        mismatched: list[str] = []
        interface_objects: list[str] = []
        for subgraph in self.subgraphs:
            for type_ in subgraph.schema.types.values():
                if not self.is_merged_type(subgraph, type_):
                    continue
                kind = type_.kind
                if subgraph.is_interface_object(type_):
                    kind = "InterfaceType"
                    if type_.name not in interface_objects:
                        interface_objects.append(type_.name)
                previous = self.merged.type(type_.name)
                if previous is None:
                    self.merged.add_type(TYPE_CLASSES[kind](type_.name))
                elif previous.kind != kind and type_.name not in mismatched:
                    mismatched.append(type_.name)
        for name in mismatched:
            self._report_kind_mismatch(name)
        for name in interface_objects:
            if name in mismatched:
                continue
            if not any(isinstance(s.type(name), InterfaceType) for s in self.schemas):
                defining = [s.name for s in self.subgraphs if s.schema.type(name) is not None]
                self.errors.append(
                    CompositionError(
                        Code.INTERFACE_OBJECT_USAGE_ERROR,
                        f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it is defined '
                        f"(it is defined in {subgraph_list(defining)} but should be defined as an interface in at "
                        "least one subgraph)",
                    )
                )

    def _report_kind_mismatch(self, name: str) -> None:
        merged = self.merged.types[name]

        def describe(type_: Any, is_supergraph: bool) -> str:
            if not is_supergraph:
                index = next(i for i, s in enumerate(self.schemas) if s.type(name) is type_)
                if self.subgraphs[index].is_interface_object(type_):
                    return "Interface Object Type (Object Type with @interfaceObject)"
            return str(type_.kind).replace("Type", " Type")

        sources = {i: s.type(name) for i, s in enumerate(self.schemas)}
        self.reporter.error(
            Code.TYPE_KIND_MISMATCH, f'Type "{name}" has mismatched kind: it is defined as ', merged, sources, describe
        )

    def _add_directives_shallow(self) -> None:
        for index, schema in enumerate(self.schemas):
            for definition in schema.directive_definitions.values():
                if not self.is_merged_directive_definition(index, definition):
                    continue
                if self.merged.directive(definition.name) is None:
                    self.merged.add_directive_definition(DirectiveDefinition(definition.name))

    def _sources_of_type(self, dest: NamedType) -> Sources:
        sources: Sources = {}
        for index, subgraph in enumerate(self.subgraphs):
            type_ = subgraph.schema.type(dest.name)
            sources[index] = type_ if type_ is not None and type_kind(subgraph, type_) == dest.kind else None
        return sources

    def _merge_implements(self, sources: Sources, dest: FieldsType) -> None:
        implemented: list[str] = []
        for index, source in sources.items():
            if source is None:
                continue
            for interface in source.interface_names():
                if interface not in implemented:
                    implemented.append(interface)
                dest.apply("join__implements", {"graph": self.join_name(index), "interface": interface})
        dest.interfaces.extend((name, None) for name in implemented)

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

    def _merge_type(self, sources: Sources, dest: NamedType) -> None:
        self._check_extension_with_no_base(sources, dest)
        self._merge_description(sources, dest)
        self._add_join_type(sources, dest)
        self._record_type_directives(sources, dest)
        self._add_join_directives(sources, dest)
        if isinstance(dest, ObjectType):
            self._merge_object(sources, dest)
        elif isinstance(dest, InterfaceType):
            self._merge_interface(sources, dest)
        elif isinstance(dest, UnionType):
            self._merge_union(sources, dest)
        elif isinstance(dest, EnumType):
            self._merge_enum(sources, dest)
        elif isinstance(dest, InputObjectType):
            self._merge_input(sources, dest)

    def _check_extension_with_no_base(self, sources: Sources, dest: NamedType) -> None:
        if isinstance(dest, ObjectType) and self.merged.is_root_type(dest.name):
            return
        definitions, extensions = [], []
        for index, source in sources.items():
            if source is None:
                continue
            if source.has_non_extension_elements():
                definitions.append(self.names[index])
            if source.has_extension_elements():
                extensions.append(self.names[index])
        if extensions and not definitions:
            for name in extensions:
                self.errors.append(
                    CompositionError(
                        Code.EXTENSION_WITH_NO_BASE,
                        f'[{name}] Type "{dest.name}" is an extension type, but there is no type definition for '
                        f'"{dest.name}" in any subgraph.',
                    )
                )

    def _add_join_type(self, sources: Sources, dest: NamedType) -> None:
        for index, source in sources.items():
            if source is None:
                continue
            subgraph = self.subgraphs[index]
            interface_object = True if subgraph.is_interface_object(source) else MISSING
            keys = subgraph.applied(source, "key")
            graph = self.join_name(index)
            if not keys:
                dest.apply("join__type", {"graph": graph, "isInterfaceObject": interface_object})
                continue
            for key in keys:
                extension = True if key.extension is not None or subgraph.has(source, "extends") else MISSING
                dest.apply(
                    "join__type",
                    {
                        "graph": graph,
                        "key": key.args.get("fields", MISSING),
                        "extension": extension,
                        "resolvable": key.args.get("resolvable", MISSING),
                        "isInterfaceObject": interface_object,
                    },
                )

    # objects and interfaces -------------------------------------------------------------------------

    def _merge_object(self, sources: Sources, dest: ObjectType) -> None:
        is_entity = self._hint_inconsistent_entity(sources, dest)
        is_value_type = not is_entity and not self.merged.is_root_type(dest.name)
        is_subscription = self.merged.schema_definition.root("subscription") == dest.name
        added = self._add_fields_shallow(sources, dest)
        if not added:
            self.merged.remove_type(dest.name)
            return
        for dest_field, field_sources in added:
            if is_value_type:
                self._hint_inconsistent_value_type_field(sources, dest, dest_field)
            context = self._validate_override(field_sources, dest_field)
            if is_subscription:
                self._validate_subscription_field(field_sources)
            self._merge_field(field_sources, dest_field, context)
            self._validate_field_sharing(field_sources, dest_field, context)

    def _hint_inconsistent_entity(self, sources: Sources, dest: NamedType) -> bool:
        entities: list[NamedType] = []
        non_entities: list[NamedType] = []
        for index, source in sources.items():
            if source is None:
                continue
            (entities if self.subgraphs[index].has(source, "key") else non_entities).append(source)
        if entities and non_entities:
            self.reporter.hint(
                HintCode.INCONSISTENT_ENTITY,
                f'Type "{dest.name}" is declared as an entity (has a @key applied) in some but not all defining '
                "subgraphs: ",
                dest,
                sources,
                lambda type_, _: "yes" if any(type_ is e for e in entities) else "no",
                lambda _, names: f"it has no @key in {names}",
                lambda _, names: f" but has some @key in {names}",
            )
        return bool(entities)

    def _hint_inconsistent_value_type_field(
        self, sources: Sources, dest: FieldsType, definition: FieldDefinition
    ) -> None:
        if isinstance(dest, ObjectType):
            code, description = HintCode.INCONSISTENT_OBJECT_VALUE_TYPE_FIELD, "non-entity object"
        else:
            code, description = HintCode.INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD, "interface"
        for index, source in sources.items():
            if source is None:
                continue
            if isinstance(source, ObjectType) and self.subgraphs[index].is_interface_object(source):
                continue
            if (
                definition.name not in source.fields
                and not all(self.subgraphs[index].is_external(f) for f in source.fields.values())
                and not (
                    isinstance(dest, InterfaceType) and self._provided_by_interface_object(definition.name, dest.name)
                )
            ):
                self.reporter.hint(
                    code,
                    f'Field "{definition.coordinate}" of {description} type "{dest.name}" is defined in some but not '
                    f'all subgraphs that define "{dest.name}": ',
                    dest,
                    sources,
                    lambda type_, _: "yes" if definition.name in type_.fields else "no",
                    lambda _, names: f'"{definition.coordinate}" is defined in {names}',
                    lambda _, names: f" but not in {names}",
                )
                break

    def _provided_by_interface_object(self, field_name: str, interface_name: str) -> bool:
        for subgraph in self.subgraphs:
            type_ = subgraph.schema.type(interface_name)
            if isinstance(type_, ObjectType) and subgraph.is_interface_object(type_):
                found = type_.fields.get(field_name)
                if found is not None and not subgraph.is_external(found):
                    return True
        return False

    def _add_fields_shallow(self, sources: Sources, dest: Any) -> list[tuple[Any, Sources]]:
        """The merged fields of `dest`, each with its field per subgraph (None where the subgraph has
        the type, or an `@interfaceObject` standing for it, but not the field)."""
        extra: Sources = {}
        to_add: dict[int, list[Any]] = {}
        for index, source in sources.items():
            schema = self.schemas[index]
            if isinstance(dest, FieldsType):
                for interface in dest.interface_names():
                    interface_type = schema.type(interface)
                    if isinstance(interface_type, ObjectType) and self.subgraphs[index].is_interface_object(
                        interface_type
                    ):
                        extra[index] = None
            if source is not None:
                to_add[index] = list(source.fields.values())
            if schema.type(dest.name) is not None:
                extra[index] = None
        added: dict[str, tuple[Any, Sources]] = {}
        for index in sorted(to_add):
            for definition in to_add[index]:
                if not self.is_merged_field(self.schemas[index], definition):
                    continue
                entry = added.get(definition.name)
                if entry is None:
                    dest_field = dest.fields.get(definition.name)
                    if dest_field is None:
                        dest_field = dest.add_field(definition.name, definition.type)
                    entry = (dest_field, dict(sorted(extra.items())))
                    added[definition.name] = entry
                entry[1][index] = definition
        return [(dest_field, dict(sorted(field_sources.items()))) for dest_field, field_sources in added.values()]

    def _merge_interface(self, sources: Sources, dest: InterfaceType) -> None:
        has_key = self._validate_interface_keys(sources, dest)
        self._validate_interface_objects(sources, dest)
        for dest_field, field_sources in self._add_fields_shallow(sources, dest):
            if not has_key:
                self._hint_inconsistent_value_type_field(sources, dest, dest_field)
            context = self._validate_override(field_sources, dest_field)
            self._merge_field(field_sources, dest_field, context)

    def _validate_interface_keys(self, sources: Sources, dest: InterfaceType) -> bool:
        implementations = self.merged.possible_runtime_types(dest.name)
        has_key = False
        for index, source in sources.items():
            if not isinstance(source, InterfaceType):
                continue
            subgraph = self.subgraphs[index]
            keys = subgraph.applied(source, "key")
            has_key = has_key or bool(keys)
            resolvable = next((k for k in keys if k.args.get("resolvable") is not False), None)
            if resolvable is None:
                continue
            in_subgraph = {t.name for t in subgraph.schema.possible_runtime_types(source.name)}
            missing = [t for t in implementations if t.name not in in_subgraph]
            if missing:
                from .validate import print_applied

                types = human_list([f'"{t.name}"' for t in missing], "type", "types")
                name = self.names[index]
                self.errors.append(
                    in_subgraph_error(
                        name,
                        Code.INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE,
                        f'Interface type "{source.name}" has a resolvable key '
                        f"({print_applied(subgraph.schema, resolvable)}) in subgraph"
                        f' " "{name}" but that subgraph is missing some of the supergraph implementation '
                        f'types of "{dest.name}". Subgraph "{name}" should define {types} (and have '
                        f'{"them" if len(missing) > 1 else "it"} implement "{source.name}").',
                    )
                )
        return has_key

    def _validate_interface_objects(self, sources: Sources, dest: InterfaceType) -> None:
        implementations = self.merged.possible_runtime_types(dest.name)
        for index, source in sources.items():
            if source is None or not self.subgraphs[index].is_interface_object(source):
                continue
            defined = [t for t in implementations if self.schemas[index].type(t.name) is not None]
            if defined:
                name = self.names[index]
                types = human_list([f'"{t.name}"' for t in defined], "type", "types")
                self.errors.append(
                    in_subgraph_error(
                        name,
                        Code.INTERFACE_OBJECT_USAGE_ERROR,
                        f'Interface type "{dest.name}" is defined as an @interfaceObject in subgraph "{name}" so '
                        f'that subgraph should not define any of the implementation types of "{dest.name}", but it '
                        f"defines {types}",
                    )
                )

    def _fields_abstracted_by_interface_object(self, dest_field: FieldDefinition, index: int) -> list[FieldDefinition]:
        parent = dest_field.parent
        schema = self.schemas[index]
        if not isinstance(parent, ObjectType) or schema.type(parent.name) is not None:
            return []
        found = []
        for interface_name in parent.interface_names():
            interface = self.merged.type(interface_name)
            if not isinstance(interface, FieldsType) or dest_field.name not in interface.fields:
                continue
            in_schema = schema.type(interface_name)
            if isinstance(in_schema, ObjectType) and dest_field.name in in_schema.fields:
                found.append(in_schema.fields[dest_field.name])
        return found

    # fields -------------------------------------------------------------------------------------------

    def _merge_field(self, sources: Sources, dest: FieldDefinition, context: FieldMergeContext) -> None:
        every_external = True
        for index, source in sources.items():
            if source is None:
                every_external = all(
                    self.subgraphs[index].is_external(f)
                    for f in self._fields_abstracted_by_interface_object(dest, index)
                )
            else:
                every_external = self.subgraphs[index].is_external(source)
            if not every_external:
                break
        if every_external:
            defining = []
            for index, source in sources.items():
                if source is not None:
                    defining.append(self.names[index])
                    continue
                abstracted = self._fields_abstracted_by_interface_object(dest, index)
                if abstracted:
                    types = human_list([f'"{f.parent.name}"' for f in abstracted], "type", "types")
                    defining.append(f"{self.names[index]} (through @interaceObject {types})")
            self.errors.append(
                CompositionError(
                    Code.EXTERNAL_MISSING_ON_BASE,
                    f'Field "{dest.coordinate}" is marked @external on all the subgraphs in which it is listed '
                    f"({subgraph_list(defining)}).",
                )
            )
            return
        without_external = self._validate_and_filter_external(sources)
        self._merge_description(without_external, dest)
        self._record_field_directives(without_external, dest)
        self._add_arguments_shallow(without_external, dest)
        for argument in list(dest.arguments.values()):
            argument_sources = {
                i: (f.arguments.get(argument.name) if f is not None else None) for i, f in without_external.items()
            }
            self._merge_argument(argument_sources, argument)
        some_defined = any(s is not None for s in without_external.values())
        all_types_equal = self._merge_type_reference(without_external if some_defined else sources, dest)
        if any(s is not None and self.subgraphs[i].is_external(s) for i, s in sources.items()):
            self._validate_external_fields(sources, dest, all_types_equal)
        self._add_join_field(sources, dest, all_types_equal, context)
        self._add_join_directives(sources, dest)

    def _validate_and_filter_external(self, sources: Sources) -> Sources:
        filtered: Sources = {}
        for index, source in sources.items():
            if source is None or not self.subgraphs[index].is_external(source):
                filtered[index] = source
                continue
            filtered[index] = None
            for directive in source.directives:
                if self.is_merged_directive_application(index, directive.name):
                    from .validate import print_applied

                    self.errors.append(
                        CompositionError(
                            Code.MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL,
                            f"[{self.names[index]}] Cannot apply merged directive "
                            f'{print_applied(self.schemas[index], directive)} to external field "{source.coordinate}"',
                        )
                    )
        return filtered

    def _add_arguments_shallow(self, sources: Sources, dest: FieldDefinition | DirectiveDefinition) -> None:
        names: list[str] = []
        for source in sources.values():
            if source is not None:
                names.extend(n for n in source.arguments if n not in names)
        for name in names:
            argument = dest.add_argument(name, NamedRef("String"))
            contextual = {
                i: bool(s is not None and name in s.arguments and self._is_contextual(i, s.arguments[name]))
                for i, s in sources.items()
            }
            if any(contextual.values()):
                for index, is_contextual in contextual.items():
                    source = sources[index]
                    found = source.arguments.get(name) if source is not None else None
                    if is_contextual or found is None:
                        continue
                    if isinstance(found.type, NonNullRef) and found.default is MISSING:
                        self.errors.append(
                            CompositionError(
                                Code.CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS,
                                f'Argument "{argument.coordinate}" is contextual in at least one subgraph but in '
                                f'"{found.coordinate}" it does not have @fromContext, is not nullable and has no '
                                "default value.",
                            )
                        )
                    else:
                        self.hints.append(
                            CompositionHint(
                                "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
                                f'Contextual argument "{found.coordinate}" will not be included in the supergraph '
                                "since it is contextual in at least one subgraph",
                            )
                        )
                del dest.arguments[name]
                continue
            if any(s is not None and name not in s.arguments for s in sources.values()):
                required = [
                    self.names[i]
                    for i, s in sources.items()
                    if s is not None and name in s.arguments and s.arguments[name].is_required()
                ]
                if required:
                    missing = [self.names[i] for i, s in sources.items() if s is not None and name not in s.arguments]
                    self.errors.append(
                        CompositionError(
                            Code.REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
                            f'Argument "{argument.coordinate}" is required in some subgraphs but does not appear in '
                            f"all subgraphs: it is required in {subgraph_list(required)} but does not appear in "
                            f"{subgraph_list(missing)}",
                        )
                    )
                else:
                    self.reporter.hint(
                        HintCode.INCONSISTENT_ARGUMENT_PRESENCE,
                        f'Optional argument "{argument.coordinate}" will not be included in the supergraph as it does '
                        "not appear in all subgraphs: ",
                        argument,
                        {i: (s.arguments.get(name) if s is not None else None) for i, s in sources.items()},
                        lambda _a, _b: "yes",
                        lambda _, names: f"it is defined in {names}",
                        lambda _, names: f" but not in {names}",
                        include_missing=True,
                    )
                del dest.arguments[name]

    def _is_contextual(self, index: int, argument: InputValue) -> bool:
        name = self.subgraphs[index].directive_name("fromContext")
        return name is not None and argument.has(name)

    def _merge_argument(self, sources: Sources, dest: InputValue) -> None:
        self._merge_description(sources, dest)
        self._record_directives(sources, dest)
        self._merge_type_reference(sources, dest, input_position=True)
        self._merge_default_value(sources, dest, "Argument")

    def _merge_default_value(self, sources: Sources, dest: InputValue, kind: str) -> None:
        dest_default: Any = MISSING
        seen_source = inconsistent = incompatible = False
        for source in sources.values():
            if source is None:
                continue
            default = source.default
            if dest_default is MISSING:
                dest_default = default
                if seen_source and default is not MISSING:
                    inconsistent = True
            elif default is MISSING or not values_equal(dest_default, default):
                inconsistent = True
                if default is not MISSING:
                    incompatible = True
            seen_source = True
        if not inconsistent or incompatible:
            dest.default = dest_default
        if incompatible:
            code = Code.ARGUMENT_DEFAULT_MISMATCH if kind == "Argument" else Code.INPUT_FIELD_DEFAULT_MISMATCH
            self.reporter.error(
                code,
                f'{kind} "{dest.coordinate}" has incompatible default values across subgraphs: it has ',
                dest,
                sources,
                lambda value, is_supergraph: (
                    f"default value {value_to_string(value.default, value.type, self._schema_of(value, is_supergraph))}"
                    if value.default is not MISSING
                    else "no default value"
                ),
            )
        elif inconsistent:
            self.reporter.hint(
                HintCode.INCONSISTENT_DEFAULT_VALUE_PRESENCE,
                f'{kind} "{dest.coordinate}" has a default value in only some subgraphs: ',
                dest,
                sources,
                lambda value, is_supergraph: (
                    value_to_string(value.default, value.type, self._schema_of(value, is_supergraph))
                    if value.default is not MISSING
                    else None
                ),
                lambda _, names: f"will not use a default in the supergraph (there is no default in {names}) but ",
                lambda value, names: f'"{dest.coordinate}" has default value {value} in {names}',
            )

    def _schema_of(self, element: Any, is_supergraph: bool) -> Schema:
        if is_supergraph:
            return self.merged
        for schema in self.schemas:
            if schema.element(element.coordinate) is element:
                return schema
        return self.merged

    def _merge_type_reference(self, sources: Sources, dest: Any, input_position: bool = False) -> bool:
        dest_type: TypeRef | None = None
        has_subtypes = has_incompatible = False
        for source in sources.values():
            if source is None:
                continue
            source_type = source.type
            if dest_type is None or dest_type == source_type:
                dest_type = source_type
            elif self._is_strict_subtype(dest_type, source_type):
                has_subtypes = True
                if input_position:
                    dest_type = source_type
            elif self._is_strict_subtype(source_type, dest_type):
                has_subtypes = True
                if not input_position:
                    dest_type = source_type
            else:
                has_incompatible = True
        assert dest_type is not None
        dest.type = dest_type
        is_argument = isinstance(dest, InputValue) and not isinstance(dest.parent, InputObjectType)
        kind = "argument" if is_argument else "field"
        base = self.merged.type(base_name(dest_type))
        if isinstance(base, EnumType):
            self._record_enum_usage(base.name, sources, "Input" if input_position else "Output")
        if has_incompatible:
            self.reporter.error(
                Code.ARGUMENT_TYPE_MISMATCH if is_argument else Code.FIELD_TYPE_MISMATCH,
                f'Type of {kind} "{dest.coordinate}" is incompatible across subgraphs: it has ',
                dest,
                sources,
                lambda element, _: f'type "{element.type}"',
            )
            return False
        if has_subtypes:
            self.reporter.hint(
                HintCode.INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE
                if is_argument
                else HintCode.INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE,
                f'Type of {kind} "{dest.coordinate}" is inconsistent but compatible across subgraphs: ',
                dest,
                sources,
                lambda element, _: str(element.type),
                lambda value, names: (
                    f'will use type "{value}" (from {names}) in supergraph but "{dest.coordinate}" has '
                ),
                lambda value, names: f'{"supertype" if input_position else "subtype"} "{value}" in {names}',
            )
            return False
        return True

    def _record_enum_usage(self, name: str, sources: Sources, position: str) -> None:
        existing = self.enum_usages.get(name)
        combined = "Both" if existing is not None and existing.position != position else position
        examples = existing.examples if existing is not None else {}
        if position not in examples:
            first = next((s for s in sources.values() if s is not None), None)
            if first is not None:
                examples[position] = first.coordinate
        self.enum_usages[name] = EnumUsage(combined, examples)

    def _is_strict_subtype(self, super_type: TypeRef, sub_type: TypeRef) -> bool:
        if isinstance(sub_type, ListRef):
            return isinstance(super_type, ListRef) and self._is_subtype(super_type.of, sub_type.of)
        if isinstance(sub_type, NonNullRef):
            if isinstance(super_type, NonNullRef):
                return self._is_subtype(super_type.of, sub_type.of)
            return self._is_subtype(super_type, sub_type.of)
        sub = self.merged.type(sub_type.name)
        if isinstance(sub, ObjectType | InterfaceType):
            if not isinstance(super_type, NamedRef):
                return False
            target = self.merged.type(super_type.name)
            if isinstance(target, UnionType):
                return isinstance(sub, ObjectType) and target.has_member(sub.name)
            if isinstance(target, InterfaceType):
                return sub.implements(target.name)
        return False

    def _is_subtype(self, super_type: TypeRef, sub_type: TypeRef) -> bool:
        return super_type == sub_type or self._is_strict_subtype(super_type, sub_type)

    def _validate_external_fields(self, sources: Sources, dest: FieldDefinition, all_types_equal: bool) -> None:
        invalid_types = False
        missing_args: list[str] = []
        wrong_arg_types: list[str] = []
        wrong_defaults: list[str] = []
        for index, source in sources.items():
            if source is None or not self.subgraphs[index].is_external(source):
                continue
            if not (
                dest.type == source.type or (not all_types_equal and self._is_strict_subtype(dest.type, source.type))
            ):
                invalid_types = True
            for argument in dest.arguments.values():
                found = source.arguments.get(argument.name)
                if found is None:
                    if argument.name not in missing_args:
                        missing_args.append(argument.name)
                    continue
                wrong_type = argument.type != found.type and not self._is_strict_subtype(found.type, argument.type)
                if wrong_type and argument.name not in wrong_arg_types:
                    wrong_arg_types.append(argument.name)
                same_default = values_equal(argument.default, found.default) or (
                    argument.default is MISSING and found.default is MISSING
                )
                if not same_default and argument.name not in wrong_defaults:
                    wrong_defaults.append(argument.name)
        if invalid_types:
            self.reporter.error(
                Code.EXTERNAL_TYPE_MISMATCH,
                f'Type of field "{dest.coordinate}" is incompatible across subgraphs (where marked @external): it has ',
                dest,
                sources,
                lambda element, _: f'type "{element.type}"',
            )
        for name in missing_args:
            argument = dest.arguments[name]
            self.reporter.error_with_specifics(
                Code.EXTERNAL_ARGUMENT_MISSING,
                f'Field "{dest.coordinate}" is missing argument "{argument.coordinate}" in some subgraphs where it is '
                "marked @external: ",
                argument,
                {i: (s.arguments.get(name) if s is not None else None) for i, s in sources.items()},
                lambda element, _: f'argument "{element.coordinate}"' if element is not None else None,
                lambda value, names: f"{value} is declared in {names}",
                lambda _, names: f' but not in {names} (where "{dest.coordinate}" is @external).',
                include_missing=True,
            )
        for name in wrong_arg_types:
            argument = dest.arguments[name]
            self.reporter.error(
                Code.EXTERNAL_ARGUMENT_TYPE_MISMATCH,
                f'Type of argument "{argument.coordinate}" is incompatible across subgraphs (where '
                f'"{dest.coordinate}" is marked @external): it has ',
                argument,
                {i: (s.arguments.get(name) if s is not None else None) for i, s in sources.items()},
                lambda element, _: f'type "{element.type}"',
            )
        for name in wrong_defaults:
            argument = dest.arguments[name]
            self.reporter.error(
                Code.EXTERNAL_ARGUMENT_DEFAULT_MISMATCH,
                f'Argument "{argument.coordinate}" has incompatible defaults across subgraphs (where '
                f'"{dest.coordinate}" is marked @external): it has ',
                argument,
                {i: (s.arguments.get(name) if s is not None else None) for i, s in sources.items()},
                lambda element, _: (
                    f"default value {value_to_string(element.default, element.type)}"
                    if element.default is not MISSING
                    else "no default value"
                ),
            )

    def _needs_join_field(
        self, sources: Sources, parent_name: str, all_types_equal: bool, context: FieldMergeContext
    ) -> bool:
        if not all_types_equal:
            return True
        if context.used_overridden or context.labels:
            return True
        if any(s is not None and s.coordinate in self.fields_with_from_context for s in sources.values()):
            return True
        for index, source in sources.items():
            if source is not None and index not in context.unused_overridden:
                subgraph = self.subgraphs[index]
                if subgraph.is_external(source) or subgraph.has(source, "provides") or subgraph.has(source, "requires"):
                    return True
            elif self.schemas[index].type(parent_name) is not None:
                return True
        return False

    def _add_join_field(self, sources: Sources, dest: Any, all_types_equal: bool, context: FieldMergeContext) -> None:
        if not self._needs_join_field(sources, dest.parent.name, all_types_equal, context):
            return
        for index, source in sources.items():
            label = context.labels.get(index)
            if source is None or (index in context.unused_overridden and label is None):
                continue
            subgraph = self.subgraphs[index]
            context_arguments = self._context_arguments(index, source)
            override = subgraph.applied(source, "override")
            dest.apply(
                "join__field",
                {
                    "graph": self.join_name(index),
                    "requires": self._field_set_of(subgraph, source, "requires"),
                    "provides": self._field_set_of(subgraph, source, "provides"),
                    "override": override[-1].args.get("from", MISSING) if override else MISSING,
                    "type": MISSING if all_types_equal else str(source.type),
                    "external": True
                    if isinstance(source, FieldDefinition) and subgraph.is_external(source)
                    else MISSING,
                    "usedOverridden": True if index in context.used_overridden else MISSING,
                    "overrideLabel": label if label is not None else MISSING,
                    "contextArguments": context_arguments or MISSING,
                },
            )

    def _context_arguments(self, index: int, source: Any) -> list[dict[str, str]]:
        if not isinstance(source, FieldDefinition):
            return []
        subgraph = self.subgraphs[index]
        found = []
        for argument in source.arguments.values():
            applications = subgraph.applied(argument, "fromContext")
            if not applications:
                continue
            context, selection = parse_context(applications[0].args.get("field"))
            if context is None or selection is None:
                continue
            found.append(
                {
                    "context": f"{subgraph.name}__{context}",
                    "name": argument.name,
                    "type": str(argument.type),
                    "selection": selection,
                }
            )
        return found

    @staticmethod
    def _field_set_of(subgraph: Subgraph, source: Any, directive: str) -> Any:
        applications = subgraph.applied(source, directive)
        return applications[0].args.get("fields", MISSING) if applications else MISSING

    # override and sharing -----------------------------------------------------------------------------

    def _validate_override(self, sources: Sources, dest: FieldDefinition) -> FieldMergeContext:
        from .override import validate_override

        context = FieldMergeContext()
        if dest.coordinate in self.fields_with_override:
            validate_override(self, sources, dest, context)
        return context

    def _validate_subscription_field(self, sources: Sources) -> None:
        if any(s is not None and self.subgraphs[i].has(s, "shareable") for i, s in sources.items()):
            self.errors.append(
                CompositionError(
                    Code.INVALID_FIELD_SHARING, "Fields on root level subscription object cannot be marked as shareable"
                )
            )

    def _validate_field_sharing(self, sources: Sources, dest: FieldDefinition, context: FieldMergeContext) -> None:
        shareable: list[tuple[str, int]] = []
        non_shareable: list[tuple[str, int]] = []
        resolving: list[str] = []

        def categorize(index: int, label: str, definition: FieldDefinition) -> None:
            subgraph = self.subgraphs[index]
            if subgraph.is_fully_external(definition):
                return
            resolving.append(label)
            (shareable if subgraph.is_shareable(definition) else non_shareable).append((label, index))

        for index, source in sources.items():
            label = f'"{self.names[index]}"'
            if source is None:
                for abstracted in self._fields_abstracted_by_interface_object(dest, index):
                    categorize(index, f'{label} (through @interfaceObject field "{abstracted.coordinate}")', abstracted)
                continue
            if context.is_overridden(index):
                continue
            categorize(index, label, source)
        if non_shareable and (shareable or len(non_shareable) > 1):

            def listed(labels: list[str]) -> str:
                return human_list(labels, "subgraph", "subgraphs", cutoff=500)

            which = listed([label for label, _ in non_shareable]) if shareable else "all of them"
            extra = ""
            targetless = next((label for label, index in non_shareable if index in context.unknown_target), None)
            if targetless is not None:
                extra = (
                    f' (please note that "{dest.coordinate}" has an @override directive in {targetless} that targets '
                    "an unknown subgraph so this could be due to misspelling the @override(from:) argument)"
                )
            self.errors.append(
                CompositionError(
                    Code.INVALID_FIELD_SHARING,
                    f'Non-shareable field "{dest.coordinate}" is resolved from multiple subgraphs: it is resolved from '
                    f"{listed(resolving)} and defined as non-shareable in {which}{extra}",
                )
            )

    # unions, enums, inputs ----------------------------------------------------------------------------

    def _merge_union(self, sources: Sources, dest: UnionType) -> None:
        for source in sources.values():
            if source is None:
                continue
            for member in source.member_names():
                if not dest.has_member(member):
                    dest.members.append((member, None))
        for member in dest.member_names():
            for index, source in sources.items():
                if source is not None and source.has_member(member):
                    dest.apply("join__unionMember", {"graph": self.join_name(index), "member": member})
            if any(s is not None and not s.has_member(member) for s in sources.values()):
                self.reporter.hint(
                    HintCode.INCONSISTENT_UNION_MEMBER,
                    f'Union type "{dest.name}" includes member type "{member}" in some but not all defining '
                    "subgraphs: ",
                    dest,
                    sources,
                    partial(_has_member, member),
                    partial(_member_defined, member),
                    lambda _, names: f" but not in {names}",
                )

    def _merge_enum(self, sources: Sources, dest: EnumType) -> None:
        usage = self.enum_usages.get(dest.name)
        if usage is None:
            usage = EnumUsage("Output", {})
            self.hints.append(
                CompositionHint(
                    HintCode.UNUSED_ENUM_TYPE,
                    f'Enum type "{dest.name}" is defined but unused. It will be included in the supergraph with all '
                    'the values appearing in any subgraph ("as if" it was only used as an output type).',
                )
            )
        for source in sources.values():
            if source is None:
                continue
            for name in source.values:
                if name not in dest.values:
                    dest.add_value(name)
        for value in list(dest.values.values()):
            self._merge_enum_value(sources, dest, value, usage)
        if not dest.values:
            self.errors.append(
                CompositionError(
                    Code.EMPTY_MERGED_ENUM_TYPE,
                    f'None of the values of enum type "{dest.name}" are defined consistently in all the subgraphs '
                    "defining that type. As only values common to all subgraphs are merged, this would result in an "
                    "empty type.",
                )
            )

    def _merge_enum_value(self, sources: Sources, dest: EnumType, value: EnumValue, usage: EnumUsage) -> None:
        value_sources = {i: (s.values.get(value.name) if s is not None else None) for i, s in sources.items()}
        self._merge_description(value_sources, value)
        self._record_directives(value_sources, value)
        for index, source in value_sources.items():
            if source is not None:
                value.apply("join__enumValue", {"graph": self.join_name(index)})
        inaccessible = self.inaccessible is not None and value.has(self.inaccessible)
        missing_somewhere = any(s is not None and value.name not in s.values for s in sources.values())
        if not inaccessible and usage.position != "Output" and missing_somewhere:
            if usage.position == "Both":
                self.reporter.error_with_specifics(
                    Code.ENUM_VALUE_MISMATCH,
                    f'Enum type "{dest.name}" is used as both input type (for example, as type of '
                    f'"{usage.examples.get("Input")}") and output type (for example, as type of '
                    f'"{usage.examples.get("Output")}"), but value "{value.name}" is not defined in all the subgraphs '
                    f'defining "{dest.name}": ',
                    dest,
                    sources,
                    lambda type_, _: "yes" if type_ is not None and value.name in type_.values else "no",
                    lambda _, names: f'"{value.name}" is defined in {names}',
                    lambda _, names: f" but not in {names}",
                )
            else:
                self.reporter.hint(
                    HintCode.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM,
                    f'Value "{value.name}" of enum type "{dest.name}" will not be part of the supergraph as it is not '
                    f'defined in all the subgraphs defining "{dest.name}": ',
                    dest,
                    sources,
                    lambda type_, _: "yes" if value.name in type_.values else "no",
                    lambda _, names: f'"{value.name}" is defined in {names}',
                    lambda _, names: f" but not in {names}",
                )
                del dest.values[value.name]
        elif usage.position == "Output" and missing_somewhere:
            self.reporter.hint(
                HintCode.INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM,
                f'Value "{value.name}" of enum type "{dest.name}" has been added to the supergraph but is only defined '
                f'in a subset of the subgraphs defining "{dest.name}": ',
                dest,
                sources,
                lambda type_, _: "yes" if value.name in type_.values else "no",
                lambda _, names: f'"{value.name}" is defined in {names}',
                lambda _, names: f" but not in {names}",
            )

    def _merge_input(self, sources: Sources, dest: InputObjectType) -> None:
        for dest_field, field_sources in self._add_fields_shallow(sources, dest):
            self._merge_input_field(field_sources, dest_field)
            inaccessible = self.inaccessible is not None and dest_field.has(self.inaccessible)
            if inaccessible or all(f is not None for f in field_sources.values()):
                continue
            required = [self.names[i] for i, f in field_sources.items() if f is not None and f.is_required()]
            if required:
                missing = [self.names[i] for i, f in field_sources.items() if f is None]
                self.errors.append(
                    CompositionError(
                        Code.REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH,
                        f'Input object field "{dest_field.coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {subgraph_list(required)} but does not appear in "
                        f"{subgraph_list(missing)}",
                    )
                )
            else:
                self.reporter.hint(
                    HintCode.INCONSISTENT_INPUT_OBJECT_FIELD,
                    f'Input object field "{dest_field.name}" will not be added to "{dest.name}" in the supergraph as '
                    "it does not appear in all subgraphs: ",
                    dest_field,
                    field_sources,
                    lambda _a, _b: "yes",
                    lambda _, names: f"it is defined in {names}",
                    lambda _, names: f" but not in {names}",
                    include_missing=True,
                )
            del dest.fields[dest_field.name]
        if not dest.fields:
            self.errors.append(
                CompositionError(
                    Code.EMPTY_MERGED_INPUT_TYPE,
                    f'None of the fields of input object type "{dest.name}" are consistently defined in all the '
                    "subgraphs defining that type. As only fields common to all subgraphs are merged, this would "
                    "result in an empty type.",
                )
            )

    def _merge_input_field(self, sources: Sources, dest: InputValue) -> None:
        self._merge_description(sources, dest)
        self._record_directives(sources, dest)
        all_types_equal = self._merge_type_reference(sources, dest, input_position=True)
        self._add_join_field(sources, dest, all_types_equal, FieldMergeContext())
        self._merge_default_value(sources, dest, "Input field")

    # directive definitions -------------------------------------------------------------------------------

    def _merge_directive_definition(self, dest: DirectiveDefinition) -> None:
        sources: Sources = {i: s.directive(dest.name) for i, s in enumerate(self.schemas)}
        if self.composed.exists_in_supergraph(dest.name):
            definition = self.composed.latest_definition(dest.name)
            if definition is not None:
                dest.repeatable = definition.repeatable
                dest.description = definition.description
                dest.locations.extend(definition.locations)
                self._add_arguments_shallow({0: definition}, dest)
                for argument in definition.arguments.values():
                    self._merge_argument({0: argument}, dest.arguments[argument.name])
        elif any(s is not None and self.is_merged_directive_definition(i, s) for i, s in sources.items()):
            self._merge_executable_directive(sources, dest)

    def _merge_executable_directive(self, sources: Sources, dest: DirectiveDefinition) -> None:
        repeatable: bool | None = None
        inconsistent_repeatable = inconsistent_locations = False
        locations: list[str] | None = None

        def executable(definition: DirectiveDefinition) -> list[str]:
            from .schema import EXECUTABLE_LOCATIONS

            return sorted(location for location in definition.locations if location in EXECUTABLE_LOCATIONS)

        def locations_string(definition: DirectiveDefinition) -> str:
            found = executable(definition)
            if not found:
                return ""
            return ("location " if len(found) == 1 else "locations ") + '"' + ", ".join(found) + '"'

        for source in sources.values():
            if source is None:
                del self.merged.directive_definitions[dest.name]
                self.reporter.hint(
                    HintCode.INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE,
                    f'Executable directive "@{dest.name}" will not be part of the supergraph as it does not appear in '
                    "all subgraphs: ",
                    dest,
                    sources,
                    lambda _a, _b: "yes",
                    lambda _, names: f"it is defined in {names}",
                    lambda _, names: f" but not in {names}",
                    include_missing=True,
                )
                return
            if repeatable is None:
                repeatable = source.repeatable
            elif repeatable != source.repeatable:
                inconsistent_repeatable = True
                repeatable = False
            source_locations = executable(source)
            if locations is None:
                locations = source_locations
            else:
                if locations != source_locations:
                    inconsistent_locations = True
                locations = [location for location in locations if location in source_locations]
                if not locations:
                    del self.merged.directive_definitions[dest.name]
                    self.reporter.hint(
                        HintCode.NO_EXECUTABLE_DIRECTIVE_LOCATIONS_INTERSECTION,
                        f'Executable directive "@{dest.name}" has no location that is common to all subgraphs: ',
                        dest,
                        sources,
                        lambda definition, _: locations_string(definition),
                        lambda _a, _b: "it will not appear in the supergraph as there no intersection between ",
                        lambda value, names: f"{value} in {names}",
                    )
                    return
        assert locations is not None
        dest.repeatable = bool(repeatable)
        dest.locations.extend(locations)
        self._merge_description(sources, dest)
        if inconsistent_repeatable:
            self.reporter.hint(
                HintCode.INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE,
                f'Executable directive "@{dest.name}" will not be marked repeatable in the supergraph as it is '
                "inconsistently marked repeatable in subgraphs: ",
                dest,
                sources,
                lambda definition, _: "yes" if definition.repeatable else "no",
                lambda _, names: f"it is not repeatable in {names}",
                lambda _, names: f" but is repeatable in {names}",
            )
        if inconsistent_locations:
            self.reporter.hint(
                HintCode.INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS,
                f'Executable directive "@{dest.name}" has inconsistent locations across subgraphs ',
                dest,
                sources,
                lambda definition, is_supergraph: locations_string(definition),
                lambda value, names: (
                    f"and will use {value} (intersection of all subgraphs) in the supergraph, but has: "
                    + (f"{value} in {names} and " if names else "")
                ),
                lambda value, names: f"{value} in {names}",
            )
        self._add_arguments_shallow(sources, dest)
        for argument in list(dest.arguments.values()):
            self._merge_argument(
                {i: (s.arguments.get(argument.name) if s is not None else None) for i, s in sources.items()}, argument
            )

    # schema definition -----------------------------------------------------------------------------------

    def _merge_schema_definition(self) -> None:
        sources: Sources = {i: s.schema_definition for i, s in enumerate(self.schemas)}
        dest = self.merged.schema_definition
        self._merge_description(sources, dest)
        self._record_directives(sources, dest)
        for kind in ROOT_KINDS:
            for schema in self.schemas:
                name = schema.schema_definition.root(kind)
                root = schema.fields_type(name) if name else None
                if root is None or not any(self.is_merged_field(schema, f) for f in root.fields.values()):
                    continue
                if dest.root(kind) is None:
                    dest.roots[kind] = (root.name, None)
        self._add_join_directives(sources, dest)

    # applied directives ------------------------------------------------------------------------------------

    def _gather_names(self, sources: Sources) -> list[str]:
        names: list[str] = []
        for index, source in sources.items():
            if source is None:
                continue
            for directive in source.directives:
                if directive.name not in names and self.is_merged_directive_application(index, directive.name):
                    names.append(directive.name)
        return names

    def _take_inaccessible(self, names: list[str], sources: Sources, dest: Element) -> None:
        if self.inaccessible is not None and self.inaccessible in names:
            self._merge_applied_directive(self.inaccessible, sources, dest)
            names.remove(self.inaccessible)

    def _record_directives(self, sources: Sources, dest: Element) -> None:
        names = self._gather_names(sources)
        self._take_inaccessible(names, sources, dest)
        self.to_merge.append((names, sources, dest))

    def _record_type_directives(self, sources: Sources, dest: NamedType) -> None:
        names = self._gather_names(sources)
        self._take_inaccessible(names, sources, dest)
        if isinstance(dest, InterfaceType):
            for spec_name, name in self.access_control:
                extra = self._access_control_sources().get(f"{dest.name}_{spec_name}", [])
                if name in names or extra:
                    self.to_merge.append(([name], _with_extra(sources, extra), dest))
                if name in names:
                    names.remove(name)
        self.to_merge.append((names, sources, dest))

    def _record_field_directives(self, sources: Sources, dest: FieldDefinition) -> None:
        names = self._gather_names(sources)
        self._take_inaccessible(names, sources, dest)
        for spec_name, name in self.access_control:
            extra = self._access_control_sources().get(f"{dest.coordinate}_{spec_name}", [])
            if name in names or extra:
                self.to_merge.append(([name], _with_extra(sources, extra), dest))
            if name in names:
                names.remove(name)
        self.to_merge.append((names, sources, dest))

    def _access_control_sources(self) -> dict[str, list[Any]]:
        from .post_merge import access_control_sources

        cached: dict[str, list[Any]] | None = getattr(self, "_access_cache", None)
        if cached is None:
            cached = access_control_sources(self)
            self._access_cache = cached
        return cached

    def _merge_all_applied_directives(self) -> None:
        for names, sources, dest in self.to_merge:
            if not _attached(self.merged, dest):
                continue
            for name in names:
                self._merge_applied_directive(name, sources, dest)
        self.to_merge = []

    def _merge_applied_directive(self, name: str, sources: Sources, dest: Element) -> None:
        per_source = []
        for index, source in sources.items():
            if source is None:
                continue
            applications = [d for d in source.directives if d.name == name]
            if applications:
                per_source.append((index, applications))
        if not per_source:
            return
        merged = self.merged_directives.get(name)
        definition = self.merged.directive(name)
        if definition is not None and definition.repeatable:
            while per_source:
                index, applications = per_source[0]
                directive = applications[0]
                args = dict(directive.args)
                if merged is not None and merged.spec.context_names:
                    args = {"name": f"{self.names[index]}__{directive.args.get('name')}"}
                dest.apply(name, args)
                per_source = [
                    (i, [d for d in ds if not self._same_application(d, directive, i, index)]) for i, ds in per_source
                ]
                per_source = [(i, ds) for i, ds in per_source if ds]
            return
        different: list[tuple[int, Any]] = []
        counts: list[int] = []
        for index, applications in per_source:
            application = applications[0]
            found = next(
                (k for k, (i, other) in enumerate(different) if self._same_application(other, application, i, index)),
                None,
            )
            if found is None:
                different.append((index, application))
                counts.append(1)
            else:
                counts[found] += 1
        if len(different) == 1:
            dest.apply(name, dict(different[0][1].args))
            return
        strategies = {a.name: a.strategy for a in merged.spec.args} if merged is not None else {}
        if merged is not None and strategies and all(strategies.values()):
            merged_args: dict[str, Any] = {}
            for argument in merged.definition.arguments.values():
                values = [self._arguments_with_defaults(i, d).get(argument.name) for i, d in different]
                result = merge_values(strategies[argument.name], values)
                if result is not MISSING:
                    merged_args[argument.name] = result
            dest.apply(name, merged_args)
            described = ", ".join(f'"{arg}": {strategy}' for arg, strategy in strategies.items())
            self.hints.append(
                CompositionHint(
                    HintCode.MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS,
                    f'Directive @{name} is applied to "{dest.coordinate}" in multiple subgraphs with different '
                    f"arguments. Merging strategies used by arguments: {{ {described} }}",
                )
            )
            return
        chosen = different[counts.index(max(counts))]
        dest.apply(name, dict(chosen[1].args))
        self.reporter.hint(
            HintCode.INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS,
            f'Non-repeatable directive @{name} is applied to "{dest.coordinate}" in multiple subgraphs but with '
            "incompatible arguments. ",
            dest,
            sources,
            lambda element, _: _arguments_description(element, name),
            lambda value, names: f"The supergraph will use {value} (from {names}), but found ",
            lambda value, names: f"{value} in {names}",
        )

    def _arguments_with_defaults(self, index: int, directive: Any) -> dict[str, Any]:
        definition = self.schemas[index].directive(directive.name)
        if definition is None:
            return dict(directive.args)
        result = {}
        for name, argument in definition.arguments.items():
            if name in directive.args:
                result[name] = directive.args[name]
            elif argument.default is not MISSING:
                result[name] = argument.default
            elif not isinstance(argument.type, NonNullRef):
                result[name] = None
        return result

    def _same_application(self, a: Any, b: Any, index_a: int, index_b: int) -> bool:
        return a.name == b.name and values_equal(
            self._arguments_with_defaults(index_a, a), self._arguments_with_defaults(index_b, b)
        )

    def _add_join_directives(self, sources: Sources, dest: Element) -> None:
        if not self.join_directive_names:
            return
        joins: dict[str, list[tuple[list[str], dict[str, Any]]]] = {}
        for index, source in sources.items():
            if source is None:
                continue
            for directive in source.directives:
                if directive.name not in self.join_directive_names:
                    continue
                entries = joins.setdefault(self._join_directive_name(index, directive.name), [])
                for graphs, args in entries:
                    if values_equal(args, directive.args):
                        graphs.append(self.join_name(index))
                        break
                else:
                    entries.append(([self.join_name(index)], dict(directive.args)))
        for name, entries in joins.items():
            for graphs, args in entries:
                dest.apply("join__directive", {"graphs": graphs, "name": name, "args": args})

    def _join_directive_name(self, index: int, name: str) -> str:
        """The directive's name in its spec, prefixed as without imports (`federation__cacheTag`)."""
        features = self.subgraphs[index].features
        source = features.source_feature(name, True) if features is not None else None
        if source is None or source.name_in_feature is None:
            return name
        spec_name = source.feature.url.name
        in_feature = source.name_in_feature
        return spec_name if in_feature == spec_name else f"{spec_name}__{in_feature}"

    def _add_missing_interface_object_fields(self) -> None:
        for type_ in self.merged.object_types():
            for interface_name in type_.interface_names():
                interface = self.merged.type(interface_name)
                if not isinstance(interface, InterfaceType):
                    continue
                for interface_field in interface.fields.values():
                    if interface_field.name in type_.fields:
                        continue
                    if not self._provided_by_interface_object(interface_field.name, interface.name):
                        continue
                    added = type_.add_field(interface_field.name, interface_field.type)
                    added.description = interface_field.description
                    self._copy_non_join_directives(interface_field, added)
                    for argument in interface_field.arguments.values():
                        copy = added.add_argument(argument.name, argument.type, argument.default)
                        copy.description = argument.description
                        self._copy_non_join_directives(argument, copy)
                    added.apply("join__field", {"graph": MISSING})
                    self._validate_field_sharing({i: None for i in range(len(self.names))}, added, FieldMergeContext())

    def _copy_non_join_directives(self, source: Element, dest: Element) -> None:
        if isinstance(dest, FieldDefinition):
            for spec_name, name in self.access_control:
                extra = self._access_control_sources().get(f"{dest.coordinate}_{spec_name}", [])
                if extra:
                    self._merge_applied_directive(name, dict(enumerate(extra)), dest)
        for directive in source.directives:
            if directive.name.startswith("join__"):
                continue
            if any(directive.name == name for _, name in self.access_control):
                continue
            dest.apply(directive.name, dict(directive.args))


def _with_extra(sources: Sources, extra: list[Any]) -> Sources:
    combined = dict(sources)
    offset = len(combined)
    for i, element in enumerate(extra):
        combined[offset + i] = element
    return combined


def _attached(schema: Schema, element: Element) -> bool:
    if isinstance(element, SchemaDefinition):
        return True
    if isinstance(element, NamedType):
        return schema.types.get(element.name) is element
    if isinstance(element, DirectiveDefinition):
        return schema.directive_definitions.get(element.name) is element
    parent = getattr(element, "parent", None)
    if isinstance(element, FieldDefinition):
        return parent is not None and parent.fields.get(element.name) is element and _attached(schema, parent)
    if isinstance(element, EnumValue):
        return parent is not None and parent.values.get(element.name) is element and _attached(schema, parent)
    if isinstance(element, InputValue):
        if isinstance(parent, InputObjectType):
            return parent.fields.get(element.name) is element and _attached(schema, parent)
        return parent is not None and parent.arguments.get(element.name) is element and _attached(schema, parent)
    return True


def _arguments_description(element: Any, name: str) -> str | None:
    applications = [d for d in element.directives if d.name == name]
    if not applications:
        return None
    args = applications[-1].args
    if not args:
        return "no arguments"
    return "arguments " + value_to_string(args)


def _description_block(text: str, indentation: str) -> str:
    return indentation + '"""\n' + indentation + text.replace("\n", "\n" + indentation, 1) + "\n" + indentation + '"""'


def in_subgraph_error(subgraph: str, code: str, message: str) -> CompositionError:
    return in_subgraph(subgraph, CompositionError(code, message))


def _has_member(member: str, type_: Any, _: bool) -> str:
    return "yes" if type_.has_member(member) else "no"


def _member_defined(member: str, _: str, names: str | None) -> str:
    return f'"{member}" is defined in {names}'
