"""Moderator logic for live workshops, without widgets.

Everything the reflection-loop and round-table screens (:mod:`.screens`) show is
computed here from the store, so it is tested without a browser:

- :class:`LiveFeed` (``feed``) polls the store for new responses (live input);
- :func:`collect_inputs` turns text answers into anonymous input cards,
  :class:`Board` groups them (``board``) and records dots per group;
- :func:`extract_ideas` / :func:`idea_id` / :func:`tally_votes` run a dot vote
  over options or over participants' ideas (:mod:`transferkit.sheets.ideas`);
- :func:`open_items` / :func:`resolve_item` carry action items over from the
  previous loop (done / carried over / dropped) (``closing``);
- :func:`close_loop` closes a loop (its key figures, from
  :func:`transferkit.evaluation.loops.loop_indicators`, stored with
  ``Store.close_loop``); :func:`make_protocol` runs the ``loop_protocol`` report
  for it, or falls back to :func:`protocol_html` (``protocol``);
- :func:`participant_count` counts who joined and who submitted.

Examples
--------
>>> import pandas as pd
>>> votes = pd.DataFrame({"votes": [{"a": 2, "b": 1}, {"a": 1}, None]})
>>> tally_votes(votes, "votes")[["option", "points", "voters"]].to_dict("records")
[{'option': 'a', 'points': 3, 'voters': 2}, {'option': 'b', 'points': 1, 'voters': 1}]
"""

from transferkit.live.board import Board, InputItem, collect_inputs
from transferkit.live.closing import (
    DECISIONS,
    LoopSummary,
    close_loop,
    group_dots,
    open_items,
    participant_count,
    resolve_item,
)
from transferkit.live.feed import LiveFeed, Ticker
from transferkit.live.protocol import ProtocolResult, make_protocol, protocol_dir, protocol_html
from transferkit.sheets.ideas import extract_ideas, idea_id, ideas_provider_for, tally_votes

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
    "make_protocol",
    "open_items",
    "participant_count",
    "protocol_dir",
    "protocol_html",
    "resolve_item",
    "tally_votes",
]
