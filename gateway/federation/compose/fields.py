"""Object and interface fields: the union over subgraphs, each field with its arguments, its type
(the most general output type, the most specific input type), its `@join__field`s, and the
checks that make a field resolvable by several subgraphs only where that is declared (`@shareable`,
keys, `@external`, `@override`)."""

from __future__ import annotations

from typing import Any

from .applied import AppliedDirectives
from .context import parse_context
from .errors import Code, CompositionError, CompositionHint, HintCode, human_list, subgraph_list
from .federation_rules import print_applied
from .merge_base import EnumUsage, FieldMergeContext, in_subgraph_error
from .override import validate_override
from .reporter import Sources
from .schema import (
    MISSING,
    DirectiveDefinition,
    EnumType,
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
    TypeRef,
    UnionType,
    base_name,
)
from .subgraph import Subgraph
from .values import value_to_string, values_equal


class FieldMerger(AppliedDirectives):
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

    def _validate_override(self, sources: Sources, dest: FieldDefinition) -> FieldMergeContext:
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
