"""Responses exported from LimeSurvey and KoboToolbox into the store (issue 13, item 2): real exports.

The fixtures in ``tests/fixtures/survey/`` come from the tools' own projects (see
its README); each test writes a small template whose question ids are the
survey's question codes and imports the file end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.exceptions import DatasetError
from transferkit.exchange.survey_import import import_survey
from transferkit.store import Store
from transferkit.templates import Template, load_template

FIXTURES = Path(__file__).parent / "fixtures" / "survey"
LSS = FIXTURES / "limesurvey" / "limesurvey_survey_734488.lss"
LSR = FIXTURES / "limesurvey" / "limesurvey_responses_734488.lsr"
KOBO = FIXTURES / "kobo"

LIMESURVEY_TEMPLATE = """\
id: ls_734488
version: 1
kind: sheet
title: {de: LimeSurvey-Testumfrage 734488, en: LimeSurvey test survey 734488}
questions:
  - id: Q00
    type: long_text
    label: {de: Erste Frage, en: A first example question}
  - id: G02Q02
    type: long_text
    required: false
    label: {de: Zweite Frage, en: second question}
  - id: G03Q03
    type: long_text
    label: {de: Dritte Frage, en: third question}
"""

# The form of formpack's fixture ``grouped_translated`` (tests/fixtures/grouped_translated/v1.json).
KOBO_TEMPLATE = """\
id: kobo_grouped_translated
version: 1
kind: sheet
title: {de: Kobo-Testformular, en: Kobo test form}
questions:
  - id: What_kind_of_symmetry_do_you_have
    type: multi_choice
    label: {de: "Welche Symmetrie haben Sie?", en: "What kind of symmetry do you have?"}
    options:
      - {value: spherical, label: {de: Kugelförmig, en: Spherical}}
      - {value: radial, label: {de: Radial, en: Radial}}
      - {value: bilateral, label: {de: Bilateral, en: Bilateral}}
  - id: How_many_segments_does_your_body_have
    type: number
    integer: true
    min: 0
    label: {de: "Wie viele Segmente hat Ihr Körper?", en: "How many segments does your body have?"}
  - id: Do_you_have_body_flu_intracellular_space
    type: single_choice
    label: {de: "Intrazelluläre Flüssigkeit?", en: "Do you have body fluids that occupy intracellular space?"}
    options:
      - {value: "yes", label: {de: Ja, en: "Yes"}}
      - {value: yes__and_some_, label: {de: Ja und extrazellulär, en: "Yes, and some extracellular space"}}
      - {value: no___unsure, label: {de: Nein / unsicher, en: No / Unsure}}
  - id: Do_you_descend_from_unicellular_organism
    type: single_choice
    required: false
    label: {de: "Einzeller als Vorfahr?", en: "Do you descend from an ancestral unicellular organism?"}
    options:
      - {value: "yes", label: {de: Ja, en: "Yes"}}
      - {value: "no", label: {de: Nein, en: "No"}}
"""


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'survey.db'}")
    store.add_pilot("P01", "Agile Werkstatt", loops=3)
    return store


def template_from(tmp_path: Path, text: str, name: str) -> Template:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_template(str(path))


def test_limesurvey_lss_and_lsr_end_to_end(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, LIMESURVEY_TEMPLATE, "ls")
    result = import_survey(
        store, template, LSR, structure=LSS, participant_column="token", pilot="P01", loop=1
    )
    assert (result.added, result.already) == (2, 0)
    assert [(s.number, s.response_id) for s in result.skipped] == [(2, "2"), (3, "3")]
    assert "incomplete" in result.skipped[0].reason
    assert "looks like a name" in result.skipped[1].reason
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["submission_id"].tolist() == ["limesurvey-734488-1", "limesurvey-734488-4"]
    assert stored["participant"].tolist() == ["K7M4QX", "P01-07"]
    assert stored["G03Q03"].iloc[0] == "„Gern wieder“"  # curly quotes intact
    assert stored["submitted_at"].iloc[0].isoformat().startswith("2026-03-02T09:14:05")
    assert stored["loop"].tolist() == [1, 1]
    # The same file again adds nothing.
    again = import_survey(
        store, template, LSR, structure=LSS, participant_column="token", pilot="P01", loop=1
    )
    assert (again.added, again.already, len(again.skipped)) == (0, 2, 2)
    assert len(store.responses(template=template)) == 2


def test_a_lsr_file_needs_its_structure(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, LIMESURVEY_TEMPLATE, "ls")
    with pytest.raises(DatasetError, match=r"--structure survey\.lss"):
        import_survey(store, template, LSR, pilot="P01")


def test_the_structure_must_be_a_survey(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, LIMESURVEY_TEMPLATE, "ls")
    with pytest.raises(DatasetError, match="not 'Survey'"):
        import_survey(store, template, LSR, structure=LSR, pilot="P01")


@pytest.mark.parametrize(
    "name",
    [
        "grouped_translated_slash_semicolon.csv",  # ';', groups with '/', select_multiple both ways
        "grouped_translated_dash_comma.csv",  # ',', groups with '-', both ways
        "grouped_translated_summary_comma.csv",  # ',', select_multiple as a space-separated list only
    ],
)
def test_kobo_exports_of_one_form_give_the_same_responses(
    store: Store, tmp_path: Path, name: str
) -> None:
    template = template_from(tmp_path, KOBO_TEMPLATE, "kobo")
    result = import_survey(store, template, KOBO / name, pilot="P01", loop=2)
    assert (result.added, result.already) == (2, 0)
    # The third submission left the required questions empty: skipped, with the reason.
    assert [s.number for s in result.skipped] == [3]
    assert "What_kind_of_symmetry_do_you_have" in result.skipped[0].reason
    assert result.skipped[0].response_id == "f4b838c8-7253-47fe-9627-c47830b7dc9b"
    stored = store.responses(template=template).sort_values("submitted_at")
    assert stored["submission_id"].tolist() == [
        "kobo-6d1b903a-6d50-4504-bd7b-76c1a5098ed9",
        "kobo-d314118a-17c2-4ba4-aac3-634930535ad6",
    ]
    assert stored["What_kind_of_symmetry_do_you_have"].tolist() == [
        ["spherical", "radial", "bilateral"],
        ["bilateral"],
    ]
    assert stored["How_many_segments_does_your_body_have"].tolist() == [7, 1]
    assert stored["Do_you_have_body_flu_intracellular_space"].tolist() == ["yes__and_some_", "yes"]
    assert stored["submitted_at"].iloc[0].isoformat().startswith("2017-12-28T15:02:02")
    again = import_survey(store, template, KOBO / name, pilot="P01", loop=2)
    assert (again.added, again.already) == (0, 2)
    assert len(store.responses(template=template)) == 2


def test_kobo_export_with_hxl_row_and_no_uuid(store: Store, tmp_path: Path) -> None:
    template = template_from(
        tmp_path,
        """\
id: kobo_dietary_needs
version: 1
kind: sheet
title: {de: Ernährung, en: Dietary needs}
questions:
  - id: dietary_accommodations
    type: multi_choice
    label: {de: Ernährungsbedürfnisse, en: Accommodating of dietary needs}
    options:
      - {value: gluten_free, label: {de: Glutenfrei, en: Gluten-free}}
      - {value: vegan, label: {de: Vegan, en: Vegan}}
      - {value: vegetarian, label: {de: Vegetarisch, en: Vegetarian}}
      - {value: lactose_free, label: {de: Laktosefrei, en: Lactose-free}}
""",
        "diet",
    )
    path = KOBO / "dietary_needs_hxl.csv"
    result = import_survey(store, template, path, pilot="P01")
    assert (result.added, len(result.skipped)) == (3, 0)
    assert any("HXL tag row" in note for note in result.notes)
    assert any("no _uuid" in note for note in result.notes)
    # restaurant_name is free text that matches no question: reported, not dropped silently.
    assert any("'restaurant_name'" in note for note in result.notes)
    stored = store.responses(template=template)
    assert sorted(map(tuple, stored["dietary_accommodations"])) == [
        ("gluten_free",),
        ("gluten_free", "vegan", "vegetarian", "lactose_free"),
        ("vegan", "vegetarian"),
    ]
    assert import_survey(store, template, path, pilot="P01").already == 3


def test_kobo_repeat_groups_of_the_form_are_reported(store: Store, tmp_path: Path) -> None:
    from openpyxl import Workbook

    # The XLSForm of formpack's fixture hxl_grouped_repeatable (its v1.json, as a spreadsheet).
    form = tmp_path / "household.xlsx"
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [
        ("type", "name", "label"),
        ("begin group", "household_visit", "Household visit"),
        ("text", "household_location", "Location"),
        ("begin repeat", "houshold_member_repeat", "Members"),
        ("text", "household_member_name", "Name"),
        ("end repeat", "", ""),
        ("end group", "", ""),
    ]:
        survey.append(row)
    book.save(form)
    template = template_from(
        tmp_path,
        """\
id: kobo_household
version: 1
kind: sheet
title: {de: Haushalt, en: Household}
questions:
  - id: household_location
    type: text
    label: {de: Ort, en: Location}
""",
        "household",
    )
    result = import_survey(
        store, template, KOBO / "hxl_grouped_repeatable.csv", structure=form, pilot="P01"
    )
    assert result.added == 6
    assert any("repeat group 'houshold_member_repeat'" in note for note in result.notes)
    assert set(store.responses(template=template)["household_location"]) >= {"montreal", "boston"}


def test_cli_import_survey_lists_skipped_responses(store: Store, tmp_path: Path) -> None:
    template = tmp_path / "ls.yaml"
    template.write_text(LIMESURVEY_TEMPLATE, encoding="utf-8")
    args = [
        "db",
        "import-survey",
        str(LSR),
        "--structure",
        str(LSS),
        "--template",
        str(template),
        "--participant-column",
        "token",
        "--pilot",
        "P01",
        "--loop",
        "1",
        "--db",
        store.url,
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "2 new responses, 0 imported before, 2 skipped" in first.output
    assert "skipped record 2 (row 2, response id 2): incomplete" in first.output
    assert (
        "skipped record 3 (row 3, response id 3): participant code 'Anna Schmidt'" in first.output
    )
    second = CliRunner().invoke(main, args)
    assert "0 new responses, 2 imported before" in second.output


def test_cli_refuses_an_unknown_participant_column(store: Store, tmp_path: Path) -> None:
    template = tmp_path / "ls.yaml"
    template.write_text(LIMESURVEY_TEMPLATE, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "db",
            "import-survey",
            str(LSR),
            "--structure",
            str(LSS),
            "--template",
            str(template),
            "--participant-column",
            "code",
            "--db",
            store.url,
        ],
    )
    assert result.exit_code == 1
    assert "no column 'code'" in result.output
