"""Plans printed as Apollo's query-plan view prints them (`vum-gateway plan`, snapshot tests)."""

from __future__ import annotations

from typing import assert_never

from ..operation import ALWAYS
from .nodes import Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from .planner import EntityPlan


def print_plan(plan: QueryPlan | EntityPlan) -> str:
    if plan.node is None:
        return "QueryPlan {}"
    return "QueryPlan {\n" + _node(plan.node, 1) + ",\n}"


def _node(node: PlanNode, depth: int) -> str:
    pad = "  " * depth
    match node:
        case Fetch():
            body = _indent(node.pretty, depth + 1)
            return f'{pad}Fetch(service: "{node.subgraph}") {{\n{body}\n{pad}}}'
        case Flatten():
            path = ".".join(node.path)
            return f'{pad}Flatten(path: "{path}") {{\n{_node(node.node, depth + 1)},\n{pad}}}'
        case Sequence() | Parallel():
            name = "Sequence" if isinstance(node, Sequence) else "Parallel"
            inner = "".join(_node(child, depth + 1) + ",\n" for child in node.nodes)
            return f"{pad}{name} {{\n{inner}{pad}}}"
        case Condition():
            return f"{pad}{_condition(node)} {{\n{_node(node.node, depth + 1)}\n{pad}}}"
        case _:
            assert_never(node)


def _condition(node: Condition) -> str:
    when = node.when
    if when is not ALWAYS and len(when) == 1 and len(when[0]) == 1:
        name, value = when[0][0]
        return f"{'Include' if value else 'Skip'}(if: ${name})"
    alternatives = " || ".join(
        " && ".join(f"{'' if value else '!'}${name}" for name, value in alternative) for alternative in when
    )
    return f"Condition(if: {alternatives})"


def _indent(text: str, depth: int) -> str:
    pad = "  " * depth
    return "\n".join(pad + line if line else line for line in text.split("\n"))
