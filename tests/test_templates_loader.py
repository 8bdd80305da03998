"""Template loader: files, names, error messages with lines and field paths, JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from transferkit.exceptions import TemplateError, TemplateNotFoundError, TransferkitError
from transferkit.templates import (
    list_templates,
    load_template,
    load_template_string,
    template_json_schema,
    write_schema,
)
from transferkit.templates.loader import SCHEMA_FILE, main

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "src" / "transferkit" / "templates"

GOOD = """\
id: my_sheet
version: 3
title: {de: Mein Bogen, en: My sheet}
questions:
  - id: q1
    type: text
    label: {de: Name des Teams, en: Team name}
"""


def error_of(text: str, source: str = "broken.yaml") -> TemplateError:
    with pytest.raises(TemplateError) as info:
        load_template_string(text, source=source)
    assert isinstance(info.value, TransferkitError)
    return info.value


# --- loading --------------------------------------------------------------------------


def test_load_from_path_and_str(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD, encoding="utf-8")
    for arg in (path, str(path)):
        t = load_template(arg)
        assert (t.id, t.version, t.kind) == ("my_sheet", 3, "sheet")
    yml = tmp_path / "other.yml"
    yml.write_text(GOOD, encoding="utf-8")
    assert load_template(yml).id == "my_sheet"


def test_load_builtin_returns_independent_copies() -> None:
    a = load_template("round_table")
    a.title.de = "geändert"
    assert load_template("round_table").title.de == "Round Table"


def test_unknown_name_lists_builtins() -> None:
    with pytest.raises(TemplateNotFoundError) as info:
        load_template("needs_analysys")
    message = str(info.value)
    assert "needs_analysis" in message
    for name in list_templates():
        assert name in message


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(TemplateNotFoundError, match="there is no template file"):
        load_template(tmp_path / "missing.yaml")
    with pytest.raises(TemplateNotFoundError):
        load_template("kein Name!")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("Mein", "Mäin").encode("latin-1"))
    with pytest.raises(TemplateError, match="UTF-8") as info:
        load_template(path)
    assert info.value.source == str(path)


def test_list_templates() -> None:
    assert list_templates() == sorted(
        [
            "competence_self_assessment",
            "education_plan",
            "learning_partnership",
            "needs_analysis",
            "pilot_goals",
            "reflection_loop",
            "round_table",
            "training_feedback",
        ]
    )


def test_safe_loader_rejects_python_tags() -> None:
    err = error_of("id: !!python/object/apply:os.system ['echo hacked']\n")
    assert "line 1" in str(err)


def test_anchors_and_aliases_work() -> None:
    t = load_template_string(
        """
id: anchors
version: 1
title: {de: A, en: A}
questions:
  - id: a
    type: likert
    label: {de: A, en: A}
    points: &p
      - {value: 1, label: {de: eins, en: one}}
      - {value: 2, label: {de: zwei, en: two}}
      - {value: 3, label: {de: drei, en: three}}
      - {value: 4, label: {de: vier, en: four}}
  - {id: b, type: likert, label: {de: B, en: B}, points: *p}
"""
    )
    assert [len(q.points) for q in t.questions] == [4, 4]  # type: ignore[union-attr]


# --- broken YAML ------------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_line_and_hint() -> None:
    text = GOOD.replace(
        "label: {de: Name des Teams, en: Team name}", "label:\n      de: Ziel: mehr\n      en: x"
    )
    err = error_of(text)
    assert err.source == "broken.yaml"
    (problem,) = err.problems
    assert problem.location == "line 8, column 15"
    assert "quotes" in problem.hint
    assert "broken.yaml" in str(err)


def test_yaml_tab_indentation() -> None:
    err = error_of("id: x\nversion: 1\ntitle:\n\tde: a\n")
    assert err.problems[0].location.startswith("line 4")
    assert "tabs" in err.problems[0].hint


def test_yaml_unclosed_quote_and_bad_indent() -> None:
    assert "quotation mark" in error_of('id: x\ntitle: "abc\n').problems[0].hint
    err = error_of("id: x\nquestions:\n  - id: q1\n    type: text\n   label: x\n")
    assert err.problems[0].location.startswith("line 5")


def test_yaml_impossible_date_has_line() -> None:
    err = error_of("id: x\nversion: 1\nnote:\n  - 2024-02-30\n")
    assert err.problems[0].location == "line 4, column 5"


def test_duplicate_yaml_key() -> None:
    err = error_of("id: x\nversion: 1\nid: y\n")
    twice = [p for p in err.problems if "twice" in p.message]
    assert [p.location for p in twice] == ["line 3"]
    # in the same pass: what the template lacks besides
    assert any("'title' is missing" in p.message for p in err.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("- a\n- b\n", "not a list"),
        ("hello\n", "not a text"),
        ("id: a\n---\nid: b\n", ""),
    ],
)
def test_not_a_mapping(text: str, message: str) -> None:
    err = error_of(text)
    assert message in str(err)


# --- invalid templates ---------------------------------------------------------------------------


BAD_LIKERT = """\
id: bad
version: 1
title: {de: Schlecht, en: Bad}
questions:
  - id: q1
    type: text
    label: {de: Eins, en: One}
  - id: q2
    type: text
    label: {de: Zwei, en: Two}
  - id: q3
    type: text
    label: {de: Drei, en: Three}
  - id: q4
    type: likert
    label: {de: Vier, en: Four}
    points:
      - {value: 1, label: {de: a, en: a}}
      - {value: 2, label: {de: b, en: b}}
      - {value: 3, label: {de: c, en: c}}
"""


def test_invalid_template_names_path_line_and_fix() -> None:
    err = error_of(BAD_LIKERT)
    (problem,) = err.problems
    assert problem.location == "questions[3].points (line 17)"
    assert "likert needs 4 to 7 or 10 points; you gave 3" in problem.message
    assert problem.hint
    assert "broken.yaml" in str(err)
    assert "line 17" in str(err)


def test_missing_english_text() -> None:
    err = error_of(GOOD.replace("{de: Name des Teams, en: Team name}", "{de: Name des Teams}"))
    (problem,) = err.problems
    assert problem.location == "questions[0].label.en (line 7)"
    assert "English" in problem.message
    assert 'de: "…", en: "…"' in problem.hint


def test_plain_string_label_needs_both_languages() -> None:
    err = error_of(GOOD.replace("{de: Name des Teams, en: Team name}", "Name des Teams"))
    assert err.problems[0].location == "questions[0].label (line 7)"
    assert "German and an English" in err.problems[0].message


def test_unknown_field_suggests_spelling() -> None:
    err = error_of(GOOD.replace("    label:", "    lable:"))
    messages = [str(p) for p in err.problems]
    assert any("unknown field 'lable'" in m and "did you mean 'label'" in m for m in messages)
    assert any("questions[0].label" in m and "missing" in m for m in messages)


def test_unknown_question_type() -> None:
    err = error_of(GOOD.replace("type: text", "type: freitext"))
    (problem,) = err.problems
    assert problem.location == "questions[0].type (line 6)"  # the line of the wrong type
    assert "freitext" in problem.message
    assert "long_text" in problem.hint


def test_many_problems_at_once() -> None:
    text = """\
id: 9x
version: eins
title: {de: T, en: T}
questions:
  - id: q1
    type: scale
    label: {de: A, en: A}
    min: 0
  - id: q2
    type: dot_vote
    label: {de: B, en: B}
    budget: 0
    options: [{value: a, label: {de: A, en: A}}]
"""
    err = error_of(text)
    locations = [p.location for p in err.problems]
    assert "id (line 1)" in locations
    assert "version (line 2)" in locations
    assert "questions[0].max (line 5)" in locations
    assert "questions[1].budget (line 12)" in locations


def test_cross_field_problems_have_lines() -> None:
    text = GOOD + (
        "  - id: q1\n    type: text\n    label: {de: B, en: B}\n"
        "    show_if: {question: q9, equals: ja}\n"
    )
    err = error_of(text)
    locations = sorted(p.location for p in err.problems)
    assert locations == ["questions[1].id (line 8)", "questions[1].show_if.question (line 11)"]


def test_non_str_input() -> None:
    with pytest.raises(TemplateError):
        load_template_string(b"id: x")  # type: ignore[arg-type]


# --- JSON Schema -------------------------------------------------------------------------------------


def test_schema_file_is_up_to_date() -> None:
    on_disk = json.loads((TEMPLATES_DIR / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert on_disk == template_json_schema(), (
        "template.schema.json is outdated: run "
        "`python -m transferkit.templates.loader --write-schema`"
    )


def test_schema_validates_builtin_yaml() -> None:
    schema = template_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((TEMPLATES_DIR / "builtin").glob("*.yaml"))
    assert len(files) == 8
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{path.name}: {errors}"


def test_schema_rejects_an_invalid_template() -> None:
    validator = jsonschema.Draft202012Validator(template_json_schema())
    data = yaml.safe_load(GOOD.replace("type: text", "type: freitext"))
    assert list(validator.iter_errors(data))


def test_write_schema_and_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = write_schema(tmp_path / "schema.json")
    assert json.loads(target.read_text(encoding="utf-8")) == template_json_schema()
    assert main(["--write-schema", str(tmp_path / "s2.json")]) == 0
    assert (tmp_path / "s2.json").is_file()
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out
