"""The projection's native tier: an object checked and projected in one pass of compiled code (msgspec).

For a (selection, object type) whose every field is unconditional and of a type msgspec can check
exactly as GraphQL does (built-in scalars, enums, lists, non-null, objects of the same kind below),
a msgspec `Struct` type is generated once, with a field per response key in the client's order.
`msgspec.convert` then reads the subgraphs' dict, checks every value and leaves out every key the
client did not ask for, in C. Where the response is written out as it is (`RequestContext.encoded`,
the HTTP answer), the struct is encoded to JSON at once and handed back as an `orjson.Fragment`,
which `orjson.dumps` copies into the answer: no dict of the response is built, walked and freed
again. Elsewhere `to_builtins` gives the object back as a dict. That replaces the generated Python
of `compiled.py` (one dict lookup, check and store per value in the interpreter) for the records of
a page, where most of the projection's time goes.

It never changes an answer. Anything it cannot decide exactly raises inside msgspec and the object
is redone by the compiled and then the general path (`projection.py`), which produce the exact
nulls and errors: a value of the wrong type, a null in a non-null position, a missing key, an
unknown `__typename`, an object below that carries its own `Release` (each nested struct has a
guard field under `RELEASE` that accepts only its absence). Release categories are decided as the
compiled path does: when the object's `Release` allows every category the selection touches, each
category with a non-empty value is recorded as released (read from the subgraphs' dict: once it
converted, the projected values are those values); otherwise the compiled path handles the
withholding. Computed fields (vumID) are computed in Python and checked against their type.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Literal

import msgspec
import orjson
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
from ..operation import ALWAYS, Field, Selection
from .computing import required_names
from .scalars import checks_output, strings_only

MIN_INT, MAX_INT = -(2**31), 2**31 - 1
BUILT_IN: dict[str, Any] = {
    "String": str,
    "ID": str | int,
    "Int": Annotated[int, msgspec.Meta(ge=MIN_INT, le=MAX_INT)],
    "Float": int | float,  # an integral Float stays as the subgraph wrote it, as on the other paths
    "Boolean": bool,
}
# an object's projection: a dict, or its JSON (`encoded`); None where the compiled path must do it
NativeProjector = Callable[[dict[str, Any], Any, Any], dict[str, Any] | orjson.Fragment | None]
_NAMES = itertools.count()


class Unsupported(Exception):
    """The selection has something the native tier does not decide; the compiled path does."""


class NativeCompiler:
    """Struct types and native projectors for one API schema (and its computed fields and release rules)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        computed: Mapping[tuple[str, str], ComputedField],
        release: ReleaseRules | None,
        key: object,
    ) -> None:
        self.schema = schema
        self.computed = computed
        self.release = release
        self._key = ("native", key)  # this compiler's entry in a selection's `derived`

    def projector(self, selection: Selection, type_name: str, encoded: bool = False) -> NativeProjector | None:
        """The native projector of objects of `type_name` for `selection` (giving JSON when
        `encoded`), or None where it does not apply; decided once and kept on the selection."""
        key = (self._key, type_name, encoded)
        if key not in selection.derived:
            try:
                selection.derived[key] = self._projector(selection.fields(type_name), type_name, encoded)
            except Unsupported:
                selection.derived[key] = None
        return selection.derived[key]  # type: ignore[no-any-return]

    def _projector(self, fields: tuple[Field, ...], type_name: str, encoded: bool) -> NativeProjector:
        computed = [(f, self.computed[type_name, f.name]) for f in fields if (type_name, f.name) in self.computed]
        struct = self._struct(fields, type_name, guarded=False, computed={f.key for f, _ in computed})
        categories = self._categories(fields, type_name)
        required = frozenset(categories)
        attribute = dict(zip(struct.__struct_encode_fields__, struct.__struct_fields__, strict=True))  # key -> name
        computed_keys = {f.key for f, _ in computed}
        evidence = [  # a computed value is not in the subgraphs' dict: read from the struct
            (
                category,
                _finder([p for p in paths if p[0] not in computed_keys]),
                tuple(attribute[p[0]] for p in paths if p[0] in computed_keys),
            )
            for category, paths in categories.items()
        ]
        compute = [(attribute[f.key], self._computer(f, c), _checker(self._type(f, f.type))) for f, c in computed]
        convert, error = msgspec.convert, msgspec.ValidationError
        output: Callable[[Any], Any] = _encoder() if encoded else msgspec.to_builtins

        def project(value: dict[str, Any], release: Any, context: Any) -> Any:
            release = value.get(RELEASE, release)
            if release is not None and not required <= release.allowed:
                return None  # something is withheld: the compiled path records it
            try:
                projected = convert(value, struct)
                for name, computer, check in compute:
                    setattr(projected, name, check(computer(value, context)))
            except error:
                return None
            if release is not None:
                release.released.update(
                    category
                    for category, found, names in evidence
                    if found(value) or any(not empty(getattr(projected, name)) for name in names)
                )
            return output(projected)

        return project

    def _computer(self, field: Field, computed: ComputedField) -> Callable[[dict[str, Any], Any], Any]:
        pairs = tuple((name, computed_key(field.key, name)) for name in required_names(computed))
        compute = computed.compute
        return lambda value, context: compute({n: value.get(k) for n, k in pairs}, value, context)

    def _struct(self, fields: tuple[Field, ...], type_name: str, *, guarded: bool, computed: set[str]) -> Any:
        """A Struct with a field per response key (named f0, f1, ... and renamed to the key)."""
        definitions: list[tuple[Any, ...]] = []
        rename: dict[str, str] = {}
        for index, field in enumerate(fields):
            if field.when is not ALWAYS or field.denied:
                raise Unsupported
            name = f"f{index}"
            rename[name] = field.key
            if field.is_typename:
                definitions.append((name, Literal[type_name], type_name))
            elif field.key in computed:
                definitions.append((name, Any, None))  # set after the conversion, checked then
            elif (type_name, field.name) in self.computed:
                raise Unsupported  # computed below the projected object: the compiled path computes it
            else:
                definitions.append((name, self._type(field, field.type)))
        if guarded:  # an object below with a Release of its own: the general path applies it
            definitions.append(("guard", msgspec.UnsetType, msgspec.UNSET))
            rename["guard"] = RELEASE
        return msgspec.defstruct(f"{type_name}_{next(_NAMES)}", definitions, kw_only=True, rename=rename)

    def _type(self, field: Field, type_: GraphQLOutputType) -> Any:
        """The msgspec type that accepts exactly what the projection keeps at this position."""
        if isinstance(type_, GraphQLNonNull):
            return self._nullable(field, type_.of_type)
        return self._nullable(field, type_) | None

    def _nullable(self, field: Field, type_: GraphQLOutputType) -> Any:
        if isinstance(type_, GraphQLList):
            return list[self._type(field, type_.of_type)]  # type: ignore[misc]
        if isinstance(type_, GraphQLScalarType):
            return self._scalar(type_)
        if isinstance(type_, GraphQLEnumType):
            return Literal[tuple(type_.values)]
        selection = field.selection
        if not isinstance(type_, GraphQLObjectType) or selection is None or selection.abstract:
            raise Unsupported  # an interface or union: the compiled path dispatches on __typename
        key = (self._key, "struct")
        if key not in selection.derived:
            fields = selection.fields(type_.name)
            selection.derived[key] = self._struct(fields, type_.name, guarded=True, computed=set())
        return selection.derived[key]

    def _scalar(self, type_: GraphQLScalarType) -> Any:
        if type_.name in BUILT_IN:
            return BUILT_IN[type_.name]
        if vars(type_).get("serialize") is strings_only:
            return str
        if checks_output(type_):
            raise Unsupported  # its own check runs in Python: the compiled path calls it
        return Any

    def _categories(self, fields: tuple[Field, ...], type_name: str) -> dict[str, list[tuple[str, ...]]]:
        """For each release category below: the paths (response keys) of its fields, shallowest first."""
        found: dict[str, list[tuple[str, ...]]] = {}
        for field in fields:
            category = self.release.category(type_name, field.name) if self.release else None
            if category is not None:
                found.setdefault(category, []).append((field.key,))
        for field in fields:
            if field.selection is not None and not field.is_typename:
                below = self._categories(field.selection.fields(field.type_name), field.type_name)
                for category, paths in below.items():
                    found.setdefault(category, []).extend((field.key, *path) for path in paths)
        return found


def _encoder() -> Callable[[Any], orjson.Fragment]:
    encode, fragment = msgspec.json.Encoder().encode, orjson.Fragment
    return lambda projected: fragment(encode(projected))


def _checker(type_: Any) -> Callable[[Any], Any]:
    """`convert(value, type_)` with the type's check built once: for a type that is not a Struct
    (`str | int`, a list) msgspec would build it again at every call."""
    holder: Any = msgspec.defstruct(f"Computed_{next(_NAMES)}", [("value", type_)], array_like=True)
    convert = msgspec.convert
    return lambda value: convert((value,), holder).value


def _finder(paths: list[tuple[str, ...]]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether any value at these paths (lists walked) is non-empty: the category left. A path of
    one key, most of them, is one lookup."""
    shallow = tuple(path[0] for path in paths if len(path) == 1)
    deep = tuple(path for path in paths if len(path) > 1)

    def found(value: Mapping[str, Any]) -> bool:
        return any(not empty(value.get(key)) for key in shallow) or any(
            not empty(item) for path in deep for item in _at(value, path)
        )

    return found


def _at(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _at(item, path)
    elif isinstance(value, dict):
        yield from _at(value.get(path[0]), path[1:])
