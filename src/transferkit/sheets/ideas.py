"""Ideas and dot votes: ideas from participants' answers, stable idea ids, vote totals.

Shared by the web sheet (participants vote on ideas) and the moderator screens
(the projector shows the totals), so it lives below both.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict, cast

if TYPE_CHECKING:  # pandas is imported where a frame is built, not by the sheet page
    import pandas as pd

    from transferkit.sheets.query import SheetRequest
    from transferkit.store import Store
    from transferkit.templates import DotVoteQuestion, Template


log = logging.getLogger(__name__)


class _Idea(TypedDict):
    idea_id: str
    text: str
    count: int


def _texts(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    return [text] if text else []


def answer_lines(value: object) -> list[str]:
    """The non-empty lines of a text answer (or of each text in a list), bullets stripped.

    >>> answer_lines("- Kanban\\n\\n* WIP limits")
    ['Kanban', 'WIP limits']
    """
    out: list[str] = []
    for text in _texts(value):
        out += [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]
    return out


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

    seen: dict[str, _Idea] = {}
    if not responses.empty and question in responses.columns:
        for value in responses[question].tolist():
            for text in dict.fromkeys(answer_lines(value)):
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


def _dot_vote_question(template: Template) -> DotVoteQuestion | None:
    for q in template.all_questions():
        if q.type == "dot_vote" and getattr(q, "source", "options") == "ideas":
            return cast("DotVoteQuestion", q)
    return None


def _ideas_question(template: Template, vote: DotVoteQuestion) -> str:
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
    store: Store, template: Template, request: SheetRequest
) -> Callable[[object], list[tuple[str, str]]] | None:
    """For a template with a dot vote over ideas: a function giving the current ideas.

    The ideas are read from the store (same template, pilot and loop); the
    function returns ``(idea_id, text)`` pairs. ``None`` if no such vote.
    """
    vote = _dot_vote_question(template)
    if vote is None:
        return None
    question = _ideas_question(template, vote)

    def provider(_question: object) -> list[tuple[str, str]]:
        responses = store.responses(template=template, pilot=request.pilot, loop=request.loop)
        ideas = extract_ideas(responses, question)
        return [(r["idea_id"], r["text"]) for r in ideas.to_dict("records")]

    return provider
