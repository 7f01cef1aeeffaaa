"""The planning algorithm: an operation's fields assigned to subgraph fetches, with entity jumps.

Walking the normalised operation from the root, each field goes to the fetch group of the
subgraph the walk is in when that subgraph resolves it (directly, or through `@provides`);
otherwise it is a *remote* field, and `_plan_remote` jumps: it picks another subgraph that
resolves it and has a resolvable `@key` for the type, makes sure the key (and the field's
`@requires`) are fetched first — which may need jumps of their own — and continues in an
entity group of that subgraph. What a subgraph cannot resolve below a field comes back as a
*leftover*, and the caller fetches that field again from another subgraph (a "parent entity
call", or a shared root field). Abstract types are planned per object type the subgraph can
return; `@interfaceObject` positions ask a subgraph that knows the implementations for the
`__typename` first.

Internal fields (keys, `@requires`) get response keys that cannot clash with the client's
(`name__alias_N` where the name is taken by another field or arguments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from graphql import (
    GraphQLInterfaceType,
    GraphQLUnionType,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from ..errors import PlanningError
from ..extensions import ComputedField, computed_key
from ..operation import ALWAYS, Alternatives, Field, FieldSetCache, Operation, Selection
from ..supergraph import Key, Kind, Supergraph, parse_field_set
from .context import Ctx, Path, both, either, list_depth
from .groups import Group, PendingInput
from .keys import ResponseKeys
from .reach import GIVEN, MAX_DEPTH, Reach, fields_for
from .subquery import SubSelection

Leftover = dict[str, tuple[Field, ...]]  # by object type (or the abstract type itself)
ENTITIES_PATH = ("_entities", "@")  # where `build_entities` expects those objects in the response tree


class PlanBuilder:
    """Builds the fetch groups of one operation (one builder per plan)."""

    def __init__(
        self,
        supergraph: Supergraph,
        fieldsets: FieldSetCache,
        labels: frozenset[str] = frozenset(),
        trials: bool = True,
        computed: Mapping[tuple[str, str], ComputedField] | None = None,
    ) -> None:
        self.sg = supergraph
        self.computed = computed or {}
        self.fieldsets = fieldsets
        self.labels = labels
        self.trials = trials
        self.groups: list[Group] = []
        self.stage = 0
        self.kind = "query"
        self.reach = Reach(supergraph, fieldsets, labels)
        self.keys = ResponseKeys(fieldsets)
        self._recorders: list[set[Group]] = []
        self._computed_sets: dict[ComputedField, SelectionSetNode] = {}
        self._depth = 0
        self.order = {name: index for index, name in enumerate(supergraph.subgraphs)}
        self.order[GIVEN] = len(self.order)

    # --- the root ---------------------------------------------------------------------------------

    def build(self, operation: Operation) -> list[Group]:
        root = operation.root
        self.keys.register_tree((), root)
        fields = [f for f in root.fields(root.type_name) if not f.is_typename]
        if operation.kind is OperationType.MUTATION:
            self.kind = "mutation"
            self._plan_mutation(root.type_name, fields)
        else:
            for field_ in fields:
                subgraph = self._choose_root(root.type_name, field_)
                self._plan_root_field(root.type_name, field_, subgraph)
        return self.groups

    def build_entities(
        self, type_name: str, selection: Selection, given: frozenset[str], given_from: str | None = None
    ) -> list[Group]:
        """Plan `selection` for objects of `type_name` that exist already and carry only the `given`
        fields (e.g. keys from a fan-out): every other field comes through entity fetches. The
        objects are expected at `ENTITIES_PATH` of the response tree. With `given_from`, the
        objects came from that subgraph (asked by the caller, e.g. by a search it serves): they
        carry whatever it resolves at any depth, and the first group, never fetched by the plan,
        is what the caller must ask it for."""
        self.reach.given = given
        self.keys.register_tree(ENTITIES_PATH, selection)
        origin = self._new_group(given_from or GIVEN, ENTITIES_PATH, entity=False, type_name=type_name)
        fields = [f for f in selection.fields(type_name) if not f.is_typename]
        left = self._plan_object(Ctx(origin, ENTITIES_PATH), type_name, fields, origin.selection)
        if left:
            raise PlanningError(_unresolvable(type_name, left))
        return self.groups

    def _plan_root_field(self, root_type: str, field_: Field, subgraph: str) -> None:
        group = self._root_group(subgraph)
        left = self._plan_object(Ctx(group, ()), root_type, [field_], group.selection)
        if left:
            raise PlanningError(_unresolvable(root_type, left))

    def _plan_mutation(self, root_type: str, fields: list[Field]) -> None:
        previous: Group | None = None
        for field_ in fields:
            subgraph = self._choose_root(root_type, field_)
            if previous is None or previous.subgraph != subgraph:
                self.stage += 1
                previous = self._new_group(subgraph, (), entity=False, type_name=root_type)
            left = self._plan_object(Ctx(previous, ()), root_type, [field_], previous.selection)
            if left:
                raise PlanningError(_unresolvable(root_type, left))

    def _choose_root(self, root_type: str, field_: Field) -> str:
        candidates = self.sg.resolvers(root_type, field_.name, self.labels)
        if not candidates:
            raise PlanningError(f"no subgraph resolves {root_type}.{field_.name}")
        if len(candidates) == 1:
            return candidates[0]
        ranked = sorted(candidates, key=lambda s: (-self.reach.coverage(s, root_type, [field_], 0), self.order[s]))
        if not self.trials:
            return ranked[0]
        costs: list[tuple[int, int, int, str]] = []
        for rank, subgraph in enumerate(ranked):
            trial = PlanBuilder(self.sg, self.fieldsets, self.labels, trials=False)
            trial.kind = self.kind
            try:
                trial.keys.register_tree((), Selection(root_type, False, {root_type: (field_,)}))
                trial._plan_root_field(root_type, field_, subgraph)
            except PlanningError:
                continue
            existing = 0 if any(g.subgraph == subgraph and not g.entity for g in self.groups) else 1
            costs.append((len(trial.groups), existing, rank, subgraph))
        if not costs:
            raise PlanningError(f"no subgraph can resolve the selection of {root_type}.{field_.name}")
        return min(costs)[3]

    def _root_group(self, subgraph: str) -> Group:
        for group in self.groups:
            if not group.entity and group.subgraph == subgraph and group.stage == self.stage:
                return group
        return self._new_group(subgraph, (), entity=False, type_name=self.sg.query_type)

    def _new_group(self, subgraph: str, path: Path, *, entity: bool, type_name: str) -> Group:
        kind = "query" if entity else self.kind  # entities are always fetched by a query
        group = Group(len(self.groups), subgraph, path, entity, SubSelection(type_name), kind=kind, stage=self.stage)
        self.groups.append(group)
        return group

    # --- positions --------------------------------------------------------------------------------

    def _plan_selection(self, ctx: Ctx, selection: Selection, sub: SubSelection, s_type: str) -> Leftover:
        """Plan `selection` at a position whose type in the current subgraph is `s_type`."""
        subgraph = ctx.group.subgraph
        if self.sg.is_interface_object(s_type, subgraph):
            return self._plan_interface_object(ctx, selection, sub, s_type)
        meta = self.sg.types.get(s_type)
        if meta is not None and meta.kind is Kind.OBJECT:
            if selection.abstract:
                sub.typename = True
            left = self._plan_object(ctx, s_type, list(selection.fields(s_type)), sub)
            return {s_type: tuple(left)} if left else {}
        sub.typename = True
        possible = self.sg.possible_types_in(s_type, subgraph)
        types = [t for t in selection.by_type if t in possible]
        if not types:  # no object type it can return is selected: the type's own fields, on the type
            base = [f for f in selection.fields(selection.type_name) if not f.is_typename]
            left = self._plan_object(ctx, s_type, base, sub) if base else []
            return {selection.type_name: tuple(left)} if left else {}
        leftover: Leftover = {}
        for type_name in types:
            left = self._plan_object(ctx, type_name, list(selection.fields(type_name)), sub.fragment(type_name))
            if left:
                leftover[type_name] = tuple(left)
        return leftover

    def _plan_object(self, ctx: Ctx, type_name: str, fields: list[Field], sub: SubSelection) -> list[Field]:
        """Plan fields of an object of type `type_name` (or of an abstract type, on the type itself);
        return what no subgraph reachable from here can resolve."""
        subgraph = ctx.group.subgraph
        remote: list[Field] = []
        for field_ in fields:
            if field_.is_typename or field_.definition is None or field_.denied:
                continue  # the projection writes __typename of an object position (abstract ones fetch it)
            if self.computed and (type_name, field_.name) in self.computed:
                self._plan_computed(ctx, type_name, field_, sub)
                continue
            provided = self._provided(ctx, type_name, field_.name)
            if provided is None and not self._local(ctx, type_name, field_.name):
                remote.append(field_)
                continue
            child_type = self.reach.subgraph_type(type_name, field_, subgraph) if field_.selection is not None else None
            sub_field = sub.add(field_.key, field_.name, tuple(field_.node.arguments or ()), field_.when, child_type)
            self._touch(ctx.group)
            if field_.selection is None:
                continue
            assert sub_field.selection is not None and child_type is not None
            child_provides = self._child_provides(ctx, type_name, field_, subgraph, provided)
            chain: tuple[tuple[str, str], ...] = ((type_name, field_.name),)
            if not self.reach.is_entity(type_name) and type_name not in self.sg.root_types:
                chain = (*ctx.chain, *chain)
            selection = self.reach.shared_runtime_types(chain, field_)
            child = ctx.at(field_, child_provides, chain)
            left = self._plan_selection(child, selection, sub_field.selection, child_type)
            if left:
                remote.append(_restrict(field_, left))
        if not remote:
            return []
        if type_name in self.sg.root_types:
            return self._plan_root_remote(ctx, type_name, remote)
        return self._plan_remote(ctx, type_name, remote, sub)

    def _plan_computed(self, ctx: Ctx, type_name: str, field_: Field, sub: SubSelection) -> None:
        """A field the gateway computes: never sent to a subgraph; what it requires is fetched
        under keys of its own (`computed_key`), wherever that takes the plan."""
        computed = self.computed[(type_name, field_.name)]
        where = f"the computed field {type_name}.{field_.name}"
        field_set = self._computed_sets.get(computed)
        if field_set is None:
            field_set = self._computed_sets[computed] = parse_field_set(computed.requires, where)
        requires = self.fieldsets.selection(type_name, field_set)
        inputs = []
        for required in requires.fields(type_name):
            if required.is_typename:
                continue
            key = computed_key(field_.key, required.name)
            self.keys.reserve(ctx.path, key, required)
            selection = required.selection
            if selection is not None:
                selection = self.keys.internal((*ctx.path, key, *("@",) * list_depth(required.type)), selection)
            inputs.append(replace(required, key=key, selection=selection))
        if self._provide(replace(ctx, when=both(ctx.when, field_.when)), type_name, inputs, sub) is None:
            raise PlanningError(f"no subgraph can provide what {where} requires ({computed.requires})")

    def _local(self, ctx: Ctx, type_name: str, field_name: str) -> bool:
        subgraph = ctx.group.subgraph
        if subgraph == GIVEN:
            return ctx.path == ENTITIES_PATH and field_name in self.reach.given
        if not self.sg.resolves(type_name, field_name, subgraph, self.labels):
            return False
        source = self.sg.source(type_name, field_name, subgraph)
        return source is None or source.requires is None or field_name in ctx.satisfied

    def _provided(self, ctx: Ctx, type_name: str, field_name: str) -> Field | None:
        if ctx.provides is None or self.sg.source(type_name, field_name, ctx.group.subgraph) is None:
            return None
        fields = ctx.provides.by_type.get(type_name, ctx.provides.fields(ctx.provides.type_name))
        return next((f for f in fields if f.name == field_name), None)

    def _child_provides(
        self, ctx: Ctx, type_name: str, field_: Field, subgraph: str, provided: Field | None
    ) -> Selection | None:
        source = self.sg.source(type_name, field_.name, subgraph)
        if source is not None and source.provides is not None:
            return self.fieldsets.selection(field_.type_name, source.provides)
        return provided.selection if provided is not None else None

    # --- interface objects ------------------------------------------------------------------------

    def _plan_interface_object(self, ctx: Ctx, selection: Selection, sub: SubSelection, interface: str) -> Leftover:
        """A subgraph that knows `interface` only as an object: it can answer the fields every
        implementation shares; the object's real type (and what depends on it) comes from a subgraph
        that knows the implementations."""
        sub.typename = True
        base = selection.type_name
        common = [f for f in selection.fields(base) if not f.is_typename]
        common_keys = {f.key for f in common}
        wants_typename = any(f.is_typename for fields in selection.by_type.values() for f in fields)
        concrete = {
            type_name: tuple(f for f in fields if f.key not in common_keys or f.is_typename)
            for type_name, fields in selection.by_type.items()
            if type_name != base
        }
        leftover: Leftover = {}
        left = self._plan_object(ctx, interface, common, sub) if common else []
        if left:
            leftover[base] = tuple(left)
        if wants_typename or any(concrete.values()):
            rest = Selection(base, True, {t: fields for t, fields in concrete.items() if fields})
            resolved = self._resolve_implementation(ctx, interface, rest, sub)
            for type_name, fields in (rest.by_type if resolved is None else resolved).items():
                leftover[type_name] = (*leftover.get(type_name, ()), *fields)
        return leftover

    def _resolve_implementation(self, ctx: Ctx, interface: str, rest: Selection, sub: SubSelection) -> Leftover | None:
        meta = self.sg.types[interface]
        for subgraph in meta.graphs:
            if subgraph in meta.interface_object_in:
                continue
            key = self.reach.pick_key(ctx.group.subgraph, ctx.provides, interface, subgraph, interface)
            if key is None:
                continue
            key_fields = fields_for(self.keys.key_selection(ctx.path, interface, key), interface)
            providers = self._provide(ctx, interface, key_fields, sub)
            if providers is None:
                continue
            sub.typename = True
            group = self._entity_group(subgraph, ctx.path, providers, ctx.when)
            group.inputs.setdefault(interface, PendingInput(interface)).add(key_fields, key=True)
            child = Ctx(group, ctx.path, None, frozenset(), ctx.when)
            return self._plan_selection(child, rest, group.selection.fragment(interface), interface)
        return None

    # --- jumps ------------------------------------------------------------------------------------

    def _plan_remote(self, ctx: Ctx, type_name: str, remote: list[Field], sub: SubSelection) -> list[Field]:
        """Fetch `remote` fields of the objects at this position from other subgraphs, by key."""
        pending = [(f, self._initially_tried(ctx, type_name, f)) for f in remote]
        while pending:
            choice = self._choose(ctx, type_name, pending)
            if choice is None:
                break
            subgraph, entity_type, key, take = choice
            tried_of = {id(f): tried for f, tried in pending}
            result = self._jump(ctx, type_name, subgraph, entity_type, key, take, sub)
            if result is None:
                chosen = {id(f) for f in take}
                pending = [(f, tried | {subgraph}) if id(f) in chosen else (f, tried) for f, tried in pending]
                continue
            taken, left = result
            origin = {f.key: tried_of[id(f)] for f in taken}
            pending = [(f, tried) for f, tried in pending if id(f) not in {id(t) for t in taken}]
            pending += [(f, origin.get(f.key, frozenset()) | {subgraph}) for f in left]
        return [f for f, _ in pending]

    def _initially_tried(self, ctx: Ctx, type_name: str, field_: Field) -> frozenset[str]:
        subgraph = ctx.group.subgraph
        source = self.sg.source(type_name, field_.name, subgraph)
        needs_entity_fetch = (
            source is not None
            and source.requires is not None
            and field_.name not in ctx.satisfied
            and self.sg.resolves(type_name, field_.name, subgraph, self.labels)
        )
        return frozenset() if needs_entity_fetch else frozenset({subgraph})

    def _choose(
        self, ctx: Ctx, type_name: str, pending: list[tuple[Field, frozenset[str]]]
    ) -> tuple[str, str, Key, list[Field]] | None:
        options: dict[tuple[str, str], list[Field]] = {}
        for field_, tried in pending:
            for subgraph, entity_type in self.reach.entity_targets(type_name):
                if subgraph not in tried and self.sg.resolves(entity_type, field_.name, subgraph, self.labels):
                    options.setdefault((subgraph, entity_type), []).append(field_)
        scored = []
        for (subgraph, entity_type), take in options.items():
            local_key = (
                self.reach.pick_key(ctx.group.subgraph, ctx.provides, type_name, subgraph, entity_type, jumps=False)
                is not None
            )
            coverage = self.reach.coverage(subgraph, entity_type, take, 0)
            scored.append((-coverage, 0 if local_key else 1, self.order[subgraph], subgraph, entity_type, take))
        for *_, subgraph, entity_type, take in sorted(scored, key=lambda s: s[:4]):
            key = self.reach.pick_key(ctx.group.subgraph, ctx.provides, type_name, subgraph, entity_type)
            if key is not None:
                return subgraph, entity_type, key, take
        return None

    def _jump(
        self, ctx: Ctx, type_name: str, subgraph: str, entity_type: str, key: Key, take: list[Field], sub: SubSelection
    ) -> tuple[list[Field], list[Field]] | None:
        """An entity fetch of `take` from `subgraph`: (the fields it took, what it left unresolved).
        Fields whose `@requires` would put another value under the same name in the
        representation are left for another fetch."""
        if self._depth > MAX_DEPTH:
            return None
        self._depth += 1
        try:
            when = both(ctx.when, either([f.when for f in take]))
            here = replace(ctx, when=when)
            key_fields = fields_for(self.keys.key_selection(ctx.path, entity_type, key), type_name)
            providers = self._provide(here, type_name, key_fields, sub)
            if providers is None:
                return None
            required: list[Field] = []
            shapes = {f.name: _shape(f) for f in key_fields}
            satisfied: set[str] = set()
            taken: list[Field] = []
            for field_ in take:
                source = self.sg.source(entity_type, field_.name, subgraph)
                if source is None or source.requires is None:
                    taken.append(field_)
                    continue
                requires = self.fieldsets.selection(entity_type, source.requires)
                fields = fields_for(self.keys.internal(ctx.path, requires), type_name)
                if any(shapes.get(f.name, _shape(f)) != _shape(f) for f in fields):
                    continue  # another value under the same name: a fetch of its own
                found = self._provide(replace(here, when=both(ctx.when, field_.when)), type_name, fields, sub)
                if found is None:
                    continue
                shapes.update((f.name, _shape(f)) for f in fields)
                providers |= found
                required += fields
                satisfied.add(field_.name)
                taken.append(field_)
            if not taken:
                return None
            sub.typename = True
            group = self._entity_group(subgraph, ctx.path, providers, when, (type_name, shapes))
            pending_input = group.inputs.setdefault(type_name, PendingInput(entity_type))
            pending_input.add(key_fields, key=True)
            pending_input.add(required, key=False)
            child = Ctx(group, ctx.path, None, frozenset(satisfied), when)
            return taken, self._plan_object(child, entity_type, taken, group.selection.fragment(entity_type))
        finally:
            self._depth -= 1

    def _provide(self, ctx: Ctx, type_name: str, fields: list[Field], sub: SubSelection) -> set[Group] | None:
        """Plan internal fields at this position; the groups that will write them (None: impossible)."""
        self._recorders.append(set())
        try:
            left = self._plan_object(ctx, type_name, fields, sub)
        finally:
            recorded = self._recorders.pop()
        for recorder in self._recorders:
            recorder |= recorded
        return None if left else recorded

    def _touch(self, group: Group) -> None:
        for recorder in self._recorders:
            recorder.add(group)

    def _entity_group(
        self,
        subgraph: str,
        path: Path,
        deps: set[Group],
        when: Alternatives,
        inputs: tuple[str, dict[str, tuple[object, ...]]] | None = None,
    ) -> Group:
        """The entity group for (subgraph, path): an existing one when that creates no cycle and its
        representations agree with `inputs` (typename, field shapes); else a new one."""
        for group in self.groups:
            if (
                group.entity
                and group.subgraph == subgraph
                and group.path == path
                and group.stage == self.stage
                and not any(d is group or d.depends_on(group) for d in deps)
                and _compatible(group, inputs)
            ):
                group.deps |= deps
                group.add_condition(when)
                return group
        group = self._new_group(subgraph, path, entity=True, type_name="_Entity")
        group.deps |= deps
        group.when = when
        return group

    def _plan_root_remote(self, ctx: Ctx, root_type: str, remote: list[Field]) -> list[Field]:
        """A root field some of whose selection its subgraph cannot resolve: ask another subgraph
        that shares the root field for the rest (never a mutation; never an abstract type, whose
        objects could differ between subgraphs)."""
        if self.kind == "mutation":
            return remote
        leftover: list[Field] = []
        for field_ in remote:
            named = get_named_type(field_.type)
            if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                leftover.append(field_)
                continue
            tried = {ctx.group.subgraph}
            current: Field | None = field_
            while current is not None:
                asked = current
                candidates = [s for s in self.sg.resolvers(root_type, field_.name, self.labels) if s not in tried]
                if not candidates:
                    leftover.append(asked)
                    break
                subgraph = max(
                    candidates, key=lambda s: (self.reach.coverage(s, root_type, [asked], 0), -self.order[s])
                )
                tried.add(subgraph)
                group = self._root_group(subgraph)
                left = self._plan_object(Ctx(group, ()), root_type, [asked], group.selection)
                current = left[0] if left else None
        return leftover

    # --- keys, targets, cost ------------------------------------------------------------------------

    # --- internal fields ------------------------------------------------------------------------------


def _shape(field_: Field) -> tuple[object, ...]:
    """What a field puts in a representation: its tree key and, below it, the same for its fields."""
    if field_.selection is None:
        return (field_.key,)
    inner = tuple(sorted((t, tuple(_shape(f) for f in fs)) for t, fs in field_.selection.by_type.items()))
    return (field_.key, inner)


def _compatible(group: Group, inputs: tuple[str, dict[str, tuple[object, ...]]] | None) -> bool:
    if inputs is None:
        return True
    type_name, shapes = inputs
    pending = group.inputs.get(type_name)
    if pending is None:
        return True
    return all(_shape(f) == shapes.get(name, _shape(f)) for name, f in pending.fields.items())


def _restrict(field_: Field, left: Leftover) -> Field:
    assert field_.selection is not None
    return replace(field_, selection=Selection(field_.selection.type_name, field_.selection.abstract, left))


def _unresolvable(type_name: str, fields: list[Field]) -> str:
    names = ", ".join(_describe(f) for f in fields)
    return f"no subgraph can resolve {names} (on {type_name}): there is no path through keys to a subgraph that does"


def _describe(field_: Field) -> str:
    if field_.selection is None:
        return field_.name
    inner = sorted({f.name for fields in field_.selection.by_type.values() for f in fields})
    return f"{field_.name} {{ {' '.join(inner)} }}"


__all__ = ["ALWAYS", "PlanBuilder"]
