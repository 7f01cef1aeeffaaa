"""Federation 1 subgraphs, upgraded to federation 2 before merging, as Apollo does.

Federation 1 had no `@shareable`: a field resolved by several subgraphs was simply shared, and
`extend type` with `@external` key fields marked an entity defined elsewhere. The upgrade makes
that explicit: extensions become definitions, key fields of extensions stop being external,
unused `@external` fields and inactive `@provides`/`@requires` go, and fields or value types that
other subgraphs also resolve get `@shareable`.
"""

from __future__ import annotations

from typing import Any

from graphql.language import ast

from .build import build_schema
from .errors import Code, CompositionError, CompositionFailed, in_subgraph, subgraph_list
from .fieldset import (
    FieldSelection,
    FieldSetError,
    FragmentSelection,
    Selection,
    collect_fields,
    parse_field_set,
    to_string,
)
from .links import CoreFeature, CoreFeatures, FeatureUrl, Import
from .schema import (
    FieldDefinition,
    FieldsType,
    InterfaceType,
    NamedType,
    ObjectType,
    UnionType,
    base_name,
)
from .specs import AUTO_EXPANDED_FEDERATION, FEDERATION, FEDERATION_VERSIONS, LINK_VERSIONS
from .subgraph import (
    FEDERATION_FIELDS,
    Subgraph,
    add_federation_operations,
    add_spec_elements,
    complete_federation1,
    rename_root_types,
)
from .values import values_equal


def upgrade_subgraphs(subgraphs: list[Subgraph], documents: dict[str, ast.DocumentNode]) -> list[Subgraph]:
    """Federation 1 subgraphs upgraded (and validated again by the caller); others as they are."""
    if all(s.fed2 for s in subgraphs):
        return subgraphs
    errors: list[CompositionError] = []
    upgraded = []
    interface_objects: dict[str, list[str]] = {}  # type -> federation 2 subgraphs with @interfaceObject
    interface_keys: dict[str, list[str]] = {}  # type -> federation 1 subgraphs with @key on the interface
    for subgraph in subgraphs:
        if subgraph.fed2:
            upgraded.append(subgraph)
            for application in subgraph.applications("interfaceObject"):
                interface_objects.setdefault(application.parent.name, []).append(subgraph.name)
            continue
        try:
            upgrader = Upgrader(subgraph, subgraphs, documents[subgraph.name])
            upgraded.append(upgrader.upgrade())
            for name in upgrader.interface_keys:
                interface_keys.setdefault(name, []).append(subgraph.name)
        except CompositionFailed as failure:
            errors.extend(failure.errors)
    for name, with_object in interface_objects.items():
        if name in interface_keys:
            errors.append(
                CompositionError(
                    Code.INTERFACE_OBJECT_USAGE_ERROR,
                    f'The @interfaceObject directive is used on type "{name}" in {subgraph_list(with_object)}, which '
                    "requires other subgraphs to resolve its type name via an interface @key. However, @key on an "
                    "interface in a federation 1 subgraph does not mean it can fulfill the __typename-resolution "
                    "requirement that @interfaceObject depends on. For "
                    f"{subgraph_list(interface_keys[name])}, either upgrade them to federation 2 subgraphs or remove "
                    "@key from the type.",
                )
            )
    if errors:
        raise CompositionFailed(errors)
    return upgraded


def is_federation_extension(subgraph: Subgraph, type_: NamedType) -> bool:
    extended = subgraph.has(type_, "extends")
    return (
        (type_.has_extension_elements() or extended)
        and isinstance(type_, ObjectType | InterfaceType)
        and (extended or not type_.has_non_extension_elements())
    )


def is_root_extension(subgraph: Subgraph, type_: NamedType) -> bool:
    return (
        isinstance(type_, ObjectType)
        and subgraph.schema.is_root_type(type_.name)
        and (
            subgraph.has(type_, "extends")
            or (type_.has_extension_elements() and not type_.has_non_extension_elements())
        )
    )


class Upgrader:
    def __init__(self, original: Subgraph, all_subgraphs: list[Subgraph], document: ast.DocumentNode) -> None:
        self.original = original
        self.others = [s for s in all_subgraphs if s is not original]
        self.all = all_subgraphs
        schema = build_schema(document, FEDERATION_FIELDS)
        errors: list[CompositionError] = []
        complete_federation1(schema, errors)
        schema.rename_type("_FieldSet", "federation__FieldSet")
        rename_root_types(schema)
        link_spec = LINK_VERSIONS.latest()
        spec = FEDERATION_VERSIONS.find(AUTO_EXPANDED_FEDERATION)
        assert spec is not None
        core = CoreFeature(link_spec.url, "link", [])
        features = CoreFeatures(core)
        imports = [Import("@" + d.name) for d in spec.directives]
        url = FeatureUrl(FEDERATION, "federation", AUTO_EXPANDED_FEDERATION)
        features.add(CoreFeature(url, "federation", imports))
        schema.schema_definition.apply("link", {"url": str(link_spec.url)})
        schema.schema_definition.apply("link", {"url": str(url), "import": [i.name for i in imports]})
        add_spec_elements(schema, link_spec, core, errors)
        federation = features.get(FEDERATION)
        assert federation is not None
        add_spec_elements(schema, spec, federation, errors)
        self.subgraph = Subgraph(original.name, original.url, schema, features)
        add_federation_operations(self.subgraph)
        self.schema = schema
        self.errors: list[CompositionError] = errors
        self.interface_keys: list[str] = []  # interfaces whose federation 1 @key was removed

    def _fail(self, code: str, message: str) -> None:
        self.errors.append(in_subgraph(self.subgraph.name, CompositionError(code, message)))

    def _types_elsewhere(self, name: str) -> list[tuple[Subgraph, Any]]:
        found = []
        for other in self.others:
            type_ = other.schema.type(name)
            if isinstance(type_, ObjectType | InterfaceType):
                found.append((other, type_))
        return found

    def upgrade(self) -> Subgraph:
        if self.errors:
            raise CompositionFailed(self.errors)
        self._extensions_with_no_base()
        steps = (
            self._fix_fields_arguments,
            self._remove_external_on_interfaces,
            self._remove_external_on_object_types,
            self._remove_external_on_type_extensions,
            self._fix_inactive_provides_and_requires,
            self._remove_type_extensions,
            self._remove_directives_on_interfaces,
            self._remove_provides_on_non_composite,
            self._remove_unused_externals,
            self._add_shareable,
            self._remove_tag_on_external,
        )
        for step in steps:
            step()
            self.subgraph.schema_changed()
        if self.errors:
            raise CompositionFailed(self.errors)
        return self.subgraph

    def _extensions_with_no_base(self) -> None:
        for type_ in self.schema.user_types():
            if is_root_extension(self.subgraph, type_) or not is_federation_extension(self.subgraph, type_):
                continue
            if any(other.has_non_extension_elements() for _, other in self._types_elsewhere(type_.name)):
                continue
            self._fail(
                Code.EXTENSION_WITH_NO_BASE,
                f'Type "{type_.name}" is an extension type, but there is no type definition for "{type_.name}" in any '
                "subgraph.",
            )

    def _fix_fields_arguments(self) -> None:
        for name in ("key", "requires", "provides"):
            for application in self.subgraph.applications(name):
                fields = application.args.get("fields")
                if isinstance(fields, list) and all(isinstance(f, str) for f in fields):
                    parent = application.parent
                    parent.remove_directive(application)
                    parent.apply(application.name, {"fields": " ".join(fields)}, application.extension)

    def _remove_external_on_interfaces(self) -> None:
        for interface in self.schema.interface_types():
            for definition in interface.fields.values():
                for external in self.subgraph.applied(definition, "external"):
                    definition.remove_directive(external)

    def _remove_external_on_object_types(self) -> None:
        for type_ in self.schema.object_types():
            externals = self.subgraph.applied(type_, "external")
            if externals:
                type_.remove_directive(externals[0])

    def _remove_external_on_type_extensions(self) -> None:
        for type_ in self.schema.user_types():
            if not isinstance(type_, FieldsType | UnionType):
                continue
            if not is_federation_extension(self.subgraph, type_) and not is_root_extension(self.subgraph, type_):
                continue
            keys = self.subgraph.applied(type_, "key")
            if keys:
                for key in keys:
                    fields = key.args.get("fields")
                    if not isinstance(fields, str):
                        continue
                    for definition in collect_fields(self.schema, type_, fields, include_implementations=False):
                        if definition.parent is type_:
                            for external in self.subgraph.applied(definition, "external"):
                                definition.remove_directive(external)
                continue
            for other, other_type in self._types_elsewhere(type_.name):
                other_keys = other.applied(other_type, "key")
                fields = other_keys[0].args.get("fields") if other_keys else None
                if not isinstance(fields, str):
                    continue
                for definition in collect_fields(other.schema, other_type, fields, include_implementations=False):
                    if definition.parent is not other_type or not isinstance(type_, FieldsType):
                        continue
                    own = type_.fields.get(definition.name)
                    if own is not None:
                        for external in self.subgraph.applied(own, "external"):
                            own.remove_directive(external)

    def _fix_inactive_provides_and_requires(self) -> None:
        external = self.subgraph.directive_name("external")
        for type_ in list(self.schema.types.values()):
            if not isinstance(type_, ObjectType | InterfaceType):
                continue
            for definition in type_.fields.values():
                target = self.schema.type(base_name(definition.type))
                for name, parent in (("provides", target), ("requires", type_)):
                    for application in self.subgraph.applied(definition, name):
                        fields = application.args.get("fields")
                        if not isinstance(parent, FieldsType | UnionType) or not isinstance(fields, str):
                            continue
                        try:
                            selections = parse_field_set(self.schema, parent, fields)
                        except FieldSetError:
                            continue
                        if not _selects_non_external_leaf(self.schema, selections, external):
                            continue
                        definition.remove_directive(application)
                        kept = _only_external(self.schema, selections, external)
                        if kept:
                            definition.apply(application.name, {"fields": to_string(kept, self.schema, brackets=False)})

    def _remove_type_extensions(self) -> None:
        for type_ in self.schema.user_types():
            if not is_federation_extension(self.subgraph, type_) and not is_root_extension(self.subgraph, type_):
                continue
            type_.extensions = []
            for directive in type_.directives:
                directive.extension = None
            if isinstance(type_, FieldsType):
                for definition in type_.fields.values():
                    definition.extension = None
                type_.interfaces = [(name, None) for name, _ in type_.interfaces]

    def _remove_directives_on_interfaces(self) -> None:
        for interface in self.schema.interface_types():
            for key in self.subgraph.applied(interface, "key"):
                if interface.name not in self.interface_keys:
                    self.interface_keys.append(interface.name)
                interface.remove_directive(key)
            for definition in interface.fields.values():
                for name in ("provides", "requires"):
                    for application in self.subgraph.applied(definition, name):
                        definition.remove_directive(application)

    def _remove_provides_on_non_composite(self) -> None:
        for type_ in self.schema.object_types():
            for definition in type_.fields.values():
                if isinstance(self.schema.type(base_name(definition.type)), FieldsType | UnionType):
                    continue
                for application in self.subgraph.applied(definition, "provides"):
                    definition.remove_directive(application)

    def _remove_unused_externals(self) -> None:
        for type_ in list(self.schema.types.values()):
            if not isinstance(type_, ObjectType | InterfaceType):
                continue
            for definition in list(type_.fields.values()):
                if self.subgraph.is_external(definition) and not self.subgraph.is_used(definition):
                    del type_.fields[definition.name]
            if type_.fields:
                continue
            if self.schema.references(type_.name):
                self._fail(
                    Code.TYPE_WITH_ONLY_UNUSED_EXTERNAL,
                    f"Type {type_.name} contains only external fields and all those fields are all unused (they do "
                    "not appear in any @key, @provides or @requires).",
                )
            else:
                self.schema.remove_type(type_.name)

    def _add_shareable(self) -> None:
        shareable = self.subgraph.directive_name("shareable")
        assert shareable is not None
        subscription = self.schema.schema_definition.root("subscription")
        for type_ in self.schema.object_types():
            if type_.name == subscription:
                continue
            elsewhere = self._types_elsewhere(type_.name)
            if self.subgraph.has(type_, "key") or self.schema.is_root_type(type_.name):
                for definition in type_.fields.values():
                    if self.original.is_shareable(definition):
                        continue
                    resolving = [
                        other
                        for other, other_type in elsewhere
                        if (found := other_type.fields.get(definition.name)) is not None
                        and (not other.is_external(found) or other.is_partially_external(found))
                    ]
                    if resolving and not definition.has(shareable):
                        definition.apply(shareable)
            elif elsewhere and not type_.has(shareable):
                type_.apply(shareable)

    def _remove_tag_on_external(self) -> None:
        for type_ in self.schema.types.values():
            if not isinstance(type_, FieldsType):
                continue
            for definition in type_.fields.values():
                if not self.subgraph.has(definition, "external"):
                    continue
                for tag in definition.applied("tag"):
                    if self._tag_used_elsewhere(type_.name, definition.name, tag.args):
                        definition.remove_directive(tag)

    def _tag_used_elsewhere(self, type_name: str, field_name: str, args: dict[str, Any]) -> bool:
        for other in self.others:
            other_type = other.schema.type(type_name)
            found = other_type.fields.get(field_name) if isinstance(other_type, FieldsType) else None
            if found is None or found.has("external"):
                continue
            if any(values_equal(args, tag.args) for tag in found.applied("tag")):
                return True
        return False


def _external_or_implementations(schema: Any, definition: Any, external: str | None) -> bool:
    if not isinstance(definition, FieldDefinition):
        return False
    if definition.has(external):
        return True
    if isinstance(definition.parent, InterfaceType):
        for implementation in schema.possible_runtime_types(definition.parent.name):
            found = implementation.fields.get(definition.name)
            if found is not None and found.has(external):
                return True
    return False


def _selects_non_external_leaf(schema: Any, selections: list[Selection], external: str | None) -> bool:
    for selection in selections:
        if isinstance(selection, FieldSelection):
            if _external_or_implementations(schema, selection.definition, external):
                continue
            if selection.selections is None or _selects_non_external_leaf(schema, selection.selections, external):
                return True
        elif _selects_non_external_leaf(schema, selection.selections, external):
            return True
    return False


def _only_external(schema: Any, selections: list[Selection], external: str | None) -> list[Selection]:
    kept: list[Selection] = []
    for selection in selections:
        if isinstance(selection, FieldSelection) and _external_or_implementations(
            schema, selection.definition, external
        ):
            kept.append(selection)
            continue
        if selection.selections:
            inner = _only_external(schema, selection.selections, external)
            if inner:
                if isinstance(selection, FieldSelection):
                    kept.append(
                        FieldSelection(
                            selection.definition, selection.args, selection.alias, selection.directives, inner
                        )
                    )
                else:
                    kept.append(FragmentSelection(selection.type_condition, selection.directives, inner))
    return kept
