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
the supergraph with the spec they belong to; a custom directive only with `@composeDirective`."""

from __future__ import annotations

from functools import partial
from typing import Any

from .errors import Code, CompositionError, CompositionHint, HintCode, subgraph_list
from .fields import FieldMerger
from .merge_base import EnumUsage, FieldMergeContext, type_kind
from .post_merge import post_merge_validations
from .reporter import Sources
from .schema import (
    EXECUTABLE_LOCATIONS,
    MISSING,
    ROOT_KINDS,
    TYPE_CLASSES,
    DirectiveDefinition,
    EnumType,
    EnumValue,
    FieldsType,
    InputObjectType,
    InputValue,
    InterfaceType,
    NamedType,
    ObjectType,
    Schema,
    UnionType,
)
from .supergraph import apply_link


class Merger(FieldMerger):
    """Merges validated federation 2 subgraphs: `merge()` returns the supergraph, or None with `errors`."""

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


def _has_member(member: str, type_: Any, _: bool) -> str:
    return "yes" if type_.has_member(member) else "no"


def _member_defined(member: str, _: str, names: str | None) -> str:
    return f'"{member}" is defined in {names}'
