"""Moderator screens (widgets): round table and reflection loop.

Thin widget layers over :mod:`transferkit.live`; the notebooks
``workshops/round_table.ipynb`` and ``workshops/reflection_loop.ipynb`` call
:func:`round_table_app` and :func:`reflection_loop_app`. Both refresh live
from the store every ``interval`` seconds (a :class:`~transferkit.live.Ticker`
in the kernel's event loop). Every HTML fragment the widgets show is a macro of
``templates/screens.html.j2`` (autoescape: participants' texts stay text).

CSS classes for tests: ``tk-counter``, ``tk-idea-wall``, ``tk-vote-results``
(rows ``tk-vote-row`` with ``data-option`` and a ``tk-vote-points`` cell),
``tk-join``, ``tk-cards`` / ``tk-card`` (a ``tk-card-check`` box and ``tk-card-text``, under
``tk-card-question`` headings), ``tk-earlier-items``, ``tk-suggestions``, ``tk-group-name``, ``tk-group-button``,
``tk-decision``, ``tk-close-loop``, ``tk-protocol`` (inside: ``tk-protocol-status`` while the
report is made, then ``tk-protocol-link`` and ``tk-protocol-path``, or ``tk-error`` and the
printable summary), ``tk-timer-*``.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
from markupsafe import Markup

from transferkit import pages
from transferkit.exceptions import ParameterError, StoreError, TransferkitError
from transferkit.i18n import both, text
from transferkit.live import (
    DECISIONS,
    Board,
    LiveFeed,
    ProtocolResult,
    Ticker,
    close_loop,
    collect_inputs,
    extract_ideas,
    make_protocol,
    open_items,
    participant_count,
    tally_votes,
    votes,
)
from transferkit.live.projector import BOARD_OWNER, ROUND_TABLE_STEPS, board_draft_key
from transferkit.live.projector_controls import make_controls
from transferkit.live.vote_panel import VotePanel
from transferkit.localtime import format_local
from transferkit.sheets.feedback import BAR_CSS, bars_html
from transferkit.sheets.query import SheetRequest, get_query_string, parse_query, sheet_url
from transferkit.store.drafts import DraftKey, DraftStore
from transferkit.vocabulary import PHASE_RATINGS, PHASE_TEXTS, STATUS_LABELS

if TYPE_CHECKING:
    from IPython.display import HTML

    from transferkit.live import InputItem, LoopSummary
    from transferkit.store import Store
    from transferkit.store.values import Row
    from transferkit.templates import Phase, Template

__all__ = [
    "BOARD_OWNER",
    "PAGE_CSS",
    "ReflectionLoopScreen",
    "RoundTableScreen",
    "error_box",
    "page_style",
    "public_base_url",
    "qr_svg",
    "reflection_loop_app",
    "round_table_app",
    "warm_up",
    "with_token",
]

log = logging.getLogger(__name__)


def _html(macro: str, /, *values: Any) -> str:
    """The macro ``macro`` of ``templates/screens.html.j2`` called with ``values``: escaped HTML.

    >>> _html("bold", "<Lernpaten & Co>")
    '<b>&lt;Lernpaten &amp; Co&gt;</b>'
    """
    return str(
        getattr(pages.template("transferkit.live", "screens.html.j2").module, macro)(*values)
    )


def warm_up() -> None:
    """Import what the screens need."""
    import segno  # noqa: F401

    import transferkit.store
    import transferkit.templates  # noqa: F401


def public_base_url() -> str:
    """Base URL participants use: ``$TRANSFERKIT_PUBLIC_URL`` (set by ``transferkit serve``) or Voilà's address."""
    url = os.environ.get("TRANSFERKIT_PUBLIC_URL")
    if url:
        return url if url.endswith("/") else url + "/"
    host = os.environ.get("SERVER_NAME") or os.environ.get("VOILA_APP_IP") or "127.0.0.1"
    port = os.environ.get("SERVER_PORT") or os.environ.get("VOILA_APP_PORT") or "8866"
    return f"http://{host}:{port}/"


def with_token(url: str) -> str:
    """``url`` with ``token=$TRANSFERKIT_TOKEN`` added when the server requires a token.

    ``transferkit serve --token`` passes the token to the kernels; the join
    links and QR codes on the moderator screens must carry it, or participants
    would land on a login page.
    """
    token = os.environ.get("TRANSFERKIT_TOKEN")
    if not token or "token=" in url:
        return url
    from urllib.parse import quote

    return url + ("&" if "?" in url else "?") + "token=" + quote(token, safe="")


#: Phone-friendly styles of the moderator screens (Voilà pages; the web sheet has its own ``sheet.css``).
PAGE_CSS = (
    """
.tk-sheet, .tk-app { max-width: 720px; width: 100%; margin: 0 auto; box-sizing: border-box; }
.tk-app-wide { max-width: 1200px; width: 100%; margin: 0 auto; }
.tk-question { border-bottom: 1px solid #e5e5e5; padding: 8px 0 12px 0; width: 100%; }
.tk-label { font-weight: 600; font-size: 1.05em; line-height: 1.35; }
.tk-help { color: #555; font-size: 0.92em; }
.tk-required { color: #b00020; }
.tk-error { color: #b00020; font-weight: 600; }
.tk-error-summary { color: #b00020; background: #fdecea; padding: 6px 10px; border-radius: 4px; }
.tk-confirm { color: #1b5e20; background: #e8f5e9; padding: 8px 12px; border-radius: 4px; }
.tk-page-error { color: #b00020; background: #fdecea; padding: 12px; border-radius: 4px; }
.tk-question .widget-radio-box label { white-space: normal; line-height: 1.3; padding: 3px 0; }
.tk-question .widget-toggle-buttons .widget-toggle-button { min-width: 2.6em; margin: 2px; }
.tk-question .widget-toggle-buttons { flex-wrap: wrap; }
.tk-question input, .tk-question textarea, .tk-question select { font-size: 16px; }
.tk-submit button, button.tk-submit { font-size: 1.1em; }
.tk-row { flex-wrap: wrap; }
.tk-results-table th, .tk-results-table td { padding: 4px 18px 4px 0; text-align: left; }
.tk-results-table td + td, .tk-results-table th + th { text-align: right; }
@media (max-width: 600px) {
  body { font-size: 16px; }
  .jp-OutputArea-output, .jp-Cell { padding: 0 !important; }
}
"""
    + BAR_CSS
)


def page_style() -> HTML:
    """An ``IPython.display.HTML`` with :data:`PAGE_CSS`, to display once per app."""
    from IPython.display import HTML

    return HTML(_html("style", Markup(PAGE_CSS)))  # the package's own CSS


def error_box(message: str, lang: str = "de") -> w.Widget:
    """A friendly error panel (class ``tk-page-error``) for a broken link or store."""
    title = text("sheet.page_error_title", lang)
    box = w.HTML(_html("page_error", title, message.split("\n")), layout=w.Layout(width="100%"))
    box.add_class("tk-page-error")
    return box


def qr_svg(url: str, scale: int = 4) -> str:
    """An inline SVG QR code of ``url``."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=scale))


def _join_box(title: str, url: str, scale: int = 4) -> w.Widget:
    """Title, link and QR code; a larger ``scale`` (7: ~340 px) for a join screen on a projector."""
    box = w.HTML(
        _html("join_box", title, url, Markup(qr_svg(url, scale))),  # segno's own SVG of our URL
        layout=w.Layout(flex="1 1 0", min_width="320px"),
    )
    box.add_class("tk-join")
    return box


def _sheet_template(request: SheetRequest, template: Template) -> str:
    """The ``sheet=`` of the participants' join links: a built-in id, or the same custom file name.

    A custom template's id is no name the web sheet can find; its file name
    (checked by the same :func:`~transferkit.templates.access.load_visitor_template`) is.
    """
    return (
        str(request.template)
        if request.template and request.template != template.id
        else str(template.id)
    )


class _Screen:
    """Common parts: store, request, drafts, ticker."""

    def __init__(self, store: Store, request: SheetRequest, *, interval: float = 1.5) -> None:
        if request.pilot is None:
            msg = both("link.needs_pilot")
            raise ParameterError(msg)
        self.store = store
        self.request = request
        self.lang = request.lang
        self.drafts = DraftStore.for_store(store)
        self.ticker = Ticker(self.safe_refresh, interval)

    def safe_refresh(self) -> None:
        """Refresh; log problems instead of breaking the screen."""
        try:
            self.refresh()
        except Exception:
            log.exception("refresh failed")

    def refresh(self) -> None:
        """Read the store and update the widgets."""
        raise NotImplementedError


# --------------------------------------------------------------------------- round table
class RoundTableScreen(_Screen):
    """Idea wall, live dot vote, results chart, participant counter and join screen."""

    template_id = "round_table"

    def __init__(self, store: Store, request: SheetRequest, *, interval: float = 1.5) -> None:
        super().__init__(store, request, interval=interval)
        from transferkit.templates.access import load_visitor_template

        self.template = load_visitor_template(request.template or self.template_id)
        lang = self.lang
        base = public_base_url()
        common = SheetRequest(
            template=_sheet_template(request, self.template),
            pilot=request.pilot,
            loop=request.loop,
            lang=lang,
        )
        # participants join through the web sheet of `transferkit serve` (no kernel each)
        self.ideas_url = with_token(sheet_url(base, common.with_(questions="network_role,ideas")))
        self.vote_url = with_token(sheet_url(base, common.with_(questions="votes")))
        self.feed = LiveFeed(store, self.template, pilot=request.pilot, loop=request.loop)
        title = self.template.title.get(lang)
        loop = f" · {text('live.round', lang)} {request.loop}" if request.loop is not None else ""
        self.header = w.HTML(_html("heading", f"{title} – {request.pilot or ''}{loop}"))
        self.counter = w.HTML("")
        self.counter.add_class("tk-counter")
        self.wall = w.HTML("")
        self.wall.add_class("tk-idea-wall")
        self.results = w.HTML("")
        self.results.add_class("tk-vote-results")
        join = w.HBox(
            [
                _join_box(text("live.1_add_ideas", lang), self.ideas_url, 7),
                _join_box(text("live.2_vote", lang), self.vote_url, 7),
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        # live vote from phones on the ideas so far (transferkit.live.votes)
        self._joined: int | None = None
        self.vote_key = votes.round_table_vote(str(request.pilot), request.loop)
        self.vote_panel = VotePanel(
            store,
            self.vote_key,
            self.idea_items,
            lang=lang,
            join_box=_join_box,
            url=with_token(votes.vote_url(base, self.vote_key, lang)),
            joined=lambda: self._joined,
        )
        tabs = w.Tab(
            children=[
                join,
                w.VBox([self.wall]),
                w.VBox([self.results, self.vote_panel.widget]),
            ]
        )
        for i, name in enumerate(
            [text("live.join", lang), text("live.idea_wall", lang), text("live.results", lang)]
        ):
            tabs.set_title(i, name)
        self.tabs = tabs
        steps = [(text(f"projector.step_{s}", lang), s) for s in ROUND_TABLE_STEPS]
        self.projector, bar = make_controls(
            store,
            template=common.template or "",
            pilot=request.pilot,
            loop=request.loop,
            lang=lang,
            phases=steps,
        )
        self.widget = w.VBox([self.header, self.counter, bar, tabs], layout=w.Layout(width="100%"))
        self.widget.add_class("tk-app-wide")
        self.refresh()

    def vote_labels(self, ideas: pd.DataFrame) -> dict[str, str]:
        """What may be voted for, with the text shown: the ideas so far (and a vote's own options).

        Only these keys are counted (:func:`~transferkit.live.tally_votes`): a
        key that is no idea or option never reaches the projector.
        """
        labels = {str(k): str(v) for k, v in zip(ideas["idea_id"], ideas["text"], strict=True)}
        for q in self.template.all_questions():
            if q.id == "votes" and q.type == "dot_vote" and getattr(q, "source", "") == "options":
                labels.update(
                    {str(o.value): str(o.label.get(self.lang)) for o in getattr(q, "options", [])}
                )
        return labels

    def idea_items(self) -> list[tuple[str, str]]:
        """The ideas so far as items of the phones' vote ``(idea id, text)``."""
        ideas = extract_ideas(self.feed.poll(), "ideas")
        return [(str(k), str(v)) for k, v in zip(ideas["idea_id"], ideas["text"], strict=True)]

    def totals(self) -> pd.DataFrame:
        """Current vote totals with idea texts as labels (keys that are no idea left out)."""
        frame = self.feed.poll()
        return tally_votes(frame, "votes", self.vote_labels(extract_ideas(frame, "ideas")))

    def refresh(self) -> None:
        lang = self.lang
        frame = self.feed.poll()
        ideas = extract_ideas(frame, "ideas")
        labels = self.vote_labels(ideas)
        totals = tally_votes(frame, "votes", labels)  # only ideas and options count
        count = participant_count(
            self.store,
            self.template,
            pilot=self.request.pilot,
            loop=self.request.loop,
            drafts=self.drafts,
        )
        self._joined = count["joined"]
        self.vote_panel.refresh()
        voters = 0
        if not frame.empty and "votes" in frame.columns:
            voters = int(
                frame["votes"]
                .map(lambda v: isinstance(v, dict) and any(str(k) in labels for k in v))
                .sum()
            )
        voters += votes.turnout(self.store, self.vote_key).voted  # and those voting by phone
        self.counter.value = _html(
            "counter",
            [
                ("joined", count["joined"], text("live.participants", lang)),
                ("ideas", len(ideas), text("live.ideas", lang)),
                ("voters", voters, text("live.voted", lang)),
            ],
        )
        self.wall.value = _html(
            "idea_wall",
            [{"text": str(r["text"]), "count": int(r["count"])} for r in ideas.to_dict("records")],
            text("live.no_ideas_yet", lang),
        )
        rows = [
            {
                "option": str(r["option"]),
                "label": str(r["label"]),
                "points": int(r["points"]),
                "voters": int(r["voters"]),
            }
            for r in totals.to_dict("records")
        ]
        head = [text(f"live.{key}", lang) for key in ("column_idea", "points", "column_voters")]
        # table and chart in one widget: they change together, never one ahead of the other
        chart = bars_html(
            [(str(r["label"]), float(r["points"])) for r in totals.to_dict("records")],
            axis=text("live.points", lang),
        )
        self.results.value = _html("vote_results", head, rows, Markup(chart))  # our own chart


# --------------------------------------------------------------------------- reflection loop


class _Timer:
    """An optional countdown per phase."""

    def __init__(self, lang: str) -> None:
        self.minutes = w.BoundedIntText(value=10, min=1, max=180, layout=w.Layout(width="5em"))
        self.minutes.add_class("tk-timer-minutes")
        self.button = w.Button(description=text("live.start_timer", lang))
        self.button.add_class("tk-timer-start")
        self.label = w.HTML("")
        self.label.add_class("tk-timer-left")
        self.end: float | None = None
        self.on_start: Callable[[int], None] | None = None  # e.g. the projector's timer
        self.ticker = Ticker(self.tick, 1.0)
        self.lang = lang
        self.button.on_click(lambda _b: self.start())
        # plain text, no emoji: a workshop laptop may have no emoji font (the glyph shows as a box)
        self.widget = w.HBox([self.minutes, w.HTML("min"), self.button, self.label])

    def start(self) -> None:
        self.end = time.monotonic() + 60 * int(self.minutes.value)
        if self.on_start is not None:
            self.on_start(int(self.minutes.value))
        self.tick()
        self.ticker.start()

    def tick(self) -> None:
        if self.end is None:
            return
        left = max(0, int(self.end - time.monotonic()))
        self.label.value = _html("timer", f"{left // 60:02d}:{left % 60:02d}", False)
        if left == 0:
            self.label.value = _html("timer", text("live.time", self.lang), True)
            self.ticker.stop()
            self.end = None


def _card(text: str) -> w.HBox:
    """An input card: a checkbox and the participant's text as escaped HTML.

    Not the checkbox's ``description``: the page's MathJax typesets a
    description, so ``$…$`` typed by a participant would become formula
    markup (an ``HTML`` widget is left alone).
    """
    check = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto", flex="0 0 auto"))
    check.add_class("tk-card-check")
    label = w.HTML(_html("plain", text), layout=w.Layout(flex="1 1 auto"))
    label.add_class("tk-card-text")
    card = w.HBox([check, label], layout=w.Layout(width="100%", align_items="center"))
    card.add_class("tk-card")
    return card


class ReflectionLoopScreen(_Screen):
    """One loop of a pilot: earlier action items, four phases live, grouping, dots, closing."""

    def __init__(self, store: Store, request: SheetRequest, *, interval: float = 1.5) -> None:
        super().__init__(store, request, interval=interval)
        from transferkit.templates.access import load_visitor_template

        if request.loop is None:
            msg = both("link.needs_loop")
            raise ParameterError(msg)
        self.template = load_visitor_template(request.template or "reflection_loop")
        self.sheet_template = _sheet_template(request, self.template)
        self.loop = int(request.loop)
        self.pilot = str(request.pilot)
        self.board = Board()
        self.summary: LoopSummary | None = None
        lang = self.lang
        self.feed = LiveFeed(store, self.template, pilot=self.pilot, loop=self.loop)
        self.header = w.HTML(
            _html(
                "heading",
                text("live.reflection_loop_pilot", lang, loop=self.loop, pilot=self.pilot),
            )
        )
        self.counter = w.HTML("")
        self.counter.add_class("tk-counter")
        # step 0: earlier items
        self.decisions: dict[int, w.Dropdown] = {}
        earlier = open_items(store, self.pilot, self.loop)
        rows: list[w.Widget] = []
        labels = {status: STATUS_LABELS[lang][status] for status in DECISIONS}
        for item in earlier.to_dict("records"):
            dd = w.Dropdown(
                options=[(v, k) for k, v in labels.items()],
                value="carried_over",
                layout=w.Layout(width="12em"),
            )
            dd.add_class("tk-decision")
            dd.add_class(f"tk-item-{int(item['item_id'])}")
            dd.observe(lambda _change: self.save_board(), names="value")  # kept on reload
            self.decisions[int(item["item_id"])] = dd
            who = item.get("owner")
            entry = _html("item_entry", str(item["what"]), who if isinstance(who, str) else "")
            rows.append(w.HBox([dd, w.HTML(entry)]))
        if not rows:
            rows.append(w.HTML(_html("note", text("live.no_open_action_items_from", lang))))
        step0 = w.VBox(rows)
        step0.add_class("tk-earlier-items")
        # phases
        base = public_base_url()
        self.join_urls: dict[str, str] = {}
        self.cards: dict[str, w.VBox] = {}
        self.ratings: dict[str, w.HTML] = {}
        self.checks: dict[str, w.Checkbox] = {}
        self.card_boxes: dict[str, w.HBox] = {}
        phase_tabs: list[w.Widget] = []
        self.timers: list[_Timer] = []
        for phase in self.template.phases:
            url = with_token(
                sheet_url(
                    base,
                    SheetRequest(
                        template=self.sheet_template,
                        pilot=self.pilot,
                        loop=self.loop,
                        phase=phase.id,
                        lang=lang,
                    ),
                )
            )
            self.join_urls[phase.id] = url
            cards = w.VBox([])
            cards.add_class("tk-cards")
            cards.add_class(f"tk-cards-{phase.id}")
            self.cards[phase.id] = cards
            rating = w.HTML("")
            rating.add_class("tk-rating")
            self.ratings[phase.id] = rating
            intro = phase.intro.get(lang) if phase.intro is not None else ""
            phase_tabs.append(
                w.VBox(
                    [
                        w.HTML(_html("paragraph", intro)),
                        self.new_timer(lang).widget,
                        w.HBox(
                            [
                                _join_box(text("live.join_2", lang), url),
                                w.VBox(
                                    [rating, cards],
                                    layout=w.Layout(flex="2 1 0", min_width="320px"),
                                ),
                            ],
                            layout=w.Layout(flex_flow="row wrap"),
                        ),
                    ]
                )
            )
        # grouping & dots
        self.group_name = w.Text(placeholder=text("live.group_name", lang))
        self.group_name.add_class("tk-group-name")
        group_button = w.Button(description=text("live.group_selected", lang))
        group_button.add_class("tk-group-button")
        group_button.on_click(lambda _b: self.group_selected())
        self.groups_box = w.VBox([])
        self.groups_box.add_class("tk-groups")
        # participants give their dots from their phones (transferkit.live.votes)
        self.vote_key = votes.grouping_vote(self.pilot, self.loop)
        self.vote_panel = VotePanel(
            store,
            self.vote_key,
            lambda: votes.group_items(self.board),
            lang=lang,
            join_box=_join_box,
            url=with_token(votes.vote_url(base, self.vote_key, lang)),
            joined=self.joined,
        )
        step_groups = w.VBox(
            [
                w.HTML(_html("plain", text("live.select_inputs_in_the_phases", lang))),
                w.HBox([self.group_name, group_button]),
                self.groups_box,
                self.vote_panel.widget,
            ]
        )
        # closing
        self.new_items = w.VBox([])
        add = w.Button(description="+ " + text("live.action_item", lang))
        add.add_class("tk-add-item")
        add.on_click(lambda _b: self.add_item_row())
        self.suggestions = w.VBox([])
        self.suggestions.add_class("tk-suggestions")
        self.proposal_rows: dict[tuple[str, str, str], w.HBox] = {}
        self.adopted: set[tuple[str, str, str]] = set()
        close = w.Button(description=text("live.close_loop", lang), button_style="danger")
        close.add_class("tk-close-loop")
        close.on_click(lambda _b: self.close())
        self.close_button = close
        # closing a loop closed before replaces its key figures: ask first
        self.confirm_text = w.HTML("")
        self.overwrite_button = w.Button(
            description=text("loop.close_again", lang), button_style="danger"
        )
        self.overwrite_button.add_class("tk-close-overwrite")
        self.overwrite_button.on_click(lambda _b: self.close(overwrite=True))
        self.cancel_button = w.Button(description=text("live.cancel", lang))
        self.cancel_button.add_class("tk-close-cancel")
        self.cancel_button.on_click(lambda _b: self.cancel_close())
        self.confirm_box = w.VBox(
            [self.confirm_text, w.HBox([self.overwrite_button, self.cancel_button])],
            layout=w.Layout(display="none"),
        )
        self.confirm_box.add_class("tk-close-confirm")
        self.close_note = w.HTML("")
        self.close_note.add_class("tk-close-note")
        self.protocol = w.HTML("")
        self.protocol.add_class("tk-protocol")
        self.protocol_job: _ProtocolJob | None = None
        self.protocol_result: ProtocolResult | None = None
        self._progress = Ticker(self.show_protocol, 1.0)
        step_close = w.VBox(
            [
                self.suggestions,
                self.new_items,
                add,
                close,
                self.confirm_box,
                self.close_note,
                self.protocol,
            ]
        )
        self.add_item_row()
        titles = [text("live.open_action_items", lang)]
        titles += [p.title.get(lang) for p in self.template.phases]
        titles += [text("live.groups_dots", lang), text("live.close", lang)]
        self.tabs = w.Tab(children=[step0, *phase_tabs, step_groups, step_close])
        for i, title in enumerate(titles):
            self.tabs.set_title(i, title)
        phases = [(str(p.title.get(lang)), p.id) for p in self.template.phases]
        self.projector, bar = make_controls(
            store,
            template=self.sheet_template,
            pilot=self.pilot,
            loop=self.loop,
            lang=lang,
            phases=phases,
        )
        if self.projector is not None:  # a phase's tab chosen: the projector shows that phase
            ids, controls = [p.id for p in self.template.phases], self.projector
            self.tabs.observe(
                lambda ch: (
                    controls.follow(ids[ch["new"] - 1]) if 0 < ch["new"] <= len(ids) else None
                ),
                names="selected_index",
            )
            for timer in self.timers:
                timer.on_start = controls.start_timer
        self.widget = w.VBox(
            [self.header, self.counter, bar, self.tabs], layout=w.Layout(width="100%")
        )
        self.widget.add_class("tk-app-wide")
        self.refresh()
        self.restore_board()

    def new_timer(self, lang: str) -> _Timer:
        """A phase's countdown (its start also starts the projector's timer)."""
        timer = _Timer(lang)
        self.timers.append(timer)
        return timer

    # The moderator's groups and dots are saved as a draft of the moderator
    # (table tk_sheet_drafts), so reloading the page does not lose them.
    def _board_key(self) -> DraftKey:
        return board_draft_key(self.template.id, self.pilot, self.loop)

    def save_board(self) -> None:
        """Save groups and dots, decisions and typed items (called after every change);
        problems are logged, not shown."""
        if getattr(self, "_restoring", True):  # not while the screen is built or restored
            return
        state = {
            "assignment": dict(self.board.assignment),
            "dots": dict(self.board.dots),
            "group_order": list(self.board.group_order),
            # decisions on earlier items and the action items typed in so far
            "decisions": {str(k): d.value for k, d in getattr(self, "decisions", {}).items()},
            "new_items": self.item_rows() if hasattr(self, "new_items") else [],
            "adopted": [list(k) for k in getattr(self, "adopted", set())],
        }
        try:
            self.drafts.save(self._board_key(), state)
        except Exception:
            log.exception("board not saved")

    def restore_board(self) -> None:
        """Restore groups and dots saved earlier for this pilot and loop."""
        try:
            draft = self.drafts.load(self._board_key())
        except Exception:
            log.exception("board not restored")
            self._restoring = False
            return
        if draft is None or not draft.answers:
            self._restoring = False
            return
        self._restoring = True
        try:
            self._restore(draft.answers)
        finally:
            self._restoring = False

    def _restore(self, state: Row) -> None:
        self.board.assignment.update(
            {str(k): str(v) for k, v in (state.get("assignment") or {}).items()}
        )
        self.board.dots.update({str(k): int(v) for k, v in (state.get("dots") or {}).items()})
        for name in state.get("group_order") or []:
            if name not in self.board.group_order:
                self.board.group_order.append(str(name))
        for item_id, decision in (state.get("decisions") or {}).items():
            dropdown = self.decisions.get(int(item_id))
            if dropdown is not None and decision in DECISIONS:
                dropdown.value = decision
        typed = [r for r in state.get("new_items") or [] if isinstance(r, dict) and r.get("what")]
        if typed:
            self.new_items.children = ()
            for typed_row in typed:
                self.add_item_row(
                    str(typed_row["what"]),
                    str(typed_row.get("who") or ""),
                    str(typed_row.get("due") or ""),
                )
            self.add_item_row()
        for key in state.get("adopted") or []:
            if isinstance(key, list) and len(key) == 3:
                self.adopted.add((str(key[0]), str(key[1]), str(key[2])))
                shown = self.proposal_rows.get((str(key[0]), str(key[1]), str(key[2])))
                if shown is not None:
                    shown.children[0].disabled = True
                    shown.children[0].description = text("loop.adopted", self.lang)
        self.render_groups()

    def joined(self) -> int | None:
        """Participants who joined this loop (as the counter shows them)."""
        return getattr(self, "_joined", None)

    def add_item_row(self, what_text: str = "", who_text: str = "", due_date: str = "") -> None:
        """Add a row for a new action item (empty, or filled in from a proposal)."""
        import datetime as dt

        lang = self.lang
        what = w.Text(value=what_text, placeholder=text("live.what", lang), continuous_update=False)
        who = w.Text(
            value=who_text,
            placeholder=text("live.who", lang),
            layout=w.Layout(width="10em"),
            continuous_update=False,
        )
        try:
            day = dt.date.fromisoformat(due_date[:10]) if due_date else None
        except ValueError:
            day = None
        due = w.DatePicker(value=day)
        what.add_class("tk-item-what")
        who.add_class("tk-item-who")
        for field in (what, who, due):  # typed items survive a reload (the board's draft)
            field.observe(lambda _change: self.save_board(), names="value")
        self.new_items.children = (*self.new_items.children, w.HBox([what, who, due]))

    def item_rows(self) -> list[Row]:
        """The new action items entered."""
        out = []
        for row in self.new_items.children:
            what, who, due = row.children
            if what.value.strip():
                out.append(
                    {
                        "what": what.value.strip(),
                        "who": who.value.strip() or None,
                        "due": due.value.isoformat() if due.value else None,
                    }
                )
        return out

    def refresh(self) -> None:
        lang = self.lang
        frame = self.feed.poll()
        count = participant_count(
            self.store, self.template, pilot=self.pilot, loop=self.loop, drafts=self.drafts
        )
        self._joined = count["joined"]
        self.counter.value = _html(
            "counter",
            [
                ("joined", count["joined"], text("live.joined", lang)),
                ("submitted", len(frame), text("live.submissions", lang)),
            ],
        )
        if hasattr(self, "vote_panel"):
            self.vote_panel.refresh()
        for phase in self.template.phases:
            part = frame[frame["phase"] == phase.id] if not frame.empty else frame
            questions = list(PHASE_TEXTS.get(phase.id, ())) or [
                q.id for q in phase.questions if q.type in ("text", "long_text")
            ]
            items = collect_inputs(part, questions)
            self.board.add(items)
            box = self.cards[phase.id]
            shown = sum("tk-card" in child._dom_classes for child in box.children)
            if shown != len(items):
                box.children = self.card_widgets(phase, questions, items)
            rating = PHASE_RATINGS.get(phase.id)
            if rating and not part.empty and rating in part.columns:
                values = pd.to_numeric(part[rating], errors="coerce").dropna()
                if len(values):
                    self.ratings[phase.id].value = _html(
                        "rating", text("live.rating", lang), f"{values.mean():.1f}", len(values)
                    )
        if not frame.empty and "actions" in frame.columns:
            proposed = [
                a
                for v in frame["actions"].tolist()
                if isinstance(v, list)
                for a in v
                if isinstance(a, dict) and a.get("what")
            ]
            if proposed:
                self.show_proposals(proposed)

    def show_proposals(self, proposed: Sequence[Row]) -> None:
        """Participants' proposed action items, each with a button that adopts it (class
        ``tk-adopt``: a new action-item row filled in with it, nothing to retype)."""
        lang = self.lang
        for proposal in proposed:
            what = str(proposal.get("what") or "").strip()
            who = str(proposal.get("who") or proposal.get("owner") or "").strip()
            due = str(proposal.get("due") or "").strip()
            key = (what, who, due)
            if not what or key in self.proposal_rows:
                continue
            button = w.Button(description=text("loop.adopt", lang), layout=w.Layout(width="auto"))
            button.add_class("tk-adopt")
            label = w.HTML(
                pages.render(
                    "transferkit.live",
                    "proposal.html.j2",
                    what=what,
                    who=who or "–",
                    due=due,
                )
            )
            label.add_class("tk-proposal-text")
            row = w.HBox([button, label], layout=w.Layout(align_items="center"))
            row.add_class("tk-proposal")
            button.on_click(lambda _b, k=key: self.adopt(k))
            self.proposal_rows[key] = row
        heading = w.HTML(_html("bold", text("live.proposals", lang)))
        self.suggestions.children = [heading, *self.proposal_rows.values()]

    def adopt(self, key: tuple[str, str, str]) -> None:
        """Take a participant's proposal over as a new action item (once)."""
        if key in self.adopted:
            return
        self.adopted.add(key)
        what, who, due = key
        rows = list(self.new_items.children)
        empty = [
            r for r in rows if not r.children[0].value.strip() and not r.children[1].value.strip()
        ]
        if empty:  # fill the empty row at the end instead of adding one before it
            self.new_items.children = tuple(r for r in rows if r is not empty[-1])
        self.add_item_row(what, "" if who == "–" else who, due)
        row = self.proposal_rows.get(key)
        if row is not None:
            button = row.children[0]
            button.disabled = True
            button.description = text("loop.adopted", self.lang)
        self.save_board()

    def card_widgets(
        self, phase: Phase, questions: Sequence[str], items: Sequence[InputItem]
    ) -> list[w.Widget]:
        """One checkbox card per input; with several questions, each under its question."""
        labels = {q.id: str(q.label.get(self.lang)) for q in phase.questions}
        children: list[w.Widget] = []
        for question in questions:
            mine = [item for item in items if item.question == question]
            if len(questions) > 1 and mine:
                heading = w.HTML(_html("bold", labels.get(question, question)))
                heading.add_class("tk-card-question")
                children.append(heading)
            for item in mine:
                card = self.card_boxes.get(item.item_id)
                if card is None:
                    card = _card(item.text)
                    self.card_boxes[item.item_id] = card
                    self.checks[item.item_id] = card.children[0]
                children.append(card)
        return children

    def group_selected(self) -> None:
        """Group the checked input cards under the name typed in."""
        name = self.group_name.value.strip()
        chosen = [k for k, c in self.checks.items() if c.value]
        if not name or not chosen:
            return
        self.board.group(name, chosen)
        for k in chosen:
            self.checks[k].value = False
        self.group_name.value = ""
        self.render_groups()
        self.save_board()

    def render_groups(self) -> None:
        """Show groups with +/- dot buttons."""
        rows: list[w.Widget] = []
        for name, items in self.board.groups().items():
            if not name:
                continue
            label = w.HTML(
                _html("group_row", name, [i.text for i in items], self.board.dots.get(name, 0))
            )
            plus = w.Button(description="+●", layout=w.Layout(width="4em"))
            minus = w.Button(description="−●", layout=w.Layout(width="4em"))
            plus.add_class("tk-dot-plus")
            minus.add_class("tk-dot-minus")
            plus.on_click(lambda _b, n=name: self._dot(n, 1))
            minus.on_click(lambda _b, n=name: self._dot(n, -1))
            row = w.HBox([minus, plus, label])
            row.add_class("tk-group")
            rows.append(row)
        self.groups_box.children = rows

    def _dot(self, name: str, n: int) -> None:
        self.board.add_dots(name, n)
        self.render_groups()
        self.save_board()

    def board_with_phone_votes(self) -> Board:
        """The board with the points participants gave the groups from their phones added
        to the moderator's dots (what closing the loop records as the groups' dots)."""
        merged = Board(
            items=dict(self.board.items),
            assignment=dict(self.board.assignment),
            dots=dict(self.board.dots),
            group_order=list(self.board.group_order),
        )
        try:
            frame = votes.totals(self.store, self.vote_key)
        except TransferkitError:
            log.exception("phone votes not read")
            return merged
        names = dict(votes.group_items(self.board))
        for row in frame.to_dict("records"):
            name = names.get(str(row["option"]))
            if name is not None and int(row["points"]) > 0:
                merged.add_dots(name, int(row["points"]))
        return merged

    def earlier_closing(self) -> pd.Timestamp | None:
        """When this pilot's loop was closed before (``None``: not yet); StoreError if unknown."""
        closings = self.store.loop_closings(self.pilot)
        mine = closings[closings["loop"] == self.loop] if not closings.empty else closings
        if mine.empty:
            return None
        closed_at = mine.iloc[0]["closed_at"]
        return closed_at if isinstance(closed_at, pd.Timestamp) else pd.Timestamp(closed_at)

    def ask_overwrite(self, closed_at: pd.Timestamp) -> None:
        """Show the question whether to replace the earlier closing (nothing is stored yet)."""
        lang = self.lang
        when = format_local(closed_at.to_pydatetime(), lang) if not pd.isna(closed_at) else "?"
        version = max(self.store.loop_version(self.pilot, self.loop), 1)
        self.confirm_text.value = _html(
            "close_question",
            text("loop.closed_before", lang, loop=self.loop, when=when, version=version),
            text("loop.close_again_keeps", lang, version=version + 1),
        )
        self.close_note.value = ""
        self.confirm_box.layout.display = "flex"

    def cancel_close(self) -> None:
        """Keep the earlier closing: hide the question, store nothing (typed items stay)."""
        self.confirm_box.layout.display = "none"
        self.close_note.value = _html("note", text("live.not_closed_again_the_earlier", self.lang))

    def close(self, *, overwrite: bool = False) -> None:
        """Close the loop (decisions, new items, key figures stored), then make its protocol.

        If the loop was closed before (``store.loop_closings``), nothing is
        stored: the screen asks first (:meth:`ask_overwrite`; buttons
        ``tk-close-overwrite`` and ``tk-close-cancel``); ``overwrite=True``
        is the moderator's answer "overwrite".

        The protocol is the ``loop_protocol`` report, made in a background
        thread (:func:`~transferkit.live.make_protocol`); meanwhile the screen
        says that it is being made, afterwards it links the file (or shows why
        not, with a printable summary instead).
        """
        if self.protocol_job is not None and self.protocol_job.running:
            return
        if not overwrite:
            try:
                closed_at = self.earlier_closing()
            except TransferkitError as error:
                self.protocol.value = _html("error", str(error))
                return
            if closed_at is not None:
                self.ask_overwrite(closed_at)
                return
        self.confirm_box.layout.display = "none"
        self.close_note.value = ""
        decisions = {k: d.value for k, d in self.decisions.items()}
        try:
            self.summary = close_loop(
                self.store,
                self.pilot,
                self.loop,
                decisions=decisions,
                new_items=self.item_rows(),
                board=self.board_with_phone_votes(),
                template=self.template,
            )
        except TransferkitError as error:
            self.protocol.value = _html("error", str(error))
            return
        self.new_items.children = ()  # stored now: a second closing must not add them again
        self.add_item_row()
        self.save_board()
        self.close_button.disabled = True
        self.protocol_result = None
        summary, lang = self.summary, self.lang
        self.protocol_job = _ProtocolJob(lambda: make_protocol(self.store, summary, lang))
        self.show_protocol()
        self._progress.start()

    def wait_protocol(self, timeout: float | None = None) -> ProtocolResult | None:
        """Wait for the protocol being made (for scripts and tests) and show it."""
        if self.protocol_job is not None:
            self.protocol_job.thread.join(timeout)
        self.show_protocol()
        return self.protocol_result

    def show_protocol(self) -> None:
        """Show the protocol's progress, or the finished protocol (called every second)."""
        job = self.protocol_job
        if job is None:
            return
        lang = self.lang
        if job.running:
            seconds = int(time.monotonic() - job.started)
            self.protocol.value = _html(
                "protocol_status",
                text("live.loop_closed_key_figures_stored", lang, seconds=seconds),
            )
            return
        self._progress.stop()
        self.close_button.disabled = False
        if self.protocol_result is not None:
            return
        result = job.result
        if result is None:  # make_protocol never raises; only a crash of the thread gets here
            self.protocol.value = _html("error", text("live.the_protocol_could_not_be", lang))
            return
        self.protocol_result = result
        self.protocol.value = self._protocol_html(result)

    def _protocol_html(self, result: ProtocolResult) -> str:
        lang = self.lang
        data = base64.b64encode(result.page.encode("utf-8")).decode("ascii")
        name = result.filename if result.ok else f"protocol_{self.pilot}_loop{self.loop}.html"
        if result.ok:
            return _html(
                "protocol_done",
                text("live.protocol_generated_s", lang, seconds=result.seconds),
                name,
                data,
                text("live.download_the_protocol_html", lang),
                text("live.saved_as", lang),
                str(result.path),
            )
        return _html(
            "protocol_failed",
            text("live.the_protocol_report_could_not", lang),
            text("live.reason", lang),
            result.error,
            name,
            data,
            text("live.download_the_summary_html_printable", lang),
            Markup(result.page),  # protocol_html's page (protocol.html.j2), escaped there
        )


class _ProtocolJob:
    """``work()`` in a daemon thread; ``result`` when done (``None`` if it raised)."""

    def __init__(self, work: Callable[[], ProtocolResult]) -> None:
        self.work = work
        self.result: ProtocolResult | None = None
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, name="tk-loop-protocol", daemon=True)
        self.thread.start()

    @property
    def running(self) -> bool:
        """Whether the work is still going on."""
        return self.thread.is_alive()

    def _run(self) -> None:
        try:
            self.result = self.work()
        except Exception:
            log.exception("making the loop protocol failed")


# --------------------------------------------------------------------------- entry points
def _app(kind: str, query: str | None, store: Store | None, interval: float) -> w.Widget:
    lang = "de"
    try:
        request = parse_query(get_query_string() if query is None else query)
        lang = request.lang
        if store is None:
            from transferkit.store import Store

            store = Store()
        screen: _Screen
        if kind == "round_table":
            screen = RoundTableScreen(store, request, interval=interval)
        else:
            screen = ReflectionLoopScreen(store, request, interval=interval)
        screen.ticker.start()
        widget = screen.widget
        widget.screen = screen  # keep a reference for tests and the ticker
        return widget
    except ParameterError as error:  # a broken link: the message says what to change
        return error_box(str(error), lang)
    except StoreError:
        # the store's own message may name a database file or server: the terminal gets it
        log.exception("%s screen: store not available", kind)
        return error_box(text("live.the_database_cannot_be_reached", lang), lang)
    except Exception:
        log.exception("%s screen failed", kind)
        return error_box(text("live.unexpected_error_see_the_server", lang), lang)


def round_table_app(
    query: str | None = None, *, store: Store | None = None, interval: float = 1.5
) -> w.Widget:
    """The round-table screen for the page's query (``?pilot=P01&loop=1``); never raises."""
    return _app("round_table", query, store, interval)


def reflection_loop_app(
    query: str | None = None, *, store: Store | None = None, interval: float = 1.5
) -> w.Widget:
    """The reflection-loop moderator screen (``?pilot=P01&loop=2``); never raises."""
    return _app("reflection_loop", query, store, interval)
