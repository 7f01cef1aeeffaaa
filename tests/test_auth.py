"""Authentication: the JWT attack catalogue, key rotation, the demo issuer, and subgraphs that
answer the gateway only."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.auth.keys import new_private_key, public_jwk, write_private_key
from gateway.config import ConfigError, new_key, parse_config
from gateway.server import Gateway
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller

from .issuer import ALL_SCOPES, AUDIENCE, ISSUER, MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack

QUERY = (
    '{ werkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 10}}) { totalCount } }'
)


def profile(record_id: str) -> dict[str, Any]:
    return {"idWerkzoekende": record_id, "mobiliteit": {"bemiddelingspostcode": "5611AB"}}


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    adapter = InMemoryAdapter(consented([profile("a"), profile("b")]))
    running = await start_stack([Source("gemeente", organisation_app(adapter, "gemeente"))])
    yield running
    await running.close()


async def ask(stack: Stack, token: str | None, purpose: str | None = "arbeidsbemiddeling") -> tuple[int, Any]:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if purpose is not None:
        headers["X-VUM-Doelbinding"] = purpose
    return await stack.post({"query": QUERY}, headers)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
async def test_valid_tokens_of_each_accepted_algorithm_get_data(stack: Stack, algorithm: str) -> None:
    status, body = await ask(stack, stack.issuer.token(algorithm=algorithm))
    assert status == 200 and body["data"]["werkzoekendeProfielMatches"]["totalCount"] == 2


def forged_hs256(stack: Stack) -> str:
    """HS/RS confusion: sign HS256 with the issuer's public RSA key as the HMAC secret."""
    public = (
        stack.issuer.keys["RS256"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64({"alg": "HS256", "typ": "JWT", "kid": "RS256"})
    payload = b64(stack.issuer.claims(MEDIATOR))
    import hashlib
    import hmac

    signature = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def alg_none(stack: Stack) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(stack.issuer.claims(MEDIATOR))}."


def tampered(stack: Stack) -> str:
    header, _, signature = stack.issuer.token().split(".")
    claims = stack.issuer.claims(MEDIATOR, rol="bemiddelaar", oin="00000001001172773000", scope=" ".join(ALL_SCOPES))
    return f"{header}.{b64(claims)}.{signature}"


def foreign_key(stack: Stack) -> str:
    return jwt.encode(
        stack.issuer.claims(MEDIATOR),
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": "ES256"},
    )


ATTACKS = {
    "alg-none": (alg_none, "algorithm 'none' is not accepted"),
    "hs-rs-confusion": (forged_hs256, "algorithm 'HS256' is not accepted"),
    "expired": (lambda s: s.issuer.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200), "expired"),
    "not-yet-valid": (lambda s: s.issuer.token(nbf=int(time.time()) + 3600), "not valid yet"),
    "wrong-audience": (lambda s: s.issuer.token(aud="another-gateway"), "not meant for this gateway"),
    "wrong-issuer": (lambda s: s.issuer.token(iss="https://evil.example"), "issuer is not trusted"),
    "unknown-kid": (
        lambda s: jwt.encode(
            s.issuer.claims(MEDIATOR), s.issuer.keys["ES256"], algorithm="ES256", headers={"kid": "nope"}
        ),
        "key id",
    ),
    "tampered-payload": (tampered, "signature does not verify"),
    "foreign-key": (foreign_key, "signature does not verify"),
    "oversized": (lambda s: s.issuer.token(padding="x" * 10_000), "larger than"),
    "garbage": (lambda s: "this.is.not-a-jwt", "not a well-formed JWT"),
    "no-oin": (lambda s: s.issuer.token(oin=None), "oin claim"),
    "bad-role": (lambda s: s.issuer.token(rol="koning"), "rol claim"),
    "no-exp": (lambda s: s.issuer.token(exp=None), "lacks the claim 'exp'"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_every_attack_is_refused_with_a_clear_error_and_no_data(stack: Stack, attack: str) -> None:
    make, reason = ATTACKS[attack]
    status, body = await ask(stack, make(stack))
    assert status == 401
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in body["errors"][0]["message"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "token abc"])
async def test_malformed_authorization_headers_are_refused(stack: Stack, header: str) -> None:
    status, body = await stack.post({"query": QUERY}, {"Authorization": header})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_token_gets_401_for_data_but_introspection_works(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session, session.post(stack.server.url, json={"query": QUERY}) as response:
        body = await response.json()
        assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" and "data" not in body
    status, body = await stack.post({"query": "{ __schema { queryType { name } } }"})
    assert status == 200 and body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_a_data_request_without_purpose_is_refused(stack: Stack) -> None:
    status, body = await ask(stack, stack.issuer.token(), purpose=None)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    status, body = await ask(stack, stack.issuer.token(), purpose="nieuwsgierigheid")
    assert status == 400 and "'nieuwsgierigheid' is not a purpose" in body["errors"][0]["message"]
    status, body = await ask(stack, stack.issuer.token(doelbinding="re-integratie"), purpose=None)
    assert status == 200, "the purpose may come from the token"


async def test_keys_are_fetched_again_when_the_issuer_rotates(stack: Stack) -> None:
    fetches = stack.issuer.fetches
    status, _ = await ask(stack, stack.issuer.token())
    assert status == 200 and stack.issuer.fetches == fetches, "keys are cached"
    rotated = ec.generate_private_key(ec.SECP256R1())
    stack.issuer.keys["ES256-2"] = stack.issuer.published["ES256-2"] = rotated
    token = jwt.encode(stack.issuer.claims(MEDIATOR), rotated, algorithm="ES256", headers={"kid": "ES256-2"})
    cache = stack.gateway.authenticator.keys._sets[ISSUER]
    cache.fetched_at -= 60  # past the refresh interval for unknown key ids
    status, _ = await ask(stack, token)
    assert status == 200 and stack.issuer.fetches == fetches + 1


# -- the gateway's own identity ---------------------------------------------------------------


async def test_the_gateway_publishes_its_signing_key(stack: Stack) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(stack.server.base_url + "/.well-known/jwks.json") as response,
    ):
        keys = (await response.json())["keys"]
    assert [k["kty"] for k in keys] == ["OKP"] and keys[0]["alg"] == "EdDSA" and "d" not in keys[0]


def gateway_token(stack: Stack, caller: Caller | None, audience: str) -> str:
    return stack.gateway.signer.token(caller, audience)


SOURCE_QUERY = '{ bronWerkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 10}}) { matches { idWerkzoekende } } }'


@pytest.mark.parametrize(
    ("who", "token"),
    [
        ("nobody", lambda s: None),
        ("the caller's own token", lambda s: s.issuer.token()),
        ("a gateway token for another organisation", lambda s: gateway_token(s, MEDIATOR, "00000000000000000777")),
        (
            "a forged gateway token",
            lambda s: jwt.encode(
                {**jwt.decode(gateway_token(s, MEDIATOR, s.oins["gemeente"]), options={"verify_signature": False})},
                new_private_key(),
                algorithm="EdDSA",
                headers={"kid": s.gateway.signer.jwk["kid"]},
            ),
        ),
    ],
)
async def test_a_subgraph_refuses_anything_but_the_gateway(stack: Stack, who: str, token: Any) -> None:
    value = token(stack)
    headers = {"Authorization": f"Bearer {value}"} if value else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(stack.subgraphs["gemeente"].url, json={"query": SOURCE_QUERY}, headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 401, who
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body


async def test_a_subgraph_answers_the_gateway_for_a_caller(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {gateway_token(stack, MEDIATOR, stack.oins['gemeente'])}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(stack.subgraphs["gemeente"].url, json={"query": SOURCE_QUERY}, headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert sorted(m["idWerkzoekende"] for m in body["data"]["bronWerkzoekendeProfielMatches"]["matches"]) == ["a", "b"]


# -- the demo issuer --------------------------------------------------------------------------


def test_the_demo_issuer_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    key = tmp_path / "dev.pem"
    write_private_key(new_private_key(), key)
    config = parse_config(
        {
            "pseudonym": {"key": new_key()},
            "auth": {"dev_issuer": {"key_file": str(key)}},
            "processing_log": {"dsn": "sqlite://"},
        }
    )
    with pytest.raises(ConfigError, match="only trusted by `vum-gateway demo`"):
        Gateway(config)
    assert Gateway(config, demo=True).authenticator.issuers["urn:vum:demo-issuer"].static_keys


def test_the_token_command_prints_a_token_the_demo_issuer_signed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gateway.cli import main

    key = tmp_path / "dev.pem"
    write_private_key(new_private_key(), key)
    with pytest.raises(SystemExit) as exit_code:
        main(
            [
                "token",
                "--key",
                str(key),
                "--rol",
                "bemiddelaar",
                "--oin",
                "00000001001172773000",
                "--scope",
                "werkzoekenden:zoeken",
                "--suwi",
            ]
        )
    assert exit_code.value.code == 0
    token = capsys.readouterr().out.strip()
    from gateway.auth.keys import read_private_key

    claims = jwt.decode(token, read_private_key(key).public_key(), algorithms=["EdDSA"], audience=AUDIENCE)
    assert claims["rol"] == "bemiddelaar" and claims["suwi"] is True and claims["scope"] == "werkzoekenden:zoeken"
    assert jwt.get_unverified_header(token)["kid"] == public_jwk(read_private_key(key).public_key())["kid"]


def test_keygen_writes_a_signing_key_only_its_owner_reads_and_never_overwrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gateway.auth.keys import read_private_key
    from gateway.cli import main

    key = tmp_path / "gateway-signing.pem"
    with pytest.raises(SystemExit) as exit_code:
        main(["keygen", "--signing-key", str(key)])
    assert exit_code.value.code == 0
    assert key.stat().st_mode & 0o777 == 0o600
    first = read_private_key(key)
    with pytest.raises(SystemExit, match="never overwritten"):
        main(["keygen", "--signing-key", str(key)])
    assert read_private_key(key).private_bytes_raw() == first.private_bytes_raw(), "the key in use is kept"
