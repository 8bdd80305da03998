"""Paper answers typed into a file and stored like web-sheet answers (issue 12, item 7: paper in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from transferkit.cli import main
from transferkit.datasets.paper import import_paper_answers, paper_submission_id
from transferkit.exceptions import DatasetError
from transferkit.store import Store
from transferkit.templates import load_template

HEADER = (
    "sheet;participant;format;reaction_1;reaction_2;reaction_3;learning_1;learning_2;"
    "behaviour_1;behaviour_2;recommend;comment"
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'paper.db'}")
    store.add_pilot("P01", "Agile Werkstatt", loops=3)
    return store


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_paper_sheets_are_stored_once_with_labels_and_decimal_commas(
    store: Store, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "feedback.csv",
        HEADER,
        "1;K7M4QX;Kurzer Workshop;5;4;4;3;4;4;3;9;Gut, aber zu kurz",
        "2;;tandem;4;4;5;4;4;3;3;7;",
    )
    template = load_template("training_feedback")
    assert import_paper_answers(store, template, path, pilot="P01", loop=1) == 2
    stored = store.responses(template="training_feedback", pilot="P01").sort_values("response_id")
    assert stored["format"].tolist() == ["workshop", "tandem"]  # a label became its value
    assert stored["reaction_1"].tolist() == [5, 4]
    assert stored["loop"].tolist() == [1, 1]
    assert stored["comment"].iloc[0] == "Gut, aber zu kurz"
    assert stored["participant"].iloc[0] == "K7M4QX"
    # The same file again: the sheet numbers make it a no-op.
    assert import_paper_answers(store, template, path, pilot="P01", loop=1) == 0
    assert len(store.responses(template="training_feedback")) == 2


def test_every_wrong_sheet_is_named_and_nothing_is_stored(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "feedback.csv",
        HEADER,
        "1;K7M4QX;workshop;9;4;4;3;4;4;3;9;",  # likert 9 on a 1-5 scale
        "2;Anna Schmidt;workshop;4;4;4;3;4;4;3;9;",  # a name, not a code
        "3;;;4;4;4;3;4;4;3;9;",  # required format missing
        "1;;workshop;4;4;4;3;4;4;3;9;",
    )  # sheet number twice
    with pytest.raises(DatasetError) as caught:
        import_paper_answers(store, load_template("training_feedback"), path, pilot="P01", loop=1)
    message = str(caught.value)
    assert "nothing was stored" in message
    assert "line 2: reaction_1:" in message
    assert "line 3:" in message
    assert "name" in message
    assert "line 4: format:" in message
    assert "line 5: sheet 1 appears already in line 2" in message
    assert store.responses(template="training_feedback").empty


def test_columns_are_checked_before_any_row(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "participant;formatt;reaction_1", ";workshop;4")
    with pytest.raises(DatasetError) as caught:
        import_paper_answers(store, load_template("training_feedback"), path)
    message = str(caught.value)
    assert "unknown column(s) 'formatt'" in message
    assert "column 'sheet' is missing" in message


def test_answers_that_do_not_fit_a_cell_are_refused(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "sheet;goals", "1;mehr Kunden")
    with pytest.raises(DatasetError, match="'goals' is a gas_goal question"):
        import_paper_answers(store, load_template("pilot_goals"), path, pilot="P01")


def test_a_workbook_and_several_choices(store: Store, tmp_path: Path) -> None:
    template = load_template("needs_analysis")
    answers = template.example_answers(seed=3)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    columns = ["sheet", *answers]
    sheet.append(columns)
    sheet.append([7, *(";".join(v) if isinstance(v, list) else v for v in answers.values())])
    book.save(tmp_path / "needs.xlsx")
    assert import_paper_answers(store, template, tmp_path / "needs.xlsx", pilot="P01") == 1
    row = store.responses(template="needs_analysis").iloc[0]
    for key, value in answers.items():
        assert row[key] == value, key
    assert row["submission_id"] == paper_submission_id("needs_analysis", "P01", None, None, "7")


def test_the_command_imports_paper_answers(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "feedback.csv", HEADER, "1;;workshop;5;4;4;3;4;4;3;9;")
    url = store.info()["url"].replace("***", "")
    result = CliRunner().invoke(
        main,
        [
            "db",
            "import",
            "responses",
            str(path),
            "--template",
            "training_feedback",
            "--pilot",
            "P01",
            "--loop",
            "2",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 new responses from paper sheets" in result.output
    assert store.responses(template="training_feedback")["loop"].tolist() == [2]
    result = CliRunner().invoke(main, ["db", "import", "responses", str(path), "--db", url])
    assert result.exit_code != 0
    assert "--template" in result.output
