"""An organisation adapter as a subgraph over HTTP: the strawberry schema and the Starlette app."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from vumschema import ORGANISATION, Contract, load_contract
from vumschema import data as reference_data
from vumschema.constraints import ValueChecker
from vumschema.contract import directive_args
from vumschema.policy import (
    CONSENT_FIELD,
    MATCHPROFIEL,
    Caller,
    ConsentError,
    Toestemming,
    needed_scopes,
    read_toestemming,
    released_categories,
    role_categories,
    scopes_satisfied,
    stated_consent,
)
from vumschema.release import Releaser

from .adapter import Adapter, SearchResult
from .geo import PostcodeTable
from .identity import GatewayOnly, GatewayTokenVerifier, GatewayTrust
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

T = TypeVar("T")
DEFAULT_MAX_RESULTS = 100  # VUM: a source returns at most 100 matches per selectievraag by default


@dataclass(frozen=True)
class SubgraphSettings:
    """Configuration every organisation subgraph has.

    `oin` is the organisation's own OIN: the audience of the gateway's tokens, and how the SDK
    recognises the organisation's own mediators. `trust` names the gateway whose tokens are
    accepted; without it nothing is served. `anonymous_caller` lets calls without a token act as
    that caller: for benchmarks against other gateways only, never in production.
    """

    name: str
    postcodes: Path = reference_data.POSTCODES  # PC4 centroids for the selectiegebied's distance
    oin: str = "00000000000000000000"
    trust: GatewayTrust | None = None
    max_results: int = DEFAULT_MAX_RESULTS
    unsupported_extensions: frozenset[str] = frozenset()  # besides what the adapter declares
    anonymous_caller: Caller | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_results <= 1000:
            raise ValueError("max_results must be between 1 and 1000")
        unknown = self.unsupported_extensions - EXTENSIONS
        if unknown:
            raise ValueError(f"unknown extension criteria: {', '.join(sorted(unknown))}")


def source_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


# The public root field whose scopes a source field requires as well (checked at both ends).
ROOT_OF = {
    "bronWerkzoekendeProfielMatches": "werkzoekendeProfielMatches",
    "bronWerkzoekendeProfiel": "werkzoekendeProfiel",
    "bronVacatureMatches": "vacatureMatches",
    "bronVacature": "vacature",
}


def caller_of(info: strawberry.Info) -> Caller:
    """The caller the gateway's token named (set by `GatewayOnly`)."""
    caller = info.context["request"].scope.get("state", {}).get("caller")
    if not isinstance(caller, Caller):
        raise source_error("no caller: requests must come through the gateway", "UNAUTHENTICATED")
    return caller


class SourceService:
    """The source side of VUM for one adapter: parse, check, search, cap, re-check, release."""

    def __init__(self, adapter: Adapter, table: PostcodeTable, settings: SubgraphSettings, contract: Contract) -> None:
        self.adapter = adapter
        self.table = table
        self.settings = settings
        self.contract = contract
        self.checker = ValueChecker(contract, wire=True)
        self.unsupported = adapter.unsupported_extensions | settings.unsupported_extensions
        self.releaser = Releaser(contract)

    def _authorise(self, info: strawberry.Info, field: str) -> Caller:
        caller = caller_of(info)
        required = directive_args(self.contract.field("Query", ROOT_OF[field]), "requiresScopes")
        if required and not scopes_satisfied(required["scopes"], caller.scopes):
            needed = needed_scopes(required["scopes"])
            raise source_error(f"{ROOT_OF[field]} requires {needed}, which the caller does not have", "FORBIDDEN")
        return caller

    def _release_profile(self, record: Record, caller: Caller, type_name: str) -> dict[str, Any] | None:
        """What of one job seeker may reach this caller, with the consent stated; None if nothing."""
        try:
            consent = read_toestemming(record.get(CONSENT_FIELD))
        except ConsentError:
            log.warning("%s: a profile with malformed consent is treated as without consent", self.settings.name)
            consent = Toestemming()
        own = caller.oin == self.settings.oin
        released = released_categories(caller, consent, own_organisation=own)
        if MATCHPROFIEL not in released:
            return None
        result = self.releaser.release(type_name, record, released, caller.scopes)
        result["toestemmingen"] = sorted(stated_consent(caller, consent, own_organisation=own))
        return result

    def _release_vacancy(self, record: Record, caller: Caller, type_name: str) -> dict[str, Any] | None:
        released = role_categories(caller, vacancy=True)
        if MATCHPROFIEL not in released:
            return None
        return self.releaser.release(type_name, record, released, caller.scopes)

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

    async def _ask(self, operation: Awaitable[T]) -> T:
        """The adapter's answer; an operation it does not implement is named to the gateway."""
        try:
            return await operation
        except NotImplementedError as error:
            log.error("%s: %s", self.settings.name, error)
            raise source_error(f"{self.settings.name}: {error}", "NOT_IMPLEMENTED") from None

    def _limit(self, maximum: Any) -> int:
        if isinstance(maximum, int):
            return max(1, min(maximum, self.settings.max_results))
        return self.settings.max_results

    def _answer(
        self, result: SearchResult, vraag: Selectievraag, limit: int, started: float, release: Callable[[Record], Any]
    ) -> dict[str, Any]:
        matching = [record for record in result.records if vraag.matches(record)]
        if len(matching) < len(result.records):
            log.warning(
                "%s: adapter returned %d records that do not match the selectievraag; dropped",
                self.settings.name,
                len(result.records) - len(matching),
            )
        more = result.more or len(matching) > limit
        matching = [released for released in map(release, matching[:limit]) if released is not None]
        log.info(
            "%s: %s search, %d matches%s in %.1f ms",
            self.settings.name,
            vraag.soort,
            min(len(matching), limit),
            " (cap reached)" if more else "",
            (time.perf_counter() - started) * 1000,
        )
        return {"maximumAantalResultatenBereikt": more, "matches": matching}

    async def werkzoekende_matches(
        self, info: strawberry.Info, selectievraag: Any, maximumAantal: Any = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        caller = self._authorise(info, "bronWerkzoekendeProfielMatches")
        vraag = self._parse("WerkzoekendeSelectievraag", selectievraag, parse_werkzoekende_vraag)
        limit = self._limit(maximumAantal)
        result = await self._ask(self.adapter.search_werkzoekenden(vraag, limit))
        return self._answer(
            result, vraag, limit, started, lambda r: self._release_profile(r, caller, "WerkzoekendeProfielMatch")
        )

    async def vacature_matches(
        self, info: strawberry.Info, selectievraag: Any, maximumAantal: Any = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        caller = self._authorise(info, "bronVacatureMatches")
        vraag = self._parse("VacatureSelectievraag", selectievraag, parse_vacature_vraag)
        limit = self._limit(maximumAantal)
        result = await self._ask(self.adapter.search_vacatures(vraag, limit))
        return self._answer(result, vraag, limit, started, lambda r: self._release_vacancy(r, caller, "VacatureMatch"))

    async def record(
        self, info: strawberry.Info, type_name: str, representation: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """A search result by its key (`_entities`): the gateway asks the owner for the records of
        the page it shows. Same scopes and the same release as the search that found it, so the
        consent is read again now (withdrawn since: null, nothing of the record leaves)."""
        if type_name == "WerkzoekendeProfielMatch":
            caller = self._authorise(info, "bronWerkzoekendeProfielMatches")
            found = await self._ask(self.adapter.get_werkzoekende(str(representation.get("idWerkzoekende"))))
            return self._release_profile(found, caller, type_name) if found is not None else None
        if type_name == "VacatureMatch":
            caller = self._authorise(info, "bronVacatureMatches")
            found = await self._ask(self.adapter.get_vacature(str(representation.get("idVacature"))))
            return self._release_vacancy(found, caller, type_name) if found is not None else None
        raise source_error(f"this subgraph cannot resolve {type_name} entities", "BAD_USER_INPUT")

    async def werkzoekende(self, info: strawberry.Info, idWerkzoekende: str) -> Record | None:
        caller = self._authorise(info, "bronWerkzoekendeProfiel")
        record = await self._ask(self.adapter.get_werkzoekende(idWerkzoekende))
        return self._release_profile(record, caller, "Werkzoekende") if record is not None else None

    async def vacature(self, info: strawberry.Info, idVacature: str) -> Record | None:
        caller = self._authorise(info, "bronVacature")
        record = await self._ask(self.adapter.get_vacature(idVacature))
        return self._release_vacancy(record, caller, "Vacature") if record is not None else None


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
    types = contract_types(contract, ORGANISATION, record_resolver=service.record)
    handlers = {
        "bronWerkzoekendeProfielMatches": service.werkzoekende_matches,
        "bronWerkzoekendeProfiel": service.werkzoekende,
        "bronVacatureMatches": service.vacature_matches,
        "bronVacature": service.vacature,
    }
    return build_schema(types, handlers)


def http_app(
    schema: strawberry.federation.Schema,
    name: str,
    ready: Callable[[], Any],
    trust: GatewayTrust | None,
    anonymous: Caller | None = None,
    lifespan: Any = None,
) -> Starlette:
    """Starlette app serving a subgraph schema at `/graphql` (the gateway only), `/health`, `/ready`."""
    verifier = GatewayTokenVerifier(trust) if trust else None
    if anonymous is not None:
        log.warning("%s: calls without a gateway token act as %s (benchmark mode)", name, anonymous.role)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": name})

    async def readiness(request: Request) -> JSONResponse:
        ok = bool(await ready())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "subgraph": name}, status_code=200 if ok else 503
        )

    @asynccontextmanager
    async def with_verifier(app: Starlette) -> AsyncIterator[None]:
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            if verifier is not None:
                await verifier.close()

    routes = [
        Route("/health", health),
        Route("/ready", readiness),
        Route("/graphql", GraphQL(schema, graphql_ide=None), methods=["GET", "POST"]),
    ]
    return Starlette(
        routes=routes,
        lifespan=with_verifier,
        middleware=[Middleware(GatewayOnly, verifier=verifier, anonymous=anonymous)],
    )


def create_app(adapter: Adapter, settings: SubgraphSettings, contract: Contract | None = None) -> Starlette:
    """The organisation subgraph for `adapter`, ready to serve with any ASGI server."""
    contract = contract or load_contract()
    missing = adapter.missing_operations()
    if missing:
        log.warning(
            "%s: %s does not implement %s: the gateway's calls for them fail with NOT_IMPLEMENTED",
            settings.name,
            type(adapter).__name__,
            ", ".join(missing),
        )
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

    return http_app(schema, settings.name, adapter.ready, settings.trust, settings.anonymous_caller, lifespan)


__all__ = ["EXTENSIONS", "SourceService", "SubgraphSettings", "create_app"]
