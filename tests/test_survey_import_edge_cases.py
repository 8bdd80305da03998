"""Survey import edge cases, on small files written here (issue 13, item 2).

LimeSurvey's CSV export with question codes and its TSV structure, the R export's
column names, a mapping onto a built-in template; KoboToolbox's ``n/a``, 0/1
columns that are not 0/1, repeat tables of an XLSX export and indexed repeat
columns, participant codes that are names, a response id twice in one file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from transferkit.cli import main
from transferkit.exceptions import DatasetError
from transferkit.exchange.cells import cell_answer
from transferkit.exchange.survey_import import import_survey, read_delimited, survey_source
from transferkit.store import Store
from transferkit.templates import Template, load_template

TEMPLATE = """\
id: survey_edge
version: 1
kind: sheet
title: {de: Testumfrage, en: Test survey}
questions:
  - id: format
    type: single_choice
    label: {de: Lernformat, en: Learning format}
    options:
      - {value: workshop, label: {de: Kurzer Workshop, en: Short workshop}}
      - {value: tandem, label: {de: Lern-Tandem, en: Learning tandem}}
  - id: topics
    type: multi_choice
    required: false
    label: {de: Themen, en: Topics}
    options:
      - {value: ki, label: {de: Künstliche Intelligenz, en: Artificial intelligence}}
      - {value: agil, label: {de: Agile Methoden, en: Agile methods}}
      - {value: nachhaltig, label: {de: Nachhaltigkeit, en: Sustainability}}
  - id: rank
    type: ranking
    required: false
    label: {de: Reihenfolge, en: Order}
    options:
      - {value: ki, label: {de: KI, en: AI}}
      - {value: agil, label: {de: Agil, en: Agile}}
  - id: rating_SQ001
    type: likert
    required: false
    label: {de: Relevanz, en: Relevance}
    points:
      - {value: 1, label: {de: gar nicht, en: not at all}}
      - {value: 2, label: {de: kaum, en: hardly}}
      - {value: 3, label: {de: teils, en: partly}}
      - {value: 4, label: {de: eher, en: largely}}
      - {value: 5, label: {de: voll, en: fully}}
  - id: hours
    type: number
    required: false
    label: {de: Stunden, en: Hours}
"""


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'edge.db'}")
    store.add_pilot("P01", "Agile Werkstatt", loops=3)
    return store


@pytest.fixture
def template(tmp_path: Path) -> Template:
    path = tmp_path / "edge.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return load_template(str(path))


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- LimeSurvey


def test_limesurvey_csv_with_codes_and_tsv_structure(
    store: Store, template: Template, tmp_path: Path
) -> None:
    structure = write(
        tmp_path / "limesurvey_survey_421337.txt",
        "id\trelated_id\tclass\ttype/scale\tname\trelevance\ttext\thelp\tlanguage",
        "\t\tS\t\tsid\t\t421337\t\t",
        "1\t\tG\t0\tFragen\t1\t\t\tde",
        "2\t\tQ\tL\tformat\t1\tIhr Lernformat?\t\tde",
        "\t\tA\t0\tA1\t\tKurzer Workshop\t\tde",
        "\t\tA\t0\tA2\t\tLern-Tandem\t\tde",
        "3\t\tQ\tM\ttopics\t1\tThemen?\t\tde",
        "\t\tSQ\t0\tSQ001\t\tKünstliche Intelligenz\t\tde",
        "\t\tSQ\t0\tSQ002\t\tAgile Methoden\t\tde",
        "4\t\tQ\tR\trank\t1\tReihenfolge\t\tde",
        "\t\tA\t0\tA1\t\tKI\t\tde",
        "\t\tA\t0\tA2\t\tAgil\t\tde",
    )
    data = write(
        tmp_path / "results-survey421337.csv",
        '"id","submitdate","lastpage","startlanguage","seed","token","format","topics[SQ001]",'
        '"topics[SQ002]","topics[other]","rank[1]","rank[2]","rating[SQ001]","hours","interviewtime"',
        '"7","2026-03-04 10:00:00","2","de","1","K7M4QX","A1","Y","","","A2","A1","4","7.5000000000","61.2"',
        '"8","2026-03-04 10:05:00","2","de","2","P01-08","A2","","Y","","","","N/A","","40"',
        '"9","","1","de","3","P01-09","A1","","","","","","","",""',
        '"10","2026-03-04 10:09:00","2","de","4","P01-10","A9","","","","","","9","",""',
    )
    result = import_survey(
        store, template, data, structure=structure, participant_column="token", pilot="P01", loop=1
    )
    assert result.description.startswith("LimeSurvey survey 421337")
    assert result.added == 2
    skipped = {s.number: s.reason for s in result.skipped}
    assert set(skipped) == {3, 4}
    assert "incomplete" in skipped[3]
    assert "format:" in skipped[4]
    assert "rating_SQ001:" in skipped[4]
    assert any("'topics[other]'" in note for note in result.notes)  # not dropped silently
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["submission_id"].tolist() == ["limesurvey-421337-7", "limesurvey-421337-8"]
    assert stored["format"].tolist() == ["workshop", "tandem"]  # answer codes → labels → values
    assert stored["topics"].tolist() == [["ki"], ["agil"]]  # sub-question codes → labels → values
    assert stored["rank"].iloc[0] == ["agil", "ki"]
    assert stored["rating_SQ001"].iloc[0] == 4
    assert stored["hours"].iloc[0] == 7.5
    assert (
        import_survey(
            store,
            template,
            data,
            structure=structure,
            participant_column="token",
            pilot="P01",
            loop=1,
        ).added
        == 0
    )


def test_limesurvey_r_export_names_and_a_mapping_onto_a_built_in_template(
    store: Store, tmp_path: Path
) -> None:
    # R's read.csv turns "R1[SQ001]" into "R1.SQ001."; codes without "_" are mapped to the template's ids.
    data = write(
        tmp_path / "survey_555111_R_data_file.csv",
        '"id","submitdate","lastpage","startlanguage","Lernformat","R1.SQ001.","R1.SQ002.","R1.SQ003.",'
        '"L1","L2","B1","B2","Empf","Kommentar"',
        '"1","2026-03-05 08:00:00","3","de","Kurzer Workshop","5","4","4","3","4","4","3","9","Gut"',
    )
    mapping = write(
        tmp_path / "mapping.yaml",
        "Lernformat: format",
        "R1_SQ001: reaction_1",
        "R1_SQ002: reaction_2",
        "R1_SQ003: reaction_3",
        "L1: learning_1",
        "L2: learning_2",
        "B1: behaviour_1",
        "B2: behaviour_2",
        "Empf: recommend",
        "Kommentar: comment",
    )
    result = CliRunner().invoke(
        main,
        [
            "db",
            "import-survey",
            str(data),
            "--template",
            "training_feedback",
            "--mapping",
            str(mapping),
            "--pilot",
            "P01",
            "--loop",
            "2",
            "--db",
            store.url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "LimeSurvey survey 555111" in result.output
    assert "1 new responses" in result.output
    stored = store.responses(template="training_feedback")
    assert stored["format"].tolist() == ["workshop"]
    assert stored["reaction_1"].tolist() == [5]
    assert stored["submission_id"].tolist() == ["limesurvey-555111-1"]


def test_a_response_id_twice_is_skipped_the_second_time(
    store: Store, template: Template, tmp_path: Path
) -> None:
    data = write(
        tmp_path / "survey_100200.csv",
        "id;submitdate;format",
        "1;2026-03-01 10:00:00;workshop",
        "1;2026-03-01 10:00:00;tandem",
    )
    result = import_survey(store, template, data, pilot="P01")
    assert result.added == 1
    assert [str(s) for s in result.skipped] == [
        "record 2 (line 3, response id 1): the same response as record 1 (same response id)"
    ]


def test_unknown_survey_id_asks_for_it(store: Store, template: Template, tmp_path: Path) -> None:
    data = write(tmp_path / "results.csv", "id,submitdate,format", "1,2026-03-01 10:00:00,workshop")
    with pytest.raises(DatasetError, match="--survey-id"):
        import_survey(store, template, data, pilot="P01")
    assert import_survey(store, template, data, pilot="P01", survey_id="4711").added == 1


# ---------------------------------------------------------------- KoboToolbox / ODK

KOBO_HEADER = (
    "start;end;grp/format;grp/topics;grp/topics/ki;grp/topics/agil;grp/topics/nachhaltig;"
    "hours;code;_id;_uuid;_submission_time;_index"
)


def test_kobo_na_cells_and_bad_choice_columns(
    store: Store, template: Template, tmp_path: Path
) -> None:
    data = write(
        tmp_path / "kobo.csv",
        KOBO_HEADER,
        "a;b;workshop;;1;0;1;n/a;K7M4QX;1;uuid-one;2026-03-01T10:00:00;1",  # 0/1 columns only, n/a
        "a;b;tandem;ki;;;;3;P01-22;2;uuid-two;2026-03-01T10:05:00;2",  # the list cell only
        "a;b;workshop;;2;0;0;;P01-23;3;uuid-three;2026-03-01T10:06:00;3",  # "2" is not 0/1
        "a;b;workshop;;0;0;0;;max.mustermann@example.org;4;uuid-four;2026-03-01T10:07:00;4",
        "a;b;n/a;;0;0;0;;P01-25;5;uuid-five;2026-03-01T10:08:00;5",  # required format n/a
    )
    result = import_survey(store, template, data, participant_column="code", pilot="P01")
    assert result.added == 2
    reasons = {s.number: s.reason for s in result.skipped}
    assert "grp/topics/ki: '2' is neither 1/Y" in reasons[3]
    assert "looks like a name or an e-mail address" in reasons[4]
    assert reasons[5].startswith("format:")
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["submission_id"].tolist() == ["kobo-uuid-one", "kobo-uuid-two"]
    assert stored["topics"].tolist() == [["ki", "nachhaltig"], ["ki"]]
    assert stored["hours"].isna().tolist() == [True, False]  # n/a is unanswered


def test_kobo_xlsx_export_reports_its_repeat_tables(
    store: Store, template: Template, tmp_path: Path
) -> None:
    book = Workbook()
    main_sheet = book.active
    main_sheet.title = "Fortbildung"
    main_sheet.append(["grp-format", "grp-hours", "_uuid", "_index"])
    main_sheet.append(["#meta+format", "#value", "", ""])  # HXL tags
    main_sheet.append(["workshop", 2, "u-1", 1])
    members = book.create_sheet("teilnehmende")
    members.append(["name", "_parent_index"])
    members.append(["Q1", 1])
    members.append(["Q2", 1])
    path = tmp_path / "kobo.xlsx"
    book.save(path)
    result = import_survey(store, template, path, pilot="P01")
    assert result.added == 1
    assert any("repeat table 'teilnehmende' (2 rows) was not imported" in n for n in result.notes)
    assert any("HXL" in n for n in result.notes)
    assert store.responses(template=template)["hours"].tolist() == [2]


def test_kobo_indexed_repeat_columns_are_reported(
    store: Store, template: Template, tmp_path: Path
) -> None:
    data = write(
        tmp_path / "odk.csv",
        "format,members[1]/name,members[2]/name,meta/instanceID",
        "workshop,Q1,Q2,uuid:abc-1",
    )
    result = import_survey(store, template, data, pilot="P01")
    assert result.added == 1
    assert any(
        "repeat group columns were not imported" in n and "members[n]/name" in n
        for n in result.notes
    )
    assert store.responses(template=template)["submission_id"].tolist() == ["kobo-abc-1"]


def test_the_source_is_recognised_or_asked_for(tmp_path: Path) -> None:
    assert survey_source(write(tmp_path / "a.csv", "id;submitdate;x", "1;;2")) == "limesurvey"
    assert survey_source(write(tmp_path / "b.csv", "x,_uuid", "1,2")) == "kobo"
    with pytest.raises(DatasetError, match="--source"):
        survey_source(write(tmp_path / "c.csv", "x,y", "1,2"))


def test_unknown_pilot_and_no_matching_column_are_refused(
    store: Store, template: Template, tmp_path: Path
) -> None:
    data = write(tmp_path / "kobo.csv", "format;_uuid", "workshop;u1")
    with pytest.raises(DatasetError, match="Unknown pilot 'P99'"):
        import_survey(store, template, data, pilot="P99")
    other = write(tmp_path / "other.csv", "frage1;_uuid", "x;u1")
    with pytest.raises(DatasetError, match="No column of"):
        import_survey(store, template, other, pilot="P01")


# ---------------------------------------------------------------- shared pieces


def test_delimiters_and_multiline_cells_keep_line_numbers(tmp_path: Path) -> None:
    semicolon = write(tmp_path / "s.csv", "a;b", '"x\ny";2', "3;4")
    header, rows, delimiter = read_delimited(semicolon)
    assert (header, delimiter) == (["a", "b"], ";")
    assert rows == [(2, ["x\ny", "2"]), (4, ["3", "4"])]
    comma = write(tmp_path / "c.csv", '"a;1",b', "1,2")
    assert read_delimited(comma)[2] == ","  # a ';' inside quotes does not count
    tab = write(tmp_path / "t.txt", "a\tb", "1\t2")
    assert read_delimited(tab)[2] == "\t"


def test_kobo_lists_are_split_on_white_space(template: Template) -> None:
    topics = (
        template.question("topics")
        if hasattr(template, "question")
        else next(q for q in template.all_questions() if q.id == "topics")
    )
    assert cell_answer(topics, "ki  agil", separator=None) == ["ki", "agil"]
    assert cell_answer(topics, "Künstliche Intelligenz; Agile Methoden") == ["ki", "agil"]


LSS_CHOICES = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>496</DBVersion>
 <questions><rows>
  <row><qid>10</qid><parent_qid>0</parent_qid><sid>998877</sid><gid>5</gid><type>L</type><title>format</title>
   <other>N</other></row>
  <row><qid>11</qid><parent_qid>0</parent_qid><sid>998877</sid><gid>5</gid><type>M</type><title>topics</title>
   <other>Y</other></row>
 </rows></questions>
 <subquestions><rows>
  <row><qid>12</qid><parent_qid>11</parent_qid><sid>998877</sid><gid>5</gid><type>T</type><title>SQ001</title>
   <question_order>1</question_order><scale_id>0</scale_id></row>
  <row><qid>13</qid><parent_qid>11</parent_qid><sid>998877</sid><gid>5</gid><type>T</type><title>SQ002</title>
   <question_order>2</question_order><scale_id>0</scale_id></row>
 </rows></subquestions>
 <question_l10ns><rows>
  <row><qid>12</qid><question><![CDATA[<b>Agile</b> Methoden]]></question><language>de</language></row>
  <row><qid>13</qid><question>Nachhaltigkeit</question><language>de</language></row>
 </rows></question_l10ns>
 <answers><rows>
  <row><aid>1</aid><qid>10</qid><code>A1</code><sortorder>1</sortorder><scale_id>0</scale_id></row>
  <row><aid>2</aid><qid>10</qid><code>A2</code><sortorder>2</sortorder><scale_id>0</scale_id></row>
 </rows></answers>
 <answer_l10ns><rows>
  <row><aid>1</aid><answer>Kurzer Workshop</answer><language>de</language></row>
  <row><aid>2</aid><answer>Learning tandem</answer><language>en</language></row>
 </rows></answer_l10ns>
</document>
"""

LSR_CHOICES = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Responses</LimeSurveyDocType>
 <responses>
  <fields><fieldname>id</fieldname><fieldname>submitdate</fieldname><fieldname>998877X5X10</fieldname>
   <fieldname>998877X5X11SQ001</fieldname><fieldname>998877X5X11SQ002</fieldname>
   <fieldname>998877X5X11other</fieldname></fields>
  <rows>
   <row><id>1</id><submitdate>2026-03-06 12:00:00</submitdate><_998877X5X10>A2</_998877X5X10>
    <_998877X5X11SQ001>Y</_998877X5X11SQ001><_998877X5X11SQ002>Y</_998877X5X11SQ002>
    <_998877X5X11other>Buchhaltung</_998877X5X11other></row>
   <row><id>2</id><submitdate>2026-03-06 12:10:00</submitdate><_998877X5X10>A1</_998877X5X10>
    <_998877X5X11SQ001/><_998877X5X11SQ002/><_998877X5X11other/></row>
  </rows>
 </responses>
</document>
"""


def test_lss_answer_options_and_sub_questions_give_option_values(
    store: Store, template: Template, tmp_path: Path
) -> None:
    structure = tmp_path / "survey.lss"
    structure.write_text(LSS_CHOICES, encoding="utf-8")
    responses = tmp_path / "responses.lsr"
    responses.write_text(LSR_CHOICES, encoding="utf-8")
    result = import_survey(store, template, responses, structure=structure, pilot="P01")
    assert (result.added, result.skipped) == (2, [])
    assert any("'998877X5X11other'" in note for note in result.notes)  # the "other" text: reported
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["submission_id"].tolist() == ["limesurvey-998877-1", "limesurvey-998877-2"]
    assert stored["format"].tolist() == ["tandem", "workshop"]  # labels in de and en, HTML removed
    assert stored["topics"].iloc[0] == ["agil", "nachhaltig"]


def test_a_mapping_to_a_question_the_template_lacks_is_refused(
    store: Store, template: Template, tmp_path: Path
) -> None:
    data = write(tmp_path / "kobo.csv", "format;_uuid", "workshop;u1")
    with pytest.raises(DatasetError, match="does not have"):
        import_survey(store, template, data, pilot="P01", mapping={"format": "formatt"})
