"""Answer validation and example answers for templates.

:meth:`Template.validate <transferkit.templates.Template.validate>` and
:meth:`Template.example_answers <transferkit.templates.Template.example_answers>`
call the two functions here. Messages are plain German and English that a
workshop participant understands; each names the question's label.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import random
from collections.abc import Callable, Mapping
from typing import Any

from transferkit.exceptions import AnswerProblem, AnswerValidationError
from transferkit.templates.model import (
    ACTION_STATUSES,
    ActionItemsQuestion,
    DotVoteQuestion,
    GasGoalQuestion,
    LikertQuestion,
    LongTextQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    Question,
    RankingQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Template,
    TextQuestion,
    is_empty,
)
from transferkit.vocabulary import STATUS_LABELS

__all__ = [
    "DRAFT_TOLERATED",
    "GAS_LEVELS",
    "example_answers",
    "is_empty",
    "validate_answers",
    "validate_draft",
]

#: Keys of the ``levels`` mapping of a GAS goal, from much worse to much better.
GAS_LEVELS: tuple[str, ...] = ("-2", "-1", "0", "1", "2")

_STATUS_DE = STATUS_LABELS["de"]
_ROW_KEYS = ("what", "who", "due", "status")
_GOAL_KEYS = ("goal", "weight", "levels", "baseline", "follow_up")

# A problem before it gets its question id: (code, German, English).
_Msg = tuple[str, str, str]
_INVALID = object()


def _msg(code: str, de: str, en: str) -> _Msg:
    return (code, de, en)


# --- formatting helpers -------------------------------------------------------


def _fmt(x: float, lang: str) -> str:
    """A number for a message: ``2`` rather than ``2.0``, German decimal comma."""
    text = f"{x:g}" if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",") if lang == "de" else text


def _short(value: Any) -> str:
    text = _text(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any) -> str:
    """``str(value)``, but never failing (huge ints, broken ``__str__``)."""
    try:
        return str(value)
    except (ValueError, TypeError, OverflowError):
        return f"<{type(value).__name__}>"


def _join(values: list[str]) -> str:
    return ", ".join(values)


class _Label:
    """German and English label of a question, quoted for messages."""

    def __init__(self, q: Question) -> None:
        self.de = f"„{q.label.de}“"
        self.en = f'"{q.label.en}"'


# --- numbers --------------------------------------------------------------------


def _to_number(value: Any) -> float | int | None:
    """Coerce ``value`` to a finite number if that is unambiguous, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not text or "_" in text:
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            f = float(text)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _to_int(value: Any) -> int | None:
    """Coerce to an int if the value is a whole number (``"3"``, ``3.0``), else ``None``."""
    num = _to_number(value)
    if num is None or isinstance(num, int):
        return num
    return int(num) if num.is_integer() else None


def _to_float(value: Any) -> float | None:
    """Coerce to a finite float, else ``None``."""
    num = _to_number(value)
    if num is None:
        return None
    try:
        f = float(num)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


# --- cleaners per question type ------------------------------------------------


def _clean_text(q: TextQuestion | LongTextQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    if isinstance(q, LongTextQuestion) and isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            return _INVALID, [_wrong_text(lab)]
        value = "\n".join(v.strip() for v in value if v.strip())
    if not isinstance(value, str):
        return _INVALID, [_wrong_text(lab)]
    text = value.replace("\r\n", "\n").strip()
    if isinstance(q, TextQuestion):
        text = " ".join(text.split())
    if q.min_length is not None and len(text) < q.min_length:
        n = q.min_length
        return _INVALID, [
            _msg(
                "too_short",
                f"Die Antwort auf {lab.de} ist zu kurz: bitte mindestens {n} Zeichen schreiben.",
                f"The answer to {lab.en} is too short: please write at least {n} characters.",
            )
        ]
    if q.max_length is not None and len(text) > q.max_length:
        n = q.max_length
        return _INVALID, [
            _msg(
                "too_long",
                f"Die Antwort auf {lab.de} ist zu lang: bitte höchstens {n} Zeichen "
                f"(jetzt {len(text)}).",
                f"The answer to {lab.en} is too long: please write at most {n} characters "
                f"(now {len(text)}).",
            )
        ]
    return text, []


def _wrong_text(lab: _Label) -> _Msg:
    return _msg(
        "wrong_type",
        f"Bitte beantworten Sie {lab.de} mit einem Text.",
        f"Please answer {lab.en} with a text.",
    )


def _as_value(value: Any) -> str | None:
    """An option value given as str (or a number that reads as one)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _fmt(value, "en")
    return None


def _invalid_option(lab: _Label, value: Any, allowed: list[str]) -> _Msg:
    return _msg(
        "invalid_option",
        f"„{_short(value)}“ ist bei {lab.de} keine mögliche Antwort. "
        f"Möglich sind: {_join(allowed)}.",
        f'"{_short(value)}" is not a possible answer to {lab.en}. '
        f"Possible answers: {_join(allowed)}.",
    )


def _clean_single(q: SingleChoiceQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    allowed = q.option_values()
    v = _as_value(value)
    if v is None or v not in allowed:
        return _INVALID, [_invalid_option(lab, value, allowed)]
    return v, []


def _selection(lab: _Label, value: Any, allowed: list[str]) -> tuple[list[str] | None, list[_Msg]]:
    """A list of distinct known option values, or problems."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        return None, [
            _msg(
                "wrong_type",
                f"Bitte wählen Sie bei {lab.de} aus den vorgegebenen Antworten.",
                f"Please choose from the given answers to {lab.en}.",
            )
        ]
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    out: list[str] = []
    problems: list[_Msg] = []
    for item in items:
        v = _as_value(item)
        if v is None or v not in allowed:
            problems.append(_invalid_option(lab, item, allowed))
        elif v in out:
            problems.append(
                _msg(
                    "duplicate",
                    f"Bei {lab.de} wurde „{v}“ mehrfach gewählt.",
                    f'"{v}" was chosen more than once for {lab.en}.',
                )
            )
        else:
            out.append(v)
    return (None if problems else out), problems


def _clean_multi(q: MultiChoiceQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    allowed = q.option_values()
    chosen, problems = _selection(lab, value, allowed)
    if chosen is None:
        return _INVALID, problems
    n = len(chosen)
    if q.min_selected is not None and 0 < n < q.min_selected:
        k = q.min_selected
        return _INVALID, [
            _msg(
                "too_few",
                f"Bitte wählen Sie bei {lab.de} mindestens {k} Antworten (jetzt {n}).",
                f"Please choose at least {k} answers for {lab.en} (now {n}).",
            )
        ]
    if q.max_selected is not None and n > q.max_selected:
        k = q.max_selected
        return _INVALID, [
            _msg(
                "too_many",
                f"Bitte wählen Sie bei {lab.de} höchstens {k} Antworten (jetzt {n}).",
                f"Please choose at most {k} answers for {lab.en} (now {n}).",
            )
        ]
    return [v for v in allowed if v in chosen], []


def _clean_likert(q: LikertQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    values = q.point_values()
    v = _to_int(value)
    if v is None or v not in values:
        shown = _join([str(x) for x in values])
        return _INVALID, [
            _msg(
                "invalid_point",
                f"Bitte wählen Sie bei {lab.de} einen der Werte {shown} "
                f"(„{_short(value)}“ ist nicht möglich).",
                f"Please choose one of the values {shown} for {lab.en} "
                f'("{_short(value)}" is not possible).',
            )
        ]
    return v, []


def _not_a_number(lab: _Label, value: Any) -> _Msg:
    return _msg(
        "not_a_number",
        f"Bitte geben Sie bei {lab.de} eine Zahl an („{_short(value)}“ ist keine Zahl).",
        f'Please enter a number for {lab.en} ("{_short(value)}" is not a number).',
    )


def _out_of_range(lab: _Label, lo: float | None, hi: float | None) -> _Msg:
    if lo is not None and hi is not None:
        de = f"zwischen {_fmt(lo, 'de')} und {_fmt(hi, 'de')}"
        en = f"between {_fmt(lo, 'en')} and {_fmt(hi, 'en')}"
    elif lo is not None:
        de, en = f"von mindestens {_fmt(lo, 'de')}", f"of at least {_fmt(lo, 'en')}"
    else:
        de, en = f"von höchstens {_fmt(hi or 0, 'de')}", f"of at most {_fmt(hi or 0, 'en')}"
    return _msg(
        "out_of_range",
        f"Bitte geben Sie bei {lab.de} eine Zahl {de} an.",
        f"Please enter a number {en} for {lab.en}.",
    )


def _clean_scale(q: ScaleQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    num = _to_number(value)
    if num is None:
        return _INVALID, [_not_a_number(lab, value)]
    tol = 1e-9 * max(1.0, abs(q.max), abs(q.min))
    if num < q.min - tol or num > q.max + tol:
        return _INVALID, [_out_of_range(lab, q.min, q.max)]
    steps = (num - q.min) / q.step
    if abs(steps - round(steps)) > 1e-6:
        return _INVALID, [
            _msg(
                "step",
                f"Bei {lab.de} sind nur Werte in Schritten von {_fmt(q.step, 'de')} "
                f"ab {_fmt(q.min, 'de')} möglich.",
                f"Only values in steps of {_fmt(q.step, 'en')} from {_fmt(q.min, 'en')} "
                f"are possible for {lab.en}.",
            )
        ]
    snapped = q.min + round(steps) * q.step
    if q.is_integer():
        return round(snapped), []
    return float(round(snapped, 10)), []


def _clean_number(q: NumberQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    num = _to_number(value)
    if num is None:
        return _INVALID, [_not_a_number(lab, value)]
    if q.integer and not isinstance(num, int):
        if not num.is_integer():
            return _INVALID, [
                _msg(
                    "not_integer",
                    f"Bitte geben Sie bei {lab.de} eine ganze Zahl an.",
                    f"Please enter a whole number for {lab.en}.",
                )
            ]
        num = int(num)
    if (q.min is not None and num < q.min) or (q.max is not None and num > q.max):
        return _INVALID, [_out_of_range(lab, q.min, q.max)]
    return num, []


def _clean_ranking(q: RankingQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    allowed = q.option_values()
    if isinstance(value, set | frozenset | str):
        value = None  # a ranking needs an order
    ranked, problems = _selection(lab, value, allowed)
    if ranked is None:
        return _INVALID, problems
    wanted = q.top_n or len(allowed)
    if len(ranked) != wanted:
        missing = [v for v in allowed if v not in ranked]
        if q.top_n is None:
            de = f"Bitte bringen Sie bei {lab.de} alle Möglichkeiten in eine Reihenfolge; "
            de += f"es fehlen: {_join(missing)}."
            en = f"Please put all choices for {lab.en} in order; missing: {_join(missing)}."
        else:
            de = f"Bitte nennen Sie bei {lab.de} genau {wanted} Möglichkeiten in Reihenfolge "
            de += f"(jetzt {len(ranked)})."
            en = f"Please rank exactly {wanted} choices for {lab.en} (now {len(ranked)})."
        return _INVALID, [("incomplete_ranking", de, en)]
    return ranked, []


def _clean_dot_vote(q: DotVoteQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    if not isinstance(value, Mapping):
        return _INVALID, [
            _msg(
                "wrong_type",
                f"Bitte verteilen Sie bei {lab.de} Punkte auf die "
                f"{'Ideen' if q.source == 'ideas' else 'Möglichkeiten'}.",
                f"Please distribute points over the "
                f"{'ideas' if q.source == 'ideas' else 'choices'} for {lab.en}.",
            )
        ]
    allowed = q.option_values()
    out: dict[str, int] = {}
    problems: list[_Msg] = []
    for key, points in value.items():
        k = _as_value(key)
        if k is None or not k or (q.source == "options" and k not in allowed):
            if q.source == "options":
                problems.append(_invalid_option(lab, key, allowed))
            else:
                problems.append(
                    _msg(
                        "invalid_idea",
                        f"Bei {lab.de} ist „{_short(key)}“ keine gültige Idee.",
                        f'"{_short(key)}" is not a valid idea for {lab.en}.',
                    )
                )
            continue
        n = _to_int(points)
        if n is None or n < 0:
            problems.append(
                _msg(
                    "invalid_points",
                    f"Bei {lab.de} sind nur ganze Punktzahlen ab 0 möglich "
                    f"(„{_short(points)}“ für „{k}“).",
                    f"Only whole numbers of points from 0 are possible for {lab.en} "
                    f'("{_short(points)}" for "{k}").',
                )
            )
            continue
        if k in out:
            problems.append(
                _msg(
                    "duplicate",
                    f"Bei {lab.de} wurde „{k}“ mehrfach genannt.",
                    f'"{k}" appears more than once for {lab.en}.',
                )
            )
            continue
        if q.max_per_item is not None and n > q.max_per_item:
            m = q.max_per_item
            problems.append(
                _msg(
                    "too_many_points",
                    f"Bei {lab.de} sind höchstens {m} Punkte pro Eintrag möglich („{k}“ hat {n}).",
                    f'At most {m} points per entry are possible for {lab.en} ("{k}" has {n}).',
                )
            )
            continue
        out[k] = n
    if problems:
        return _INVALID, problems
    total = sum(out.values())
    if total > q.budget:
        return _INVALID, [
            _msg(
                "over_budget",
                f"Bei {lab.de} haben Sie {total} Punkte vergeben; möglich sind höchstens "
                f"{q.budget}.",
                f"You gave {total} points for {lab.en}; at most {q.budget} are possible.",
            )
        ]
    return out, []


def _iso_date(value: Any) -> str | None:
    """An ISO date string (``YYYY-MM-DD``) from a str, date or datetime, else ``None``."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if len(text) != 10:
            return None
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    return None


def _rows(lab: _Label, value: Any, what_de: str, what_en: str) -> tuple[list[Any] | None, _Msg]:
    if isinstance(value, Mapping):
        value = [value]
    ok = isinstance(value, list | tuple)
    return (list(value) if ok else None), (
        "wrong_type",
        f"Bitte tragen Sie bei {lab.de} {what_de} ein.",
        f"Please enter {what_en} for {lab.en}.",
    )


def _clean_action_items(q: ActionItemsQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    rows, wrong = _rows(
        lab, value, "Maßnahmen (was, wer, bis wann)", "action items (what, who, due)"
    )
    if rows is None:
        return _INVALID, [wrong]
    out: list[dict[str, Any]] = []
    problems: list[_Msg] = []
    for i, row in enumerate(rows, start=1):
        pre_de, pre_en = f"Bei {lab.de}, Maßnahme {i}:", f"{lab.en}, action item {i}:"
        if not isinstance(row, Mapping):
            problems.append(
                _msg(
                    "invalid_row",
                    f"{pre_de} bitte „was“, „wer“, „bis wann“ und „Status“ angeben.",
                    f"{pre_en} please give what, who, due and status.",
                )
            )
            continue
        if all(is_empty(row.get(k)) for k in _ROW_KEYS if k != "status"):
            continue  # an empty row of a form
        extra = [str(k) for k in row if k not in _ROW_KEYS]
        if extra:
            problems.append(
                _msg(
                    "unknown_field",
                    f"{pre_de} unbekannte Angabe {_join(extra)}; möglich sind "
                    f"what, who, due, status.",
                    f"{pre_en} unknown field {_join(extra)}; use what, who, due, status.",
                )
            )
        what = row.get("what")
        if not isinstance(what, str) or not what.strip():
            problems.append(
                _msg(
                    "missing_what",
                    f"{pre_de} bitte angeben, was zu tun ist.",
                    f"{pre_en} please say what is to be done.",
                )
            )
        who = row.get("who")
        if who is not None and not isinstance(who, str):
            problems.append(
                _msg(
                    "invalid_who",
                    f"{pre_de} bitte bei „wer“ einen Namen oder ein Kürzel als Text angeben.",
                    f"{pre_en} please give who as a text (a name or code).",
                )
            )
        due_raw = row.get("due")
        due = None if is_empty(due_raw) else _iso_date(due_raw)
        if not is_empty(due_raw) and due is None:
            problems.append(
                _msg(
                    "invalid_date",
                    f"{pre_de} das Datum „{_short(due_raw)}“ ist ungültig; bitte als "
                    f"JJJJ-MM-TT angeben, z. B. 2025-03-31.",
                    f'{pre_en} the date "{_short(due_raw)}" is invalid; please write '
                    f"YYYY-MM-DD, e.g. 2025-03-31.",
                )
            )
        status = row.get("status")
        status = "open" if is_empty(status) else status
        if status not in ACTION_STATUSES:
            shown_de = _join([f"{s} ({_STATUS_DE[s]})" for s in ACTION_STATUSES])
            problems.append(
                _msg(
                    "invalid_status",
                    f"{pre_de} der Status „{_short(status)}“ ist unbekannt; möglich sind: "
                    f"{shown_de}.",
                    f'{pre_en} unknown status "{_short(status)}"; use one of: '
                    f"{_join(list(ACTION_STATUSES))}.",
                )
            )
        if not problems:
            out.append(
                {
                    "what": str(what).strip(),
                    "who": (who or "").strip(),
                    "due": due,
                    "status": status,
                }
            )
    if problems:
        return _INVALID, problems
    n = len(out)
    if n and q.min_items is not None and n < q.min_items:
        return _INVALID, [
            _msg(
                "too_few",
                f"Bitte tragen Sie bei {lab.de} mindestens {q.min_items} Maßnahmen ein "
                f"(jetzt {n}).",
                f"Please enter at least {q.min_items} action items for {lab.en} (now {n}).",
            )
        ]
    if q.max_items is not None and n > q.max_items:
        return _INVALID, [
            _msg(
                "too_many",
                f"Bitte tragen Sie bei {lab.de} höchstens {q.max_items} Maßnahmen ein (jetzt {n}).",
                f"Please enter at most {q.max_items} action items for {lab.en} (now {n}).",
            )
        ]
    return out, []


def _level_key(key: Any) -> str | None:
    """Normalise a GAS level key (``-2``, ``"+1"``, ``" 0"``) to ``"-2"`` .. ``"2"``."""
    n = _to_int(key)
    return str(n) if n is not None and -2 <= n <= 2 else None


def _gas_level(value: Any) -> int | None:
    n = _to_int(value)
    return n if n is not None and -2 <= n <= 2 else None


def _clean_gas_goal(q: GasGoalQuestion, value: Any) -> tuple[Any, list[_Msg]]:
    lab = _Label(q)
    rows, wrong = _rows(lab, value, "Ziele", "goals")
    if rows is None:
        return _INVALID, [wrong]
    out: list[dict[str, Any]] = []
    problems: list[_Msg] = []
    for i, row in enumerate(rows, start=1):
        pre_de, pre_en = f"Bei {lab.de}, Ziel {i}:", f"{lab.en}, goal {i}:"
        if not isinstance(row, Mapping):
            problems.append(
                _msg(
                    "invalid_goal",
                    f"{pre_de} bitte Ziel, Gewicht, fünf Stufen und Ausgangsstufe angeben.",
                    f"{pre_en} please give goal, weight, five levels and baseline.",
                )
            )
            continue
        if all(is_empty(v) for v in row.values()):
            continue
        row_problems: list[_Msg] = []
        extra = [str(k) for k in row if k not in _GOAL_KEYS]
        if extra:
            row_problems.append(
                _msg(
                    "unknown_field",
                    f"{pre_de} unbekannte Angabe {_join(extra)}; möglich sind "
                    f"{_join(list(_GOAL_KEYS))}.",
                    f"{pre_en} unknown field {_join(extra)}; use {_join(list(_GOAL_KEYS))}.",
                )
            )
        goal = row.get("goal")
        if not isinstance(goal, str) or not goal.strip():
            row_problems.append(
                _msg(
                    "missing_goal",
                    f"{pre_de} bitte das Ziel beschreiben.",
                    f"{pre_en} please describe the goal.",
                )
            )
        weight_raw = row.get("weight")
        weight = 1.0 if weight_raw is None else _to_float(weight_raw)
        if weight is None or weight <= 0:
            row_problems.append(
                _msg(
                    "invalid_weight",
                    f"{pre_de} das Gewicht muss eine Zahl größer als 0 sein "
                    f"(„{_short(weight_raw)}“).",
                    f'{pre_en} the weight must be a number above 0 ("{_short(weight_raw)}").',
                )
            )
        levels_raw = row.get("levels")
        levels: dict[str, str] = {}
        levels_ok = isinstance(levels_raw, Mapping)
        if isinstance(levels_raw, Mapping):
            for key, text in levels_raw.items():
                k = _level_key(key)
                if k is None or k in levels or not isinstance(text, str) or not text.strip():
                    levels_ok = False
                    break
                levels[k] = text.strip()
        if not levels_ok or set(levels) != set(GAS_LEVELS):
            row_problems.append(
                _msg(
                    "invalid_levels",
                    f"{pre_de} bitte alle fünf Stufen von -2 (viel schlechter als erwartet) "
                    f"bis +2 (viel besser als erwartet) mit einem Text beschreiben.",
                    f"{pre_en} please describe all five levels from -2 (much worse than "
                    f"expected) to +2 (much better than expected) with a text.",
                )
            )
        baseline = _gas_level(row.get("baseline"))
        if baseline is None:
            row_problems.append(
                _msg(
                    "invalid_baseline",
                    f"{pre_de} bitte die Ausgangsstufe als ganze Zahl von -2 bis 2 angeben.",
                    f"{pre_en} please give the baseline level as a whole number from -2 to 2.",
                )
            )
        follow_raw = row.get("follow_up")
        follow_up = None if is_empty(follow_raw) else _gas_level(follow_raw)
        if (not is_empty(follow_raw) and follow_up is None) or (
            follow_up is None and q.follow_up_required
        ):
            row_problems.append(
                _msg(
                    "invalid_follow_up",
                    f"{pre_de} bitte die erreichte Stufe als ganze Zahl von -2 bis 2 angeben.",
                    f"{pre_en} please give the level reached as a whole number from -2 to 2.",
                )
            )
        if row_problems:
            problems += row_problems
            continue
        out.append(
            {
                "goal": str(goal).strip(),
                "weight": float(weight or 1.0),
                "levels": {k: levels[k] for k in GAS_LEVELS},
                "baseline": baseline,
                "follow_up": follow_up,
            }
        )
    if problems:
        return _INVALID, problems
    n = len(out)
    if n and q.min_goals is not None and n < q.min_goals:
        return _INVALID, [
            _msg(
                "too_few",
                f"Bitte formulieren Sie bei {lab.de} mindestens {q.min_goals} Ziele (jetzt {n}).",
                f"Please set at least {q.min_goals} goals for {lab.en} (now {n}).",
            )
        ]
    if q.max_goals is not None and n > q.max_goals:
        return _INVALID, [
            _msg(
                "too_many",
                f"Bitte formulieren Sie bei {lab.de} höchstens {q.max_goals} Ziele (jetzt {n}).",
                f"Please set at most {q.max_goals} goals for {lab.en} (now {n}).",
            )
        ]
    return out, []


_CLEANERS: dict[str, Callable[[Any, Any], tuple[Any, list[_Msg]]]] = {
    "text": _clean_text,
    "long_text": _clean_text,
    "single_choice": _clean_single,
    "multi_choice": _clean_multi,
    "likert": _clean_likert,
    "scale": _clean_scale,
    "number": _clean_number,
    "ranking": _clean_ranking,
    "dot_vote": _clean_dot_vote,
    "action_items": _clean_action_items,
    "gas_goal": _clean_gas_goal,
}


# --- public ----------------------------------------------------------------------


def validate_answers(
    template: Template, answers: Any, *, phase: str | None = None
) -> dict[str, Any]:
    """Validate ``answers`` against ``template`` (see :meth:`Template.validate`).

    Raises
    ------
    AnswerValidationError
        Listing every problem, in German and English.
    TemplateError
        If ``phase`` is not a phase of the template.
    """
    questions = template.all_questions(phase)
    if not isinstance(answers, Mapping):
        raise AnswerValidationError(
            template.id,
            [
                AnswerProblem(
                    "*",
                    "not_a_dict",
                    "Die Antworten müssen als Zuordnung Frage → Antwort übergeben werden "
                    f"(erhalten: {type(answers).__name__}).",
                    "Answers must be a mapping of question id to answer "
                    f"(got {type(answers).__name__}).",
                )
            ],
        )
    problems: list[AnswerProblem] = []
    known = {q.id for q in questions}
    for key in answers:
        if key in known:
            continue
        other = template.phase_of(key) if isinstance(key, str) else None
        if other is not None:
            de = f"Die Frage „{_short(key)}“ gehört zur Phase „{other}“, nicht zu „{phase}“."
            en = f'The question "{_short(key)}" belongs to phase "{other}", not "{phase}".'
        else:
            de = f"Die Frage „{_short(key)}“ gibt es in diesem Bogen nicht."
            en = f'There is no question "{_short(key)}" on this sheet.'
        problems.append(AnswerProblem(_short(key), "unknown_question", de, en))
    cleaned: dict[str, Any] = {}
    for q in questions:
        if q.show_if is not None and not q.show_if.is_met(cleaned):
            continue
        raw = answers.get(q.id)
        value: Any = None
        if not is_empty(raw):
            value, msgs = _CLEANERS[q.type](q, raw)
            if msgs:
                problems += [AnswerProblem(q.id, *m) for m in msgs]
                continue
        if is_empty(value):
            if q.required:
                lab = _Label(q)
                question = q.label.de.rstrip().endswith("?")
                problems.append(
                    AnswerProblem(
                        q.id,
                        "required",
                        f"Bitte beantworten Sie {'die Frage ' if question else ''}{lab.de}.",
                        f"Please answer {'the question ' if question else ''}{lab.en}.",
                    )
                )
            continue
        cleaned[q.id] = value
    if problems:
        raise AnswerValidationError(template.id, problems)
    return cleaned


#: Problems a half-filled sheet may have while it is being filled in (a draft keeps them):
#: unfinished answers, and a number or text in the middle of being typed.
DRAFT_TOLERATED = frozenset({
    "required", "too_short", "too_few", "missing_what", "missing_goal", "too_long",
    "not_a_number", "out_of_range", "step", "not_integer",
})
_DRAFT_MAX_TEXT = 20_000  # characters of one answer in a draft, whatever the template says


def validate_draft(
    template: Template, answers: Any, *, phase: str | None = None
) -> dict[str, Any]:
    """Check a draft (the answers so far) with the rules of :func:`validate_answers`.

    A draft may be unfinished (:data:`DRAFT_TOLERATED`: missing, too short,
    a number half typed), but has the shape of real answers: only the sheet's
    question ids, values of the question's type and options, no answer text
    longer than 20,000 characters. Returns the draft's non-empty values as
    given (so that the participant sees what they typed); raises one
    :class:`AnswerValidationError` listing every other problem.
    """
    questions = template.all_questions(phase)
    if not isinstance(answers, Mapping):
        return validate_answers(template, answers, phase=phase)  # the not_a_dict problem
    by_id = {q.id: q for q in questions}
    problems: list[AnswerProblem] = []
    kept: dict[str, Any] = {}
    for key, raw in answers.items():
        q = by_id.get(key) if isinstance(key, str) else None
        if q is None:
            de = f"Die Frage „{_short(key)}“ gibt es in diesem Bogen nicht."
            en = f'There is no question "{_short(key)}" on this sheet.'
            problems.append(AnswerProblem(_short(key), "unknown_question", de, en))
            continue
        if is_empty(raw):
            continue
        if _text_size(raw) > _DRAFT_MAX_TEXT:
            problems.append(AnswerProblem(
                q.id, "too_long",
                f"Die Antwort auf {_Label(q).de} ist zu lang.",
                f"The answer to {_Label(q).en} is too long.",
            ))
            continue
        _value, msgs = _CLEANERS[q.type](q, raw)
        serious = [m for m in msgs if m[0] not in DRAFT_TOLERATED]
        if serious:
            problems += [AnswerProblem(q.id, *m) for m in serious]
            continue
        kept[q.id] = raw
    if problems:
        raise AnswerValidationError(template.id, problems)
    return kept


def _text_size(value: Any) -> int:
    """Characters of text in a (nested) answer value."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_text_size(k) + _text_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(_text_size(v) for v in value)
    return 0


# --- example answers ----------------------------------------------------------------

_SAMPLE_TEXTS = (
    "Kurze Lernimpulse direkt am Arbeitsplatz",
    "Neues Ticketsystem im Team ausprobiert",
    "Wissensrunde am Montagmorgen eingeführt",
    "Checkliste für die Datenablage erstellt",
    "Austausch mit dem Partnerbetrieb im Netzwerk",
    "Micro-Learning zur IT-Sicherheit in der Pause",
    "Kollegiale Fallbesprechung zu einem Kundenprojekt",
    "Energieverbrauch der Fertigung sichtbar gemacht",
)
_SAMPLE_ACTIONS = (
    "Checkliste für die Datenablage erstellen",
    "Micro-Learning zur IT-Sicherheit an alle verteilen",
    "Wissensrunde zum neuen Ticketsystem organisieren",
    "Energieverbrauch der Fertigung monatlich auswerten",
    "Erfahrungen beim nächsten Netzwerktreffen vorstellen",
    "Lern-Tandems für das ERP-System bilden",
)
_SAMPLE_GOALS = (
    "Anfragen werden vollständig im Ticketsystem bearbeitet",
    "Mitarbeitende nutzen wöchentlich ein Micro-Learning",
    "Materialausschuss in der Fertigung sinkt",
    "Ein KI-Assistent unterstützt die Angebotserstellung",
    "Jedes Team führt monatlich eine Wissensrunde durch",
)
_SAMPLE_PEOPLE = ("AB12", "KM07", "TR33", "Team Vertrieb", "Projektleitung")
_GAS_TEXTS = (
    "viel schlechter als erwartet",
    "etwas schlechter als erwartet",
    "erwartetes Ergebnis",
    "etwas besser als erwartet",
    "viel besser als erwartet",
)


def _example_text(q: TextQuestion | LongTextQuestion, rng: random.Random) -> str:
    if isinstance(q, LongTextQuestion):
        n = rng.randint(2, 4)
        text = "\n".join(rng.sample(_SAMPLE_TEXTS, n))
    else:
        text = rng.choice(_SAMPLE_TEXTS)
    if q.min_length is not None:
        while len(text) < q.min_length:
            text += " " + rng.choice(_SAMPLE_TEXTS)
    if q.max_length is not None:
        text = text[: q.max_length].strip() or "x"
    return text


def _example_value(q: Question, rng: random.Random, answers: dict[str, Any]) -> Any:
    if isinstance(q, TextQuestion | LongTextQuestion):
        return _example_text(q, rng)
    if isinstance(q, SingleChoiceQuestion):
        return rng.choice(q.option_values())
    if isinstance(q, MultiChoiceQuestion):
        values = q.option_values()
        lo = max(q.min_selected or 1, 1)
        hi = min(q.max_selected or len(values), len(values))
        chosen = set(rng.sample(values, rng.randint(lo, max(lo, hi))))
        return [v for v in values if v in chosen]
    if isinstance(q, LikertQuestion):
        return rng.choice(q.point_values())
    if isinstance(q, ScaleQuestion):
        steps = round((q.max - q.min) / q.step)
        value = q.min + rng.randint(0, steps) * q.step
        return round(value) if q.is_integer() else float(round(value, 10))
    if isinstance(q, NumberQuestion):
        low = q.min if q.min is not None else min(0.0, q.max if q.max is not None else 0.0)
        high = q.max if q.max is not None else low + 100.0
        if math.ceil(low) <= math.floor(high) and (
            q.integer or (float(low).is_integer() and float(high).is_integer())
        ):
            return rng.randint(math.ceil(low), math.floor(high))
        return min(max(round(rng.uniform(low, high), 1), low), high)
    if isinstance(q, RankingQuestion):
        values = q.option_values()
        rng.shuffle(values)
        return values[: q.top_n or len(values)]
    if isinstance(q, DotVoteQuestion):
        if q.source == "options":
            keys = q.option_values()
        else:
            ideas = answers.get(q.ideas_from or "", "")
            n = len(ideas.splitlines()) if isinstance(ideas, str) and ideas else 3
            keys = [f"idea_{i}" for i in range(1, n + 1)]
        votes = dict.fromkeys(keys, 0)
        cap = q.max_per_item or q.budget
        for _ in range(q.budget):
            open_keys = [k for k in keys if votes[k] < cap]
            if not open_keys:
                break
            votes[rng.choice(open_keys)] += 1
        return {k: v for k, v in votes.items() if v} or {keys[0]: 0}
    if isinstance(q, ActionItemsQuestion):
        lo = max(q.min_items or 1, 1)
        hi = max(lo, min(q.max_items or 3, 3))
        start = _dt.date(2025, 1, 6)
        return [
            {
                "what": rng.choice(_SAMPLE_ACTIONS),
                "who": rng.choice(_SAMPLE_PEOPLE),
                "due": (start + _dt.timedelta(days=rng.randint(7, 90))).isoformat(),
                "status": rng.choice(ACTION_STATUSES),
            }
            for _ in range(rng.randint(lo, hi))
        ]
    if isinstance(q, GasGoalQuestion):
        lo = max(q.min_goals or 1, 1)
        hi = max(lo, min(q.max_goals or 3, 3))
        goals = []
        for _ in range(rng.randint(lo, hi)):
            topic = rng.choice(_SAMPLE_GOALS)
            goals.append(
                {
                    "goal": topic,
                    "weight": float(rng.choice([1, 1, 2, 3])),
                    "levels": {
                        k: f"{topic}: {t}" for k, t in zip(GAS_LEVELS, _GAS_TEXTS, strict=True)
                    },
                    "baseline": rng.choice([-2, -1]),
                    "follow_up": rng.randint(-2, 2),
                }
            )
        return goals
    msg = f"no example for question type {q.type!r}"  # pragma: no cover
    raise NotImplementedError(msg)  # pragma: no cover


def example_answers(
    template: Template, *, phase: str | None = None, seed: int = 0
) -> dict[str, Any]:
    """Complete, valid answers for ``template`` (or one ``phase``), deterministic per ``seed``.

    Every visible question is answered, optional ones too; questions hidden by
    ``show_if`` are left out.
    """
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    for q in template.all_questions(phase):
        if q.show_if is not None and not q.show_if.is_met(answers):
            continue
        answers[q.id] = _example_value(q, rng, answers)
    return answers
