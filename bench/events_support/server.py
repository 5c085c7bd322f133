"""gunicorn for the benchmark, and the two ways in: a page login and an API token.

The app runs with the production settings (`gridgov.settings.production`), as README's "Running in
production" deploys it: DEBUG off, WhiteNoise serving the collected static files, the production
keys checks. The environment the settings require is made up for the run (a random SECRET_KEY,
fresh field and hash keys, ALLOWED_HOSTS=127.0.0.1, a temporary GRIDGOV_VAR_DIR). Requests carry
``X-Forwarded-Proto: https`` as the TLS-terminating proxy in front of it would send, so the
secure-cookie and HTTPS-redirect settings stay on.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

FORWARDED = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(
        self,
        *,
        env: dict[str, str],
        port: int,
        workers: int,
        threads: int,
        log_path: Path,
    ) -> None:
        self.env, self.port, self.workers, self.threads = env, port, workers, threads
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        bin_dir = Path(sys.executable).parent
        return [
            str(bin_dir / "gunicorn"),
            "gridgov.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread" if self.threads > 1 else "sync",
            "--timeout",
            "120",
            "--error-logfile",
            str(self.log_path),
            "--log-level",
            "warning",
        ]

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn)
            self.command,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group, stopped by its id below
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn exited ({code}); see {self.log_path}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the group of the gunicorn we started
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={**FORWARDED, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, data
    finally:
        conn.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    jar: dict[str, str] = {}
    for line in headers.get("set-cookie", []):
        cookie = SimpleCookie()
        cookie.load(line)
        jar.update({name: morsel.value for name, morsel in cookie.items()})
    return jar


def login(port: int, username: str, password: str) -> str:
    """Sign in through the login page (CSRF token, form POST); returns the session cookie."""
    status, headers, page = request(port, "GET", "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/ answered {status}")
    jar = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match or "csrftoken" not in jar:
        raise RuntimeError("the login page has no CSRF token")
    form = urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
        }
    ).encode()
    origin = f"https://127.0.0.1:{port}"
    status, headers, _ = request(
        port,
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Origin": origin,
            "Referer": origin + "/login/",
        },
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login of {username} failed ({status})")
    return session


def api_token(port: int, username: str, password: str) -> str:
    """POST /api/auth/token/ (throttled at 20 a minute per client: waits when told to)."""
    body = json.dumps({"username": username, "password": password}).encode()
    for _ in range(10):
        status, headers, data = request(
            port,
            "POST",
            "/api/auth/token/",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        if status == 200:
            return json.loads(data)["token"]
        if status == 429:
            time.sleep(float(headers.get("retry-after", ["5"])[0]) + 0.5)
            continue
        raise RuntimeError(f"token for {username}: {status} {data[:200]!r}")
    raise RuntimeError(f"token for {username}: still throttled")
