"""``transferkit serve``: run the workshop apps with Voilà on one laptop.

Starts Voilà on the ``workshops/`` folder with preheated kernels for the
participant sheet (a sheet is ready fast), culling of idle kernels (Voilà
never shuts down the kernels of closed pages by itself), an optional token,
and the store URL passed to every kernel as ``$TRANSFERKIT_DB``. Prints the
join link and a QR code in the terminal.

Examples
--------
>>> argv = voila_argv("workshops", host="0.0.0.0", port=8866, pool_size=2)
>>> "--preheat_kernel=True" in argv and "--pool_size=2" in argv
True
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from transferkit.exceptions import TransferkitError
from transferkit.query import SheetRequest, join_url

__all__ = [
    "MODERATOR_NOTEBOOKS",
    "find_workshops_dir",
    "lan_address",
    "qr_text",
    "serve",
    "serve_command",
    "start_voila",
    "voila_argv",
    "voila_env",
    "wait_for_port",
]

#: Notebooks opened once by the moderator: no preheated kernels for them.
MODERATOR_NOTEBOOKS = ("reflection_loop.ipynb", "round_table.ipynb")


def find_workshops_dir(start: Path | None = None) -> Path:
    """The ``workshops/`` folder: below ``start`` (default: cwd) or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "workshops"
        if (candidate / "sheet.ipynb").is_file():
            return candidate
        if folder.name == "workshops" and (folder / "sheet.ipynb").is_file():
            return folder
    msg = (
        f"No workshops/ folder with sheet.ipynb found in {here} or its parents; "
        "run from the transferkit repository or pass --workshops PATH"
    )
    raise TransferkitError(msg)


def lan_address() -> str:
    """This machine's address in the local network (``127.0.0.1`` if there is none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            return str(sock.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def voila_argv(
    workshops: str | Path,
    *,
    host: str = "0.0.0.0",
    port: int = 8866,
    pool_size: int = 2,
    preheat: bool = True,
    cull_idle_timeout: int = 600,
    cull_interval: int = 60,
    token: str | None = None,
    show_tracebacks: bool = False,
) -> list[str]:
    """The Voilà command line for the workshops folder."""
    argv = [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        f"--port={int(port)}",
        f"--Voila.ip={host}",
        f"--show_tracebacks={show_tracebacks}",
        # Voilà does not shut down kernels of closed pages (voila #1458): cull them.
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        # Our links use ?template=<sheet template>; Voilà would take it as its own
        # HTML template name (and fail with TemplateNotFound) unless overriding is off.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
    ]
    if preheat and pool_size > 0:
        denylist = "[" + ",".join(f'"{nb}"' for nb in MODERATOR_NOTEBOOKS) + "]"
        argv += [
            "--preheat_kernel=True",
            f"--pool_size={int(pool_size)}",
            f"--VoilaKernelManager.preheat_denylist={denylist}",
        ]
    if token:
        argv.append(f"--token={token}")
    argv.append(str(workshops))
    return argv


def voila_env(store_url: str | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Voilà and its kernels: ``TRANSFERKIT_DB`` set, matplotlib headless."""
    env = dict(os.environ if base is None else base)
    if store_url:
        env["TRANSFERKIT_DB"] = store_url
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def qr_text(url: str) -> str:
    """The QR code of ``url`` as text for a terminal (two rows per line)."""
    import io

    import segno

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def serve(
    *,
    workshops: Path | None = None,
    host: str = "0.0.0.0",
    port: int = 8866,
    store_url: str | None = None,
    pool_size: int = 2,
    cull_idle_timeout: int = 600,
    cull_interval: int = 60,
    token: str | None = None,
    pilot: str | None = None,
    loop: int | None = None,
    template: str = "needs_analysis",
    echo: Any = print,
    dry_run: bool = False,
) -> int:
    """Start Voilà (blocking until Ctrl+C); print the links and a QR code first. Returns the exit code."""
    folder = workshops.resolve() if workshops is not None else find_workshops_dir()
    if not (folder / "sheet.ipynb").is_file():
        msg = f"{folder} has no sheet.ipynb; pass the transferkit workshops folder"
        raise TransferkitError(msg)
    if store_url is None:
        from transferkit.store.engine import resolve_url

        store_url = resolve_url(None).render_as_string(hide_password=False)
    public = lan_address() if host in ("0.0.0.0", "") else host
    base = f"http://{public}:{port}/"
    request = SheetRequest(template=template, pilot=pilot, loop=loop)
    sheet = join_url(base, "sheet.ipynb", request)
    if token:
        sheet += ("&" if "?" in sheet else "?") + f"token={token}"
    extra = f"?token={token}" if token else ""
    query = SheetRequest(pilot=pilot, loop=loop).query()
    if query:
        extra = f"?{query}" + (f"&token={token}" if token else "")
    echo("transferkit workshop server")
    echo(f"  store:        {_mask(store_url)}")
    echo(f"  participants: {sheet}")
    echo(f"  round table:  {base}voila/render/round_table.ipynb{extra}")
    echo(f"  reflection:   {base}voila/render/reflection_loop.ipynb{extra}")
    echo(qr_text(sheet))
    argv = voila_argv(
        folder,
        host=host,
        port=port,
        pool_size=pool_size,
        cull_idle_timeout=cull_idle_timeout,
        cull_interval=cull_interval,
        token=token,
    )
    if dry_run:
        echo(" ".join(argv))
        return 0
    env = voila_env(store_url)
    env["TRANSFERKIT_PUBLIC_URL"] = base
    process = subprocess.Popen(argv, env=env, cwd=folder)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


def _mask(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=8866, show_default=True, type=int, help="Port.")
@click.option("--db", "store_url", default=None, help="Store URL (default: $TRANSFERKIT_DB or data/transferkit.db).")
@click.option("--pool-size", default=2, show_default=True, type=int,
              help="Preheated kernels kept ready for the sheet (0: no preheating).")
@click.option("--cull-idle-timeout", default=600, show_default=True, type=int,
              help="Shut down kernels of pages idle and disconnected this long (s).")
@click.option("--cull-interval", default=60, show_default=True, type=int, help="Culling check interval (s).")
@click.option("--token", default=None, help="Require this token in every link.")
@click.option("--pilot", default=None, help="Pilot id put into the join link.")
@click.option("--loop", default=None, type=int, help="Loop number put into the join link.")
@click.option("--template", default="needs_analysis", show_default=True, help="Template of the join link.")
@click.option("--workshops", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Workshops folder (default: ./workshops).")
@click.option("--dry-run", is_flag=True, help="Print links and the Voilà command, do not start.")
def serve_command(
    host: str,
    port: int,
    store_url: str | None,
    pool_size: int,
    cull_idle_timeout: int,
    cull_interval: int,
    token: str | None,
    pilot: str | None,
    loop: int | None,
    template: str,
    workshops: Path | None,
    dry_run: bool,
) -> None:
    """Serve the workshop apps (sheet, round table, reflection loop) with Voilà."""
    try:
        code = serve(
            workshops=workshops,
            host=host,
            port=port,
            store_url=store_url,
            pool_size=pool_size,
            cull_idle_timeout=cull_idle_timeout,
            cull_interval=cull_interval,
            token=token,
            pilot=pilot,
            loop=loop,
            template=template,
            echo=click.echo,
            dry_run=dry_run,
        )
    except TransferkitError as error:
        raise click.ClickException(str(error)) from error
    if code:
        raise SystemExit(code)


def _free_port() -> int:
    """A free TCP port on 127.0.0.1 (tests, benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 60.0, process: Any = None) -> None:
    """Wait until ``host:port`` accepts connections (Voilà answers /api/status with 403)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            msg = f"the server exited with code {process.returncode} before listening on {port}"
            raise TransferkitError(msg)
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    msg = f"nothing listens on {host}:{port} after {timeout:.0f} s"
    raise TransferkitError(msg)


def start_voila(
    workshops: str | Path,
    *,
    store_url: str,
    port: int | None = None,
    pool_size: int = 1,
    preheat: bool = True,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    extra: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], int]:
    """Start Voilà on 127.0.0.1 in the background and wait for its port (tests, benchmarks)."""
    port = port or _free_port()
    argv = voila_argv(
        workshops,
        host="127.0.0.1",
        port=port,
        pool_size=pool_size,
        preheat=preheat,
        cull_idle_timeout=120,
        cull_interval=30,
    )
    argv[-1:-1] = list(extra)
    out = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        argv,
        env=voila_env(store_url, env),
        cwd=str(workshops),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, process=process)
    return process, port
