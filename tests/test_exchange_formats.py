"""Responses out (issue 13, item 3): .sav, .dta, R, XLSX and Frictionless, each read back."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from transferkit.datasets import import_demo
from transferkit.exchange import (
    ExchangeWarning,
    build_codebook,
    tidy_for_export,
    write_datapackage,
    write_dta,
    write_r,
    write_sav,
    write_xlsx,
)
from transferkit.exchange.r import r_string
from transferkit.store import Store
from transferkit.templates import Template, load_template

LONG = "Wie zufrieden sind Sie mit der Begleitung durch die Hochschule während der ganzen Pilotphase im Betrieb?"
QUOTED = 'Schulung „vor Ort" – Rückfrage'
ODD = Template.model_validate(
    {
        "id": "odd_labels",
        "version": 1,
        "kind": "sheet",
        "title": {"de": "Etiketten-Prüfung", "en": "Label check"},
        "questions": [
            {
                "id": "place",
                "type": "single_choice",
                "label": {"de": LONG, "en": "Where?"},
                "options": [
                    {"value": "onsite", "label": {"de": QUOTED, "en": 'On "site"'}},
                    {"value": "remote", "label": {"de": "Über Video", "en": "Remote"}},
                ],
            },
            {
                "id": "tools",
                "type": "multi_choice",
                "label": {"de": "Werkzeuge", "en": "Tools"},
                "options": [
                    {"value": "wiki", "label": {"de": "Wiki", "en": "Wiki"}},
                    {"value": "chat", "label": {"de": "Chat", "en": "Chat"}},
                ],
            },
            {
                "id": "note",
                "type": "long_text",
                "required": False,
                "label": {"de": "Anmerkung", "en": "Note"},
            },
        ],
    }
)


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store("sqlite://")
    import_demo(s)
    return s


@pytest.fixture(scope="module")
def odd_data() -> pd.DataFrame:
    s = Store("sqlite://")
    import_demo(s)
    people = s.participants()
    first, second = people.loc[people["pilot_id"] == "P01", "participant"].head(2)
    s.submit(
        ODD,
        {"place": "onsite", "tools": ["chat"], "note": "Frau Berger half"},
        pilot="P01",
        participant=first,
    )
    s.submit(ODD, {"place": "remote", "tools": ["wiki", "chat"]}, pilot="P01", participant=second)
    return s.export_pseudonymized(ODD, None, "salt", free_text="drop")


def export(store: Store, name: str) -> tuple[Template, pd.DataFrame]:
    template = load_template(name)
    return template, store.export_pseudonymized(template, None, "salt", free_text="drop")


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", ["training_feedback", "needs_analysis"])
def test_sav_labels_read_back(store: Store, tmp_path: Path, name: str, lang: str) -> None:
    template, data = export(store, name)
    path = tmp_path / "out.sav"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        codebook, _ = write_sav(data, template, path, lang)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == codebook.names
    for v in codebook.variables:
        assert meta.column_names_to_labels[v.name] == v.label
        if v.value_labels:
            assert meta.variable_value_labels[v.name] == {
                float(k): t for k, t in v.value_labels.items()
            }
        # a time is an SPSS date-time (DATETIME20, measure scale); elsewhere ISO text
        expected = "scale" if v.name == "submitted_at" else v.measure
        assert meta.variable_measure[v.name] == expected
    # every answer coded as a whole number, labels from the template in the chosen language
    q = next(q for q in template.all_questions() if q.type == "likert")
    assert meta.variable_value_labels[q.id][q.points[0].value] == q.points[0].label.get(lang)
    values = frame[q.id].dropna()
    assert (values == values.round()).all()
    assert re.fullmatch(r"F\d+\.0", meta.original_variable_types[q.id])
    # pseudonyms, never the stored codes
    raw = set(store.responses(template=name)["participant"].dropna())
    assert not raw & set(frame["participant"])
    assert frame["participant"].str.fullmatch(r"X[0-9a-f]{12}").all()


def test_sav_german_umlauts_and_long_label(odd_data: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "odd.sav"
    write_sav(odd_data, ODD, path, "de")
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["place"] == {1.0: QUOTED, 2.0: "Über Video"}
    assert meta.column_names_to_labels["place"] == LONG  # 105 bytes: fits SPSS's 256
    cb = pd.read_csv(tmp_path / "odd.sav.codebook.csv")
    assert cb.loc[cb["variable"] == "place", "label"].item() == LONG
    assert "note" not in frame.columns  # free text dropped
    assert frame["tools_chat"].tolist() == [1.0, 1.0]
    assert frame["tools_wiki"].tolist() == [0.0, 1.0]


def test_sav_over_long_label_warned_and_whole_in_codebook(tmp_path: Path) -> None:
    long = "Ä" * 200  # 400 bytes
    template = ODD.model_copy(deep=True)
    template.questions[1].label.de = long  # type: ignore[index]
    data = pd.DataFrame(
        {
            "template": ["odd_labels"],
            "template_version": [1],
            "pilot": ["P01"],
            "loop": [None],
            "phase": [None],
            "participant": ["Xabc"],
            "submitted_at": [pd.Timestamp("2025-01-01", tz="UTC")],
            "place": ["remote"],
            "tools": [["wiki"]],
        }
    )
    with pytest.warns(ExchangeWarning, match="256 bytes"):
        write_sav(data, template, tmp_path / "long.sav", "de")
    _, meta = pyreadstat.read_sav(str(tmp_path / "long.sav"))
    assert long.startswith(meta.column_names_to_labels["tools_wiki"])
    cb = pd.read_csv(tmp_path / "long.sav.codebook.csv")
    assert cb.loc[cb["variable"] == "tools_wiki", "label"].item() == f"{long}: Wiki"


def test_dta_shortens_labels_to_80_with_a_warning(odd_data: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "odd.dta"
    with pytest.warns(ExchangeWarning, match="80 characters"):
        _, notes = write_dta(odd_data, ODD, path, "de")
    assert any(n.startswith("place: variable label") for n in notes)
    frame, meta = pyreadstat.read_dta(str(path))
    label = meta.column_names_to_labels["place"]
    assert len(label) == 80
    assert LONG.startswith(label[:-1])
    assert meta.variable_value_labels["place"] == {1: QUOTED, 2: "Über Video"}
    assert frame["place"].tolist() == [1, 2]
    cb = pd.read_csv(tmp_path / "odd.dta.codebook.csv")
    assert cb.loc[cb["variable"] == "place", "label"].item() == LONG


def test_dta_demo_reads_back(store: Store, tmp_path: Path) -> None:
    template, data = export(store, "needs_analysis")
    with pytest.warns(ExchangeWarning):
        codebook, _ = write_dta(data, template, tmp_path / "n.dta", "en")
    frame, meta = pyreadstat.read_dta(str(tmp_path / "n.dta"))
    assert list(frame.columns) == codebook.names
    for v in codebook.variables:
        if v.value_labels:
            assert meta.variable_value_labels[v.name] == v.value_labels
    option_columns = [c for c in frame.columns if c.startswith("formats_")]
    assert len(option_columns) == len(template.question("formats").options)  # type: ignore[attr-defined]
    assert set(frame[option_columns].stack().unique()) <= {0, 1}


def test_tidy_integers_never_floats_or_json(store: Store) -> None:
    template, data = export(store, "needs_analysis")
    table, codebook = tidy_for_export(data, template)
    for v in codebook.variables:
        if v.kind == "integer":
            assert str(table[v.name].dtype) == "Int64", v.name
    assert not table.map(lambda x: isinstance(x, str) and x.startswith("[")).any().any()
    csv = table.to_csv(index=False)
    assert not re.search(r"\b\d+\.0\b", csv)


def test_free_text_dropped_by_default(store: Store) -> None:
    template, data = export(store, "training_feedback")
    codebook = build_codebook(template, "de", list(data.columns))
    assert "comment" not in codebook.names


def test_r_script_factors_and_quoting(odd_data: pd.DataFrame, tmp_path: Path) -> None:
    write_r(odd_data, ODD, tmp_path, "de")
    script = (tmp_path / "responses.R").read_text(encoding="utf-8")
    assert 'read.csv("responses.csv", fileEncoding = "UTF-8"' in script
    assert (
        'responses[["place"]] <- factor(responses[["place"]], levels = c(1L, 2L), '
        'labels = c("Schulung „vor Ort\\" – Rückfrage", "Über Video"))'
    ) in script
    assert f'attr(responses[["place"]], "label") <- "{LONG}"' in script
    assert r_string('a"b\\c') == '"a\\"b\\\\c"'
    data = pd.read_csv(tmp_path / "responses.csv", encoding="utf-8")
    assert data["place"].tolist() == [1, 2]
    assert data["tools_wiki"].tolist() == [0, 1]
    cb = pd.read_csv(tmp_path / "codebook.csv")
    assert cb.loc[cb["variable"] == "place", "values"].item() == f"1 = {QUOTED}; 2 = Über Video"


def test_r_script_every_choice_variable(store: Store, tmp_path: Path) -> None:
    template, data = export(store, "training_feedback")
    codebook, _ = write_r(data, template, tmp_path, "en")
    script = (tmp_path / "responses.R").read_text(encoding="utf-8")
    for v in codebook.variables:
        if v.question_type in ("single_choice", "likert"):
            levels = ", ".join(f"{k}L" for k in v.value_labels)
            labels = ", ".join(r_string(t) for t in v.value_labels.values())
            assert f"levels = c({levels}), labels = c({labels})" in script, v.name
    assert 'factor(responses[["reaction_1"]]' in script
    assert "ordered = TRUE" in script


def test_xlsx_sheets(store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    template, data = export(store, "needs_analysis")
    codebook, _ = write_xlsx(data, template, tmp_path / "n.xlsx", "de")
    book = load_workbook(tmp_path / "n.xlsx")
    assert book.sheetnames == ["data", "labels", "codebook"]
    rows = list(book["data"].iter_rows(values_only=True))
    assert list(rows[0]) == codebook.names
    column = codebook.names.index("imp_ai_use")
    assert all(isinstance(r[column], int) for r in rows[1:])
    labels = list(book["labels"].iter_rows(values_only=True))
    assert ("imp_ai_use", 5, "sehr wichtig") in labels
    header = next(book["codebook"].iter_rows(values_only=True))
    assert header[:2] == ("variable", "label")


def test_datapackage_validates(store: Store, tmp_path: Path) -> None:
    from frictionless import validate

    template, data = export(store, "needs_analysis")
    write_datapackage(data, template, tmp_path, "de")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    # an out-of-range code is caught
    csv = tmp_path / "responses.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("imp_ai_use")] = "9"
    csv.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    assert not validate(str(tmp_path / "datapackage.json")).valid


@pytest.mark.parametrize("fmt", ["sav", "dta", "r", "xlsx", "datapackage"])
def test_cli_export_formats(tmp_path: Path, fmt: str) -> None:
    from transferkit.cli import main

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(main, ["db", "import-demo", "--db", url]).exit_code == 0
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        main,
        [
            "db",
            "export",
            str(out),
            "--format",
            fmt,
            "--lang",
            "en",
            "--template",
            "training_feedback",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "rows written" in result.output


def test_cli_format_needs_template(tmp_path: Path) -> None:
    from transferkit.cli import main

    result = CliRunner().invoke(
        main,
        [
            "db",
            "export",
            str(tmp_path / "x.sav"),
            "--format",
            "sav",
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
        ],
    )
    assert result.exit_code != 0
    assert "--template" in result.output


BUILTIN = sorted(
    p.stem for p in (Path(__file__).parents[1] / "src/transferkit/templates/builtin").glob("*.yaml")
)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_builtin_template_goes_out_in_every_format(
    store: Store, tmp_path: Path, name: str
) -> None:
    from frictionless import validate

    template, data = export(store, name)
    if data.empty:  # no demo responses of this template: complete example answers instead
        own = Store("sqlite://")
        own.add_pilot("P01", "Pilot")
        for seed in range(3):
            for phase in template.phase_ids() or [None]:
                own.submit(
                    template,
                    template.example_answers(phase, seed=seed),
                    pilot="P01",
                    phase=phase,
                    participant=f"K7M4Q{seed}",
                )
        template, data = export(own, name)
    assert not data.empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        codebook, notes = write_sav(data, template, tmp_path / "a.sav", "en")
        write_dta(data, template, tmp_path / "a.dta", "en")
        write_datapackage(data, template, tmp_path / "dp", "en")
    _, meta = pyreadstat.read_sav(str(tmp_path / "a.sav"))
    assert meta.column_names_to_labels == {v.name: v.label for v in codebook.variables}
    report = validate(str(tmp_path / "dp" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "fieldName"])[:5]
    # what a flat table cannot hold is named, never dropped silently
    for q in template.all_questions():
        if q.id in data.columns and q.type in ("action_items", "gas_goal"):
            assert any(n.startswith(f"{q.id}:") for n in notes)


def test_ranking_and_dot_vote_one_integer_column_per_option() -> None:
    options = [{"value": v, "label": {"de": v.upper(), "en": v}} for v in ("a", "b", "c")]
    template = Template.model_validate(
        {
            "id": "rank_vote",
            "version": 1,
            "kind": "sheet",
            "title": {"de": "Rang", "en": "Rank"},
            "questions": [
                {
                    "id": "order",
                    "type": "ranking",
                    "label": {"de": "Reihenfolge", "en": "Order"},
                    "options": options,
                },
                {
                    "id": "votes",
                    "type": "dot_vote",
                    "budget": 3,
                    "label": {"de": "Punkte", "en": "Dots"},
                    "options": options,
                },
            ],
        }
    )
    data = pd.DataFrame(
        {
            "template": ["rank_vote"],
            "participant": ["Xabc"],
            "order": [["c", "a", "b"]],
            "votes": [{"b": 2, "c": 1}],
        }
    )
    table, codebook = tidy_for_export(data, template, "de")
    assert table.loc[0, ["order_a", "order_b", "order_c"]].tolist() == [2, 3, 1]
    assert table.loc[0, ["votes_a", "votes_b", "votes_c"]].tolist() == [0, 2, 1]
    assert codebook.variable("order_c").label == "Reihenfolge: C (Rang)"
    assert all(str(table[c].dtype) == "Int64" for c in ("order_a", "votes_c"))


def test_sav_and_dta_of_one_name_keep_their_own_codebooks(
    odd_data: pd.DataFrame, tmp_path: Path
) -> None:
    """fb.sav and fb.dta beside each other: two codebooks, neither overwrites the other."""
    write_sav(odd_data, ODD, tmp_path / "fb.sav", "de")
    with pytest.warns(ExchangeWarning):
        write_dta(odd_data, ODD, tmp_path / "fb.dta", "de")
    for kind in ("sav", "dta"):
        cb = pd.read_csv(tmp_path / f"fb.{kind}.codebook.csv")
        assert cb.loc[cb["variable"] == "place", "label"].item() == LONG
    assert not (tmp_path / "fb.codebook.csv").exists()
