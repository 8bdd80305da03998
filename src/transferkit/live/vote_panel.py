"""The moderator's panel of a live vote from phones (widgets), for the moderator screens.

A thin widget layer over :mod:`transferkit.live.votes`: budget and "hide the result"
settings, a button that opens the vote on the current items (the loop's groups,
the round table's ideas), the phones' link and QR code, live totals and turnout,
and buttons to show the result and to close the vote.

CSS classes for tests: ``tk-phone-vote`` (the panel), ``tk-vote-budget``,
``tk-vote-hidden``, ``tk-vote-open``, ``tk-vote-reveal``, ``tk-vote-stop``,
``tk-vote-link`` (the join box), ``tk-phone-totals`` (rows ``tk-phone-vote-row`` with
``data-item`` and a ``tk-phone-vote-points`` cell), ``tk-vote-turnout``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from transferkit import pages
from transferkit.exceptions import TransferkitError
from transferkit.i18n import text
from transferkit.live import votes

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.votes import VoteKey

__all__ = ["VotePanel"]

log = logging.getLogger(__name__)


def _part(part: str, **values: Any) -> str:
    """One part of the panel from ``templates/vote_panel.html.j2`` (escaped)."""
    values.setdefault("error", False)
    return str(pages.render("transferkit.live", "vote_panel.html.j2", part=part, **values))


class VotePanel:
    """Open, watch, reveal and close one live vote (``key``) on the items ``items()`` gives."""

    def __init__(
        self,
        store: Store,
        key: VoteKey,
        items: Callable[[], list[tuple[str, str]]],
        *,
        lang: str = "de",
        join_box: Callable[[str, str], w.Widget] | None = None,
        url: str = "",
        joined: Callable[[], int | None] | None = None,
        budget: int = 3,
    ) -> None:
        self.store = store
        self.key = key
        self.items = items
        self.lang = lang
        self.joined = joined or (lambda: None)
        self.url = url
        self.budget = w.BoundedIntText(
            value=budget,
            min=1,
            max=20,
            description=text("vote.budget_label", lang),
            style={"description_width": "initial"},
            layout=w.Layout(width="14em"),
        )
        self.budget.add_class("tk-vote-budget")
        self.hidden = w.Checkbox(
            value=False, indent=False, description=text("vote.hidden_until_reveal", lang)
        )
        self.hidden.add_class("tk-vote-hidden")
        wide = w.Layout(width="auto")
        self.open_button = w.Button(
            description=text("vote.start_vote", lang), button_style="info", layout=wide
        )
        self.open_button.add_class("tk-vote-open")
        self.open_button.on_click(lambda _b: self.open())
        self.reveal_button = w.Button(
            description=text("vote.reveal", lang), layout=w.Layout(width="auto")
        )
        self.reveal_button.add_class("tk-vote-reveal")
        self.reveal_button.on_click(lambda _b: self.toggle_reveal())
        self.stop_button = w.Button(
            description=text("vote.stop_vote", lang), layout=w.Layout(width="auto")
        )
        self.stop_button.add_class("tk-vote-stop")
        self.stop_button.on_click(lambda _b: self.stop())
        self.status = w.HTML("")
        self.status.add_class("tk-vote-turnout")
        self.results = w.HTML("")
        self.results.add_class("tk-phone-vote-results")
        link = join_box(text("vote.join_phones", lang), url) if join_box and url else w.HTML("")
        link.add_class("tk-vote-link")
        self.widget = w.VBox(
            [
                w.HTML(_part("heading", line=text("vote.phone_vote", lang))),
                w.HBox([self.budget, self.hidden]),
                w.HBox([self.open_button, self.reveal_button, self.stop_button]),
                w.HBox(
                    [link, w.VBox([self.status, self.results])],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        self.widget.add_class("tk-phone-vote")
        current = votes.session(store, key)
        if current is not None:  # a reload: the vote's settings as stored
            self.budget.value = min(max(current.budget, 1), 20)
            self.hidden.value = current.hidden
        self.refresh()

    def open(self) -> None:
        """Open the vote on the current items (or update its list and rules)."""
        try:
            votes.open_vote(
                self.store,
                self.key,
                self.items(),
                int(self.budget.value),
                hidden=bool(self.hidden.value),
            )
        except TransferkitError as error:
            self.status.value = _part("status", line=str(error), error=True)
            return
        self.refresh()

    def toggle_reveal(self) -> None:
        """Show the hidden result (or hide it again)."""
        current = votes.session(self.store, self.key)
        if current is None:
            return
        votes.reveal(self.store, self.key, not current.revealed)
        self.refresh()

    def stop(self) -> None:
        """Take no more ballots."""
        if votes.session(self.store, self.key) is not None:
            votes.stop(self.store, self.key)
        self.refresh()

    def refresh(self) -> None:
        """Totals and turnout from the store (called by the screen's ticker)."""
        lang = self.lang
        current = votes.session(self.store, self.key)
        if current is None:
            self.status.value = _part("note", line=text("vote.not_started", lang))
            self.results.value = ""
            self.reveal_button.layout.display = "none"
            return
        turnout = votes.turnout(self.store, self.key, self.joined())
        if turnout.joined:  # who voted without a sheet of their own has joined, too
            joined = max(turnout.joined, turnout.voted)
            line = text("vote.turnout", lang, voted=turnout.voted, joined=joined)
        else:
            line = text("vote.turnout_plain", lang, voted=turnout.voted)
        if not current.accepting:
            line += " · " + text("vote.error_closed", lang)
        self.status.value = _part("status", line=line)
        self.reveal_button.layout.display = "" if current.hidden else "none"
        self.reveal_button.description = text(
            "vote.hide" if current.revealed else "vote.reveal", lang
        )
        frame = votes.totals(self.store, self.key)
        if not current.results_visible:
            self.results.value = _part(
                "note", line=text("vote.hidden_note", lang, voted=turnout.voted)
            )
            return
        head = [text("vote.item", lang), text("vote.points", lang), text("vote.voters", lang)]
        self.results.value = _part("results", head=head, rows=frame.to_dict("records"))
