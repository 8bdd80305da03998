"""The moderator's projector controls (ipywidgets): what the room sees, set from the laptop.

One bar on each moderator screen (:mod:`transferkit.live.screens`): a link that opens
the projector view for a second screen (``p/<room>?key=…``; the view key leaves the
address at once, see :mod:`transferkit.live.projector_web`), the slide shown (join,
question, inputs, results), the phase (the reflection loop's tabs set it too; the
round table's step), the room's timer and whether vote results are revealed. Every
change is written at once to the session in the store
(:class:`~transferkit.store.live_sessions.LiveSessions`); the projector page reads it
within about a second and a half.

CSS classes for tests: ``tk-projector-controls``, ``tk-projector-link``,
``tk-projector-slide``, ``tk-projector-phase``, ``tk-projector-reveal``,
``tk-projector-minutes``, ``tk-projector-timer-start``, ``tk-projector-timer-stop``,
``tk-projector-status``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ipywidgets as w

from transferkit import pages
from transferkit.exceptions import TransferkitError
from transferkit.i18n import area_texts, text
from transferkit.store.live_sessions import SLIDES, LiveSession, LiveSessions

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.values import JSONValue

__all__ = ["ProjectorControls", "make_controls", "projector_link"]

log = logging.getLogger(__name__)


def projector_link(base_url: str, session: LiveSession) -> str:
    """The moderator's link to the projector view (with the read-only view key).

    >>> s = LiveSession(room="K7M4QX", view_key="v", template="round_table", pilot="P01", loop=1)
    >>> projector_link("http://192.168.1.5:8866/", s)
    'http://192.168.1.5:8866/p/K7M4QX?key=v'
    """
    from urllib.parse import quote

    return f"{base_url.rstrip('/')}/p/{session.room}?key={quote(session.view_key, safe='')}"


def _base_url() -> str:
    url = os.environ.get("TRANSFERKIT_PUBLIC_URL") or "http://127.0.0.1:8866/"
    return url if url.endswith("/") else url + "/"


class ProjectorControls:
    """The bar of projector controls for one screen (template, pilot, loop)."""

    def __init__(
        self,
        store: Store,
        *,
        template: str,
        pilot: str | None,
        loop: int | None,
        lang: str,
        phases: Sequence[tuple[str, str]],
        base_url: str | None = None,
    ) -> None:
        self.lang = lang
        self.sessions = LiveSessions.for_store(store)
        self.session = self.sessions.open(template, pilot=pilot, loop=loop)
        state = self.session.state
        ids = [pid for _label, pid in phases]
        changes: dict[str, JSONValue] = {}
        if state.get("lang") != lang:
            changes["lang"] = lang
        if ids and state.get("phase") not in ids:
            changes["phase"] = ids[0]
        if changes:
            self.session = self.sessions.update(self.session.room, **changes)
            state = self.session.state
        t = area_texts("projector", lang)
        link = projector_link(base_url or _base_url(), self.session)
        self.link = w.HTML(
            pages.render(
                "transferkit.live",
                "projector_link.html.j2",
                url=link,
                t=t,
                note=text("projector.projector_note", lang, room=self.session.room),
            )
        )
        self.slide = w.ToggleButtons(
            options=[(t[f"slide_{s}"], s) for s in SLIDES],
            value=state.get("slide") if state.get("slide") in SLIDES else "join",
            description=t["showing"],
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.slide.add_class("tk-projector-slide")
        self.phase = w.Dropdown(
            options=list(phases),
            value=state.get("phase") if state.get("phase") in ids else (ids[0] if ids else None),
            description=t["phase"],
            layout=w.Layout(width="auto", display="flex" if ids else "none"),
        )
        self.phase.add_class("tk-projector-phase")
        self.reveal = w.Checkbox(
            value=bool(state.get("reveal", True)), description=t["reveal"], indent=False
        )
        self.reveal.add_class("tk-projector-reveal")
        self.minutes = w.BoundedIntText(value=10, min=1, max=180, layout=w.Layout(width="5em"))
        self.minutes.add_class("tk-projector-minutes")
        start = w.Button(description=t["start_timer"])
        start.add_class("tk-projector-timer-start")
        stop = w.Button(description=t["stop_timer"])
        stop.add_class("tk-projector-timer-stop")
        start.on_click(lambda _b: self.start_timer())
        stop.on_click(lambda _b: self.stop_timer())
        self.status = w.HTML("")
        self.status.add_class("tk-projector-status")
        self.slide.observe(lambda ch: self.set(slide=ch["new"]), names="value")
        self.phase.observe(lambda ch: self.set(phase=ch["new"]), names="value")
        self.reveal.observe(lambda ch: self.set(reveal=bool(ch["new"])), names="value")
        self.widget = w.VBox(
            [
                self.link,
                w.HBox([self.slide, self.phase], layout=w.Layout(flex_flow="row wrap")),
                w.HBox(
                    [self.minutes, w.Label(t["minutes"]), start, stop, self.reveal, self.status],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
            ],
            layout=w.Layout(border="1px solid #ccc", padding="4px 8px", margin="0 0 8px 0"),
        )
        self.widget.add_class("tk-projector-controls")

    @property
    def room(self) -> str:
        """The session's room code (public: it is on the wall)."""
        return self.session.room

    def set(self, **changes: JSONValue) -> None:
        """Write ``changes`` to the session (the projector follows); a store problem is shown, not raised."""
        try:
            self.session = self.sessions.update(self.session.room, **changes)
            self.status.value = ""
        except TransferkitError:
            log.exception("projector state not saved")
            self.status.value = text("projector.not_saved", self.lang)

    def follow(self, phase: str) -> None:
        """Show ``phase`` (a tab of the moderator's screen was chosen); ignores ids of no phase."""
        ids = [value for _label, value in self.phase.options]
        if phase in ids and self.phase.value != phase:
            self.phase.value = phase  # the observer writes it

    def start_timer(self, minutes: int | None = None) -> None:
        """Start the room's countdown (``minutes``, default the box's value)."""
        if minutes is not None:
            self.minutes.value = int(minutes)
        seconds = 60 * int(self.minutes.value)
        self.set(timer_end=time.time() + seconds, timer_total=seconds)

    def stop_timer(self) -> None:
        """Take the countdown off the projector."""
        self.set(timer_end=None, timer_total=None)


def make_controls(
    store: Store,
    *,
    template: str,
    pilot: str | None,
    loop: int | None,
    lang: str,
    phases: Sequence[tuple[str, str]],
) -> tuple[ProjectorControls | None, w.Widget]:
    """The controls and their widget; if the store refuses the session, ``None`` and a note
    (the moderator's screen works on without a projector view)."""
    try:
        controls = ProjectorControls(
            store, template=template, pilot=pilot, loop=loop, lang=lang, phases=phases
        )
    except TransferkitError:
        log.exception("projector session not opened")
        note = w.HTML(text("projector.not_saved", lang))
        note.add_class("tk-projector-status")
        return None, note
    return controls, controls.widget
