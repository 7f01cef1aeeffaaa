"""A client operation, normalised: fragments expanded, fields merged by response key, per runtime type.

The planner and the projection both read this form. Each composite field carries its selection
collected for every object type it may resolve to (and, for an abstract type, for the type itself:
the fields that apply whatever the object turns out to be), as GraphQL's `CollectFields` would at
run time. `@skip`/`@include` with literals are decided here; on variables they are kept as data
(`Field.when`) and evaluated per request. Fragment expansion is memoised per runtime type, and
the work done is counted (`Operation.work`) so that a limit can be put on it before planning.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

Condition = tuple[tuple[str, bool], ...]  # every (variable, value) must hold
Alternatives = tuple[Condition, ...]  # one of them must hold
# per response key, its occurrences (field node, condition), each distinct one once, in document order
Found = dict[str, dict[tuple[int, Condition], tuple[FieldNode, Condition]]]
ALWAYS: Alternatives = ((),)
TYPENAME = "__typename"
INTROSPECTION_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


def included(when: Alternatives, variables: Mapping[str, Any]) -> bool:
    if when is ALWAYS:
        return True
    return any(all(variables.get(name) is value for name, value in alternative) for alternative in when)


@dataclass(frozen=True, eq=False)
class Field:
    """One response key of a selection: a field (or `__typename`) with its merged sub-selection."""

    key: str
    name: str
    node: FieldNode  # the first occurrence: arguments, as written
    definition: GraphQLField | None  # None for __typename
    selection: Selection | None = None  # for composite types
    when: Alternatives = ALWAYS
    denied: bool = False  # the caller may not see it: never fetched, answered null (authorization.py)

    @property
    def type(self) -> GraphQLOutputType:
        assert self.definition is not None
        return self.definition.type

    @property
    def type_name(self) -> str:
        return get_named_type(self.type).name

    @property
    def is_typename(self) -> bool:
        return self.name == TYPENAME

    def __deepcopy__(self, memo: dict[int, Any]) -> Field:
        return self  # immutable; shared by plans


@dataclass(frozen=True, eq=False)
class Selection:
    """The selection set of a composite position, collected per runtime type.

    For an object type, `by_type` has one entry. For an interface or union it has one per
    possible object type, plus one for the abstract type itself: the fields that apply to every
    object (needed where a subgraph cannot tell the object's type, as with `@interfaceObject`)."""

    type_name: str
    abstract: bool
    by_type: Mapping[str, tuple[Field, ...]]
    # what the execution derives from it (compiled projections): kept with it, so it goes with its plan
    derived: dict[Hashable, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def fields(self, type_name: str) -> tuple[Field, ...]:
        return self.by_type.get(type_name, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> Selection:
        return self


@dataclass(frozen=True, eq=False)
class Operation:
    """A validated, normalised operation."""

    kind: OperationType
    name: str | None
    root: Selection
    variable_definitions: Mapping[str, VariableDefinitionNode]
    definition: OperationDefinitionNode
    document: DocumentNode
    introspection: tuple[Field, ...]  # root `__schema` / `__type`, answered from the API schema
    work: int  # selections visited while normalising
    root_keys: tuple[str, ...] = ()  # every root response key, in the client's order
    # what is derived from it per request shape (authorised variants): kept with it, not in a cache
    derived: dict[Hashable, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


class Normaliser:
    """Normalises selections against one schema (the API schema for clients; the supergraph's full
    schema for field sets such as keys and `@requires`, which may name inaccessible elements)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode] | None = None) -> None:
        self.schema = schema
        self.fragments = fragments or {}
        self.work = 0
        self._memo: dict[tuple[str, int, Condition], tuple[Field, ...]] = {}
        self._spreads: dict[tuple[str, str, Condition], Found] = {}

    def operation(self, document: DocumentNode, definition: OperationDefinitionNode) -> Operation:
        root_type = self.schema.get_root_type(definition.operation)
        assert root_type is not None  # validation ensures it
        fields = self.collect(root_type, [(definition.selection_set, ())])
        introspection = tuple(f for f in fields if f.name in INTROSPECTION_FIELDS)
        data_fields = tuple(f for f in fields if f.name not in INTROSPECTION_FIELDS)
        root = Selection(root_type.name, False, {root_type.name: data_fields})
        variables = {v.variable.name.value: v for v in definition.variable_definitions or ()}
        name = definition.name.value if definition.name else None
        keys = tuple(f.key for f in fields)
        return Operation(
            definition.operation, name, root, variables, definition, document, introspection, self.work, keys
        )

    def selection(self, type_name: str, occurrences: Sequence[tuple[SelectionSetNode, Condition]]) -> Selection:
        """The selection of a position of (named, composite) type `type_name`."""
        type_ = self.schema.get_type(type_name)
        if isinstance(type_, GraphQLObjectType):
            return Selection(type_name, False, {type_name: self.collect(type_, occurrences)})
        assert isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        by_type = {t.name: self.collect(t, occurrences) for t in self.schema.get_possible_types(type_)}
        by_type[type_name] = self.collect(type_, occurrences)
        return Selection(type_name, True, by_type)

    def collect(
        self,
        runtime: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        occurrences: Sequence[tuple[SelectionSetNode, Condition]],
    ) -> tuple[Field, ...]:
        """The fields of `occurrences` that apply to an object of type `runtime`, merged by key."""
        memo_key = (runtime.name, id(occurrences[0][0]), occurrences[0][1])
        if len(occurrences) == 1 and memo_key in self._memo:
            return self._memo[memo_key]  # a fragment spread again: the same fields
        found: Found = {}
        for selection_set, condition in occurrences:
            self._walk(runtime, selection_set, condition, found)
        fields = tuple(self._field(runtime, key, list(nodes.values())) for key, nodes in found.items())
        if len(occurrences) == 1:
            self._memo[memo_key] = fields
        return fields

    def _walk(
        self,
        runtime: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        selection_set: SelectionSetNode,
        inherited: Condition,
        found: Found,
    ) -> None:
        for selection in selection_set.selections:
            self.work += 1
            own = condition_of(selection)
            if own is None:
                continue
            condition = inherited + own
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(key, {}).setdefault((id(selection), condition), (selection, condition))
            elif isinstance(selection, InlineFragmentNode):
                type_condition = selection.type_condition.name.value if selection.type_condition else None
                if self._applies(type_condition, runtime):
                    self._walk(runtime, selection.selection_set, condition, found)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(fragment.type_condition.name.value, runtime):
                    self._spread(runtime, fragment, condition, found)

    def _spread(
        self,
        runtime: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        fragment: FragmentDefinitionNode,
        condition: Condition,
        found: Found,
    ) -> None:
        """A fragment's occurrences merged into `found`. Each fragment is walked once per runtime
        type and condition however often it is spread (a fragment spreading another twice, 22 deep,
        is 44 spreads, not 4 million walks), and its distinct occurrences are merged, never copied."""
        memo_key = (runtime.name, fragment.name.value, condition)
        own = self._spreads.get(memo_key)
        if own is None:
            own = {}
            self._walk(runtime, fragment.selection_set, condition, own)
            self._spreads[memo_key] = own
        for key, nodes in own.items():
            self.work += len(nodes)
            found.setdefault(key, {}).update(nodes)

    def _applies(self, type_condition: str | None, runtime: Any) -> bool:
        if type_condition is None or type_condition == runtime.name:
            return True
        condition_type = self.schema.get_type(type_condition)
        if not isinstance(condition_type, GraphQLInterfaceType | GraphQLUnionType):
            return False
        if isinstance(runtime, GraphQLObjectType):
            return self.schema.is_sub_type(condition_type, runtime)
        if isinstance(runtime, GraphQLInterfaceType) and isinstance(condition_type, GraphQLInterfaceType):
            return self.schema.is_sub_type(condition_type, runtime)  # an interface implementing the condition
        return False

    def _field(self, runtime: Any, key: str, nodes: list[tuple[FieldNode, Condition]]) -> Field:
        first = nodes[0][0]
        name = first.name.value
        conditions = [condition for _, condition in nodes]
        when: Alternatives = ALWAYS if () in conditions else tuple(dict.fromkeys(conditions))
        if name == TYPENAME:
            return Field(key, name, first, None, None, when)
        if name in INTROSPECTION_FIELDS:
            return Field(key, name, first, INTROSPECTION_FIELDS[name], None, when)
        definition = runtime.fields[name]
        named = get_named_type(definition.type)
        selection = None
        if is_composite_type(named):
            differ = len(set(conditions)) > 1  # each occurrence's children keep its own condition
            occurrences = [(n.selection_set, c if differ else ()) for n, c in nodes if n.selection_set is not None]
            selection = self.selection(named.name, occurrences)
        return Field(key, name, first, definition, selection, when)


def condition_of(node: Any) -> Condition | None:
    """A selection's @skip/@include as a condition; None when a literal excludes it."""
    condition: list[tuple[str, bool]] = []
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = next(arg.value for arg in directive.arguments if arg.name.value == "if")
        wanted = name == "include"
        if isinstance(value, BooleanValueNode):
            if value.value is not wanted:
                return None
        elif isinstance(value, VariableNode):
            condition.append((value.name.value, wanted))
    return tuple(condition)


@dataclass
class FieldSetCache:
    """Field sets (`@key`, `@requires`, `@provides`) normalised once per (type, text)."""

    normaliser: Normaliser
    cache: dict[tuple[str, int], Selection] = field(default_factory=dict)

    def selection(self, type_name: str, selection_set: SelectionSetNode) -> Selection:
        key = (type_name, id(selection_set))
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.normaliser.selection(type_name, [(selection_set, ())])
        return found
