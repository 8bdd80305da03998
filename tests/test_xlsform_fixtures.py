"""Import of real XLSForms (pyxform's test forms, tests/fixtures/xlsform/README.md): what converts, what is reported."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from transferkit.exchange.codebook import ExchangeWarning
from transferkit.exchange.xlsform import XLSFormImport, import_xlsform
from transferkit.templates import Template, load_template_string

FIXTURES = Path(__file__).parent / "fixtures" / "xlsform"


def _import(name: str, tmp_path: Path) -> tuple[XLSFormImport, Template]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExchangeWarning)
        result = import_xlsform(FIXTURES / name, report_path=tmp_path / "form.loss.txt")
    assert (tmp_path / "form.loss.txt").read_text(encoding="utf-8") == result.report.text()
    return result, load_template_string(result.yaml, source=name)


def _lost(result: XLSFormImport) -> list[str]:
    return [str(x) for x in result.report.lost]


def test_every_fixture_is_named_in_the_readme() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    forms = sorted(p.name for p in FIXTURES.glob("*.xlsx"))
    assert len(forms) >= 2
    for name in forms:
        assert f"`{name}`" in readme
    assert "BSD" in readme
    assert (FIXTURES / "LICENSE.pyxform").is_file()


def test_biomass_form_multilingual_relevant_constraint_and_repeats(tmp_path: Path) -> None:
    result, template = _import("UCL_Biomass_Plot_Form.xlsx", tmp_path)
    ids = [q.id for q in template.questions]
    assert ids == [
        "leader_name",
        "leader_name_other",
        "leader_number",
        "plant_phase",
        "canopy_cover",
        "monumented",
        "slope",
        "any_trees",
        "stumps_in_plot",
        "regen_in_subplot1",
        "regen_in_subplot2",
        "disturbance",
        "remarks",
    ]
    by_id = {q.id: q for q in template.questions}
    # English labels and hints taken; no German, so copied (and reported).
    assert by_id["leader_name"].label.en == "Your Name"
    assert by_id["leader_name"].label.de == "Your Name"
    assert by_id["leader_name"].help is not None
    assert by_id["leader_name"].help.en == "Choose One"
    assert by_id["leader_name"].required is True
    assert by_id["remarks"].required is False
    assert by_id["canopy_cover"].type == "number"
    assert by_id["canopy_cover"].integer
    assert by_id["disturbance"].type == "multi_choice"
    assert [o.value for o in by_id["monumented"].options] == ["yes", "no"]  # type: ignore[attr-defined]
    # relevant written with curly quotes: ${leader_name} = ‘other’
    cond = by_id["leader_name_other"].show_if
    assert cond is not None
    assert (cond.question, cond.operator, cond.equals) == ("leader_name", "equals", "other")
    copied = [
        x for x in result.report.changed if x.what == "label" and "copied the en one" in x.detail
    ]
    assert any("leader_name" in x.where for x in copied)

    lost = "\n".join(_lost(result))
    for expected in (
        "survey column label::Swahili (sw): language",
        "survey row 3 (note2): type note",
        "survey row 26 (slope_radius): type calculate",
        "survey row 32 (trees): repeat",
        "survey row 34 (tag): type integer — inside a repeat",
        "survey row 43 (stems): repeat",
        "survey row 16 (region_id): type select_one_from_file UCL_regions.csv",
        "survey row 22 (center_point): type geopoint",
        "survey row 11 (start): type start — metadata",
        "survey row 10 (leader_number): constraint — regex(",
        "survey row 10 (leader_number): constraint_message",
        "survey row 2 (intro): group",
    ):
        assert expected in lost, expected
    changed = "\n".join(str(x) for x in result.report.changed)
    assert "'=NOW()' is not a whole number" in changed


def test_choice_filter_goes_to_the_loss_report(tmp_path: Path) -> None:
    result, template = _import("choice_filter_test.xlsx", tmp_path)
    assert template.id == "cascading_selects1"
    assert template.title.de == "cascading selects"
    assert [q.id for q in template.questions] == ["state", "county", "city"]
    county = template.question("county")
    assert [o.value for o in county.options] == ["king", "pierce", "cameron"]  # type: ignore[attr-defined]
    lost = _lost(result)
    assert "survey row 3 (county): choice_filter — ${state}=cf — every option is shown" in lost
    assert "survey row 4 (city): choice_filter — ${county}=cf — every option is shown" in lost
    assert any(x.startswith("choices column cf: column") for x in lost)
    assert any("choices row 6 (counties/king): duplicate choice" in x for x in lost)
    # a plain `label` column without a language is used for both, and said so
    assert any("column without a language" in x.detail for x in result.report.changed)


def test_external_choices_and_upper_case_headers(tmp_path: Path) -> None:
    result, template = _import("case_insensitivity.xlsx", tmp_path)
    assert [q.id for q in template.questions] == ["q1"]
    q1 = template.question("q1")
    assert q1.label.en == "Are you good?"
    assert [o.value for o in q1.options] == ["n1-c", "n2-c"]  # type: ignore[attr-defined]
    lost = "\n".join(_lost(result))
    assert "sheet EXTERNAL_CHOICES: external choices" in lost
    assert "sheet ENTITIES: sheet" in lost
    assert "survey row 3 (q2): type select_one_external c1" in lost
    assert "survey row 4 (q3): type osm c1" in lost


def test_old_spellings(tmp_path: Path) -> None:
    result, template = _import("yes_or_no_question.xlsx", tmp_path)
    (q,) = template.questions
    assert q.type == "single_choice"
    assert [o.value for o in q.options] == ["yes", "no"]  # type: ignore[attr-defined]
    assert result.report.lost == []


def test_copied_languages_are_warned_about(tmp_path: Path) -> None:
    with pytest.warns(ExchangeWarning, match="copied to the other"):
        import_xlsform(FIXTURES / "yes_or_no_question.xlsx")
