"""Every problem of a template in one pass: the checks across fields, despite broken fields.

The checks that look at a whole sheet (duplicate ids, ``show_if`` references,
feedback that must fit the questions, scale group labels; ``Template._check``
in :mod:`transferkit.templates.model`) need every field valid, so pydantic
skips them as long as one question has a wrong type. Here the parts that
failed are replaced by stand-ins that keep what the checks across fields look
at (a question's id, its ``show_if``, its type, scale group and area, if those
are valid) and the template is validated again: the checks across fields then
run, and their problems are added to the field problems. Problems inside a
stand-in are not reported (the field problems already name that part), except
at the id and ``show_if`` it kept.

>>> data = {"id": "t", "version": 1, "title": {"de": "T", "en": "T"}, "questions": [
...     {"id": "a", "type": "txt", "label": {"de": "A", "en": "A"}},
...     {"id": "a", "type": "text", "label": {"de": "B", "en": "B"}}]}
>>> [(loc, message) for loc, message, _hint in cross_problems(data, [("questions", 0)])]
[(('questions', 1, 'id'), "duplicate question id 'a' (first at questions[0])")]
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from transferkit.templates.feedback import FEEDBACK_KINDS
from transferkit.templates.model import Condition, JSONValue, Loc, Template, TemplateCheckError
from transferkit.templates.types import QUESTION_TYPES, AnyQuestion

__all__ = ["clean_loc", "cross_problems"]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TEXT = {"de": "-", "en": "-"}
#: pydantic's tags of the discriminated unions (not parts of the data).
_TAGS = frozenset((*QUESTION_TYPES, *FEEDBACK_KINDS))
_OPTIONS = [{"value": "a", "label": _TEXT}, {"value": "b", "label": _TEXT}]
#: What a stand-in of each question type needs besides id, type and label.
_STAND_IN: dict[str, dict[str, Any]] = {
    "single_choice": {"options": _OPTIONS},
    "multi_choice": {"options": _OPTIONS},
    "ranking": {"options": _OPTIONS},
    "likert": {"points": [{"value": v, "label": _TEXT} for v in range(1, 6)]},
    "scale": {"min": 0, "max": 10},
    "dot_vote": {"budget": 1, "options": _OPTIONS},
}
_QUESTION: TypeAdapter[Any] = TypeAdapter(AnyQuestion)
_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)
#: Top-level fields a stand-in value replaces (the others are left out when broken).
_TOP_STAND_IN: dict[str, JSONValue] = {"id": "invalid_id", "version": 1, "title": _TEXT}


def _stand_in_question(raw: JSONValue, n: int) -> dict[str, JSONValue]:
    """A valid question keeping ``raw``'s id, type, show_if, scale group and area where valid."""
    row = raw if isinstance(raw, dict) else {}
    qid = row.get("id")
    out: dict[str, JSONValue] = {
        "id": qid if isinstance(qid, str) and _ID.match(qid) else f"invalid_question_{n}",
        "label": _TEXT,
    }
    for name in ("scale_group", "area"):
        value = row.get(name)
        if isinstance(value, str):
            out[name] = value
    cond = row.get("show_if")
    try:
        _CONDITION.validate_python(cond)
    except ValidationError:
        pass
    else:
        out["show_if"] = cond
    kind = row.get("type")
    if isinstance(kind, str) and kind in QUESTION_TYPES:
        typed = {**out, "type": kind, **_STAND_IN.get(kind, {})}
        try:
            _QUESTION.validate_python(typed)
        except ValidationError:
            pass
        else:
            return typed
    return {**out, "type": "text"}


def _repair(data: dict[str, JSONValue], loc: Loc, n: int) -> Loc | None:
    """Replace the broken part at ``loc`` by a stand-in; the location replaced (``None``: cannot)."""
    if not loc or not isinstance(loc[0], str):
        return None
    top = loc[0]
    if top == "questions":
        return _repair_questions(data, loc, 0, n)
    if top == "phases":
        phases = data.get("phases")
        if len(loc) < 2 or not isinstance(phases, list) or not isinstance(loc[1], int):
            data["phases"] = []
            return ("phases",)
        i = loc[1]
        phase = phases[i] if 0 <= i < len(phases) else None
        if not isinstance(phase, dict) or len(loc) < 3:
            phases[i] = {
                "id": f"invalid_phase_{i}",
                "title": _TEXT,
                "questions": [_stand_in_question(None, n)],
            }
            return loc[:2]
        field = loc[2]
        if field == "questions":
            return _repair_questions(phase, loc, 2, n)
        if field == "id":
            phase["id"] = f"invalid_phase_{i}"
        elif field == "title":
            phase["title"] = _TEXT
        elif field == "feedback" and len(loc) > 3 and loc[3] != "kind":
            feedback = phase.get("feedback")
            if isinstance(feedback, dict):
                feedback.pop(loc[3], None)
        else:
            phase.pop(str(field), None)
        return loc[:4] if field == "feedback" else loc[:3]
    if top in _TOP_STAND_IN:
        data[top] = copy.deepcopy(_TOP_STAND_IN[top])
        return (top,)
    if top == "scale_groups" and len(loc) > 1:
        groups = data.get("scale_groups")
        if isinstance(groups, dict) and loc[1] in groups:
            if isinstance(loc[1], str) and _ID.match(loc[1]):
                groups[loc[1]] = _TEXT
            else:
                del groups[loc[1]]
            return loc[:2]
    if top == "feedback" and len(loc) > 1 and loc[1] != "kind":
        feedback = data.get("feedback")
        if isinstance(feedback, dict) and isinstance(loc[1], str):
            feedback.pop(loc[1], None)
            return loc[:2]
    data.pop(top, None)
    return (top,)


def _repair_questions(holder: dict[str, JSONValue], loc: Loc, at: int, n: int) -> Loc:
    questions = holder.get("questions")
    j = loc[at + 1] if len(loc) > at + 1 else None
    if not isinstance(questions, list) or not isinstance(j, int):
        holder["questions"] = [_stand_in_question(None, n)]
        return loc[: at + 1]
    if 0 <= j < len(questions):
        questions[j] = _stand_in_question(questions[j], n)
    return loc[: at + 2]


def _within(loc: Loc, parts: list[Loc]) -> bool:
    return any(loc[: len(part)] == part for part in parts)


def _reported(loc: Loc, replaced: list[Loc]) -> bool:
    """Whether a problem at ``loc`` is the template's own: outside the stand-ins, or at the id
    or ``show_if`` a question's stand-in kept from the template."""
    for part in replaced:
        if loc[: len(part)] != part:
            continue
        question = len(part) >= 2 and part[-2] == "questions" and isinstance(part[-1], int)
        if not (question and loc[len(part) : len(part) + 1] in (("id",), ("show_if",))):
            return False
    return True


def cross_problems(data: JSONValue, broken: list[Loc]) -> list[tuple[Loc, str, str]]:
    """The problems across fields of ``data`` once the ``broken`` locations are stood in for.

    ``broken`` are the (cleaned) locations of the field problems. Returns
    ``(location, message, hint)`` of each problem outside the stand-ins, or
    nothing if the template cannot be repaired far enough to check it.
    """
    if not isinstance(data, dict):
        return []
    work: dict[str, JSONValue] = copy.deepcopy(data)
    replaced: list[Loc] = []
    todo = list(broken)
    for _round in range(5):  # a stand-in may uncover a problem of the part holding it
        for loc in todo:
            if _within(loc, replaced):
                continue
            part = _repair(work, loc, len(replaced))
            if part is None:
                return []
            replaced.append(part)
        try:
            Template.model_validate(work)
        except ValidationError as exc:
            todo = []
            for err in exc.errors():
                error = (err.get("ctx") or {}).get("error")
                if isinstance(error, TemplateCheckError):
                    return [p for p in error.problems if _reported(p[0], replaced)]
                todo.append(clean_loc(tuple(err["loc"]), work))
            if not todo:
                return []
        except (ArithmeticError, TypeError, ValueError, RecursionError):
            return []
        else:
            return []
    return []


def clean_loc(loc: tuple[Any, ...], data: JSONValue) -> Loc:
    """A pydantic error location without its union tags (question types, feedback kinds),
    following the data: ``("questions", 0, "likert", "points")`` -> ``("questions", 0, "points")``."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        ):
            out.append(part)
            cur = cur[part]
        elif isinstance(part, str) and (part in _TAGS or "[" in part):
            continue
        else:
            out.append(part if isinstance(part, int | str) else str(part))
            cur = None
    return tuple(out)
