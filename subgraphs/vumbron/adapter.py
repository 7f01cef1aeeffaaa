"""An organisation that already serves the VUM-Bron contracts (koppelvlak 3.0), as a subgraph.

A search is sent on as a `vraagObject` (`POST {base}/werkzoekendeProfielen/matches`, with the
X-VUM headers), a detail lookup as `GET {base}/werkzoekendeProfielen/{idWerkzoekende}`; vacancies
likewise. What comes back is checked: records that do not conform to the standard are dropped
(and logged), and the SDK re-checks every match against the selectievraag. The source's own cap
is honoured (its `maximumAantalResultatenBereikt` is passed on), and every call has a timeout
shorter than the gateway's, so a slow source is reported with a clear message.

The Bron contracts know none of this project's extension criteria, so the adapter declares them
all unsupported; the SDK then reports UNSUPPORTED_CRITERION instead of answering wrongly.

Consent: the standard has none on a Bron record. A VUM source decides itself what it shares with
whom, told by `X-VUM-SUWIparty` whether the asking party is a SUWI party; what it returns is what
it has decided to share. So the adapter marks every job seeker it returns as consented in every
category, recorded by the source (its OIN, dated today), and the SDK releases what the source
shared, still capped by the caller's role, scopes and SUWI status (`vumschema.policy`). Without
the mark the SDK's opt-in rule would hide every record from every other organisation.
`X-VUM-SUWIparty` is the caller's own SUWI status when the app is built by
`create_vumbron_app` (see `caller.py`); otherwise the configured `suwi_party`.

Both calls only read, so one that fails on a pooled connection the source closed as the request
went out (its idle keep-alive ran out) is sent once more on a new connection: aiohttp does so for
the GET itself, the adapter for the search's POST. A source that cannot be reached is not retried.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from graphql import GraphQLError

from subgraphs.sdk.adapter import Adapter, SearchResult, valid_records
from subgraphs.sdk.app import source_error
from subgraphs.sdk.selectievraag import EXTENSIONS, Record, Selectievraag
from vumschema.koppelvlak import SUWI_PARTY
from vumschema.policy import CONSENT_FIELD, Toestemming, write_toestemming

from .caller import current_caller
from .headers import BronParties
from .vraagobject import vacature_vraag_object, werkzoekende_vraag_object

log = logging.getLogger("vum.subgraph.vumbron")

DEFAULT_TIMEOUT = 4.0  # seconds; below the gateway's default 5 s per source, so this message arrives
KEEPALIVE_SECONDS = 4.0  # idle connections dropped before common servers (uvicorn: 5 s) drop them
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_MESSAGE = 300
# Idle connections are closed before the source closes them (uvicorn: 5 s), so a request never
# goes out on a connection the source is just hanging up.
KEEPALIVE_SECONDS = 4.0


@dataclass(frozen=True)
class BronKind:
    """One resource of the Bron contracts."""

    path: str
    type_name: str
    id_field: str
    vraag_object: Callable[[Mapping[str, Any]], dict[str, Any]]
    personal: bool  # job seekers: their release depends on consent


WERKZOEKENDEN = BronKind("werkzoekendeProfielen", "Werkzoekende", "idWerkzoekende", werkzoekende_vraag_object, True)
VACATURES = BronKind("vacatures", "Vacature", "idVacature", vacature_vraag_object, False)


class VumBronAdapter(Adapter):
    """Answers from an existing VUM source over its Bron REST API."""

    unsupported_extensions = EXTENSIONS

    def __init__(
        self,
        base_url: str,
        from_party_oin: str,
        to_party_oin: str,
        *,
        via_party_oin: str | None = None,
        suwi_party: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        name: str = "vumbron",
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the source's base URL must start with http:// or https://")
        if timeout <= 0:
            raise ValueError("the timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.parties = BronParties(from_party_oin, to_party_oin, via_party_oin or from_party_oin, suwi_party)
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.name = name
        self._session: aiohttp.ClientSession | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def startup(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            headers=self.parties.headers(),
            json_serialize=lambda value: orjson.dumps(value).decode(),
        )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("VumBronAdapter.startup() was not called")
        return self._session

    # -- the four operations ----------------------------------------------------------------

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        return await self._search(WERKZOEKENDEN, vraag, limit)

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        return await self._get(WERKZOEKENDEN, id_werkzoekende)

    async def search_vacatures(self, vraag: Selectievraag, limit: int) -> SearchResult:
        return await self._search(VACATURES, vraag, limit)

    async def get_vacature(self, id_vacature: str) -> Record | None:
        return await self._get(VACATURES, id_vacature)

    async def _search(self, kind: BronKind, vraag: Selectievraag, limit: int) -> SearchResult:
        status, body = await self._call(
            "POST", f"/{kind.path}/matches", {"vraagObject": kind.vraag_object(vraag.values)}
        )
        if status != 200:
            raise self._refusal(status, body)
        if not isinstance(body, dict) or not isinstance(body.get("matches"), list):
            raise source_error(f"{self.name}: the VUM source's answer lacks its matches", "INVALID_SOURCE_DATA")
        records = self._shared(kind, valid_records(body["matches"], kind.type_name, self.name))
        more = body.get("maximumAantalResultatenBereikt") is True or len(records) > limit
        return SearchResult(records[:limit], more)

    async def _get(self, kind: BronKind, record_id: str) -> Record | None:
        status, body = await self._call("GET", f"/{kind.path}/{quote(record_id, safe='')}")
        if status == 404:  # the Bron contract has no answer for an unknown id; 404 is what REST uses
            return None
        if status != 200:
            raise self._refusal(status, body)
        records = self._shared(kind, valid_records([body], kind.type_name, self.name))
        if not records:
            raise source_error(f"{self.name}: the VUM source's record does not conform", "INVALID_SOURCE_DATA")
        return records[0]

    def _shared(self, kind: BronKind, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records as shared by the source: job seekers consented in every category (see above)."""
        if not kind.personal:
            return records
        consent = write_toestemming(Toestemming.everything(datetime.date.today(), self.parties.to_party))
        return [{**record, CONSENT_FIELD: consent} for record in records]

    def _suwi_party(self) -> dict[str, str]:
        """X-VUM-SUWIparty for this request: the caller's status when known, else the configured one."""
        caller = current_caller()
        suwi = caller.suwi if caller is not None else self.parties.suwi_party
        return {SUWI_PARTY: "true" if suwi else "false"}

    # -- HTTP -------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        """Status and JSON body of one call to the source, within the timeout."""
        try:
            async with asyncio.timeout(self.timeout):
                status, raw = await self._request(method, path, payload)
        except TimeoutError:
            raise source_error(
                f"{self.name}: the VUM source did not answer within {self.timeout:g} s", "SOURCE_TIMEOUT"
            ) from None
        except aiohttp.ClientError as error:
            raise source_error(
                f"{self.name}: the VUM source is unreachable ({type(error).__name__})", "SOURCE_UNAVAILABLE"
            ) from None
        try:
            return status, orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError:
            raise source_error(
                f"{self.name}: the VUM source answered HTTP {status} without JSON", "INVALID_SOURCE_DATA"
            ) from None

    async def _request(self, method: str, path: str, payload: Any) -> tuple[int, bytes]:
        """Status and body; sent once more when a stale pooled connection failed it (see above)."""
        try:
            return await self._request_once(method, path, payload)
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as error:
            if isinstance(error, aiohttp.ClientConnectorError):
                raise  # the source cannot be reached: asking again would not help
        return await self._request_once(method, path, payload)

    async def _request_once(self, method: str, path: str, payload: Any) -> tuple[int, bytes]:
        url = self.base_url + path
        async with self.session.request(method, url, json=payload, headers=self._suwi_party()) as answer:
            return answer.status, await self._read(answer)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise source_error(
                    f"{self.name}: the VUM source's answer exceeds {self.max_response_bytes} bytes",
                    "INVALID_SOURCE_DATA",
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _refusal(self, status: int, body: Any) -> GraphQLError:
        """A non-200 answer, with the source's own error (`{code, message}`) when it gave one."""
        said = ""
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            said = f": {body.get('code', '')} {body['message']}".rstrip()
        log.warning("%s: the VUM source answered HTTP %d", self.name, status)
        return source_error(f"{self.name}: the VUM source answered HTTP {status}{said}"[:MAX_MESSAGE], "SOURCE_ERROR")
