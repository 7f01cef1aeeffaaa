"""The projection's fast path: each (selection, type) compiled once into straight-line Python.

For the fields of an object type (as the plan normalised them), `Compiler.projector` generates one
function that builds the response object key by key, with an exact type check on every value,
`@skip`/`@include` tested inline, child objects and lists projected by their own generated
functions, abstract positions dispatched on `__typename` through a table, computed fields called,
and release categories checked once per object. Where every field of an object is unconditional
and every category it touches may be released (or it touches none), the object is one dict
expression (scalars written as JSON strings checked inline, not by a call per value) and what it
released is recorded once per category. The generated code handles only the ordinary
case; on anything else (a wrong type, a null in a non-null position, an unknown `__typename`, a
value withheld by a release rule) it raises `Fallback`, and the projector redoes that object on
the general path (`projection.py`), which produces the exact errors, nulls and records. So the
fast path never changes an answer; it only skips the interpretation when nothing is wrong (as
graphql-jit does for JavaScript).

Generated functions take (value, variables, release, context): `release` is the `Release` in
force (None outside any), `context` the request's `RequestContext`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
)

from ..extensions import RELEASE, ComputedField, ReleaseRules, computed_key, empty
from ..operation import ALWAYS, Alternatives, Field, Selection
from .computing import required_names
from .native import NativeCompiler
from .scalars import accepts, checks_output, strings_only

ObjectProjector = Callable[[dict[str, Any], Any, Any, Any], dict[str, Any]]
_COMPILERS = itertools.count()  # each compiler's own key in a selection's `derived`

# an exact check per built-in scalar over the value `{v}` (bool is never an Int); None: any JSON value
SCALAR_CHECKS: dict[str, str] = {
    "String": "type({v}) is str",
    "ID": "(type({v}) is str or type({v}) is int)",
    "Int": "(type({v}) is int and -2147483648 <= {v} <= 2147483647)",
    "Float": "(type({v}) is float or type({v}) is int)",
    "Boolean": "type({v}) is bool",
}


class Fallback(Exception):
    """The fast path met something unusual; the general path takes over for this object."""


def _fallback() -> Any:
    raise Fallback


class Compiler:
    """Generates and caches object projectors for one API schema (and its computed fields and release rules)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        computed: Mapping[tuple[str, str], ComputedField] | None = None,
        release: ReleaseRules | None = None,
    ) -> None:
        self.schema = schema
        self.computed = computed or {}
        self.release = release
        self._counter = itertools.count()
        self._id = next(_COMPILERS)
        # tried before this compiler's own projectors (see native.py); None: not at all
        self.native: NativeCompiler | None = NativeCompiler(schema, self.computed, release, self._id)

    def projector(self, selection: Selection, type_name: str, fields_of: str | None = None) -> ObjectProjector:
        """The projector of objects of type `type_name` for the fields `selection` has for
        `fields_of` (default: `type_name`). Compiled once and kept on the selection itself, so
        it is forgotten with the plan (or operation) that holds the selection: no cache of its own."""
        key = (self._id, type_name, fields_of)
        function: ObjectProjector | None = selection.derived.get(key)
        if function is None:
            function = self._compile(selection.fields(fields_of or type_name), type_name)
            selection.derived[key] = function
        return function

    def _compile(self, fields: tuple[Field, ...], type_name: str) -> ObjectProjector:
        namespace: dict[str, Any] = {"_fallback": _fallback, "_empty": empty}
        name = f"project_{type_name}_{next(self._counter)}"
        lines = [f"def {name}(v, V, m, C):"]
        categories = self._categories(fields, type_name)
        if categories:
            lines.append(f"    m = v.get({RELEASE!r}, m)")
            for index, category in enumerate(categories):  # once per object: may it release?
                lines.append(f"    a{index} = m is None or {category!r} in m.allowed")
        fast = self._all_released(fields, type_name, namespace, categories)
        lines += fast
        if categories or not fast:  # field by field: conditions, or a category that may not be released
            lines.append("    o = {}")
            lines += [f"    d{index} = False" for index in range(len(categories))]
            for field in fields:
                body = self._field(field, type_name, namespace, categories)
                if field.when is ALWAYS:
                    lines += [f"    {line}" for line in body]
                else:
                    lines.append(f"    if {_condition(field.when)}:")
                    lines += [f"        {line}" for line in body]
            for index, category in enumerate(categories):
                lines += [f"    if d{index} and m is not None:", f"        m.released.add({category!r})"]
            lines.append("    return o")
        exec("\n".join(lines), namespace)  # code generated from the schema: no request data in it
        return namespace[name]  # type: ignore[no-any-return]

    def _all_released(
        self, fields: tuple[Field, ...], type_name: str, namespace: dict[str, Any], categories: list[str]
    ) -> list[str]:
        """When every category is released: the object as one dict expression over its values read
        into locals, then each category recorded when one of its values left (not empty). Nothing
        when a field is conditional or a denied non-null (those take the field-by-field path)."""
        if any(f.when is not ALWAYS or (f.denied and isinstance(f.type, GraphQLNonNull)) for f in fields):
            return []
        indent = "        " if categories else "    "
        reads, items = [], []
        by_category: dict[str, list[str]] = {c: [] for c in categories}
        for field in fields:
            key = repr(field.key)
            if field.is_typename:
                items.append(f"{key}: {type_name!r}")
                continue
            if field.denied:
                items.append(f"{key}: None")
                continue
            var = f"x{next(self._counter)}"
            reads.append(f"{indent}{var} = {self._read(field, type_name, namespace)}")
            items.append(f"{key}: {self._value(field, field.type, namespace, var)}")
            category = self.release.category(type_name, field.name) if self.release is not None else None
            if category is not None:
                by_category[category].append(key)
        lines = [f"    if {' and '.join(f'a{i}' for i in range(len(categories)))}:"] if categories else []
        lines += reads
        lines.append(f"{indent}o = {{{', '.join(items)}}}")
        for category, keys in by_category.items():
            released = " or ".join(f"not _empty(o[{key}])" for key in keys)  # the completed values
            lines += [f"{indent}if m is not None and ({released}):", f"{indent}    m.released.add({category!r})"]
        lines.append(f"{indent}return o")
        return lines

    def _read(self, field: Field, type_name: str, namespace: dict[str, Any]) -> str:
        """An expression: the field's value as the subgraphs gave it, or as its computed field computes it."""
        computed = self.computed.get((type_name, field.name))
        if computed is None:
            return f"v.get({field.key!r})"
        helper = f"c{next(self._counter)}"
        pairs = tuple((name, computed_key(field.key, name)) for name in required_names(computed))
        compute = computed.compute
        namespace[helper] = lambda v, C, pairs=pairs, compute=compute: compute({n: v.get(k) for n, k in pairs}, v, C)
        return f"{helper}(v, C)"

    def _categories(self, fields: tuple[Field, ...], type_name: str) -> list[str]:
        if self.release is None:
            return []
        found = (self.release.category(type_name, f.name) for f in fields if not f.is_typename and not f.denied)
        return list(dict.fromkeys(c for c in found if c is not None))

    def _field(self, field: Field, type_name: str, namespace: dict[str, Any], categories: list[str]) -> list[str]:
        key = repr(field.key)
        if field.is_typename:
            return [f"o[{key}] = {type_name!r}"]
        if field.denied:
            return ["_fallback()" if isinstance(field.type, GraphQLNonNull) else f"o[{key}] = None"]
        read = f"x = {self._read(field, type_name, namespace)}"
        value = self._value(field, field.type, namespace, "x")
        category = self.release.category(type_name, field.name) if self.release is not None else None
        if category is None:
            return [read, f"o[{key}] = {value}"]
        index = categories.index(category)
        return [
            read,
            f"if not a{index}:",
            "    if not _empty(x):",
            "        _fallback()",  # a value outside the release: the general path records it
            f"    o[{key}] = None",
            "else:",
            f"    o[{key}] = y = {value}",
            f"    if not d{index} and not _empty(y):",
            f"        d{index} = True",
        ]

    def _value(self, field: Field, type_: GraphQLOutputType, namespace: dict[str, Any], var: str) -> str:
        """An expression: the completed value of `var`, or a call that raises Fallback."""
        if isinstance(type_, GraphQLNonNull):
            return self._checked(field, type_.of_type, namespace, var, nullable=False)
        return self._checked(field, type_, namespace, var, nullable=True)

    def _checked(
        self, field: Field, type_: GraphQLOutputType, namespace: dict[str, Any], var: str, *, nullable: bool
    ) -> str:
        helper = f"h{next(self._counter)}"
        if isinstance(type_, GraphQLList):
            item = f"i{next(self._counter)}"
            inner = self._value(field, type_.of_type, namespace, item)
            body, check = f"[{inner} for {item} in {var}]", f"type({var}) is list"
        elif isinstance(type_, GraphQLScalarType) and vars(type_).get("serialize") is strings_only:
            body, check = var, f"type({var}) is str"  # the exact type a JSON string decodes to: no call
        elif isinstance(type_, GraphQLScalarType) and type_.name not in SCALAR_CHECKS and checks_output(type_):
            namespace[helper] = functools.partial(accepts, type_)
            body, check = var, f"{helper}({var})"
        elif isinstance(type_, GraphQLScalarType):
            template = SCALAR_CHECKS.get(type_.name)
            body, check = var, (template.format(v=var) if template else "True")
        elif isinstance(type_, GraphQLEnumType):
            namespace[helper] = frozenset(type_.values)
            body, check = var, f"(type({var}) is str and {var} in {helper})"  # a list or dict is not hashable
        else:
            selection = field.selection
            assert selection is not None
            namespace[helper] = self._object_function(selection)
            body, check = f"{helper}({var}, V, m, C)", f"type({var}) is dict"
        if nullable:
            return f"(None if {var} is None else ({body} if {check} else _fallback()))"
        return f"({body} if {check} else _fallback())"

    def _object_function(self, selection: Selection) -> ObjectProjector:
        if not selection.abstract:
            return self.projector(selection, selection.type_name)
        table: dict[str, ObjectProjector] = {}
        for type_name in selection.by_type:
            if isinstance(self.schema.get_type(type_name), GraphQLObjectType) or type_name == selection.type_name:
                table[type_name] = _Lazy(self, selection, type_name)
        lookup = table.get

        def dispatch(value: dict[str, Any], variables: Any, release: Any, context: Any) -> dict[str, Any]:
            project = lookup(value.get("__typename"))  # type: ignore[arg-type]
            if project is None:
                raise Fallback
            return project(value, variables, release, context)

        return dispatch


class _Lazy:
    """A projector compiled on first use (an interface may have many object types, few seen)."""

    __slots__ = ("compiler", "function", "selection", "type_name")

    def __init__(self, compiler: Compiler, selection: Selection, type_name: str) -> None:
        self.compiler = compiler
        self.selection = selection
        self.type_name = type_name
        self.function: ObjectProjector | None = None

    def __call__(self, value: dict[str, Any], variables: Any, release: Any, context: Any) -> dict[str, Any]:
        function = self.function
        if function is None:
            function = self.function = self.compiler.projector(self.selection, self.type_name)
        return function(value, variables, release, context)


def _condition(when: Alternatives) -> str:
    alternatives = [
        " and ".join(f"V.get({name!r}) is {value!r}" for name, value in alternative) or "True" for alternative in when
    ]
    return " or ".join(f"({a})" for a in alternatives)
