"""Templates to and from XLSForm (ODK, KoboToolbox, SurveyCTO), read and written with openpyxl.

:func:`export_xlsform` writes a template as an XLSForm workbook (sheets
``survey``, ``choices``, ``settings``) with German and English columns
(``label::Deutsch (de)``, ``label::English (en)``) and transferkit's own
columns (``transferkit::type``, ``transferkit::extra``) that bring back what
XLSForm has no column for. Question types XLSForm cannot hold (dot votes,
action items, GAS goals) are left out and named in the returned notes.

:func:`import_xlsform` reads an XLSForm into a template (a dict that
:func:`~transferkit.templates.load_template_string` accepts, and its YAML).
Texts are read with openpyxl, so curly quotes „“‘’ stay as written (pyxform's
parser straightens them). Everything that did not convert — a type, a
column, an expression, a renamed id, a language copied from the other — is
in the :class:`LossReport`; nothing is dropped silently.

Mapping (template → XLSForm → template):

============== ================================= =====================================
transferkit    XLSForm                           notes
============== ================================= =====================================
text           text
long_text      text, appearance ``multiline``
single_choice  select_one LIST
multi_choice   select_multiple LIST              min/max_selected as count-selected(.)
likert         select_one LIST, ``likert``       choice names are the point values
scale          range (parameters start/end/step)
number         integer / decimal                 min/max as ``. >= a and . <= b``
ranking        rank LIST
show_if        relevant                          equals, not_equals, in, answered
dot_vote, action_items, gas_goal                 not exported (listed in the notes)
============== ================================= =====================================
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exchange.codebook import ExchangeWarning, replace_atomically, write_text_atomically
from transferkit.exchange.loss import Loss, LossReport, TemplateImport

if TYPE_CHECKING:
    from transferkit.templates import Question, Template

__all__ = [
    "NOT_IN_XLSFORM",
    "Loss",
    "LossReport",
    "TemplateImport",
    "XLSFormImport",
    "condition_to_relevant",
    "export_xlsform",
    "import_xlsform",
    "relevant_to_condition",
]

#: Question types an XLSForm cannot hold.
NOT_IN_XLSFORM: tuple[str, ...] = ("dot_vote", "action_items", "gas_goal")

#: The result of :func:`import_xlsform` (the name it had before LimeSurvey structures came in).
XLSFormImport = TemplateImport

_LANG_COLUMNS = {"de": "Deutsch (de)", "en": "English (en)"}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_TRUE = {"yes", "true", "true()", "1", "y", "ja"}
#: Question fields that XLSForm has a column for; all others travel in ``transferkit::extra``.
_MAPPED = {
    "id",
    "type",
    "label",
    "help",
    "required",
    "show_if",
    "options",
    "points",
    "min",
    "max",
    "step",
    "integer",
    "min_selected",
    "max_selected",
    "min_length",
    "max_length",
}
#: Columns that carry one text per language.
_LOCALIZED = {"label", "hint", "constraint_message", "required_message", "guidance_hint"}
#: Survey columns reported row by row when filled (besides relevant, constraint, required).
_ROW_COLUMNS = (
    "calculation",
    "choice_filter",
    "default",
    "read_only",
    "repeat_count",
    "trigger",
    "constraint_message",
    "required_message",
    "guidance_hint",
)
_METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "imei",
    "uri:deviceid",
    "start-geopoint",
    "background-audio",
    "uri:email",
    "uri:phonenumber",
    "uri:username",
}


# --- show_if <-> relevant ---------------------------------------------------------------


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return f'"{text}"' if "'" in text else f"'{text}'"


def condition_to_relevant(cond: Any, list_answer: bool) -> str:
    """The XLSForm ``relevant`` of a ``show_if`` (``list_answer``: the question is multi/ranking).

    Examples
    --------
    >>> from transferkit.templates import Condition
    >>> condition_to_relevant(Condition(question="q1", equals="ja"), False)
    "${q1} = 'ja'"
    >>> condition_to_relevant(Condition.model_validate({"question": "q1", "in": ["a", "b"]}), True)
    "selected(${q1}, 'a') or selected(${q1}, 'b')"
    """
    ref = "${" + cond.question + "}"
    op = cond.operator
    if op == "answered":
        return f"{ref} != ''" if cond.answered else f"{ref} = ''"
    if op == "in":
        values = cond.in_ or []
    else:
        values = [cond.equals if op == "equals" else cond.not_equals]
    if list_answer:
        parts = [f"selected({ref}, {_literal(v)})" for v in values]
    else:
        parts = [f"{ref} = {_literal(v)}" for v in values]
    if op == "not_equals":
        return f"not({parts[0]})" if list_answer else f"{ref} != {_literal(values[0])}"
    return " or ".join(parts)


_Q = r"\$\{\s*([^}\s]+)\s*\}"
_STR = r"(?:'([^']*)'|\"([^\"]*)\"|‘([^’]*)’|“([^”]*)”|(-?\d+(?:\.\d+)?))"
_EQ = re.compile(rf"^{_Q}\s*(=|!=)\s*{_STR}$")
_SEL = re.compile(rf"^(not\s*\(\s*)?selected\s*\(\s*{_Q}\s*,\s*{_STR}\s*\)(\s*\))?$")
_ANSWERED = [
    (re.compile(rf"^{_Q}\s*!=\s*(?:''|\"\")$"), True),
    (re.compile(rf"^{_Q}\s*=\s*(?:''|\"\")$"), False),
    (re.compile(rf"^string-length\s*\(\s*{_Q}\s*\)\s*(?:>\s*0|!=\s*0|>=\s*1)$"), True),
    (re.compile(rf"^string-length\s*\(\s*{_Q}\s*\)\s*=\s*0$"), False),
    (re.compile(rf"^not\s*\(\s*{_Q}\s*=\s*(?:''|\"\")\s*\)$"), True),
]


def _value(groups: tuple[str | None, ...]) -> str | int | float:
    *texts, number = groups
    for t in texts:
        if t is not None:
            return t
    assert number is not None
    return float(number) if "." in number else int(number)


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def relevant_to_condition(expr: str) -> dict[str, Any] | None:
    """The ``show_if`` (as a dict) of an XLSForm ``relevant``, or ``None`` if none expresses it.

    Understood: ``${q} = 'v'``, ``${q} != 'v'``, ``selected(${q}, 'v')``,
    ``not(selected(${q}, 'v'))``, ``a or b`` of these on one question (``in``),
    and "answered": ``${q} != ''``, ``string-length(${q}) > 0`` (and their
    negations). Curly quotes count as quotes (they are common in hand-written forms).

    Examples
    --------
    >>> relevant_to_condition("selected(${topic}, 'other')")
    {'question': 'topic', 'equals': 'other'}
    >>> relevant_to_condition("${a} = 'x' or ${a} = 'y'")
    {'question': 'a', 'in': ['x', 'y']}
    >>> relevant_to_condition("${a} > 3") is None
    True
    """
    text = _strip_parens(expr.replace("\n", " "))
    for pattern, answered in _ANSWERED:
        m = pattern.match(text)
        if m:
            return {"question": m.group(1), "answered": answered}
    parts = [_strip_parens(p) for p in re.split(r"\s+or\s+", text)]
    found: list[tuple[str, str, Any]] = []
    for part in parts:
        m = _EQ.match(part)
        if m:
            found.append(
                (
                    m.group(1),
                    "equals" if m.group(2) == "=" else "not_equals",
                    _value(m.groups()[2:]),
                )
            )
            continue
        m = _SEL.match(part)
        if m and bool(m.group(1)) == bool(m.groups()[-1]):
            found.append(
                (m.group(2), "not_equals" if m.group(1) else "equals", _value(m.groups()[2:-1]))
            )
            continue
        return None
    if len(found) == 1:
        q, op, v = found[0]
        return {"question": q, op: v}
    if len({q for q, _, _ in found}) == 1 and all(op == "equals" for _, op, _ in found):
        return {"question": found[0][0], "in": [v for _, _, v in found]}
    return None


# --- export -------------------------------------------------------------------------------


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _range_constraint(low: float | None, high: float | None, what: str = ".") -> str:
    parts = []
    if low is not None:
        parts.append(f"{what} >= {_num(low)}")
    if high is not None:
        parts.append(f"{what} <= {_num(high)}")
    return " and ".join(parts)


def _texts(text: Any) -> list[str]:
    return [text.de, text.en] if text is not None else ["", ""]


def export_xlsform(template: Template, path: Path) -> list[str]:
    """Write ``template`` as an XLSForm workbook; return (and warn) what XLSForm cannot hold.

    A loop's phases become groups (``begin group`` … ``end group``) named
    after the phase; sections (:mod:`transferkit.templates.sections`) become groups
    with ``appearance: field-list`` (one page each in ODK and Enketo), inside their
    phase; the default section's questions follow ungrouped. Texts other than labels and hints that XLSForm has no
    column for (placeholders, units, option help, area tags, Likert ``reverse``)
    travel in the column ``transferkit::extra`` as JSON, which other tools ignore.
    """
    from openpyxl import Workbook

    notes: list[str] = []
    langs = [_LANG_COLUMNS["de"], _LANG_COLUMNS["en"]]
    survey_header = [
        "type",
        "name",
        *[f"label::{x}" for x in langs],
        *[f"hint::{x}" for x in langs],
        "required",
        "relevant",
        "constraint",
        *[f"constraint_message::{x}" for x in langs],
        "appearance",
        "parameters",
        "transferkit::type",
        "transferkit::extra",
    ]
    survey: list[list[Any]] = [survey_header]
    choices: list[list[Any]] = [
        ["list_name", "name", *[f"label::{x}" for x in langs], "transferkit_extra"]
    ]
    list_names: dict[str, str] = {}  # choices as JSON -> list name

    def choice_list(qid: str, items: list[tuple[str, Any, Any]]) -> str:
        rows = [
            [v, t.de, t.en, json.dumps({"help": h.model_dump()}, ensure_ascii=False) if h else ""]
            for v, t, h in items
        ]
        key = json.dumps(rows, ensure_ascii=False)
        if key not in list_names:
            list_names[key] = qid
            choices.extend([qid, *r] for r in rows)
        return list_names[key]

    def add(q: Question, types: dict[str, str]) -> None:
        qtype = q.type
        if qtype in NOT_IN_XLSFORM:
            message = f"{q.id}: question type {qtype} has no XLSForm equivalent; left out"
            notes.append(message)
            warnings.warn(message, ExchangeWarning, stacklevel=3)
            return
        data = q.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        extra = {k: v for k, v in data.items() if k not in _MAPPED}
        appearance = ""
        parameters = ""
        constraint = ""
        xtype = ""
        if qtype == "text":
            xtype = "text"
            constraint = _range_constraint(q.min_length, q.max_length, "string-length(.)")  # type: ignore[attr-defined]
        elif qtype == "long_text":
            xtype, appearance = "text", "multiline"
            constraint = _range_constraint(q.min_length, q.max_length, "string-length(.)")  # type: ignore[attr-defined]
        elif qtype in ("single_choice", "multi_choice", "ranking"):
            word = {
                "single_choice": "select_one",
                "multi_choice": "select_multiple",
                "ranking": "rank",
            }[qtype]
            options = q.options  # type: ignore[attr-defined]
            xtype = f"{word} {choice_list(q.id, [(o.value, o.label, o.help) for o in options])}"
            if qtype == "multi_choice":
                constraint = _range_constraint(q.min_selected, q.max_selected, "count-selected(.)")  # type: ignore[attr-defined]
        elif qtype == "likert":
            points = q.points  # type: ignore[attr-defined]
            xtype = (
                f"select_one {choice_list(q.id, [(str(p.value), p.label, None) for p in points])}"
            )
            appearance = "likert"
        elif qtype == "scale":
            xtype = "range"
            parameters = f"start={_num(q.min)} end={_num(q.max)} step={_num(q.step)}"  # type: ignore[attr-defined]
        elif qtype == "number":
            xtype = "integer" if q.integer else "decimal"  # type: ignore[attr-defined]
            constraint = _range_constraint(q.min, q.max)  # type: ignore[attr-defined]
        else:  # pragma: no cover - a new question type
            message = f"{q.id}: question type {qtype} is not exported to XLSForm"
            notes.append(message)
            warnings.warn(message, ExchangeWarning, stacklevel=3)
            return
        relevant = ""
        if q.show_if is not None:
            relevant = condition_to_relevant(
                q.show_if, types.get(q.show_if.question) in ("multi_choice", "ranking")
            )
        types[q.id] = qtype
        survey.append(
            [
                xtype,
                q.id,
                *_texts(q.label),
                *_texts(q.help),
                "yes" if q.required else "",
                relevant,
                constraint,
                "",
                "",
                appearance,
                parameters,
                qtype,
                json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "",
            ]
        )

    width = len(survey_header)

    def begin_group(name: str, title: Any, extra: dict[str, Any], appearance: str = "") -> None:
        row: list[Any] = ["begin group", name, *_texts(title)]
        row += [""] * (width - len(row))
        row[survey_header.index("appearance")] = appearance
        if extra:
            row[-1] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        survey.append(row)

    def add_sectioned(phase: str | None, types: dict[str, str]) -> None:
        """The questions of a sheet or phase; its sections as groups, one page each."""
        from transferkit.templates.sections import DEFAULT_SECTION_ID, sheet_sections

        sections = sheet_sections(template, phase)
        for section in sections:
            grouped = len(sections) > 1 and section.id != DEFAULT_SECTION_ID
            if grouped:
                extra: dict[str, Any] = {"section": True}
                if section.intro is not None:
                    extra["intro"] = section.intro.model_dump()
                begin_group(section.id, section.title, extra, "field-list")
            for q in section.questions:
                add(q, types)
            if grouped:
                survey.append(["end group", section.id] + [""] * (width - 2))

    if template.kind == "loop":
        for phase in template.phases:
            types: dict[str, str] = {}
            begin_group(phase.id, phase.title, {})
            add_sectioned(phase.id, types)
            survey.append(["end group", phase.id] + [""] * (width - 2))
    else:
        add_sectioned(None, {})

    settings_header = [
        "form_title",
        "form_id",
        "version",
        "default_language",
        "transferkit::kind",
        "transferkit::extra",
    ]
    template_extra = template.model_dump(
        mode="json",
        by_alias=True,
        exclude_defaults=True,
        include={"description", "intro", "feedback", "title", "scale_groups"},
    )
    phase_extra = {
        p.id: p.model_dump(mode="json", exclude_defaults=True, include={"intro", "feedback"})
        for p in template.phases
    }
    kept = {q.type for q in template.all_questions() if q.type not in NOT_IN_XLSFORM}
    for holder in (template_extra, *phase_extra.values()):
        needed = _FEEDBACK_NEEDS.get(str((holder.get("feedback") or {}).get("kind")))
        if needed is not None and needed not in kept:  # it would show a question left out
            for i, note in enumerate(notes):
                if f"question type {needed} " in note and "feedback" not in note:
                    notes[i] = f"{note}; its {holder['feedback']['kind']} feedback becomes summary"
            holder["feedback"] = {"kind": "summary"}
    if any(phase_extra.values()):
        template_extra["phases"] = {k: v for k, v in phase_extra.items() if v}
    settings = [
        settings_header,
        [
            template.title.de,
            template.id,
            str(template.version),
            _LANG_COLUMNS["de"],
            template.kind,
            json.dumps(template_extra, ensure_ascii=False, sort_keys=True),
        ],
    ]

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for r in survey:
        sheet.append([x if x != "" else None for x in r])
    for title, rows in (("choices", choices), ("settings", settings)):
        ws = book.create_sheet(title)
        for r in rows:
            ws.append([x if x != "" else None for x in r])
    replace_atomically(path, lambda tmp: book.save(tmp))
    return notes


# --- import -------------------------------------------------------------------------------

_LANG_NAMES = {
    "de": {"de", "deu", "ger", "german", "deutsch", "de-de", "de_de", "de-at", "de-ch"},
    "en": {"en", "eng", "english", "englisch", "en-us", "en-gb", "en_us", "en_gb"},
}


def _language(name: str) -> str | None:
    """``de``, ``en`` or ``None`` for a language name as written in a column (``Deutsch (de)``)."""
    text = name.strip().lower()
    m = re.search(r"\(([^)]+)\)\s*$", text)
    if m:
        code = m.group(1).strip()
        for lang, names in _LANG_NAMES.items():
            if code in names:
                return lang
        text = text[: m.start()].strip()
    for lang, names in _LANG_NAMES.items():
        if text in names:
            return lang
    return None


def _column(header: str) -> tuple[str, str | None]:
    """``("label", "Deutsch (de)")`` for ``label::Deutsch (de)`` (also ``label:German``)."""
    text = header.strip()
    if "::" in text:
        base, _, rest = text.partition("::")
    elif ":" in text and not text.lower().startswith(("bind:", "body:", "instance:")):
        base, _, rest = text.partition(":")
    else:
        base, rest = text, ""
    base = base.strip().lower().replace(" ", "_")
    if base == "list_name" or base == "listname":
        base = "list_name"
    return base, (rest.strip() or None)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Sheet:
    name: str
    header: list[tuple[str, str | None, str]]  # (base, language, header as written)
    rows: list[tuple[int, dict[int, str]]]

    def used_columns(self) -> set[int]:
        return {i for _, r in self.rows for i, v in r.items() if v}


def _read_sheet(ws: Any) -> _Sheet:
    rows_iter = ws.iter_rows(values_only=True)
    first = next(rows_iter, None) or ()
    header = [(*_column(_cell_text(h)), _cell_text(h)) for h in first]
    rows = []
    for number, values in enumerate(rows_iter, start=2):
        cells = {i: _cell_text(v) for i, v in enumerate(values) if i < len(header) and header[i][2]}
        if any(cells.values()):
            rows.append((number, cells))
    return _Sheet(ws.title, header, rows)


class _Texts:
    """Reads the localized columns of one sheet into ``{de, en}`` and reports what it must."""

    def __init__(self, sheet: _Sheet, default_lang: str | None, report: LossReport) -> None:
        self.sheet = sheet
        self.report = report
        self.columns: dict[str, dict[str, int]] = {}  # base -> lang/"" -> index
        self.unused: dict[int, str] = {}
        for i, (base, language, written) in enumerate(sheet.header):
            if not written or base not in _LOCALIZED:
                continue
            if language is None:
                self.columns.setdefault(base, {}).setdefault("", i)
                continue
            lang = _language(language)
            if (
                lang is None
                and default_lang is not None
                and language.lower() == default_lang.lower()
            ):
                lang = _language(default_lang)
            if lang is None:
                self.unused[i] = written
            else:
                self.columns.setdefault(base, {}).setdefault(lang, i)
        self.default = _language(default_lang) if default_lang else None

    def get(self, row: dict[int, str], base: str, where: str) -> dict[str, str] | None:
        cols = self.columns.get(base, {})
        found = {lang: row.get(i, "") for lang, i in cols.items() if lang and row.get(i, "")}
        plain = row.get(cols[""], "") if "" in cols else ""
        if plain and self.default is None and not found:
            self.report.change(
                where, base, "column without a language; the text is used for de and en", warn=False
            )
            return {"de": plain, "en": plain}
        if plain:
            lang = self.default or ("en" if "de" in found else "de")
            if lang not in found:
                found[lang] = plain
        if not found:
            if plain == "" and not any(row.get(i) for i in self.unused):
                return None
            other = next((row[i] for i in self.unused if row.get(i)), "")
            if not other:
                return None
            self.report.change(
                where, base, "no German or English text; copied from another language", warn=False
            )
            return {"de": other, "en": other}
        for lang, other in (("de", "en"), ("en", "de")):
            if lang not in found:
                found[lang] = found[other]
                self.report.change(
                    where, base, f"no {lang} text; copied the {other} one", warn=False
                )
        return {"de": found["de"], "en": found["en"]}

    def value(self, row: dict[int, str], base: str) -> str:
        cols = self.columns.get(base, {})
        for key in ("", "de", "en"):
            if key in cols and row.get(cols[key]):
                return row[cols[key]]
        return ""


def _safe(name: str, pattern: re.Pattern[str], used: set[str], prefix: str) -> str:
    if pattern.match(name) and name not in used:
        used.add(name)
        return name
    text = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or prefix
    if not text[0].isalpha() and pattern is _ID:
        text = f"{prefix}_{text}"
    base, n = text, 2
    while text in used:
        text = f"{base}_{n}"
        n += 1
    used.add(text)
    return text


_CMP = re.compile(
    r"^\s*(string-length\(\s*\.\s*\)|count-selected\(\s*\.\s*\)|\.)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$"
)


def _bounds(expr: str) -> tuple[str, dict[str, float]] | None:
    """``(subject, {">=": 1, "<=": 5})`` of ``. >= 1 and . <= 5``; ``None`` if not that shape."""
    out: dict[str, float] = {}
    subject = None
    for part in re.split(r"\s+and\s+", _strip_parens(expr)):
        m = _CMP.match(_strip_parens(part))
        if not m:
            return None
        what = re.sub(r"\s", "", m.group(1))
        if subject is not None and what != subject:
            return None
        subject = what
        op, number = m.group(2), float(m.group(3))
        if op in out:
            return None
        out[op] = number
    return (subject or ".", out) if out else None


def import_xlsform(path: Path, report_path: Path | None = None) -> TemplateImport:
    """Read the XLSForm at ``path`` into a template and a :class:`LossReport`.

    ``report_path`` (default: none) receives the report as text. The
    template comes back as a dict and as YAML; both load with
    :func:`~transferkit.templates.load_template_string`.
    """
    import yaml
    from openpyxl import load_workbook

    path = Path(path)
    report = LossReport(path.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl: unsupported extensions
        book = load_workbook(
            path, data_only=False
        )  # not read_only: its sheet sizes may claim a million rows
    sheets = {ws.title.strip().lower(): _read_sheet(ws) for ws in book.worksheets}
    book.close()
    survey = sheets.get("survey") or (next(iter(sheets.values())) if len(sheets) == 1 else None)
    if survey is None:
        from transferkit.exceptions import TransferkitError

        msg = f"{path}: no sheet called 'survey'; found {', '.join(sheets) or 'none'}"
        raise TransferkitError(msg)
    for name, other_sheet in sheets.items():
        if name not in ("survey", "choices", "settings") and other_sheet is not survey:
            what = "external choices" if name == "external_choices" else "sheet"
            report.lose(f"sheet {other_sheet.name}", what, "not read")

    settings: dict[str, str] = {}
    if "settings" in sheets and sheets["settings"].rows:
        row = sheets["settings"].rows[0][1]
        for i, (base, lang, written) in enumerate(sheets["settings"].header):
            if written and row.get(i):
                key = base if lang is None else f"{base}::{lang}"
                settings[key] = row[i]
    default_lang = settings.get("default_language")
    tk_settings = json.loads(settings.get("transferkit::extra", "{}") or "{}")

    lists = _read_choices(sheets["choices"], default_lang, report) if "choices" in sheets else {}

    texts = _Texts(survey, default_lang, report)
    col: dict[str, int] = {}
    for i, (base, lang, w) in enumerate(survey.header):
        if w and lang is None:
            col.setdefault(base, i)
        elif w and base == "transferkit":
            col.setdefault(f"transferkit::{lang}", i)
    handled = {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "parameters",
        "transferkit",
        *_ROW_COLUMNS,
    }
    used_cols = survey.used_columns()
    for i, (base, _lang, written) in enumerate(survey.header):
        if not written or i not in used_cols:
            continue
        if i in texts.unused:
            report.lose(
                f"survey column {written}", "language", "neither German nor English; not kept"
            )
        elif base not in handled:
            report.lose(f"survey column {written}", "column", "not converted")

    def cell(row: dict[int, str], base: str) -> str:
        if base in _LOCALIZED:
            return texts.value(row, base)
        return row.get(col[base], "") if base in col else ""

    ids_used: set[str] = set()
    renames: dict[str, str] = {}
    types_by_name: dict[str, str] = {}
    phases: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    is_loop = settings.get("transferkit::kind") == "loop"
    phase_ids: set[str] = set()
    stack: list[tuple[str, str]] = []  # (kind, name) of open groups/repeats
    in_repeat = 0
    earlier: set[str] = set()
    # Sections: the groups right inside a sheet (or a loop's phase). Kept only if no
    # ungrouped question comes before a group (the default section is the last one).
    holders: list[dict[str, Any]] = [] if is_loop else [_section_holder(None)]
    section: dict[str, Any] | None = None
    section_depth = 2 if is_loop else 1

    for number, row in survey.rows:
        raw_type = re.sub(r"\s+", " ", cell(row, "type")).strip()
        name = cell(row, "name")
        where = f"survey row {number} ({name or raw_type})"
        old = re.match(
            r"^(select one|select all that apply|select multiple) from (\S+)(.*)$",
            raw_type,
            re.IGNORECASE,
        )
        if old:
            word = "select_one" if old.group(1).lower() == "select one" else "select_multiple"
            rest = old.group(2) + old.group(3)
        else:
            word, _, rest = raw_type.partition(" ")
            word = word.lower()
        if word in ("begin_group", "begin_repeat") or raw_type.lower() in (
            "begin group",
            "begin repeat",
        ):
            kind = "repeat" if "repeat" in raw_type.lower() else "group"
            stack.append((kind, name))
            if kind == "repeat":
                in_repeat += 1
                report.lose(
                    where,
                    "repeat",
                    "a repeated group has no equivalent; its questions are left out",
                )
            elif is_loop and len(stack) == 1:
                pid = _safe(name, _ID, phase_ids, "phase")
                title = texts.get(row, "label", where) or {"de": pid, "en": pid}
                phase: dict[str, Any] = {"id": pid, "title": title, "questions": []}
                phase.update(tk_settings.get("phases", {}).get(name, {}))
                phases.append(phase)
                questions = phase["questions"]
                earlier = set()
                holders.append(_section_holder(phase))
            elif not in_repeat:
                if len(stack) == section_depth and holders:
                    holder = holders[-1]
                    section = {
                        "id": _safe(name, _ID, holder["ids"], "section"),
                        "title": texts.get(row, "label", where) or {"de": name, "en": name},
                        "questions": [],
                    }
                    extra_text = cell(row, "transferkit::extra")
                    try:
                        extra = json.loads(extra_text) if extra_text else {}
                    except ValueError:
                        extra = {}
                    if isinstance(extra, dict) and isinstance(extra.get("intro"), dict):
                        section["intro"] = extra["intro"]
                    holder["sections"].append((where, section))
                    if holder["loose"]:
                        holder["ok"] = False  # a question before this group: no sections
                else:
                    report.lose(
                        where,
                        "group",
                        "questions kept, the group (its label, relevance, page) is not",
                    )
                if cell(row, "relevant"):
                    report.lose(where, "group relevant", cell(row, "relevant"))
            continue
        if word in ("end_group", "end_repeat") or raw_type.lower() in ("end group", "end repeat"):
            if stack:
                if len(stack) == section_depth:
                    section = None
                kind, _ = stack.pop()
                if kind == "repeat":
                    in_repeat -= 1
            continue
        if not raw_type:
            if name:
                report.lose(where, "row without type", "left out")
            continue
        if in_repeat:
            report.lose(where, f"type {raw_type}", "inside a repeat; left out")
            continue
        tk_type = cell(row, "transferkit::type")
        tk_extra_text = cell(row, "transferkit::extra")
        appearance = cell(row, "appearance").lower()
        q: dict[str, Any] = {}
        options_list = ""
        if word in ("text", "string"):
            q["type"] = (
                "long_text" if "multiline" in appearance or tk_type == "long_text" else "text"
            )
        elif word in ("integer", "int", "decimal"):
            q["type"] = "number"
            if word != "decimal":
                q["integer"] = True
        elif word == "range":
            q["type"] = "scale"
            params = dict(re.findall(r"(\w+)\s*=\s*(-?[\d.]+)", cell(row, "parameters")))
            q["min"] = float(params.get("start", 1))
            q["max"] = float(params.get("end", 10))
            q["step"] = float(params.get("step", 1))
            for k in ("min", "max", "step"):
                if q[k].is_integer():
                    q[k] = int(q[k])
        elif word in ("select_one", "select1", "select_multiple", "rank") and rest:
            list_name = rest.split()[0]
            if rest.split()[1:]:
                report.lose(
                    where, f"type {raw_type}", f"'{' '.join(rest.split()[1:])}' (or_other) not kept"
                )
            if list_name not in lists:
                report.lose(
                    where,
                    f"type {raw_type}",
                    f"choice list {list_name!r} not in the choices sheet; left out",
                )
                continue
            options_list = list_name
            q["type"] = {
                "select_one": "single_choice",
                "select1": "single_choice",
                "select_multiple": "multi_choice",
                "rank": "ranking",
            }[word]
            if word != "select_multiple" and ("likert" in appearance or tk_type == "likert"):
                q["type"] = "likert"
        elif word in _METADATA:
            report.lose(where, f"type {raw_type}", "metadata collected by the device; no question")
            continue
        else:
            report.lose(where, f"type {raw_type}", "no transferkit question type; left out")
            continue
        if (
            tk_type
            and tk_type != q["type"]
            and not (tk_type == "long_text" and q["type"] == "text")
        ):
            report.change(
                where,
                "transferkit::type",
                f"{tk_type} does not fit the XLSForm type; read as {q['type']}",
            )

        qid = _safe(name or "q", _ID, ids_used, "q")
        if qid != name:
            renames[name] = qid
            report.change(
                where, "name", f"{name!r} is not a valid transferkit id; renamed to {qid!r}"
            )
        q = {"id": qid, **q}
        q["label"] = texts.get(row, "label", where)
        if q["label"] is None:
            q["label"] = {"de": qid, "en": qid}
            report.change(where, "label", "no label; the name is used")
        hint = texts.get(row, "hint", where)
        if hint is not None:
            q["help"] = hint
        required = cell(row, "required").lower()
        q["required"] = required in _TRUE
        if required and required not in _TRUE and required not in ("no", "false", "false()", "0"):
            report.lose(
                where, "required", f"expression {cell(row, 'required')!r} read as not required"
            )
        if options_list:
            opts = lists[options_list]
            if q["type"] == "likert":
                try:
                    points = [{"value": int(o["name"]), "label": o["label"]} for o in opts]
                except ValueError:
                    points = []
                if len(points) in (4, 5, 6, 7, 10):
                    q["points"] = points
                else:
                    report.change(
                        where,
                        "appearance likert",
                        "choices are not 4–7 or 10 numbered points; read as single_choice",
                    )
                    q["type"] = "single_choice"
            if q["type"] != "likert":
                used_values: set[str] = set()
                options = []
                for o in opts:
                    value = _safe(o["name"], _VALUE, used_values, "v")
                    if value != o["name"]:
                        report.change(where, "choice name", f"{o['name']!r} renamed to {value!r}")
                    option = {"value": value, "label": o["label"]}
                    if isinstance(o.get("extra"), dict) and o["extra"].get("help"):
                        option["help"] = o["extra"]["help"]
                    options.append(option)
                q["options"] = options
        constraint = cell(row, "constraint")
        if constraint:
            _constraint(q, constraint, where, report)
        for other in _ROW_COLUMNS:
            if cell(row, other):
                consequence = {
                    "choice_filter": " — every option is shown",
                    "constraint_message": " — transferkit writes its own messages",
                }
                report.lose(where, other, cell(row, other) + consequence.get(other, ""))
        relevant = cell(row, "relevant")
        if relevant:
            cond = relevant_to_condition(relevant)
            if cond is not None:
                cond["question"] = renames.get(cond["question"], cond["question"])
            if cond is None:
                report.lose(
                    where, "relevant", f"{relevant} — no show_if expresses it; always shown"
                )
            elif cond["question"] not in earlier:
                report.lose(
                    where,
                    "relevant",
                    f"{relevant} — refers to a question not imported before it; always shown",
                )
            else:
                ref_type = types_by_name.get(cond["question"])
                for key in ("equals", "not_equals"):
                    if (
                        key in cond
                        and ref_type == "likert"
                        and isinstance(cond[key], str)
                        and cond[key].lstrip("-").isdigit()
                    ):
                        cond[key] = int(cond[key])
                q["show_if"] = cond
        if tk_extra_text:
            try:
                extra = json.loads(tk_extra_text)
            except json.JSONDecodeError:
                report.lose(where, "transferkit::extra", "not valid JSON; ignored")
            else:
                q.update({k: v for k, v in extra.items() if k not in ("id", "type")})
        questions.append(q)
        types_by_name[qid] = q["type"]
        earlier.add(qid)
        if section is not None:
            section["questions"].append(qid)
        elif holders:
            holders[-1]["loose"] = True

    form_id = settings.get("form_id") or path.stem
    tid = _safe(form_id, _ID, set(), "form")
    if tid != form_id:
        report.change("settings form_id", "id", f"{form_id!r} renamed to {tid!r}")
    version_text = settings.get("version", "1")
    version = int(version_text) if version_text.isdigit() and int(version_text) >= 1 else 1
    if version_text != str(version):
        report.change(
            "settings version", "version", f"{version_text!r} is not a whole number ≥ 1; version 1"
        )
    title_text = settings.get("form_title") or form_id
    template: dict[str, Any] = {
        "id": tid,
        "version": version,
        "kind": "loop" if is_loop else "sheet",
        "title": {"de": title_text, "en": title_text},
    }
    for key, value in tk_settings.items():
        if key != "phases":
            template[key] = value
    if is_loop:
        template["phases"] = phases
    else:
        template["questions"] = questions
    for holder in holders:
        _keep_sections(holder, template if holder["target"] is None else holder["target"], report)
    _fit_feedback(template, report)
    text = yaml.safe_dump(template, allow_unicode=True, sort_keys=False, width=100)
    if report_path is not None:
        write_text_atomically(Path(report_path), report.text())
    if report.copied:
        by_what: dict[str, int] = {}
        for x in report.copied:
            by_what[x.what] = by_what.get(x.what, 0) + 1
        counts = ", ".join(f"{n} {what}" for what, n in by_what.items())
        warnings.warn(
            f"{path.name}: texts in one language only, copied to the other ({counts}); "
            "see the loss report",
            ExchangeWarning,
            stacklevel=2,
        )
    converted = sum(len(p["questions"]) for p in phases) if is_loop else len(questions)
    if not converted:
        from transferkit.exceptions import TransferkitError

        msg = f"{path}: no question of the form converts to transferkit\n{report.text()}"
        raise TransferkitError(msg)
    return TemplateImport(template, text, report, renames)


#: Feedback kinds that show one question type, and that type.
_FEEDBACK_NEEDS = {"vote_results": "dot_vote", "gas_summary": "gas_goal"}


def _fit_feedback(template: dict[str, Any], report: LossReport) -> None:
    """A feedback that shows a question type the form did not carry becomes a ``summary``."""
    holders = [
        ("settings", template),
        *((f"phase {p.get('id')}", p) for p in template.get("phases", []) if isinstance(p, dict)),
    ]
    every = [
        q for _where, holder in holders for q in holder.get("questions", []) if isinstance(q, dict)
    ]
    for where, holder in holders:
        feedback = holder.get("feedback")
        if not isinstance(feedback, dict):
            continue
        needed = _FEEDBACK_NEEDS.get(str(feedback.get("kind")))
        questions = holder.get("questions") if holder is not template else every
        if needed is None or any(
            isinstance(q, dict) and q.get("type") == needed for q in questions or []
        ):
            continue
        report.change(
            f"{where} feedback",
            "feedback",
            f"{feedback.get('kind')} shows a {needed} question, which did not convert; "
            "summary (the answers) instead",
        )
        holder["feedback"] = {"kind": "summary"}
    labels = template.get("scale_groups")
    if isinstance(labels, dict):
        used = {q.get(k) for q in every for k in ("scale_group", "area")}
        for name in [n for n in labels if n not in used]:
            report.lose(
                "settings scale_groups", str(name), "no converted question has this scale group"
            )
            del labels[name]


def _section_holder(target: dict[str, Any] | None) -> dict[str, Any]:
    """The sections being read for a sheet (``target`` None) or a phase (its dict)."""
    from transferkit.templates.sections import DEFAULT_SECTION_ID

    return {
        "target": target,
        "sections": [],
        "loose": False,
        "ok": True,
        "ids": {DEFAULT_SECTION_ID},
    }


def _keep_sections(holder: dict[str, Any], target: dict[str, Any], report: LossReport) -> None:
    """Put the groups read as sections into ``target``, or report why they are not kept."""
    kept = []
    for where, section in holder["sections"]:
        if not holder["ok"]:
            report.lose(
                where,
                "group",
                "questions kept, the group (its label, relevance, page) is not: "
                "a question outside any group comes before it",
            )
        elif not section["questions"]:
            report.lose(where, "group", "no question in it converts; no section")
        else:
            kept.append(section)
    if kept:
        target["sections"] = kept


def _read_choices(
    ch: _Sheet, default_lang: str | None, report: LossReport
) -> dict[str, list[dict[str, Any]]]:
    """The choice lists of the ``choices`` sheet: list name -> ``[{name, label, extra}]``."""
    lists: dict[str, list[dict[str, Any]]] = {}
    texts = _Texts(ch, default_lang, report)
    col = {base: i for i, (base, lang, w) in enumerate(ch.header) if w and lang is None}
    used_cols = ch.used_columns()
    known = {"list_name", "name", "label", "transferkit", "transferkit_extra"}
    for i, (base, _lang, written) in enumerate(ch.header):
        if written and i in used_cols and base not in known and i not in texts.unused:
            report.lose(
                f"choices column {written}",
                "column",
                "not converted (e.g. a choice_filter key, media)",
            )
    for i, written in texts.unused.items():
        if i in used_cols:
            report.lose(
                f"choices column {written}", "language", "neither German nor English; not kept"
            )
    seen: dict[str, set[str]] = {}
    for number, row in ch.rows:
        list_name = row.get(col.get("list_name", -1), "")
        name = row.get(col.get("name", -1), "")
        if not list_name or not name:
            continue
        where = f"choices row {number} ({list_name}/{name})"
        label = texts.get(row, "label", where) or {"de": name, "en": name}
        values = seen.setdefault(list_name, set())
        if name in values:
            report.lose(
                where, "duplicate choice", "the same name twice in one list; kept the first"
            )
            continue
        values.add(name)
        choice: dict[str, Any] = {"name": name, "label": label}
        extra_col = next(
            (
                i
                for i, (b, lang, _w) in enumerate(ch.header)
                if (b, lang) in (("transferkit", "extra"), ("transferkit_extra", None))
            ),
            None,
        )
        if extra_col is not None and row.get(extra_col):
            try:
                choice["extra"] = json.loads(row[extra_col])
            except json.JSONDecodeError:
                report.lose(where, "transferkit::extra", "not valid JSON; ignored")
        lists.setdefault(list_name, []).append(choice)

    return lists


def _constraint(q: dict[str, Any], expr: str, where: str, report: LossReport) -> None:
    """Map a ``constraint`` onto the question's limits, or report it."""
    if "${" in expr:
        report.lose(
            where, "constraint", f"{expr} — refers to other questions (cross-field); not checked"
        )
        return
    found = _bounds(expr)
    qtype = q["type"]
    subjects = {
        "number": ".",
        "scale": ".",
        "text": "string-length(.)",
        "long_text": "string-length(.)",
        "multi_choice": "count-selected(.)",
    }
    if found is None or subjects.get(qtype) != found[0] or (qtype == "scale"):
        if qtype == "likert" and found is not None and found[0] == ".":
            _likert_range(q, found[1], where, report)
            return
        report.lose(where, "constraint", f"{expr} — not a range transferkit can hold; not checked")
        return
    limits = found[1]
    integer = qtype != "number" or q.get("integer", False)
    low = limits.get(">=")
    high = limits.get("<=")
    if ">" in limits:
        if integer:
            low = limits[">"] + 1
        else:
            report.lose(where, "constraint", f"{expr} — a strict '>' on decimals is kept as '>='")
            low = limits[">"]
    if "<" in limits:
        if integer:
            high = limits["<"] - 1
        else:
            report.lose(where, "constraint", f"{expr} — a strict '<' on decimals is kept as '<='")
            high = limits["<"]
    names = {
        "number": ("min", "max"),
        "text": ("min_length", "max_length"),
        "long_text": ("min_length", "max_length"),
        "multi_choice": ("min_selected", "max_selected"),
    }[qtype]
    for key, bound in zip(names, (low, high), strict=True):
        if bound is not None:
            q[key] = int(bound) if integer or float(bound).is_integer() else bound


def _likert_range(
    q: dict[str, Any], limits: dict[str, float], where: str, report: LossReport
) -> None:
    """A constraint on a Likert item keeps only the points inside it."""
    points = q.get("points", [])
    low = limits.get(">=", limits.get(">", float("-inf")) + (1 if ">" in limits else 0))
    high = limits.get("<=", limits.get("<", float("inf")) - (1 if "<" in limits else 0))
    kept = [p for p in points if low <= p["value"] <= high]
    if len(kept) == len(points):
        return
    if len(kept) in (4, 5, 6, 7, 10):
        q["points"] = kept
        report.change(where, "constraint", "Likert points outside the allowed range left out")
    else:
        report.lose(
            where, "constraint", "a range on Likert points that leaves too few points; not checked"
        )
