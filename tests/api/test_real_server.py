"""The real thing: `inscribe serve` in its own process, spoken to over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders.common import individual_body
from tests.builders.environment import JWT_SECRET, KEY_ENCRYPTION_KEY

BIN = Path(sys.executable).parent
INSCRIBE = str(BIN / "inscribe")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """The current environment without any INSCRIBE_ setting but the key-encryption key (required on
    PostgreSQL), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSCRIBE_")}
    env.update(INSCRIBE_KEY_ENCRYPTION_KEY=KEY_ENCRYPTION_KEY, **settings)
    return env


class Server:
    """A started `inscribe serve` process and its base URL."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"inscribe serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"inscribe serve did not answer /health within {seconds} s:\n{self.output()}")
            time.sleep(0.1)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """`inscribe serve` on a free port over the test database (started, not yet waited for)."""
    port = free_port()
    log = tmp_path / "server.log"
    env = clean_env(INSCRIBE_DATABASE_URL=database_url, INSCRIBE_JWT_SECRET=JWT_SECRET)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [INSCRIBE, "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def mint(env: dict[str, str], role: str, sub: str) -> str:
    """A token from `inscribe token`, run as its own process."""
    done = subprocess.run(
        [INSCRIBE, "token", "--role", role, "--sub", sub],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_real_server_registers_and_reads_back_with_a_token_from_the_command_line(
    server: Server, database_url: str
) -> None:
    env = clean_env(INSCRIBE_DATABASE_URL=database_url, INSCRIBE_JWT_SECRET=JWT_SECRET)
    agent = {"Authorization": f"Bearer {mint(env, 'agent', 'real-agent')}"}  # while the server starts
    body = individual_body(301)
    server.wait_until_healthy()

    with httpx.Client(base_url=server.url, timeout=30) as http:
        created = http.post("/api/v1/customers", json=body, headers=agent)
        answer = created.json()
        view = http.get(
            f"/api/v1/customers/{answer['id']}",
            params={"after": answer["position"], "unmasked": "true", "reason": "check"},
            headers=agent,
        )
        history = http.get(
            f"/api/v1/customers/{answer['id']}/history", params={"after": answer["position"]}, headers=agent
        )
        anonymous = http.get("/api/v1/customers")
        docs = http.get("/schema/openapi.json")
        console = http.get("/console/", follow_redirects=False)

    assert created.status_code == 201, created.text
    assert view.status_code == 200, view.text
    assert (view.json()["name"], view.json()["identity_number"]) == (body["name"], body["id_number"])
    assert history.json()["events"][0]["metadata"]["actor_id"] == "real-agent"
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert "/api/v1/customers" in docs.json()["paths"]
    assert console.status_code == 303 and console.headers["location"].startswith("/console/sign-in")
    assert f"{server.url}/console" in server.output()  # where the console is, printed at start

    server.process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: -SIGTERM is a clean stop.
    assert server.process.wait(30) in (0, -signal.SIGTERM), server.output()
    assert "application shutdown complete" in server.output().lower()


def test_serve_refuses_to_start_on_postgresql_without_a_jwt_secret(tmp_path: Path) -> None:
    env = clean_env(INSCRIBE_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/inscribe_never_used")

    done = subprocess.run(
        [INSCRIBE, "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert "INSCRIBE_JWT_SECRET" in done.stdout + done.stderr
