"""Operation → query plan: plain frozen data, cached, printable as Apollo's query-plan view."""

from .nodes import (
    Condition,
    EntityInput,
    Fetch,
    Flatten,
    InputField,
    InputSelection,
    Parallel,
    PlanNode,
    QueryPlan,
    Rename,
    Sequence,
)
from .planner import OperationLimit, QueryPlanner
from .printer import print_plan

__all__ = [
    "Condition",
    "EntityInput",
    "Fetch",
    "Flatten",
    "InputField",
    "InputSelection",
    "OperationLimit",
    "Parallel",
    "PlanNode",
    "QueryPlan",
    "QueryPlanner",
    "Rename",
    "Sequence",
    "print_plan",
]
