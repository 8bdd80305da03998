"""Live input: poll the store for new responses (:class:`LiveFeed`) and tick a timer (:class:`Ticker`)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is built, not by the sheet page
    import pandas as pd

    from transferkit.store import Store, TemplateLike


log = logging.getLogger(__name__)


class LiveFeed:
    """New responses since the last poll, for one template / pilot / loop (/ phase)."""

    def __init__(
        self,
        store: Store,
        template: TemplateLike | str | None = None,
        *,
        pilot: str | None = None,
        loop: int | None = None,
        phase: str | None = None,
    ) -> None:
        self.store = store
        self.template = template
        self.pilot = pilot
        self.loop = loop
        self.phase = phase
        self.last_id = 0
        import pandas as pd

        self.frame = pd.DataFrame()

    def poll(self) -> pd.DataFrame:
        """All responses so far (kept in ``self.frame``); the new ones are those with id > previous."""
        frame = self.store.responses(
            template=self.template, pilot=self.pilot, loop=self.loop, phase=self.phase
        )
        self.frame = frame
        return frame

    def new(self) -> pd.DataFrame:
        """Only the responses that arrived since the previous call."""
        frame = self.poll()
        if frame.empty:
            return frame
        fresh = frame[frame["response_id"] > self.last_id]
        if not fresh.empty:
            self.last_id = int(fresh["response_id"].max())
        return fresh


class Ticker:
    """Call ``callback()`` every ``interval`` seconds in the kernel's event loop.

    Inside a Jupyter/Voilà kernel the asyncio loop runs between messages, so
    widget updates made by the callback reach the page. Without a running
    loop (plain Python) a daemon thread is used instead.
    """

    def __init__(self, callback: Callable[[], None], interval: float = 1.5) -> None:
        self.callback = callback
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _tick(self) -> None:
        try:
            self.callback()
        except Exception:  # a failing refresh must not stop the screen
            log.exception("live refresh failed")

    async def _run(self) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(self.interval)
            self._tick()

    def _run_thread(self) -> None:
        while not self._stop.wait(self.interval):
            self._tick()

    def start(self) -> Ticker:
        """Start ticking (idempotent)."""
        if self._task is not None or self._thread is not None:
            return self
        self._stop.clear()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self._task = loop.create_task(self._run())
        else:
            self._thread = threading.Thread(target=self._run_thread, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop ticking."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        self._task = None
        self._thread = None
