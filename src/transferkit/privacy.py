"""Pseudonymous participant codes: random codes, self-generated codes, name checks.

Respondents are people. transferkit stores no names: every participant is a
short code. Two kinds of code are supported:

- a **random code** handed out by the moderator (:func:`new_participant_code`),
  six characters from an alphabet without look-alikes (no ``0/O``, ``1/I/L``),
  e.g. ``"K7M4QX"``;
- a **self-generated identification code** (SGIC, :func:`self_generated_code`)
  that a respondent can rebuild from facts only they know, so that pre and
  post answers can be linked without anyone keeping a list of names.

Free text can still name people ("Frau Berger hat mir gezeigt …"):
:func:`without_free_text` removes it from a table of responses before it is
shared, keeping the numbers and choices.
"""

from __future__ import annotations

import math
import numbers
import random
import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "is_valid_code",
    "looks_like_name",
    "new_participant_code",
    "normalize_letter",
    "self_generated_code",
    "without_free_text",
]

#: Characters of random codes: upper-case letters and digits without look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Length of random codes.
CODE_LENGTH = 6

_RANDOM_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
# SGIC: mother's letter, birth day 01-31, street letter, optional father's letter.
_SGIC = re.compile(r"[A-Z](0[1-9]|[12][0-9]|3[01])[A-Z]{1,2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# letters that Unicode decomposition does not reduce to A-Z
_SPECIAL_LETTERS = {"ß": "S", "ẞ": "S", "Æ": "A", "Ø": "O", "Œ": "O", "Ł": "L", "Đ": "D", "Þ": "T"}


def new_participant_code(rng: random.Random | None = None, length: int = CODE_LENGTH) -> str:
    """Return a new random participant code such as ``"K7M4QX"``.

    ``rng`` makes codes reproducible (tests, demo data); without it the
    operating system's secure random source is used.

    >>> new_participant_code(random.Random(1))
    'EV643C'
    >>> is_valid_code(new_participant_code())
    True
    """
    if length < 4:
        msg = f"a participant code needs at least 4 characters, got length={length}"
        raise ValueError(msg)
    chooser = rng.choice if rng is not None else secrets.choice
    return "".join(chooser(CODE_ALPHABET) for _ in range(length))


def normalize_letter(text: str, what: str = "letter") -> str:
    """Return the first letter of ``text`` as one upper-case ASCII letter.

    Case and diacritics are normalised (``"ä"`` → ``"A"``, ``"ß"`` → ``"S"``,
    ``"é"`` → ``"E"``), so a respondent gets the same code however they type.

    >>> normalize_letter("özlem")
    'O'
    >>> normalize_letter(" Ärger")
    'A'
    """
    stripped = str(text).strip()
    if not stripped:
        msg = f"{what}: please enter a letter (A-Z), got nothing"
        raise ValueError(msg)
    char = stripped[0]
    first = _SPECIAL_LETTERS.get(char) or _SPECIAL_LETTERS.get(char.upper()) or char.upper()
    decomposed = unicodedata.normalize("NFKD", first)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if len(base) != 1 or not ("A" <= base <= "Z"):
        msg = f"{what}: please enter a letter A-Z (umlauts are fine), got {stripped[0]!r}"
        raise ValueError(msg)
    return base


def self_generated_code(
    mother_first_letter: str,
    birth_day: int | str,
    street_first_letter: str,
    father_first_letter: str | None = None,
) -> str:
    """Return a self-generated identification code (SGIC).

    The respondent answers three (or four) questions only they can answer
    the same way again, and the code is built from the answers:

    1. first letter of the mother's first name,
    2. own day of birth (1-31, two digits),
    3. first letter of the street the respondent grew up in,
    4. optionally, first letter of the father's first name.

    Letters are normalised (upper case, umlauts and accents removed). The
    code reveals no name, yet links a pre and a post questionnaire. Codes
    can collide (about 21,000 combinations without the fourth item), so
    in groups larger than about 30 use the fourth item, and check for
    duplicates before linking. Schemes of this kind are described by
    Yurek, Vasey & Havens (2008), *Evaluation Review* 32(5), 435-452, and
    Direnga et al. (2016), *Methoden, Daten, Analysen* 10(1).

    >>> self_generated_code("Anna", 7, "königstraße")
    'A07K'
    >>> self_generated_code("ü", "31", "B", father_first_letter="Peter")
    'U31BP'
    """
    mother = normalize_letter(mother_first_letter, "first letter of mother's first name")
    street = normalize_letter(street_first_letter, "first letter of the street")
    if isinstance(birth_day, bool) or not isinstance(birth_day, int | str):
        msg = f"day of birth must be a number 1-31, got {birth_day!r}"
        raise TypeError(msg)
    try:
        day = int(str(birth_day).strip())
    except ValueError:
        msg = f"day of birth must be a number 1-31, got {birth_day!r}"
        raise ValueError(msg) from None
    if not 1 <= day <= 31:
        msg = f"day of birth must be a number 1-31, got {day}"
        raise ValueError(msg)
    code = f"{mother}{day:02d}{street}"
    if father_first_letter is not None:
        code += normalize_letter(father_first_letter, "first letter of father's first name")
    return code


def is_valid_code(code: object) -> bool:
    """Whether ``code`` is a random code or a self-generated code (SGIC).

    >>> is_valid_code("K7M4QX"), is_valid_code("A07K"), is_valid_code("A07KP")
    (True, True, True)
    >>> is_valid_code("Max Mustermann"), is_valid_code("K0M4QX"), is_valid_code("A32K")
    (False, False, False)
    """
    if not isinstance(code, str):
        return False
    return bool(_RANDOM_CODE.fullmatch(code) or _SGIC.fullmatch(code))


def looks_like_name(text: object) -> bool:
    """Heuristic: does ``text`` look like a real name or an e-mail address?

    True for two or more words of letters (``"Max Mustermann"``,
    ``"Mustermann, Max"``, ``"anna schmidt"``) and for e-mail addresses.
    Codes (``"K7M4QX"``, ``"A07K"``, ``"P01-07"``) are not names. A single
    word is not flagged: it cannot be told apart from a code word.

    >>> looks_like_name("Max Mustermann"), looks_like_name("Dr. Anna Schmidt")
    (True, True)
    >>> looks_like_name("max@example.org"), looks_like_name("K7M4QX")
    (True, False)
    >>> looks_like_name("P01 07"), looks_like_name("Anna")
    (False, False)
    """
    if not isinstance(text, str):
        return False
    stripped = text.strip()
    if _EMAIL.search(stripped):
        return True
    tokens = [t.strip(".") for t in re.split(r"[\s,;]+", stripped) if t.strip(".")]
    words = [t for t in tokens if len(t) >= 2 and _WORD.fullmatch(t)]
    return len(words) >= 2


#: What stays of structured answers that hold free text: the numbers, dates and states.
_KEPT_FIELDS = {
    "action_items": ("due", "status"),  # "what" and "who" are written by people
    "gas_goal": ("weight", "baseline", "follow_up"),  # the goal and its level texts are not
}
_FREE_TEXT = ("text", "long_text")


def without_free_text(
    responses: pd.DataFrame,
    template_of: Callable[[str], Any | None],
    answer_columns: list[str],
) -> pd.DataFrame:
    """A copy of ``responses`` without the answers that people wrote in their own words.

    Per row, the template (``template_of(row["template"])``, ``None`` if it is
    unknown) decides: ``text`` and ``long_text`` answers are removed;
    ``action_items`` keep only ``due`` and ``status``, ``gas_goal`` only
    ``weight``, ``baseline`` and ``follow_up``. For a template that cannot be
    found (a custom file), every answer that is not a number is removed.
    Answer columns left empty by this are dropped.

    >>> import pandas as pd
    >>> from transferkit.templates import load_template
    >>> df = pd.DataFrame({"template": ["training_feedback"], "format": ["workshop"],
    ...                    "comment": ["Frau Berger erklärt gut"], "recommend": [9]})
    >>> without_free_text(df, load_template, ["format", "comment", "recommend"]).columns.tolist()
    ['template', 'format', 'recommend']
    """
    import pandas as pd

    data = responses.copy()
    data[answer_columns] = data[answer_columns].astype(object)
    blanked: set[str] = set()
    for template_id in data["template"].dropna().unique().tolist():
        rows = data.index[data["template"] == template_id]
        template = template_of(str(template_id))
        types: dict[str, str | None] = {}
        if template is not None:
            types = {q.id: getattr(q, "type", None) for q in template.all_questions()}
        for column in answer_columns:
            before = data.loc[rows, column].tolist()
            cleaned = [_cleaned(value, types.get(column), known=template is not None) for value in before]
            if any(c is not v for c, v in zip(cleaned, before, strict=True)):
                blanked.add(column)
                data.loc[rows, column] = pd.Series(cleaned, index=rows, dtype=object)
    empty = [c for c in answer_columns if c in blanked and data[c].isna().all()]
    return data.drop(columns=empty)


def _cleaned(value: Any, kind: str | None, *, known: bool) -> Any:
    if _missing(value):
        return value
    if not known:  # template unknown: keep numbers only
        return value if isinstance(value, numbers.Real) else None  # numpy numbers too
    if kind in _FREE_TEXT:
        return None
    if kind in _KEPT_FIELDS and isinstance(value, list):
        kept = _KEPT_FIELDS[kind]
        return [{k: row.get(k) for k in kept if k in row} for row in value if isinstance(row, dict)]
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
