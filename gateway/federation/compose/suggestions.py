"""`Did you mean "@shareable"?`: suggestions for misspelt names, as Apollo words them."""

from __future__ import annotations

from collections.abc import Iterable

from .printer import collation_key

MAX_SUGGESTIONS = 5


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def suggestion_list(given: str, options: Iterable[str]) -> list[str]:
    threshold = len(given) * 4 // 10 + 1
    distances: dict[str, int] = {}
    for option in options:
        distance = 1 if given.lower() == option.lower() else levenshtein(given, option)
        if distance <= threshold:
            distances[option] = distance
    return sorted(distances, key=lambda option: (distances[option], collation_key(option)))


def did_you_mean(suggestions: list[str]) -> str:
    quoted = [f'"{s}"' for s in suggestions]
    if not quoted:
        return ""
    if len(quoted) == 1:
        return f" Did you mean {quoted[0]}?"
    if len(quoted) == 2:
        return f" Did you mean {quoted[0]} or {quoted[1]}?"
    selected = quoted[:MAX_SUGGESTIONS]
    return " Did you mean " + ", ".join(selected[:-1]) + ", or " + selected[-1] + "?"
