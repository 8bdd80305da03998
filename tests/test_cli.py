"""The `transferkit` command, driven through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.datasets import read_dataset
from transferkit.store import Store
from transferkit.templates import list_templates


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_demo_prints_one_line_per_pilot(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["demo", "--db", db_url, "--no-reports"])
    assert result.exit_code == 0, result.output
    pilots = read_dataset("pilots")["pilot_id"].tolist()
    lines = [ln for ln in result.output.splitlines() if ln.split(" ", 1)[0] in pilots]
    assert [ln.split()[0] for ln in lines] == pilots
    # The numbers printed come from the store: check one against it.
    store = Store(db_url)
    n_p01 = int((store.responses()["pilot"] == "P01").sum())
    assert f"{n_p01} Antworten" in lines[0]


def test_demo_twice_stores_nothing_twice(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["demo", "--db", db_url, "--no-reports"]).exit_code == 0
    first = Store(db_url).info()
    assert runner.invoke(main, ["demo", "--db", db_url, "--no-reports"]).exit_code == 0
    assert Store(db_url).info() == first


def test_templates_list_names_every_builtin(runner: CliRunner) -> None:
    result = runner.invoke(main, ["templates", "list", "--lang", "en"])
    assert result.exit_code == 0
    assert [ln.split()[0] for ln in result.output.splitlines()] == list_templates()


def test_templates_show_in_english(runner: CliRunner) -> None:
    result = runner.invoke(main, ["templates", "show", "needs_analysis", "--lang", "en"])
    assert result.exit_code == 0
    assert "participant code (no name)" in result.output


def test_templates_show_unknown_name_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["templates", "show", "no_such_sheet"])
    assert result.exit_code == 1
    assert "needs_analysis" in result.output  # lists what exists
    assert "Traceback" not in result.output


def test_templates_validate_ok_and_broken(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: mini\nversion: 1\ntitle: {de: Mini, en: Mini}\nquestions:\n"
        "  - id: q1\n    type: text\n    label: {de: Team, en: Team}\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "id: mini\nversion: 1\ntitle: {de: Mini, en: Mini}\nquestions:\n"
        "  - id: q1\n    type: likert\n    label: {de: Team, en: Team}\n"
        "    points:\n      - {value: 1, label: {de: a, en: a}}\n",
        encoding="utf-8",
    )
    ok = runner.invoke(main, ["templates", "validate", str(good)])
    assert ok.exit_code == 0
    assert "OK" in ok.output
    bad = runner.invoke(main, ["templates", "validate", str(good), str(broken)])
    assert bad.exit_code == 1
    assert "broken.yaml" in bad.output
    assert "line" in bad.output
    assert "Traceback" not in bad.output


def test_templates_print_writes_html(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sheet.html"
    result = runner.invoke(main, ["templates", "print", "reflection_loop", "--out", str(out)])
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Optimierung" in text


def test_db_commands(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["db", "init", "--db", db_url]).exit_code == 0
    imported = runner.invoke(main, ["db", "import-demo", "--db", db_url])
    assert imported.exit_code == 0
    counts = json.loads(imported.output)
    assert counts["pilots"] == len(read_dataset("pilots"))
    info = runner.invoke(main, ["db", "info", "--db", db_url])
    assert info.exit_code == 0
    assert json.loads(info.output)["backend"] == "sqlite"


def test_bad_store_url_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["db", "info", "--db", "nosuchdialect://x"])
    assert result.exit_code == 1
    assert "Error" in result.output
    assert "Traceback" not in result.output


def test_db_import_reads_a_csv_into_the_store(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    from transferkit.datasets.importer import IMPORT_KINDS

    store = Store(db_url)
    store.add_pilot("X1", "Eigenes Pilotprojekt")
    costs = tmp_path / "costs.csv"
    costs.write_text(
        "pilot_id,cost_item,amount_eur\nX1,facilitation,1000\nX1,licences,500\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["db", "import", "costs", str(costs), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 rows of costs imported into sqlite:///")
    assert store.costs("X1")["amount_eur"].sum() == 1500.0
    costs.write_text("pilot_id,cost_item,amount_eur\nX1,facilitation,1200\n", encoding="utf-8")
    replaced = runner.invoke(
        main, ["db", "import", "costs", str(costs), "--replace", "--db", db_url]
    )
    assert replaced.exit_code == 0, replaced.output
    assert store.costs("X1")["cost_item"].tolist() == ["facilitation"]  # licences is gone
    help_text = runner.invoke(main, ["db", "import", "--help"]).output
    assert "|".join(IMPORT_KINDS) in help_text  # the CLI offers every kind the importer reads


def test_db_import_of_a_broken_csv_lists_the_problems(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    store = Store(db_url)
    store.add_pilot("X1", "Eigenes Pilotprojekt")
    bad = tmp_path / "benefits.csv"
    bad.write_text("pilot_id,benefit_item,amount\nX1,time,10\nX1,more,zehn\n", encoding="utf-8")
    result = runner.invoke(main, ["db", "import", "benefits", str(bad), "--db", db_url])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "nothing was stored" in result.output
    assert "line 1: column 'amount_eur' is missing; the file has 'amount' instead" in result.output
    assert "line 3: amount_eur: 'zehn' is not a number" in result.output
    assert store.benefits().empty
    wrong_kind = runner.invoke(main, ["db", "import", "budget", str(bad), "--db", db_url])
    assert wrong_kind.exit_code == 2  # click names the valid kinds
    assert "costs" in wrong_kind.output
