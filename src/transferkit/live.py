"""Moderator logic for live workshops, without widgets.

Everything the reflection-loop and round-table screens show is computed
here from the store, so it is tested without a browser:

- :class:`LiveFeed` polls the store for new responses (live input);
- :func:`collect_inputs` turns text answers into anonymous input cards,
  :class:`Board` groups them and records dots per group;
- :func:`extract_ideas` / :func:`idea_id` / :func:`tally_votes` run a dot vote
  over options or over participants' ideas;
- :func:`open_items` / :func:`resolve_item` carry action items over from the
  previous loop (done / carried over / dropped);
- :func:`loop_indicators` and :func:`close_loop` close a loop (key figures
  stored with ``Store.close_loop``); :func:`make_protocol` runs the
  ``loop_protocol`` report for it, or falls back to :func:`protocol_html`;
- :func:`participant_count` counts who joined and who submitted.

Examples
--------
>>> import pandas as pd
>>> votes = pd.DataFrame({"votes": [{"a": 2, "b": 1}, {"a": 1}, None]})
>>> tally_votes(votes, "votes")[["option", "points", "voters"]].to_dict("records")
[{'option': 'a', 'points': 3, 'voters': 2}, {'option': 'b', 'points': 1, 'voters': 1}]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exceptions import StoreError

if TYPE_CHECKING:  # pandas is imported where a frame is built, not by the sheet page
    import pandas as pd

__all__ = [
    "DECISIONS",
    "Board",
    "InputItem",
    "LiveFeed",
    "LoopSummary",
    "ProtocolResult",
    "Ticker",
    "close_loop",
    "collect_inputs",
    "extract_ideas",
    "group_dots",
    "idea_id",
    "ideas_provider_for",
    "loop_indicators",
    "make_protocol",
    "open_items",
    "participant_count",
    "protocol_dir",
    "protocol_html",
    "resolve_item",
    "tally_votes",
]

log = logging.getLogger(__name__)

#: Decisions on an action item of the previous loop.
DECISIONS = ("done", "carried_over", "dropped")


# --------------------------------------------------------------------------- polling
class LiveFeed:
    """New responses since the last poll, for one template / pilot / loop (/ phase)."""

    def __init__(
        self,
        store: Any,
        template: Any = None,
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


# --------------------------------------------------------------------------- inputs
@dataclass
class InputItem:
    """One text input of a participant (anonymous: no code shown)."""

    item_id: str
    question: str
    text: str
    response_id: int
    phase: str | None = None
    participant: str | None = None


def _texts(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    return [text] if text else []


def collect_inputs(responses: pd.DataFrame, questions: Sequence[str]) -> list[InputItem]:
    """Text answers to ``questions`` as input cards, oldest first.

    Long texts are split into one card per non-empty line.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"response_id": [1, 2], "phase": ["information", "information"],
    ...                    "participant": ["A", "B"], "learned": ["Kanban\\nWIP limits", ""]})
    >>> [i.text for i in collect_inputs(df, ["learned"])]
    ['Kanban', 'WIP limits']
    """
    items: list[InputItem] = []
    if responses.empty:
        return items
    for row in responses.to_dict("records"):
        for question in questions:
            if question not in row:
                continue
            for n, text in enumerate(_lines(row[question])):
                items.append(
                    InputItem(
                        item_id=f"r{int(row['response_id'])}-{question}-{n}",
                        question=question,
                        text=text,
                        response_id=int(row["response_id"]),
                        phase=row.get("phase") if isinstance(row.get("phase"), str) else None,
                        participant=row.get("participant")
                        if isinstance(row.get("participant"), str)
                        else None,
                    )
                )
    return items


def _lines(value: Any) -> list[str]:
    out: list[str] = []
    for text in _texts(value):
        out += [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]
    return out


@dataclass
class Board:
    """Input cards, the moderator's groups of them, and dots per group.

    >>> b = Board()
    >>> b.add([InputItem("x1", "worked", "Kanban board", 1), InputItem("x2", "worked", "Stand-up", 2)])
    2
    >>> b.group("Visualisierung", ["x1"])
    >>> b.add_dots("Visualisierung", 3)
    >>> [(g, [i.text for i in items]) for g, items in b.groups().items()]
    [('Visualisierung', ['Kanban board']), ('', ['Stand-up'])]
    >>> b.ranking()
    [('Visualisierung', 3)]
    """

    items: dict[str, InputItem] = field(default_factory=dict)
    assignment: dict[str, str] = field(default_factory=dict)
    dots: dict[str, int] = field(default_factory=dict)
    group_order: list[str] = field(default_factory=list)

    def add(self, items: Iterable[InputItem]) -> int:
        """Add cards not seen before; return how many were new."""
        n = 0
        for item in items:
            if item.item_id not in self.items:
                self.items[item.item_id] = item
                n += 1
        return n

    def group(self, name: str, item_ids: Iterable[str]) -> None:
        """Put cards into group ``name`` (created if new); an empty name ungroups them."""
        name = name.strip()
        if name and name not in self.group_order:
            self.group_order.append(name)
        for item_id in item_ids:
            if item_id not in self.items:
                msg = f"unknown input card {item_id!r}"
                raise KeyError(msg)
            if name:
                self.assignment[item_id] = name
            else:
                self.assignment.pop(item_id, None)

    def groups(self) -> dict[str, list[InputItem]]:
        """Groups in creation order, then ungrouped cards under ``""``."""
        out: dict[str, list[InputItem]] = {name: [] for name in self.group_order}
        loose: list[InputItem] = []
        for item_id, item in self.items.items():
            name = self.assignment.get(item_id)
            if name:
                out.setdefault(name, []).append(item)
            else:
                loose.append(item)
        out = {k: v for k, v in out.items() if v}
        if loose:
            out[""] = loose
        return out

    def add_dots(self, target: str, n: int = 1) -> None:
        """Give ``n`` dots (negative: take away) to a group or a loose card id."""
        self.dots[target] = max(0, self.dots.get(target, 0) + int(n))

    def ranking(self) -> list[tuple[str, int]]:
        """(group or card, dots), most dots first, only those with dots."""
        ranked = [(k, v) for k, v in self.dots.items() if v > 0]
        return sorted(ranked, key=lambda kv: (-kv[1], kv[0]))

    def label(self, target: str) -> str:
        """A group name as is; a card id as its text."""
        item = self.items.get(target)
        return item.text if item is not None else target

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for the protocol and the loop log)."""
        return {
            "groups": {
                (name or "—"): [i.text for i in items] for name, items in self.groups().items()
            },
            "dots": [{"target": self.label(k), "dots": v} for k, v in self.ranking()],
        }


# --------------------------------------------------------------------------- ideas & votes
def idea_id(text: str) -> str:
    """A stable id for an idea text (same text → same id, case and spaces ignored).

    >>> idea_id("Mehr  Schulungen") == idea_id("mehr schulungen")
    True
    >>> idea_id("x")
    'i_11f6ad8e'
    """
    norm = " ".join(str(text).lower().split())
    return "i_" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:8]


def extract_ideas(responses: pd.DataFrame, question: str = "ideas") -> pd.DataFrame:
    """Ideas (one per line of the ``question`` answers), deduplicated, first seen first.

    Columns: ``idea_id``, ``text``, ``count`` (how many participants wrote it).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"response_id": [1, 2], "ideas": ["A\\nB", "a"]})
    >>> extract_ideas(df)[["text", "count"]].to_dict("records")
    [{'text': 'A', 'count': 2}, {'text': 'B', 'count': 1}]
    """
    import pandas as pd

    seen: dict[str, dict[str, Any]] = {}
    if not responses.empty and question in responses.columns:
        for value in responses[question].tolist():
            for text in dict.fromkeys(_lines(value)):
                key = idea_id(text)
                if key in seen:
                    seen[key]["count"] += 1
                else:
                    seen[key] = {"idea_id": key, "text": text, "count": 1}
    return pd.DataFrame(list(seen.values()), columns=["idea_id", "text", "count"])


def tally_votes(
    responses: pd.DataFrame, question: str = "votes", labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """Dot-vote totals: ``option``, ``label``, ``points``, ``voters``; most points first.

    ``labels`` maps option values or idea ids to the text shown. With
    ``labels``, only its keys are counted: a vote key is free text from a
    participant's request, so a key that is no existing idea or option is
    ignored (and logged once), never shown on the projector. Without
    ``labels`` every key counts and is its own label.

    >>> import pandas as pd
    >>> votes = pd.DataFrame({"votes": [{"i_1": 2, "<b>x</b>": 5}, {"i_1": 1}]})
    >>> tally_votes(votes, "votes", {"i_1": "Lernpaten"})[["label", "points"]].to_dict("records")
    [{'label': 'Lernpaten', 'points': 3}]
    """
    import pandas as pd

    points: dict[str, int] = {}
    voters: dict[str, int] = {}
    if not responses.empty and question in responses.columns:
        for value in responses[question].tolist():
            if not isinstance(value, dict):
                continue
            for key, n in value.items():
                if isinstance(n, bool):
                    continue
                try:
                    given = int(n)
                except (TypeError, ValueError, OverflowError):
                    continue
                if given <= 0:
                    continue
                if labels is not None and str(key) not in labels:
                    _log_unknown_vote(question, str(key))
                    continue
                points[str(key)] = points.get(str(key), 0) + given
                voters[str(key)] = voters.get(str(key), 0) + 1
    rows = [
        {
            "option": key,
            "label": (labels or {}).get(key, key),
            "points": points[key],
            "voters": voters[key],
        }
        for key in points
    ]
    frame = pd.DataFrame(rows, columns=["option", "label", "points", "voters"])
    if frame.empty:
        return frame
    frame = frame.sort_values(["points", "option"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


_UNKNOWN_VOTES: set[tuple[str, str]] = set()


def _log_unknown_vote(question: str, key: str) -> None:
    """Log a vote key that is no idea or option, once per key (the screens tally every second)."""
    if (question, key) in _UNKNOWN_VOTES:
        return
    if len(_UNKNOWN_VOTES) < 10_000:
        _UNKNOWN_VOTES.add((question, key))
    log.warning("dot vote %s: ignored a key that is no idea or option: %r", question, key[:100])


def _dot_vote_question(template: Any) -> Any:
    for q in template.all_questions():
        if q.type == "dot_vote" and getattr(q, "source", "options") == "ideas":
            return q
    return None


def _ideas_question(template: Any, vote: Any) -> str:
    if getattr(vote, "ideas_from", None):
        return str(vote.ideas_from)
    for q in template.all_questions():
        if q.id == "ideas":
            return "ideas"
    for q in template.all_questions():
        if q.type == "long_text":
            return str(q.id)
    return "ideas"


def ideas_provider_for(
    store: Any, template: Any, request: Any
) -> Callable[[Any], list[tuple[str, str]]] | None:
    """For a template with a dot vote over ideas: a function giving the current ideas.

    The ideas are read from the store (same template, pilot and loop); the
    function returns ``(idea_id, text)`` pairs. ``None`` if no such vote.
    """
    vote = _dot_vote_question(template)
    if vote is None:
        return None
    question = _ideas_question(template, vote)

    def provider(_question: Any) -> list[tuple[str, str]]:
        responses = store.responses(template=template, pilot=request.pilot, loop=request.loop)
        ideas = extract_ideas(responses, question)
        return [(r["idea_id"], r["text"]) for r in ideas.to_dict("records")]

    return provider


# --------------------------------------------------------------------------- action items
def open_items(store: Any, pilot: str, loop: int | None) -> pd.DataFrame:
    """Action items of ``pilot`` raised before ``loop`` and still open or carried over."""
    import pandas as pd

    items = store.action_items(pilot)
    if items.empty:
        return items
    mask = items["status"].isin(["open", "carried_over"])
    if loop is not None:
        raised = pd.to_numeric(items["loop_raised"], errors="coerce")
        mask &= raised.isna() | (raised < loop)
    return items[mask].reset_index(drop=True)


def resolve_item(store: Any, item_id: int, decision: str, loop: int | None) -> None:
    """Record the decision on an earlier item in ``loop``: done, carried_over or dropped."""
    if decision not in DECISIONS:
        msg = f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}"
        raise StoreError(msg)
    closed = loop if decision in ("done", "dropped") else None
    store.update_action_item(int(item_id), decision, loop_closed=closed)


# --------------------------------------------------------------------------- counting
def participant_count(
    store: Any,
    template: Any,
    *,
    pilot: str | None = None,
    loop: int | None = None,
    phase: str | None = None,
    drafts: Any = None,
) -> dict[str, int]:
    """``{"joined": n, "submitted": m}``: codes with a draft or a response, and with a response."""
    template_id = template if isinstance(template, str) else template.id
    responses = store.responses(template=template, pilot=pilot, loop=loop, phase=phase)
    codes = set()
    if not responses.empty:
        codes = {c for c in responses["participant"].tolist() if isinstance(c, str)}
        anonymous = int(responses["participant"].isna().sum())
    else:
        anonymous = 0
    submitted = len(codes) + anonymous
    joined = submitted
    if drafts is not None:
        joined = max(
            submitted,
            drafts.count(template_id, pilot=pilot, loop=loop, phase=phase) + anonymous,
        )
    return {"joined": joined, "submitted": submitted}


# --------------------------------------------------------------------------- closing a loop
def loop_indicators(
    store: Any, pilot: str, loop: int, template: Any = "reflection_loop"
) -> dict[str, Any]:
    """Key figures of one loop, computed now: participants, sheets, mean ratings, action items.

    The same figures the ``loop_protocol`` and pilot reports show
    (:func:`transferkit.report_data.loop_indicators`); missing means are ``None``.
    """
    from transferkit.report_data import loop_indicators as figures
    from transferkit.report_data import plain

    frame = figures(store, pilot, [loop], template=template)
    row = frame[frame["loop"] == loop].to_dict("records")[0]  # keeps whole numbers int
    return {"pilot": pilot, "loop": loop,
            **{str(k): plain(v) for k, v in row.items() if k != "loop"}}


@dataclass
class LoopSummary:
    """What a closed loop leaves behind: indicators, board, decisions, new items."""

    pilot: str
    loop: int
    indicators: dict[str, Any]
    board: dict[str, Any] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    new_items: list[dict[str, Any]] = field(default_factory=list)
    closed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    template: str = "reflection_loop"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "pilot": self.pilot,
            "loop": self.loop,
            "template": self.template,
            "indicators": self.indicators,
            "board": self.board,
            "decisions": self.decisions,
            "new_items": self.new_items,
            "closed_at": self.closed_at.isoformat(),
        }


def group_dots(board: Board | None) -> list[tuple[str, int]]:
    """The board's dots on named groups, most first (dots on single cards are left out:
    their label would be a participant's own words)."""
    if board is None:
        return []
    return [(name, dots) for name, dots in board.ranking() if name not in board.items]


def close_loop(
    store: Any,
    pilot: str,
    loop: int,
    *,
    decisions: dict[int, str] | None = None,
    new_items: Sequence[dict[str, Any]] = (),
    board: Board | None = None,
    template: Any = "reflection_loop",
) -> LoopSummary:
    """Close loop ``loop`` of ``pilot``.

    Applies the decisions on earlier items (items without a decision are
    carried over), stores the new action items (``what``, ``who``, ``due``),
    computes the key figures (:func:`loop_indicators`) and records them with
    the groups' dots through ``store.close_loop`` (table ``loop_closings``).
    """
    decisions = dict(decisions or {})
    applied: list[dict[str, Any]] = []
    earlier = open_items(store, pilot, loop)
    for row in earlier.to_dict("records"):
        item_id = int(row["item_id"])
        decision = decisions.get(item_id, "carried_over")
        resolve_item(store, item_id, decision, loop)
        applied.append({"item_id": item_id, "what": row["what"], "decision": decision})
    added: list[dict[str, Any]] = []
    for item in new_items:
        what = str(item.get("what") or "").strip()
        if not what:
            continue
        owner = item.get("who") or item.get("owner") or None
        due = item.get("due") or None
        item_id = store.add_action_item(pilot, loop, what, owner=owner, due=due, status="open")
        added.append({"item_id": item_id, "what": what, "who": owner, "due": due})
    template_id = str(getattr(template, "id", template))
    summary = LoopSummary(
        pilot=pilot,
        loop=loop,
        indicators=loop_indicators(store, pilot, loop, template),
        board=board.as_dict() if board is not None else {},
        decisions=applied,
        new_items=added,
        template=template_id,
    )
    store.close_loop(pilot, loop, summary.indicators, dots=group_dots(board),
                     template=template_id, closed_at=summary.closed_at)
    return summary


# --------------------------------------------------------------------------- the protocol
@dataclass
class ProtocolResult:
    """The protocol of a closed loop: the ``loop_protocol`` report, or the printable summary.

    ``ok`` is true when the report was made (``path`` is its HTML file);
    otherwise ``error`` says why and ``page`` is :func:`protocol_html`.
    """

    ok: bool
    page: str
    path: Path | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def filename(self) -> str:
        """A file name for downloading ``page``."""
        return self.path.name if self.path is not None else "protocol.html"


def protocol_dir(store: Any) -> Path:
    """Where loop protocols are written: ``$TRANSFERKIT_REPORTS``, else ``reports/`` beside
    the SQLite file, else ``reports/`` in the current folder."""
    env = os.environ.get("TRANSFERKIT_REPORTS")
    if env:
        return Path(env)
    database = _sqlite_file(store)
    if database is not None:
        return database.parent / "reports"
    return Path.cwd() / "reports"


def _sqlite_file(store: Any) -> Path | None:
    url = getattr(store, "url", None)
    if url is None or url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).resolve()


def _report_db(store: Any) -> str:
    """The store's URL for a report kernel (another process); StoreError if it cannot see it."""
    url = getattr(store, "url", None)
    if url is None:
        msg = "the store has no URL"
        raise StoreError(msg)
    if url.get_backend_name() == "sqlite":
        database = _sqlite_file(store)
        if database is None:
            msg = "an in-memory SQLite database cannot be read by the report's own kernel"
            raise StoreError(msg)
        url = url.set(database=str(database))
    return str(url.render_as_string(hide_password=False))


def make_protocol(
    store: Any,
    summary: LoopSummary,
    lang: str = "de",
    out_dir: str | os.PathLike[str] | None = None,
    *,
    timeout: int = 300,
) -> ProtocolResult:
    """The protocol of a closed loop; never raises.

    Runs the ``loop_protocol`` report (:func:`transferkit.reports.run_report`,
    a notebook kernel: a few seconds) for the summary's pilot and loop into
    ``out_dir`` (default :func:`protocol_dir`). When that fails, the result
    carries the reason and the printable :func:`protocol_html` instead.
    """
    start = time.perf_counter()
    try:
        from transferkit.reports import run_report

        params = {"db": _report_db(store), "lang": lang, "pilot_id": summary.pilot,
                  "loop": int(summary.loop)}
        folder = Path(out_dir) if out_dir is not None else protocol_dir(store)
        result = run_report("protocol", params, folder, store=store, timeout=timeout)
        if result.html is None:  # pragma: no cover - run_report raises instead
            msg = "the report wrote no HTML file"
            raise StoreError(msg)
        page = result.html.read_text(encoding="utf-8")
        path: Path | None = result.html
        ok, error = True, ""
    except Exception as exc:  # noqa: BLE001 - any failure: the printable summary instead
        log.warning("loop protocol report failed: %s", exc)
        page, path, ok = protocol_html(summary, lang), None, False
        error = str(exc) or type(exc).__name__
    return ProtocolResult(ok=ok, page=page, path=path, error=error,
                          seconds=time.perf_counter() - start)


_INDICATOR_LABELS = {
    "de": {"participants": "Teilnehmende", "responses": "ausgefüllte Bögen",
           "items_carried_in": "offene Maßnahmen aus früheren Schleifen",
           "items_new": "neue Maßnahmen", "items_done": "erledigt",
           "items_dropped": "verworfen", "items_open": "danach noch offen",
           "rating": "Bewertung (1–5)"},
    "en": {"participants": "Participants", "responses": "Sheets filled in",
           "items_carried_in": "Open items from earlier loops", "items_new": "New action items",
           "items_done": "Done", "items_dropped": "Dropped", "items_open": "Still open afterwards",
           "rating": "Rating (1–5)"},
}


def _question_labels(template: str, lang: str) -> dict[str, str]:
    """Question id -> label of a template (empty when it cannot be loaded)."""
    try:
        from transferkit.templates import load_template

        return {q.id: q.label.get(lang) for q in load_template(template).all_questions()}
    except Exception:  # noqa: BLE001 - the printable summary must not fail on a label
        return {}


def _indicator_rows(
    indicators: dict[str, Any], lang: str, questions: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows of a loop's key figures for the printable protocol."""
    labels = _INDICATOR_LABELS["en" if lang == "en" else "de"]
    questions = questions or {}
    rows: list[tuple[str, str]] = []
    for key, value in indicators.items():
        if key in labels:
            rows.append((labels[key], "–" if value is None else str(value)))
        elif key.endswith("_mean"):
            name = key.removesuffix("_mean")
            n = indicators.get(f"{name}_n")
            mean = "–" if value is None else f"{float(value):.1f}"
            rows.append((f"{labels['rating']}: {questions.get(name, name)}", f"{mean} (n = {n})"))
    return rows


def protocol_html(summary: LoopSummary, lang: str = "de", title: str | None = None) -> str:
    """A printable, self-contained HTML summary of a closed loop.

    The fallback when the ``loop_protocol`` report cannot be made
    (:func:`make_protocol`); it shows what the moderator just did: key
    figures, decisions on earlier items, groups and dots, new action items.
    """
    from transferkit.report_data import status_label

    de = lang != "en"
    e = html.escape
    heading = title or (
        f"Protokoll Reflexionsschleife {summary.loop} – Pilot {summary.pilot}"
        if de
        else f"Protocol of reflection loop {summary.loop} – pilot {summary.pilot}"
    )
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{e(heading)}</title>",
        ("<style>body{font-family:sans-serif;max-width:800px;margin:2em auto;}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
        "@media print{body{margin:0}}</style></head><body>"),
        f"<h1>{e(heading)}</h1>",
        f"<p>{'Abgeschlossen' if de else 'Closed'}: {e(summary.closed_at.strftime('%Y-%m-%d %H:%M'))} UTC</p>",
        f"<h2>{'Kennzahlen' if de else 'Indicators'}</h2><table>",
    ]
    parts += [f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>"
              for label, value in _indicator_rows(
                  summary.indicators, lang, _question_labels(summary.template, lang))]
    parts.append("</table>")
    parts.append(f"<h2>{'Maßnahmen der letzten Schleife' if de else 'Action items of the last loop'}</h2>")
    if summary.decisions:
        parts.append("<ul>")
        parts += [
            f"<li>{e(str(d['what']))}: <b>{e(status_label(d['decision'], 'de' if de else 'en'))}</b></li>"
            for d in summary.decisions
        ]
        parts.append("</ul>")
    else:
        parts.append("<p>–</p>")
    board = summary.board or {}
    if board.get("groups"):
        parts.append(f"<h2>{'Beiträge' if de else 'Inputs'}</h2>")
        for name, texts in board["groups"].items():
            parts.append(f"<h3>{e(str(name))}</h3><ul>")
            parts += [f"<li>{e(str(t))}</li>" for t in texts]
            parts.append("</ul>")
    if board.get("dots"):
        parts.append(f"<h2>{'Punktabfrage' if de else 'Dot vote'}</h2><ol>")
        parts += [f"<li>{e(str(d['target']))}: {e(str(d['dots']))}</li>" for d in board["dots"]]
        parts.append("</ol>")
    parts.append(f"<h2>{'Neue Maßnahmen' if de else 'New action items'}</h2>")
    if summary.new_items:
        parts.append(
            "<table><tr><th>"
            + ("</th><th>".join(["Was", "Wer", "Bis"] if de else ["What", "Who", "Due"]))
            + "</th></tr>"
        )
        parts += [
            f"<tr><td>{e(str(i['what']))}</td><td>{e(str(i.get('who') or '–'))}</td>"
            f"<td>{e(str(i.get('due') or '–'))}</td></tr>"
            for i in summary.new_items
        ]
        parts.append("</table>")
    else:
        parts.append("<p>–</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def slug(text: str) -> str:
    """A filename-safe version of ``text``.

    >>> slug("P01 loop 2")
    'P01_loop_2'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")
