"""Response archives written by LimeSurvey itself, imported end to end (issue 13, item 2).

The three surveys in ``tests/fixtures/survey/limesurvey/lsa2odm/`` are the
contents of ``.lsa`` archives that a LimeSurvey installation exported (DBVersion
443, 2021; source and licence in ``tests/fixtures/survey/README.md``). They hold
what a hand-written file misses: fields with no element at all (LimeSurvey
writes none for NULL), dual-scale fields whose ``#`` LimeSurvey turns into
``-`` in the element name, answers of a question stored encrypted, "other"
answers (``-oth-``), random tokens, an IP address, and array rows whose answer
codes (``AO01``) have their labels in the structure. One archive is kept as it
was exported (``survey_archive_124688.lsa``) and imported as it is.

Each test writes a template whose question ids are the survey's question codes
(arrays: ``CODE_SUB``) with labels in the survey's words, and checks the stored
answers against the values in the ``.lsr`` file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.exceptions import DatasetError
from transferkit.exchange import limesurvey
from transferkit.exchange.limesurvey import read_limesurvey
from transferkit.exchange.survey_import import import_survey
from transferkit.store import Store
from transferkit.templates import Template, load_template

FIXTURES = Path(__file__).parent / "fixtures" / "survey" / "limesurvey" / "lsa2odm"


def lss(survey: int) -> Path:
    return FIXTURES / f"survey_{survey}.lss"


def lsr(survey: int) -> Path:
    return FIXTURES / f"survey_{survey}_responses.lsr"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'limesurvey.db'}")
    store.add_pilot("P01", "Agile Werkstatt", loops=3)
    return store


def template_from(tmp_path: Path, text: str) -> Template:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return load_template(str(path))


# Survey 862611: one question of each LimeSurvey type; the template takes nine of them.
MANY_TYPES = """\
id: ls_862611
version: 1
kind: sheet
title: {de: LimeSurvey-Fragetypen, en: LimeSurvey question types}
questions:
  - id: G01Q01_SQ1          # F (array): row SQ1 "Queen", answers AO01 Good, AO02 Bad, AO03 Don't know them
    type: single_choice
    required: false
    label: {de: Queen, en: Queen}
    options:
      - {value: good, label: {de: Gut, en: Good}}
      - {value: bad, label: {de: Schlecht, en: Bad}}
      - {value: unknown, label: {de: Kenne ich nicht, en: "Don't know them"}}
  - id: G01Q04_SQ003        # B (array, 1–10)
    type: scale
    min: 1
    max: 10
    required: false
    label: {de: Alice im Wunderland, en: Alice in Wonderland}
  - id: ori_first_scale     # 1 (dual scale): row SQ001, first scale, through a mapping
    type: single_choice
    required: false
    label: {de: "Ori (Skala 1)", en: "Ori (scale 1)"}
    options:
      - {value: "1", label: {de: "1", en: "1"}}
      - {value: "2", label: {de: "2", en: "2"}}
      - {value: "3", label: {de: "3", en: "3"}}
  - id: G01Q08_SQ001        # C (array yes/no/uncertain): codes Y N U
    type: single_choice
    required: false
    label: {de: "Smells like teen spirit", en: "Smells like teen spirit"}
    options:
      - {value: ja, label: {de: Ja, en: "Yes"}}
      - {value: nein, label: {de: Nein, en: "No"}}
      - {value: unsicher, label: {de: Unsicher, en: Uncertain}}
  - id: G02Q11              # 5 (five-point choice)
    type: scale
    min: 1
    max: 5
    required: false
    label: {de: "Mögen Sie Pizza?", en: "Do you like pizza?"}
  - id: G01Q12              # L (list) with "other"
    type: single_choice
    required: false
    label: {de: Eins wählen, en: Choose one}
    options:
      - {value: kuchen, label: {de: Kuchen, en: Cake}}
      - {value: kekse, label: {de: Kekse, en: Cookies}}
      - {value: pudding, label: {de: Pudding, en: Pudding}}
      - {value: other, label: {de: Anderes, en: Other}}
  - id: G01Q15              # O (list with comment), stored encrypted by LimeSurvey
    type: single_choice
    required: false
    label: {de: Band, en: "Which artist do you like?"}
    options:
      - {value: dt, label: {de: Dream Theater, en: Dream Theater}}
      - {value: rush, label: {de: Rush, en: Rush}}
      - {value: pf, label: {de: Pink Floyd, en: Pink Floyd}}
  - id: G03Q16              # M (multiple choice) with "other"
    type: multi_choice
    required: false
    label: {de: Lieblingsfarben, en: "Favorite colors?"}
    options:
      - {value: gruen, label: {de: Grün, en: Green}}
      - {value: rot, label: {de: Rot, en: Red}}
      - {value: blau, label: {de: Blau, en: Blue}}
      - {value: gelb, label: {de: Gelb, en: Yellow}}
      - {value: magenta, label: {de: Magenta, en: Magenta}}
  - id: G01Q25_SQ005        # K (multiple numerical input): "9.0000000000"
    type: number
    required: false
    label: {de: Magenta, en: Magenta}
  - id: G01Q27              # Y (yes/no)
    type: single_choice
    required: false
    label: {de: "Gefällt Ihnen die Umfrage?", en: "Do you like this survey?"}
    options:
      - {value: ja, label: {de: Ja, en: "Yes"}}
      - {value: nein, label: {de: Nein, en: "No"}}
"""


def test_one_question_of_each_type(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, MANY_TYPES)
    result = import_survey(
        store,
        template,
        lsr(862611),
        structure=lss(862611),
        participant_column="token",
        pilot="P01",
        loop=1,
        mapping={"862611X58X434SQ001#0": "ori_first_scale"},
    )
    assert (result.added, result.already, result.skipped) == (3, 0, [])
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["submission_id"].tolist() == [f"limesurvey-862611-{n}" for n in (1, 2, 3)]
    # LimeSurvey's random tokens, the one without a digit ('sPvCfHHeeKZPdVZ') included.
    assert stored["participant"].tolist() == [
        "832bEzkKZIKiZej",
        "y7q9tFC0TpFHXnM",
        "sPvCfHHeeKZPdVZ",
    ]
    # Array rows: answer codes AO01/AO02/AO03 through their labels in the structure.
    assert stored["G01Q01_SQ1"].tolist() == ["good", "good", "unknown"]
    assert stored["G01Q04_SQ003"].tolist()[:2] == [10, 5]
    # Dual scale: the element <_862611X58X434SQ001-0> is the field 862611X58X434SQ001#0.
    assert stored["ori_first_scale"].tolist()[:2] == ["3", "2"]
    # C arrays answer Y / N / U: LimeSurvey's fixed codes, matched to the labels Yes / No / Uncertain.
    assert stored["G01Q08_SQ001"].tolist()[:2] == ["nein", "unsicher"]
    assert stored["G02Q11"].tolist() == [4, 2, 3]
    # "-oth-" is LimeSurvey's "other": the option "other"; the text beside it is reported.
    assert stored["G01Q12"].tolist() == ["kekse", "other", "kekse"]
    assert stored["G03Q16"].tolist() == [["gruen"], ["rot", "gelb"], ["blau", "magenta"]]
    assert stored["G01Q25_SQ005"].iloc[0] == 9
    assert stored["G01Q27"].tolist() == ["ja", "nein", "ja"]
    # G01Q15 is encrypted in this survey: its cells are ciphertext, never stored as answers.
    assert stored["G01Q15"].isna().all()
    notes = "\n".join(result.notes)
    assert "question(s) G01Q15 are encrypted" in notes
    assert "'862611X59X440other'" in notes  # the "other" texts: named, not dropped silently
    # The IP address is LimeSurvey's own data: neither imported nor listed as an unmatched column.
    assert "ipaddr" not in notes
    assert "ipaddr" not in stored.columns


def test_no_value_is_lost_between_the_file_and_the_table() -> None:
    """Every element of every row reaches its field, the ``#`` fields and absent elements included.

    Only the two fields of the encrypted question are left out (and said so in a note).
    """
    import xml.etree.ElementTree as ET

    data = read_limesurvey(lsr(862611), lss(862611))
    root = ET.parse(lsr(862611)).getroot()
    encrypted = {"862611X59X443", "862611X59X443comment"}
    rows = list(root.iterfind("responses/rows/row"))
    assert len(rows) == len(data.records) == 3
    for record, row in zip(data.records, rows, strict=True):
        # LimeSurvey's element names: "_" before a leading digit, "-" for "#" (export_helper.php).
        in_file = {child.tag.removeprefix("_").replace("-", "#"): child.text for child in row}
        expected = {k: v for k, v in in_file.items() if v and k not in encrypted}
        assert {k: v for k, v in record.values.items() if v} == expected
    first = data.records[0].values
    assert first["862611X58X434SQ001#0"] == "AO03"
    assert first["862611X58X434SQ004#1"] == "AO07"
    assert first["token"] == "832bEzkKZIKiZej"
    assert not encrypted & set(data.columns)
    assert any("G01Q15" in note and "encrypted" in note for note in data.notes)


def test_an_element_outside_the_field_list_is_an_error(tmp_path: Path) -> None:
    damaged = tmp_path / "survey_969249_responses.lsr"
    text = lsr(969249).read_text(encoding="utf-8")
    damaged.write_text(text.replace("_969249X14X157>", "_969249X14X999>", 2), encoding="utf-8")
    with pytest.raises(
        DatasetError, match=r"response 1: the element <_969249X14X999> names no field"
    ):
        read_limesurvey(damaged, lss(969249))


# Survey 124688: multiple choice with "other", and multiple choice with comments; no tokens.
MULTIPLE_CHOICE = """\
id: ls_124688
version: 1
kind: sheet
title: {de: Mehrfachauswahl, en: Multiple choice}
questions:
  - id: G01Q01
    type: multi_choice
    required: false
    label: {de: bt, en: bt}
    options:
      - {value: a, label: {de: q1q1, en: q1q1}}
      - {value: b, label: {de: q1q2, en: q1q2}}
      - {value: c, label: {de: q1q3, en: q1q3}}
  - id: G01Q04
    type: multi_choice
    required: false
    label: {de: q4 mcwc, en: q4 mcwc}
    options:
      - {value: SQ001, label: {de: q4q1, en: q4q1}}
      - {value: SQ002, label: {de: q4q2, en: q4q2}}
      - {value: SQ003, label: {de: q4q3, en: q4q3}}
      - {value: SQ004, label: {de: q4q4, en: q4q4}}
      - {value: SQ005, label: {de: q4q5, en: q4q5}}
"""


def test_multiple_choice_with_other_and_comments(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, MULTIPLE_CHOICE)
    started = pd.Timestamp.now(tz="UTC").floor("s")
    result = import_survey(store, template, lsr(124688), structure=lss(124688), pilot="P01")
    assert (result.added, result.skipped) == (3, [])
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["G01Q01"].tolist() == [["a", "c"], ["a"], ["a", "c"]]
    assert stored["G01Q04"].tolist() == [
        ["SQ004"],
        ["SQ001", "SQ004", "SQ005"],
        ["SQ001", "SQ004"],
    ]
    assert stored["participant"].isna().all()  # the archive's rows carry no <token> element
    notes = "\n".join(result.notes)
    assert "'124688X13X138other'" in notes
    assert "'124688X13X150SQ004comment'" in notes
    # 1980-01-01 00:00:00 is LimeSurvey's submitdate of a survey without dates: not taken as a
    # date; the responses get the time of the import, and the note says so.
    assert (stored["submitted_at"] >= started).all()
    assert "3 response(s) have LimeSurvey's submitdate 1980-01-01 00:00:00" in notes


# Survey 969249: texts, an array (1–10), a five-point choice, multiple short texts, a list.
TEXTS_AND_LISTS = """\
id: ls_969249
version: 1
kind: sheet
title: {de: Texte und Listen, en: Texts and lists}
questions:
  - id: G01Q01
    type: long_text
    label: {de: q1, en: q1}
  - id: G01Q03_SQ003
    type: scale
    min: 1
    max: 10
    required: false
    label: {de: q1q3, en: q1q3}
  - id: G01Q04
    type: scale
    min: 1
    max: 5
    required: false
    label: {de: q4, en: q4}
  - id: G01Q05_SQ002
    type: text
    required: false
    label: {de: q2, en: q2}
  - id: G01Q06
    type: single_choice
    required: false
    label: {de: Liste, en: List}
    options:
      - {value: eins, label: {de: rtrtht, en: rtrtht}}
      - {value: zwei, label: {de: ghfh, en: ghfh}}
      - {value: drei, label: {de: fhgh, en: fhgh}}
      - {value: vier, label: {de: fgh, en: fgh}}
"""


def test_texts_arrays_and_a_list_with_a_token_used_twice(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, TEXTS_AND_LISTS)
    result = import_survey(
        store,
        template,
        lsr(969249),
        structure=lss(969249),
        participant_column="token",
        pilot="P01",
        loop=2,
    )
    assert (result.added, result.skipped) == (6, [])
    stored = store.responses(template=template).sort_values("submission_id")
    assert stored["G01Q01"].iloc[0] == "adsda"
    assert stored["G01Q03_SQ003"].tolist()[1:3] == [7, 5]
    assert stored["G01Q04"].iloc[0] == 4
    assert stored["G01Q05_SQ002"].iloc[0] == "adsdas"
    assert stored["G01Q06"].iloc[0] == "drei"  # AO03 → "fhgh"
    # Responses 2 and 3 carry the same token: two submissions of one participant, both kept.
    assert stored["participant"].tolist()[1:3] == ["piuVlu7aEvWwk59", "piuVlu7aEvWwk59"]
    again = import_survey(
        store,
        template,
        lsr(969249),
        structure=lss(969249),
        participant_column="token",
        pilot="P01",
        loop=2,
    )
    assert (again.added, again.already) == (0, 6)


# ---------------------------------------------------------------- the survey archive itself


ARCHIVE = FIXTURES / "survey_archive_124688.lsa"  # lsa2odm's archive, unchanged


def test_a_survey_archive_is_imported_from_the_command_line(store: Store, tmp_path: Path) -> None:
    template_path = tmp_path / "mc.yaml"
    template_path.write_text(MULTIPLE_CHOICE, encoding="utf-8")
    args = ["db", "import-survey", str(ARCHIVE), "--template", str(template_path)]
    args += ["--pilot", "P01", "--db", store.url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "LimeSurvey survey 124688 (survey_archive_124688.lsa): 3 new responses" in result.output
    stored = store.responses(template="ls_124688").sort_values("submission_id")
    assert stored["G01Q01"].tolist() == [["a", "c"], ["a"], ["a", "c"]]
    again = CliRunner().invoke(main, args)
    assert "0 new responses, 3 imported before" in again.output


def test_an_archive_brings_its_own_structure(store: Store, tmp_path: Path) -> None:
    template = template_from(tmp_path, MULTIPLE_CHOICE)
    with pytest.raises(DatasetError, match="leave out --structure"):
        import_survey(store, template, ARCHIVE, structure=lss(124688), pilot="P01")


def _zip(path: Path, **members: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_archives_that_are_not_survey_archives_are_refused(tmp_path: Path) -> None:
    not_zip = tmp_path / "survey_archive_1.lsa"
    not_zip.write_text("<document/>", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"is not a LimeSurvey survey archive \(\.lsa is a zip"):
        read_limesurvey(not_zip)
    only_structure = _zip(tmp_path / "a.lsa", **{"survey_124688.lss": lss(124688).read_bytes()})
    with pytest.raises(
        DatasetError, match=r"one response table \(_responses\.lsr\): it holds survey_124688\.lss"
    ):
        read_limesurvey(only_structure)
    damaged = _zip(
        tmp_path / "b.lsa",
        **{
            "survey_124688.lss": lss(124688).read_bytes(),
            "survey_124688_responses.lsr": b"<document><LimeSurveyDocType>Responses",
        },
    )
    with pytest.raises(
        DatasetError, match=r"b\.lsa \(its \.lsr\) is not a LimeSurvey responses file"
    ):
        read_limesurvey(damaged)


def test_an_archive_member_larger_than_the_limit_is_not_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zip bomb: a few kilobytes that unpack to far more. The limit is lowered to keep the test small.
    monkeypatch.setattr(limesurvey, "MAX_ARCHIVE_MEMBER", 100_000)
    bomb = _zip(
        tmp_path / "bomb.lsa",
        **{"survey_1.lss": lss(124688).read_bytes(), "survey_1_responses.lsr": b" " * 5_000_000},
    )
    assert bomb.stat().st_size < 50_000
    with pytest.raises(
        DatasetError, match=r"would unpack to 5,000,000 bytes, more than the 100,000"
    ):
        read_limesurvey(bomb)
