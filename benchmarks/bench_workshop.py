"""Benchmark: the participants' web sheet versus a Voilà page, against a real ``transferkit serve``.

Everything runs on 127.0.0.1 on this machine in one run: a temporary folder
holds the SQLite store, HOME and the Jupyter/IPython/matplotlib dirs; every
server is ``transferkit serve`` started in its own session and stopped at the
end (SIGINT, then the whole process group is killed). Figures are printed, no
pass/fail; the last lines are ratios. Server logs are kept when something fails.

1. **Time to interactive** in headless Chromium (Debian's /usr/bin/chromium via
   Playwright): from ``page.goto`` until ``.tk-submit`` is visible and enabled
   (a sheet in sections, with submit on its last section: until "next" shows).
   Each visit gets a fresh browser context (empty cache, like a participant's
   phone on the first visit; viewport 390x844); one unmeasured warm-up visit,
   then the median of ``--reps``; before each visit the server's process tree is
   left to go idle (< 10 % of a core for 1 s).
   Navigation timing in the page gives the time to first byte, the HTML size
   and the bytes loaded in total.

   a. *baseline*: a one-button Voilà page (``import ipywidgets``,
      ``wait_for_request()``, one ``Button`` with class ``tk-submit``) served
      by ``transferkit serve`` (a kernel started per visit, no preheating since
      the ipywidgets sheet was retired): the floor of any Voilà page, i.e. what
      a participant page in Voilà would cost at least, on this machine;
   b. the web sheet (``/sheet?...&token=...``) on a default server; the code is
      typed into ``.tk-code input`` and ``.tk-code-start`` clicked as soon as
      the code step shows (no human typing time; the ``open`` round trip is in
      the figure).

   Roles as in a real workshop: every server gets an explicit
   ``--moderator-token`` and ``--participant-token`` (new random ones per
   server, made here). The Voilà page (a) is opened with the moderator token
   (``?token=``; Voilà sets its cookie for the kernel and websockets), the web
   sheet with the participant token in the join link; the participant code is
   never in a web sheet URL.

2. **Load** against ONE ``transferkit serve`` with default options except
   ``--max-per-address`` (raised to ``4 * participants + 64``: all light
   clients and Chromium pages come from 127.0.0.1, while in a workshop each
   participant has an own address; the default 64 would refuse this one
   "device" and measure the per-address cap, not the server), started fresh: ``--participants`` (30) arrive evenly within ``--window`` (45 s).
   ``--pages`` (2) of them, spread over the window, use a real Chromium page
   that answers by clicking and submits (latency measured in the page from the
   click until ``.tk-confirm`` is shown). The others are light HTTP clients
   (tornado ``AsyncHTTPClient`` in this process's event loop) speaking the
   page's JSON API: GET the join link with the participant token (timed; keeps the ``_xsrf``
   cookie; the API calls carry ``Authorization: token ...``; the code only in
   the JSON bodies), POST
   ``sheet/api/open``, POST ``sheet/api/draft`` with half the answers, wait
   ``--think`` s, POST ``sheet/api/submit`` with ``example_answers(seed=i)``;
   the submit latency is that POST's round trip. Then every participant votes from
   the phone API on the vote the moderator opened before the load (the projector's
   own vote for this pilot and loop, :func:`transferkit.live.projector.live_vote_key`,
   opened with :func:`transferkit.live.votes.open_vote`: :data:`VOTE_ITEMS`, a budget
   of :data:`VOTE_BUDGET` points, results shown): GET ``sheet/vote?...``, POST
   ``sheet/api/vote/open``, POST ``sheet/api/vote/cast`` with the points of
   :func:`ballot_of` (the vote latency is the cast's round trip; a Chromium page
   votes on the vote page by clicking, latency in the page). Reported: p50/p95/max submit
   latency for HTTP clients, pages and both; failures with reasons; time until
   all are done; the store read afterwards (stored must equal confirmed,
   duplicates, lost; for the votes: every confirmed ballot stored as sent, the
   turnout and :func:`transferkit.live.votes.totals` equal to the sum of the
   confirmed ballots); server memory (RSS summed over the serve process tree,
   sampled every 0.5 s: before, peak, after, added per participant) and CPU
   seconds used by the server tree during the load.

   During the load ``--projectors`` (3) projector screens poll the room's state
   (``p/<room>/state``, once a second each, as the projector page does) while a
   moderator changes the slide every 5 s through the store
   (:mod:`_projector_watch`): reported is each screen's lag from the change until
   it saw it (the projector view must follow within 2 s) and failed polls; and
   the projector's vote chart (``results`` of the state): its lag behind the
   confirmed casts (:func:`_projector_watch.vote_lags`) and, after the load, whether
   every screen shows the store's totals (the screens poll on until they show all
   confirmed votes, at most 10 s).
   For a room of 500: ``--participants 500 --window 110`` (bounded: at most 1000
   participants and 10 projectors, loopback only).

The benchmark client (Chromium, the HTTP clients) shares the machine with the
server, as on a moderator's laptop it would not; figures under load are
therefore pessimistic. The load average is printed at start, before the load
and at the end.

    .venv/bin/python benchmarks/bench_workshop.py [--reps 3] [--participants 30]
        [--window 45] [--think 1] [--pages 2] [--projectors 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

import psutil

from transferkit.reports.pdf import CHROMIUM_ARGS as PDF_CHROMIUM_ARGS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _projector_watch import ProjectorWatch, lag_line, vote_lags
from _workshop_clients import Ballot, Outcome, http_participant, page_participant, visit

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(PDF_CHROMIUM_ARGS)  # the switches the PDF export uses too
TEMPLATE = "needs_analysis"
PILOT = "P01"
LOOP = 1
LANG = "de"
#: The items of the vote the moderator opens for the load (key, label) and its budget.
VOTE_ITEMS = (
    ("kanban", "Kanban-Board"),
    ("standup", "Stand-up"),
    ("retro", "Retrospektive"),
    ("pairing", "Tandems"),
    ("wiki", "Wissens-Wiki"),
)
VOTE_BUDGET = 3


def ballot_of(i: int) -> dict[str, int]:
    """Participant ``i``'s points: the whole budget on one to three items (deterministic)."""
    import random

    rng = random.Random(i)
    points: dict[str, int] = {}
    for _ in range(VOTE_BUDGET):
        key = rng.choice(VOTE_ITEMS)[0]
        points[key] = points.get(key, 0) + 1
    return points


def serve_default(name: str) -> int:
    """A ``transferkit serve`` option's default (e.g. ``pool_size``, ``max_kernels``)."""
    from transferkit.cli.serve import serve_command

    return int(next(p.default for p in serve_command.params if p.name == name))


DEFAULT_POOL = 0  # serve preheats no kernels any more (participants use the web sheet)

BUTTON_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "import ipywidgets\n",
                "from voila.utils import wait_for_request\n",
                "wait_for_request()",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "button = ipywidgets.Button(description='OK')\n",
                "button.add_class('tk-submit')\n",
                "button",
            ],
        },
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


LINK_QUERY = f"sheet={TEMPLATE}&pilot={PILOT}&loop={LOOP}&lang={LANG}"


def sheet_query(code: str) -> str:
    """The Voilà sheet's query (it still takes the code from its URL)."""
    return f"{LINK_QUERY}&code={code}"


# --------------------------------------------------------------------------- server
@dataclass
class Server:
    """A running ``transferkit serve`` (its own session) on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    pool: int
    moderator_token: str
    participant_token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def voila_url(self, query: str) -> str:
        """A moderator's Voilà page (the token as ``?token=``, as serve's moderator link)."""
        page = f"{self.base}voila/render/round_table.ipynb"  # the baseline's one-button page
        return f"{page}?{query}&token={quote(self.moderator_token)}"

    def web_url(self, query: str = LINK_QUERY) -> str:
        """The join link of the web sheet (participant token, no code)."""
        return f"{self.base}sheet?{query}&token={quote(self.participant_token)}"

    def vote_url(self, query: str) -> str:
        """The phones' vote link (participant token, no code)."""
        return f"{self.base}sheet/vote?{query}&token={quote(self.participant_token)}"

    def tree(self) -> list[psutil.Process]:
        """``transferkit serve``, the Voilà process (with the web sheet) and the kernels."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> int:
        n = 0
        for proc in self.tree():
            try:
                if "ipykernel" in " ".join(proc.cmdline()):
                    n += 1
            except psutil.Error:
                continue
        return n

    def rss_mb(self) -> float:
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total / 2**20

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        return total

    def wait_idle(self, min_kernels: int = 0, timeout: float = 120.0, quiet: float = 0.1) -> float:
        """Wait until ``min_kernels`` kernels run and the tree uses < ``quiet`` of a core; seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            before = self.cpu_seconds()
            time.sleep(1.0)
            busy = self.cpu_seconds() - before
            if self.kernels() >= min_kernels and busy < quiet:
                return time.monotonic() - start
        print(f"  (server not idle after {timeout:.0f} s; going on)", flush=True)
        return time.monotonic() - start

    def ready_lines(self) -> list[str]:
        """What serve said about readiness (``transferkit: ... after N s``), shortened."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = re.match(r"transferkit: (.*? after [\d.]+ s)", line.strip())
            if match:
                found.append(match.group(1))
        return found


class MemorySampler:
    """Peak RSS and kernel count of a server tree, sampled every ``interval`` s in a thread."""

    def __init__(self, server: Server, interval: float = 0.5) -> None:
        self.server = server
        self.interval = interval
        self.peak_rss_mb = server.rss_mb()
        self.peak_kernels = server.kernels()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_rss_mb = max(self.peak_rss_mb, self.server.rss_mb())
            self.peak_kernels = max(self.peak_kernels, self.server.kernels())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(
    tmp: Path,
    store_url: str,
    *,
    name: str,
    pool_size: int | None = None,
    max_kernels: int | None = None,
    max_per_address: int | None = None,
    workshops: Path = WORKSHOPS,
) -> Server:
    """``transferkit serve`` on 127.0.0.1 with explicit, fresh moderator and participant tokens.

    ``pool_size``/``max_kernels``/``max_per_address`` None: serve's default.
    """
    from transferkit.serve import wait_for_port

    port = free_port()
    moderator_token = secrets.token_urlsafe(16)
    participant_token = secrets.token_urlsafe(16)
    log = tmp / f"serve-{name}.log"
    env = dict(os.environ)
    home = tmp / "home"
    for key, sub in (
        ("HOME", ""),
        ("JUPYTER_CONFIG_DIR", "jupyter/config"),
        ("JUPYTER_DATA_DIR", "jupyter/data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "mpl"),
    ):
        path = home / sub if sub else home
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    env.update(
        TRANSFERKIT_DB=store_url, MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1"
    )
    argv = [
        str(BIN / "transferkit"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        store_url,
        "--workshops",
        str(workshops),
        "--moderator-token",
        moderator_token,
        "--participant-token",
        participant_token,
    ]
    for option, value in (
        ("--pool-size", pool_size),
        ("--max-kernels", max_kernels),
        ("--max-per-address", max_per_address),
    ):
        if value is not None:
            argv += [option, str(value)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=str(tmp),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(
        process,
        port,
        log,
        DEFAULT_POOL if pool_size is None else pool_size,
        moderator_token,
        participant_token,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout=90, process=process)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: Server) -> None:
    """SIGINT (as Ctrl+C) to ``transferkit serve``, then kill its whole process group."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)  # leftover kernels of this session only
    except ProcessLookupError:
        pass
    if server.process.poll() is None:
        server.process.wait(timeout=10)


async def start_ready(
    tmp: Path,
    store_url: str,
    *,
    name: str,
    pool_size: int | None = None,
    max_kernels: int | None = None,
    max_per_address: int | None = None,
    workshops: Path = WORKSHOPS,
    servers: list[Server],
) -> Server:
    """Start a server, wait for serve's ready line and for the tree to go idle; print how long."""
    options = [
        f"{flag} {value}"
        for flag, value in (
            ("--pool-size", pool_size),
            ("--max-kernels", max_kernels),
            ("--max-per-address", max_per_address),
        )
        if value is not None
    ]
    label = ", ".join(["tokens given", *options]) if options else "tokens given, defaults"
    started = time.perf_counter()
    server = await asyncio.to_thread(
        start_serve,
        tmp,
        store_url,
        name=name,
        pool_size=pool_size,
        max_kernels=max_kernels,
        max_per_address=max_per_address,
        workshops=workshops,
    )
    servers.append(server)
    listening = time.perf_counter() - started
    await asyncio.to_thread(server.wait_idle, server.pool)
    idle = time.perf_counter() - started
    said = "; ".join(server.ready_lines()) or "no ready line"
    print(
        f"  [{name}] transferkit serve ({label}): listening after {listening:.1f} s, "
        f"idle after {idle:.1f} s (serve: {said})",
        flush=True,
    )
    return server


# --------------------------------------------------------------------------- time to interactive
@dataclass
class Visits:
    label: str
    runs: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.runs) if self.runs else float("nan")

    def values(self, key: str) -> str:
        return ", ".join(f"{r[key]:.2f}" for r in self.runs)


async def measure_visits(
    browser: Any,
    server: Server,
    reps: int,
    label: str,
    url_of: Any,
    kernels_per_visit: int,
    *,
    type_code: bool = False,
) -> Visits:
    """One warm-up and ``reps`` measured first visits; the server goes idle before each.

    ``type_code`` (the web sheet): the URL has no code; it is typed on the page.
    """
    result = Visits(label)
    base_kernels = await asyncio.to_thread(server.kernels)
    for i in range(reps + 1):  # the first visit warms disk caches and is not counted
        await asyncio.to_thread(server.wait_idle, base_kernels + i * kernels_per_visit)
        code = f"T{i:02d}{uuid.uuid4().int % 10**6:06d}"  # digits only: never a name
        if type_code:
            run = await visit(browser, url_of(LINK_QUERY), code=code)
        else:
            run = await visit(browser, url_of(sheet_query(code)))
        if i:
            result.runs.append(run)
        print(
            f"  {label} visit {i}{' (warm-up)' if i == 0 else ''}: {run['tti']:.2f} s "
            f"(first byte {run['ttfb_ms']:.0f} ms, html {run['html_bytes'] / 1024:.1f} KiB "
            f"[{run['html_transfer'] / 1024:.1f} KiB sent], "
            f"{run['requests']:.0f} requests, {run['transfer_bytes'] / 1024:.0f} KiB loaded)",
            flush=True,
        )
    return result


# --------------------------------------------------------------------------- load
@dataclass
class LoadResult:
    mode: str
    outcomes: list[Outcome] = field(default_factory=list)
    duration: float = 0.0
    last_arrival: float = 0.0
    rss_before: float = 0.0
    rss_peak: float = 0.0
    rss_after: float = 0.0
    kernels_before: int = 0
    kernels_peak: int = 0
    kernels_after: int = 0
    cpu_seconds: float = 0.0
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    unconfirmed_stored: list[str] = field(default_factory=list)
    duplicates: int = 0
    projector: str = ""  # the projector watch's line (lag behind the moderator)
    vote_lines: list[str] = field(default_factory=list)  # the projector's vote chart
    votes_stored: int = 0  # confirmed ballots found in the store as sent
    votes_lost: list[str] = field(default_factory=list)  # confirmed, not stored as sent
    turnout: int = 0  # transferkit.live.votes.turnout
    totals_match: bool = False  # votes.totals == the sum of the confirmed ballots
    totals: list[tuple[str, int]] = field(default_factory=list)  # (label, points) from the store
    cast_points: int = 0  # points in all confirmed ballots
    projector_end: list[list[tuple[str, int]] | None] = field(default_factory=list)  # per screen

    def of(self, kind: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if kind is None or o.kind == kind]

    @property
    def confirmed(self) -> list[str]:
        return [o.code for o in self.outcomes if o.ok]


def page_indices(n: int, pages: int) -> set[int]:
    """``pages`` participants spread evenly over the arrivals (e.g. 7 and 22 of 30)."""
    pages = max(0, min(pages, n))
    return {min(n - 1, int((k + 0.5) * n / pages)) for k in range(pages)}


async def run_load(
    server: Server,
    browser: Any,
    *,
    mode: str,
    n: int,
    window: float,
    think: float,
    pages: int,
    gate_size: int,
    prefix: str,
    watch: ProjectorWatch | None = None,
    vote: str | None = None,
) -> LoadResult:
    """``n`` participants arriving evenly over ``window`` s.

    mode ``web``: HTTP clients, ``pages`` of them Chromium pages on ``/sheet``;
    mode ``voila``: all Chromium pages on the Voilà sheet, at most ``gate_size`` at once.
    ``vote``: the vote link's query; each participant then casts :func:`ballot_of`.
    """
    from tornado.httpclient import AsyncHTTPClient

    from transferkit.templates import load_template

    template = load_template(TEMPLATE)
    result = LoadResult(mode)
    as_page = set(range(n)) if mode == "voila" else page_indices(n, pages)
    gate = asyncio.Semaphore(gate_size if mode == "voila" else max(1, len(as_page)))
    client = AsyncHTTPClient(force_instance=True, max_clients=max(10, min(n * 2, 600)))

    async def participant(i: int, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + i * window / n - time.perf_counter()))
        code = f"{prefix}{i:03d}"
        ballot = Ballot(vote, ballot_of(i)) if vote is not None else None
        if i in as_page:
            web = mode == "web"
            url = server.web_url() if web else server.voila_url(sheet_query(code))
            async with gate:
                outcome = await page_participant(
                    browser,
                    url,
                    template,
                    i,
                    code,
                    think,
                    type_code=web,
                    ballot=ballot,
                    vote_url=server.vote_url(vote) if vote is not None else None,
                )
        else:
            outcome = await http_participant(
                client,
                server.base,
                LINK_QUERY,
                code,
                template.example_answers(seed=i),
                think,
                token=server.participant_token,
                ballot=ballot,
            )
        result.outcomes.append(outcome)

    result.rss_before = await asyncio.to_thread(server.rss_mb)
    result.kernels_before = await asyncio.to_thread(server.kernels)
    cpu_before = await asyncio.to_thread(server.cpu_seconds)
    try:
        with MemorySampler(server) as sampler:
            t0 = time.perf_counter()
            watching = asyncio.create_task(watch.run()) if watch is not None else None
            await asyncio.gather(*(participant(i, t0) for i in range(n)))
            if watch is not None and watching is not None:
                cast = [o.vote_at for o in result.outcomes if o.vote_at is not None]
                settled = 0.0
                if vote is not None:
                    settled = await watch.settle(len(cast))
                else:
                    watch.stop()
                figures = await watching
                result.projector = figures.line()
                if vote is not None:
                    lags, missed = vote_lags(figures.charts, cast, watch.screens)
                    result.vote_lines.append(
                        lag_line("projector vote chart behind the confirmed casts", lags, missed)
                        + f" (screens polled on {settled:.1f} s after the load)"
                    )
                    for screen in range(watch.screens):
                        last = figures.last_chart(screen)
                        result.projector_end.append(None if last is None else last[1])
                        result.vote_lines.append(
                            f"projector screen {screen + 1} shows at the end: "
                            + (
                                "nothing"
                                if last is None
                                else f"{last[0]} voters, "
                                + ", ".join(f"{label} {pts}" for label, pts in last[1])
                            )
                        )
            result.duration = max((o.finished for o in result.outcomes), default=t0) - t0
            result.last_arrival = (n - 1) * window / n
    finally:
        client.close()
    result.cpu_seconds = await asyncio.to_thread(server.cpu_seconds) - cpu_before
    result.rss_after = await asyncio.to_thread(server.rss_mb)
    result.kernels_after = await asyncio.to_thread(server.kernels)
    result.rss_peak = max(sampler.peak_rss_mb, result.rss_after)
    result.kernels_peak = max(sampler.peak_kernels, result.kernels_after)
    return result


def check_votes(store_url: str, result: LoadResult, query: str) -> None:
    """Read the store's ballots and totals versus the confirmed casts (and the projector's end)."""
    from transferkit.live import votes
    from transferkit.sheets.web.vote import vote_key_of
    from transferkit.store import Store

    key, _lang = vote_key_of(query)
    store = Store(store_url)
    try:
        cast = [o for o in result.outcomes if o.vote_ok and o.vote_points is not None]
        table = votes.votes_of(store)
        for o in cast:
            if table.ballot(key, o.code) == o.vote_points:
                result.votes_stored += 1
            else:
                result.votes_lost.append(o.code)
        result.turnout = votes.turnout(store, key).voted
        frame = votes.totals(store, key)
    finally:
        store.close()
    labels = dict(VOTE_ITEMS)
    expected = dict.fromkeys(labels.values(), 0)
    for o in cast:
        for item, pts in (o.vote_points or {}).items():
            expected[labels[item]] += pts
    result.cast_points = sum(expected.values())
    result.totals = [(str(r["label"]), int(r["points"])) for r in frame.to_dict("records")]
    result.totals_match = dict(result.totals) == expected
    if result.projector_end:
        same = all(
            rows is not None and sorted(rows) == sorted(result.totals)
            for rows in result.projector_end
        )
        result.vote_lines.append(
            f"every projector screen shows the store's totals at the end: {'yes' if same else 'NO'}"
        )


def check_store(store_url: str, result: LoadResult, prefix: str) -> None:
    """Read the store: responses of this load's codes versus the confirmed submissions."""
    from transferkit.store import Store

    store = Store(store_url)
    try:
        stored = store.responses(template=TEMPLATE, pilot=PILOT)
    finally:
        store.close()
    codes = [
        c
        for c in (stored["participant"] if not stored.empty else [])
        if isinstance(c, str) and c.startswith(prefix)
    ]
    counts = Counter(codes)
    result.stored = len(codes)
    result.duplicates = sum(k - 1 for k in counts.values() if k > 1)
    result.lost = [c for c in result.confirmed if c not in counts]
    confirmed = set(result.confirmed)
    result.unconfirmed_stored = sorted(c for c in counts if c not in confirmed)


# --------------------------------------------------------------------------- report
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (cores: {os.cpu_count()})"


def spread(values: list[float], unit: str = "ms") -> str:
    if not values:
        return "-"
    return (
        f"p50 {percentile(values, 50):.0f} {unit}, p95 {percentile(values, 95):.0f} {unit}, "
        f"max {max(values):.0f} {unit} (n={len(values)})"
    )


def print_visits(v: Visits, what: str) -> None:
    if not v.runs:
        print(f"time to interactive, {what}: -")
        return
    print(
        f"time to interactive, {what}: median {v.median('tti'):.2f} s ({v.values('tti')}); "
        f"first byte {v.median('ttfb_ms'):.0f} ms, html {v.median('html_bytes') / 1024:.1f} KiB "
        f"[{v.median('html_transfer') / 1024:.1f} KiB sent], "
        f"{v.median('requests'):.0f} requests, {v.median('transfer_bytes') / 1024:.0f} KiB loaded"
    )


def print_load(r: LoadResult, n: int, title: str) -> None:
    print(f"{title}:")
    print(
        f"  participants: {n}, confirmed: {len(r.confirmed)}, failed: {n - len(r.confirmed)}, "
        f"all done after {r.duration:.1f} s ({r.duration - r.last_arrival:.1f} s after the "
        f"last arrival at {r.last_arrival:.1f} s)"
    )
    reasons = Counter((o.kind, o.error or "?") for o in r.outcomes if not o.ok)
    for (kind, reason), count in reasons.most_common(10):
        print(f"  failure ({kind}) x{count}: {reason}")
    for kind, name in (("http", "HTTP clients"), ("page", "Chromium pages")):
        subset = r.of(kind)
        if not subset:
            continue
        opened = [o.open_ms for o in subset if o.open_ms is not None]
        what = "GET page" if kind == "http" else "time to interactive"
        print(f"  {name}: {what} {spread(opened)}")
        print(
            f"  {name}: submit latency {spread([o.submit_ms for o in subset if o.ok and o.submit_ms])}"
        )
    both = [o.submit_ms for o in r.outcomes if o.ok and o.submit_ms is not None]
    print(f"  all: submit latency {spread(both)}")
    print(
        f"  responses stored: {r.stored} (confirmed {len(r.confirmed)}: "
        f"{'stored = confirmed' if r.stored == len(r.confirmed) and not r.lost else 'MISMATCH'}; "
        f"lost {len(r.lost)}, duplicates {r.duplicates}, stored but not confirmed "
        f"{len(r.unconfirmed_stored)})"
    )
    print(
        f"  server memory (serve tree RSS): {r.rss_before:.0f} MB before ({r.kernels_before} kernels), "
        f"peak {r.rss_peak:.0f} MB ({r.kernels_peak} kernels), {r.rss_after:.0f} MB after "
        f"({r.kernels_after} kernels); added {r.rss_after - r.rss_before:+.1f} MB, "
        f"per participant {(r.rss_after - r.rss_before) / n:.2f} MB "
        f"(at the peak: {(r.rss_peak - r.rss_before) / n:.2f} MB)"
    )
    if r.projector:
        print(f"  {r.projector}")
    voted = [o for o in r.outcomes if o.vote_ms is not None or o.vote_error]
    if voted:
        cast = [o for o in voted if o.vote_ok]
        print(
            f"  votes: {len(voted)} tried, {len(cast)} confirmed, stored as sent {r.votes_stored} "
            f"(lost {len(r.votes_lost)}), turnout {r.turnout}; totals "
            + ", ".join(f"{label} {pts}" for label, pts in r.totals)
            + f" = {sum(p for _, p in r.totals)} points "
            + (
                f"(= the sum of the confirmed ballots, {r.cast_points})"
                if r.totals_match
                else f"(MISMATCH: confirmed ballots give {r.cast_points})"
            )
        )
        vote_reasons = Counter((o.kind, o.vote_error or "?") for o in voted if not o.vote_ok)
        for (kind, reason), count in vote_reasons.most_common(10):
            print(f"  vote failure ({kind}) x{count}: {reason}")
        for kind, name in (("http", "HTTP clients"), ("page", "Chromium pages")):
            ms = [o.vote_ms for o in cast if o.kind == kind and o.vote_ms is not None]
            if ms:
                print(f"  {name}: vote latency {spread(ms)}")
        print(f"  all: vote latency {spread([o.vote_ms for o in cast if o.vote_ms is not None])}")
        for line in r.vote_lines:
            print(f"  {line}")
    print(
        f"  server CPU during the load: {r.cpu_seconds:.1f} s "
        f"({r.cpu_seconds / max(r.duration, 1e-9):.2f} cores on average over {r.duration:.0f} s)"
    )


def keep_logs(tmp: Path) -> Path:
    keep = Path(tempfile.gettempdir()) / f"tk-bench-workshop-logs-{os.getpid()}"
    keep.mkdir(exist_ok=True)
    for log in tmp.glob("serve-*.log"):
        shutil.copyfile(log, keep / log.name)
    return keep


def open_room_vote(store: Any, store_url: str) -> str:
    """As the moderator: open the projector's vote of the loaded pilot and loop; its link's query.

    The vote is the one the room's projector shows (:func:`live_vote_key` of the
    screen's live session, opened here as the moderator's screen would).
    """
    from transferkit.live import votes
    from transferkit.live.projector import live_vote_key
    from transferkit.sheets.web.vote import vote_query
    from transferkit.store.live_sessions import LiveSessions
    from transferkit.templates import load_template

    session = LiveSessions(store_url).open(TEMPLATE, pilot=PILOT, loop=LOOP)
    key = live_vote_key(load_template(TEMPLATE), session)
    if key is None:
        msg = f"no projector vote for {TEMPLATE} {PILOT} loop {LOOP}"
        raise RuntimeError(msg)
    votes.open_vote(store, key, VOTE_ITEMS, budget=VOTE_BUDGET)
    return vote_query(key.pilot, key.loop, key.topic, LANG)


def web_sheet_served(server: Server) -> str | None:
    """None if ``/sheet`` answers with a page, else why not."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(server.web_url(), timeout=30) as response:
            body = response.read(2_000_000).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return f"GET /sheet answered {error.code}"
    except OSError as error:
        return f"GET /sheet failed: {error}"
    if "tk-submit" not in body:
        return "GET /sheet answered without a .tk-submit element"
    return None


async def amain(args: argparse.Namespace, tmp: Path, servers: list[Server]) -> bool:
    """Run everything; True if anything failed (logs are then kept)."""
    from playwright.async_api import async_playwright

    from transferkit.store import Store

    store_url = f"sqlite:///{tmp / 'store.db'}"
    store = Store(store_url)
    store.add_pilot(PILOT, "Pilot eins", "Pilot one", loops=3)
    vote = open_room_vote(store, store_url)
    store.close()
    baseline_dir = tmp / "baseline"
    baseline_dir.mkdir()
    for name in ("round_table.ipynb", "reflection_loop.ipynb"):  # serve wants both names
        (baseline_dir / name).write_text(json.dumps(BUTTON_NOTEBOOK, indent=1))

    async def finish(server: Server) -> None:
        await asyncio.to_thread(stop, server)

    failed = False
    n = args.participants
    run = uuid.uuid4().hex[:4].upper()
    web_load: LoadResult | None = None
    web: Visits | None = None
    web_missing: str | None = None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print("1a. baseline: a one-button Voilà page (a kernel per visit)", flush=True)
            server = await start_ready(
                tmp, store_url, name="baseline", workshops=baseline_dir, servers=servers
            )
            baseline = await measure_visits(
                browser, server, args.reps, "baseline", server.voila_url, kernels_per_visit=1
            )
            await finish(server)

            print(
                "1b + 2. web sheet: a fresh default server for its first visits, then the load",
                flush=True,
            )
            per_address = 4 * n + 64  # every light client comes from 127.0.0.1
            server = await start_ready(
                tmp, store_url, name="web", max_per_address=per_address, servers=servers
            )
            web_missing = await asyncio.to_thread(web_sheet_served, server)
            if web_missing:
                print(
                    f"  web sheet not served: {web_missing}; skipping 1b and the load", flush=True
                )
                failed = True
            else:
                web = await measure_visits(
                    browser,
                    server,
                    args.reps,
                    "web",
                    server.web_url,
                    kernels_per_visit=0,
                    type_code=True,
                )
                await asyncio.to_thread(server.wait_idle, server.pool)
                print(
                    f"  load: {n} participants over {args.window:.0f} s, {args.pages} of them "
                    f"Chromium pages (load average now {load_line()})",
                    flush=True,
                )
                prefix = f"W{run}"
                web_load = await run_load(
                    server,
                    browser,
                    mode="web",
                    n=n,
                    window=args.window,
                    think=args.think,
                    pages=args.pages,
                    gate_size=args.pages,
                    prefix=prefix,
                    watch=ProjectorWatch(
                        server.base,
                        store_url,
                        template=TEMPLATE,
                        pilot=PILOT,
                        loop=LOOP,
                        screens=args.projectors,
                    )
                    if args.projectors
                    else None,
                    vote=vote,
                )
                check_store(store_url, web_load, prefix)
                check_votes(store_url, web_load, vote)
                failed |= (
                    len(web_load.confirmed) < n
                    or bool(web_load.lost)
                    or web_load.duplicates > 0
                    or web_load.votes_stored < n
                    or not web_load.totals_match
                )
            await finish(server)

        finally:
            await browser.close()

    print()
    print(f"load average at end: {load_line()}")
    print_visits(baseline, "baseline one-button Voilà page (a kernel per visit)")
    if web is not None:
        print_visits(web, "web sheet (/sheet)")
    else:
        print(f"time to interactive, web sheet: - ({web_missing})")
    if web_load is not None:
        print_load(
            web_load,
            n,
            f"load through the web sheet ({n - len(web_load.of('page'))} HTTP "
            f"clients + {len(web_load.of('page'))} Chromium pages, think {args.think:g} s)",
        )
    if failed:
        print(f"server logs kept in {keep_logs(tmp)}")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if b and not math.isnan(a) and not math.isnan(b) else "-"

    web_tti = web.median("tti") if web is not None else float("nan")
    print(
        f"ratio time to interactive, one-button Voilà page/web sheet: "
        f"{ratio(baseline.median('tti'), web_tti)}"
    )
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="measured first visits per mode")
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--window", type=float, default=45.0, help="arrivals spread over (s)")
    parser.add_argument("--think", type=float, default=1.0, help="s between draft and submit")
    parser.add_argument(
        "--pages",
        type=int,
        default=2,
        help="participants of the web load that use a real Chromium page",
    )
    parser.add_argument(
        "--projectors",
        type=int,
        default=3,
        help="projector screens polling the room's state during the load (0: none)",
    )
    args = parser.parse_args()
    if not 0 < args.participants <= 1000 or not 0 <= args.projectors <= 10:
        sys.exit("bounded: 1 to 1000 participants, 0 to 10 projectors (loopback only)")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install chromium")

    print(f"load average at start: {load_line()}", flush=True)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="tk-bench-workshop-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            asyncio.run(amain(args, tmp, servers))
        except BaseException:
            print(f"server logs kept in {keep_logs(tmp)}", file=sys.stderr)
            raise
        finally:
            for server in servers:
                stop(server)


if __name__ == "__main__":
    main()
