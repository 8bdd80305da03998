"""Templates ⇄ XLSForm: every built-in template out, validated by pyxform (ODK Validate), and back."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

from transferkit.cli import main
from transferkit.exchange.codebook import ExchangeWarning
from transferkit.exchange.xlsform import (
    NOT_IN_XLSFORM,
    export_xlsform,
    import_xlsform,
    relevant_to_condition,
)
from transferkit.templates import list_templates, load_template, load_template_string


@pytest.mark.java
@pytest.mark.parametrize("name", list_templates())
def test_builtin_round_trip(name: str, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("ODK Validate (in pyxform) needs Java: apt-get install default-jre-headless")
    template = load_template(name)
    path = tmp_path / f"{name}.xlsx"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", ExchangeWarning)
        notes = export_xlsform(template, path)
    lost_types = [q for q in template.all_questions() if q.type in NOT_IN_XLSFORM]
    assert len(notes) == len(lost_types)
    for q in lost_types:
        assert any(n.startswith(f"{q.id}: question type {q.type}") for n in notes)
    pyxform_warnings: list[str] = []
    convert(xlsform=str(path), warnings=pyxform_warnings, validate=True)
    assert pyxform_warnings == []
    result = import_xlsform(path)
    assert not result.report
    back = load_template_string(result.yaml)
    kept = [q for q in template.all_questions() if q.type not in NOT_IN_XLSFORM]
    assert [q.model_dump() for q in back.all_questions()] == [q.model_dump() for q in kept]
    assert back.title == template.title
    assert back.kind == template.kind
    assert (
        back.phase_ids()
        == [p.id for p in template.phases if any(q.type not in NOT_IN_XLSFORM for q in p.questions)]
        or back.kind == "sheet"
    )


@pytest.mark.parametrize(
    ("expr", "cond"),
    [
        ("${q} = 'v'", {"question": "q", "equals": "v"}),
        ("${q} != 'v'", {"question": "q", "not_equals": "v"}),
        ("${q} = ‘v’", {"question": "q", "equals": "v"}),
        ("selected(${q}, 'v')", {"question": "q", "equals": "v"}),
        ("not(selected(${q}, 'v'))", {"question": "q", "not_equals": "v"}),
        ("${q} = 'a' or ${q} = 'b'", {"question": "q", "in": ["a", "b"]}),
        ("${q} != ''", {"question": "q", "answered": True}),
        ("string-length(${q}) > 0", {"question": "q", "answered": True}),
        ("${q} = 3", {"question": "q", "equals": 3}),
        ("${q} > 3", None),
        ("${a} = 'x' and ${b} = 'y'", None),
    ],
)
def test_relevant_to_show_if(expr: str, cond: dict[str, object] | None) -> None:
    assert relevant_to_condition(expr) == cond


def test_cli_export_and_import(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "rt.xlsx"
    result = runner.invoke(
        main, ["templates", "export", "round_table", "--to", "xlsform", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "dot_vote" in result.output
    assert "action_items" in result.output
    result = runner.invoke(
        main, ["templates", "import", str(out), "--out", str(tmp_path / "rt.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rt.loss.txt").is_file()
    load_template_string((tmp_path / "rt.yaml").read_text(encoding="utf-8"))


def test_curly_quotes_and_umlauts_survive_the_round_trip(tmp_path: Path) -> None:
    # pyxform's own parser straightens „“‘’; the import reads the workbook with openpyxl.
    template = load_template_string(
        """
id: quotes
version: 1
kind: sheet
title: {de: "„Qualität“ im Betrieb", en: "‘Quality’ at work"}
questions:
  - id: place
    type: single_choice
    label: {de: "Wo fand die „Lernrunde“ statt?", en: "Where was the ‘learning round’?"}
    options:
      - {value: onsite, label: {de: "Vor Ort – „im Werk“", en: "On site – ‘in the plant’"}}
      - {value: remote, label: {de: "Online", en: "Online"}}
"""
    )
    path = tmp_path / "quotes.xlsx"
    export_xlsform(template, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        back = load_template_string(import_xlsform(path).yaml)
    question = back.all_questions()[0]
    assert question.label.de == "Wo fand die „Lernrunde“ statt?"
    assert question.label.en == "Where was the ‘learning round’?"
    assert [o.label.de for o in question.options] == ["Vor Ort – „im Werk“", "Online"]
    assert back.title.de == "„Qualität“ im Betrieb"
