"""`transferkit serve` checks the participants' link before it prints it (issue 12, item 2).

Each case is a typo a moderator makes: the server must stop with every problem
named and the valid values listed, and print no link and no QR code, because
a room full of people would otherwise fill in a sheet that cannot be stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkit.cli.serve import serve_command
from transferkit.sheets.links import check_join_link, did_you_mean
from transferkit.sheets.query import SheetRequest
from transferkit.store import Store

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'pilot.db'}"
    store = Store(url)
    store.add_pilot("P01", "Digitale Werkstatt", loops=4)
    store.add_pilot("P02", "Nachhaltig führen")
    store.close()
    return url


def serve_dry(*args: str, store_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        serve_command, ["--dry-run", "--db", store_url, "--workshops", str(WORKSHOPS), *args]
    )
    return result.exit_code, result.output


def assert_nothing_shared(output: str) -> None:
    assert "participants:" not in output
    assert "http://" not in output
    assert "█" not in output
    assert "▀" not in output


def test_a_misspelt_template_stops_with_the_valid_names(store_url: str) -> None:
    code, output = serve_dry("--template", "needs_analyis", store_url=store_url)
    assert code == 1
    assert "unknown template 'needs_analyis' – did you mean 'needs_analysis'?" in output
    assert "reflection_loop" in output  # the built-in names are listed
    assert_nothing_shared(output)


def test_a_loop_template_without_phase_names_the_phases(store_url: str) -> None:
    code, output = serve_dry("--template", "reflection_loop", store_url=store_url)
    assert code == 1
    assert "--phase" in output
    for phase in ("information", "anwendung", "austausch", "optimierung"):
        assert phase in output
    assert_nothing_shared(output)


def test_a_loop_template_with_its_phase_is_served(store_url: str) -> None:
    code, output = serve_dry(
        "--template",
        "reflection_loop",
        "--phase",
        "information",
        "--pilot",
        "P01",
        "--loop",
        "2",
        store_url=store_url,
    )
    assert code == 0, output
    assert "sheet?sheet=reflection_loop&pilot=P01&loop=2&phase=information" in output


def test_a_wrong_phase_is_named_with_a_suggestion(store_url: str) -> None:
    code, output = serve_dry(
        "--template", "reflection_loop", "--phase", "informaton", store_url=store_url
    )
    assert code == 1
    assert "no phase 'informaton' – did you mean 'information'?" in output
    code, output = serve_dry(
        "--template", "needs_analysis", "--phase", "information", store_url=store_url
    )
    assert code == 1
    assert "without phases" in output


def test_an_unknown_pilot_stops_with_the_pilots_in_the_store(store_url: str) -> None:
    code, output = serve_dry("--pilot", "P77", store_url=store_url)
    assert code == 1
    assert "unknown pilot 'P77'" in output
    assert "P01, P02" in output
    assert_nothing_shared(output)
    code, output = serve_dry("--pilot", "p01", store_url=store_url)
    assert code == 1
    assert "did you mean 'P01'?" in output


def test_a_loop_outside_the_plan_is_refused(store_url: str) -> None:
    code, output = serve_dry("--pilot", "P01", "--loop", "5", store_url=store_url)
    assert code == 1
    assert "loop 5 is not a planned loop of pilot 'P01': 1–4" in output
    assert_nothing_shared(output)
    code, output = serve_dry("--pilot", "P02", "--loop", "5", store_url=store_url)
    assert code == 0, output  # P02 plans no number of loops: any loop is fine


def test_every_problem_is_named_at_once(store_url: str) -> None:
    code, output = serve_dry("--template", "reflection_loop", "--pilot", "P77", store_url=store_url)
    assert code == 1
    assert "--phase" in output
    assert "unknown pilot 'P77'" in output


def test_an_empty_store_says_how_to_create_a_pilot(tmp_path: Path) -> None:
    code, output = serve_dry("--pilot", "P01", store_url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1
    assert "no pilots yet" in output


def test_a_broken_custom_template_shows_the_moderator_its_errors(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "id: mine\nkind: sheet\nquestions: [{id: q1, type: likert}]\n", encoding="utf-8"
    )
    check = check_join_link(SheetRequest(template="mine.yaml"), None, folder=tmp_path)
    assert not check.ok
    assert "mine.yaml" in check.problems[0]
    assert "questions[0].points (line 3)" in check.problems[0]
    check = check_join_link(SheetRequest(template="mine.yml"), None, folder=tmp_path)
    assert "did you mean 'mine.yaml'?" in check.problems[0]


def test_a_valid_custom_template_in_the_workshops_folder_passes(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "id: mine\nversion: 1\nkind: sheet\ntitle: {de: Meins, en: Mine}\n"
        "questions:\n  - {id: q1, type: text, label: {de: Frage, en: Question}}\n",
        encoding="utf-8",
    )
    check = check_join_link(SheetRequest(template="mine.yaml"), None, folder=tmp_path)
    assert check.ok, check.problems
    assert check.template is not None
    assert check.template.id == "mine"


def test_did_you_mean_finds_nothing_for_a_stranger() -> None:
    assert did_you_mean("zzz", ["P01", "P02"]) == ""
