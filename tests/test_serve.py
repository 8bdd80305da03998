"""``transferkit serve``: command line, links, QR code (without starting a server)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from transferkit.cli.serve import serve_command
from transferkit.serve import find_workshops_dir, qr_text, voila_argv
from transferkit.store import Store

ROOT = Path(__file__).resolve().parents[1]


def test_voila_argv_culls_and_protects_without_preheating() -> None:
    argv = voila_argv(
        ROOT / "workshops", host="0.0.0.0", port=9000, cull_idle_timeout=300, cull_interval=30
    )
    assert not any(
        "preheat" in a or "pool_size" in a for a in argv
    )  # no participant page needs a kernel
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert "--MappingKernelManager.cull_interval=30" in argv
    assert "--VoilaConfiguration.allow_template_override=NO" in argv
    assert not any("token" in a for a in argv)  # secrets never on a command line (ps shows it)
    assert "--TransferkitVoila.max_kernels=6" in argv
    assert "--TransferkitVoila.max_body_size=262144" in argv
    assert "--port=9000" in argv


def test_qr_code_is_printable() -> None:
    text = qr_text("http://192.168.1.5:8866/sheet?sheet=needs_analysis")
    assert len(text.splitlines()) > 10


def test_find_workshops_dir() -> None:
    assert find_workshops_dir(ROOT / "src") == ROOT / "workshops"


def test_serve_dry_run_prints_links_and_command(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path}/x.db").add_pilot("P01", "Pilot", loops=4)
    result = CliRunner().invoke(
        serve_command,
        [
            "--dry-run",
            "--port",
            "8999",
            "--pilot",
            "P01",
            "--loop",
            "2",
            "--db",
            f"sqlite:///{tmp_path}/x.db",
            "--workshops",
            str(ROOT / "workshops"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "participants: http://" in result.output
    assert ":8999/sheet?sheet=needs_analysis&pilot=P01&loop=2" in result.output
    links = [line for line in result.output.splitlines() if "http://" in line]
    assert not any("sheet.ipynb" in line or "template=" in line for line in links)  # one sheet
    assert "round_table.ipynb?pilot=P01&loop=2&token=" in result.output
    assert "--preheat_kernel=True" not in result.output  # participants need no kernels
    assert "█" in result.output or "▀" in result.output  # the QR code


def test_serve_without_workshops_folder_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, ["--dry-run", "--workshops", str(tmp_path)])
    assert result.exit_code == 1
    assert "round_table.ipynb" in result.output


def test_pool_size_is_a_deprecated_no_op(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve_command,
        [
            "--dry-run",
            "--pool-size",
            "2",
            "--db",
            f"sqlite:///{tmp_path}/x.db",
            "--workshops",
            str(ROOT / "workshops"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "--pool-size is deprecated and ignored" in result.output
    assert "preheat" not in result.output.split("deprecated and ignored")[1].split("\n", 1)[1]


def test_voila_runs_without_patches_of_its_internals() -> None:
    import voila.handler  # type: ignore[import-untyped]

    from transferkit import serve

    argv = voila_argv("w")
    assert argv[1:3] == ["-m", "transferkit.serve"]
    assert not hasattr(serve, "_patch_voila_preheat")
    assert not getattr(
        voila.handler.VoilaHandler.should_use_rendered_notebook, "_transferkit", False
    )


def test_ready_when_voila_listens() -> None:
    from transferkit.serve import ReadinessWatcher

    lines: list[str] = []
    watcher = ReadinessWatcher(echo=lines.append)
    watcher.feed("[Voila] Kernel started")
    assert not watcher.ready
    assert lines == []  # the web sheet needs Voilà's server, not kernels
    watcher.feed("[Voila] Voilà is running at:")
    assert watcher.ready
    assert "ready" in lines[-1]
    watcher.feed("[Voila] Voilà is running at:")
    assert len(lines) == 1  # said once


def test_voila_app_serves_the_web_sheet_first() -> None:
    from transferkit.serve import voila_app_class

    app = voila_app_class()
    assert app.__name__ == "TransferkitVoila"
    assert "init_handlers" in vars(app)


def test_token_reaches_the_kernels_and_join_links(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from transferkit.live.screens import with_token
    from transferkit.serve import serve_env

    env = serve_env("sqlite://", "http://10.0.0.2:8866/", "s3 cret")
    assert env["TRANSFERKIT_TOKEN"] == "s3 cret"
    monkeypatch.setenv("TRANSFERKIT_TOKEN", "leftover")
    assert "TRANSFERKIT_TOKEN" not in serve_env("sqlite://", "http://10.0.0.2:8866/")
    monkeypatch.setenv("TRANSFERKIT_TOKEN", "s3 cret")
    assert with_token("http://h/sheet?sheet=x") == "http://h/sheet?sheet=x&token=s3%20cret"
    assert with_token("http://h/sheet") == "http://h/sheet?token=s3%20cret"
    monkeypatch.delenv("TRANSFERKIT_TOKEN")
    assert with_token("http://h/x?a=1") == "http://h/x?a=1"


def test_stopping_serve_with_sigterm_stops_voila_and_its_kernels(tmp_path: Path) -> None:
    """``kill`` (or a closed terminal) on ``transferkit serve`` must not leave Voilà holding the port."""
    import contextlib
    import http.client
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import psutil

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, HOME=str(tmp_path), MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    cli = [
        sys.executable,
        "-c",
        "from transferkit.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--moderator-token",
        "m0d-s3cret",
        "--db",
        f"sqlite:///{tmp_path / 'tk.db'}",
        "--workshops",
        str(ROOT / "workshops"),
    ]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            cli, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        kernels: list[psutil.Process] = []
        opened = False
        while (
            time.monotonic() < deadline
        ):  # wait for Voilà, then open a moderator screen (a kernel)
            tree = psutil.Process(process.pid).children(recursive=True)
            kernels = [p for p in tree if "ipykernel" in " ".join(p.cmdline())]
            if kernels:
                break
            if not opened and "transferkit: ready after" in log.read_text(errors="replace"):
                import threading
                import urllib.request

                url = f"http://127.0.0.1:{port}/voila/render/round_table.ipynb?token=m0d-s3cret"

                def visit(url: str = url) -> None:
                    # the page may be cut off by the SIGTERM below: that is the point
                    with contextlib.suppress(OSError, http.client.HTTPException):
                        urllib.request.urlopen(url, timeout=60).read()

                threading.Thread(target=visit, daemon=True).start()
                opened = True
            assert process.poll() is None, log.read_text(errors="replace")
            time.sleep(0.3)
        assert kernels, log.read_text(errors="replace")
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)  # the CLI only, not its process group
        assert process.wait(timeout=30) is not None
        _gone, alive = psutil.wait_procs(children, timeout=20)
        assert not alive, f"still running after serve stopped: {[p.cmdline()[:3] for p in alive]}"
        with socket.socket() as again:
            again.setsockopt(
                socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
            )  # as tornado does (TIME_WAIT)
            again.bind(("127.0.0.1", port))  # the port is free again
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for child in children:  # orphans of a failed run
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


def test_a_busy_port_is_a_clear_error_before_any_link_is_printed(tmp_path: Path) -> None:
    """Voilà used to move to the next port while the QR code pointed at the busy one."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            serve_command,
            [
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                f"sqlite:///{tmp_path}/x.db",
                "--workshops",
                str(ROOT / "workshops"),
            ],
        )
    assert result.exit_code == 1
    assert f"Port {port} is in use" in result.output
    assert f"--port {port + 1}" in result.output
    assert "http://" not in result.output  # no link, no QR code for a port we do not hold
    assert "Traceback" not in result.output
    assert "--Voila.port_retries=0" in voila_argv("w")  # and Voilà itself does not move


def test_a_taken_port_is_refused_in_both_languages_with_the_next_port() -> None:
    """Before any link is printed, a port in use gives one message naming the port to try."""
    import socket

    import pytest

    from transferkit.exceptions import TransferkitError
    from transferkit.serve import check_port_free

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(TransferkitError) as caught:
            check_port_free("127.0.0.1", port)
    message = str(caught.value)
    assert f"Port {port} ist belegt" in message
    assert f"Port {port} is in use" in message
    assert f"--port {port + 1}" in message


def test_a_store_that_cannot_take_answers_stops_serve_in_both_languages(tmp_path: Path) -> None:
    """A store in a read-only folder is refused before the server starts."""
    import os

    import pytest

    from transferkit.exceptions import TransferkitError
    from transferkit.serve import check_store_writable

    if os.geteuid() == 0:
        # root writes into read-only folders; a file where the folder should be fails for anyone
        (tmp_path / "not_a_folder").write_text("x")
        url = f"sqlite:///{tmp_path / 'not_a_folder' / 'store.db'}"
    else:
        tmp_path.chmod(0o500)
        url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(TransferkitError) as caught:
        check_store_writable(url)
    message = str(caught.value)
    assert "Der Speicher nimmt keine Antworten an" in message
    assert "the store cannot take answers" in message
