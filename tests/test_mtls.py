"""VUM parties identified by their client certificate (mutual TLS), as VUM does it.

Two real set-ups: TLS ends at the gateway (uvicorn asks for a client certificate, optional, and
verifies it against the CA), and TLS ends at a real HAProxy in front of the gateway, running the
shipped `deploy/ingress/haproxy.cfg`, which forwards the certificate. The participant register
says who each OIN is; requests the register or the certificate does not back are refused in the
standard's error model (every REST exchange is validated against the contracts).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import os
import re
import shutil
import ssl
import subprocess
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization

from gateway.auth.certificates import ClientCertificates, oin_of, read_forwarded
from gateway.auth.tokens import Unauthenticated
from gateway.config import ClientCertificateConfig, ConfigError, parse_config
from gateway.demo.pki import ACCREDITATIE_OIN, Issued, client_certificate, key_pem, new_ca, pem, server_certificate
from gateway.serving import free_port
from subgraphs.sdk.adapter import InMemoryAdapter

from .conftest import ROOT, need
from .servers import client_session
from .stack import Source, Stack, consented, organisation_app, start_stack
from .test_exact_json import VACATURE, WERKZOEKENDE
from .test_rest_contract import BEMIDDELAAR, BEMIDDELAAR_SERVER, ContractClient, Exchange, party_headers

SUWI_MEDIATOR = ACCREDITATIE_OIN
OTHER_MEDIATOR = "00000001000000000011"  # registered, not a SUWI party
VERWERKER = "00000001000000000022"  # a processor registered for the SUWI mediator
UNREGISTERED = "00000001000000000033"
SCOPES = ["werkzoekenden:zoeken", "werkzoekenden:detail", "werkzoekenden:contactgegevens", "werkzoekenden:bijzonder",
          "vacatures:zoeken", "vacatures:detail", "vacatures:contactgegevens"]  # fmt: skip
PARTICIPANTS = [
    {"oin": SUWI_MEDIATOR, "name": "SUWI-bemiddelaar", "suwi": True, "scopes": SCOPES,
     "doelbinding": "arbeidsbemiddeling", "verwerkers": [VERWERKER]},
    {"oin": OTHER_MEDIATOR, "name": "Uitzendbureau", "scopes": SCOPES, "doelbinding": "arbeidsbemiddeling"},
]  # fmt: skip
VRAAG = {"vraagObject": {"selectiegebied": {"postcode": "5611AB", "afstand": 5}}}
HAPROXY = os.environ.get("VUM_TEST_HAPROXY", shutil.which("haproxy") or "/usr/sbin/haproxy")


@dataclass(frozen=True)
class Credentials:
    certificate: Path
    key: Path


class Pki:
    """A CA and the certificates the tests present, as files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ca = new_ca("VUM test CA")
        self.foreign = new_ca("Some other CA")
        self.ca_file = self._write("ca.pem", pem(self.ca.certificate))
        self.server = self.issue("server", server_certificate(self.ca))
        self.clients = {
            "suwi": self.issue("suwi", client_certificate(self.ca, SUWI_MEDIATOR, "SUWI-bemiddelaar")),
            "other": self.issue("other", client_certificate(self.ca, OTHER_MEDIATOR, "Uitzendbureau")),
            "verwerker": self.issue("verwerker", client_certificate(self.ca, VERWERKER, "Verwerker")),
            "unregistered": self.issue("unregistered", client_certificate(self.ca, UNREGISTERED, "Onbekend")),
            "no-oin": self.issue("no-oin", client_certificate(self.ca, None, "Zonder OIN")),
            "foreign": self.issue("foreign", client_certificate(self.foreign, SUWI_MEDIATOR, "Nagemaakt")),
            "expired": self.issue(
                "expired", client_certificate(self.ca, SUWI_MEDIATOR, "Verlopen", datetime.timedelta(minutes=-1))
            ),
        }

    def _write(self, name: str, content: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(content)
        return path

    def issue(self, name: str, issued: Issued) -> Credentials:
        return Credentials(
            self._write(f"{name}.pem", pem(issued.certificate)), self._write(f"{name}-key.pem", key_pem(issued.key))
        )

    def context(self, client: str | None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if client is not None:
            credentials = self.clients[client]
            context.load_cert_chain(credentials.certificate, credentials.key)
        return context


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


def _source() -> Source:
    return Source("gemeente", organisation_app(InMemoryAdapter(consented([WERKZOEKENDE]), [VACATURE]), "gemeente"))


class Front:
    """A running gateway as a VUM client reaches it, with a session per client certificate."""

    def __init__(self, stack: Stack, base_url: str, pki: Pki, **connector: Any) -> None:
        self.stack, self.base_url, self.pki, self.connector = stack, base_url, pki, connector
        self.sessions: dict[str | None, aiohttp.ClientSession] = {}

    def session(self, client: str | None) -> aiohttp.ClientSession:
        if client not in self.sessions:
            self.sessions[client] = client_session(ssl=self.pki.context(client), **self.connector)
        return self.sessions[client]

    def rest(self, client: str | None) -> ContractClient:
        return ContractClient(
            self.session(client), self.base_url + "/api/v3", BEMIDDELAAR, BEMIDDELAAR_SERVER, caller=None
        )

    async def search(self, client: str | None, oin: str, via: str | None = None, **extra: str) -> Exchange:
        headers = {**party_headers(oin, via), **extra}
        return await self.rest(client).call("POST", "/werkzoekendeProfielen/matches", body=VRAAG, headers=headers)

    async def graphql(self, client: str | None, query: str) -> tuple[int, dict[str, Any]]:
        async with self.session(client).post(self.base_url + "/graphql", json={"query": query}) as response:
            return response.status, await response.json()

    async def close(self) -> None:
        for session in self.sessions.values():
            await session.close()
        await self.stack.close()


def _auth(pki: Pki, **client_certificates: Any) -> dict[str, Any]:
    return {"client_certificates": {"ca_file": str(pki.ca_file), **client_certificates}, "participants": PARTICIPANTS}


@pytest_asyncio.fixture(scope="module")
async def direct(pki: Pki) -> AsyncIterator[Front]:
    """TLS ends at the gateway."""
    tls = {"cert_file": str(pki.server.certificate), "key_file": str(pki.server.key)}
    stack = await start_stack([_source()], codelijsten=False, auth=_auth(pki), gateway_ca=pki.ca_file, tls=tls)
    front = Front(stack, stack.server.base_url, pki)
    yield front
    await front.close()


def _refused(exchange: Exchange, status: int = 401, code: str = "401") -> str:
    assert (exchange.status, exchange.body["code"]) == (status, code), exchange.body
    return str(exchange.body["message"])


# -- TLS at the gateway ---------------------------------------------------------------------------


async def test_a_registered_party_searches_and_reads_a_detail_with_its_certificate_alone(direct: Front) -> None:
    search = await direct.search("suwi", SUWI_MEDIATOR)
    assert search.status == 200 and len(search.body["matches"]) == 1, search.body
    vumid = search.body["matches"][0]["vumID"]
    detail = await direct.rest("suwi").call(
        "GET", f"/werkzoekendeProfielen/{vumid}", headers=party_headers(SUWI_MEDIATOR)
    )
    assert detail.status == 200 and detail.body["werkzoekende"] == WERKZOEKENDE, (
        "a SUWI party sees the special category"
    )


async def test_the_register_decides_the_suwi_status_not_the_caller(direct: Front) -> None:
    search = await direct.search("other", OTHER_MEDIATOR)
    vumid = search.body["matches"][0]["vumID"]
    detail = await direct.rest("other").call(
        "GET", f"/werkzoekendeProfielen/{vumid}", headers=party_headers(OTHER_MEDIATOR)
    )
    assert detail.status == 200 and "indicatieLdrRegistratie" not in detail.body["werkzoekende"]
    message = _refused(await direct.search("other", OTHER_MEDIATOR, **{"X-VUM-SUWIparty": "true"}))
    assert "X-VUM-SUWIparty" in message and "not a SUWI party" in message
    assert (await direct.search("suwi", SUWI_MEDIATOR, **{"X-VUM-SUWIParty": "true"})).status == 200, (
        "the register's own value, as the accreditation collection sends it, is accepted"
    )
    _refused(await direct.search("suwi", SUWI_MEDIATOR, **{"X-VUM-SUWIparty": "ja"}), 400, "400.01")


async def test_a_certificate_of_another_organisation_than_x_vum_from_party_is_refused(direct: Front) -> None:
    message = _refused(await direct.search("other", SUWI_MEDIATOR))
    assert (
        f"X-VUM-fromParty {SUWI_MEDIATOR} is not the organisation of the client certificate (OIN {OTHER_MEDIATOR})"
        in message
    )


async def test_a_participant_not_in_the_register_is_refused(direct: Front) -> None:
    message = _refused(await direct.search("unregistered", UNREGISTERED))
    assert f"OIN {UNREGISTERED} is not a participant" in message
    status, body = await direct.graphql("unregistered", "{ organisaties { bronID } }")
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_certificate_without_an_oin_is_refused(direct: Front) -> None:
    assert "serialNumber" in _refused(await direct.search("no-oin", SUWI_MEDIATOR))


async def test_a_registered_verwerker_sends_for_its_party_and_another_may_not(direct: Front) -> None:
    assert (await direct.search("verwerker", SUWI_MEDIATOR, via=VERWERKER)).status == 200
    message = _refused(await direct.search("verwerker", OTHER_MEDIATOR, via=VERWERKER))
    assert f"OIN {VERWERKER} is not a registered verwerker of {OTHER_MEDIATOR}" in message
    _refused(await direct.search("suwi", SUWI_MEDIATOR, via=VERWERKER))  # the sender is the certificate's


async def test_a_certificate_of_another_ca_ends_the_handshake(direct: Front) -> None:
    """Python's TLS layer verifies a presented certificate in the handshake: a certificate of
    another CA never reaches HTTP here (behind an ingress it gets the error model, below)."""
    with pytest.raises(aiohttp.ClientError):
        await direct.search("foreign", SUWI_MEDIATOR)


async def test_without_a_certificate_health_answers_and_data_needs_an_identity(direct: Front) -> None:
    async with direct.session(None).get(direct.base_url + "/health") as response:
        assert response.status == 200
    message = _refused(await direct.search(None, SUWI_MEDIATOR))
    assert "client certificate" in message and "token" in message


async def test_graphql_answers_a_certificate_and_a_token_alike(direct: Front) -> None:
    query = "{ organisaties { bronID } }"
    status, body = await direct.graphql("suwi", query)
    assert status == 200 and body["data"]["organisaties"] == [{"bronID": "gemeente"}]
    headers = direct.stack.issuer.headers()
    async with direct.session(None).post(
        direct.base_url + "/graphql", json={"query": query}, headers=headers
    ) as response:
        assert response.status == 200 and (await response.json())["data"]["organisaties"]


# -- TLS at an ingress ----------------------------------------------------------------------------


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            output = await process.stdout.read() if process.stdout else b""
            pytest.fail(f"HAProxy stopped: {output.decode(errors='replace')}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    pytest.fail("HAProxy did not listen in time")


@pytest.fixture(scope="module")
def haproxy_binary() -> str:
    if not Path(HAPROXY).is_file():
        need(f"HAProxy is not installed ({HAPROXY}; apt-get install haproxy)")
    return HAPROXY


@pytest_asyncio.fixture(scope="module")
async def ingress(pki: Pki, haproxy_binary: str) -> AsyncIterator[Front]:
    """TLS ends at HAProxy (deploy/ingress/haproxy.cfg, verbatim); the gateway listens on plain
    HTTP and trusts the forwarded certificate from 127.0.0.1 only. Direct callers in these tests
    connect from 127.0.0.3."""
    stack = await start_stack(
        [_source()],
        codelijsten=False,
        auth=_auth(pki, trusted_ingress=["127.0.0.1/32"]),
        uvicorn_options={"forwarded_allow_ips": "*"},  # as behind a load balancer: X-Forwarded-For is believed
    )
    combined = pki.directory / "ingress.pem"
    combined.write_bytes(pki.server.certificate.read_bytes() + pki.server.key.read_bytes())
    port = free_port()
    environment = {**os.environ, "VUM_INGRESS_BIND": f"127.0.0.1:{port}", "VUM_INGRESS_CERT": str(combined),
                   "VUM_CLIENT_CA": str(pki.ca_file), "VUM_GATEWAY_ADDR": f"127.0.0.1:{stack.server.port}"}  # fmt: skip
    config = ROOT / "deploy" / "ingress" / "haproxy.cfg"
    process = await asyncio.create_subprocess_exec(
        haproxy_binary, "-f", str(config), "-db", env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    front = Front(stack, f"https://127.0.0.1:{port}", pki)
    try:
        await _wait_for_port(port, process)
        yield front
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
        await front.close()


def _forwarded(credentials: Credentials) -> str:
    from cryptography import x509

    der = x509.load_pem_x509_certificate(credentials.certificate.read_bytes()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


async def test_through_the_ingress_a_registered_party_is_served(ingress: Front) -> None:
    search = await ingress.search("suwi", SUWI_MEDIATOR)
    assert search.status == 200 and len(search.body["matches"]) == 1, search.body
    async with ingress.session(None).get(ingress.base_url + "/health") as response:
        assert response.status == 200, "no client certificate needed for /health"


async def test_through_the_ingress_refusals_come_in_the_error_model(ingress: Front) -> None:
    assert "not issued under a CA this gateway trusts" in _refused(await ingress.search("foreign", SUWI_MEDIATOR))
    assert "expired" in _refused(await ingress.search("expired", SUWI_MEDIATOR))
    assert "is not the organisation of the client certificate" in _refused(await ingress.search("other", SUWI_MEDIATOR))
    assert "not a participant" in _refused(await ingress.search("unregistered", UNREGISTERED))


async def test_a_certificate_header_from_a_client_is_not_passed_on_by_the_ingress(ingress: Front, pki: Pki) -> None:
    forged = {"X-SSL-Client-Cert": _forwarded(pki.clients["suwi"])}
    assert "needs a client certificate" in _refused(await ingress.search(None, SUWI_MEDIATOR, **forged))


async def test_a_forwarded_certificate_is_accepted_from_the_ingress_address_only(ingress: Front, pki: Pki) -> None:
    """A caller that reaches the gateway directly cannot forward a certificate, not even by
    claiming the ingress's address in X-Forwarded-For (the TCP peer counts)."""
    gateway = Front(ingress.stack, ingress.stack.server.base_url, pki, local_addr=("127.0.0.3", 0))
    try:
        forged = {"X-SSL-Client-Cert": _forwarded(pki.clients["suwi"]), "X-Forwarded-For": "127.0.0.1"}
        message = _refused(await gateway.search(None, SUWI_MEDIATOR, **forged))
        assert "accepted only from the configured ingress" in message
    finally:
        for session in gateway.sessions.values():
            await session.close()


# -- reading certificates and the configuration ----------------------------------------------------


def test_a_forwarded_certificate_is_read_in_every_form_ingresses_send(pki: Pki) -> None:
    text = pki.clients["suwi"].certificate.read_text()
    for form in (
        urllib.parse.quote(text),  # nginx $ssl_client_escaped_cert
        text.replace("\n", "\n\t"),  # nginx $ssl_client_cert
        text.replace("\n", " "),  # PEM on one line
        _forwarded(pki.clients["suwi"]),  # HAProxy %[ssl_c_der,base64]
    ):
        assert oin_of(read_forwarded(form)) == SUWI_MEDIATOR
    with pytest.raises(Unauthenticated, match="cannot be read"):
        read_forwarded("not a certificate")


def test_the_ingress_verdict_is_required_when_configured(pki: Pki) -> None:
    config = ClientCertificateConfig.model_validate(
        {"ca_file": pki.ca_file, "trusted_ingress": ["127.0.0.1/32"], "verify_header": "X-SSL-Client-Verify"}
    )
    certificates = ClientCertificates(config)

    def scope(verdict: str) -> dict[str, Any]:
        headers = [
            (b"x-ssl-client-cert", _forwarded(pki.clients["suwi"]).encode()),
            (b"x-ssl-client-verify", verdict.encode()),
        ]
        return {"type": "http", "headers": headers, "extensions": {"vum.connection": {"peer": "127.0.0.1"}}}

    certificate = certificates.of(scope("0"))
    assert certificate is not None and certificate.oin == SUWI_MEDIATOR
    with pytest.raises(Unauthenticated, match="did not verify"):
        certificates.of(scope("FAILED:certificate has expired"))


def test_the_register_and_certificate_settings_are_validated_naming_the_key(pki: Pki, tmp_path: Path) -> None:
    base: dict[str, Any] = {"pseudonym": {"key": "A" * 43}}
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("nothing")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"auth": {"participants": [{"oin": "123", "name": "x"}]}}, "auth.participants.0.oin"),
        ({"auth": {"participants": [{"oin": SUWI_MEDIATOR, "name": "x", "scopes": ["alles"]}]}}, "unknown scope(s) alles"),
        ({"auth": {"participants": [{"oin": SUWI_MEDIATOR, "name": "x", "rol": "werkzoekende"}]}}, "auth.participants.0.rol"),
        ({"auth": {"participants": [{"oin": SUWI_MEDIATOR, "name": "x", "doelbinding": "handel"}]}}, "participants.0.doelbinding"),
        ({"auth": {"participants": [{"oin": SUWI_MEDIATOR, "name": "x"}] * 2}}, "registered twice"),
        ({"auth": {"client_certificates": {"ca_file": str(not_pem)}}}, "auth.client_certificates.ca_file"),
        ({"auth": {"client_certificates": {"ca_file": str(pki.ca_file), "trusted_ingress": ["ingress"]}}},
         "auth.client_certificates.trusted_ingress.0"),
        ({"gateway": {"tls": {"cert_file": str(tmp_path / "missing.pem"), "key_file": str(not_pem)}}}, "gateway.tls.cert_file"),
    ]  # fmt: skip
    for settings, named in cases:
        with pytest.raises(ConfigError, match=re.escape(named)):
            parse_config({**base, **settings})
