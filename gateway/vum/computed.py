"""The gateway's own fields on the records, as the runtime's computed fields.

`vumID` is the pseudonym of (source, record id, search, asking organisation) (`gateway/pseudonym`).
The supergraph gives it to the `gateway` subgraph, so the planner never asks a source for it; it
plans the record's id (which `vumID` requires, wherever it lives) and the projection calls
`compute` with it. The source is on the record (`hooks.BRON`, put there when its source
answered) and the search on the request (`PSEUDONYMS`). The issued vumID stays on the record
(`VUM_ID`) for the processing log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..federation import ComputedField
from ..federation.execution.hooks import RequestContext
from ..plan.planner import KINDS

BRON = "__vum_bron"  # the tree key of a record's source (bronID): no GraphQL name starts with __
VUM_ID = "__vum_id"  # the tree key of the vumID issued for a record
RECORD_ID = "__vum_record_id"  # the tree key of the record's own id at its source (for the log)
PSEUDONYMS = "vum.pseudonyms"  # RequestContext attribute: issues a record's vumID, see `Issuer`

Issuer = Callable[[str, str, str], str]  # (record kind, bronID, record id) -> vumID


def _vum_id(kind: str, id_field: str) -> Callable[[Mapping[str, Any], Mapping[str, Any], Any], Any]:
    def compute(values: Mapping[str, Any], record: Mapping[str, Any], context: RequestContext) -> Any:
        found = record.get(VUM_ID)
        if found is None:
            issue: Issuer = context.attributes[PSEUDONYMS]
            found = issue(kind, record[BRON], values[id_field])
            if isinstance(record, dict):
                record[VUM_ID] = found
        return found

    return compute


def computed_fields() -> list[ComputedField]:
    """`vumID` of each kind's search result (a detail's `vumID` is the one asked for)."""
    return [ComputedField(k.match_type, "vumID", k.id_field, _vum_id(k.name, k.id_field)) for k in KINDS.values()]
