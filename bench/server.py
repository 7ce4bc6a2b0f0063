"""`inscribe serve` as a subprocess: the API exactly as deployed, projections in-process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

import httpx

from bench.common import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("inscribe")
    if script.exists():
        return [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "interface.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


class Server:
    """Start with `with Server(url, secret) as server:`; `server.base_url` is the API's root."""

    def __init__(self, database_url: str, jwt_secret: str, startup_timeout: float = 60.0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.command = _command(self.port)
        self.env = {
            **os.environ,
            "INSCRIBE_DATABASE_URL": database_url,
            "INSCRIBE_JWT_SECRET": jwt_secret,
            "INSCRIBE_PROJECTIONS_IN_PROCESS": "true",
        }
        self.startup_timeout = startup_timeout
        # The server's output (uvicorn logs every request) goes to a file: a pipe nobody reads would block it.
        # It stays open for the server's whole life (no `with`): stop() closes and removes it.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            "w+", prefix="inscribe-bench-server-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            self._wait_healthy()
        except BaseException:  # also Ctrl-C or SIGTERM during start-up: never leave the server behind
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"inscribe serve exited early:\n{self.tail()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"inscribe serve did not answer /health within {self.startup_timeout}s:\n{self.tail()}")

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGINT (uvicorn's graceful stop: the projection runner and the pools close), then SIGKILL."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        path = Path(self.log.name)
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
