"""A participant's answers in words: option and point labels instead of stored values.

What the feedback after submitting shows for each answer
(:mod:`transferkit.sheets.feedback`): a choice by its option's label, a Likert
answer by its point's label, a dot vote as points per option, an action item as
what / who / due and its status in words, a GAS goal with its levels in words
(:func:`gas_goal_words`). Every text comes from the template (labels) or the
catalogue (``answer_words.*``) and the vocabulary (statuses, GAS levels).

Examples
--------
>>> from transferkit.templates import load_template
>>> t = load_template("training_feedback")
>>> answer_in_words(t.question("format"), "tandem", "de")
'Lernpartnerschaft / Lern-Tandem'
>>> answer_in_words(t.question("recommend"), 9, "en")
'9 (scale 0–10)'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from transferkit.i18n import text
from transferkit.vocabulary import GAS_LEVEL_NAMES, STATUS_LABELS

if TYPE_CHECKING:
    from transferkit.store.values import JSONValue
    from transferkit.templates import Question

__all__ = ["answer_in_words", "gas_goal_words", "gas_level_words", "number_words"]


def number_words(value: float, lang: str) -> str:
    """A number as participants read it: ``3`` not ``3.0``, German decimal comma.

    >>> number_words(2.5, "de"), number_words(3.0, "en")
    ('2,5', '3')
    """
    shown = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return shown.replace(".", ",") if lang == "de" else shown


def _level_number(level: int) -> str:
    return f"+{level}" if level > 0 else ("−" + str(-level) if level < 0 else "0")


def gas_level_words(level: int, lang: str, description: str | None = None) -> str:
    """A GAS level in words: ``Stufe −1 (etwas schlechter als erwartet)``, with the goal's own
    description of that level if given.

    >>> gas_level_words(1, "en", "two rounds a month")
    'level +1 (somewhat better than expected): two rounds a month'
    """
    meaning = GAS_LEVEL_NAMES[lang].get(str(level), str(level))
    if description:
        return text(
            "answer_words.gas_level_described",
            lang,
            level=_level_number(level),
            meaning=meaning,
            description=description,
        )
    return text("answer_words.gas_level", lang, level=_level_number(level), meaning=meaning)


def _level(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = int(str(value).strip().replace("−", "-").lstrip("+"))
    except ValueError:
        return None
    return number if -2 <= number <= 2 else None


def gas_goal_words(goal: Mapping[str, Any], lang: str) -> str:
    """A GAS goal's levels in words: the baseline, and the follow-up if rated (else pending)."""
    levels = goal.get("levels")
    described: Mapping[str, Any] = levels if isinstance(levels, Mapping) else {}

    def words(level: int) -> str:
        own = described.get(str(level))
        return gas_level_words(level, lang, own if isinstance(own, str) and own.strip() else None)

    parts = []
    baseline = _level(goal.get("baseline"))
    if baseline is not None:
        parts.append(text("answer_words.gas_baseline", lang, level=words(baseline)))
    follow_up = _level(goal.get("follow_up"))
    if follow_up is not None:
        parts.append(text("answer_words.gas_follow_up", lang, level=words(follow_up)))
    else:
        parts.append(text("answer_words.gas_pending", lang))
    weight = goal.get("weight")
    if isinstance(weight, int | float) and not isinstance(weight, bool) and weight != 1:
        parts.append(text("answer_words.gas_weight", lang, weight=number_words(weight, lang)))
    return "; ".join(parts)


def _option_label(question: Question, value: object, lang: str) -> str:
    for option in getattr(question, "options", None) or []:
        if option.value == value:
            return str(option.label.get(lang))
    return _plain(value, lang)


def _plain(value: JSONValue, lang: str) -> str:
    if isinstance(value, bool):
        return text("answer_words.yes" if value else "answer_words.no", lang)
    if isinstance(value, int | float):
        return number_words(value, lang)
    if isinstance(value, list):
        return "; ".join(_plain(v, lang) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_plain(v, lang)}" for k, v in value.items())
    return "" if value is None else str(value)


def _points(n: object, lang: str) -> str:
    if n == 1:
        return text("answer_words.one_point", lang)
    return text("answer_words.points", lang, n=_plain(n, lang))


def answer_in_words(
    question: Question | None,
    value: JSONValue,
    lang: str = "de",
    *,
    idea_texts: Mapping[str, str] | None = None,
) -> str:
    """``value`` (a cleaned answer to ``question``) as a participant reads it.

    ``question`` ``None`` (an answer the template does not know) shows the value as it is.
    ``idea_texts`` (idea id → text) names the ideas of a dot vote over ideas.
    """
    kind = question.type if question is not None else ""
    if question is None:
        return _plain(value, lang)
    if kind == "single_choice":
        return _option_label(question, value, lang)
    if kind == "multi_choice" and isinstance(value, list):
        return "; ".join(_option_label(question, v, lang) for v in value)
    if kind == "ranking" and isinstance(value, list):
        return "; ".join(
            text("answer_words.rank", lang, n=i, label=_option_label(question, v, lang))
            for i, v in enumerate(value, start=1)
        )
    if kind == "likert":
        for point in getattr(question, "points", []):
            if point.value == value:
                label = str(point.label.get(lang))
                shown = _plain(value, lang)
                return label if label == shown else f"{label} ({shown})"
        return _plain(value, lang)
    if kind == "scale" and isinstance(value, int | float):
        low, high = getattr(question, "min", 0), getattr(question, "max", 0)
        return text(
            "answer_words.scale_value",
            lang,
            value=number_words(value, lang),
            min=number_words(low, lang),
            max=number_words(high, lang),
        )
    if kind == "number" and isinstance(value, int | float):
        unit = getattr(question, "unit", None)
        shown = number_words(value, lang)
        return f"{shown} {unit.get(lang)}" if unit is not None else shown
    if kind == "dot_vote" and isinstance(value, Mapping):
        ideas = idea_texts or {}
        return "; ".join(
            f"{ideas.get(key) or _option_label(question, key, lang)}: {_points(n, lang)}"
            for key, n in value.items()
            if n
        )
    if kind == "action_items" and isinstance(value, list):
        return "; ".join(_action_words(row, lang) for row in value if isinstance(row, Mapping))
    if kind == "gas_goal" and isinstance(value, list):
        return "; ".join(
            f"{row.get('goal') or '–'}: {gas_goal_words(row, lang)}"
            for row in value
            if isinstance(row, Mapping)
        )
    return _plain(value, lang)


def _action_words(row: Mapping[str, Any], lang: str) -> str:
    status = row.get("status") or "open"
    return text(
        "answer_words.action",
        lang,
        what=_plain(row.get("what"), lang) or "–",
        who=_plain(row.get("who"), lang) or text("answer_words.nobody", lang),
        due=_plain(row.get("due"), lang) or text("answer_words.no_date", lang),
        status=STATUS_LABELS[lang].get(str(status), str(status)),
    )
