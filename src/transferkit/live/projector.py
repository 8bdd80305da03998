"""The projector view's content: what the room sees of a live session, without widgets or HTTP.

A moderator screen (:mod:`transferkit.live.screens`) and its projector page
(:mod:`transferkit.live.projector_web`) share one
:class:`~transferkit.store.live_sessions.LiveSession` (slide, phase, timer,
reveal) in the store. :func:`projector_content` turns a session and the
store's responses into the JSON the projector page draws: the join slide's
short address, the current question, the inputs as cards, the vote results
as one chart, the timer. It holds nothing secret: no token, no participant
code, no moderator link (a test checks).

:class:`SharedSnapshot` makes its cost independent of the number of screens
polling it: whatever the number of requests, each room's content is built at
most once per ``ttl`` seconds (one store query per interval), concurrent
requests wait for the same build.

Vote results come from :func:`vote_totals` (the round table's dot vote,
:func:`transferkit.sheets.ideas.tally_votes`; the reflection loop's dots on
the moderator's groups): the one place to point at another totals function.

Examples
--------
>>> short_address("http://192.168.1.5:8866/", "K7M4QX")
'192.168.1.5:8866/j/K7M4QX'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from transferkit.i18n import text
from transferkit.sheets.query import SheetRequest, sheet_url
from transferkit.store.drafts import DraftKey, DraftStore

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.store import Store
    from transferkit.store.live_sessions import LiveSession
    from transferkit.store.values import JSONValue
    from transferkit.store.votes import VoteKey
    from transferkit.templates import Phase, Template

__all__ = [
    "BOARD_OWNER",
    "MAX_CARDS",
    "MAX_RESULTS",
    "ROUND_TABLE_STEPS",
    "SharedSnapshot",
    "board_draft_key",
    "join_request",
    "live_vote_key",
    "participant_link",
    "phase_questions",
    "projector_content",
    "room_content",
    "short_address",
    "short_url",
    "vote_totals",
    "with_session_state",
]

#: Participant code under which the moderator's board (groups, dots) is saved as a draft.
BOARD_OWNER = "_MODERATOR"
#: The round table's steps (its "phases" on the projector): collect ideas, then vote.
ROUND_TABLE_STEPS = ("ideas", "votes")
#: Most input cards on the wall (the newest); the count says how many there are in all.
MAX_CARDS = 30
#: Most bars in the result chart (most points first).
MAX_RESULTS = 10


def short_url(base_url: str, room: str) -> str:
    """The join address of a room: ``<base>/j/<room>`` (forwards to the current sheet)."""
    return base_url.rstrip("/") + "/j/" + room


def short_address(base_url: str, room: str) -> str:
    """:func:`short_url` without the scheme, as it is written on the wall."""
    return short_url(base_url, room).split("://", 1)[-1]


def board_draft_key(template_id: str, pilot: str | None, loop: int | None) -> DraftKey:
    """Where the reflection-loop screen saves the moderator's groups and dots (a draft)."""
    return DraftKey(
        f"{template_id}#board", pilot=pilot, loop=loop, phase=None, participant=BOARD_OWNER
    )


def phase_questions(phase: Phase) -> list[str]:
    """The ids of a phase's text questions: what becomes input cards."""
    return [q.id for q in phase.questions if q.type in ("text", "long_text")]


def _phase(template: Template, session: LiveSession) -> Phase | None:
    phases = list(template.phases)
    if not phases:
        return None
    wanted = session.state.get("phase")
    return next((p for p in phases if p.id == wanted), phases[0])


def _step(session: LiveSession) -> str:
    wanted = session.state.get("phase")
    return wanted if isinstance(wanted, str) and wanted in ROUND_TABLE_STEPS else "ideas"


def join_request(template: Template, session: LiveSession) -> SheetRequest:
    """The participants' sheet that the room's join address forwards to now (no secret in it).

    A loop: the current phase's sheet. The round table: its ideas questions, or
    in the ``votes`` step its vote.
    """
    lang = str(session.state.get("lang") or "de")
    request = SheetRequest(
        template=session.template, pilot=session.pilot, loop=session.loop, lang=lang
    )
    phase = _phase(template, session)
    if phase is not None:
        return request.with_(phase=phase.id)
    if template.id == "round_table" or _has_question(template, "votes"):
        step = _step(session)
        return request.with_(questions="votes" if step == "votes" else "network_role,ideas")
    return request


def _has_question(template: Template, qid: str) -> bool:
    return any(q.id == qid for q in template.all_questions())


def _vote_labels(template: Template, frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """What may be voted for, with its text: the ideas so far and a vote's own options."""
    from transferkit.sheets.ideas import extract_ideas

    ideas = extract_ideas(frame, "ideas")
    labels = {str(k): str(v) for k, v in zip(ideas["idea_id"], ideas["text"], strict=True)}
    for q in template.all_questions():
        if q.id == "votes" and q.type == "dot_vote" and getattr(q, "source", "") == "options":
            labels.update({str(o.value): str(o.label.get(lang)) for o in getattr(q, "options", [])})
    return labels


def live_vote_key(template: Template, session: LiveSession) -> VoteKey | None:
    """The vote from phones (:mod:`transferkit.live.votes`) of this screen: the round
    table's, or the loop's grouping vote; ``None`` without a pilot."""
    from transferkit.live import votes

    if session.pilot is None:
        return None
    if template.phases:
        return None if session.loop is None else votes.grouping_vote(session.pilot, session.loop)
    return votes.round_table_vote(session.pilot, session.loop)


def vote_totals(
    store: Store, template: Template, session: LiveSession, frame: pd.DataFrame
) -> tuple[list[tuple[str, int]], int, bool]:
    """The vote results the room sees: ``[(label, points), ...]`` (most first), the voters,
    and whether they may be shown.

    A vote from phones, once the moderator opened it (:func:`transferkit.live.votes.totals`,
    hidden until revealed if the moderator chose so). Else the round table's dot vote in
    the sheet (:func:`transferkit.sheets.ideas.tally_votes`; keys that are no idea or option
    never count), or a loop's dots the moderator gave the groups (the board saved by the screen).
    """
    from transferkit.live import votes
    from transferkit.sheets.ideas import tally_votes

    key = live_vote_key(template, session)
    live = votes.session(store, key) if key is not None else None
    if key is not None and live is not None:
        table = votes.totals(store, key)
        rows = [(str(r["label"]), int(r["points"])) for r in table.to_dict("records")]
        return rows, votes.turnout(store, key).voted, live.results_visible
    lang = str(session.state.get("lang") or "de")
    if _has_question(template, "votes") and not frame.empty and "votes" in frame.columns:
        labels = _vote_labels(template, frame, lang)
        totals = tally_votes(frame, "votes", labels)
        voters = int(
            frame["votes"]
            .map(lambda v: isinstance(v, dict) and any(str(k) in labels for k in v))
            .sum()
        )
        rows = [(str(r["label"]), int(r["points"])) for r in totals.to_dict("records")]
        return rows, voters, True
    if template.phases:
        draft = DraftStore.for_store(store).load(
            board_draft_key(template.id, session.pilot, session.loop)
        )
        dots = (draft.answers.get("dots") if draft is not None else None) or {}
        if isinstance(dots, dict):
            rows = [(str(k), int(v)) for k, v in dots.items() if isinstance(v, int) and v > 0]
            rows.sort(key=lambda r: (-r[1], r[0]))
            return rows, 0, True
    return [], 0, True


def projector_content(
    store: Store, session: LiveSession, *, base_url: str, template: Template | None = None
) -> dict[str, JSONValue]:
    """What the projector shows now (JSON-ready; no secret, no participant code).

    Keys: ``room``, ``version``, ``slide``, ``lang``, ``title``, ``heading``
    (phase or step), ``prompts`` (the questions asked), ``intro``, ``cards``
    (the newest :data:`MAX_CARDS` inputs' texts), ``card_count``, ``results``
    (``rows`` of ``[label, points]``, ``voters``, ``revealed``), ``timer``
    (``left`` and ``total`` seconds, or ``None``), ``joined``, ``submitted``,
    ``join`` (``short``: the address on the wall, ``url``: the QR code's).
    :func:`room_content` (what depends on the answers and the phase) and
    :func:`with_session_state` (slide, timer, reveal) together.
    """
    content = room_content(store, session, base_url=base_url, template=template)
    return with_session_state(content, session)


def room_content(
    store: Store, session: LiveSession, *, base_url: str, template: Template | None = None
) -> dict[str, JSONValue]:
    """The part of :func:`projector_content` read from the answers: it depends on the
    session's phase and language only (the projector page's server caches it per phase)."""
    from transferkit.live.board import collect_inputs
    from transferkit.live.closing import participant_count
    from transferkit.templates.access import load_visitor_template

    template = template or load_visitor_template(session.template)
    lang = str(session.state.get("lang") or "de")
    phase = _phase(template, session)
    frame = store.responses(template=template, pilot=session.pilot, loop=session.loop)
    if phase is not None:
        part = frame[frame["phase"] == phase.id] if not frame.empty else frame
        asked = phase_questions(phase)
        heading = str(phase.title.get(lang))
        intro = str(phase.intro.get(lang)) if phase.intro is not None else ""
        labels = {q.id: str(q.label.get(lang)) for q in phase.questions}
    else:
        part = frame
        step = _step(session)
        asked = ["ideas"] if step == "ideas" and _has_question(template, "ideas") else []
        if step == "votes":
            asked = ["votes"]
        heading = text(f"projector.step_{step}", lang)
        intro = ""
        labels = {q.id: str(q.label.get(lang)) for q in template.all_questions()}
    prompts = [labels.get(q, q) for q in asked]
    card_questions = [q for q in asked if q != "votes"] or (
        ["ideas"] if _has_question(template, "ideas") else []
    )
    if phase is None and card_questions == ["ideas"]:  # the round table: each idea once
        from transferkit.sheets.ideas import extract_ideas

        cards = [str(t) for t in extract_ideas(part, "ideas")["text"].tolist()]
    else:
        cards = [item.text for item in collect_inputs(part, card_questions)]
    rows, voters, visible = vote_totals(store, template, session, frame)
    count = participant_count(
        store, template, pilot=session.pilot, loop=session.loop, drafts=DraftStore.for_store(store)
    )
    title = str(template.title.get(lang))
    if session.loop is not None:
        title += f" · {text('projector.loop', lang, loop=session.loop)}"
    return {
        "lang": lang,
        "title": title,
        "heading": heading,
        "intro": intro,
        "prompts": list(prompts),
        "cards": list(cards[-MAX_CARDS:]),
        "card_count": len(cards),
        "results": {
            "rows": [[label, points] for label, points in rows[:MAX_RESULTS]],
            "voters": voters,
            "visible": visible,  # False: a vote from phones hidden until revealed
        },
        "joined": count["joined"],
        "submitted": count["submitted"],
        "join": {
            "short": short_address(base_url, session.room),
            "url": short_url(base_url, session.room),
        },
    }


def with_session_state(content: dict[str, JSONValue], session: LiveSession) -> dict[str, JSONValue]:
    """``content`` (:func:`room_content`) with the moderator's state: room, version, slide,
    timer (seconds left now), and the results only if revealed (else turnout only)."""
    results = content.get("results")
    visible = results.get("visible", True) if isinstance(results, dict) else True
    revealed = bool(session.state.get("reveal", True)) and bool(visible)
    end, total = session.state.get("timer_end"), session.state.get("timer_total")
    timer: dict[str, JSONValue] | None = None
    if isinstance(end, int | float):
        timer = {
            "left": max(0, round(end - time.time())),
            "total": int(total) if isinstance(total, int | float) else None,
        }
    rows = results.get("rows", []) if isinstance(results, dict) else []
    voters = results.get("voters", 0) if isinstance(results, dict) else 0
    return {
        "room": session.room,
        "version": session.version,
        "slide": str(session.state.get("slide") or "join"),
        **content,
        "results": {"rows": rows if revealed else [], "voters": voters, "revealed": revealed},
        "timer": timer,
    }


def participant_link(template: Template, session: LiveSession, base_url: str) -> str:
    """The participants' sheet link the join address forwards to (without any secret)."""
    return sheet_url(base_url, join_request(template, session))


_V = TypeVar("_V")


@dataclass
class _Entry:
    made: float
    value: object
    lock: threading.Lock


class SharedSnapshot(Generic[_V]):
    """A value per key, built at most once per ``ttl`` seconds however many ask for it.

    ``get(key, build)`` returns the cached value if it is younger than ``ttl``;
    otherwise one caller builds it (``build()``) while the others asking for the
    same key wait for that build and take its result. ``builds`` counts the
    builds (tests, benchmarks). At most ``max_keys`` keys are kept.

    >>> calls = []
    >>> snap: SharedSnapshot[int] = SharedSnapshot(ttl=60)
    >>> snap.get("K7M4QX", lambda: calls.append(1) or len(calls)), snap.get("K7M4QX", lambda: 99)
    (1, 1)
    """

    def __init__(self, ttl: float = 0.5, *, max_keys: int = 256) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self.builds = 0
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], _V]) -> _V:
        """The value for ``key``: cached, or built now by one caller (exceptions propagate)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                if len(self._entries) >= self.max_keys:
                    oldest = min(self._entries, key=lambda k: self._entries[k].made)
                    del self._entries[oldest]
                entry = _Entry(made=-1e18, value=None, lock=threading.Lock())
                self._entries[key] = entry
        if time.monotonic() - entry.made < self.ttl:
            return cast("_V", entry.value)
        with entry.lock:  # one build at a time per key; the others wait and reuse it
            if time.monotonic() - entry.made < self.ttl:
                return cast("_V", entry.value)
            value = build()
            with self._lock:
                self.builds += 1
            entry.value, entry.made = value, time.monotonic()
            return value

    def forget(self, key: str) -> None:
        """Drop ``key`` (its next ``get`` builds anew)."""
        with self._lock:
            self._entries.pop(key, None)
