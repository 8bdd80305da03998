"""Building blocks shared by several question types (not a question type itself).

Messages (:func:`msg`, :class:`Label`, number formatting), coercion of
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
    "ChoiceBase",
    "Label",
    "TextBase",
    "as_value",
    "check_min_max",
    "fmt",
    "invalid_option",
    "join",
    "msg",
    "not_a_number",
    "out_of_range",
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
    """A problem with an answer: its code and the message in German and English."""
    return (code, de, en)


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


def join(values: list[str]) -> str:
    """``a, b, c``."""
    return ", ".join(values)


class Label:
    """German and English label of a question, quoted for messages."""

    def __init__(self, q: Question) -> None:
        self.de = f"„{q.label.de}“"
        self.en = f'"{q.label.en}"'


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
    return msg(
        "not_a_number",
        f"Bitte geben Sie bei {lab.de} eine Zahl an („{short(value)}“ ist keine Zahl).",
        f'Please enter a number for {lab.en} ("{short(value)}" is not a number).',
    )


def out_of_range(lab: Label, lo: float | None, hi: float | None) -> Message:
    """The problem "outside ``lo`` .. ``hi``" (either may be open)."""
    if lo is not None and hi is not None:
        de = f"zwischen {fmt(lo, 'de')} und {fmt(hi, 'de')}"
        en = f"between {fmt(lo, 'en')} and {fmt(hi, 'en')}"
    elif lo is not None:
        de, en = f"von mindestens {fmt(lo, 'de')}", f"of at least {fmt(lo, 'en')}"
    else:
        de, en = f"von höchstens {fmt(hi or 0, 'de')}", f"of at most {fmt(hi or 0, 'en')}"
    return msg(
        "out_of_range",
        f"Bitte geben Sie bei {lab.de} eine Zahl {de} an.",
        f"Please enter a number {en} for {lab.en}.",
    )


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
            n = self.min_length
            return INVALID, [
                msg(
                    "too_short",
                    f"Die Antwort auf {lab.de} ist zu kurz: bitte mindestens {n} Zeichen schreiben.",
                    f"The answer to {lab.en} is too short: please write at least {n} characters.",
                )
            ]
        if self.max_length is not None and len(text) > self.max_length:
            n = self.max_length
            return INVALID, [
                msg(
                    "too_long",
                    f"Die Antwort auf {lab.de} ist zu lang: bitte höchstens {n} Zeichen "
                    f"(jetzt {len(text)}).",
                    f"The answer to {lab.en} is too long: please write at most {n} characters "
                    f"(now {len(text)}).",
                )
            ]
        return text, []

    def wrong_text(self) -> Message:
        """The problem "not a text"."""
        lab = Label(self)
        return msg(
            "wrong_type",
            f"Bitte beantworten Sie {lab.de} mit einem Text.",
            f"Please answer {lab.en} with a text.",
        )

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
    return msg(
        "invalid_option",
        f"„{short(value)}“ ist bei {lab.de} keine mögliche Antwort. Möglich sind: {join(allowed)}.",
        f'"{short(value)}" is not a possible answer to {lab.en}. '
        f"Possible answers: {join(allowed)}.",
    )


def selection(
    lab: Label, value: JSONValue, allowed: list[str]
) -> tuple[list[str] | None, list[Message]]:
    """A list of distinct known option values, or problems."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        return None, [
            msg(
                "wrong_type",
                f"Bitte wählen Sie bei {lab.de} aus den vorgegebenen Antworten.",
                f"Please choose from the given answers to {lab.en}.",
            )
        ]
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    out: list[str] = []
    problems: list[Message] = []
    for item in items:
        v = as_value(item)
        if v is None or v not in allowed:
            problems.append(invalid_option(lab, item, allowed))
        elif v in out:
            problems.append(
                msg(
                    "duplicate",
                    f"Bei {lab.de} wurde „{v}“ mehrfach gewählt.",
                    f'"{v}" was chosen more than once for {lab.en}.',
                )
            )
        else:
            out.append(v)
    return (None if problems else out), problems


# --- rows (action items, goals) -------------------------------------------------------


def rows(
    lab: Label, value: JSONValue, what_de: str, what_en: str
) -> tuple[list[JSONValue] | None, Message]:
    """The rows of a list answer (one mapping counts as one row), and the "wrong type" problem."""
    if isinstance(value, Mapping):
        value = [value]
    ok = isinstance(value, list | tuple)
    return (list(value) if ok else None), (
        "wrong_type",
        f"Bitte tragen Sie bei {lab.de} {what_de} ein.",
        f"Please enter {what_en} for {lab.en}.",
    )
