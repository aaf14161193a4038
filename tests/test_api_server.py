"""``kirjuri tokens`` and a real ``kirjuri serve`` on a free loopback port,
on each backend: a few calls through it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from api.auth import RIGHTS
from tests.api_helpers import REGISTER, ROLES
from tests.conftest import POLICY, delivery
from tests.test_api_roles import PUBLIC, TABLE, fill

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from commands.bootstrap import Settings

KIRJURI = str(Path(sys.executable).parent / "kirjuri")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env(settings: Settings) -> dict[str, str]:
    url = settings.database_url or f"sqlite:{settings.sqlite_path}"
    return {
        **os.environ,
        "KIRJURI_DATABASE_URL": url,
        "KIRJURI_MASTER_KEY": settings.master_key or "",
        "KIRJURI_SIGNING_KEY": settings.signing_key or "",
        "KIRJURI_LOG_LEVEL": "debug",  # the most a server could ever log
    }


def _until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until the server answers (or has died). A limit, not a
    timing: a loaded CI machine may take a while to import the app."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the server stopped")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)  # not yet listening
    raise AssertionError("the server did not start")


@contextmanager
def _server(
    settings: Settings, tmp_path: Path, **env: str
) -> Iterator[tuple[str, int]]:
    """``kirjuri serve`` on a free port (its log in ``server.log``); yields
    its URL and process id, and stops it."""
    port = _free_port()
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [KIRJURI, "serve", "--port", str(port)],
            env=_env(settings) | env,
            stdout=log,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _until_up(base, server)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def served(
    settings: Settings, cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> Iterator[str]:
    """A server on a free port; what it logs goes to ``server.log``."""
    assert cli("init", "--policy", str(POLICY))[0] == 0
    with _server(settings, tmp_path) as (base, _):
        yield base


def test_tokens_are_shown_once_listed_and_revoked(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    """The token is printed once; list never shows it; a revoked one is marked."""
    assert cli("init", "--policy", str(POLICY))[0] == 0
    code, out, _ = cli("tokens", "create", "--name", "crm", "--role", "ingest")
    token = out.strip()
    assert code == 0 and token.startswith("kj_")
    code, listed, _ = cli("tokens", "list", "--format", "jsonl")
    assert code == 0 and "crm" in listed and token not in listed
    token_id = listed.split('"token_id": "')[1].split('"')[0]
    assert cli("tokens", "revoke", token_id)[0] == 0
    assert '"revoked_at": null' not in cli("tokens", "list", "--format", "jsonl")[1]
    code, _, err = cli("tokens", "create", "--name", "dpa", "--role", "regulator")
    assert code == 65 and "expires" in err


def test_a_real_server_records_and_refuses(
    served: str, cli: Callable[..., tuple[int, str, str]]
) -> None:
    """Through uvicorn: a command recorded, a wrong token refused, the signed
    note public."""
    token = cli("tokens", "create", "--name", "crm", "--role", "ingest")[1].strip()
    headers = {"Authorization": f"Bearer {token}"}
    made = httpx.post(f"{served}/v1/commands", json=REGISTER, headers=headers)
    assert made.status_code == 201, made.text
    wrong = httpx.get(
        f"{served}/v1/findings", headers={"Authorization": "Bearer kj_nope"}
    )
    assert wrong.status_code == 401
    forbidden = httpx.get(f"{served}/v1/findings", headers=headers)
    assert forbidden.status_code == 403
    assert httpx.get(f"{served}/readyz").status_code == 200
    metrics = httpx.get(f"{served}/metrics", headers=headers)
    assert "kirjuri_commands_recorded_total 1.0" in metrics.text
    assert cli("checkpoint")[0] == 0
    assert httpx.get(f"{served}/v1/checkpoints/latest").text.startswith("kirjuri/")


def test_the_readme_curl_calls_run_against_a_real_server(
    served: str, settings: Settings, tmp_path: Path
) -> None:
    """The README's HTTP tour, as written (the server is the fixture's)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    found = re.search(r"## The HTTP API\n\n(?:.*?\n\n)*?```sh\n(.*?)```", readme, re.S)
    assert found is not None
    script = "\n".join(
        line for line in found.group(1).splitlines() if "kirjuri serve" not in line
    )
    bin_dir = str(Path(KIRJURI).parent)
    env = {
        **_env(settings),
        "KIRJURI_URL": served,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
    }
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert "Kuka tietojasi on katsonut" in ran.stdout
    assert "SubjectConsulted" in ran.stdout
    assert '"acknowledged_by":"privacy"' in ran.stdout.replace(" ", "")
    assert '"from_checkpoint"' in ran.stdout
    # The server never logs a token or a personal value, even at debug.
    logged = (tmp_path / "server.log").read_text()
    assert "recorded" in logged
    assert "pumppu.example" not in logged
    assert (tmp_path / "crm.token").read_text().strip() not in logged


def test_every_role_on_every_route_of_a_real_server(
    served: str, cli: Callable[..., tuple[int, str, str]]
) -> None:
    """The role table of tests/test_api_roles.py, through uvicorn: each role
    reaches exactly what it grants; without a token, nothing but the public
    routes."""
    tokens = {
        role: cli(
            "tokens",
            "create",
            "--name",
            f"t_{role}",
            "--role",
            role,
            *(["--expires", "1d"] if role == "regulator" else []),
        )[1].strip()
        for role in ROLES
    }
    dpo = {"Authorization": f"Bearer {tokens['dpo']}"}
    subject = httpx.post(f"{served}/v1/commands", json=REGISTER, headers=dpo).json()
    assert cli("checkpoint")[0] == 0
    wrong = []
    with httpx.Client(base_url=served, timeout=30) as api:
        for role in (*ROLES, None):
            headers = {"X-Purpose": "the role table"}
            if role is not None:
                headers["Authorization"] = f"Bearer {tokens[role]}"
            for method, path, body, right in TABLE:
                answer = api.request(
                    method,
                    fill(path, subject["subject"]),
                    json=fill(body, subject["subject"]),
                    headers=headers,
                )
                granted = role is not None and role in RIGHTS[right]
                status = answer.status_code
                refusal = 401 if role is None else 403
                if status >= 500 or (status in {401, 403}) == granted:
                    wrong.append((role, method, path, status))
                elif not granted and status != refusal:
                    wrong.append((role, method, path, answer.status_code))
        for path in PUBLIC:
            assert api.get(path).status_code == 200, path
    assert wrong == []


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found |= {int(child)} | _descendants(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_server_with_a_follower_answers_each_write_with_the_next_read(
    settings: Settings, cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """KIRJURI_FOLLOWER=yes: writes return once saved, a follower process
    applies the read models, and a caller's next read has its write; the
    follower ends with the server."""
    assert cli("init", "--policy", str(POLICY))[0] == 0
    token = cli("tokens", "create", "--name", "dpo", "--role", "dpo")[1].strip()
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": "a test"}
    with (
        _server(settings, tmp_path, KIRJURI_FOLLOWER="yes") as (base, pid),
        httpx.Client(base_url=base, headers=headers, timeout=30) as api,
    ):
        subject = api.post("/v1/commands", json=REGISTER).json()["subject"]
        for number in range(15):
            reference = f"SEUR-{number}"
            made = api.post("/v1/commands", json=delivery(subject, reference))
            assert made.status_code == 201, made.text
            page = api.get("/v1/history", params={"recipient": "delivery_partner"})
            assert reference in [row["reference"] for row in page.json()["items"]]
        children = _descendants(pid)
        assert children  # uvicorn's worker and its follower
    deadline = time.monotonic() + 30
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(child) for child in children)
    assert "read models followed" in (tmp_path / "server.log").read_text()
