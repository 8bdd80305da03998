"""Pseudonymous participant codes: random codes, self-generated codes, name checks.

Respondents are people. transferkit stores no names: every participant is a
short code. Two kinds of code are supported:

- a **random code** handed out by the moderator (:func:`new_participant_code`),
  six characters from an alphabet without look-alikes (no ``0/O``, ``1/I/L``),
  e.g. ``"K7M4QX"``;
- a **self-generated identification code** (SGIC, :func:`self_generated_code`)
  that a respondent can rebuild from facts only they know, so that pre and
  post answers can be linked without anyone keeping a list of names.

A typed code must not be a name. :func:`code_problem` is the rule the sheets
apply to what a participant types (see there): a code contains a digit, and
none of its letter runs is a common given name or surname (lists in
``transferkit/namelists/``); :func:`looks_like_name` is the name test alone.

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
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.store import TemplateLike
    from transferkit.store.values import JSONValue

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_PATTERN",
    "CodeProblem",
    "code_problem",
    "imported_code_problem",
    "is_valid_code",
    "looks_like_name",
    "name_lists",
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
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# letters that Unicode decomposition does not reduce to A-Z
_SPECIAL_LETTERS = {"ß": "S", "ẞ": "S", "Æ": "A", "Ø": "O", "Œ": "O", "Ł": "L", "Đ": "D", "Þ": "T"}

#: A code as typed by a participant or assigned by a researcher (upper case):
#: 3–32 characters from A–Z, 0–9, ``_ . -``, beginning with a letter or digit
#: and holding at least one digit. Random codes and SGICs have this shape too.
CODE_PATTERN = re.compile(r"(?=[^0-9]*[0-9])[A-Z0-9][A-Z0-9_.\-]{2,31}")
#: What :func:`code_problem` finds wrong with a code.
CodeProblem = Literal["name", "shape"]

_RANDOM_TOKEN = re.compile(r"[A-Za-z0-9]{12,32}")
_CASE_CHANGE = re.compile(r"[a-z](?=[A-Z])|[A-Z](?=[a-z])")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_GLUED_WORDS = re.compile(r"[a-z]*(?:[A-Z][a-z]{2,})+")
_MIN_CASE_CHANGES = 3
_MAX_CHECKED = 254  # longer input is not a code (and is not scanned for names)
_MIN_NAME = 3  # shorter letter runs are initials (SGIC "A07KP"), not names
_MIN_GLUED_SURNAME = 5  # "MSCHMIDT", "ANNASCHMIDT": a surname glued to an initial or a given name
_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# letters folded before accents are stripped; Ä/Ö/Ü are folded both to AE/OE/UE and to A/O/U
_UMLAUTS_E = {"Ä": "AE", "Ö": "OE", "Ü": "UE"}
_FOLD = {
    "ẞ": "SS",
    "Æ": "AE",
    "Œ": "OE",
    "Ø": "O",
    "Ł": "L",
    "Đ": "D",
    "Þ": "TH",
    "Ħ": "H",
    "Ŧ": "T",
}
_NAME_LISTS = {"given": "given_names_de.txt", "surname": "surnames_de.txt"}


def new_participant_code(rng: random.Random | None = None, length: int = CODE_LENGTH) -> str:
    """Return a new random participant code such as ``"K7M4QX"``.

    ``rng`` makes codes reproducible (tests, demo data); without it the
    operating system's secure random source is used.

    Every code returned passes :func:`code_problem`: a draw without a digit,
    or with a letter run that reads as a name (``"ANNA7X"``, ``"BEN4K7"``), is
    thrown away and drawn again (about one draw in six).

    >>> new_participant_code(random.Random(1))
    'EV643C'
    >>> code_problem(new_participant_code()) is None
    True
    """
    if length < 4:
        msg = f"a participant code needs at least 4 characters, got length={length}"
        raise ValueError(msg)
    chooser = rng.choice if rng is not None else secrets.choice
    while True:
        code = "".join(chooser(CODE_ALPHABET) for _ in range(length))
        if code_problem(code) is None:
            return code


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
    """Does ``text`` look like a real name or an e-mail address?

    True for an e-mail address, for two or more words of letters (``"Max
    Mustermann"``, ``"Mustermann, Max"``), and for any text with a run of
    three or more letters that reads as a name (see :func:`code_problem`):
    ``"Anna"``, ``"MAX.MUSTERMANN"``, ``"Jürgen"``, ``"mueller2"``. Codes
    (``"K7M4QX"``, ``"A07K"``, ``"P01-07"``) are not names.

    >>> looks_like_name("Max Mustermann"), looks_like_name("Dr. Anna Schmidt")
    (True, True)
    >>> looks_like_name("max@example.org"), looks_like_name("K7M4QX")
    (True, False)
    >>> looks_like_name("Anna"), looks_like_name("Özlem"), looks_like_name("ANNA1985")
    (True, True, True)
    >>> looks_like_name("P01 07"), looks_like_name("A07KP"), looks_like_name("Vertrieb")
    (False, False, False)
    """
    if not isinstance(text, str):
        return False
    stripped = unicodedata.normalize("NFC", text.strip())
    if len(stripped) > _MAX_CHECKED:
        stripped = stripped[:_MAX_CHECKED]
    if _EMAIL_LIKE.search(stripped):
        return True
    tokens = [t.strip(".") for t in re.split(r"[\s,;]+", stripped) if t.strip(".")]
    words = [t for t in tokens if len(t) >= 2 and _WORD.fullmatch(t)]
    if len(words) >= 2:
        return True
    return any(_reads_as_name(run) for run in _LETTER_RUN.findall(stripped))


def code_problem(text: object) -> CodeProblem | None:
    """What is wrong with ``text`` as a participant code: ``"name"``, ``"shape"`` or ``None``.

    This is the rule the participant sheets apply to a typed code. In order:

    1. ``"name"`` if the text looks like a real name or an e-mail address
       (:func:`looks_like_name`): an e-mail address, two or more words, or a
       run of three or more letters that is a common given name or surname
       (``ANNA``, ``Schmidt``, ``Jürgen``, ``Ayşe``), or a surname of five or
       more letters glued to a given name or an initial before it
       (``MAXMUSTERMANN``, ``MSCHMIDT``). Letter runs are what lies between
       digits and separators, so ``Anna_Schmidt``, ``MAX.MUSTERMANN``,
       ``ANNA1985`` and ``mueller2`` are names. Runs are compared upper
       case and folded to ASCII: accents are removed, ``ß`` is ``SS``, and
       ``Ä Ö Ü`` count both as ``AE OE UE`` and as ``A O U`` (``Müller`` =
       ``MUELLER`` = ``MULLER``).
    2. ``"shape"`` unless the text, trimmed and upper case, is 3–32
       characters from ``A–Z 0–9 _ . -`` (first a letter or digit) with at
       least one digit (:data:`CODE_PATTERN`). A code without a digit is
       refused even if it is no listed name: the lists cannot hold every
       name, and no code transferkit hands out is without a digit.
    3. ``None``: a valid code. Random codes of :func:`new_participant_code`
       (never a name: those draws are repeated), self-generated codes
       (:func:`self_generated_code`, letter runs of at most two letters) and
       researcher-assigned codes such as ``P01-07`` all pass.

    Parameters
    ----------
    text : object
        What the participant typed; anything but a string is a ``"shape"`` problem.

    Returns
    -------
    {"name", "shape"} or None
        The kind of problem; the sheets show a different message for each
        (``sheet.code_name`` and ``sheet.code_shape`` in :mod:`transferkit.i18n`).

    Notes
    -----
    The name lists (:func:`name_lists`) are common, not complete: a rare name
    with digits appended (``"Quirin7"``: ``QUIRIN`` is not listed) passes, and
    a researcher's code whose letters happen to be a name (``"BEN-01"``,
    ``"WINTER-1"``) is refused: use letters that are not a word, such as
    ``"P01-07"``.

    Examples
    --------
    >>> [code_problem(c) for c in ["K7M4QX", "k7m4qx", "A07KP", "P01-07", "T1-A"]]
    [None, None, None, None, None]
    >>> [code_problem(c) for c in ["ANNA", "Anna_Schmidt", "MAX.MUSTERMANN", "Jürgen", "mueller2"]]
    ['name', 'name', 'name', 'name', 'name']
    >>> [code_problem(c) for c in ["ABCDEF", "K7", "K7M4QX!", "", None]]
    ['shape', 'shape', 'shape', 'shape', 'shape']
    >>> code_problem("Quirin7"), code_problem("Quirin")  # an unlisted name: the digit rule
    (None, 'shape')
    """
    if not isinstance(text, str):
        return "shape"
    stripped = text.strip()
    if len(stripped) > _MAX_CHECKED:
        return "shape"
    if looks_like_name(stripped):
        return "name"
    if not stripped.isascii() or not CODE_PATTERN.fullmatch(stripped.upper()):
        return "shape"
    return None


def looks_like_random_token(text: object) -> bool:
    """Whether ``text`` has the shape of a survey tool's random access token.

    LimeSurvey hands each invited respondent a token of 15 random letters
    (both cases) and digits, such as ``GBttYj1faRzTJAS``; with 15 characters
    drawn from 62, one in fourteen has no digit ((52/62)^15 = 0.071), such as
    ``sPvCfHHeeKZPdVZ`` (a real LimeSurvey token), which :func:`code_problem`
    refuses. A random token is 12–32 ASCII letters and digits with upper- and
    lower-case letters that change case at least three times and are not
    words glued together: capitalised words (``AnnaSchmidtBerlin``,
    ``quirinWolfBerg``) and a text with a name among its parts
    (``xQAnnaSchmidtq``) are not tokens, nor are words in one case
    (``annaschmidt``, ``MAXIMILIANE``) or ``karlheinzMOOSBRUGGER`` (one
    change).

    >>> looks_like_random_token("sPvCfHHeeKZPdVZ"), looks_like_random_token("GBttYj1faRzTJAS")
    (True, True)
    >>> looks_like_random_token("annaschmidtberlin"), looks_like_random_token("karlheinzMOOSBRUGGER")
    (False, False)
    >>> looks_like_random_token("AnnaSchmidtBerlin"), looks_like_random_token("quirinWolfBerg")
    (False, False)
    >>> looks_like_random_token("xQAnnaSchmidtq"), looks_like_random_token("K7M4QX")
    (False, False)
    """
    if not isinstance(text, str):
        return False
    stripped = text.strip()
    return (
        bool(_RANDOM_TOKEN.fullmatch(stripped))
        and len(_CASE_CHANGE.findall(stripped)) >= _MIN_CASE_CHANGES
        and not _GLUED_WORDS.fullmatch(stripped)
        and not looks_like_name(stripped)
        and not any(
            _reads_as_name(part)
            for part in _CAMEL_PART.findall(stripped)
            if len(part) >= _MIN_GLUED_SURNAME - 1
        )
    )


def imported_code_problem(text: object) -> CodeProblem | None:
    """:func:`code_problem` for codes that arrive with an import from a survey tool.

    The same rule, except that a random access token (:func:`looks_like_random_token`)
    without a digit is a code: the survey tool generated it, nobody typed it,
    and refusing it would drop one in fourteen LimeSurvey responses. A name is
    refused as before.

    >>> imported_code_problem("sPvCfHHeeKZPdVZ"), code_problem("sPvCfHHeeKZPdVZ")
    (None, 'shape')
    >>> imported_code_problem("Anna Schmidt"), imported_code_problem("Quirin")
    ('name', 'shape')
    """
    problem = code_problem(text)
    if problem == "shape" and looks_like_random_token(text):
        return None
    return problem


def name_lists() -> dict[str, frozenset[str]]:
    """The lists of common given names and surnames that codes are checked against.

    Keys ``"given"`` and ``"surname"``; every entry is upper case ASCII of
    at least three letters, umlauts in both foldings (``MUELLER``,
    ``MULLER``). They are read once from the package data
    ``transferkit/namelists/`` (whose README names the sources).

    >>> lists = name_lists()
    >>> "ANNA" in lists["given"], "MUELLER" in lists["surname"], "MULLER" in lists["surname"]
    (True, True, True)
    """
    return {kind: _name_list(kind) for kind in _NAME_LISTS}


@cache
def _name_list(kind: str) -> frozenset[str]:
    path = resources.files("transferkit").joinpath("namelists", _NAME_LISTS[kind])
    lines = path.read_text(encoding="ascii").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


@cache
def _all_names() -> frozenset[str]:
    return _name_list("given") | _name_list("surname")


def _folded(word: str) -> set[str]:
    """Upper-case ASCII forms of ``word``: umlauts as ``AE OE UE`` and as ``A O U``.

    >>> sorted(_folded("Jürgen")), sorted(_folded("Ayşe")), sorted(_folded("Straße"))
    (['JUERGEN', 'JURGEN'], ['AYSE'], ['STRASSE'])
    """
    upper = unicodedata.normalize("NFC", word.upper())  # "ß" → "SS", "ı" → "I"
    forms = set()
    for umlauts in (_UMLAUTS_E, {}):
        replaced = "".join(umlauts.get(ch) or _FOLD.get(ch, ch) for ch in upper)
        decomposed = unicodedata.normalize("NFKD", replaced)
        forms.add("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return forms


def _reads_as_name(run: str) -> bool:
    """Is one run of letters a listed name, a given name glued to a surname, or an initial and a surname?

    >>> _reads_as_name("Jürgen"), _reads_as_name("ANNASCHMIDT"), _reads_as_name("mschmidt")
    (True, True, True)
    >>> _reads_as_name("Dauer"), _reads_as_name("montieren"), _reads_as_name("KP")
    (False, False, False)
    """
    names = _all_names()
    given, surnames = _name_list("given"), _name_list("surname")
    for form in _folded(run):
        if len(form) < _MIN_NAME:
            continue
        if form in names:
            return True
        if len(form) > _MIN_GLUED_SURNAME and form[1:] in surnames:
            return True
        for cut in range(_MIN_NAME, len(form) - _MIN_GLUED_SURNAME + 1):
            if form[:cut] in given and form[cut:] in surnames:
                return True
    return False


#: What stays of structured answers that hold free text: the numbers, dates and states.
_KEPT_FIELDS = {
    "action_items": ("due", "status"),  # "what" and "who" are written by people
    "gas_goal": ("weight", "baseline", "follow_up"),  # the goal and its level texts are not
}
_FREE_TEXT = ("text", "long_text")


def without_free_text(
    responses: pd.DataFrame,
    template_of: Callable[[str], TemplateLike | None],
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
            cleaned = [
                _cleaned(value, types.get(column), known=template is not None) for value in before
            ]
            if any(c is not v for c, v in zip(cleaned, before, strict=True)):
                blanked.add(column)
                data.loc[rows, column] = pd.Series(cleaned, index=rows, dtype=object)
    empty = [c for c in answer_columns if c in blanked and data[c].isna().all()]
    return data.drop(columns=empty)


def _cleaned(value: JSONValue, kind: str | None, *, known: bool) -> JSONValue:
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


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
