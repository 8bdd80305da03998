"""``transferkit serve``: run the workshop apps with Voilà on one laptop.

Starts Voilà on the ``workshops/`` folder and, in the same server process,
the light web sheet for participants (:mod:`transferkit.websheet` at
``/sheet?template=...``: plain HTML, no kernel per participant, so thirty
phones arriving within a minute do not overload a 2-core laptop). The
moderator screens and the ipywidgets sheet (``sheet.ipynb``) run in Voilà
kernels: preheated kernels for the sheet, culling of idle kernels (Voilà
never shuts down the kernels of closed pages by itself), an optional token,
and the store URL passed to every kernel as ``$TRANSFERKIT_DB``. Prints the
join link and a QR code in the terminal.

Why a web sheet next to Voilà: on a 2-core machine even a one-button Voilà
page needs about 2.7 s in Chromium until it is interactive (Voilà's
JavaScript frontend), and each visitor's kernel costs ~170 MB and seconds of
CPU; see ``benchmarks/bench_workshop.py``.

Voilà runs as ``python -m transferkit.serve`` (:func:`run_voila`): Voilà's
application with the web sheet's handlers added, and a patch: Voilà 0.5
gives a preheated kernel only to URLs without a ``template`` argument, and
every sheet link has one (``?template=needs_analysis``), so without
:func:`_patch_voila_preheat` no visitor of the Voilà sheet got a preheated kernel.

Readiness: ``serve`` passes Voilà's log through and prints ``transferkit:
ready after N s`` once Voilà listens (the web sheet needs no kernel), and a
second line once the preheated kernels of the Voilà sheet are filled
(:class:`ReadinessWatcher`). The token, if any, reaches the kernels and the
web sheet as ``$TRANSFERKIT_TOKEN`` so that the join links and QR codes of the
moderator screens carry it.

Examples
--------
>>> argv = voila_argv("workshops", host="0.0.0.0", port=8866, pool_size=2)
>>> "--preheat_kernel=True" in argv and "--pool_size=2" in argv
True
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from transferkit.exceptions import TransferkitError
from transferkit.query import SheetRequest, join_url, sheet_url

__all__ = [
    "MODERATOR_NOTEBOOKS",
    "VOILA_TEMPLATE",
    "ReadinessWatcher",
    "find_workshops_dir",
    "lan_address",
    "qr_text",
    "run_voila",
    "serve",
    "serve_command",
    "serve_env",
    "start_voila",
    "voila_app_class",
    "voila_argv",
    "voila_env",
    "wait_for_port",
]

#: Voilà page template shipped in ``transferkit/jupyter/voila/templates/``.
VOILA_TEMPLATE = "transferkit"

#: Notebooks opened once by the moderator: no preheated kernels for them.
MODERATOR_NOTEBOOKS = ("reflection_loop.ipynb", "round_table.ipynb")


def find_workshops_dir(start: Path | None = None, *, bundled: Path | None = None) -> Path:
    """The ``workshops/`` folder: below ``start`` (default: cwd) or one of its parents,
    else the copy an installed wheel carries (``bundled``, default: ``transferkit/_bundled/workshops``).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "workshops"
        if (candidate / "sheet.ipynb").is_file():
            return candidate
        if folder.name == "workshops" and (folder / "sheet.ipynb").is_file():
            return folder
    shipped = bundled or Path(__file__).resolve().parent / "_bundled" / "workshops"
    if (shipped / "sheet.ipynb").is_file():
        return shipped
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
        "transferkit.serve",  # Voilà with the preheat fix, see run_voila()
        "--no-browser",
        f"--port={int(port)}",
        # A busy port must be an error: Voilà would move to another port while
        # the printed links and QR code point at the busy one.
        "--Voila.port_retries=0",
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
        # Voilà's lab template without stylesheets from a CDN (workshops run offline);
        # found through $JUPYTER_PATH, see voila_env().
        f"--VoilaConfiguration.template={VOILA_TEMPLATE}",
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


def _patch_voila_preheat() -> None:
    """Let Voilà use preheated kernels for links with ``?template=...``.

    Voilà 0.5 hands a preheated kernel only to requests whose ``template``
    argument is absent or equal to its own HTML template, even when
    ``allow_template_override`` is ``NO`` (then the argument is ignored for
    rendering, but not in this check). Every sheet link carries
    ``template=<sheet template>``, so without this patch no participant ever
    got a preheated kernel. With overriding off, the argument is now ignored
    here too.
    """
    from voila.handler import VoilaHandler  # type: ignore[import-untyped]

    original = VoilaHandler.should_use_rendered_notebook
    if getattr(original, "_transferkit", False):
        return

    def should_use_rendered_notebook(
        self: Any, notebook_data: Any, pool_size: int, template_name: Any, theme: Any, request_args: Any
    ) -> bool:
        config = self.voila_configuration
        if config.allow_template_override != "YES":
            template_name = None
        if config.allow_theme_override != "YES":
            theme = None
        return bool(original(self, notebook_data, pool_size, template_name, theme, request_args))

    should_use_rendered_notebook._transferkit = True  # type: ignore[attr-defined]
    VoilaHandler.should_use_rendered_notebook = should_use_rendered_notebook


def voila_app_class() -> Any:
    """Voilà's application class with the web sheet's handlers added (see :mod:`transferkit.websheet`)."""
    from voila.app import Voila  # type: ignore[import-untyped]

    class TransferkitVoila(Voila):
        """Voilà plus ``/sheet`` (participants' web sheet) in the same tornado application."""

        def init_handlers(self) -> list[Any]:
            from transferkit.websheet import handlers as web_sheet_handlers

            return [*web_sheet_handlers(self.server_url), *super().init_handlers()]

    return TransferkitVoila


def run_voila(argv: Sequence[str] | None = None) -> None:
    """Run Voilà (its command-line arguments) with the web sheet and :func:`_patch_voila_preheat`."""
    _patch_voila_preheat()
    voila_app_class().launch_instance(argv=list(sys.argv[1:] if argv is None else argv))


def voila_env(store_url: str | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Voilà and its kernels: ``TRANSFERKIT_DB``, the page template's folder, headless matplotlib."""
    env = dict(os.environ if base is None else base)
    if store_url:
        env["TRANSFERKIT_DB"] = store_url
    shipped = str(Path(__file__).resolve().parent / "jupyter")  # the Voilà page template
    paths = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != shipped]
    env["JUPYTER_PATH"] = os.pathsep.join([shipped, *paths])
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def serve_env(store_url: str | None, public_url: str, token: str | None = None) -> dict[str, str]:
    """:func:`voila_env` plus what the moderator screens need for their join links and QR codes.

    >>> env = serve_env("sqlite:///x.db", "http://192.168.1.5:8866/", "s3cret")
    >>> env["TRANSFERKIT_PUBLIC_URL"], env["TRANSFERKIT_TOKEN"]
    ('http://192.168.1.5:8866/', 's3cret')
    """
    env = voila_env(store_url)
    env["TRANSFERKIT_PUBLIC_URL"] = public_url
    if token:
        env["TRANSFERKIT_TOKEN"] = token
    else:
        env.pop("TRANSFERKIT_TOKEN", None)
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
    pool_size: int = 1,
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
    if not dry_run:
        check_port_free(host, port)
    if store_url is None:
        from transferkit.store.engine import resolve_url

        store_url = resolve_url(None).render_as_string(hide_password=False)
    public = lan_address() if host in ("0.0.0.0", "") else host
    base = f"http://{public}:{port}/"
    request = SheetRequest(template=template, pilot=pilot, loop=loop)
    sheet = _with_token(sheet_url(base, request), token)
    voila_sheet = _with_token(join_url(base, "sheet.ipynb", request), token)
    extra = f"?token={token}" if token else ""
    query = SheetRequest(pilot=pilot, loop=loop).query()
    if query:
        extra = f"?{query}" + (f"&token={token}" if token else "")
    echo("transferkit workshop server")
    echo(f"  store:        {_mask(store_url)}")
    echo(f"  participants: {sheet}")
    echo(f"  sheet in Voilà (ipywidgets): {voila_sheet}")
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
    env = serve_env(store_url, base, token)
    preheat = pool_size > 0
    echo(
        "  starting … "
        + (f"preheating {pool_size} kernel(s) for the Voilà sheet; " if preheat else "")
        + "wait for 'ready' before sharing the link"
    )
    process = subprocess.Popen(
        argv, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    watcher = ReadinessWatcher(echo=echo)
    relay = threading.Thread(target=watcher.relay, args=(process.stdout,), daemon=True)
    relay.start()
    with _stop_signals_interrupt():
        try:
            return process.wait()
        except KeyboardInterrupt:
            return stop_voila(process)


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`TransferkitError` if ``port`` is taken (before links are printed for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError as error:
            msg = (
                f"Port {port} ist belegt ({error.strerror}) – läuft schon ein transferkit serve? "
                f"Beenden Sie es oder wählen Sie einen anderen Port, z. B. --port {port + 1}. / "
                f"Port {port} is in use ({error.strerror}): is transferkit serve running already? "
                f"Stop it or choose another port, e.g. --port {port + 1}."
            )
            raise TransferkitError(msg) from None


def stop_voila(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """Stop Voilà and its kernels; kill it after ``timeout`` s.

    SIGTERM, not SIGINT: Voilà stops its loop on either and then shuts its
    kernels down, but after Ctrl+C (which Voilà got too, from the terminal) a
    second SIGINT would interrupt that shutdown; SIGTERM is harmless then.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """Treat SIGTERM and SIGHUP (``kill``, a closed terminal) like Ctrl+C while serving.

    Without this, stopping ``transferkit serve`` any other way than with Ctrl+C
    left Voilà and its kernels running, holding the port.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return

    def interrupt(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {signum: signal.signal(signum, interrupt) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class ReadinessWatcher:
    """Pass Voilà's log through; say ``ready`` when participants can join, and when the pool is filled.

    Participants use the web sheet, which needs no kernel: the server is
    ready as soon as Voilà listens. The preheated kernels of the Voilà sheet
    take longer (seconds per kernel on a 2-core laptop); that is reported too.

    >>> lines = []
    >>> watcher = ReadinessWatcher(echo=lines.append, clock=iter([0.0, 2.5, 9.5]).__next__)
    >>> watcher.feed("[Voila] Voilà is running at:")
    >>> watcher.feed("[Voila] Kernel pool of sheet.ipynb is filled with 2 kernel(s)")
    >>> watcher.ready, lines
    (True, ['transferkit: ready after 2.5 s: share the link now.', 'transferkit: Voilà sheet preheated after 9.5 s.'])
    """

    def __init__(self, *, echo: Any = print, clock: Any = None) -> None:
        import time

        self.echo = echo
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.ready = False
        self.preheated = False

    def feed(self, line: str) -> None:
        """Look at one log line (already passed through)."""
        if not self.ready and "is running at" in line:
            self.ready = True
            seconds = self.clock() - self.started
            self.echo(f"transferkit: ready after {seconds:.1f} s: share the link now.")
        elif not self.preheated and "Kernel pool of sheet.ipynb is filled" in line:
            self.preheated = True
            seconds = self.clock() - self.started
            self.echo(f"transferkit: Voilà sheet preheated after {seconds:.1f} s.")

    def relay(self, stream: Any) -> None:
        """Copy ``stream`` (Voilà's output, bytes) to stdout line by line, watching for readiness."""
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            self.feed(line)


def _with_token(url: str, token: str | None) -> str:
    if not token:
        return url
    return url + ("&" if "?" in url else "?") + f"token={token}"


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
@click.option("--pool-size", default=1, show_default=True, type=int,
              help="Preheated kernels kept ready for the Voilà sheet (0: no preheating); "
                   "participants' web sheets need none.")
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


if __name__ == "__main__":  # ``python -m transferkit.serve ARGS``: Voilà, see voila_argv()
    run_voila()
