"""The image, started as its container starts it, without a container runtime.

No container runtime works on these machines, so the test runs what the image would run, as the
image would run it: the Dockerfile's `CMD` with exactly its `ENV` (and `HOME` of its user), as its
`USER` (uid 10001) without capabilities, in its `WORKDIR`, on a read-only root filesystem with an
in-memory `/tmp` (a private mount namespace: `unshare --mount`, then every mount remounted
read-only), with the Kubernetes configuration (`deploy/kubernetes/base/gateway.toml`) and the files
of its Secret mounted under the manifest's paths below `var/image-sandbox/image` (the only change
of path). It
must answer the Dockerfile's `HEALTHCHECK`, `/ready` and a search through real subgraphs, keep
its secrets out of its environment, and drain on SIGTERM. What differs from the pod: the port
(`VUM_GATEWAY__PORT`, as 4000 belongs to another test here), the subgraphs' and the identity
provider's addresses in the configuration, and the image's files (this checkout's virtualenv).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from dockerfile_parse import DockerfileParser
from sqlalchemy import create_engine, text

from gateway.auth.keys import new_private_key, write_private_key
from gateway.config import new_key
from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from gateway.serving import free_port
from subgraphs.codelijsten.app import create_app as codelijsten_app
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sdk.identity import GatewayTrust

from . import issuer as identity
from .conftest import BEROEPEN, POSTCODES, ROOT, fresh_database, need
from .servers import LiveServer
from .stack import consented, oin_of, organisation_app
from .test_gateway import EINDHOVEN, SEARCH
from .test_replicas import redis_url

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
KUBERNETES_CONFIG = ROOT / "deploy" / "kubernetes" / "base" / "gateway.toml"
SCRATCH = ROOT / "var" / "image-sandbox"  # a mount point in this checkout: the sandbox's own tmpfs goes here
IMAGE = f"{SCRATCH}/image"  # where the pod's files (configuration, Secret, working directory) are mounted
SECRETS = ("pseudonym-key", "gateway-signing.pem", "processing-log-dsn", "quota-redis-url")
IMAGE_VENV = "/opt/vum"
START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Image:
    """What the Dockerfile's final stage says about running it."""

    env: dict[str, str]
    uid: int
    gid: int
    workdir: str
    cmd: list[str]
    healthcheck: list[str]
    exposed: int


def image() -> Image:
    parsed = DockerfileParser(path=str(DOCKERFILE))
    final = [i for i in parsed.structure if i["instruction"] != "COMMENT"]
    final = final[max(n for n, i in enumerate(final) if i["instruction"] == "FROM") :]
    env: dict[str, str] = {}
    user = workdir = ""
    for instruction in final:
        if instruction["instruction"] == "ENV":
            for pair in shlex.split(instruction["value"]):
                name, _, value = pair.partition("=")
                env[name] = value
        elif instruction["instruction"] == "USER":
            user = instruction["value"]
        elif instruction["instruction"] == "WORKDIR":
            workdir = instruction["value"]
    (healthcheck,) = [i["value"] for i in final if i["instruction"] == "HEALTHCHECK"]
    (expose,) = [i["value"] for i in final if i["instruction"] == "EXPOSE"]
    uid, _, gid = user.partition(":")
    return Image(
        env,
        int(uid),
        int(gid or uid),
        workdir,
        json.loads(parsed.cmd),
        json.loads(healthcheck[healthcheck.index("CMD") + 3 :]),
        int(expose),
    )


def test_the_dockerfile_runs_unprivileged_and_without_a_shell() -> None:
    built = image()
    assert built.uid >= 10000 and built.gid >= 10000, "a high uid: no clash with the host's users"
    assert built.env["PATH"].startswith(f"{IMAGE_VENV}/bin:"), "the virtualenv's commands first"
    assert built.cmd[:2] == ["vum-gateway", "serve"], "exec form: the gateway is PID 1 and gets SIGTERM"
    assert built.healthcheck[:2] == ["python", "-c"]
    assert built.exposed == 4000


# -- the sandbox ------------------------------------------------------------------------------------


POD_TMP = Path("/tmp")  # the pod's emptyDir: an empty tmpfs takes the host's /tmp's place


def hidden_ancestors(paths: list[Path], uid: int) -> dict[Path, list[Path]]:
    """Directories the sandbox hides on the way to `paths`, each with the paths below it that must
    stay reachable: the host's /tmp (the pod's emptyDir replaces it; a checkout may live in a
    temporary folder), and directories `uid` cannot enter (e.g. /root, 0700, holding pyenv's
    interpreter). A path below another comes along with it (the venv in the checkout)."""
    hidden: dict[Path, list[Path]] = {}
    outermost = [path for path in paths if not any(other in path.parents for other in paths)]
    for path in dict.fromkeys(outermost):
        if POD_TMP in path.parents:
            hidden.setdefault(POD_TMP, []).append(path)
            continue
        for ancestor in reversed(path.parents):
            mode = ancestor.stat().st_mode
            if ancestor.stat().st_uid != uid and not mode & 0o001:
                hidden.setdefault(ancestor, []).append(path)
                break
    return hidden


def hide_and_restore(hidden: dict[Path, list[Path]]) -> list[str]:
    """Shell lines that put an empty tmpfs over each hidden directory and bind the paths below it
    back in place; they wait meanwhile on a tmpfs of their own at /mnt, outside all of them."""
    lines = ["mount -t tmpfs -o mode=0755,size=1m vum-keep /mnt"] if hidden else []
    for n, (ancestor, below) in enumerate(hidden.items()):
        for m, path in enumerate(below):
            lines.append(f"mkdir -p /mnt/{n}-{m} && mount --bind {shlex.quote(str(path))} /mnt/{n}-{m}")
        empty = "mode=1777,size=16m vum-tmp" if ancestor == POD_TMP else "mode=0755,size=1m vum-hidden"
        lines.append(f"mount -t tmpfs -o {empty} {shlex.quote(str(ancestor))}")
        for m, path in enumerate(below):
            lines.append(f"mkdir -p {shlex.quote(str(path))} && mount --bind /mnt/{n}-{m} {shlex.quote(str(path))}")
    return lines


def sandbox(pod_files: Path, workdir: str, env: dict[str, str], command: list[str], uid: int, gid: int) -> list[str]:
    """`command` in a private mount namespace: the pod's files at IMAGE, every mount read-only,
    an in-memory /tmp, then as uid:gid without capabilities and with only `env`."""
    needed = [Path(os.path.realpath(sys.executable)).parent.parent, Path(sys.prefix), ROOT, pod_files]
    hidden = hidden_ancestors(needed, uid)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    lines = ["set -eu", *hide_and_restore(hidden)]
    lines += [
        f"mount -t tmpfs -o mode=0755,size=1m vum-scratch {SCRATCH}",
        f"mkdir -p {IMAGE} && mount --bind {shlex.quote(str(pod_files))} {IMAGE}",
        # the root filesystem and every other mount read-only, as readOnlyRootFilesystem; /tmp not
        "awk '{print $5}' /proc/self/mountinfo | grep -v -E '^/(proc|sys|dev)(/|$)|^/tmp$' | sort -u | "
        'while read -r point; do [ -d "$point" ] || continue; mount -o remount,bind,ro "$point"; done',
    ]
    if POD_TMP not in hidden:  # else hide_and_restore put it there already
        lines.append("mount -t tmpfs -o mode=1777,size=16m vum-tmp /tmp")  # the pod's emptyDir
    lines += [
        f"cd {shlex.quote(workdir)}",
        "exec setpriv --reuid={} --regid={} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all "
        "env -i {} {}".format(
            uid,
            gid,
            " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()),
            " ".join(shlex.quote(part) for part in command),
        ),
    ]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines)]


def require_sandbox() -> None:
    if os.geteuid() != 0:
        need("running the image's command needs root for its mount namespace and user switch")
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", "mount -t tmpfs vum-probe /tmp && mount -o remount,bind,ro /"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        need(f"unshare --mount is not permitted here: {probe.stderr.strip()}")


# -- the pod's files ----------------------------------------------------------------------------


def pod_configuration(organisations: list[dict[str, Any]], issuer: dict[str, str]) -> str:
    """deploy/kubernetes/base/gateway.toml with this test's subgraphs and identity provider, and
    its files where the pod's are mounted."""
    text = KUBERNETES_CONFIG.read_text(encoding="utf-8")
    text = text[: text.index("[[organisations]]")]
    issuer_table = "[[auth.issuers]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in issuer.items())
    text = re.sub(r"\[\[auth\.issuers\]\]\n(?:[a-z_]+ = .*\n)+", issuer_table, text)
    for organisation in organisations:
        text += "\n[[organisations]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in organisation.items())
    return text.replace('"/etc/vum/', f'"{IMAGE}/etc/vum/')


def write_pod_files(root: Path, config: str, dsn: str, redis: str, uid: int, gid: int) -> None:
    """The ConfigMap and the Secret as the kubelet mounts them: root-owned, readable by the pod's group."""
    secrets = root / "etc" / "vum" / "secrets"
    secrets.mkdir(parents=True)
    (root / "etc" / "vum" / "gateway.toml").write_text(config, encoding="utf-8")
    values = {"pseudonym-key": new_key(), "processing-log-dsn": dsn, "quota-redis-url": redis}
    for name, value in values.items():
        (secrets / name).write_text(value + "\n", encoding="utf-8")
    write_private_key(new_private_key(), secrets / "gateway-signing.pem")
    for name in SECRETS:
        os.chown(secrets / name, 0, gid)
        (secrets / name).chmod(0o440)  # defaultMode: 0440, fsGroup
    workdir = root / "var" / "lib" / "vum"
    workdir.mkdir(parents=True)
    os.chown(workdir, uid, gid)  # as the image creates it; read-only anyway
    for directory in (root, root / "etc", root / "etc" / "vum", root / "var", root / "var" / "lib"):
        directory.chmod(0o755)


# -- the running image ----------------------------------------------------------------------------


@dataclass
class Running:
    process: asyncio.subprocess.Process
    port: int
    env: dict[str, str]
    image: Image
    issuer: identity.TestIssuer
    dsn: str
    session: aiohttp.ClientSession
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def healthcheck(self) -> int:
        """The Dockerfile's HEALTHCHECK command, with the container's environment: its exit code."""
        check = await asyncio.create_subprocess_exec(
            *self.image.healthcheck, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return await check.wait()

    async def search(self) -> tuple[int, dict[str, Any]]:
        payload = {"query": SEARCH, "variables": {"s": EINDHOVEN, "first": 100}}
        async with self.session.post(f"{self.url}/graphql", json=payload, headers=self.issuer.headers()) as response:
            return response.status, await response.json(content_type=None)


async def serve_subgraphs(port: int) -> tuple[list[LiveServer], list[dict[str, Any]]]:
    jwks = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    ids = ["gemeente-eindhoven", "uwv"]
    data = generate(5, ids, read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=15)
    servers, organisations = [], []
    for index, (bron_id, generated) in enumerate(zip(ids, data, strict=True)):
        app = organisation_app(InMemoryAdapter(consented(generated.werkzoekenden)), bron_id)
        servers.append(await LiveServer(app(GatewayTrust(jwks, oin_of(index)))).start())
        organisations.append(
            {"id": bron_id, "name": bron_id, "oin": oin_of(index), "kind": "gemeente", "url": servers[-1].url}
        )
    oin = "00000001003214345001"
    servers.append(await LiveServer(codelijsten_app(BEROEPEN, GatewayTrust(jwks, oin))).start())
    organisations.append(
        {"id": "codelijsten", "name": "Codelijsten", "oin": oin, "kind": "codelijsten", "url": servers[-1].url}
    )
    return servers, organisations


@pytest_asyncio.fixture(scope="module")
async def running(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    require_sandbox()
    redis = redis_url()
    built = image()
    port = free_port()
    issuer = await identity.TestIssuer().start()
    servers, organisations = await serve_subgraphs(port)
    databases = fresh_database(postgres_server)
    dsn = next(databases)
    pod = tmp_path_factory.mktemp("pod")
    issuer_table = {"issuer": identity.ISSUER, "jwks_url": issuer.jwks_url, "audience": identity.AUDIENCE}
    write_pod_files(pod, pod_configuration(organisations, issuer_table), dsn, redis, built.uid, built.gid)
    venv_bin = str(Path(sys.executable).parent)
    env = {**built.env, "HOME": "/nonexistent", "VUM_GATEWAY__PORT": str(port)}
    env["PATH"] = built.env["PATH"].replace(f"{IMAGE_VENV}/bin", venv_bin, 1) + os.environ.get("PATH", "")
    command = [part.replace("/etc/vum/", f"{IMAGE}/etc/vum/") for part in built.cmd]
    log = pod.parent / "gateway.log"
    with log.open("wb") as handle:
        process = await asyncio.create_subprocess_exec(
            *sandbox(pod, built.workdir.replace("/var/lib/vum", f"{IMAGE}/var/lib/vum"), env, command, built.uid, built.gid),
            stdout=handle, stderr=handle, start_new_session=True,
        )  # fmt: skip
    health_env = {**env, "VUM_HEALTH_URL": f"http://127.0.0.1:{port}/health"}
    session = aiohttp.ClientSession()
    started = Running(process, port, health_env, built, issuer, dsn, session, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while await started.healthcheck() != 0:
            if process.returncode is not None or time.monotonic() > deadline:
                pytest.fail(f"the image's command did not become healthy:\n{log.read_text(errors='replace')[-3000:]}")
            await asyncio.sleep(0.5)
        yield started
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        await session.close()
        for server in servers:
            await server.stop()
        await issuer.server.stop()
        next(databases, None)


async def test_the_image_answers_its_healthcheck_readiness_and_a_search(running: Running) -> None:
    assert await running.healthcheck() == 0
    deadline = time.monotonic() + 30
    while True:
        async with running.session.get(f"{running.url}/ready") as response:
            ready = await response.json()
            if response.status == 200 and set(ready["sources"].values()) == {"CONFORM"}:
                break
        assert time.monotonic() < deadline, ready
        await asyncio.sleep(0.3)
    status, body = await running.search()
    assert status == 200 and "errors" not in body, body
    found = body["data"]["werkzoekendeProfielMatches"]
    assert {b["status"] for b in found["bronnen"]} == {"OK"} and found["edges"]
    engine = create_engine(running.dsn)
    with engine.connect() as connection:
        logged = connection.execute(text("SELECT coalesce(sum(length(inzage)), 0) / 36 FROM verwerking")).scalar_one()
    engine.dispose()
    assert logged >= len(found["edges"]), "the processing log in PostgreSQL, from a read-only container"


def test_the_image_runs_unprivileged_read_only_with_its_secrets_out_of_its_environment(running: Running) -> None:
    status = Path(f"/proc/{running.process.pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert fields["Uid"].split()[0] == str(running.image.uid)
    assert int(fields["CapEff"].strip(), 16) == 0, "no capabilities"
    assert fields["NoNewPrivs"].strip() == "1"
    environ = Path(f"/proc/{running.process.pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert names == set(running.env) - {"VUM_HEALTH_URL"}, "exactly the image's environment"
    writable = []
    for line in Path(f"/proc/{running.process.pid}/mountinfo").read_text().splitlines():
        point, options = line.split()[4], line.split()[5].split(",")
        if "ro" not in options and not re.match(r"^/(proc|sys|dev)(/|$)|^/tmp$", point):
            writable.append(point)
    assert not writable, f"a read-only root filesystem (an in-memory /tmp only): {writable}"
    secrets = Path(f"/proc/{running.process.pid}/root{IMAGE}/etc/vum/secrets")
    for name in SECRETS:
        secret = (secrets / name).read_bytes().strip()
        assert not any(secret in entry for entry in environ), f"{name} is not in the environment"


async def test_the_image_drains_on_sigterm_then_stops(running: Running) -> None:
    running.process.send_signal(signal.SIGTERM)
    draining_seen = answered_while_draining = False
    while running.process.returncode is None:
        try:
            async with running.session.get(f"{running.url}/ready") as response:
                if response.status == 503 and (await response.json())["status"] == "draining":
                    draining_seen = True
                    status, body = await running.search()
                    answered_while_draining |= status == 200 and "errors" not in body
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    assert draining_seen and answered_while_draining, "ready turns 503 while requests are still served"
    assert running.process.returncode in (0, -signal.SIGTERM), running.log.read_text(errors="replace")[-2000:]
    assert "Traceback" not in running.log.read_text(errors="replace"), "nothing failed on the read-only filesystem"
