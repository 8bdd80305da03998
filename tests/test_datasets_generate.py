"""The demo generator: reproducible files, one source of truth, valid responses, codebook."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from transferkit.datasets import CATALOGUE, load_demo, read_responses, render_codebook, tidy
from transferkit.datasets.generate import (
    DEFAULT_SEED,
    PHASE_RATINGS,
    TEMPLATE_VERSIONS,
    TOPICS,
    csv_text,
    generate,
    main,
    write_demo,
)
from transferkit.templates import load_template

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = resources.files("transferkit.datasets").joinpath("demo")
RECORD_KEYS = [
    "template",
    "template_version",
    "pilot",
    "loop",
    "phase",
    "participant",
    "submitted_at",
    "submission_id",
    "answers",
]


def shipped_text(filename: str) -> str:
    return SHIPPED.joinpath(filename).read_text(encoding="utf-8")


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    """The shipped files come from the generator and were never edited by hand."""
    written = write_demo(tmp_path)
    shipped = sorted(p.name for p in SHIPPED.iterdir() if p.is_file())
    assert sorted(p.name for p in written) == shipped
    for path in written:
        assert path.read_bytes() == SHIPPED.joinpath(path.name).read_bytes(), path.name


def test_main_writes_into_given_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "responses.jsonl").is_file()
    assert "wrote" in capsys.readouterr().out


def test_main_can_write_the_codebook(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    assert main([str(tmp_path / "out"), "--codebook", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == render_codebook() + "\n"
    assert main(["--codebook"]) == 2


def test_every_catalogue_entry_has_a_file() -> None:
    for info in CATALOGUE.values():
        assert SHIPPED.joinpath(info.file).is_file(), info.file


def test_other_seed_gives_other_but_consistent_data() -> None:
    data = generate(seed=7)
    default = generate(DEFAULT_SEED)
    assert len(data.tables["participants"]) == len(default.tables["participants"])
    assert not data.tables["participants"].equals(default.tables["participants"])
    assert len({r["submission_id"] for r in data.responses}) == len(data.responses)


# ------------------------------------------------------------------ one source of truth


def test_tidy_tables_are_derived_from_the_responses() -> None:
    responses = tidy.responses_frame(read_responses())
    participants = load_demo().participants
    derived = {
        "self_assessment": tidy.self_assessment(responses, participants),
        "gas_goals": tidy.gas_goals(responses),
        "training_feedback": tidy.training_feedback(responses),
        "needs": tidy.needs(responses, participants, TOPICS),
        "needs_profile": tidy.needs_profile(responses, participants),
        "loop_ratings": tidy.loop_ratings(responses),
        "action_items": tidy.action_items(responses),
    }
    for name, df in derived.items():
        assert csv_text(df) == shipped_text(f"{name}.csv"), name


def test_responses_reference_known_pilots_and_participants() -> None:
    demo = load_demo()
    pilots = set(demo.pilots["pilot_id"])
    home = dict(zip(demo.participants["participant"], demo.participants["pilot_id"], strict=True))
    for record in demo.responses:
        assert list(record) == RECORD_KEYS
        assert record["pilot"] in pilots
        assert home[record["participant"]] == record["pilot"]
        assert pd.Timestamp(record["submitted_at"]).tzinfo is not None


def test_responses_are_sorted_and_ids_unique() -> None:
    responses = read_responses()
    ids = [r["submission_id"] for r in responses]
    assert len(set(ids)) == len(ids)
    stamps = [pd.Timestamp(r["submitted_at"]) for r in responses]
    assert stamps == sorted(stamps)


# ------------------------------------------------------------------ validity


def test_every_response_is_valid_and_already_clean() -> None:
    templates = {name: load_template(name) for name in TEMPLATE_VERSIONS}
    for record in read_responses():
        template = templates[record["template"]]
        assert template.version == record["template_version"]
        cleaned = template.validate(record["answers"], phase=record["phase"])
        assert cleaned == record["answers"], record["submission_id"]


def test_loop_responses_answer_only_their_phase() -> None:
    template = load_template("reflection_loop")
    loop_records = [r for r in read_responses() if r["template"] == "reflection_loop"]
    assert {r["phase"] for r in loop_records} == set(template.phase_ids())
    for record in loop_records:
        allowed = {q.id for q in template.all_questions(record["phase"])}
        assert set(record["answers"]) <= allowed
        assert PHASE_RATINGS[record["phase"]] in record["answers"]
        assert record["loop"] in (1, 2, 3)


def test_sheets_outside_loops_have_no_loop_or_phase() -> None:
    for record in read_responses():
        if record["template"] != "reflection_loop":
            assert record["loop"] is None
            assert record["phase"] is None


def test_templates_cover_all_response_kinds() -> None:
    assert {r["template"] for r in read_responses()} == set(TEMPLATE_VERSIONS)


# ------------------------------------------------------------------ codebook


def test_codebook_in_data_readme_is_current() -> None:
    """data/README.md is rendered from the catalogue; regenerate it when this fails."""
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert readme == render_codebook() + "\n"


def test_codebook_documents_every_column() -> None:
    text = render_codebook()
    for info in CATALOGUE.values():
        assert f"## `{info.name}`" in text
        for column in info.columns:
            assert f"| `{column.name}` |" in text


def test_data_gitignore_ignores_the_database() -> None:
    assert "*.db*" in (ROOT / "data" / ".gitignore").read_text(encoding="utf-8").split()
