"""Two roles, a kernel cap, HTTPS and a store check: one real ``transferkit serve`` server (Voilà).

A participant holds the join link (and its secret) from the projector; the
moderator's secret is printed only in the moderator's terminal.
"""

from __future__ import annotations

import http.client
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from server_helpers import stop_process_group

from transferkit.cli.serve import serve_command
from transferkit.guard import ServerLimits
from transferkit.serve import start_voila
from transferkit.store import Store

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"
MODERATOR = "mod-Secret-123"
PARTICIPANT = "part-Secret-456"


class Running:
    def __init__(self, port: int, log: Path, *, tls: bool = False) -> None:
        self.port = port
        self.log = log
        self.tls = tls

    def get(self, path: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn: Any = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=120, context=context
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in response.getheaders()}
        conn.close()
        return response.status, body, headers

    def follow(self, path: str, cookie: str = "") -> tuple[int, str]:
        """GET, following redirects on the same server (as a browser would)."""
        for _ in range(5):
            status, body, headers = self.get(path, cookie)
            if status not in (301, 302, 303, 307):
                return status, body
            path = headers["location"]
        return status, body


def _start(tmp: Path, *, limits: ServerLimits | None = None, **kwargs: Any) -> tuple[Any, Running]:
    store_url = f"sqlite:///{tmp / 'store.db'}"
    with Store(store_url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    log = tmp / "voila.log"
    process, port = start_voila(
        WORKSHOPS,
        store_url=store_url,
        log_path=log,
        moderator_token=MODERATOR,
        participant_token=PARTICIPANT,
        limits=limits,
        env=dict(os.environ, MPLBACKEND="Agg"),
        **kwargs,
    )
    return process, Running(port, log, tls="certfile" in kwargs)


def _stop(process: Any) -> None:
    stop_process_group(process)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    process, server = _start(tmp_path_factory.mktemp("roles"), limits=ServerLimits(max_kernels=2))
    try:
        yield server
    finally:
        _stop(process)


MODERATOR_ROUTES = [
    "/",
    "/voila/render/round_table.ipynb?pilot=P01&loop=1",
    "/voila/render/reflection_loop.ipynb?pilot=P01&loop=1",
    "/voila/render/round_table.ipynb?sheet=round_table&pilot=P01&loop=1",
    "/voila/api/contents/",
    "/voila/files/round_table.ipynb",
    "/voila/tree/",
    "/api/kernels/00000000-0000-0000-0000-000000000000",
]


@pytest.mark.parametrize("route", MODERATOR_ROUTES)
@pytest.mark.parametrize("secret", ["", PARTICIPANT])
def test_participants_reach_no_moderator_route(running: Running, route: str, secret: str) -> None:
    sep = "&" if "?" in route else "?"
    status, body = running.follow(route + (f"{sep}token={secret}" if secret else ""))
    assert status in (403, 404), (route, status)
    assert PARTICIPANT not in body
    assert MODERATOR not in body


def test_the_sheet_needs_the_participant_secret_and_nothing_else(running: Running) -> None:
    sheet = "/sheet?sheet=needs_analysis&pilot=P01&loop=1"
    assert running.get(sheet)[0] == 403
    assert running.get(sheet + f"&token={MODERATOR}")[0] == 403  # the moderator's is no master key
    status, body, headers = running.get(sheet + f"&token={PARTICIPANT}")
    assert status == 200
    assert "tk-code-step" in body
    assert "samesite" in headers.get("set-cookie", "").lower()


def test_moderator_screens_start_kernels_up_to_the_cap(running: Running) -> None:
    route = f"/voila/render/round_table.ipynb?pilot=P01&loop=1&token={MODERATOR}"
    first = running.get(route)
    assert first[0] == 200, first[1][:500]
    assert running.get(route)[0] == 200
    status, body, _ = running.get(route)  # a third kernel: over --max-kernels 2
    assert status == 503
    assert "Zu viele offene Bildschirme" in body
    assert "--max-kernels" in body


def test_no_secret_in_the_server_log(running: Running) -> None:
    running.get(f"/voila/render/round_table.ipynb?token={PARTICIPANT}")
    running.get(f"/sheet?sheet=needs_analysis&token=wrong-{PARTICIPANT}")
    deadline = time.monotonic() + 10
    while True:  # the access log line is written just after the answer
        text = running.log.read_text(encoding="utf-8", errors="replace")
        if "403 GET /sheet" in text or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "403 GET /sheet" in text
    assert PARTICIPANT not in text
    assert MODERATOR not in text


def test_kernels_do_not_inherit_the_moderator_secret(tmp_path: Path) -> None:
    from transferkit.serve import serve_env

    env = serve_env("sqlite://", "http://h/", PARTICIPANT, moderator_token=MODERATOR)
    assert env["TRANSFERKIT_MODERATOR_TOKEN"] == MODERATOR  # handed to Voilà ...
    code = (
        "import os\n"
        "from transferkit.serve import voila_app_class\n"
        "app = voila_app_class()()\n"
        "try:\n"
        "    app.init_settings()\n"
        "except Exception:\n"
        "    pass\n"
        "print(app.token == os.environ.get('X_EXPECTED'), 'TRANSFERKIT_MODERATOR_TOKEN' in os.environ)\n"
    )
    out = subprocess.run(
        [os.sys.executable, "-c", code],
        env={**env, "X_EXPECTED": MODERATOR},  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out[-2:] == ["True", "False"]  # ... which takes it and removes it before kernels start


def test_https_with_certfile_and_keyfile(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    process, server = _start(tmp_path, certfile=cert, keyfile=key)
    try:
        status, body, _ = server.get(f"/sheet?sheet=needs_analysis&pilot=P01&token={PARTICIPANT}")
        assert status == 200
        assert "tk-code-step" in body
    finally:
        _stop(process)


def test_serve_refuses_a_read_only_store_before_printing_any_link(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    Store(f"sqlite:///{path}").close()
    result = CliRunner().invoke(
        serve_command,
        [
            "--port",
            "0",
            "--db",
            f"sqlite:///file:{path}?mode=ro&uri=true",
            "--workshops",
            str(WORKSHOPS),
        ],
    )
    assert result.exit_code == 1
    assert "readonly" in result.output or "read-only" in result.output
    assert "ready" not in result.output
    assert "http://" not in result.output  # no link, no QR code


def test_serve_generates_two_different_secrets_and_prints_them_in_the_terminal(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        serve_command,
        ["--dry-run", "--db", f"sqlite:///{tmp_path}/x.db", "--workshops", str(WORKSHOPS)],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    participant = next(line for line in lines if "participants:" in line)
    moderator = next(line for line in lines if "round table:" in line)
    p_secret = participant.split("token=")[1]
    m_secret = moderator.split("token=")[1]
    assert len(p_secret) >= 20
    assert len(m_secret) >= 20
    assert p_secret != m_secret
    assert m_secret not in participant
    opened = CliRunner().invoke(
        serve_command,
        [
            "--dry-run",
            "--open",
            "--db",
            f"sqlite:///{tmp_path}/x.db",
            "--workshops",
            str(WORKSHOPS),
        ],
    )
    participant = next(line for line in opened.output.splitlines() if "participants:" in line)
    assert "token=" not in participant
