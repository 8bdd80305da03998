"""Sections ⇄ XLSForm groups: out as ``begin group`` (field-list pages), back as sections."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from transferkit.exchange.codebook import ExchangeWarning
from transferkit.exchange.xlsform import export_xlsform, import_xlsform
from transferkit.templates import load_template, load_template_string
from transferkit.templates.sections import sheet_sections

LOOP = """
id: loop_sec
version: 1
kind: loop
title: {de: Schleife, en: Loop}
phases:
  - id: p1
    title: {de: Phase eins, en: Phase one}
    sections:
      - id: a
        title: {de: Erst, en: First}
        intro: {de: Kurz erklärt, en: Briefly}
        questions: [x]
    questions:
      - {id: x, type: text, label: {de: X, en: X}}
      - {id: y, type: text, required: false, label: {de: Y, en: Y}}
"""


def _rows(path: Path) -> list[tuple[Any, ...]]:
    sheet = load_workbook(path)["survey"]
    return [tuple(r[:2]) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_needs_analysis_sections_are_groups_and_come_back(tmp_path: Path) -> None:
    template = load_template("needs_analysis")
    path = tmp_path / "needs.xlsx"
    export_xlsform(template, path)
    rows = _rows(path)
    groups = [name for kind, name in rows if kind == "begin group"]
    assert groups == ["digital", "soft", "sustainability", "formats_time"]
    assert rows[0] == ("begin group", "digital")
    assert rows[-1] == ("end group", "formats_time")
    sheet = load_workbook(path)["survey"]
    header = [c.value for c in sheet[1]]
    appearance = header.index("appearance")
    begins = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "begin group"]
    assert {r[appearance] for r in begins} == {"field-list"}  # one page each in ODK/Enketo
    result = import_xlsform(path)
    assert not result.report
    back = load_template_string(result.yaml)
    assert [(s.id, s.title, s.question_ids) for s in sheet_sections(back)] == [
        (s.id, s.title, s.question_ids) for s in sheet_sections(template)
    ]


def test_phase_sections_nest_inside_the_phase_group_with_their_intro(tmp_path: Path) -> None:
    template = load_template_string(LOOP)
    path = tmp_path / "loop.xlsx"
    export_xlsform(template, path)
    assert _rows(path) == [
        ("begin group", "p1"),
        ("begin group", "a"),
        ("text", "x"),
        ("end group", "a"),
        ("text", "y"),  # the default section: ungrouped, last
        ("end group", "p1"),
    ]
    result = import_xlsform(path)
    assert not result.report
    back = load_template_string(result.yaml)
    (section, default) = sheet_sections(back, "p1")
    assert (section.id, section.question_ids, default.question_ids) == ("a", ["x"], ["y"])
    assert section.intro is not None
    assert section.intro.en == "Briefly"


def _foreign(path: Path, survey: list[list[str]]) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "survey"
    ws.append(["type", "name", "label::German (de)", "label::English (en)"])
    for row in survey:
        ws.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Fremd", "foreign"])
    book.save(path)
    return path


def test_groups_of_another_tool_become_sections_when_they_can(tmp_path: Path) -> None:
    path = _foreign(
        tmp_path / "ok.xlsx",
        [
            ["begin group", "page 1", "Seite 1", "Page 1"],
            ["text", "a", "A", "A"],
            ["end group", "", "", ""],
            ["begin group", "page2", "Seite 2", "Page 2"],
            ["note", "n", "Nur Text", "Text only"],
            ["end group", "", "", ""],
            ["text", "b", "B", "B"],
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        result = import_xlsform(path)
    back = load_template_string(result.yaml)
    assert [(s.id, s.question_ids) for s in sheet_sections(back)] == [
        ("page_1", ["a"]),
        ("further", ["b"]),
    ]
    lost = [str(x) for x in result.report.lost]
    assert any("(page2): group — no question in it converts" in x for x in lost), lost


def test_a_question_before_the_groups_keeps_no_sections_and_says_so(tmp_path: Path) -> None:
    path = _foreign(
        tmp_path / "loose.xlsx",
        [
            ["text", "a", "A", "A"],
            ["begin group", "g", "G", "G"],
            ["text", "b", "B", "B"],
            ["end group", "", "", ""],
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        result = import_xlsform(path)
    back = load_template_string(result.yaml)
    assert back.sections == []
    assert [q.id for q in back.questions] == ["a", "b"]
    lost = [str(x) for x in result.report.lost]
    assert any("(g): group" in x and "comes before it" in x for x in lost), lost
