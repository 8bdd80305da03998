"""Building blocks shared by several question types (not a question type itself).

Messages (:func:`problem` with texts from the ``answers`` area of
:mod:`transferkit.i18n`, :class:`Label`, number formatting), coercion of
numbers and option values, the text and choice bases, rows of items. Each
question type's module under ``templates/types/`` builds on these and on
:class:`~transferkit.templates.model.Question`.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Mapping

from pydantic import Field, field_validator, model_validator

from transferkit.i18n import text
from transferkit.templates.model import (
    INVALID,
    Cleaned,
    HintedError,
    JSONValue,
    LocalizedText,
    Message,
    Option,
    Question,
)

__all__ = [
    "SAMPLE_TEXTS",
    "Bilingual",
    "ChoiceBase",
    "Label",
    "TextBase",
    "as_value",
    "check_min_max",
    "count_problems",
    "fmt",
    "invalid_option",
    "join",
    "msg",
    "not_a_number",
    "number",
    "out_of_range",
    "problem",
    "rows",
    "selection",
    "short",
    "to_float",
    "to_int",
    "to_number",
]

#: Sample answers for free texts (:meth:`Question.example_answer`).
SAMPLE_TEXTS: tuple[str, ...] = (
    "Kurze Lernimpulse direkt am Arbeitsplatz",
    "Neues Ticketsystem im Team ausprobiert",
    "Wissensrunde am Montagmorgen eingeführt",
    "Checkliste für die Datenablage erstellt",
    "Austausch mit dem Partnerbetrieb im Netzwerk",
    "Micro-Learning zur IT-Sicherheit in der Pause",
    "Kollegiale Fallbesprechung zu einem Kundenprojekt",
    "Energieverbrauch der Fertigung sichtbar gemacht",
)


def msg(code: str, de: str, en: str) -> Message:
    """A problem with an answer: its code and the message in German and English, as
    given (the built-in types take their messages from the catalogue: :func:`problem`)."""
    return (code, de, en)


class Bilingual:
    """A value of a message that differs by language (a quoted label, a number)."""

    def __init__(self, de: str, en: str) -> None:
        self.de = de
        self.en = en


def problem(code: str, key: str | None = None, /, **values: object) -> Message:
    """The problem ``code`` with the message ``answers.<key>`` (``key`` defaults to
    ``code``) of the catalogue in German and English; a :class:`Bilingual` value is
    filled in with its part for each language.

    >>> problem("not_integer", label=Bilingual("„Alter“", '"Age"'))[::2]
    ('not_integer', 'Please enter a whole number for "Age".')
    """
    name = f"answers.{key or code}"
    de = {k: v.de if isinstance(v, Bilingual) else v for k, v in values.items()}
    en = {k: v.en if isinstance(v, Bilingual) else v for k, v in values.items()}
    return (code, text(name, "de", **de), text(name, "en", **en))


def count_problems(
    n: int, minimum: int | None, maximum: int | None, key: str, label: Bilingual
) -> list[Message]:
    """Too few or too many rows of a list answer: ``answers.<key>_too_few`` / ``_too_many``.

    No rows at all are not "too few" (an unanswered question is ``required``'s business).
    """
    if n and minimum is not None and n < minimum:
        return [problem("too_few", f"{key}_too_few", label=label, min=minimum, n=n)]
    if maximum is not None and n > maximum:
        return [problem("too_many", f"{key}_too_many", label=label, max=maximum, n=n)]
    return []


def check_min_max(low: int | None, high: int | None, low_name: str, high_name: str) -> None:
    """Raise :class:`HintedError` if ``low`` is above ``high`` (both given)."""
    if low is not None and high is not None and low > high:
        text = f"{low_name} ({low}) is larger than {high_name} ({high})"
        raise HintedError(text, f"make {low_name} at most {high_name}")


# --- formatting ---------------------------------------------------------------------


def fmt(x: float, lang: str) -> str:
    """A number for a message: ``2`` rather than ``2.0``, German decimal comma."""
    text = f"{x:g}" if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",") if lang == "de" else text


def short(value: object) -> str:
    """``value`` as a text of at most 40 characters, for a message."""
    text = _text(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: object) -> str:
    """``str(value)``, but never failing (huge ints, broken ``__str__``)."""
    try:
        return str(value)
    except (ValueError, TypeError, OverflowError):
        return f"<{type(value).__name__}>"


def number(x: float) -> Bilingual:
    """``x`` formatted for each language (:func:`fmt`)."""
    return Bilingual(fmt(x, "de"), fmt(x, "en"))


def join(values: list[str]) -> str:
    """``a, b, c``."""
    return ", ".join(values)


class Label(Bilingual):
    """German and English label of a question, quoted for messages."""

    def __init__(self, q: Question) -> None:
        super().__init__(f"„{q.label.de}“", f'"{q.label.en}"')


# --- numbers ------------------------------------------------------------------------


def to_number(value: object) -> float | int | None:
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


def to_int(value: object) -> int | None:
    """Coerce to an int if the value is a whole number (``"3"``, ``3.0``), else ``None``."""
    num = to_number(value)
    if num is None or isinstance(num, int):
        return num
    return int(num) if num.is_integer() else None


def to_float(value: object) -> float | None:
    """Coerce to a finite float, else ``None``."""
    num = to_number(value)
    if num is None:
        return None
    try:
        f = float(num)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def not_a_number(lab: Label, value: object) -> Message:
    """The problem "not a number"."""
    return problem("not_a_number", label=lab, value=short(value))


def out_of_range(lab: Label, lo: float | None, hi: float | None) -> Message:
    """The problem "outside ``lo`` .. ``hi``" (either may be open)."""
    if lo is not None and hi is not None:
        return problem(
            "out_of_range", "out_of_range_between", label=lab, min=number(lo), max=number(hi)
        )
    if lo is not None:
        return problem("out_of_range", "out_of_range_min", label=lab, min=number(lo))
    return problem("out_of_range", "out_of_range_max", label=lab, max=number(hi or 0))


# --- free texts ---------------------------------------------------------------------


class TextBase(Question):
    """Fields and length check of the free-text types (``text``, ``long_text``)."""

    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    placeholder: LocalizedText | None = None

    @model_validator(mode="after")
    def _lengths(self) -> TextBase:
        check_min_max(self.min_length, self.max_length, "min_length", "max_length")
        return self

    def check_length(self, text: str) -> Cleaned:
        """``text`` if it has ``min_length`` .. ``max_length`` characters, else the problem."""
        lab = Label(self)
        if self.min_length is not None and len(text) < self.min_length:
            return INVALID, [problem("too_short", label=lab, min=self.min_length)]
        if self.max_length is not None and len(text) > self.max_length:
            return INVALID, [problem("too_long", label=lab, max=self.max_length, n=len(text))]
        return text, []

    def wrong_text(self) -> Message:
        """The problem "not a text"."""
        return problem("wrong_type", "text_wrong_type", label=Label(self))

    def fit_length(self, text: str, rng: random.Random) -> str:
        """An example ``text`` padded or cut to ``min_length`` .. ``max_length``."""
        if self.min_length is not None:
            while len(text) < self.min_length:
                text += " " + rng.choice(SAMPLE_TEXTS)
        if self.max_length is not None:
            text = text[: self.max_length].strip() or "x"
        return text


# --- choices ------------------------------------------------------------------------


class ChoiceBase(Question):
    """Fields of the types that choose among ``options`` (single, multi, ranking)."""

    options: list[Option] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _distinct_values(cls, options: list[Option]) -> list[Option]:
        seen: set[str] = set()
        for opt in options:
            if opt.value in seen:
                text = f"duplicate option value {opt.value!r}"
                raise HintedError(text, "give every option its own `value`")
            seen.add(opt.value)
        return options

    def option_values(self) -> list[str]:
        """The option values, in order."""
        return [o.value for o in self.options]


def as_value(value: object) -> str | None:
    """An option value given as str (or a number that reads as one)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt(value, "en")
    return None


def invalid_option(lab: Label, value: object, allowed: list[str]) -> Message:
    """The problem "``value`` is not one of ``allowed``"."""
    return problem("invalid_option", label=lab, value=short(value), options=join(allowed))


def selection(
    lab: Label, value: JSONValue, allowed: list[str]
) -> tuple[list[str] | None, list[Message]]:
    """A list of distinct known option values, or problems."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        return None, [problem("wrong_type", "choice_wrong_type", label=lab)]
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    out: list[str] = []
    problems: list[Message] = []
    for item in items:
        v = as_value(item)
        if v is None or v not in allowed:
            problems.append(invalid_option(lab, item, allowed))
        elif v in out:
            problems.append(problem("duplicate", label=lab, value=v))
        else:
            out.append(v)
    return (None if problems else out), problems


# --- rows (action items, goals) -------------------------------------------------------


def rows(lab: Label, value: JSONValue, key: str) -> tuple[list[JSONValue] | None, Message]:
    """The rows of a list answer (one mapping counts as one row), and the "wrong type" problem
    (its message ``answers.<key>``)."""
    if isinstance(value, Mapping):
        value = [value]
    ok = isinstance(value, list | tuple)
    return (list(value) if ok else None), problem("wrong_type", key, label=lab)
