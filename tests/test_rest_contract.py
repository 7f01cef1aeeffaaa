"""Calling the VUM REST APIs with every request and response validated against the contracts.

`ContractClient` sends a request over HTTP and checks both directions with openapi-core against
the official koppelvlak 3.0 contracts in tests/data/contracts: the request (unless a test
sends an invalid one on purpose, which must then be invalid), the response's status, body and the
headers the contract lists for that response. Towards the gateway it calls as a real caller: a
token of the test identity provider, the purpose, and X-VUM parties naming the token's
organisation. The tests here check the checker itself.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from vumschema.policy import Caller

from .conftest import CONTRACTS
from .issuer import MEDIATOR
from .issuer import TestIssuer as IdentityProvider  # aliased: pytest collects names starting with Test

BEMIDDELAAR = {
    "werkzoekendeProfielen": "VUM-Bemiddelaar-WerkzoekendeProfielen",
    "vacatures": "VUM-Bemiddelaar-Vacatures",
}
BRON = {"werkzoekendeProfielen": "VUM-Bron-WerkzoekendeProfielen", "vacatures": "VUM-Bron-Vacatures"}
BEMIDDELAAR_SERVER = "https://test.vumdevelopment.nl/api/v3"
BRON_SERVER = "https://bron.vumdevelopment.nl/api/v3"

MEDIATOR_OIN = MEDIATOR.oin  # the default caller's organisation: what its party headers must name
EXCHANGE_OIN = "00000001810207357000"  # the accreditation environment's test OIN


def party_headers(oin: str, via: str | None = None) -> dict[str, str]:
    """The X-VUM headers of a request sent by organisation `oin` (through verwerker `via`)."""
    return {
        "X-VUM-berichtVersie": "3.0.0",
        "API-Version": "3.0.0",
        "X-VUM-fromParty": oin,
        "X-VUM-toParty": EXCHANGE_OIN,
        "X-VUM-viaParty": via or oin,
    }


HEADERS = party_headers(MEDIATOR_OIN)


@functools.cache
def contract(name: str) -> OpenAPI:
    return OpenAPI.from_file_path(str(CONTRACTS / f"{name}.yaml"))


@functools.cache
def contract_document(name: str) -> dict[str, Any]:
    return yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def listed_headers(name: str, method: str, path: str, status: int) -> set[str]:
    """The response headers the contract lists for this operation and status."""
    paths = contract_document(name)["paths"]
    resource = path.strip("/").split("/")[0]
    template = f"/{resource}/matches" if method == "POST" else next(p for p in paths if p.startswith(f"/{resource}/{{"))
    response = paths[template][method.lower()]["responses"].get(str(status)) or {}
    return set(response.get("headers") or {})


@dataclass
class Exchange:
    """One validated request/response pair."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class ContractClient:
    """An HTTP client for a VUM REST API whose every exchange is validated against its contract.

    With an `issuer`, every request carries a fresh token of `caller` and its purpose (none when
    `caller` is None), and by default the X-VUM parties of the caller's organisation.
    """

    session: aiohttp.ClientSession
    base_url: str
    contracts: dict[str, str]
    server: str
    issuer: IdentityProvider | None = None
    caller: Caller | None = MEDIATOR

    def as_caller(self, caller: Caller | None) -> ContractClient:
        return replace(self, caller=caller)

    def credentials(self) -> dict[str, str]:
        return self.issuer.headers(self.caller) if self.issuer and self.caller else {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        valid_request: bool = True,
        all_headers: bool = True,
    ) -> Exchange:
        """Send the request; `valid_request=False` asserts the request breaks the contract.

        `all_headers=False` when the request lacks what a response header would answer with.
        `headers` replaces the X-VUM headers (and may replace the credentials).
        """
        parties = party_headers(self.caller.oin if self.caller else MEDIATOR_OIN)
        headers = {**self.credentials(), **(parties if headers is None else headers)}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        name = self.contracts[path.strip("/").split("/")[0]]
        request = self._mock_request(method, path, headers, data)
        self._check_request(name, request, valid_request)
        send_headers = {**headers, **({"Content-Type": "application/json"} if data is not None else {})}
        url = self.base_url.rstrip("/") + path
        async with self.session.request(method, url, data=data, headers=send_headers) as response:
            payload = await response.read()
            exchange = Exchange(response.status, dict(response.headers), json.loads(payload) if payload else None)
            content_type = response.content_type
        mock = MockResponse(payload, exchange.status, headers=exchange.headers, content_type=content_type)
        contract(name).validate_response(request, mock)  # raises when the answer breaks the contract
        present = {header.lower() for header in exchange.headers}  # HTTP header names are case-insensitive
        missing = {h for h in listed_headers(name, method, path, exchange.status) if h.lower() not in present}
        assert not (missing if all_headers else missing & {"X-VUM-berichtVersie", "API-Version"}), (
            f"response {exchange.status} lacks header(s) the contract lists: {missing}"
        )
        return exchange

    def _mock_request(self, method: str, path: str, headers: dict[str, str], data: bytes | None) -> MockRequest:
        host, _, base = self.server.partition("//")[2].partition("/")
        scheme = self.server.partition("//")[0]
        return MockRequest(f"{scheme}//{host}", method.lower(), f"/{base}{path}", headers=headers, data=data)

    @staticmethod
    def _check_request(name: str, request: MockRequest, valid: bool) -> None:
        if valid:
            contract(name).validate_request(request)
            return
        with pytest.raises(Exception):  # noqa: B017 - any of openapi-core's validation errors
            contract(name).validate_request(request)


def bemiddelaar_client(
    session: aiohttp.ClientSession, gateway_base_url: str, issuer: IdentityProvider, caller: Caller | None = MEDIATOR
) -> ContractClient:
    """A client of the gateway's facade calling as `caller` with tokens of `issuer`."""
    return ContractClient(session, gateway_base_url + "/api/v3", BEMIDDELAAR, BEMIDDELAAR_SERVER, issuer, caller)


def bron_client(session: aiohttp.ClientSession, bron_base_url: str) -> ContractClient:
    """A client of a Bron server, which the exchange calls without a token (it is told the parties)."""
    return ContractClient(session, bron_base_url, BRON, BRON_SERVER, caller=None)


# -- the checker checks -------------------------------------------------------------------------


def _response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> MockResponse:
    return MockResponse(json.dumps(body).encode(), status, headers=headers or {})


def _search_request(headers: dict[str, str] = HEADERS) -> MockRequest:
    body = json.dumps({"vraagObject": {"selectiegebied": {"postcode": "1234AB", "afstand": 10}}}).encode()
    return MockRequest(
        "https://test.vumdevelopment.nl", "post", "/api/v3/werkzoekendeProfielen/matches", headers=headers, data=body
    )


def test_the_contracts_are_in_the_repository() -> None:
    assert all((CONTRACTS / f"{name}.yaml").is_file() for name in [*BEMIDDELAAR.values(), *BRON.values()])


def test_the_validator_refuses_a_match_with_a_field_the_contract_lacks() -> None:
    answer = {
        "vraagID": "v",
        "maximumAantalResultatenBereikt": False,
        "matches": [{"vumID": "x", "mobiliteit": {"bemiddelingspostcode": "1234AB"}, "idWerkzoekende": "1"}],
    }
    with pytest.raises(Exception, match="idWerkzoekende"):
        contract(BEMIDDELAAR["werkzoekendeProfielen"]).validate_response(
            _search_request(), _response(answer, headers=HEADERS)
        )


def test_the_validator_refuses_an_error_without_code_and_an_undocumented_status() -> None:
    name = BEMIDDELAAR["werkzoekendeProfielen"]
    with pytest.raises(Exception):  # noqa: B017
        contract(name).validate_response(_search_request(), _response({"message": "m"}, 400, HEADERS))
    with pytest.raises(Exception):  # noqa: B017
        contract(name).validate_response(_search_request(), _response({"code": "404", "message": "m"}, 404, HEADERS))


def test_the_validator_refuses_a_request_without_its_headers() -> None:
    request = _search_request({k: v for k, v in HEADERS.items() if k != "X-VUM-viaParty"})
    with pytest.raises(Exception, match="X-VUM-viaParty"):
        contract(BEMIDDELAAR["werkzoekendeProfielen"]).validate_request(request)


def test_the_listed_response_headers_come_from_the_contract() -> None:
    name = BEMIDDELAAR["werkzoekendeProfielen"]
    assert listed_headers(name, "POST", "/werkzoekendeProfielen/matches", 200) == set(HEADERS)
    assert listed_headers(name, "GET", "/werkzoekendeProfielen/abc", 401) == {"API-Version"}
