"""Closing a loop: action items carried over, who took part, the loop's indicators and key figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from transferkit.exceptions import StoreError

if TYPE_CHECKING:  # pandas is imported where a frame is built, not by the sheet page
    import pandas as pd

    from transferkit.store import Store, TemplateLike
    from transferkit.store.drafts import DraftStore
    from transferkit.store.values import JSONValue


from transferkit.live.board import Board, BoardSummary
from transferkit.vocabulary import ACTION_STATUSES, CLOSED_STATUSES, OPEN_STATUSES


class Decision(TypedDict):
    """The decision on an earlier action item, as :class:`LoopSummary` keeps it."""

    item_id: int
    what: str
    decision: str


class NewItem(TypedDict):
    """A new action item, as :class:`LoopSummary` keeps it."""

    item_id: int
    what: str
    who: str | None
    due: JSONValue


#: Decisions on an action item of the previous loop.
DECISIONS = tuple(s for s in ACTION_STATUSES if s != "open")


def open_items(store: Store, pilot: str, loop: int | None) -> pd.DataFrame:
    """Action items of ``pilot`` raised before ``loop`` and still open or carried over."""
    import pandas as pd

    items = store.action_items(pilot)
    if items.empty:
        return items
    mask = items["status"].isin(OPEN_STATUSES)
    if loop is not None:
        raised = pd.to_numeric(items["loop_raised"], errors="coerce")
        mask &= raised.isna() | (raised < loop)
    return items[mask].reset_index(drop=True)


def resolve_item(store: Store, item_id: int, decision: str, loop: int | None) -> None:
    """Record the decision on an earlier item in ``loop``: done, carried_over or dropped."""
    if decision not in DECISIONS:
        msg = f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}"
        raise StoreError(msg)
    closed = loop if decision in CLOSED_STATUSES else None
    store.update_action_item(int(item_id), decision, loop_closed=closed)


# --------------------------------------------------------------------------- counting
def participant_count(
    store: Store,
    template: TemplateLike | str,
    *,
    pilot: str | None = None,
    loop: int | None = None,
    phase: str | None = None,
    drafts: DraftStore | None = None,
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
def _indicators_now(
    store: Store, pilot: str, loop: int, template: TemplateLike | str
) -> dict[str, JSONValue]:
    """Key figures of one loop as they are now (``reports.content.loop_figures`` with
    ``stored=False``, i.e. :func:`transferkit.evaluation.loops.loop_indicators` on the
    store): the mapping ``Store.close_loop`` stores; missing means are ``None``."""
    from transferkit.reports.content import loop_figures, plain

    frame = loop_figures(store, pilot, [loop], template=template, stored=False)
    row = frame[frame["loop"] == loop].to_dict("records")[0]  # keeps whole numbers int
    return {
        "pilot": pilot,
        "loop": loop,
        **{str(k): plain(v) for k, v in row.items() if k != "loop"},
    }


@dataclass
class LoopSummary:
    """What a closed loop leaves behind: indicators, board, decisions, new items."""

    pilot: str
    loop: int
    indicators: dict[str, JSONValue]
    board: BoardSummary = field(default_factory=lambda: BoardSummary())
    decisions: list[Decision] = field(default_factory=list)
    new_items: list[NewItem] = field(default_factory=list)
    closed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    template: str = "reflection_loop"
    #: 1 for the first closing of the loop; closing it again makes version 2, ... (the
    #: earlier versions are kept: ``Store.loop_closing_versions``)
    version: int = 1

    def as_dict(self) -> dict[str, JSONValue]:
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
            "version": self.version,
        }


def group_dots(board: Board | None) -> list[tuple[str, int]]:
    """The board's dots on named groups, most first (dots on single cards are left out:
    their label would be a participant's own words)."""
    if board is None:
        return []
    return [(name, dots) for name, dots in board.ranking() if name not in board.items]


def close_loop(
    store: Store,
    pilot: str,
    loop: int,
    *,
    decisions: dict[int, str] | None = None,
    new_items: Sequence[Mapping[str, JSONValue]] = (),
    board: Board | None = None,
    template: TemplateLike | str = "reflection_loop",
) -> LoopSummary:
    """Close loop ``loop`` of ``pilot``.

    Applies the decisions on earlier items (items without a decision are
    carried over), stores the new action items (``what``, ``who``, ``due``),
    computes the loop's key figures now
    (:func:`transferkit.evaluation.loops.loop_indicators`) and records them with
    the groups' dots through ``store.close_loop`` (table ``loop_closings``). A loop
    closed before becomes a new version; the earlier one is kept
    (``Store.loop_closing_versions``; ``summary.version`` is the new number).
    """
    decisions = dict(decisions or {})
    applied: list[Decision] = []
    earlier = open_items(store, pilot, loop)
    for row in earlier.to_dict("records"):
        item_id = int(row["item_id"])
        decision = decisions.get(item_id, "carried_over")
        resolve_item(store, item_id, decision, loop)
        applied.append({"item_id": item_id, "what": row["what"], "decision": decision})
    added: list[NewItem] = []
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
        indicators=_indicators_now(store, pilot, loop, template),
        board=board.as_dict() if board is not None else {},
        decisions=applied,
        new_items=added,
        template=template_id,
    )
    store.close_loop(
        pilot,
        loop,
        summary.indicators,
        dots=group_dots(board),
        template=template_id,
        closed_at=summary.closed_at,
    )
    summary.version = store.loop_version(pilot, loop)
    return summary
