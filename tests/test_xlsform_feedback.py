"""XLSForm export/import carries the feedback kind and the scale group labels (issue 12, item 5)."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl

from transferkit.exchange import ExchangeWarning
from transferkit.exchange.xlsform import export_xlsform, import_xlsform
from transferkit.templates import load_template, load_template_string


def _round_trip(name: str, tmp_path: Path) -> tuple[list[str], object]:
    path = tmp_path / f"{name}.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        notes = export_xlsform(load_template(name), path)
        result = import_xlsform(path)
    return notes, result


def test_scale_group_labels_and_feedback_survive(tmp_path: Path) -> None:
    _notes, result = _round_trip("training_feedback", tmp_path)
    back = load_template_string(result.yaml)  # type: ignore[attr-defined]
    original = load_template("training_feedback")
    assert back.scale_groups == original.scale_groups
    assert back.scale_groups["behaviour"].en == "Behaviour and transfer"
    assert back.feedback == original.feedback
    assert not result.report  # type: ignore[attr-defined]


def test_a_feedback_of_a_question_type_xlsform_lacks_becomes_a_summary(tmp_path: Path) -> None:
    notes, result = _round_trip("pilot_goals", tmp_path)
    (note,) = [n for n in notes if n.startswith("goals: question type gas_goal")]
    assert "gas_summary feedback becomes summary" in note  # said, not done silently
    back = load_template_string(result.yaml)  # type: ignore[attr-defined]
    assert back.feedback is not None
    assert back.feedback.kind == "summary"


def test_an_edited_form_whose_feedback_does_not_fit_is_changed_and_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "edited.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        export_xlsform(load_template("training_feedback"), path)
    book = openpyxl.load_workbook(path)
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    cell = settings.cell(row=2, column=header.index("transferkit::extra") + 1)
    cell.value = str(cell.value).replace('"kind": "summary"', '"kind": "vote_results"')
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        result = import_xlsform(path)
    back = load_template_string(result.yaml)
    assert back.feedback is not None
    assert back.feedback.kind == "summary"
    assert "vote_results shows a dot_vote question" in result.report.text()
