"""Reloading the registry (SIGHUP): new sources are checked and taken into service, others keep serving."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from gateway.config import load_config
from gateway.demo.pki import new_ca, pem
from subgraphs.sdk.adapter import InMemoryAdapter

from .stack import Source, Stack, consented, organisation_app, start_stack

PROFILE = {"idWerkzoekende": "r1", "mobiliteit": {"bemiddelingspostcode": "5611AB"}}
QUERY = '{ werkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 5}}) { totalCount bronnen { bronID status } } }'


def registry_toml(stack: Stack, ids: list[str], key: str) -> str:
    parts = [
        f'[pseudonym]\nkey = "{key}"\n',
        f'[auth]\n[[auth.issuers]]\nissuer = "https://idp.test.vum"\njwks_url = "{stack.issuer.jwks_url}"\n',
    ]
    parts.append('[processing_log]\ndsn = "sqlite://"\n')
    for source_id in ids:
        parts.append(
            f'[[organisations]]\nid = "{source_id}"\nname = "{source_id}"\noin = "{stack.oins[source_id]}"\n'
            f'kind = "gemeente"\nurl = "{stack.subgraphs[source_id].url}"\n'
        )
    return "\n".join(parts)


async def test_a_reload_takes_new_sources_into_service(tmp_path: Path) -> None:
    adapters = {name: InMemoryAdapter(consented([{**PROFILE, "idWerkzoekende": name}])) for name in ("een", "twee")}
    stack = await start_stack(
        [Source(name, organisation_app(adapters[name], name)) for name in adapters], codelijsten=False
    )
    try:
        path = tmp_path / "gateway.toml"
        path.write_text(registry_toml(stack, ["een"], stack.key), encoding="utf-8")
        stack.gateway.config_file = path
        await stack.gateway.reload()
        body = await stack.query(QUERY)
        assert [b["bronID"] for b in body["data"]["werkzoekendeProfielMatches"]["bronnen"]] == ["een"]
        path.write_text(registry_toml(stack, ["een", "twee"], stack.key), encoding="utf-8")
        registry = stack.gateway.services.registry
        os.kill(os.getpid(), signal.SIGHUP)  # as an operator would: `kill -HUP <gateway>`
        for _ in range(100):
            if stack.gateway.services.registry is not registry:
                break
            await asyncio.sleep(0.05)
        body = await stack.query(QUERY)
        result = body["data"]["werkzoekendeProfielMatches"]
        assert {b["bronID"]: b["status"] for b in result["bronnen"]} == {"een": "OK", "twee": "OK"}
        assert result["totalCount"] == 2
        path.write_text("[gateway\nbroken", encoding="utf-8")
        with pytest.raises(Exception, match="not valid TOML"):
            await stack.gateway.reload()
        assert (await stack.query(QUERY))["data"]["werkzoekendeProfielMatches"]["totalCount"] == 2, (
            "a bad file keeps the old registry"
        )
    finally:
        await stack.close()


async def test_a_reload_reads_the_participant_register_again(tmp_path: Path) -> None:
    """Admission is decided outside the gateway: a new register takes effect on SIGHUP."""
    stack = await start_stack([Source("een", organisation_app(InMemoryAdapter(), "een"))], codelijsten=False)
    try:
        path = tmp_path / "gateway.toml"
        stack.gateway.config_file = path
        for oin in ("00000001000000000001", "00000001000000000002"):
            participant = f'\n[[auth.participants]]\noin = "{oin}"\nname = "Deelnemer"\n'
            path.write_text(registry_toml(stack, ["een"], stack.key) + participant, encoding="utf-8")
            await stack.gateway.reload()
            assert set(stack.gateway.participants.participants) == {oin}
    finally:
        await stack.close()


def test_gateway_config_file_round_trip(tmp_path: Path) -> None:
    """What the README shows as configuration is what the gateway reads (its certificate files
    made here: a test CA's certificate in each)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0].replace('key = "…"', 'key = "' + "A" * 43 + '"')
    certificate = pem(new_ca("README").certificate)
    for name in sorted(set(re.findall(r'"/etc/vum/([a-z-]+\.pem)"', block))):
        (tmp_path / name).write_bytes(certificate)
        block = block.replace(f'"/etc/vum/{name}"', f'"{tmp_path / name}"')
    (tmp_path / "gateway.toml").write_text(block, encoding="utf-8")
    config = load_config(tmp_path / "gateway.toml")
    assert config.auth.detail_quota == 10 and config.organisations[0].id == "gemeente-eindhoven"
    assert config.processing_log.retention_days == 730
    assert config.gateway.tls is not None and config.auth.client_certificates is not None
    assert config.auth.participants[0].suwi and config.auth.participants[0].doelbinding in config.auth.purposes
