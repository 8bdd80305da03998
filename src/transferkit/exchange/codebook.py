"""The one description of exported variables: names, labels, value labels, measure levels.

:func:`build_codebook` turns a template into :class:`Variable` entries;
:func:`tidy_for_export` turns the pseudonymised responses into one flat
table that matches them: Likert points and choice codes as integers,
one 0/1 column per multi_choice option, one rank (ranking) or points
(dot vote) column per option. Answers no flat table can hold (action items,
GAS goals, dot votes on ideas) are left out and named in the notes.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = [
    "META_LABELS",
    "Codebook",
    "ExchangeWarning",
    "Variable",
    "build_codebook",
    "codebook_path",
    "iso_utc",
    "replace_atomically",
    "tidy_for_export",
]

Measure = Literal["nominal", "ordinal", "scale"]
Kind = Literal["integer", "number", "string"]

#: Labels of the columns every response has, in German and English.
META_LABELS: dict[str, dict[str, str]] = {
    "template": {"de": "Vorlage", "en": "Template"},
    "template_version": {"de": "Version der Vorlage", "en": "Template version"},
    "pilot": {"de": "Pilotprojekt", "en": "Pilot project"},
    "loop": {"de": "Schleife", "en": "Loop"},
    "phase": {"de": "Phase", "en": "Phase"},
    "participant": {"de": "Pseudonym der teilnehmenden Person", "en": "Participant pseudonym"},
    "submitted_at": {"de": "Abgegeben am (UTC)", "en": "Submitted at (UTC)"},
}
_SELECTED = {"de": {0: "nicht gewählt", 1: "gewählt"}, "en": {0: "not selected", 1: "selected"}}
_RANK = {"de": "Rang", "en": "rank"}
_POINTS = {"de": "Punkte", "en": "points"}
_NOT_FLAT = ("action_items", "gas_goal")
_MAX_NAME_BYTES = 64  # SPSS's limit; pyreadstat refuses longer names


class ExchangeWarning(UserWarning):
    """Something a format could not carry whole (a label cut, a variable renamed)."""


@dataclass
class Variable:
    """One column of the exported table."""

    name: str
    label: str
    kind: Kind
    measure: Measure
    question: str | None = None
    question_type: str | None = None
    option: str | None = None
    #: integer code -> label (choices, Likert points, 0/1)
    value_labels: dict[int, str] = field(default_factory=dict)
    #: integer code -> stored option value (single_choice)
    codes: dict[int, str] = field(default_factory=dict)
    #: allowed range (scale, number); value labels of a scale name only its ends
    minimum: float | None = None
    maximum: float | None = None

    @property
    def closed(self) -> bool:
        """Whether the value labels list every allowed value (choices, Likert, 0/1)."""
        return bool(self.value_labels) and self.question_type != "scale"


@dataclass
class Codebook:
    """The variables of one export, in column order, and what was left out."""

    lang: str
    variables: list[Variable]
    notes: list[str] = field(default_factory=list)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``."""
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [v.name for v in self.variables]

    def to_frame(self) -> pd.DataFrame:
        """One row per variable, labels whole (never shortened)."""
        import pandas as pd

        rows = [
            {
                "variable": v.name,
                "label": v.label,
                "question": v.question or "",
                "question_type": v.question_type or "",
                "option": v.option or "",
                "type": v.kind,
                "measure": v.measure,
                "values": "; ".join(f"{k} = {text}" for k, text in v.value_labels.items()),
                "codes": "; ".join(f"{k} = {value}" for k, value in v.codes.items()),
            }
            for v in self.variables
        ]
        return pd.DataFrame(rows)

    def value_label_frame(self) -> pd.DataFrame:
        """One row per (variable, value): the value labels, whole."""
        import pandas as pd

        rows = [
            {"variable": v.name, "value": k, "label": text}
            for v in self.variables
            for k, text in v.value_labels.items()
        ]
        return pd.DataFrame(rows, columns=["variable", "value", "label"])


def _safe_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not name[:1].isalpha():
        name = "v_" + name
    name = name[:_MAX_NAME_BYTES]
    base, n = name, 2
    while name.lower() in used:
        suffix = f"_{n}"
        name = base[: _MAX_NAME_BYTES - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _is_whole(x: float) -> bool:
    return math.isfinite(x) and float(x).is_integer()


def build_codebook(
    template: Template, lang: str = "de", columns: list[str] | None = None
) -> Codebook:
    """The variables of ``template``'s responses, labelled in ``lang`` (``de``/``en``).

    ``columns`` (the columns of the pseudonymised export) limits the answer
    variables to those present, e.g. without the free text dropped.
    """
    lang = "en" if lang == "en" else "de"
    used: set[str] = set()
    variables: list[Variable] = []
    notes: list[str] = []
    meta_kinds: dict[str, tuple[Kind, Measure]] = {
        "template_version": ("integer", "nominal"),
        "loop": ("integer", "ordinal"),
    }
    for name, labels in META_LABELS.items():
        if columns is not None and name not in columns:
            continue
        kind, measure = meta_kinds.get(name, ("string", "nominal"))
        used.add(name.lower())
        variables.append(Variable(name, labels[lang], kind, measure))
    for q in template.all_questions():
        if columns is not None and q.id not in columns:
            continue
        label = q.label.get(lang)
        qtype = q.type
        if qtype in ("text", "long_text"):
            variables.append(
                Variable(
                    _safe_name(q.id, used),
                    label,
                    "string",
                    "nominal",
                    question=q.id,
                    question_type=qtype,
                )
            )
        elif qtype == "single_choice":
            options = q.options  # type: ignore[attr-defined]
            variables.append(
                Variable(
                    _safe_name(q.id, used),
                    label,
                    "integer",
                    "nominal",
                    question=q.id,
                    question_type=qtype,
                    value_labels={i: o.label.get(lang) for i, o in enumerate(options, 1)},
                    codes={i: o.value for i, o in enumerate(options, 1)},
                )
            )
        elif qtype == "likert":
            points = q.points  # type: ignore[attr-defined]
            variables.append(
                Variable(
                    _safe_name(q.id, used),
                    label,
                    "integer",
                    "ordinal",
                    question=q.id,
                    question_type=qtype,
                    value_labels={int(p.value): p.label.get(lang) for p in points},
                )
            )
        elif qtype == "scale":
            whole = all(_is_whole(x) for x in (q.min, q.step))  # type: ignore[attr-defined]
            value_labels: dict[int, str] = {}
            for end in ("min", "max"):
                end_label = getattr(q, f"{end}_label")
                if whole and end_label is not None and _is_whole(getattr(q, end)):
                    value_labels[int(getattr(q, end))] = end_label.get(lang)
            variables.append(
                Variable(
                    _safe_name(q.id, used),
                    label,
                    "integer" if whole else "number",
                    "ordinal" if whole else "scale",
                    question=q.id,
                    question_type=qtype,
                    value_labels=value_labels,
                    minimum=q.min,  # type: ignore[attr-defined]
                    maximum=q.max,  # type: ignore[attr-defined]
                )
            )
        elif qtype == "number":
            number_kind: Kind = "integer" if q.integer else "number"  # type: ignore[attr-defined]
            variables.append(
                Variable(
                    _safe_name(q.id, used),
                    label,
                    number_kind,
                    "scale",
                    question=q.id,
                    question_type=qtype,
                    minimum=q.min,  # type: ignore[attr-defined]
                    maximum=q.max,  # type: ignore[attr-defined]
                )
            )
        elif qtype in ("multi_choice", "ranking", "dot_vote"):
            options = q.options  # type: ignore[attr-defined]
            if qtype == "dot_vote" and not options:
                notes.append(f"{q.id}: dot vote on ideas has no fixed options; left out")
                continue
            for o in options:
                option_label = f"{label}: {o.label.get(lang)}"
                name = _safe_name(f"{q.id}_{o.value}", used)
                if qtype == "multi_choice":
                    variables.append(
                        Variable(
                            name,
                            option_label,
                            "integer",
                            "nominal",
                            question=q.id,
                            question_type=qtype,
                            option=o.value,
                            value_labels=dict(_SELECTED[lang]),
                        )
                    )
                else:
                    word = _RANK if qtype == "ranking" else _POINTS
                    variables.append(
                        Variable(
                            name,
                            f"{option_label} ({word[lang]})",
                            "integer",
                            "ordinal" if qtype == "ranking" else "scale",
                            question=q.id,
                            question_type=qtype,
                            option=o.value,
                        )
                    )
        elif qtype in _NOT_FLAT:
            notes.append(
                f"{q.id}: {qtype} answers are lists of records; left out of the flat table"
            )
        else:  # pragma: no cover - a new question type
            notes.append(f"{q.id}: question type {qtype} is not exported")
    return Codebook(lang, variables, notes)


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if _is_whole(number) else None


def tidy_for_export(
    data: pd.DataFrame, template: Template, lang: str = "de"
) -> tuple[pd.DataFrame, Codebook]:
    """Flatten the pseudonymised responses of ``template`` to match its codebook.

    Returns the table (integers as pandas ``Int64``, never floats or JSON
    text, for every coded answer) and the codebook.
    """
    import pandas as pd

    codebook = build_codebook(template, lang, list(data.columns))
    out: dict[str, Any] = {}
    for v in codebook.variables:
        if v.question is None:
            column = data[v.name]
            if v.name == "submitted_at":
                out[v.name] = iso_utc(column)
            elif v.kind == "integer":
                out[v.name] = pd.array([_int_or_none(x) for x in column], dtype="Int64")
            else:
                out[v.name] = [None if _missing(x) else str(x) for x in column]
            continue
        answers = data[v.question]
        convert = _converter(v)
        values = [convert(x) for x in answers]
        if v.kind == "integer":
            out[v.name] = pd.Series(values, dtype="Int64")
        elif v.kind == "number":
            out[v.name] = pd.Series(values, dtype="Float64")
        else:
            out[v.name] = pd.Series(values, dtype="object")
    table = pd.DataFrame(out, index=range(len(data)))
    return table, codebook


def _converter(v: Variable) -> Callable[[Any], Any]:
    """The function turning one stored answer into ``v``'s cell."""
    option = v.option or ""
    if v.question_type == "single_choice":
        back = {value: code for code, value in v.codes.items()}
        return lambda x: back.get(x) if isinstance(x, str) else None
    if v.question_type == "multi_choice":
        return lambda x: int(option in x) if isinstance(x, list) else None
    if v.question_type == "ranking":
        return lambda x: (
            (x.index(option) + 1 if option in x else None) if isinstance(x, list) else None
        )
    if v.question_type == "dot_vote":
        return lambda x: _int_or_none(x.get(option, 0)) if isinstance(x, dict) else None
    if v.kind == "integer":
        return _int_or_none
    if v.kind == "number":
        return lambda x: None if _missing(x) else float(x)
    return lambda x: None if _missing(x) else str(x)


def _missing(x: Any) -> bool:
    import pandas as pd

    if isinstance(x, list | dict):
        return False
    return bool(pd.isna(x))


def note(notes: list[str], message: str) -> None:
    """Record ``message`` and issue it as an :class:`ExchangeWarning`."""
    notes.append(message)
    warnings.warn(message, ExchangeWarning, stacklevel=3)


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary)`` and move the result to ``path``: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` through a temporary file."""

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8", newline="")

    replace_atomically(path, write)


def codebook_path(path: Path) -> Path:
    """The codebook written beside a data file: ``fb.sav`` → ``fb.sav.codebook.csv``.

    The data file's extension stays in the name, so an ``.sav`` and a ``.dta`` of the
    same name (whose codebooks differ: Stata's names are shortened) never share one.
    """
    return path.with_name(path.name + ".codebook.csv")


def iso_utc(column: pd.Series) -> pd.Series:
    """Times as ISO 8601 text in UTC, ``2025-04-22T09:33:00Z`` (missing ones ``None``):
    what SPSS, R, Stata and spreadsheets read alike, whatever their locale.

    >>> import pandas as pd
    >>> iso_utc(pd.Series([pd.Timestamp("2025-04-22 11:33", tz="Europe/Berlin"), None])).tolist()
    ['2025-04-22T09:33:00Z', None]
    """
    import pandas as pd

    stamps = pd.to_datetime(column, utc=True)
    text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("object")
    return text.where(stamps.notna(), None)
