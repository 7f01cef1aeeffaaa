"""Build a `Schema` from a parsed SDL document.

The order follows `@apollo/federation-internals`' builder, because composition output depends on
it: definitions before extensions, fields in the order written, directives in the order applied.
Errors that make the rest meaningless (an unknown type, a field defined twice) stop the build at
once; others are collected.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql.language import ast

from .errors import Code, CompositionError, CompositionFailed
from .schema import (
    DEFAULT_ROOT_NAMES,
    INTROSPECTION_TYPES,
    TYPE_CLASSES,
    DirectiveDefinition,
    Element,
    EnumType,
    Extension,
    FieldDefinition,
    FieldsType,
    InputObjectType,
    InputValue,
    InterfaceType,
    NamedType,
    ObjectType,
    Schema,
    TypeKind,
    TypeRef,
    UnionType,
    base_name,
    ref_from_ast,
)
from .values import value_from_ast

KIND_OF_NODE: dict[type[ast.Node], TypeKind] = {
    ast.ScalarTypeDefinitionNode: "ScalarType",
    ast.ObjectTypeDefinitionNode: "ObjectType",
    ast.InterfaceTypeDefinitionNode: "InterfaceType",
    ast.UnionTypeDefinitionNode: "UnionType",
    ast.EnumTypeDefinitionNode: "EnumType",
    ast.InputObjectTypeDefinitionNode: "InputObjectType",
    ast.ScalarTypeExtensionNode: "ScalarType",
    ast.ObjectTypeExtensionNode: "ObjectType",
    ast.InterfaceTypeExtensionNode: "InterfaceType",
    ast.UnionTypeExtensionNode: "UnionType",
    ast.EnumTypeExtensionNode: "EnumType",
    ast.InputObjectTypeExtensionNode: "InputObjectType",
}
OUTPUT_KINDS = ("ScalarType", "ObjectType", "InterfaceType", "UnionType", "EnumType")
INPUT_KINDS = ("ScalarType", "EnumType", "InputObjectType")

TypeNode = ast.TypeDefinitionNode | ast.TypeExtensionNode


def invalid(message: str) -> CompositionError:
    return CompositionError(Code.INVALID_GRAPHQL, message)


class SchemaBuilder:
    def __init__(
        self,
        document: ast.DocumentNode,
        ignored_query_fields: tuple[str, ...] = (),
        check_directive: Callable[[str], CompositionError | None] | None = None,
    ) -> None:
        self.document = document
        self.check_directive = check_directive
        self.schema_directive_error: CompositionError | None = None
        self.schema = Schema()
        self.errors: list[CompositionError] = []
        self.ignored_query_fields = ignored_query_fields
        self.type_nodes: list[ast.TypeDefinitionNode] = []
        self.extension_nodes: list[tuple[ast.TypeExtensionNode, Extension]] = []
        self.directive_nodes: list[ast.DirectiveDefinitionNode] = []

    def build(self) -> Schema:
        schema_nodes: list[ast.SchemaDefinitionNode] = []
        schema_extensions: list[ast.SchemaExtensionNode] = []
        for node in self.document.definitions:
            if isinstance(node, ast.ExecutableDefinitionNode):
                self.errors.append(invalid("Invalid executable definition found while building schema"))
            elif isinstance(node, ast.SchemaDefinitionNode):
                schema_nodes.append(node)
                self.schema.schema_definition.has_definition = True
            elif isinstance(node, ast.SchemaExtensionNode):
                schema_extensions.append(node)
            elif isinstance(node, ast.TypeDefinitionNode):
                self._declare_type(node)
            elif isinstance(node, ast.TypeExtensionNode):
                self._declare_extension(node)
            elif isinstance(node, ast.DirectiveDefinitionNode):
                self.directive_nodes.append(node)
                self.schema.add_directive_definition(DirectiveDefinition(node.name.value))
        for type_node in self.type_nodes:
            if isinstance(type_node, ast.EnumTypeDefinitionNode):
                self._enum_values(type_node, None)
        for extension_node, extension in self.extension_nodes:
            if isinstance(extension_node, ast.EnumTypeExtensionNode):
                self._enum_values(extension_node, extension)
        for directive_node in self.directive_nodes:
            self._directive_definition(directive_node)
        for schema_node in schema_nodes:
            self._schema_definition(schema_node, None)
        for schema_extension in schema_extensions:
            extension = Extension(schema_extension)
            self.schema.schema_definition.extensions.append(extension)
            self._schema_definition(schema_extension, extension)
        if self.schema_directive_error is not None:
            raise CompositionFailed([self.schema_directive_error])
        for directive_node in self.directive_nodes:
            definition = self.schema.directive_definitions[directive_node.name.value]
            for arg_node in directive_node.arguments or ():
                self._apply_directives(arg_node, definition.arguments[arg_node.name.value], None)
        for type_node in self.type_nodes:
            self._type_body(type_node, self.schema.types[type_node.name.value], None)
        for extension_node, extension in self.extension_nodes:
            self._type_body(extension_node, self.schema.types[extension_node.name.value], extension)
        if self.errors:
            raise CompositionFailed(self.errors)
        return self.schema

    # --- shallow pass --------------------------------------------------------------------------

    def _declare_type(self, node: ast.TypeDefinitionNode) -> None:
        name = node.name.value
        if name in INTROSPECTION_TYPES:
            return
        self.type_nodes.append(node)
        existing = self.schema.type(name)
        if existing is None or existing.built_in:
            existing = self._add_type(name, KIND_OF_NODE[type(node)])
        elif existing.has_definition:
            raise CompositionFailed([invalid(f'There can be only one type named "{name}"')])
        existing.has_definition = True

    def _add_type(self, name: str, kind: TypeKind) -> NamedType:
        """A type named like a root type becomes that root unless the schema definition says otherwise."""
        added = self.schema.add_type(TYPE_CLASSES[kind](name))
        root_kind = {v: k for k, v in DEFAULT_ROOT_NAMES.items()}.get(name)
        if kind == "ObjectType" and root_kind and root_kind not in self.schema.schema_definition.roots:
            self.schema.schema_definition.roots[root_kind] = (name, None)
        return added

    def _declare_extension(self, node: ast.TypeExtensionNode) -> None:
        name = node.name.value
        if name in INTROSPECTION_TYPES:
            return
        existing = self.schema.type(name)
        if existing is None:
            existing = self._add_type(name, KIND_OF_NODE[type(node)])
        elif existing.built_in:
            raise CompositionFailed([invalid(f'Cannot extend built-in type "{name}"')])
        extension = Extension(node)
        existing.extensions.append(extension)
        self.extension_nodes.append((node, extension))

    def _enum_values(self, node: ast.EnumTypeDefinitionNode | ast.EnumTypeExtensionNode, ext: Extension | None) -> None:
        enum = self.schema.types[node.name.value]
        if not isinstance(enum, EnumType):
            return
        for value_node in node.values or ():
            value = enum.add_value(value_node.name.value)
            value.node = value_node
            if value_node.description is not None:
                value.description = value_node.description.value
            value.extension = ext
        if isinstance(node, ast.EnumTypeDefinitionNode):
            self._description(node, enum)

    # --- references and values -----------------------------------------------------------------

    def type_ref(self, node: ast.TypeNode) -> TypeRef:
        ref = ref_from_ast(node)
        name = base_name(ref)
        if self.schema.type(name) is None:
            raise CompositionFailed([invalid(f"Unknown type {name}")])
        return ref

    def _input_type(self, node: ast.TypeNode, coordinate: str) -> TypeRef:
        ref = self.type_ref(node)
        named = self.schema.types[base_name(ref)]
        if named.kind not in INPUT_KINDS:
            self.errors.append(
                invalid(f'The type of "{coordinate}" must be Input Type but got "{ref}", a {named.kind}.')
            )
        return ref

    def _output_type(self, node: ast.TypeNode, coordinate: str) -> TypeRef:
        ref = self.type_ref(node)
        named = self.schema.types[base_name(ref)]
        if named.kind not in OUTPUT_KINDS:
            self.errors.append(
                invalid(f'The type of "{coordinate}" must be Output Type but got "{ref}", a {named.kind}.')
            )
        return ref

    def _apply_directives(self, node: ast.Node, element: Element, extension: Extension | None) -> None:
        for directive_node in getattr(node, "directives", None) or ():
            unknown = self.check_directive(directive_node.name.value) if self.check_directive else None
            if unknown is not None:  # reported where Apollo's builder reports it
                if element is self.schema.schema_definition and directive_node.name.value != "link":
                    # applied after the linked specs are added; the first unknown one stops the build
                    self.schema_directive_error = self.schema_directive_error or unknown
                else:
                    self.errors.append(unknown)
                continue
            args = {arg.name.value: value_from_ast(arg.value) for arg in directive_node.arguments or ()}
            element.apply(directive_node.name.value, args, extension, directive_node)

    def _description(self, node: ast.Node, element: Element) -> None:
        description = getattr(node, "description", None)
        if description is not None:
            element.description = description.value
        element.node = node

    # --- definitions ---------------------------------------------------------------------------

    def _directive_definition(self, node: ast.DirectiveDefinitionNode) -> None:
        definition = self.schema.directive_definitions[node.name.value]
        for arg_node in node.arguments or ():
            self._argument(arg_node, definition, with_directives=False)
        definition.repeatable = node.repeatable
        definition.locations.extend(location.value for location in node.locations)
        self._description(node, definition)

    def _argument(
        self, node: ast.InputValueDefinitionNode, parent: DirectiveDefinition | FieldDefinition, with_directives: bool
    ) -> InputValue:
        name = node.name.value
        argument = parent.add_argument(name, self._input_type(node.type, f"{parent.coordinate}({name}:)"))
        if node.default_value is not None:
            argument.default = value_from_ast(node.default_value)
        if with_directives:
            self._apply_directives(node, argument, None)
        self._description(node, argument)
        return argument

    def _schema_definition(
        self, node: ast.SchemaDefinitionNode | ast.SchemaExtensionNode, extension: Extension | None
    ) -> None:
        definition = self.schema.schema_definition
        for operation in node.operation_types or ():
            kind = operation.operation.value
            type_name = operation.type.name.value
            root = self.schema.type(type_name)
            if root is None:
                self.errors.append(invalid(f"Cannot set schema {kind} root to unknown type {type_name}"))
                continue
            if not isinstance(root, ObjectType):
                provided = "" if kind == "query" else " if provided"
                self.errors.append(
                    invalid(
                        f"{DEFAULT_ROOT_NAMES[kind]} root type must be an Object type{provided}, "
                        f"it cannot be set to {type_name} (an {root.kind})."
                    )
                )
                continue
            definition.roots[kind] = (type_name, extension)
        if isinstance(node, ast.SchemaDefinitionNode):
            self._description(node, definition)
        self._apply_directives(node, definition, extension)

    def _type_body(self, node: TypeNode, type_: NamedType, extension: Extension | None) -> None:
        if isinstance(node, ast.EnumTypeDefinitionNode | ast.EnumTypeExtensionNode) and isinstance(type_, EnumType):
            for value_node in node.values or ():
                self._apply_directives(value_node, type_.values[value_node.name.value], None)
        elif isinstance(
            node,
            ast.ObjectTypeDefinitionNode
            | ast.ObjectTypeExtensionNode
            | ast.InterfaceTypeDefinitionNode
            | ast.InterfaceTypeExtensionNode,
        ):
            if isinstance(type_, FieldsType):
                self._fields(node, type_, extension)
        elif isinstance(node, ast.UnionTypeDefinitionNode | ast.UnionTypeExtensionNode) and isinstance(
            type_, UnionType
        ):
            for member in node.types or ():
                name = member.name.value
                if type_.has_member(name):
                    self.errors.append(invalid(f'Union type "{type_.name}" can only include type "{name}" once.'))
                    continue
                member_type = self.schema.types[base_name(self.type_ref(member))]
                if not isinstance(member_type, ObjectType):
                    self.errors.append(
                        invalid(
                            f"Cannot add non-object type {name} (of type {member_type.kind}) as member of union type "
                            f"{type_.name}"
                        )
                    )
                    continue
                type_.members.append((name, extension))
        elif isinstance(node, ast.InputObjectTypeDefinitionNode | ast.InputObjectTypeExtensionNode) and isinstance(
            type_, InputObjectType
        ):
            for field_node in node.fields or ():
                name = field_node.name.value
                if name in type_.fields:
                    raise CompositionFailed([invalid(f"Field {name} already exists on {type_.name}")])
                input_field = type_.add_field(name, self._input_type(field_node.type, f"{type_.name}.{name}"))
                input_field.extension = extension
                if field_node.default_value is not None:
                    input_field.default = value_from_ast(field_node.default_value)
                self._apply_directives(field_node, input_field, None)
                self._description(field_node, input_field)
        if type_.kind != KIND_OF_NODE[type(node)]:
            raise CompositionFailed(
                [invalid(f'Type "{type_.name}" is defined as {type_.kind} but extended as {KIND_OF_NODE[type(node)]}')]
            )
        self._apply_directives(node, type_, extension)
        if extension is None:
            self._description(node, type_)

    def _fields(self, node: TypeNode, type_: FieldsType, extension: Extension | None) -> None:
        assert isinstance(type_, ObjectType | InterfaceType)
        is_query = self.schema.schema_definition.root("query") == type_.name
        for field_node in getattr(node, "fields", None) or ():
            name = field_node.name.value
            if is_query and isinstance(type_, ObjectType) and name in self.ignored_query_fields:
                continue
            if name in type_.fields:
                raise CompositionFailed([invalid(f"Field {name} already exists on {type_.name}")])
            definition = type_.add_field(name, self._output_type(field_node.type, f"{type_.name}.{name}"))
            definition.extension = extension
            for arg_node in field_node.arguments or ():
                self._argument(arg_node, definition, with_directives=True)
            self._apply_directives(field_node, definition, None)
            self._description(field_node, definition)
        for interface in getattr(node, "interfaces", None) or ():
            name = interface.name.value
            if type_.implements(name):
                self.errors.append(invalid(f'Type "{type_.name}" can only implement "{name}" once.'))
                continue
            target = self.schema.type(name)
            if target is None:
                self.errors.append(invalid(f"Cannot implement unknown type {name}"))
                continue
            if not isinstance(target, InterfaceType):
                self.errors.append(invalid(f"Cannot implement non-interface type {name} (of type {target.kind})"))
                continue
            type_.interfaces.append((name, extension))


def check_unique_type_names(document: ast.DocumentNode) -> None:
    """Two definitions of one type stop the build before anything else is read (Apollo's order)."""
    defined: set[str] = set()
    for node in document.definitions:
        if isinstance(node, ast.TypeDefinitionNode) and node.name.value not in INTROSPECTION_TYPES:
            if node.name.value in defined:
                raise CompositionFailed([invalid(f'There can be only one type named "{node.name.value}"')])
            defined.add(node.name.value)


def build_schema(
    document: ast.DocumentNode,
    ignored_query_fields: tuple[str, ...] = (),
    check_directive: Callable[[str], CompositionError | None] | None = None,
) -> Schema:
    return SchemaBuilder(document, ignored_query_fields, check_directive).build()
