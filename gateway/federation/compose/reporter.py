"""Messages about an element that differs between subgraphs: `it has type "Int" in subgraph "a" but
type "String" in subgraph "b"` (Apollo's wording, so that users recognise them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import CompositionError, CompositionHint, subgraph_list

Sources = dict[int, Any]
Accessor = Callable[[Any, bool], str | None]
Printer = Callable[[str, str | None], str]


def _join(items: list[str], sep: str = ", ", first: str | None = None, last: str = " and ") -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return items[0] + (first or last) + items[1]
    return items[0] + (first or sep) + sep.join(items[1:-1]) + last + items[-1]


class MismatchReporter:
    def __init__(self, names: list[str], errors: list[CompositionError], hints: list[CompositionHint]) -> None:
        self.names = names
        self.errors = errors
        self.hints = hints

    def _distribution(
        self,
        supergraph_element: Any,
        sources: Sources,
        accessor: Accessor,
        supergraph_printer: Printer,
        other_printer: Printer,
        ignore: Callable[[Any], bool] | None,
        include_missing: bool,
    ) -> list[str]:
        groups: dict[str, list[str]] = {}

        def process(name: str, element: Any) -> None:
            if ignore is not None and ignore(element):
                return
            value = accessor(element, False)
            groups.setdefault(value or "", []).append(name)

        if include_missing:
            for i, name in enumerate(self.names):
                element = sources.get(i)
                if element is None:
                    groups.setdefault("", []).append(name)
                    continue
                process(name, element)
        else:
            for i, element in sources.items():
                if element is not None:
                    process(self.names[i], element)
        supergraph_value = (accessor(supergraph_element, True) if supergraph_element is not None else None) or ""
        like_supergraph = groups.get(supergraph_value)
        distribution = [
            supergraph_printer(supergraph_value, subgraph_list(like_supergraph) if like_supergraph else None)
        ]
        for value, names in groups.items():
            if value != supergraph_value:
                distribution.append(other_printer(value, subgraph_list(names)))
        return distribution

    def error(self, code: str, message: str, supergraph_element: Any, sources: Sources, accessor: Accessor) -> None:
        distribution = self._distribution(
            supergraph_element,
            sources,
            accessor,
            lambda value, names: f"{value} in {names}",
            lambda value, names: f"{value} in {names}",
            lambda element: not element,
            False,
        )
        self.errors.append(CompositionError(code, message + _join(distribution, " and ", " but ")))

    def error_with_specifics(
        self,
        code: str,
        message: str,
        supergraph_element: Any,
        sources: Sources,
        accessor: Accessor,
        supergraph_printer: Printer,
        other_printer: Printer,
        include_missing: bool = False,
    ) -> None:
        distribution = self._distribution(
            supergraph_element, sources, accessor, supergraph_printer, other_printer, None, include_missing
        )
        self.errors.append(CompositionError(code, message + distribution[0] + _join(distribution[1:], " and ")))

    def hint(
        self,
        code: str,
        message: str,
        supergraph_element: Any,
        sources: Sources,
        accessor: Accessor,
        supergraph_printer: Printer,
        other_printer: Printer,
        ignore: Callable[[Any], bool] | None = None,
        include_missing: bool = False,
        no_end_dot: bool = False,
    ) -> None:
        distribution = self._distribution(
            supergraph_element, sources, accessor, supergraph_printer, other_printer, ignore, include_missing
        )
        text = message + distribution[0] + _join(distribution[1:], " and ") + ("" if no_end_dot else ".")
        self.hints.append(CompositionHint(code, text))
