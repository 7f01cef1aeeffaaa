"""Directives applied in the subgraphs that the supergraph keeps: `@inaccessible` at once,
the others (`@tag`, `@deprecated`, auth, cost, composed custom directives) once everything is merged,
repeatable ones once per distinct application, non-repeatable ones merged by their argument
strategies or by majority; `@join__directive` for directives carried that way (`@cacheTag`)."""

from __future__ import annotations

from typing import Any

from .errors import CompositionHint, HintCode
from .merge_base import MergerBase
from .reporter import Sources
from .schema import (
    MISSING,
    DirectiveDefinition,
    Element,
    EnumValue,
    FieldDefinition,
    InputObjectType,
    InputValue,
    InterfaceType,
    NamedType,
    NonNullRef,
    ObjectType,
    Schema,
    SchemaDefinition,
)
from .strategies import merge_values
from .values import value_to_string, values_equal


class AppliedDirectives(MergerBase):
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
        if self.access_sources is None:  # once the implementations are merged
            self.access_sources = access_control_sources(self)
        return self.access_sources

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


def access_control_sources(merger: MergerBase) -> dict[str, list[Any]]:
    """Auth directives that interfaces inherit from their implementations (and interface fields from
    the implementing fields), keyed `<coordinate>_<directive>`."""
    sources: dict[str, list[Any]] = {}
    implementations: dict[str, set[str]] = {}
    interfaces_of: dict[str, set[str]] = {}
    for interface in merger.merged.interface_types():
        names = {t.name for t in merger.merged.possible_runtime_types(interface.name)}
        implementations[interface.name] = names
        for name in names:
            interfaces_of.setdefault(name, set()).add(interface.name)
    for subgraph in merger.subgraphs:
        for spec_name in ("authenticated", "requiresScopes", "policy"):
            for application in subgraph.applications(spec_name):
                candidate = application.parent
                if isinstance(candidate, ObjectType):
                    for name in interfaces_of.get(candidate.name, ()):
                        sources.setdefault(f"{name}_{spec_name}", []).append(candidate)
                if isinstance(candidate, FieldDefinition) and not subgraph.is_external(candidate):
                    parent = candidate.parent
                    if not isinstance(parent, ObjectType):
                        continue
                    if subgraph.is_interface_object(parent):
                        others: set[str] = set()
                        for implementation in implementations.get(parent.name, ()):
                            sources.setdefault(f"{implementation}.{candidate.name}_{spec_name}", []).append(candidate)
                            others.update(i for i in interfaces_of.get(implementation, ()) if i != parent.name)
                        for name in others:
                            sources.setdefault(f"{name}.{candidate.name}_{spec_name}", []).append(candidate)
                    else:
                        for name in interfaces_of.get(parent.name, ()):
                            sources.setdefault(f"{name}.{candidate.name}_{spec_name}", []).append(candidate)
    return sources
