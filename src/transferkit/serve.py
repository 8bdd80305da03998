"""``transferkit serve``: run the workshop apps with Voilà on one laptop.

Starts Voilà on the ``workshops/`` folder and, in the same server process,
the web sheet for participants (:mod:`transferkit.sheets.web` at
``/sheet?sheet=...``: plain HTML, no kernel per participant, so thirty
phones arriving within a minute do not overload a 2-core laptop; the one
participant sheet). Only the moderator screens (``round_table.ipynb``,
``reflection_loop.ipynb``) run in Voilà kernels, one per open screen:
culling of idle kernels (Voilà never shuts down the kernels of closed pages
by itself), the moderator secret, and the store URL passed to every kernel
as ``$TRANSFERKIT_DB``. No kernels are preheated: no participant page needs
one (``--pool-size`` is accepted and ignored, with a warning). Prints the
join link and a QR code in the terminal.

Voilà runs as ``python -m transferkit.serve`` (:func:`run_voila`): Voilà's
application with the web sheet's handlers and the server's limits added,
without any patch of Voilà's internals. Links name the sheet with ``sheet=``
(Voilà reads ``template=`` as its own page-template name).

Readiness: ``serve`` passes Voilà's log through and prints ``transferkit:
ready after N s`` once Voilà listens (:class:`ReadinessWatcher`). The
participant secret, if any, reaches the kernels and the web sheet as
``$TRANSFERKIT_TOKEN`` so that the join links and QR codes of the moderator
screens carry it.

Examples
--------
>>> argv = voila_argv("workshops", host="0.0.0.0", port=8866)
>>> "--Voila.port_retries=0" in argv and not any("preheat" in a for a in argv)
True
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from transferkit.exceptions import TransferkitError
from transferkit.guard import ServerLimits, raise_open_file_limit
from transferkit.i18n import both
from transferkit.sheets.query import SheetRequest, join_url, sheet_url

if TYPE_CHECKING:
    from types import FrameType

    from transferkit.guard import LimitedHTTPServer

#: Where the server's messages go (``print`` by default; tests collect them).
Echo = Callable[[str], object]


class VoilaApp(Protocol):
    """What :func:`voila_app_class` gives: Voilà's application class (a traitlets app)."""

    @classmethod
    def launch_instance(cls, argv: list[str] | None = None) -> None:
        """Configure from ``argv`` and run the server (blocks)."""
        ...


__all__ = [
    "MODERATOR_NOTEBOOKS",
    "VOILA_TEMPLATE",
    "ReadinessWatcher",
    "find_workshops_dir",
    "lan_address",
    "qr_text",
    "run_voila",
    "serve",
    "serve_env",
    "start_voila",
    "voila_app_class",
    "voila_argv",
    "voila_env",
    "wait_for_port",
]

#: Voilà page template shipped in ``transferkit/jupyter/voila/templates/``.
VOILA_TEMPLATE = "transferkit"

#: The Voilà apps in ``workshops/``: the moderator screens (participants use the web sheet).
MODERATOR_NOTEBOOKS = ("reflection_loop.ipynb", "round_table.ipynb")


def find_workshops_dir(start: Path | None = None, *, bundled: Path | None = None) -> Path:
    """The ``workshops/`` folder: below ``start`` (default: cwd) or one of its parents,
    else the copy an installed wheel carries (``bundled``, default: ``transferkit/_bundled/workshops``).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "workshops"
        if _is_workshops_dir(candidate):
            return candidate
        if folder.name == "workshops" and _is_workshops_dir(folder):
            return folder
    shipped = bundled or Path(__file__).resolve().parent / "_bundled" / "workshops"
    if _is_workshops_dir(shipped):
        return shipped
    msg = (
        f"No workshops/ folder with {MODERATOR_NOTEBOOKS[1]} found in {here} or its parents; "
        "run from the transferkit repository or pass --workshops PATH"
    )
    raise TransferkitError(msg)


def _is_workshops_dir(folder: Path) -> bool:
    """Whether ``folder`` holds the moderator screens (the Voilà apps :func:`serve` runs)."""
    return all((folder / name).is_file() for name in MODERATOR_NOTEBOOKS)


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
    cull_idle_timeout: int = 600,
    cull_interval: int = 60,
    show_tracebacks: bool = False,
    limits: ServerLimits | None = None,
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
) -> list[str]:
    """The Voilà command line for the workshops folder.

    Secrets are not on it (a command line is visible to every user of the
    machine): the moderator token reaches Voilà as ``$TRANSFERKIT_MODERATOR_TOKEN``
    (see :func:`serve_env`), which the server reads and removes before any kernel starts.
    """
    limits = limits or ServerLimits()
    argv = [
        sys.executable,
        "-m",
        "transferkit.serve",  # Voilà with the web sheet and limits, see run_voila()
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
        # No link may swap the page template (ours has no CDN links, workshops run
        # offline) or the theme; our own links name the sheet with sheet=, not template=.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        # Voilà's lab template without stylesheets from a CDN (workshops run offline);
        # found through $JUPYTER_PATH, see voila_env().
        f"--VoilaConfiguration.template={VOILA_TEMPLATE}",
    ]
    argv += [
        f"--TransferkitVoila.max_kernels={int(limits.max_kernels)}",
        f"--TransferkitVoila.max_connections={int(limits.max_connections)}",
        f"--TransferkitVoila.max_per_address={int(limits.max_per_address)}",
        f"--TransferkitVoila.idle_timeout={float(limits.idle_timeout)}",
        f"--TransferkitVoila.body_timeout={float(limits.body_timeout)}",
        f"--TransferkitVoila.max_body_size={int(limits.max_body_size)}",
    ]
    if certfile or keyfile:
        if not (certfile and keyfile):
            msg = (
                "HTTPS needs both --certfile and --keyfile / HTTPS braucht --certfile und --keyfile"
            )
            raise TransferkitError(msg)
        argv += [
            f"--TransferkitVoila.certfile={Path(certfile).resolve()}",
            f"--TransferkitVoila.keyfile={Path(keyfile).resolve()}",
        ]
    argv.append(str(workshops))
    return argv


#: Environment variable that hands the moderator secret to Voilà (removed before kernels start).
MODERATOR_TOKEN_ENV = "TRANSFERKIT_MODERATOR_TOKEN"
#: Environment variable of the participant secret (web sheet; join links on moderator screens).
PARTICIPANT_TOKEN_ENV = "TRANSFERKIT_TOKEN"


def voila_app_class() -> type[VoilaApp]:
    """Voilà's application class with the web sheet and the server's limits (see :mod:`transferkit.guard`).

    Two roles: Voilà's own routes (moderator screens, their kernels and
    websockets, the file tree) need the moderator secret (Voilà's token, from
    ``$TRANSFERKIT_MODERATOR_TOKEN``); the web sheet below ``/sheet`` needs the
    participant secret (``$TRANSFERKIT_TOKEN``, if set) and nothing else. The
    projector view (``/p/<room>``) needs its session's read-only view key, and
    ``/j/<room>`` forwards a phone to the sheet (:mod:`transferkit.live.projector_web`).
    """
    import tornado.web
    from jupyter_server.utils import url_path_join
    from traitlets import Float, Int, Unicode
    from voila.app import Voila  # type: ignore[import-untyped]
    from voila.tornado.handler import TornadoVoilaHandler  # type: ignore[import-untyped]

    from transferkit.guard import (
        LimitedHTTPServer,
        forbidden_page,
        install_secret_filter,
        kernel_cap_page,
        log_request,
    )

    class ForbiddenHandler(tornado.web.RequestHandler):
        """Where Voilà sends visitors without the moderator secret: a plain 403 page."""

        def get(self) -> None:
            self.set_status(403)
            self.set_header("Cache-Control", "no-store")
            self.finish(forbidden_page())

    class CappedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc, unused-ignore]  # voila has no types
        """Voilà's page handler, which starts a kernel per page: refused past ``max_kernels``."""

        @tornado.web.authenticated
        async def get(self, path: str | None = None) -> None:
            limit = int(self.settings.get("transferkit_max_kernels") or 0)
            running = len(self.kernel_manager.list_kernel_ids())
            if limit and running >= limit:
                self.log.warning("transferkit: kernel limit %d reached, page refused", limit)
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.finish(kernel_cap_page(limit))
                return
            await super().get(path)

    class TransferkitVoila(Voila):  # type: ignore[misc, unused-ignore]  # voila has no types
        """Voilà plus ``/sheet`` (participants' web sheet) in one tornado application, with limits."""

        max_kernels = Int(6, help="Most kernels (moderator screens) running at once.").tag(
            config=True
        )
        max_connections = Int(1000, help="Most open connections.").tag(config=True)
        max_per_address = Int(64, help="Most open connections from one address.").tag(config=True)
        idle_timeout = Float(20.0, help="Close a connection without a request head after (s).").tag(
            config=True
        )
        body_timeout = Float(20.0, help="Close a connection whose body stalls (s).").tag(
            config=True
        )
        max_body_size = Int(256 * 1024, help="Largest request body (bytes).").tag(config=True)
        certfile = Unicode("", help="TLS certificate (PEM) for HTTPS.").tag(config=True)
        keyfile = Unicode("", help="TLS private key (PEM) for HTTPS.").tag(config=True)

        def init_settings(self) -> dict[str, Any]:  # tornado settings: values of any type
            secret = os.environ.pop(MODERATOR_TOKEN_ENV, "")  # kernels must not inherit it
            if secret:
                self.token = secret
            settings = dict(super().init_settings())
            settings["log_function"] = log_request
            settings["xsrf_cookie_kwargs"] = {"samesite": "Strict", "httponly": False}
            settings["transferkit_max_kernels"] = self.max_kernels
            if getattr(self, "identity_provider", None) is not None:
                options = dict(self.identity_provider.cookie_options)
                options.setdefault("samesite", "Strict")
                self.identity_provider.cookie_options = options
            # Not logged in: a plain 403 page, not a login form that asks for the secret.
            settings["login_url"] = url_path_join(self.base_url, "transferkit/forbidden")
            return settings

        def init_handlers(self) -> list[tuple[object, ...]]:
            from transferkit.live.projector_web import projector_handlers
            from transferkit.sheets.web import handlers as web_sheet_handlers

            voila = [
                (route, CappedVoilaHandler, *rest)
                if handler is TornadoVoilaHandler
                else (route, handler, *rest)
                for route, handler, *rest in super().init_handlers()
            ]
            forbidden = (url_path_join(self.server_url, "transferkit/forbidden"), ForbiddenHandler)
            sheet = web_sheet_handlers(self.server_url, moderator_token=self.token or None)
            projector = projector_handlers(self.server_url)  # projector view, room join address
            return [*sheet, *projector, forbidden, *voila]

        def listen(self) -> None:
            limits = ServerLimits(
                max_connections=self.max_connections,
                max_per_address=self.max_per_address,
                idle_timeout=self.idle_timeout,
                body_timeout=self.body_timeout,
                max_body_size=self.max_body_size,
                max_kernels=self.max_kernels,
            )
            files = raise_open_file_limit(limits.max_connections + 512)
            if files < limits.max_connections + 256:  # kernels, store and logs need files too
                limits = replace(limits, max_connections=max(50, files - 256))
                self.log.warning(
                    "transferkit: only %d open files allowed; at most %d connections",
                    files,
                    limits.max_connections,
                )
            install_secret_filter(
                self.log,
                logging.getLogger("tornado.access"),
                logging.getLogger("tornado.general"),
                logging.getLogger("tornado.application"),
            )
            ssl_options = (
                {"certfile": self.certfile, "keyfile": self.keyfile} if self.certfile else None
            )
            app = self.app

            def listen(port: int, address: str = "", **_kwargs: object) -> LimitedHTTPServer:
                server = LimitedHTTPServer(
                    app,
                    max_connections=limits.max_connections,
                    max_per_address=limits.max_per_address,
                    ssl_options=ssl_options,
                    **limits.http_server_kwargs(),
                )
                server.listen(port, address)
                return server

            app.listen = listen
            super().listen()

    return TransferkitVoila


def run_voila(argv: Sequence[str] | None = None) -> None:
    """Run Voilà (its command-line arguments) with the web sheet and the server's limits."""
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


def serve_env(
    store_url: str | None,
    public_url: str,
    token: str | None = None,
    *,
    moderator_token: str | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """:func:`voila_env` plus the two secrets and the public address for join links and QR codes.

    ``token`` is the participant secret (``$TRANSFERKIT_TOKEN``: the web sheet
    requires it, the moderator screens put it into join links); the moderator
    secret goes to Voilà only (``$TRANSFERKIT_MODERATOR_TOKEN``, removed from the
    environment before a kernel starts).

    >>> env = serve_env("sqlite:///x.db", "http://192.168.1.5:8866/", "s3cret", moderator_token="m0d")
    >>> env["TRANSFERKIT_PUBLIC_URL"], env["TRANSFERKIT_TOKEN"], env["TRANSFERKIT_MODERATOR_TOKEN"]
    ('http://192.168.1.5:8866/', 's3cret', 'm0d')
    """
    env = voila_env(store_url, base)
    env["TRANSFERKIT_PUBLIC_URL"] = public_url
    for name, value in ((PARTICIPANT_TOKEN_ENV, token), (MODERATOR_TOKEN_ENV, moderator_token)):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def qr_text(url: str) -> str:
    """The QR code of ``url`` as text for a terminal (two rows per line)."""
    import io

    import segno

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def new_secret() -> str:
    """A fresh secret for a link: 16 random bytes, URL-safe (22 characters)."""
    import secrets

    return secrets.token_urlsafe(16)


def serve(
    *,
    workshops: Path | None = None,
    host: str = "0.0.0.0",
    port: int = 8866,
    store_url: str | None = None,
    cull_idle_timeout: int = 600,
    cull_interval: int = 60,
    moderator_token: str | None = None,
    participant_token: str | None = None,
    open_event: bool = False,
    pilot: str | None = None,
    loop: int | None = None,
    template: str = "needs_analysis",
    phase: str | None = None,
    limits: ServerLimits | None = None,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    echo: Echo = print,
    dry_run: bool = False,
) -> int:
    """Start Voilà (blocking until Ctrl+C); print the links and a QR code first. Returns the exit code.

    Two secrets, generated unless given: the **participant** secret is in the
    join link and its QR code and opens only the web sheet (``open_event``:
    none, anyone on the network may fill in the sheet); the **moderator**
    secret opens the Voilà screens, their kernels and downloads, and is
    printed only here, in the terminal. Before anything is printed the store
    is checked (it must take writes: not read-only, disk not full) and so is
    the join link (:func:`transferkit.sheets.links.check_join_link`: template,
    phase, pilot, loop), so a typo never reaches a QR code.
    """
    folder = workshops.resolve() if workshops is not None else find_workshops_dir()
    if not _is_workshops_dir(folder):
        msg = f"{folder} has no {' and '.join(MODERATOR_NOTEBOOKS)}; pass the transferkit workshops folder"
        raise TransferkitError(msg)
    if not dry_run:
        check_port_free(host, port)
    if store_url is None:
        from transferkit.store.engine import resolve_url

        store_url = resolve_url(None).render_as_string(hide_password=False)
    if not dry_run:
        check_store_writable(store_url)
    request = SheetRequest(template=template, pilot=pilot, loop=loop, phase=phase)
    check_link(request, store_url, folder)
    moderator_token = moderator_token or new_secret()
    participant_token = None if open_event else (participant_token or new_secret())
    if participant_token is not None and participant_token == moderator_token:
        msg = (
            "Teilnehmenden- und Moderationsschlüssel müssen verschieden sein / "
            "the participant and the moderator secret must differ"
        )
        raise TransferkitError(msg)
    public = lan_address() if host in ("0.0.0.0", "") else host
    scheme = "https" if certfile else "http"
    base = f"{scheme}://{public}:{port}/"
    sheet = _with_token(sheet_url(base, request), participant_token)
    moderator_request = SheetRequest(pilot=pilot, loop=loop)
    echo("transferkit workshop server")
    echo(f"  store:        {_mask(store_url)}")
    echo(f"  participants: {sheet}")
    if open_event:
        echo("                (open event: no participant secret, anyone on the network may join)")
    echo("  moderator – keep these links to yourself, never on the projector:")
    echo(
        f"    round table:  {_with_token(join_url(base, 'round_table.ipynb', moderator_request), moderator_token)}"
    )
    echo(
        f"    reflection:   {_with_token(join_url(base, 'reflection_loop.ipynb', moderator_request), moderator_token)}"
    )
    entry = f"{base.rstrip('/')}/sheet/entry?{request.query()}"  # typing in paper sheets
    echo(f"    paper entry:  {_with_token(entry, moderator_token)}")
    echo(qr_text(sheet))
    argv = voila_argv(
        folder,
        host=host,
        port=port,
        cull_idle_timeout=cull_idle_timeout,
        cull_interval=cull_interval,
        limits=limits,
        certfile=certfile,
        keyfile=keyfile,
    )
    if dry_run:
        echo(" ".join(argv))
        return 0
    env = serve_env(store_url, base, participant_token, moderator_token=moderator_token)
    echo("  starting … wait for 'ready' before sharing the link")
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


def check_link(request: SheetRequest, store_url: str, folder: Path) -> None:
    """Raise :class:`ParameterError` listing every problem of the participants' link (nothing printed yet)."""
    from transferkit.sheets.links import check_join_link

    store = None
    if request.pilot is not None:
        from transferkit.store import Store

        store = Store(store_url)
    try:
        check_join_link(request, store, folder=folder).raise_for_problems()
    finally:
        if store is not None:
            store.close()


def check_store_writable(store_url: str) -> None:
    """Raise :class:`TransferkitError` unless the store takes writes (before any link is printed).

    A read-only file or folder, a full disk or a server that refuses writes
    would otherwise show up only when the first participant sends a sheet.
    """
    from transferkit.store import Store
    from transferkit.store.drafts import DraftStore

    try:
        store = Store(store_url)
        try:
            DraftStore.for_store(store).check_writable()
        finally:
            store.close()
    except TransferkitError as error:
        msg = both("serve.store_refuses", error=error)
        raise TransferkitError(msg) from error


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`TransferkitError` if ``port`` is taken (before links are printed for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError as error:
            msg = both("serve.port_in_use", port=port, reason=error.strerror, next=port + 1)
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

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {signum: signal.signal(signum, interrupt) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class ReadinessWatcher:
    """Pass Voilà's log through; say ``ready`` when participants can join.

    Participants use the web sheet, which needs no kernel: the server is
    ready as soon as Voilà listens.

    >>> lines = []
    >>> watcher = ReadinessWatcher(echo=lines.append, clock=iter([0.0, 2.5]).__next__)
    >>> watcher.feed("[Voila] Voilà is running at:")
    >>> watcher.ready, lines
    (True, ['transferkit: ready after 2.5 s: share the link now.'])
    """

    def __init__(self, *, echo: Echo = print, clock: Callable[[], float] | None = None) -> None:
        import time

        self.echo = echo
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.ready = False

    def feed(self, line: str) -> None:
        """Look at one log line (already passed through)."""
        if not self.ready and "is running at" in line:
            self.ready = True
            seconds = self.clock() - self.started
            self.echo(f"transferkit: ready after {seconds:.1f} s: share the link now.")

    def relay(self, stream: IO[bytes]) -> None:
        """Copy ``stream`` (Voilà's output, bytes) to stdout line by line, watching for readiness."""
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            self.feed(line)


def _with_token(url: str, token: str | None) -> str:
    if not token:
        return url
    from urllib.parse import quote

    return url + ("&" if "?" in url else "?") + f"token={quote(token, safe='')}"


def _mask(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


def _free_port() -> int:
    """A free TCP port on 127.0.0.1 (tests, benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    host: str, port: int, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> None:
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
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    extra: Sequence[str] = (),
    moderator_token: str | None = None,
    participant_token: str | None = None,
    limits: ServerLimits | None = None,
    certfile: Path | None = None,
    keyfile: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start Voilà on 127.0.0.1 in the background and wait for its port (tests, benchmarks).

    Without ``moderator_token`` Voilà's own routes are open to anyone who can
    reach 127.0.0.1 (tests of the screens); :func:`serve` always sets one.
    """
    port = port or _free_port()
    argv = voila_argv(
        workshops,
        host="127.0.0.1",
        port=port,
        cull_idle_timeout=120,
        cull_interval=30,
        limits=limits,
        certfile=certfile,
        keyfile=keyfile,
    )
    argv[-1:-1] = list(extra)
    out = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    scheme = "https" if certfile else "http"
    process = subprocess.Popen(
        argv,
        env=serve_env(
            store_url,
            f"{scheme}://127.0.0.1:{port}/",
            participant_token,
            moderator_token=moderator_token,
            base=env,
        ),
        cwd=str(workshops),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, process=process)
    return process, port


if __name__ == "__main__":  # ``python -m transferkit.serve ARGS``: Voilà, see voila_argv()
    run_voila()
