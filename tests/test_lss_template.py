"""A LimeSurvey survey structure read into a template (``templates import survey.lss``).

The real structures are LimeSurvey's own exports (``tests/fixtures/survey/limesurvey/``,
sources in its README); the LimeSurvey 3 layout (texts in the questions table, one
row per language) is written here. The template must take the survey's responses
as they are: the end-to-end test imports the real ``.lsr`` into it with no mapping.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.exceptions import DatasetError
from transferkit.exchange.codebook import ExchangeWarning
from transferkit.exchange.lss_template import import_limesurvey_structure
from transferkit.exchange.survey_import import import_survey
from transferkit.store import Store
from transferkit.templates import Template, load_template, load_template_string

FIXTURES = Path(__file__).parent / "fixtures" / "survey" / "limesurvey"
REAL = FIXTURES / "lsa2odm"


def _template(path: Path) -> tuple[Template, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        result = import_limesurvey_structure(path)
    return load_template_string(result.yaml), result.report.text()


def test_each_limesurvey_type_becomes_its_question_type() -> None:
    template, report = _template(REAL / "survey_862611.lss")
    types = {q.id: q.type for q in template.all_questions()}
    assert template.id == "limesurvey_862611"
    expected = {
        "G01Q01_SQ1": "single_choice",  # F array row
        "G01Q02": "long_text",  # T
        "G01Q03_SQ001": "scale",  # A (1-5)
        "G01Q04_SQ003": "scale",  # B (1-10)
        "G01Q05_SQ004": "single_choice",  # E (increase/same/decrease)
        "G01Q06_SQ001_SQ004": "number",  # : array of numbers, one cell
        "G01Q07_a9_SQ003": "text",  # ; array of texts, one cell
        "G01Q08_SQ002": "single_choice",  # C (yes/no/uncertain)
        "G01Q09_SQ006": "single_choice",  # H (array by column)
        "G02Q11": "scale",  # 5
        "G01Q12": "single_choice",  # L with other
        "G01Q14": "single_choice",  # !
        "G01Q15": "single_choice",  # O
        "G03Q16": "multi_choice",  # M
        "G01Q18": "multi_choice",  # P
        "G04Q19": "long_text",  # U
        "G01Q20": "text",  # S
        "G04Q21_SQ003": "text",  # Q
        "G05Q23": "text",  # D
        "G01Q24": "single_choice",  # G
        "G01Q25_SQ005": "number",  # K
        "G01Q26": "number",  # N
        "G01Q27": "single_choice",  # Y
    }
    assert {k: types.get(k) for k in expected} == expected
    assert not any(i.startswith("G01Q10") for i in types)  # the dual-scale array
    assert "question G01Q10: dual-scale array — not converted" in report
    queen = template.question("G01Q01_SQ1")
    assert [o.value for o in queen.options] == ["AO01", "AO02", "AO03"]  # answer codes as values
    assert queen.label.get("en") == "What do you think of the following music artists?: Queen"
    assert [o.value for o in template.question("G01Q12").options][-1] == "other"
    assert [o.value for o in template.question("G01Q08_SQ002").options] == ["Y", "N", "U"]
    scale = template.question("G01Q04_SQ003")
    assert (scale.min, scale.max) == (1, 10)
    # Groups are sections; relevance of one comparison is a show_if.
    assert [s.id for s in template.sections] == [f"group_{g}" for g in (58, 59, 60, 61, 62)]
    condition = template.question("G01Q02").show_if
    assert (condition.question, condition.equals) == ("G01Q01_SQ1", "AO01")
    answered = template.question("G01Q20").show_if
    assert (answered.question, answered.answered) == ("G04Q19", True)
    # Texts in English only: copied to German, said once; the encrypted question is named.
    assert "195 text(s) only in en: copied to de" in report
    assert "question G01Q15: encrypted" in report
    assert "the text written beside 'Other' is not kept" in report


def test_the_survey_s_responses_go_into_the_imported_template_as_they_are(tmp_path: Path) -> None:
    runner = CliRunner()
    yaml_path = tmp_path / "survey.yaml"
    result = runner.invoke(
        main, ["templates", "import", str(REAL / "survey_862611.lss"), "--out", str(yaml_path)]
    )
    assert result.exit_code == 0, result.output
    assert "limesurvey_862611: 76 questions" in result.output
    assert (
        (tmp_path / "survey.loss.txt")
        .read_text(encoding="utf-8")
        .startswith("LimeSurvey structure import of survey_862611.lss")
    )
    store = Store(f"sqlite:///{tmp_path / 'e2e.db'}")
    store.add_pilot("P01", "Agile Werkstatt", loops=2)
    imported = import_survey(
        store,
        load_template(str(yaml_path)),
        REAL / "survey_862611_responses.lsr",
        structure=REAL / "survey_862611.lss",
        participant_column="token",
        pilot="P01",
        loop=1,
    )
    assert (imported.added, imported.skipped) == (3, [])
    stored = store.responses(template="limesurvey_862611").sort_values("submission_id")
    assert stored["G01Q01_SQ1"].tolist() == ["AO01", "AO01", "AO03"]
    assert stored["G01Q05_SQ001"].iloc[0] == "D"
    assert stored["G01Q06_SQ001_SQ001"].iloc[0] == 3
    # Response 1 chose Green and wrote "more green" under Other (the survey asks for 2 at least).
    assert stored["G03Q16"].iloc[0] == ["SQ001", "other"]
    assert stored["G01Q12"].tolist() == ["AO02", "other", "AO02"]
    assert any("'other' counted as chosen, the text not kept" in n for n in imported.notes)


def test_a_survey_archive_gives_its_template(tmp_path: Path) -> None:
    archive = tmp_path / "survey_archive_124688.lsa"
    archive.write_bytes((REAL / "survey_archive_124688.lsa").read_bytes())
    result = CliRunner().invoke(main, ["templates", "import", str(archive)])
    assert result.exit_code == 0, result.output
    template = load_template_string(result.stdout)
    assert [q.id for q in template.all_questions()] == ["G01Q01", "G01Q02", "G01Q03", "G01Q04"]
    assert [o.value for o in template.question("G01Q01").options] == [
        "SQ001",
        "SQ002",
        "SQ003",
        "other",
    ]
    assert (tmp_path / "survey_archive_124688.loss.txt").exists()


# LimeSurvey 3 (DBVersion < 400): texts in the questions/answers tables, one row per language.
LSS_3 = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>359</DBVersion>
 <languages><language>de-informal</language><language>en</language></languages>
 <answers><fields><fieldname>qid</fieldname></fields><rows>
  <row><qid>11</qid><code>A1</code><answer><![CDATA[Kurzer <b>Workshop</b>]]></answer><sortorder>1</sortorder><language>de-informal</language><scale_id>0</scale_id></row>
  <row><qid>11</qid><code>A1</code><answer>Short workshop</answer><sortorder>1</sortorder><language>en</language><scale_id>0</scale_id></row>
  <row><qid>11</qid><code>A2</code><answer>Lern-Tandem</answer><sortorder>2</sortorder><language>de-informal</language><scale_id>0</scale_id></row>
  <row><qid>11</qid><code>A2</code><answer>Learning tandem</answer><sortorder>2</sortorder><language>en</language><scale_id>0</scale_id></row>
 </rows></answers>
 <groups><fields><fieldname>gid</fieldname></fields><rows>
  <row><gid>5</gid><group_name>Fragen</group_name><group_order>0</group_order><language>de-informal</language></row>
  <row><gid>5</gid><group_name>Questions</group_name><group_order>0</group_order><language>en</language></row>
 </rows></groups>
 <questions><fields><fieldname>qid</fieldname></fields><rows>
  <row><qid>10</qid><parent_qid>0</parent_qid><sid>551177</sid><gid>5</gid><type>X</type><title>intro</title><question>Willkommen</question><mandatory>N</mandatory><question_order>0</question_order><language>de-informal</language><relevance>1</relevance></row>
  <row><qid>11</qid><parent_qid>0</parent_qid><sid>551177</sid><gid>5</gid><type>L</type><title>format</title><question><![CDATA[<p>Welches Format&nbsp;passt?</p><script>alert(1)</script>]]></question><help>Eins wählen</help><mandatory>Y</mandatory><question_order>1</question_order><language>de-informal</language><relevance>1</relevance><other>N</other></row>
  <row><qid>11</qid><parent_qid>0</parent_qid><sid>551177</sid><gid>5</gid><type>L</type><title>format</title><question>Which format fits?</question><help>Choose one</help><mandatory>Y</mandatory><question_order>1</question_order><language>en</language><relevance>1</relevance><other>N</other></row>
  <row><qid>12</qid><parent_qid>0</parent_qid><sid>551177</sid><gid>5</gid><type>N</type><title>hours</title><question>Wie viele Stunden?</question><mandatory>N</mandatory><question_order>2</question_order><language>de-informal</language><relevance>format == "A1" and 1 == 1</relevance></row>
  <row><qid>12</qid><parent_qid>0</parent_qid><sid>551177</sid><gid>5</gid><type>N</type><title>hours</title><question>How many hours?</question><mandatory>N</mandatory><question_order>2</question_order><language>en</language><relevance>format == "A1" and 1 == 1</relevance></row>
 </rows></questions>
 <question_attributes><fields><fieldname>qid</fieldname></fields><rows>
  <row><qid>12</qid><attribute>min_num_value_n</attribute><value>0</value></row>
  <row><qid>12</qid><attribute>max_num_value_n</attribute><value>40</value></row>
  <row><qid>12</qid><attribute>num_value_int_only</attribute><value>1</value></row>
 </rows></question_attributes>
 <surveys_languagesettings><fields><fieldname>surveyls_language</fieldname></fields><rows>
  <row><surveyls_language>de-informal</surveyls_language><surveyls_title>Lernformate</surveyls_title></row>
  <row><surveyls_language>en</surveyls_language><surveyls_title>Learning formats</surveyls_title></row>
 </rows></surveys_languagesettings>
</document>
"""


def test_limesurvey_3_texts_in_two_languages(tmp_path: Path) -> None:
    path = tmp_path / "limesurvey_survey_551177.lss"
    path.write_text(LSS_3, encoding="utf-8")
    template, report = _template(path)
    assert template.id == "limesurvey_551177"
    assert (template.title.get("de"), template.title.get("en")) == (
        "Lernformate",
        "Learning formats",
    )
    fmt = template.question("format")
    assert fmt.label.get("de") == "Welches Format passt?"  # HTML and its script removed
    assert (fmt.label.get("en"), fmt.help.get("en")) == ("Which format fits?", "Choose one")
    assert fmt.required
    assert [(o.value, o.label.get("de"), o.label.get("en")) for o in fmt.options] == [
        ("A1", "Kurzer Workshop", "Short workshop"),
        ("A2", "Lern-Tandem", "Learning tandem"),
    ]
    hours = template.question("hours")
    assert (hours.min, hours.max, hours.integer, hours.required) == (0, 40, True, False)
    assert hours.show_if is None
    assert "question hours: relevance — 'format == \"A1\" and 1 == 1' not converted" in report
    assert "question intro: text display — not converted" in report
    assert "copied" not in report  # both languages were there
    assert not template.sections  # one group: no sections


def test_files_that_are_no_survey_structure_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not 'Survey'"):
        import_limesurvey_structure(REAL / "survey_124688_responses.lsr")
    only_display = tmp_path / "display.lss"
    only_display.write_text(
        LSS_3.replace("<type>L</type>", "<type>X</type>").replace(
            "<type>N</type>", "<type>*</type>"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match="no question of the survey converts"):
        import_limesurvey_structure(only_display)
    result = CliRunner().invoke(
        main, ["templates", "import", str(REAL / "survey_124688_responses.lsr")]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
