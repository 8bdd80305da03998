"""Stored responses → tidy tables: the one converter, with one set of column types.

The demo generator derives its shipped tables with these functions, and the reports
derive theirs from the store with the same functions, so both get the same columns in
the same order with the same types. The input is a frame shaped like
``Store.responses()``: the response columns (``pilot``, ``loop``, ``phase``,
``participant`` ...) and one column per question id; :func:`responses_frame` builds one
from raw response records (``responses.jsonl``).

Columns and types are those of the catalogue entry of the same name
(:data:`~transferkit.datasets.catalogue.CATALOGUE`), applied by :func:`typed`: *string*
columns are ``str``, *number* columns ``float64`` (missing is ``NaN``) and *integer*
columns ``int64`` (``float64`` where values are missing or not whole: data from a store
may have them, as the store's own readers do), *date* columns ``datetime64`` (from
``YYYY-MM-DD``): the types :func:`~transferkit.datasets.read_dataset` gives.

>>> from transferkit.datasets import load_demo, read_responses
>>> from transferkit.datasets import tidy
>>> frame = tidy.responses_frame(read_responses())
>>> table = tidy.loop_ratings(frame)
>>> table.equals(load_demo().loop_ratings)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from transferkit.datasets.catalogue import CATALOGUE

__all__ = [
    "RESPONSE_COLUMNS",
    "action_items",
    "gas_goals",
    "loop_ratings",
    "needs",
    "needs_profile",
    "responses_frame",
    "self_assessment",
    "training_feedback",
    "typed",
]

#: Columns of a response record besides its answers (as ``Store.responses()`` has them).
RESPONSE_COLUMNS = (
    "submission_id",
    "template",
    "template_version",
    "pilot",
    "loop",
    "phase",
    "participant",
    "submitted_at",
)


def responses_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Raw response records (with ``answers``) as one frame: response columns, then one
    column per question id (in the order first answered), like ``Store.responses()``."""
    rows = [{**{c: r.get(c) for c in RESPONSE_COLUMNS}, **r["answers"]} for r in records]
    return pd.DataFrame(rows, columns=_union(RESPONSE_COLUMNS, *(row for row in rows)))


def typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with the columns of catalogue dataset ``name``, in its order and types."""
    info = CATALOGUE[name]
    out = frame.reindex(columns=[c.name for c in info.columns])
    for column in info.columns:
        values = out[column.name]
        if column.kind == "string":
            out[column.name] = values.astype("str")
        elif column.kind in ("number", "integer"):
            numbers = pd.to_numeric(values, errors="coerce").astype("float64")
            whole = numbers.notna().all() and bool((numbers == numbers.round()).all())
            out[column.name] = (
                numbers.astype("int64") if column.kind == "integer" and whole else numbers
            )
        elif column.kind == "date":
            out[column.name] = pd.to_datetime(values, format="%Y-%m-%d")
    return out.reset_index(drop=True)


def self_assessment(responses: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """``self_assessment``: one row per participant and time (pre, post) with the items,
    from ``competence_self_assessment`` responses; ``participants`` gives the company."""
    frame = _of(responses, "competence_self_assessment")
    out = frame.assign(
        pilot_id=frame["pilot"],
        time=frame.get("measurement"),
        company_id=frame["participant"].map(_company(participants)),
    )
    out = typed(out, "self_assessment")
    order = {"pre": 0, "post": 1}
    return out.sort_values(
        ["pilot_id", "participant", "time"],
        kind="stable",
        key=lambda c: c.map(order) if c.name == "time" else c,
    ).reset_index(drop=True)


def gas_goals(responses: pd.DataFrame) -> pd.DataFrame:
    """``gas_goals``: one row per goal of the ``pilot_goals`` responses; a goal without
    weight weighs 1.

    Goals are rated in two steps (goals and baselines at the start, the follow-up level
    later, :mod:`transferkit.sheets.gas_followup`); the follow-up is a second response of
    the same pilot, loop and participant that carries the start's goals with their levels
    reached. So only the *latest* response (by ``submitted_at``, then ``response_id``) of a
    pilot, loop and participant is read; responses without a participant each count.
    Goal ids are unique per participant: ``<pilot>-<participant>-G<k>`` (``-L<loop>``
    after the pilot when the sheet was sent in a loop).
    """
    frame = _latest_per_participant(_of(responses, "pilot_goals"))
    rows = []
    for n, response in enumerate(frame.to_dict("records"), start=1):
        goals = response.get("goals")
        if not isinstance(goals, list):
            continue
        stem = _goal_stem(response, n)
        for k, goal in enumerate(goals, start=1):
            rows.append(
                {
                    "pilot_id": response["pilot"],
                    "participant": response["participant"],
                    "goal_id": f"{stem}-G{k}",
                    "goal": goal["goal"],
                    "weight": goal.get("weight", 1.0),
                    "baseline": goal["baseline"],
                    "follow_up": goal.get("follow_up"),
                }
            )
    out = typed(pd.DataFrame(rows), "gas_goals")
    return out.sort_values("goal_id", kind="stable").reset_index(drop=True)


def _given(value: object) -> bool:
    return isinstance(value, str) and value not in ("", "nan", "None")


def _goal_stem(response: Mapping[Any, Any], n: int) -> str:
    """``<pilot>[-L<loop>]-<participant>`` of a response (its position ``R<n>`` without a code)."""
    parts = [str(response["pilot"])] if _given(response.get("pilot")) else []
    loop = response.get("loop")
    if loop is not None and not pd.isna(loop):
        parts.append(f"L{int(loop)}")
    who = response.get("participant")
    parts.append(str(who) if _given(who) else f"R{n}")
    return "-".join(parts)


def _latest_per_participant(frame: pd.DataFrame) -> pd.DataFrame:
    """The last response of each pilot, loop and participant (all responses without one)."""
    if frame.empty or "participant" not in frame.columns:
        return frame
    order = [c for c in ("submitted_at", "response_id") if c in frame.columns]
    ordered = frame.sort_values(order, kind="stable") if order else frame
    keys = ordered.reindex(columns=["pilot", "loop", "participant"]).astype("object")
    keys = keys.where(keys.notna(), None)
    anonymous = keys["participant"].isna()
    duplicate = keys.duplicated(keep="last") & ~anonymous
    return ordered[~duplicate].sort_index(kind="stable")


def training_feedback(responses: pd.DataFrame) -> pd.DataFrame:
    """``training_feedback``: one row per returned ``training_feedback`` sheet."""
    frame = _of(responses, "training_feedback")
    out = typed(frame.assign(pilot_id=frame["pilot"]), "training_feedback")
    return out.sort_values(["pilot_id", "participant"], kind="stable").reset_index(drop=True)


def needs(
    responses: pd.DataFrame,
    participants: pd.DataFrame,
    topics: Mapping[str, str],
    *,
    importance_prefix: str = "imp_",
    competence_prefix: str = "comp_",
) -> pd.DataFrame:
    """``needs``: one row per participant and topic with importance and competence, from
    ``needs_analysis`` responses; ``topics`` maps each topic to its core area (in order).
    A topic nobody was asked about is left out."""
    frame = _of(responses, "needs_analysis")
    company = frame["participant"].map(_company(participants))
    parts = [
        pd.DataFrame(
            {
                "company_id": company,
                "participant": frame["participant"],
                "topic": topic,
                "area": area,
                "importance": frame[f"{importance_prefix}{topic}"],
                "competence": frame[f"{competence_prefix}{topic}"],
            }
        )
        for topic, area in topics.items()
        if f"{importance_prefix}{topic}" in frame.columns
    ]
    # each participant's topics stay in ``topics`` order (the sort is stable)
    out = typed(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), "needs")
    return out.sort_values(["company_id", "participant"], kind="stable").reset_index(drop=True)


def needs_profile(responses: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """``needs_profile``: preferred formats and time per week of each ``needs_analysis``
    response (lists ``;``-joined)."""
    frame = _of(responses, "needs_analysis")
    out = frame.assign(
        company_id=frame["participant"].map(_company(participants)),
        formats=_joined(frame.get("formats")),
        discussed_with=_joined(frame.get("discussed_with")),
    )
    out = typed(out, "needs_profile")
    return out.sort_values(["company_id", "participant"], kind="stable").reset_index(drop=True)


def loop_ratings(responses: pd.DataFrame) -> pd.DataFrame:
    """``loop_ratings``: one row per pilot, loop and participant, one rating column per
    phase (each phase is its own sheet; a phase not submitted is ``NaN``)."""
    frame = _of(responses, "reflection_loop")
    ratings = [c.name for c in CATALOGUE["loop_ratings"].columns][3:]
    present = [c for c in ratings if c in frame.columns]
    rated = frame[["pilot", "loop", "participant", *present]].rename(columns={"pilot": "pilot_id"})
    out = rated.groupby(["pilot_id", "loop", "participant"], as_index=False).first()
    return typed(out, "loop_ratings")


def action_items(responses: pd.DataFrame) -> pd.DataFrame:
    """``action_items``: each item of the reflection loops' ``actions`` answers once, with
    its latest status.

    An item is first listed (status ``open``) in the ``optimierung`` phase of the loop
    that raised it and reviewed in each later loop's ``optimierung`` phase;
    ``loop_closed`` is the loop whose review marked it ``done`` or ``dropped``.
    """
    items: dict[tuple[str, str], dict[str, Any]] = {}
    frame = _of(responses, "reflection_loop")
    answered = [r for r in frame.to_dict("records") if isinstance(r.get("actions"), list)]
    for r in sorted(answered, key=lambda r: (r["pilot"], r["loop"])):
        for action in r["actions"]:
            item = items.setdefault(
                (r["pilot"], action["what"]),
                {
                    "pilot_id": r["pilot"],
                    "loop_raised": r["loop"],
                    "what": action["what"],
                    "owner": action["who"],
                    "due": action["due"],
                    "status": "open",
                    "loop_closed": None,
                },
            )
            item["status"] = action["status"]
            if action["status"] in ("done", "dropped") and item["loop_closed"] is None:
                item["loop_closed"] = r["loop"]
    out = pd.DataFrame(list(items.values()))
    out.insert(0, "item_id", range(1, len(out) + 1))
    return typed(out, "action_items")


def _of(responses: pd.DataFrame, template: str) -> pd.DataFrame:
    if responses.empty or "template" not in responses.columns:
        return pd.DataFrame(columns=list(RESPONSE_COLUMNS))
    return responses[responses["template"] == template].reset_index(drop=True)


def _company(participants: pd.DataFrame) -> dict[str, Any]:
    return dict(zip(participants["participant"], participants["company_id"], strict=True))


def _joined(values: pd.Series | None) -> Any:
    if values is None:
        return None
    return values.map(lambda v: ";".join(v) if isinstance(v, list) else None)


def _union(*columns: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(c for part in columns for c in part))
