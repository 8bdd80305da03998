"""Projectors and a moderator during ``bench_workshop.py``'s load: how far the wall lags behind.

:class:`ProjectorWatch` opens the live session of the loaded sheet (the store's
``tk_live_sessions``, as a moderator screen does), lets ``screens`` projector
clients take the view cookie (``p/<room>?key=...``) and poll ``p/<room>/state``
once a second as the projector page does, and plays the moderator: every
``every`` s it writes the next slide to the session (as the moderator's kernel
would) and notes when. A projector's lag is the time from that write until its
first poll that returns the new version. Loopback only, bounded (``screens``
clients, one poll a second each, stopped with the load).

Every poll also notes the vote chart the screen got (``results``: voters and
``[label, points]`` rows, from :func:`transferkit.live.projector.vote_totals`);
:func:`vote_lags` turns those notes and the participants' confirmed casts into
the chart's lag, :meth:`ProjectorWatch.settle` lets the screens poll on after the
load until they show every confirmed vote (at most ``timeout`` s).

Not a benchmark of its own; imported by ``bench_workshop.py``.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

SLIDES = ("join", "question", "inputs", "results")


@dataclass
class ProjectorFigures:
    """What the watch measured."""

    lags: list[float] = field(default_factory=list)  # s from the moderator's write to a screen
    polls: int = 0
    failed_polls: int = 0
    changes: int = 0
    missed: int = 0  # changes a screen never saw before the load ended
    #: Every good poll's vote chart: (screen, perf_counter() at the answer, voters, rows).
    charts: list[tuple[int, float, int, list[tuple[str, int]]]] = field(default_factory=list)

    def last_chart(self, screen: int) -> tuple[int, list[tuple[str, int]]] | None:
        """The latest (voters, rows) screen ``screen`` showed."""
        mine = [c for c in self.charts if c[0] == screen]
        return (mine[-1][2], mine[-1][3]) if mine else None

    def line(self) -> str:
        if not self.lags:
            return f"projector: no change seen ({self.polls} polls, {self.failed_polls} failed)"
        lags = sorted(self.lags)
        p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))]
        return (
            f"projector: {self.changes} moderator changes x screens, lag p50 "
            f"{lags[len(lags) // 2]:.2f} s, p95 {p95:.2f} s, max {lags[-1]:.2f} s "
            f"({'within' if lags[-1] <= 2.0 else 'NOT within'} 2 s); {self.polls} polls, "
            f"{self.failed_polls} failed, {self.missed} changes not seen"
        )


def vote_lags(
    charts: list[tuple[int, float, int, list[tuple[str, int]]]],
    confirmed: list[float],
    screens: int,
) -> tuple[list[float], int]:
    """Lag of the screens' vote chart behind the confirmed casts; (lags in s, not seen).

    For the k-th cast confirmed (at ``confirmed[k-1]``, sorted), each screen's lag is
    the time until its first answer from then on whose voter count is at least k:
    when the wall had caught up with the room as it was at that confirmation.
    """
    lags: list[float] = []
    missed = 0
    by_screen = [[(t, v) for s, t, v, _ in charts if s == i] for i in range(screens)]
    for k, at in enumerate(sorted(confirmed), start=1):
        for seen in by_screen:
            first = next((t for t, v in seen if t >= at and v >= k), None)
            if first is None:
                missed += 1
            else:
                lags.append(first - at)
    return lags, missed


def lag_line(what: str, lags: list[float], missed: int) -> str:
    """``what``: lag p50/p95/max, within 2 s or not, how many not seen."""
    if not lags:
        return f"{what}: nothing seen ({missed} not seen)"
    ordered = sorted(lags)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{what}: lag p50 {ordered[len(ordered) // 2]:.2f} s, p95 {p95:.2f} s, max "
        f"{ordered[-1]:.2f} s ({'within' if ordered[-1] <= 2.0 else 'NOT within'} 2 s; "
        f"n={len(ordered)}), {missed} not seen"
    )


class ProjectorWatch:
    """``screens`` projector clients and one moderator on one room, while a load runs."""

    def __init__(
        self,
        base: str,
        store_url: str,
        *,
        template: str,
        pilot: str,
        loop: int,
        screens: int = 3,
        every: float = 5.0,
    ) -> None:
        self.base = base
        self.template = template
        self.loop = loop
        self.store_url = store_url
        self.pilot = pilot
        self.screens = screens
        self.every = every
        self.figures = ProjectorFigures()
        self._stop = asyncio.Event()
        self._written: dict[int, float] = {}  # version -> when the moderator wrote it
        self._seen: list[set[int]] = [set() for _ in range(screens)]
        self._moderating = asyncio.Event()  # cleared: the moderator stops changing slides
        self._moderating.set()

    async def run(self) -> ProjectorFigures:
        from tornado.httpclient import AsyncHTTPClient

        from transferkit.store.live_sessions import LiveSessions

        sessions = LiveSessions(self.store_url)
        session = await asyncio.to_thread(
            sessions.open, self.template, pilot=self.pilot, loop=self.loop
        )
        client = AsyncHTTPClient(force_instance=True, max_clients=self.screens + 2)
        try:
            cookies = [await self._cookie(client, session) for _ in range(self.screens)]
            await asyncio.gather(
                self._moderator(sessions, session.room),
                *(self._screen(client, session.room, c, i) for i, c in enumerate(cookies)),
            )
        finally:
            client.close()
        self.figures.missed = sum(
            1 for seen in self._seen for version in self._written if version not in seen
        )
        return self.figures

    def stop(self) -> None:
        self._stop.set()

    async def settle(self, voters: int, timeout: float = 10.0) -> float:
        """Stop the moderator; let the screens poll until each shows ``voters`` voters or
        ``timeout`` s pass; then stop. Seconds waited."""
        self._moderating.clear()
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            shown = [self.figures.last_chart(i) for i in range(self.screens)]
            if all(c is not None and c[0] >= voters for c in shown):
                break
            await asyncio.sleep(0.1)
        self.stop()
        return time.perf_counter() - start

    async def _cookie(self, client: Any, session: Any) -> str:
        response = await client.fetch(
            f"{self.base}p/{session.room}?key={session.view_key}",
            follow_redirects=False,
            raise_error=False,
        )
        header = response.headers.get("Set-Cookie", "")
        return header.split(";", 1)[0]

    async def _moderator(self, sessions: Any, room: str) -> None:
        n = 0
        while not await self._wait(self.every):
            if not self._moderating.is_set():
                continue
            n += 1
            written = time.perf_counter()
            changed = await asyncio.to_thread(sessions.update, room, slide=SLIDES[n % 4])
            self._written[changed.version] = written
            self.figures.changes += 1

    async def _screen(self, client: Any, room: str, cookie: str, i: int) -> None:
        await asyncio.sleep(i * 1.0 / max(1, self.screens))  # screens do not poll in step
        while not self._stop.is_set():
            started = time.perf_counter()
            response = await client.fetch(
                f"{self.base}p/{room}/state",
                headers={"Cookie": cookie},
                raise_error=False,
                request_timeout=30,
            )
            self.figures.polls += 1
            if response.code != 200:
                self.figures.failed_polls += 1
            else:
                state = json.loads(response.body)
                version = int(state["version"])
                results = state.get("results") or {}
                rows = [(str(label), int(n)) for label, n in results.get("rows") or []]
                self.figures.charts.append(
                    (i, time.perf_counter(), int(results.get("voters") or 0), rows)
                )
                for v, written in self._written.items():
                    if v <= version and v not in self._seen[i]:
                        self._seen[i].add(v)
                        self.figures.lags.append(time.perf_counter() - written)
            await self._wait(max(0.0, 1.0 - (time.perf_counter() - started)))

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until stopped; True if stopped."""
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            return False
        return True
