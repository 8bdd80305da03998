"""A LimeSurvey survey structure (``.lss``, or the one in a ``.lsa`` archive) as a transferkit template.

``transferkit templates import survey.lss`` writes a template whose question
ids are the survey's question codes and whose option values are its answer
codes, so that ``transferkit db import-survey`` takes the survey's responses
into it without a mapping. What converts, by LimeSurvey question type:

=====================================  ==============================================
LimeSurvey                             transferkit
=====================================  ==============================================
``S`` short text, ``D`` date           ``text`` (a date as text, reported)
``T`` ``U`` long texts                 ``long_text``
``N`` numerical input                  ``number`` (min/max/integer from its attributes)
``L`` ``!`` ``O`` lists                ``single_choice`` (``-oth-`` as option ``other``)
``5`` five-point choice                ``scale`` 1–5
``Y`` yes/no, ``G`` gender             ``single_choice`` with LimeSurvey's codes
``M`` ``P`` multiple choice            ``multi_choice`` (options = sub-question codes)
``R`` ranking                          ``ranking``
``F`` ``H`` ``A`` ``B`` ``C`` ``E``    one question per row, ``CODE_SUB``
arrays                                 (``single_choice`` or ``scale`` 1–5 / 1–10)
``K`` ``Q`` multiple numbers/texts     one ``number`` / ``text`` per row, ``CODE_SUB``
``:`` ``;`` arrays of numbers/texts    one question per cell, ``CODE_ROW_COLUMN``
=====================================  ==============================================

Not converted, each named in the loss report: text displays (``X``),
equations (``*``), file uploads (``|``), language switches (``I``), dual-scale
arrays (``1``: map their fields with ``--mapping``), relevance expressions
(the question is always shown), "other" and comment texts beside choices,
validation expressions. Question groups become sections (when there are
several); texts lose their HTML; a text in one language only is copied to the
other (German ``de…``, English ``en…``; a survey in neither language is used
for both).
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from transferkit.exceptions import DatasetError
from transferkit.exchange.codebook import ExchangeWarning, write_text_atomically
from transferkit.exchange.limesurvey import structure_document, table_rows
from transferkit.exchange.loss import LossReport, TemplateImport

__all__ = ["import_limesurvey_structure"]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_LANGS = ("de", "en")

#: LimeSurvey's fixed answers of a type: code → (German, English) label.
_FIXED: dict[str, dict[str, tuple[str, str]]] = {
    "Y": {"Y": ("Ja", "Yes"), "N": ("Nein", "No")},
    "G": {"F": ("weiblich", "Female"), "M": ("männlich", "Male")},
    "C": {"Y": ("Ja", "Yes"), "N": ("Nein", "No"), "U": ("Unsicher", "Uncertain")},
    "E": {"I": ("Mehr", "Increase"), "S": ("Gleich", "Same"), "D": ("Weniger", "Decrease")},
}
#: Types one row of which is one question of the template, and what that question is.
_ARRAYS = {"F": "answers", "H": "answers", "A": (1, 5), "B": (1, 10), "C": "fixed", "E": "fixed"}
_NOT_CONVERTED = {
    "X": "a text display (no answer); transferkit has no display-only question",
    "*": "an equation (computed, not asked)",
    "|": "a file upload",
    "I": "a language switch",
    "1": "a dual-scale array: its fields can be taken into questions of your own with --mapping",
}
_TYPE_NAMES = {
    "X": "text display",
    "*": "equation",
    "|": "file upload",
    "I": "language switch",
    "1": "dual-scale array",
}


def _plain(text: str) -> str:
    """A LimeSurvey text without its HTML: scripts and styles dropped, tags removed, entities
    decoded, spaces collapsed (paragraphs and line breaks kept as lines)."""
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<\s*br\s*/?\s*>|</p\s*>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _lang(code: str) -> str | None:
    """``de``/``en`` for a LimeSurvey language code (``de``, ``de-informal``, ``en-GB`` …)."""
    code = code.lower()
    return next((lang for lang in _LANGS if code == lang or code.startswith(lang + "-")), None)


class _Texts:
    """Texts by LimeSurvey key and language, made into ``{de, en}`` with copies reported."""

    def __init__(self, languages: list[str], report: LossReport) -> None:
        self.report = report
        mapped = {code: _lang(code) for code in languages}
        self.fallback = None
        if not any(mapped.values()) and languages:
            self.fallback = languages[0]
            report.change(
                "survey",
                "languages",
                f"neither German nor English ({', '.join(languages)}): "
                f"{languages[0]!r} used for de and en",
                warn=False,
            )
        self.by_key: dict[tuple[str, str], dict[str, str]] = {}
        self.mapped = mapped
        self.copied: dict[tuple[str, str], int] = {}

    def add(self, kind: str, key: str, language: str, text: str) -> None:
        lang = self.mapped.get(language, _lang(language))
        if lang is None and language == self.fallback:
            lang = "de"
        text = _plain(text)
        if lang is not None and text:
            self.by_key.setdefault((kind, key), {}).setdefault(lang, text)

    def get(self, kind: str, key: str, where: str, what: str, default: str) -> dict[str, str]:
        found = dict(self.by_key.get((kind, key), {}))
        if not found:
            if default:
                self.report.change(where, what, f"no text in the survey: {default!r} used")
            return {"de": default, "en": default}
        for lang, other in (("de", "en"), ("en", "de")):
            if lang not in found:
                found[lang] = found[other]
                self.copied[(other, lang)] = self.copied.get((other, lang), 0) + 1
        return {"de": found["de"], "en": found["en"]}

    def report_copies(self) -> None:
        """One line per direction: how many texts exist in one language only and were copied."""
        for (source, target), n in self.copied.items():
            self.report.change(
                "survey",
                "languages",
                f"{n} text(s) only in {source}: copied to {target} (translate them in the YAML)",
                warn=False,
            )

    def maybe(self, kind: str, key: str, where: str, what: str) -> dict[str, str] | None:
        return self.get(kind, key, where, what, "") if (kind, key) in self.by_key else None


def _number(text: str | None) -> float | int | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _safe(name: str, pattern: re.Pattern[str], used: set[str], prefix: str) -> str:
    if pattern.match(name) and name not in used:
        used.add(name)
        return name
    text = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or prefix
    if pattern is _ID and not text[0].isalpha():
        text = f"{prefix}_{text}"
    base, n = text, 2
    while text in used:
        text = f"{base}_{n}"
        n += 1
    used.add(text)
    return text


def import_limesurvey_structure(
    path: str | Path, report_path: str | Path | None = None
) -> TemplateImport:
    """The template for a LimeSurvey survey structure (``.lss`` or ``.lsa``), and its loss report.

    The report is written to ``report_path`` if given. Raises
    :class:`~transferkit.exceptions.DatasetError` for a file that is no survey
    structure, or one with no question that converts.
    """
    path = Path(path)
    root = structure_document(path)
    report = LossReport(path.name, kind="LimeSurvey structure")
    languages = [e.text or "" for e in root.iterfind("languages/language") if e.text]
    texts = _Texts(languages, report)
    questions = [r for r in table_rows(root, "questions") if r.get("parent_qid", "0") in ("0", "")]
    subs = table_rows(root, "subquestions") + [
        r for r in table_rows(root, "questions") if r.get("parent_qid", "0") not in ("0", "")
    ]
    for row in questions + subs:  # LimeSurvey 3: texts in the questions table, one row per language
        if row.get("question") and row.get("language"):
            texts.add("q", row["qid"], row["language"], row["question"])
        if row.get("help") and row.get("language"):
            texts.add("help", row["qid"], row["language"], row["help"])
    for row in table_rows(root, "question_l10ns"):
        texts.add("q", row.get("qid", ""), row.get("language", ""), row.get("question", ""))
        texts.add("help", row.get("qid", ""), row.get("language", ""), row.get("help", ""))
    answers: dict[
        str, dict[str, list[tuple[int, str, str]]]
    ] = {}  # qid → scale → (order, code, key)
    seen_answers: set[tuple[str, str, str]] = set()
    for row in table_rows(root, "answers"):
        qid, code, scale = row.get("qid", ""), row.get("code", ""), row.get("scale_id") or "0"
        key = row.get("aid") or f"{qid}/{scale}/{code}"
        if row.get("answer") and row.get("language"):
            texts.add(
                "a",
                key if row.get("aid") else f"{qid}/{scale}/{code}",
                row["language"],
                row["answer"],
            )
        if (qid, scale, code) not in seen_answers:
            seen_answers.add((qid, scale, code))
            order = int(_number(row.get("sortorder")) or 0)
            answers.setdefault(qid, {}).setdefault(scale, []).append((order, code, key))
    for row in table_rows(root, "answer_l10ns"):
        texts.add("a", row.get("aid", ""), row.get("language", ""), row.get("answer", ""))
    attributes: dict[str, dict[str, str]] = {}
    for row in table_rows(root, "question_attributes"):
        if row.get("value"):
            attributes.setdefault(row.get("qid", ""), {}).setdefault(row["attribute"], row["value"])
    groups: dict[str, int] = {}
    for row in table_rows(root, "groups"):
        groups.setdefault(row.get("gid", ""), int(_number(row.get("group_order")) or 0))
        if row.get("group_name") and row.get("language"):
            texts.add("g", row["gid"], row["language"], row["group_name"])
    for row in table_rows(root, "group_l10ns"):
        texts.add("g", row.get("gid", ""), row.get("language", ""), row.get("group_name", ""))
    survey = next(iter(table_rows(root, "surveys")), {})
    sid = survey.get("sid") or next((q.get("sid", "") for q in questions), "")
    for row in table_rows(root, "surveys_languagesettings"):
        language = row.get("surveyls_language", "")
        texts.add("title", "", language, row.get("surveyls_title", ""))
        texts.add("description", "", language, row.get("surveyls_description", ""))
        texts.add("intro", "", language, row.get("surveyls_welcometext", ""))

    rows_of: dict[str, dict[str, list[dict[str, str]]]] = {}
    seen_subs: set[str] = set()
    for row in subs:
        if row["qid"] not in seen_subs:
            seen_subs.add(row["qid"])
            rows_of.setdefault(row["parent_qid"], {}).setdefault(
                row.get("scale_id") or "0", []
            ).append(row)
    for scales in rows_of.values():
        for rows in scales.values():
            rows.sort(key=lambda r: int(_number(r.get("question_order")) or 0))

    used: set[str] = set()
    kinds: dict[str, str] = {}  # id → type of the questions converted so far
    converted: list[tuple[str, dict[str, Any]]] = []  # (gid, question)
    renames: dict[str, str] = {}
    questions.sort(
        key=lambda q: (groups.get(q.get("gid", ""), 0), int(_number(q.get("question_order")) or 0))
    )
    seen_q: set[str] = set()
    for q in questions:
        if q["qid"] in seen_q:
            continue
        seen_q.add(q["qid"])
        code, kind = q.get("title", ""), q.get("type", "")
        where = f"question {code}"
        if kind in _NOT_CONVERTED:
            report.lose(where, _TYPE_NAMES[kind], f"not converted: {_NOT_CONVERTED[kind]}")
            continue
        label = texts.get("q", q["qid"], where, "label", code)
        base: dict[str, Any] = {"label": label}
        help_text = texts.maybe("help", q["qid"], where, "help")
        if help_text is not None:
            base["help"] = help_text
        mandatory = q.get("mandatory", "N")
        base["required"] = mandatory == "Y"
        if mandatory == "S":
            report.change(where, "mandatory", "soft mandatory (may be skipped): not required")
        relevance = (q.get("relevance") or "1").strip()
        if relevance not in ("", "1"):
            condition = _condition(relevance, kinds)
            if condition is None:
                report.lose(
                    where, "relevance", f"{relevance!r} not converted: the question is always shown"
                )
            else:
                base["show_if"] = condition
        attrs = attributes.get(q["qid"], {})
        for attribute in ("em_validation_q", "em_validation_sq", "preg"):
            if attrs.get(attribute):
                report.lose(where, attribute, f"validation {attrs[attribute]!r} not converted")
        if q.get("encrypted") == "Y":
            report.change(
                where,
                "encrypted",
                "stored encrypted by LimeSurvey: import its answers from the CSV export, which "
                "writes them decrypted (a survey archive holds them encrypted)",
            )
        made = _convert(
            q,
            kind,
            code,
            base,
            texts,
            answers.get(q["qid"], {}),
            rows_of.get(q["qid"], {}),
            attrs,
            report,
        )
        for qid_wanted, question in made:
            qid = _safe(qid_wanted, _ID, used, "q")
            if qid != qid_wanted:
                renames[qid_wanted] = qid
                report.change(
                    where, "id", f"{qid_wanted!r} renamed to {qid!r} (map it with --mapping)"
                )
            kinds[qid] = question["type"]
            first_keys = [k for k in ("type", "label", "help", "required") if k in question]
            ordered: dict[str, Any] = {"id": qid, **{k: question[k] for k in first_keys}}
            converted.append((q.get("gid", ""), ordered | question))
    if not converted:
        msg = f"{path}: no question of the survey converts to transferkit\n{report.text()}"
        raise DatasetError(msg)

    template_id = _safe(f"limesurvey_{sid}" if sid else path.stem, _ID, set(), "survey")
    template: dict[str, Any] = {
        "id": template_id,
        "version": 1,
        "kind": "sheet",
        "title": texts.get("title", "", "survey", "title", f"LimeSurvey {sid}".strip()),
    }
    for key in ("description", "intro"):
        value = texts.maybe(key, "", "survey", key)
        if value is not None:
            template[key] = value
    group_ids = list(dict.fromkeys(gid for gid, _ in converted))
    if len(group_ids) > 1:
        section_ids: set[str] = set()
        template["sections"] = [
            {
                "id": _safe(f"group_{gid}", _ID, section_ids, "group"),
                "title": texts.get("g", gid, f"group {gid}", "title", f"Gruppe {n}"),
                "questions": [question["id"] for g, question in converted if g == gid],
            }
            for n, gid in enumerate(group_ids, start=1)
        ]
    template["questions"] = [question for _, question in converted]
    texts.report_copies()
    text = yaml.safe_dump(template, allow_unicode=True, sort_keys=False, width=100)
    if report_path is not None:
        write_text_atomically(Path(report_path), report.text())
    if texts.copied:
        warnings.warn(
            f"{path.name}: {sum(texts.copied.values())} text(s) in one language only, copied to "
            "the other; see the loss report",
            ExchangeWarning,
            stacklevel=2,
        )
    return TemplateImport(template, text, report, renames)


_REF = r"\(*\s*([A-Za-z][A-Za-z0-9_]*)(?:\.NAOK)?\s*"
_COMPARE = re.compile(
    rf"^{_REF}(==|!=|eq|ne)\s*(?:\"([^\"]*)\"|'([^']*)'|(-?\d+(?:\.\d+)?))\s*\)*$"
)
_EMPTY = re.compile(rf"^\(*\s*(!?)\s*is_empty\s*\({_REF}\)\s*\)*$")


def _condition(expression: str, kinds: dict[str, str]) -> dict[str, Any] | None:
    """A ``show_if`` for a LimeSurvey relevance of one comparison, or ``None``.

    ``CODE == "A1"`` / ``CODE.NAOK != 3`` → ``equals`` / ``not_equals``;
    ``!is_empty(CODE.NAOK)`` → ``answered: true``. ``CODE`` must be a question
    converted before this one (LimeSurvey's codes of array rows, ``CODE_SUB``,
    are the template's ids). Anything else (``and``, ``or``, other functions, a
    multiple choice) is not converted.
    """
    if match := _EMPTY.match(expression):
        negated, ref = match.groups()
        return {"question": ref, "answered": bool(negated)} if ref in kinds else None
    match = _COMPARE.match(expression)
    if match is None or kinds.get(match.group(1)) in (None, "multi_choice"):
        return None
    ref, operator, double, single, number = match.groups()
    written = double if double is not None else single if single is not None else number
    value: str | int | float = written
    if kinds[ref] in ("number", "scale"):
        parsed = _number(written)
        if parsed is None:
            return None
        value = parsed
    return {"question": ref, ("equals" if operator in ("==", "eq") else "not_equals"): value}


def _options(
    entries: list[tuple[int, str, str]], texts: _Texts, where: str
) -> list[dict[str, Any]]:
    used: set[str] = set()
    options = []
    for _, code, key in sorted(entries):
        value = _safe(code, _VALUE, used, "a")
        options.append(
            {"value": value, "label": texts.get("a", key, f"{where} answer {code}", "label", code)}
        )
    return options


def _fixed_options(kind: str) -> list[dict[str, Any]]:
    return [
        {"value": code, "label": {"de": de, "en": en}} for code, (de, en) in _FIXED[kind].items()
    ]


def _other_option(attrs: dict[str, str]) -> dict[str, Any]:
    text = _plain(attrs.get("other_replace_text", ""))
    return {"value": "other", "label": {"de": text or "Sonstiges", "en": text or "Other"}}


def _convert(
    q: dict[str, str],
    kind: str,
    code: str,
    base: dict[str, Any],
    texts: _Texts,
    answers: dict[str, list[tuple[int, str, str]]],
    rows: dict[str, list[dict[str, str]]],
    attrs: dict[str, str],
    report: LossReport,
) -> list[tuple[str, dict[str, Any]]]:
    """The question(s) of the template for one LimeSurvey question (several for arrays)."""
    where = f"question {code}"
    first = rows.get("0", [])
    if kind in ("S", "D"):
        if kind == "D":
            report.change(where, "date", "a date question: asked as text (e.g. 2026-03-02)")
        return [(code, {"type": "text", **base})]
    if kind in ("T", "U"):
        return [(code, {"type": "long_text", **base})]
    if kind == "N":
        return [(code, {"type": "number", **base, **_number_limits(attrs)})]
    if kind in ("L", "!", "O"):
        options = _options(answers.get("0", []), texts, where)
        if q.get("other") == "Y":
            options.append(_other_option(attrs))
            report.lose(where, "other text", "the text written beside 'Other' is not kept")
        if kind == "O":
            report.lose(where, "comment", "the comment beside the choice is not kept")
        if not options:
            report.lose(where, "list", "has no answer options: not converted")
            return []
        return [(code, {"type": "single_choice", **base, "options": options})]
    if kind == "5":
        return [(code, {"type": "scale", **base, "min": 1, "max": 5})]
    if kind in ("Y", "G"):
        return [(code, {"type": "single_choice", **base, "options": _fixed_options(kind)})]
    if kind in ("M", "P"):
        options = [
            {
                "value": _safe(r.get("title", ""), _VALUE, set(), "a"),
                "label": texts.get(
                    "q", r["qid"], f"{where} option {r.get('title')}", "label", r.get("title", "")
                ),
            }
            for r in first
        ]
        if q.get("other") == "Y":
            options.append(_other_option(attrs))
            report.lose(where, "other text", "the text written beside 'Other' is not kept")
        if kind == "P":
            report.lose(where, "comments", "the comment beside each option is not kept")
        limits = {
            key: int(n)
            for key, attribute in (("min_selected", "min_answers"), ("max_selected", "max_answers"))
            if (n := _number(attrs.get(attribute))) is not None
            and n >= (1 if key == "max_selected" else 0)
        }
        return [(code, {"type": "multi_choice", **base, **limits, "options": options})]
    if kind == "R":
        return [
            (
                code,
                {
                    "type": "ranking",
                    **base,
                    "options": _options(answers.get("0", []), texts, where),
                },
            )
        ]
    if kind in _ARRAYS or kind in ("K", "Q"):
        return [
            (
                f"{code}_{row.get('title', '')}",
                _row_question(kind, base, texts, row, answers, attrs, where),
            )
            for row in first
        ]
    if kind in (":", ";"):
        columns = rows.get("1", [])
        return [
            (
                f"{code}_{row.get('title', '')}_{column.get('title', '')}",
                {
                    **base,
                    "type": "number" if kind == ":" else "text",
                    "label": _joined(base["label"], texts, row, column, where),
                },
            )
            for row in first
            for column in columns
        ]
    report.lose(where, f"type {kind!r}", "a LimeSurvey question type transferkit does not know")
    return []


def _number_limits(attrs: dict[str, str]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for key, attribute in (("min", "min_num_value_n"), ("max", "max_num_value_n")):
        value = _number(attrs.get(attribute))
        if value is not None:
            limits[key] = value
    if attrs.get("num_value_int_only") == "1":
        limits["integer"] = True
    return limits


def _row_label(
    question: dict[str, str], texts: _Texts, row: dict[str, str], where: str
) -> dict[str, str]:
    row_text = texts.get(
        "q", row["qid"], f"{where} row {row.get('title')}", "label", row.get("title", "")
    )
    return {lang: f"{question[lang]}: {row_text[lang]}" for lang in _LANGS}


def _joined(
    label: dict[str, str], texts: _Texts, row: dict[str, str], column: dict[str, str], where: str
) -> dict[str, str]:
    row_text = _row_label(label, texts, row, where)
    column_text = texts.get(
        "q",
        column["qid"],
        f"{where} column {column.get('title')}",
        "label",
        column.get("title", ""),
    )
    return {lang: f"{row_text[lang]} – {column_text[lang]}" for lang in _LANGS}


def _row_question(
    kind: str,
    base: dict[str, Any],
    texts: _Texts,
    row: dict[str, str],
    answers: dict[str, list[tuple[int, str, str]]],
    attrs: dict[str, str],
    where: str,
) -> dict[str, Any]:
    question: dict[str, Any] = {**base, "label": _row_label(base["label"], texts, row, where)}
    spec = _ARRAYS.get(kind)
    make: dict[str, Callable[[], dict[str, Any]]] = {
        "answers": lambda: {
            "type": "single_choice",
            "options": _options(answers.get("0", []), texts, where),
        },
        "fixed": lambda: {"type": "single_choice", "options": _fixed_options(kind)},
    }
    if isinstance(spec, tuple):
        question.update({"type": "scale", "min": spec[0], "max": spec[1]})
    elif isinstance(spec, str):
        question.update(make[spec]())
    elif kind == "K":
        question.update({"type": "number", **_number_limits(attrs)})
    else:  # Q
        question["type"] = "text"
    return question
