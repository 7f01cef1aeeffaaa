"""GraphQL values in composition: read from the AST without a type, compared, and printed the way
`@apollo/composition` prints them (JavaScript numbers, JSON strings, enum values bare)."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from graphql.language import ast

from .schema import EnumType, InputObjectType, ListRef, NamedRef, NonNullRef, ScalarType, TypeRef

if TYPE_CHECKING:
    from .schema import Schema

INTEGER_STRING = re.compile(r"^-?(?:0|[1-9][0-9]*)$")


def value_from_ast(node: ast.ValueNode) -> Any:
    """The value as written; enum values become strings, as in graphql-js's untyped reading."""
    match node:
        case ast.NullValueNode():
            return None
        case ast.IntValueNode():
            return int(node.value)
        case ast.FloatValueNode():
            return float(node.value)
        case ast.StringValueNode() | ast.EnumValueNode():
            return node.value
        case ast.BooleanValueNode():
            return node.value
        case ast.ListValueNode():
            return [value_from_ast(v) for v in node.values]
        case ast.ObjectValueNode():
            return {f.name.value: value_from_ast(f.value) for f in node.fields}
        case _:
            raise ValueError(f"unexpected value {node.kind}")


def values_equal(a: Any, b: Any) -> bool:
    """JavaScript's deep equality of values (no `1 == True`)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(values_equal(value, b[key]) for key, value in a.items())
        )
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def js_number(number: float) -> str:
    """`String(number)` in JavaScript."""
    if isinstance(number, int):
        return str(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    if number < 0:
        return "-" + js_number(-number)
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)  # digits before the decimal point
    if whole == "0":
        stripped = fraction.lstrip("0")
        point = -(len(fraction) - len(stripped)) + (int(exponent) if exponent else 0)
        digits = stripped
    digits = digits.rstrip("0") or "0"
    size = len(digits)
    if size <= point <= 21:
        return digits + "0" * (point - size)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    sign = "+" if point - 1 >= 0 else "-"
    rest = "." + digits[1:] if size > 1 else ""
    return f"{digits[0]}{rest}e{sign}{abs(point - 1)}"


def js_string(value: str) -> str:
    """`JSON.stringify(value)`."""
    return json.dumps(value, ensure_ascii=False)


def value_to_string(value: Any, type_ref: TypeRef | None = None, schema: Schema | None = None) -> str:
    """A value in GraphQL syntax; with its type known, enum values print bare."""
    if value is None:
        return "null"
    if isinstance(type_ref, NonNullRef):
        return value_to_string(value, type_ref.of, schema)
    named = None
    if isinstance(type_ref, NamedRef) and schema is not None:
        named = schema.type(type_ref.name)
        if isinstance(named, ScalarType) and not named.built_in:
            type_ref, named = None, None
    if isinstance(value, list):
        element_type = type_ref.of if isinstance(type_ref, ListRef) else None
        return "[" + ", ".join(value_to_string(v, element_type, schema) for v in value) + "]"
    if isinstance(type_ref, ListRef):
        return value_to_string(value, type_ref.of, schema)
    if isinstance(value, dict):
        fields = named.fields if isinstance(named, InputObjectType) else {}
        return (
            "{"
            + ", ".join(
                f"{key}: {value_to_string(v, fields[key].type if key in fields else None, schema)}"
                for key, v in value.items()
            )
            + "}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if isinstance(named, EnumType):
            return value if value in named.values else js_string(value)
        if isinstance(named, ScalarType) and named.name == "ID" and INTEGER_STRING.match(value):
            return value
        return js_string(value)
    if isinstance(value, int | float):
        return js_number(value)
    return str(value)
