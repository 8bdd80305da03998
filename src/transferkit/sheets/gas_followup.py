"""Goal Attainment Scaling in two steps: the follow-up rating of a participant's own goals.

At the start a participant sends goals, their five levels and the baseline (a sheet with
a ``gas_goal`` question, e.g. ``pilot_goals``). Later the same code on the same link
opens the *follow-up sheet*: only that participant's goals (text and levels, read-only)
and one question per goal, the level reached. This module is that second step, without
HTTP; the web sheet (:mod:`transferkit.sheets.web.service`) calls it.

How it is stored (append, nothing changed, nothing lost): the follow-up is a new response
of the same template, pilot, loop and participant, holding the start's answers with the
follow-up levels filled in; the start response stays as it was. Its ``submission_id`` is
derived from the start's (:func:`follow_up_submission_id`), so sending the same follow-up
again stores nothing twice; a second, *different* follow-up is refused
(:class:`~transferkit.exceptions.SheetAlreadySentError`). The tidy ``gas_goals`` table
(:func:`transferkit.datasets.tidy.gas_goals`) reads the latest response per pilot, loop
and participant: the follow-up once there is one, else the start.

A participant's goals are shown again to whoever types their code, like a draft; nothing
else of what they sent is shown.

Examples
--------
>>> from transferkit.sheets.session import open_session
>>> from transferkit.store import Store
>>> store = Store("sqlite://")
>>> session = open_session("sheet=pilot_goals", store=store)
>>> follow_up_state(store, session, "K7M4QX") is None  # no goals sent yet
True
>>> levels = {str(v): f"Stufe {v}" for v in range(-2, 3)}
>>> _ = store.submit(session.template, {"topic": "ai", "goals": [{"goal": "KI", "levels": levels,
...     "baseline": -1}]}, participant="K7M4QX")
>>> follow_up_state(store, session, "K7M4QX").pending
{'goals': [0]}
>>> result = submit_follow_up(store, session, "K7M4QX", {"goals": [1]})
>>> follow_up_state(store, session, "K7M4QX").done, result.again
(True, False)
>>> submit_follow_up(store, session, "K7M4QX", {"goals": [1]}).again  # sent twice: stored once
True
>>> len(store.responses(template="pilot_goals"))
2
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from transferkit import pages
from transferkit.exceptions import AnswerProblem, AnswerValidationError, SheetAlreadySentError
from transferkit.i18n import LANGUAGES, text
from transferkit.store import RESPONSE_COLUMNS

if TYPE_CHECKING:
    from transferkit.sheets.session import SheetSession
    from transferkit.store import Store
    from transferkit.store.values import Answers, JSONValue
    from transferkit.templates.model import Question

__all__ = [
    "FOLLOW_UP_PREFIX",
    "FollowUpResult",
    "FollowUpState",
    "follow_up_html",
    "follow_up_state",
    "follow_up_submission_id",
    "gas_question_ids",
    "submit_follow_up",
]

#: Start of the ``submission_id`` of a follow-up response (the rest: a hash of the start's).
FOLLOW_UP_PREFIX = "gasfu-"
_LEVELS = (-2, -1, 0, 1, 2)
#: What the follow-up page's template calls (one object: one jinja2 environment).
_HELPERS: dict[str, Any] = {"text": text}


def follow_up_submission_id(start_submission_id: str) -> str:
    """The submission id of the follow-up of the response sent as ``start_submission_id``.

    The same start always gives the same id, so a repeated follow-up is stored once.

    >>> follow_up_submission_id("abc") == follow_up_submission_id("abc")
    True
    >>> follow_up_submission_id("abc").startswith(FOLLOW_UP_PREFIX)
    True
    """
    digest = hashlib.sha256(start_submission_id.encode("utf-8")).hexdigest()[:40]
    return FOLLOW_UP_PREFIX + digest


def gas_question_ids(session: SheetSession) -> list[str]:
    """Ids of the sheet's ``gas_goal`` questions that ask the follow-up later (in order).

    A question with ``follow_up_required`` asks both levels at once: it has no second step.
    """
    return [
        q.id
        for q in session.template.all_questions(session.phase)
        if q.type == "gas_goal" and not getattr(q, "follow_up_required", False)
    ]


@dataclass(frozen=True)
class FollowUpState:
    """The latest response of a participant's goals, and which goals still wait for a rating."""

    response_id: int
    submission_id: str
    submitted_at: dt.datetime
    answers: Answers
    #: question id -> positions (0-based) of its goals without a follow-up level
    pending: dict[str, list[int]]

    @property
    def done(self) -> bool:
        """Whether every goal has its follow-up level."""
        return not any(self.pending.values())

    def goals(self, question_id: str) -> list[Mapping[str, Any]]:
        """The goals answered to ``question_id`` (an empty list if none)."""
        value = self.answers.get(question_id)
        return [g for g in value if isinstance(g, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True)
class FollowUpResult:
    """A stored follow-up: its response id, and whether it had been stored before."""

    response_id: int
    again: bool = False


def _same(value: object, wanted: object) -> bool:
    return (value is None and wanted is None) or (
        value is not None and wanted is not None and str(value) == str(wanted)
    )


def follow_up_state(store: Store, session: SheetSession, code: str) -> FollowUpState | None:
    """The participant's GAS goals for this sheet, or ``None`` (no GAS question, no goals sent).

    The latest response (by time, then id) of the link's template, pilot, loop and phase
    with participant ``code`` counts: the start, or the follow-up once it is stored.
    """
    questions = gas_question_ids(session)
    if not questions:
        return None
    request = session.request
    frame = store.responses(template=session.template, pilot=request.pilot, phase=session.phase)
    if frame.empty:
        return None
    mine = frame[frame["participant"] == code]
    mine = mine[mine["pilot"].isna()] if request.pilot is None else mine
    mine = mine[mine["loop"].isna()] if request.loop is None else mine[mine["loop"] == request.loop]
    if mine.empty:
        return None
    latest = mine.sort_values(["submitted_at", "response_id"], kind="stable").iloc[-1]
    answers: Answers = {
        str(column): _plain(latest[column])
        for column in latest.index
        if column not in RESPONSE_COLUMNS and _given(latest[column])
    }
    state = FollowUpState(
        response_id=int(latest["response_id"]),
        submission_id=str(latest["submission_id"]),
        submitted_at=latest["submitted_at"].to_pydatetime(),
        answers=answers,
        pending={},
    )
    for qid in questions:
        state.pending[qid] = [
            i for i, goal in enumerate(state.goals(qid)) if goal.get("follow_up") is None
        ]
    return state


def _given(value: object) -> bool:
    import pandas as pd

    return isinstance(value, list | dict) or not bool(pd.isna(value))  # type: ignore[call-overload]


def _plain(value: Any) -> JSONValue:
    """A value of a response frame as JSON (numpy numbers as Python numbers)."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, list | dict) else value


def _problem(key: str, question: Question, i: int) -> AnswerProblem:
    values = {"i": i}
    return AnswerProblem(
        question.id,
        key,
        text(f"gas.{key}", "de", label=question.label.get("de"), **values),
        text(f"gas.{key}", "en", label=question.label.get("en"), **values),
    )


def _levels_given(
    state: FollowUpState, session: SheetSession, ratings: JSONValue
) -> dict[str, dict[int, int]]:
    """The follow-up levels sent, per question and goal; :class:`AnswerValidationError` if wrong.

    ``ratings`` maps each GAS question id to a list with one entry per goal (in the
    goals' order): the level reached (−2..2) for a goal waiting for its rating, ``null``
    for a goal rated before.
    """
    template = session.template
    if not isinstance(ratings, Mapping):
        problem = AnswerProblem(
            "",
            "follow_up_wrong_shape",
            text("gas.follow_up_wrong_shape", "de"),
            text("gas.follow_up_wrong_shape", "en"),
        )
        raise AnswerValidationError(template.id, [problem])
    problems: list[AnswerProblem] = []
    given: dict[str, dict[int, int]] = {}
    for qid, pending in state.pending.items():
        question = template.question(qid)
        goals = state.goals(qid)
        sent = ratings.get(qid)
        values = sent if isinstance(sent, list) else []
        if sent is not None and (not isinstance(sent, list) or len(values) != len(goals)):
            problem = AnswerProblem(
                qid,
                "follow_up_wrong_shape",
                text("gas.follow_up_wrong_shape", "de"),
                text("gas.follow_up_wrong_shape", "en"),
            )
            raise AnswerValidationError(template.id, [problem])
        levels: dict[int, int] = {}
        for i in range(len(goals)):
            value = values[i] if i < len(values) else None
            if i not in pending:
                if value is not None and not _same(value, goals[i].get("follow_up")):
                    problems.append(_problem("follow_up_not_rated_here", question, i + 1))
                continue
            level = _level(value)
            if level is None:
                problems.append(_problem("follow_up_missing", question, i + 1))
            else:
                levels[i] = level
        given[qid] = levels
    if problems:
        raise AnswerValidationError(template.id, problems)
    return given


def _level(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    else:
        return None
    return number if number in _LEVELS else None


def _date(when: dt.datetime, lang: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:  # the workshop's local day (a machine without time zone data: UTC)
        local = when.astimezone(ZoneInfo("Europe/Berlin"))
    except ZoneInfoNotFoundError:
        local = when.astimezone(dt.UTC)
    return local.strftime(text("gas.date_format", lang))


def _refused(when: dt.datetime) -> str:
    """The German / English message refusing a second, different follow-up."""
    return " / ".join(
        text("gas.follow_up_refused", lang, date=_date(when, lang)) for lang in LANGUAGES
    )


def _matches(state: FollowUpState, ratings: JSONValue) -> bool:
    """Whether ``ratings`` are the follow-up levels already stored (a repeat of the same send)."""
    if not isinstance(ratings, Mapping):
        return False
    for qid in state.pending:
        sent = ratings.get(qid)
        goals = state.goals(qid)
        if not isinstance(sent, list) or len(sent) != len(goals):
            return False
        if any(
            value is not None and _level(value) != goal.get("follow_up")
            for value, goal in zip(sent, goals, strict=True)
        ):
            return False
    return True


def submit_follow_up(
    store: Store, session: SheetSession, code: str, ratings: JSONValue
) -> FollowUpResult:
    """Store the follow-up levels of participant ``code``'s goals (the second step).

    Raises :class:`AnswerValidationError` (nothing stored) for a missing or invalid level,
    :class:`SheetAlreadySentError` (with a German / English message) if the participant has
    no goals on this sheet yet or their goals were rated before with other levels. The
    same ratings sent again return the stored response (``again=True``).
    """
    state = follow_up_state(store, session, code)
    if state is None:
        msg = f"{text('gas.no_goals_yet', 'de')} / {text('gas.no_goals_yet', 'en')}"
        raise SheetAlreadySentError(msg)
    if state.done:
        if _matches(state, ratings):
            return FollowUpResult(state.response_id, again=True)
        raise SheetAlreadySentError(_refused(state.submitted_at))
    given = _levels_given(state, session, ratings)
    answers = copy.deepcopy(dict(state.answers))
    for qid, levels in given.items():
        goals = answers.get(qid)
        if not isinstance(goals, list):
            continue
        for i, level in levels.items():
            goal = goals[i]
            if isinstance(goal, dict):
                goal["follow_up"] = level
    request = session.request
    response_id = int(
        store.submit(
            session.template,
            answers,
            pilot=request.pilot,
            loop=request.loop,
            phase=session.phase,
            participant=code,
            submission_id=follow_up_submission_id(state.submission_id),
        )
    )
    after = follow_up_state(store, session, code)
    if after is None or after.response_id != response_id or not _matches(after, ratings):
        # a concurrent, different follow-up was stored first: this one is not
        when = after.submitted_at if after is not None else dt.datetime.now(dt.UTC)
        raise SheetAlreadySentError(_refused(when))
    return FollowUpResult(response_id)


def _level_name(v: int) -> str:
    return f"{v:+d}" if v else "0"


def follow_up_html(state: FollowUpState, session: SheetSession) -> str:
    """The follow-up sheet (HTML, every text escaped): each goal with its levels, read-only,
    and a choice of the level reached for each goal still waiting for one."""
    lang = session.lang
    questions = []
    for qid in state.pending:
        question = session.template.question(qid)
        goals = []
        for i, goal in enumerate(state.goals(qid)):
            given = goal.get("levels")
            levels: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            rated = goal.get("follow_up")
            goals.append(
                {
                    "index": i,
                    "n": i + 1,
                    "goal": str(goal.get("goal", "")),
                    "weight": f"{float(goal.get('weight') or 1):g}",
                    "levels": [(v, _level_name(v), str(levels.get(str(v), ""))) for v in _LEVELS],
                    "rated": None if rated is None else _level_name(int(rated)),
                }
            )
        questions.append({"id": qid, "label": question.label.get(lang), "goals": goals})
    return pages.render(
        "transferkit.sheets",
        "gas_followup.html.j2",
        helpers=_HELPERS,
        lang=lang,
        date=_date(state.submitted_at, lang),
        questions=questions,
    )
