"""The VUM accreditation environment's official collections, unchanged, run by newman over mTLS,
and the test PKI of `vum-gateway demo --tls` they run with.

`vum-gateway demo --tls` is started with the accreditation data (`--werkzoekenden`,
`--vacatures`) as a user starts it; newman runs both Postman collections of the accreditation
environment (`tests/data/accreditatie-collectie/`, byte for byte) over the cases we have, with
the environment pointed at the demo (its base URL and the gateway's OIN as X-VUM-toParty; the
sending party stays the environment's own OIN, whose client certificate the demo issued) and the
demo's client certificate. The collections' own scripts judge: this is the official judge.

newman comes from `tests/newman/` (`npm ci` there, Node.js 18 or later); without it the test is
skipped locally and fails in CI.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from gateway.auth.certificates import oin_of
from gateway.demo.pki import ACCREDITATIE_OIN, DemoPki
from gateway.demo.runner import GATEWAY_OIN

from .conftest import ACCREDITATIE, DATA, ROOT, need, report
from .test_demo import Demo

COLLECTIONS = DATA / "accreditatie-collectie"
NEWMAN = ROOT / "tests" / "newman" / "node_modules" / ".bin" / "newman"
CASES = {"werkzoekenden": 30, "vacatures": 60}


@pytest.fixture(scope="module")
def newman() -> Path:
    if not NEWMAN.is_file() or shutil.which("node") is None:
        need("newman is not installed: run `npm ci` in tests/newman (Node.js 18 or later)")
    return NEWMAN


@pytest.fixture(scope="module")
def accreditation_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = Demo(
        tmp_path_factory.mktemp("accreditatie"),
        "--tls",
        "--werkzoekenden",
        str(ACCREDITATIE / "werkzoekenden-upload.json"),
        "--vacatures",
        str(ACCREDITATIE / "vacatures-upload.json"),
    )
    try:
        demo.wait_until_serving()
        yield demo
    finally:
        if demo.process.poll() is None:
            demo.stop()


def _https(demo: Demo, path: str, client: bool, **request: Any) -> tuple[int, Any]:
    """A request to the demo over HTTPS, trusting its CA, with or without its client certificate."""
    tls = DemoPki(demo.workdir / "tls")
    context = ssl.create_default_context(cafile=str(tls.ca))
    if client:
        context.load_cert_chain(tls.client, tls.client_key)
    data = json.dumps(request.pop("body")).encode() if "body" in request else None
    headers = {"Content-Type": "application/json", **request.pop("headers", {})}
    call = urllib.request.Request(f"https://127.0.0.1:{demo.port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(call, context=context, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


PARTIES = {"X-VUM-berichtVersie": "3.0.0", "API-Version": "3.0.0", "X-VUM-fromParty": ACCREDITATIE_OIN,
           "X-VUM-viaParty": ACCREDITATIE_OIN, "X-VUM-toParty": GATEWAY_OIN}  # fmt: skip
VRAAG = {"vraagObject": {"selectiegebied": {"postcode": "3511AA", "afstand": 50}}}


def test_the_demo_writes_a_test_pki_for_the_accreditation_party(accreditation_demo: Demo) -> None:
    tls = DemoPki(accreditation_demo.workdir / "tls")
    assert all(path.is_file() for path in (tls.ca, tls.client, tls.client_key))
    client = x509.load_pem_x509_certificate(tls.client.read_bytes())
    ca = x509.load_pem_x509_certificate(tls.ca.read_bytes())
    assert oin_of(client) == ACCREDITATIE_OIN and client.issuer == ca.subject
    assert tls.client_key.stat().st_mode & 0o077 == 0, "the private key is the user's only"
    assert "HTTPS with a test PKI" in "".join(accreditation_demo.output)


def test_the_demo_over_https_needs_no_certificate_for_health_but_one_for_data(accreditation_demo: Demo) -> None:
    assert _https(accreditation_demo, "/health", client=False) == (200, {"status": "ok"})
    status, body = _https(accreditation_demo, "/api/v3/vacatures/matches", client=False, body=VRAAG, headers=PARTIES)
    assert status == 401 and body["code"] == "401"
    status, body = _https(accreditation_demo, "/api/v3/vacatures/matches", client=True, body=VRAAG, headers=PARTIES)
    assert status == 200 and body["matches"], body
    graphql = {"query": "{ organisaties { bronID } }"}
    status, body = _https(accreditation_demo, "/graphql", client=True, body=graphql)
    assert status == 200 and len(body["data"]["organisaties"]) == 5, "four organisations and codelijsten"


def environment_for(port: int) -> dict[str, Any]:
    """The official environment pointed at a demo on `port`: its base URL and the gateway's OIN."""
    environment: dict[str, Any] = json.loads((COLLECTIONS / "environment.json").read_text(encoding="utf-8"))
    values = {entry["key"]: entry for entry in environment["values"]}
    assert values["x-vum-fromparty"]["value"] == values["x-vum-viaparty"]["value"] == ACCREDITATIE_OIN
    values["baseUrl"]["value"] = f"https://127.0.0.1:{port}/api/v3"
    values["x-vum-toparty"]["value"] = GATEWAY_OIN
    environment["name"] = "VUM gateway demo (vum-gateway demo --tls)"
    return environment


def test_the_shipped_demo_environment_is_the_official_one_pointed_at_the_demo() -> None:
    shipped = json.loads((NEWMAN.parent.parent.parent / "demo-environment.json").read_text(encoding="utf-8"))
    assert shipped == environment_for(4000)


def failed_iterations(run: dict[str, Any]) -> dict[int, list[str]]:
    """Iteration (case) number -> what failed in it: an assertion or the request itself."""
    failed: dict[int, list[str]] = {}
    for execution in run["executions"]:
        iteration = int(execution["cursor"]["iteration"]) + 1
        problems = [a["assertion"] for a in execution.get("assertions") or () if a.get("error")]
        if execution.get("requestError"):
            problems.append(f"request failed: {execution['requestError'].get('message')}")
        if problems:
            failed.setdefault(iteration, []).extend(problems)
    return failed


@pytest.mark.parametrize("kind", ["werkzoekenden", "vacatures"])
def test_the_official_collection_passes_unchanged_over_mtls(
    accreditation_demo: Demo, newman: Path, kind: str, tmp_path: Path
) -> None:
    tls = DemoPki(accreditation_demo.workdir / "tls")
    environment = tmp_path / "environment.json"
    environment.write_text(json.dumps(environment_for(accreditation_demo.port)), encoding="utf-8")
    result = tmp_path / "newman.json"
    command = [
        str(newman), "run", str(COLLECTIONS / f"{kind}-collection.json"),
        "--environment", str(environment),
        "--iteration-data", str(COLLECTIONS / f"{kind}-data.json"),
        "--ssl-client-cert", str(tls.client), "--ssl-client-key", str(tls.client_key),
        "--ssl-extra-ca-certs", str(tls.ca),
        "--reporters", "json", "--reporter-json-export", str(result),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=newman.parent.parent.parent, capture_output=True, text=True, timeout=900)
    assert result.is_file(), completed.stdout + completed.stderr
    run = json.loads(result.read_text(encoding="utf-8"))["run"]
    iterations, assertions = run["stats"]["iterations"], run["stats"]["assertions"]
    failed = failed_iterations(run)
    passed = iterations["total"] - len(failed)
    report(
        f"newman, official collection {kind}: {passed}/{iterations['total']} cases pass "
        f"({assertions['total'] - assertions['failed']}/{assertions['total']} assertions), over mTLS against the demo"
    )
    assert iterations["total"] == CASES[kind], "every case we have ran"
    assert not failed and completed.returncode == 0, failed or completed.stdout[-3000:]
