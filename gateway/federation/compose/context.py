"""`@fromContext(field: "$context { selection }")`: the context name and the selection it reads."""

from __future__ import annotations

import re
from typing import Any

IGNORED = r"(?:[\n\r\t ,]|#[^\n\r]*(?![^\n\r]))*"
CONTEXT_FIELD = re.compile(rf"^{IGNORED}\${IGNORED}([A-Za-z_]\w*(?!\w))([\s\S]*)$", re.ASCII)


def parse_context(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str):
        return None, None
    match = CONTEXT_FIELD.match(value)
    if match is None:
        return None, None
    return match.group(1), match.group(2)
