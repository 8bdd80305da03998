"""Live votes from phones, the moderator's side: open a vote, its totals, turnout, reveal.

Plain functions on the store (no widgets), for the moderator screens and the
projector view: :func:`totals` and :func:`turnout` are what a screen shows;
:func:`open_vote`, :func:`reveal` and :func:`stop` are the moderator's buttons.
The rules (budget per participant, items that exist) are enforced by the store
(:mod:`transferkit.store.votes`); participants vote on the web sheet's vote page
(:mod:`transferkit.sheets.web.vote`, link: :func:`vote_url`).

Examples
--------
>>> from transferkit.store import Store
>>> store = Store("sqlite://")
>>> key = grouping_vote("P01", 2)
>>> _ = open_vote(store, key, [("g1", "Kanban"), ("g2", "Stand-up")], budget=3)
>>> _ = votes_of(store).cast(key, "K7M4QX", {"g2": 2})
>>> totals(store, key)[["label", "points", "voters"]].to_dict("records")
[{'label': 'Stand-up', 'points': 2, 'voters': 1}, {'label': 'Kanban', 'points': 0, 'voters': 0}]
>>> turnout(store, key, joined=4)
Turnout(voted=1, joined=4)
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from transferkit.sheets.ideas import idea_id
from transferkit.store.votes import VoteKey, VoteSession, VoteStore

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.live.board import Board
    from transferkit.store import Store

__all__ = [
    "GROUPING",
    "ROUND_TABLE",
    "Turnout",
    "group_items",
    "grouping_vote",
    "open_vote",
    "reveal",
    "round_table_vote",
    "session",
    "stop",
    "totals",
    "turnout",
    "vote_url",
    "votes_of",
]

#: Topic of the vote on the moderator's groups in a reflection loop's grouping phase.
GROUPING = "grouping"
#: Topic of the vote on the ideas of a round table.
ROUND_TABLE = "round_table"

_STORES: weakref.WeakKeyDictionary[object, VoteStore] = weakref.WeakKeyDictionary()


class Turnout(NamedTuple):
    """How many have voted (at least one point), of how many joined (``None``: not known)."""

    voted: int
    joined: int | None


def votes_of(store: Store) -> VoteStore:
    """The vote tables of ``store`` (made once per store)."""
    votes = _STORES.get(store)
    if votes is None:
        votes = VoteStore.for_store(store)
        _STORES[store] = votes
    return votes


def grouping_vote(pilot: str, loop: int) -> VoteKey:
    """The vote of a reflection loop's grouping phase."""
    return VoteKey(str(pilot), int(loop), GROUPING)


def round_table_vote(pilot: str, loop: int | None) -> VoteKey:
    """The vote of a round table (of one pilot and loop)."""
    return VoteKey(str(pilot), None if loop is None else int(loop), ROUND_TABLE)


def group_items(board: Board) -> list[tuple[str, str]]:
    """The board's named groups as vote items ``(key, group name)``, in the board's order.

    >>> from transferkit.live.board import Board, InputItem
    >>> b = Board()
    >>> _ = b.add([InputItem("x1", "worked", "Kanban board", 1)])
    >>> b.group("Visualisierung", ["x1"])
    >>> group_items(b)
    [('i_...', 'Visualisierung')]
    """
    return [(idea_id(name), name) for name in board.groups() if name]


def open_vote(
    store: Store,
    key: VoteKey,
    items: Iterable[tuple[str, str]],
    budget: int,
    *,
    max_per_item: int | None = None,
    hidden: bool = False,
) -> VoteSession:
    """Open the vote ``key`` on ``items`` (or update its list and rules); ballots so far stay."""
    return votes_of(store).open_vote(key, items, budget, max_per_item=max_per_item, hidden=hidden)


def session(store: Store, key: VoteKey) -> VoteSession | None:
    """The vote as stored (``None``: not opened yet)."""
    return votes_of(store).session(key)


def reveal(store: Store, key: VoteKey, revealed: bool = True) -> None:
    """Show the results of a vote whose results were hidden (``False``: hide them again)."""
    votes_of(store).reveal(key, revealed)


def stop(store: Store, key: VoteKey) -> None:
    """Take no more ballots; those cast stay."""
    votes_of(store).stop(key)


def totals(store: Store, key: VoteKey) -> pd.DataFrame:
    """The vote's totals: ``option``, ``label``, ``points``, ``voters``; most points first.

    Every item of the vote has a row (0 points too), as
    :func:`transferkit.live.tally_votes` gives them for sheet votes; empty for a vote
    not opened. Whether the room may see them is :attr:`VoteSession.results_visible`.
    """
    import pandas as pd

    rows = [
        {"option": t.key, "label": t.label, "points": t.points, "voters": t.voters}
        for t in votes_of(store).totals(key)
    ]
    frame = pd.DataFrame(rows, columns=["option", "label", "points", "voters"])
    if frame.empty:
        return frame
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["points", "_order"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def turnout(store: Store, key: VoteKey, joined: int | None = None) -> Turnout:
    """How many participants have voted (given at least one point), of ``joined``."""
    return Turnout(votes_of(store).turnout(key), joined)


def vote_url(base_url: str, key: VoteKey, lang: str = "de") -> str:
    """The phones' link to the vote page of ``transferkit serve``.

    >>> vote_url("http://192.168.1.5:8866/", grouping_vote("P01", 2))
    'http://192.168.1.5:8866/sheet/vote?pilot=P01&loop=2&vote=grouping'
    """
    from transferkit.sheets.web.vote import vote_query

    return base_url.rstrip("/") + "/sheet/vote?" + vote_query(key.pilot, key.loop, key.topic, lang)
