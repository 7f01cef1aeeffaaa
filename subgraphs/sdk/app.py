"""An organisation adapter as a subgraph over HTTP: the strawberry schema and the Starlette app."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from vumschema import ORGANISATION, Contract, load_contract
from vumschema.constraints import ValueChecker

from .adapter import Adapter, SearchResult
from .geo import PostcodeTable
from .selectievraag import (
    EXTENSIONS,
    Record,
    Selectievraag,
    SelectievraagError,
    parse_vacature_vraag,
    parse_werkzoekende_vraag,
)
from .types import ContractTypes, contract_types, plain

log = logging.getLogger("vum.subgraph")

DEFAULT_MAX_RESULTS = 100  # VUM: a source returns at most 100 matches per selectievraag by default


@dataclass(frozen=True)
class SubgraphSettings:
    """Configuration every organisation subgraph has."""

    name: str
    postcodes: Path
    max_results: int = DEFAULT_MAX_RESULTS
    unsupported_extensions: frozenset[str] = frozenset()  # besides what the adapter declares

    def __post_init__(self) -> None:
        if not 1 <= self.max_results <= 1000:
            raise ValueError("max_results must be between 1 and 1000")
        unknown = self.unsupported_extensions - EXTENSIONS
        if unknown:
            raise ValueError(f"unknown extension criteria: {', '.join(sorted(unknown))}")


def source_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


class SourceService:
    """The source side of VUM for one adapter: parse, check, search, cap, re-check."""

    def __init__(self, adapter: Adapter, table: PostcodeTable, settings: SubgraphSettings, contract: Contract) -> None:
        self.adapter = adapter
        self.table = table
        self.settings = settings
        self.checker = ValueChecker(contract, wire=True)
        self.unsupported = adapter.unsupported_extensions | settings.unsupported_extensions

    def _parse(
        self, input_type: str, values: Any, parse: Callable[[Mapping[str, Any], PostcodeTable], Selectievraag]
    ) -> Selectievraag:
        plain_values = plain(values)
        problems = self.checker.check(input_type, plain_values, "selectievraag")
        if problems:
            raise source_error("; ".join(problems), "BAD_USER_INPUT")
        try:
            vraag = parse(plain_values, self.table)
        except SelectievraagError as error:
            raise source_error(str(error), "BAD_USER_INPUT") from error
        unsupported = sorted(vraag.extensions & self.unsupported)
        if unsupported:
            raise source_error(
                f"{self.settings.name} does not support: {', '.join(unsupported)}",
                "UNSUPPORTED_CRITERION",
                criteria=unsupported,
            )
        return vraag

    def _limit(self, maximum: Any) -> int:
        if isinstance(maximum, int):
            return max(1, min(maximum, self.settings.max_results))
        return self.settings.max_results

    def _answer(self, result: SearchResult, vraag: Selectievraag, limit: int, started: float) -> dict[str, Any]:
        matching = [record for record in result.records if vraag.matches(record)]
        if len(matching) < len(result.records):
            log.warning(
                "%s: adapter returned %d records that do not match the selectievraag; dropped",
                self.settings.name,
                len(result.records) - len(matching),
            )
        more = result.more or len(matching) > limit
        log.info(
            "%s: %s search, %d matches%s in %.1f ms",
            self.settings.name,
            vraag.soort,
            min(len(matching), limit),
            " (cap reached)" if more else "",
            (time.perf_counter() - started) * 1000,
        )
        return {"maximumAantalResultatenBereikt": more, "matches": matching[:limit]}

    async def werkzoekende_matches(
        self, info: strawberry.Info, selectievraag: Any, maximumAantal: Any = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        vraag = self._parse("WerkzoekendeSelectievraag", selectievraag, parse_werkzoekende_vraag)
        limit = self._limit(maximumAantal)
        return self._answer(await self.adapter.search_werkzoekenden(vraag, limit), vraag, limit, started)

    async def vacature_matches(
        self, info: strawberry.Info, selectievraag: Any, maximumAantal: Any = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        vraag = self._parse("VacatureSelectievraag", selectievraag, parse_vacature_vraag)
        limit = self._limit(maximumAantal)
        return self._answer(await self.adapter.search_vacatures(vraag, limit), vraag, limit, started)

    async def werkzoekende(self, info: strawberry.Info, idWerkzoekende: str) -> Record | None:
        return await self.adapter.get_werkzoekende(idWerkzoekende)

    async def vacature(self, info: strawberry.Info, idVacature: str) -> Record | None:
        return await self.adapter.get_vacature(idVacature)


def read_field(obj: Any, name: str) -> Any:
    """Strawberry's default resolver for records that are plain dicts (the standard's JSON)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _is_expected(error: GraphQLError) -> bool:
    """Errors raised on purpose (and GraphQL's own) are shown; anything else is masked."""
    return error.original_error is None or isinstance(error.original_error, GraphQLError | ValueError)


def _masking() -> MaskErrors:
    return MaskErrors(
        should_mask_error=lambda error: not _is_expected(error), error_message="internal error in the source"
    )


def build_schema(types: ContractTypes, handlers: Mapping[str, Any]) -> strawberry.federation.Schema:
    """A federation schema of the contract types with the given root field handlers."""
    query = types.query_type(handlers) if handlers else None
    return strawberry.federation.Schema(
        query=query,
        types=types.object_types(),
        config=StrawberryConfig(auto_camel_case=False, default_resolver=read_field, scalar_map=types.scalars),
        extensions=[_masking],
    )


def organisation_schema(service: SourceService, contract: Contract) -> strawberry.federation.Schema:
    types = contract_types(contract, ORGANISATION)
    handlers = {
        "bronWerkzoekendeProfielMatches": service.werkzoekende_matches,
        "bronWerkzoekendeProfiel": service.werkzoekende,
        "bronVacatureMatches": service.vacature_matches,
        "bronVacature": service.vacature,
    }
    return build_schema(types, handlers)


def http_app(
    schema: strawberry.federation.Schema, name: str, ready: Callable[[], Any], lifespan: Any = None
) -> Starlette:
    """Starlette app serving a subgraph schema at `/graphql`, with `/health` and `/ready`."""

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": name})

    async def readiness(request: Request) -> JSONResponse:
        ok = bool(await ready())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "subgraph": name}, status_code=200 if ok else 503
        )

    routes = [
        Route("/health", health),
        Route("/ready", readiness),
        Route("/graphql", GraphQL(schema), methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def create_app(adapter: Adapter, settings: SubgraphSettings, contract: Contract | None = None) -> Starlette:
    """The organisation subgraph for `adapter`, ready to serve with any ASGI server."""
    contract = contract or load_contract()
    service = SourceService(adapter, PostcodeTable.from_csv(settings.postcodes), settings, contract)
    schema = organisation_schema(service, contract)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await adapter.startup()
        log.info("%s: serving (max %d results per search)", settings.name, settings.max_results)
        try:
            yield
        finally:
            await adapter.shutdown()

    return http_app(schema, settings.name, adapter.ready, lifespan)


__all__ = ["EXTENSIONS", "SourceService", "SubgraphSettings", "create_app"]
