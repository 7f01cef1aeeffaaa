"""A mutable GraphQL schema model for composition.

graphql-core's `GraphQLSchema` is immutable and forgets what composition needs: which element came
from a type extension, the order in which directives were applied, unvalidated argument values of
applied directives. This model keeps all of that. Types are referenced by name (`TypeRef`), so a
type can be renamed or removed while the rest of the schema is still being built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql.language import ast

TypeKind = Literal["ScalarType", "ObjectType", "InterfaceType", "UnionType", "EnumType", "InputObjectType"]
ROOT_KINDS = ("query", "mutation", "subscription")
DEFAULT_ROOT_NAMES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
BUILT_IN_SCALARS = ("Int", "Float", "String", "Boolean", "ID")
INTROSPECTION_TYPES = (
    "__Schema",
    "__Type",
    "__Field",
    "__InputValue",
    "__EnumValue",
    "__Directive",
    "__TypeKind",
    "__DirectiveLocation",
)
EXECUTABLE_LOCATIONS = frozenset(
    (
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    )
)


class Missing:
    """No default value (distinct from a default of `null`)."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


# --- type references -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedRef:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ListRef:
    of: TypeRef

    def __str__(self) -> str:
        return f"[{self.of}]"


@dataclass(frozen=True)
class NonNullRef:
    of: NamedRef | ListRef

    def __str__(self) -> str:
        return f"{self.of}!"


TypeRef = NamedRef | ListRef | NonNullRef


def base_name(ref: TypeRef) -> str:
    while not isinstance(ref, NamedRef):
        ref = ref.of
    return ref.name


def renamed_ref(ref: TypeRef, old: str, new: str) -> TypeRef:
    match ref:
        case NamedRef(name):
            return NamedRef(new) if name == old else ref
        case ListRef(of):
            return ListRef(renamed_ref(of, old, new))
        case NonNullRef(of):
            inner = renamed_ref(of, old, new)
            assert not isinstance(inner, NonNullRef)
            return NonNullRef(inner)


def ref_from_ast(node: ast.TypeNode) -> TypeRef:
    if isinstance(node, ast.NonNullTypeNode):
        inner = ref_from_ast(node.type)
        assert not isinstance(inner, NonNullRef)
        return NonNullRef(inner)
    if isinstance(node, ast.ListTypeNode):
        return ListRef(ref_from_ast(node.type))
    assert isinstance(node, ast.NamedTypeNode)
    return NamedRef(node.name.value)


# --- elements ------------------------------------------------------------------------------------


class Extension:
    """One `extend type` / `extend schema` block: elements and directives remember which one they
    came from (federation 1 treats extensions differently, `@shareable` applies per block)."""

    def __init__(self, node: ast.Node | None = None) -> None:
        self.node = node


@dataclass(eq=False)
class Directive:
    """An applied directive; `args` as written (values from `values.value_from_ast`)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    extension: Extension | None = None
    node: ast.DirectiveNode | None = None
    parent: Element | None = None

    def __repr__(self) -> str:
        return f"@{self.name}({self.args})"


class Element:
    """What carries a description and applied directives."""

    description: str | None
    node: ast.Node | None

    def __init__(self) -> None:
        self.description = None
        self.directives: list[Directive] = []
        self.node = None

    def apply(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        extension: Extension | None = None,
        node: ast.DirectiveNode | None = None,
    ) -> Directive:
        directive = Directive(name, dict(args or {}), extension, node, self)
        self.directives.append(directive)
        return directive

    def applied(self, name: str | None) -> list[Directive]:
        if name is None:
            return []
        return [d for d in self.directives if d.name == name]

    def has(self, name: str | None) -> bool:
        return name is not None and any(d.name == name for d in self.directives)

    def remove_directive(self, directive: Directive) -> None:
        self.directives.remove(directive)
        directive.parent = None

    @property
    def coordinate(self) -> str:
        raise NotImplementedError


class InputValue(Element):
    """An argument (of a field or directive) or an input object field."""

    def __init__(self, name: str, parent: Any, type_: TypeRef, default: Any = MISSING) -> None:
        super().__init__()
        self.name = name
        self.parent = parent
        self.type = type_
        self.default = default
        self.extension: Extension | None = None

    @property
    def coordinate(self) -> str:
        if isinstance(self.parent, InputObjectType):
            return f"{self.parent.name}.{self.name}"
        if isinstance(self.parent, DirectiveDefinition):
            return f"@{self.parent.name}({self.name}:)"
        return f"{self.parent.coordinate}({self.name}:)"

    def is_required(self) -> bool:
        return isinstance(self.type, NonNullRef) and self.default is MISSING


class FieldDefinition(Element):
    def __init__(self, name: str, parent: ObjectType | InterfaceType, type_: TypeRef) -> None:
        super().__init__()
        self.name = name
        self.parent = parent
        self.type = type_
        self.arguments: dict[str, InputValue] = {}
        self.extension: Extension | None = None

    @property
    def coordinate(self) -> str:
        return f"{self.parent.name}.{self.name}"

    def add_argument(self, name: str, type_: TypeRef, default: Any = MISSING) -> InputValue:
        argument = InputValue(name, self, type_, default)
        self.arguments[name] = argument
        return argument


class EnumValue(Element):
    def __init__(self, name: str, parent: EnumType) -> None:
        super().__init__()
        self.name = name
        self.parent = parent
        self.extension: Extension | None = None

    @property
    def coordinate(self) -> str:
        return f"{self.parent.name}.{self.name}"


class NamedType(Element):
    kind: TypeKind

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.extensions: list[Extension] = []
        self.has_definition = False  # defined (not only extended) in the document
        self.built_in = False

    @property
    def coordinate(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"{self.kind}({self.name})"

    def child_extensions(self) -> Iterator[Extension | None]:
        """The extension each child element (field, value, member) came from."""
        return iter(())

    def has_extension_elements(self) -> bool:
        return bool(self.extensions)

    def has_non_extension_elements(self) -> bool:
        return (
            self.has_definition
            or any(d.extension is None for d in self.directives)
            or any(e is None for e in self.child_extensions())
        )


class ScalarType(NamedType):
    kind: TypeKind = "ScalarType"


class FieldsType(NamedType):
    """Object and interface types."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.fields: dict[str, FieldDefinition] = {}
        self.interfaces: list[tuple[str, Extension | None]] = []

    def add_field(self, name: str, type_: TypeRef) -> FieldDefinition:
        assert isinstance(self, ObjectType | InterfaceType)
        definition = FieldDefinition(name, self, type_)
        self.fields[name] = definition
        return definition

    def interface_names(self) -> list[str]:
        return [name for name, _ in self.interfaces]

    def implements(self, name: str) -> bool:
        return any(n == name for n, _ in self.interfaces)

    def child_extensions(self) -> Iterator[Extension | None]:
        yield from (f.extension for f in self.fields.values())
        yield from (e for _, e in self.interfaces)


class ObjectType(FieldsType):
    kind: TypeKind = "ObjectType"


class InterfaceType(FieldsType):
    kind: TypeKind = "InterfaceType"


class UnionType(NamedType):
    kind: TypeKind = "UnionType"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.members: list[tuple[str, Extension | None]] = []

    def member_names(self) -> list[str]:
        return [name for name, _ in self.members]

    def has_member(self, name: str) -> bool:
        return any(n == name for n, _ in self.members)

    def child_extensions(self) -> Iterator[Extension | None]:
        return (e for _, e in self.members)


class EnumType(NamedType):
    kind: TypeKind = "EnumType"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.values: dict[str, EnumValue] = {}

    def add_value(self, name: str) -> EnumValue:
        value = EnumValue(name, self)
        self.values[name] = value
        return value

    def child_extensions(self) -> Iterator[Extension | None]:
        return (v.extension for v in self.values.values())


class InputObjectType(NamedType):
    kind: TypeKind = "InputObjectType"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.fields: dict[str, InputValue] = {}

    def add_field(self, name: str, type_: TypeRef, default: Any = MISSING) -> InputValue:
        value = InputValue(name, self, type_, default)
        self.fields[name] = value
        return value

    def child_extensions(self) -> Iterator[Extension | None]:
        return (f.extension for f in self.fields.values())


TYPE_CLASSES: dict[TypeKind, type[NamedType]] = {
    "ScalarType": ScalarType,
    "ObjectType": ObjectType,
    "InterfaceType": InterfaceType,
    "UnionType": UnionType,
    "EnumType": EnumType,
    "InputObjectType": InputObjectType,
}


class DirectiveDefinition(Element):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.arguments: dict[str, InputValue] = {}
        self.repeatable = False
        self.locations: list[str] = []
        self.built_in = False

    @property
    def coordinate(self) -> str:
        return f"@{self.name}"

    def add_argument(self, name: str, type_: TypeRef, default: Any = MISSING) -> InputValue:
        argument = InputValue(name, self, type_, default)
        self.arguments[name] = argument
        return argument

    def has_executable_locations(self) -> bool:
        return any(location in EXECUTABLE_LOCATIONS for location in self.locations)


class SchemaDefinition(Element):
    def __init__(self) -> None:
        super().__init__()
        self.roots: dict[str, tuple[str, Extension | None]] = {}
        self.extensions: list[Extension] = []
        self.has_definition = False

    @property
    def coordinate(self) -> str:
        return "schema"

    def root(self, kind: str) -> str | None:
        entry = self.roots.get(kind)
        return entry[0] if entry else None


CONDITIONAL_LOCATIONS = ("FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT")
BUILT_IN_DIRECTIVES: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, TypeRef, Any], ...]], ...] = (
    ("include", CONDITIONAL_LOCATIONS, (("if", NonNullRef(NamedRef("Boolean")), MISSING),)),
    ("skip", CONDITIONAL_LOCATIONS, (("if", NonNullRef(NamedRef("Boolean")), MISSING),)),
    (
        "deprecated",
        ("FIELD_DEFINITION", "ENUM_VALUE", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION"),
        (("reason", NamedRef("String"), "No longer supported"),),
    ),
    ("specifiedBy", ("SCALAR",), (("url", NonNullRef(NamedRef("String")), MISSING),)),
    (
        "defer",
        ("FRAGMENT_SPREAD", "INLINE_FRAGMENT"),
        (("label", NamedRef("String"), MISSING), ("if", NonNullRef(NamedRef("Boolean")), True)),
    ),
    (
        "stream",
        ("FIELD",),
        (
            ("label", NamedRef("String"), MISSING),
            ("initialCount", NamedRef("Int"), 0),
            ("if", NonNullRef(NamedRef("Boolean")), True),
        ),
    ),
)


# --- the schema ----------------------------------------------------------------------------------


class Schema:
    """Types and directive definitions in the order they were added (the printer sorts)."""

    def __init__(self) -> None:
        self.types: dict[str, NamedType] = {}
        self.directive_definitions: dict[str, DirectiveDefinition] = {}
        self.schema_definition = SchemaDefinition()
        for name in BUILT_IN_SCALARS:
            self.add_type(ScalarType(name)).built_in = True
        for name, locations, arguments in BUILT_IN_DIRECTIVES:
            definition = self.add_directive_definition(DirectiveDefinition(name))
            definition.built_in = True
            definition.locations.extend(locations)
            for arg_name, arg_type, default in arguments:
                definition.add_argument(arg_name, arg_type, default)

    def add_type(self, type_: NamedType) -> NamedType:
        self.types[type_.name] = type_
        return type_

    def type(self, name: str) -> NamedType | None:
        return self.types.get(name)

    def directive(self, name: str | None) -> DirectiveDefinition | None:
        return self.directive_definitions.get(name) if name is not None else None

    def add_directive_definition(self, definition: DirectiveDefinition) -> DirectiveDefinition:
        self.directive_definitions[definition.name] = definition
        return definition

    def fields_type(self, name: str) -> ObjectType | InterfaceType | None:
        found = self.types.get(name)
        return found if isinstance(found, ObjectType | InterfaceType) else None

    def object_types(self) -> list[ObjectType]:
        return [t for t in self.types.values() if isinstance(t, ObjectType)]

    def interface_types(self) -> list[InterfaceType]:
        return [t for t in self.types.values() if isinstance(t, InterfaceType)]

    def user_types(self) -> list[NamedType]:
        return [t for t in self.types.values() if not t.built_in]

    def root_kind_of(self, type_name: str) -> str | None:
        for kind in ROOT_KINDS:
            if self.schema_definition.root(kind) == type_name:
                return kind
        return None

    def is_root_type(self, type_name: str) -> bool:
        return self.root_kind_of(type_name) is not None

    def possible_runtime_types(self, type_name: str) -> list[ObjectType]:
        """The object types a value of the type can be, in schema order."""
        found = self.types.get(type_name)
        if isinstance(found, ObjectType):
            return [found]
        if isinstance(found, UnionType):
            members = [self.types.get(name) for name in found.member_names()]
            return [m for m in members if isinstance(m, ObjectType)]
        if isinstance(found, InterfaceType):
            return [t for t in self.object_types() if self._implements_transitively(t, type_name)]
        return []

    def _implements_transitively(self, type_: FieldsType, interface: str, seen: frozenset[str] = frozenset()) -> bool:
        for name in type_.interface_names():
            if name == interface:
                return True
            parent = self.types.get(name)
            if (
                isinstance(parent, InterfaceType)
                and name not in seen
                and self._implements_transitively(parent, interface, seen | {name})
            ):
                return True
        return False

    def element(self, coordinate: str) -> Element | None:
        """`Type`, `Type.field`, `Type.field(arg:)`, `@directive`."""
        if coordinate.startswith("@"):
            return self.directive(coordinate[1:])
        type_name, _, rest = coordinate.partition(".")
        found = self.types.get(type_name)
        if not rest or found is None:
            return found
        name, _, arg = rest.partition("(")
        if isinstance(found, ObjectType | InterfaceType):
            definition = found.fields.get(name)
            if definition is not None and arg:
                return definition.arguments.get(arg.rstrip(":)"))
            return definition
        if isinstance(found, InputObjectType):
            return found.fields.get(name)
        if isinstance(found, EnumType):
            return found.values.get(name)
        return None

    def references(self, type_name: str) -> bool:
        """Whether any field, argument, input field, union or implementation refers to the type."""
        for type_ in self.types.values():
            if isinstance(type_, ObjectType | InterfaceType):
                if type_name in type_.interface_names():
                    return True
                for definition in type_.fields.values():
                    if base_name(definition.type) == type_name:
                        return True
                    if any(base_name(a.type) == type_name for a in definition.arguments.values()):
                        return True
            elif (isinstance(type_, UnionType) and type_.has_member(type_name)) or (
                isinstance(type_, InputObjectType)
                and any(base_name(f.type) == type_name for f in type_.fields.values())
            ):
                return True
        for directive_definition in self.directive_definitions.values():
            if any(base_name(a.type) == type_name for a in directive_definition.arguments.values()):
                return True
        return any(name == type_name for name, _ in self.schema_definition.roots.values())

    def rename_type(self, old: str, new: str) -> None:
        """Rename a type and every reference to it."""
        type_ = self.types.pop(old)
        type_.name = new
        self.types[new] = type_
        for other in self.types.values():
            if isinstance(other, ObjectType | InterfaceType):
                other.interfaces = [(new if n == old else n, e) for n, e in other.interfaces]
                for definition in other.fields.values():
                    definition.type = renamed_ref(definition.type, old, new)
                    for argument in definition.arguments.values():
                        argument.type = renamed_ref(argument.type, old, new)
            elif isinstance(other, UnionType):
                other.members = [(new if n == old else n, e) for n, e in other.members]
            elif isinstance(other, InputObjectType):
                for input_field in other.fields.values():
                    input_field.type = renamed_ref(input_field.type, old, new)
        for directive_definition in self.directive_definitions.values():
            for argument in directive_definition.arguments.values():
                argument.type = renamed_ref(argument.type, old, new)
        roots = self.schema_definition.roots
        for kind, (name, extension) in list(roots.items()):
            if name == old:
                roots[kind] = (new, extension)

    def remove_type(self, name: str) -> None:
        del self.types[name]

    def all_elements(self) -> Iterator[Element]:
        """Every element that can carry directives."""
        yield self.schema_definition
        for type_ in self.types.values():
            yield type_
            if isinstance(type_, ObjectType | InterfaceType):
                for definition in type_.fields.values():
                    yield definition
                    yield from definition.arguments.values()
            elif isinstance(type_, InputObjectType):
                yield from type_.fields.values()
            elif isinstance(type_, EnumType):
                yield from type_.values.values()
        for directive_definition in self.directive_definitions.values():
            yield from directive_definition.arguments.values()

    def applications(self, name: str | None) -> list[Directive]:
        """Every application of a directive, in schema order."""
        if name is None:
            return []
        return [d for element in self.all_elements() for d in element.directives if d.name == name]
