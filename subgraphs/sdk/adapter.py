"""What a vendor writes to connect an organisation: a small data-access class.

An adapter searches its backend with a parsed `Selectievraag` and fetches one record by id.
Records are the VUM standard's JSON (`Werkzoekende` / `Vacature` as in koppelvlak 3.0). The SDK
does everything else: the GraphQL schema, parsing and checking the selectievraag, the result
cap, and re-checking every record the adapter returns against the selectievraag.
"""

from __future__ import annotations

import difflib
import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vumschema import load_contract
from vumschema.constraints import ValueChecker
from vumschema.policy import CONSENT_FIELD, ConsentError, read_toestemming

from .selectievraag import Record, Selectievraag, first_sorted

log = logging.getLogger("vum.adapter")


@dataclass(frozen=True)
class SearchResult:
    """Records matching a selectievraag, at most the limit asked; `more` when the backend has more."""

    records: Sequence[Record]
    more: bool = False


HOOKS = ("search_werkzoekenden", "get_werkzoekende", "search_vacatures", "get_vacature", "startup", "shutdown", "ready")
OPERATIONS = HOOKS[:4]  # what the gateway asks; an adapter implements each (an empty answer is an answer)


class Adapter:
    """Base class of an organisation adapter. Override what the organisation's backend holds.

    The four operations raise `NotImplementedError` until overridden, so one the vendor forgot is
    reported to the gateway (as `NOT_IMPLEMENTED`, naming it) instead of answering "nothing"; an
    organisation without vacancies says so by returning `SearchResult(())` and None. A method whose
    name is close to one of these but not it (a misspelling, never called) fails at class
    definition, and so does an operation that is not `async def`.

    `unsupported_extensions` names the extension criteria (see `EXTENSIONS`) the backend cannot
    answer; a selectievraag using one is refused with UNSUPPORTED_CRITERION instead of answered
    wrongly.
    """

    unsupported_extensions: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in vars(cls).items():
            if name.startswith("_") or not callable(member):
                continue
            if name in HOOKS:
                if not inspect.iscoroutinefunction(member):
                    raise TypeError(f"{cls.__name__}.{name} must be `async def`, as Adapter.{name} is")
                continue
            near = difflib.get_close_matches(name, HOOKS, n=1, cutoff=0.8)
            if near:
                raise TypeError(
                    f"{cls.__name__}.{name} is not a method of Adapter, so it would never be called: "
                    f"did you mean {near[0]}?"
                )

    def _not_implemented(self, name: str, empty: str) -> NotImplementedError:
        return NotImplementedError(
            f"{type(self).__name__}.{name} is not implemented: override it "
            f"(return {empty} if the organisation holds none)"
        )

    def missing_operations(self) -> list[str]:
        """The operations this adapter leaves to the base class (they would raise)."""
        return [name for name in OPERATIONS if getattr(type(self), name) is getattr(Adapter, name)]

    async def startup(self) -> None:
        """Open connections, load files. Called once before the subgraph serves."""

    async def shutdown(self) -> None:
        """Release what `startup` opened."""

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        """Job-seeker profiles matching `vraag`: at most `limit`, in a stable order."""
        raise self._not_implemented("search_werkzoekenden", "SearchResult(())")

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        """The complete profile with this id, or None."""
        raise self._not_implemented("get_werkzoekende", "None")

    async def search_vacatures(self, vraag: Selectievraag, limit: int) -> SearchResult:
        """Vacancies matching `vraag`: at most `limit`, in a stable order."""
        raise self._not_implemented("search_vacatures", "SearchResult(())")

    async def get_vacature(self, id_vacature: str) -> Record | None:
        """The complete vacancy with this id, or None."""
        raise self._not_implemented("get_vacature", "None")

    async def ready(self) -> bool:
        """True when the backend can answer (used by `/ready`)."""
        return True


class InMemoryAdapter(Adapter):
    """Records held in memory and searched with the SDK's own evaluation of the selectievraag."""

    def __init__(self, werkzoekenden: Iterable[Record] = (), vacatures: Iterable[Record] = ()) -> None:
        self.replace(werkzoekenden, vacatures)

    def replace(self, werkzoekenden: Iterable[Record], vacatures: Iterable[Record]) -> None:
        self.werkzoekenden = {str(r["idWerkzoekende"]): r for r in werkzoekenden}
        self.vacatures = {str(r["idVacature"]): r for r in vacatures}

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        records, more = first_sorted(list(self.werkzoekenden.values()), "idWerkzoekende", vraag, limit)
        return SearchResult(records, more)

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        return self.werkzoekenden.get(id_werkzoekende)

    async def search_vacatures(self, vraag: Selectievraag, limit: int) -> SearchResult:
        records, more = first_sorted(list(self.vacatures.values()), "idVacature", vraag, limit)
        return SearchResult(records, more)

    async def get_vacature(self, id_vacature: str) -> Record | None:
        return self.vacatures.get(id_vacature)


# Computed by the SDK for each caller; never stored with a record.
PER_CALLER_FIELDS = frozenset({("Werkzoekende", "toestemmingen"), ("WerkzoekendeProfielMatch", "toestemmingen")})


def _problems(checker: ValueChecker, type_name: str, record: Any, path: str) -> list[str]:
    if not isinstance(record, Mapping):
        return [f"{path}: not an object"]
    standard = {key: value for key, value in record.items() if key != CONSENT_FIELD}
    problems = checker.check(type_name, standard, path)
    if CONSENT_FIELD in record:
        if type_name != "Werkzoekende":
            problems.append(f"{path}.{CONSENT_FIELD}: only job seekers carry consent")
        else:
            try:
                read_toestemming(record[CONSENT_FIELD])
            except ConsentError as error:
                problems.append(f"{path}.{error}")
    return problems


def valid_records(records: Iterable[Any], type_name: str, source: str) -> list[dict[str, Any]]:
    """The records that conform to the standard; the others are logged (by position) and skipped.

    `type_name` is `Werkzoekende` or `Vacature`. A job seeker's record may carry its consent in
    `toestemming` (see `vumschema.policy`); without it the job seeker is never shown to other
    organisations. The log names the problem and the record's position, never its content.
    """
    checker = ValueChecker(load_contract(), wire=True, skip=PER_CALLER_FIELDS)
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    id_field = "idWerkzoekende" if type_name == "Werkzoekende" else "idVacature"
    for position, record in enumerate(records):
        problems = _problems(checker, type_name, record, f"{type_name}[{position}]")
        if not problems and record[id_field] in seen:
            problems = [f"{type_name}[{position}].{id_field}: duplicate id"]
        if problems:
            log.warning("%s: skipped an invalid record: %s", source, "; ".join(problems[:3]))
            continue
        seen.add(record[id_field])
        kept.append(dict(record))
    return kept
