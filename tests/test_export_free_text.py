"""Sharing responses: free text out, numbers and choices in; erase and export from the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.cli.common import write_atomically
from transferkit.datasets import import_demo
from transferkit.exceptions import StoreError
from transferkit.privacy import without_free_text
from transferkit.store import RESPONSE_COLUMNS, Store
from transferkit.templates import load_template


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'demo.db'}"
    with Store(url) as store:
        import_demo(store)
    return url


def _answers(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in RESPONSE_COLUMNS]


def test_free_text_of_every_kind_is_removed_and_the_rest_kept() -> None:
    frame = pd.DataFrame(
        {
            "template": ["reflection_loop", "pilot_goals", "training_feedback"],
            "learned": ["Frau Berger zeigte uns Kanban", None, None],
            "actions": [
                [
                    {
                        "what": "Board bei Müller",
                        "who": "Herr Kaya",
                        "due": "2026-12-01",
                        "status": "open",
                    }
                ],
                None,
                None,
            ],
            "info_useful": [4, None, None],
            "topic": [None, "digital", None],
            "goals": [
                None,
                [
                    {
                        "goal": "Suchzeit halbieren",
                        "weight": 2.0,
                        "baseline": -1,
                        "follow_up": 1,
                        "levels": {"-2": "a", "-1": "b", "0": "c", "1": "d", "2": "e"},
                    }
                ],
                None,
            ],
            "comment": [None, None, "Danke an Jana"],
            "recommend": [None, None, 9],
        }
    )
    out = without_free_text(frame, load_template, _answers(frame))
    assert "learned" not in out.columns  # only free text in it: the column goes
    assert "comment" not in out.columns
    assert out.loc[0, "actions"] == [{"due": "2026-12-01", "status": "open"}]
    assert out.loc[1, "goals"] == [{"weight": 2.0, "baseline": -1, "follow_up": 1}]
    assert out.loc[1, "topic"] == "digital"
    assert out.loc[0, "info_useful"] == 4
    assert out.loc[2, "recommend"] == 9
    text = out.to_json()
    for name in ("Berger", "Müller", "Kaya", "Jana", "Suchzeit"):
        assert name not in text
    assert frame.loc[0, "learned"] == "Frau Berger zeigte uns Kanban"  # the input is not changed


def test_a_template_that_cannot_be_found_keeps_numbers_only() -> None:
    frame = pd.DataFrame(
        {
            "template": ["my_own_sheet", "my_own_sheet"],
            "mood": ["gut, danke Frau Roth", "ok"],
            "score": pd.Series([3, 5], dtype="int64"),  # numpy integers
            "tags": [["a"], ["b"]],
            "share": [0.5, np.nan],
        }
    )
    out = without_free_text(frame, lambda _id: None, ["mood", "score", "tags", "share"])
    assert out.columns.tolist() == ["template", "score", "share"]
    assert out["score"].tolist() == [3, 5]


def test_export_drops_free_text_and_keeps_the_figures(demo_url: str) -> None:
    store = Store(demo_url)
    kept = store.export_pseudonymized(salt="s", free_text="keep")
    dropped = store.export_pseudonymized(salt="s", free_text="drop")
    assert len(kept) == len(dropped)
    assert kept["participant"].tolist() == dropped["participant"].tolist()
    free = {
        q.id
        for name in kept["template"].unique()
        for q in load_template(name).all_questions()
        if q.type in ("text", "long_text")
    }
    assert free & set(kept.columns)  # the demo has free text ...
    assert not free & set(dropped.columns)  # ... and none of it is exported
    for column in ("recommend", "info_useful", "imp_ai_use", "format"):
        if column in kept.columns:
            pd.testing.assert_series_equal(kept[column], dropped[column], check_dtype=False)
    with pytest.raises(StoreError, match="free_text must be 'keep' or 'drop'"):
        store.export_pseudonymized(free_text="mask")


def _cli(*args: str, **kwargs: Any) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_cli_export_writes_a_pseudonymised_csv(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "share" / "responses.csv"
    result = _cli(
        "db",
        "export",
        str(out),
        "--template",
        "reflection_loop",
        "--pilot",
        "P01",
        "--db",
        demo_url,
    )
    assert result.exit_code == 0, result.output
    assert "free text removed" in result.output
    assert "not linkable" in result.output
    data = pd.read_csv(out)
    store = Store(demo_url)
    codes = set(store.participants()["participant"])
    assert not codes & set(data["participant"])
    assert set(data["pilot"]) == {"P01"}
    assert "learned" not in data.columns
    actions = [json.loads(v) for v in data["actions"].dropna()]
    assert actions
    assert all(set(row) <= {"due", "status"} for rows in actions for row in rows)
    # times as ISO 8601 in UTC (as in the SPSS/R/XLSX exports), not pandas' "… 09:33:00+00:00"
    assert data["submitted_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    # the same salt gives the same pseudonyms in two exports; none gives new ones
    monkeypatch.setenv("TRANSFERKIT_EXPORT_SALT", "geheim")
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert "linkable" in _cli("db", "export", str(first), "--db", demo_url).output
    _cli("db", "export", str(second), "--free-text", "keep", "--db", demo_url)
    a, b = pd.read_csv(first), pd.read_csv(second)
    assert a["participant"].tolist() == b["participant"].tolist()
    assert "comment" in b.columns
    assert "comment" not in a.columns


def test_cli_export_of_an_unknown_template_is_a_clear_error(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(
        main, ["db", "export", str(out), "--template", "nope.yaml", "--db", demo_url]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "nope.yaml" in result.output
    assert not out.exists()


def test_write_atomically_keeps_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old", encoding="utf-8")

    def broken(self: Path, other: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]  # no temporary file left


def test_cli_erase_asks_first_and_erases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with Store(url) as store:
        template = load_template("training_feedback")
        store.submit(template, template.example_answers(seed=1), participant="AAA222")
        store.submit(template, template.example_answers(seed=2), participant="BBB333")
    refused = CliRunner().invoke(main, ["db", "erase", "AAA222", "--db", url], input="n\n")
    assert refused.exit_code == 1
    assert "cannot be undone" in refused.output
    assert len(Store(url).responses()) == 2
    done = CliRunner().invoke(main, ["db", "erase", "AAA222", "--db", url], input="y\n")
    assert done.exit_code == 0, done.output
    assert "erased: 2 rows removed" in done.output  # 1 response + the participant
    assert Store(url).responses()["participant"].tolist() == ["BBB333"]
    again = CliRunner().invoke(main, ["db", "erase", "AAA222", "--yes", "--db", url])
    assert again.exit_code == 1
    assert "Traceback" not in again.output
    assert "AAA222" in again.output


def test_cli_export_with_nothing_to_export_says_so_and_writes_nothing(
    demo_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(
        main, ["db", "export", str(out), "--template", "needs_analyis", "--db", demo_url]
    )
    assert result.exit_code == 1
    assert "Nothing to export: no rows in responses for template 'needs_analyis'" in result.output
    assert not out.exists()
