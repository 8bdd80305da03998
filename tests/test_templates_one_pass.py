"""Template validation reports every problem in one pass (issue 12, item 9), feedback kinds
and scale group labels are part of the schema (item 5), YAML indentation errors get the
right hint, and a broken custom template shows web-sheet participants a short notice."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from websheet_client import Client

from transferkit.cli import main as cli
from transferkit.exceptions import TemplateError
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import load_template, load_template_string
from transferkit.templates.feedback import FEEDBACK_KINDS, scale_group_label

POINTS = (
    "[" + ", ".join(f"{{value: {v}, label: {{de: p{v}, en: p{v}}}}}" for v in range(1, 6)) + "]"
)

#: Five different problems, each of a kind that used to wait for the others to be fixed.
MANY = textwrap.dedent(
    f"""\
    id: many
    version: 1
    title: {{de: Viele Fehler, en: Many problems}}
    feedback:
      kind: gas_summry
    scale_groups:
      unterstuetzung: {{de: Unterstützung, en: Support, fr: Soutien}}
    questions:
      - id: q1
        type: txt
        label: {{de: Eins, en: One}}
      - id: q2
        type: text
        label: {{de: Zwei, en: Two}}
      - id: q2
        type: text
        label: {{de: Drei, en: Three}}
      - id: q4
        type: text
        show_if: {{question: q9, equals: ja}}
        label: {{de: Vier, en: Four}}
      - id: q5
        type: likert
        scale_group: unterstuetzung
        points: {POINTS}
        label: {{de: Fünf, en: Five}}
    """
)


def error_of(text: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        load_template_string(text)
    return info.value


def _find(error: TemplateError, needle: str) -> list[str]:
    return [str(p) for p in error.problems if needle in str(p)]


# --------------------------------------------------------------------------- one pass
def test_every_problem_of_a_template_in_one_error() -> None:
    error = error_of(MANY)
    assert len(_find(error, "unknown question type 'txt'")) == 1
    assert _find(error, "questions[0].type (line 10)")  # the line of the wrong type
    (duplicate,) = _find(error, "duplicate question id 'q2'")
    assert duplicate.startswith("questions[2].id (line 15)")
    (feedback,) = _find(error, "unknown feedback kind 'gas_summry'")
    assert feedback.startswith("feedback.kind (line 5)")
    for kind in FEEDBACK_KINDS:  # the hint names the valid kinds
        assert kind in feedback
    (show_if,) = _find(error, "show_if refers to the unknown question 'q9'")
    assert show_if.startswith("questions[3].show_if.question (line 20)")
    (language,) = _find(error, "unknown language 'fr'")
    assert language.startswith("scale_groups.unterstuetzung.fr (line 7)")
    assert "German (de)" in language
    assert "English (en)" in language
    assert len(error.problems) == 5
    lines = [int(p.location.split("line ")[1].rstrip(")")) for p in error.problems]
    assert lines == sorted(lines)  # in the order of the file


def test_fixing_one_problem_leaves_exactly_the_others() -> None:
    fixed = MANY.replace("type: txt", "type: text")
    error = error_of(fixed)
    assert not _find(error, "unknown question type")
    assert len(error.problems) == 4


def test_problems_in_phases_of_a_loop_at_once() -> None:
    text = textwrap.dedent(
        """\
        id: loopy
        version: 1
        kind: loop
        title: {de: Schleife, en: Loop}
        phases:
          - id: a
            title: {de: A, en: A}
            questions:
              - {id: x, type: likert, points: [1, 2], label: {de: X, en: X}}
              - {id: y, type: text, show_if: {question: z, answered: true}, label: {de: Y, en: Y}}
              - {id: z, type: text, label: {de: Z, en: Z}}
          - id: a
            title: {de: B, en: B}
            feedback: {kind: vote_results, question: y}
            questions:
              - {id: x, type: text, label: {de: X, en: X}}
        """
    )
    error = error_of(text)
    assert _find(error, "phases[0].questions[0].points")  # a field problem ...
    assert _find(error, "refers to the later question 'z'")  # ... and those across fields
    assert _find(error, "duplicate phase id 'a'")
    assert _find(error, "duplicate question id 'x'")
    assert _find(error, "names the unknown question 'y'")  # y is in another phase


def test_duplicate_yaml_keys_and_field_problems_at_once() -> None:
    text = (
        "id: t\nversion: 1\ntitle: {de: T, en: T}\nquestions:\n"
        "  - id: q1\n    type: text\n    type: number\n    label: {de: A, en: A}\n"
        "  - {id: q1, type: nope, label: {de: B, en: B}}\n"
    )
    error = error_of(text)
    assert _find(error, "line 7: the field 'type' appears twice")
    assert _find(error, "unknown question type 'nope'")
    assert _find(error, "duplicate question id 'q1'")


def test_cli_check_prints_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(MANY, encoding="utf-8")
    for command in ("check", "validate"):
        result = CliRunner().invoke(cli, ["templates", command, str(path)])
        assert result.exit_code == 1
        assert "5 problem(s)" in result.output
        for needle in ("'txt'", "'q2'", "'gas_summry'", "'q9'", "'fr'"):
            assert needle in result.output
        assert "Traceback" not in result.output


# --------------------------------------------------------------------------- YAML indentation
@pytest.mark.parametrize(
    ("text", "where", "align"),
    [
        (  # a key indented deeper than the one above it
            "id: x\nquestions:\n  - id: q1\n      type: text\n",
            "line 4, column 11",
            "`type:` with the key above: `id:` in line 3 starts in column 5",
        ),
        (  # a key indented less than the one above it
            "id: x\nquestions:\n  - id: q1\n    type: text\n   label: {de: A, en: A}\n",
            "line 5, column 4",
            "`label:` with the key above: `type:` in line 4 starts in column 5",
        ),
        (  # a top-level key indented by one space
            "id: x\n version: 1\n",
            "line 2, column 9",
            "`version:` with the key above: `id:` in line 1 starts in column 1",
        ),
        (  # a list item out of line
            "id: x\nquestions:\n  - id: q1\n    type: text\n   - id: q2\n",
            "line 5, column 4",
            "'-' of the list item above: line 3 starts it in column 3",
        ),
    ],
)
def test_indentation_errors_get_the_indentation_hint(text: str, where: str, align: str) -> None:
    (problem,) = error_of(text).problems
    assert problem.location == where
    assert problem.hint.startswith("indent with spaces, align")
    assert align in problem.hint


def test_a_colon_in_a_value_is_not_called_an_indentation_error() -> None:
    (problem,) = error_of("id: x\nlabel:\n  de: Ziel: mehr Austausch\n").problems
    assert problem.location == "line 3, column 11"
    assert "quotes" in problem.hint
    assert "indent" not in problem.hint


# --------------------------------------------------------------------------- feedback schema
SHEET = "id: t\nversion: 1\ntitle: {de: T, en: T}\n"


def test_feedback_parameters_belong_to_their_kind() -> None:
    text = SHEET + (
        "feedback: {kind: top_priorities, tpo: 3}\nquestions:\n"
        "  - {id: imp_a, type: text, label: {de: A, en: A}}\n"
        "  - {id: comp_a, type: text, label: {de: B, en: B}}\n"
    )
    (problem,) = error_of(text).problems
    assert problem.message == "unknown field 'tpo'"
    assert problem.hint == "did you mean 'top'?"


@pytest.mark.parametrize(
    ("feedback", "questions", "needle"),
    [
        ("{kind: gas_summary}", "{id: a, type: text, label: {de: A, en: A}}", "needs a gas_goal"),
        (
            "{kind: vote_results, question: a}",
            "{id: a, type: text, label: {de: A, en: A}}",
            "names the text question 'a'",
        ),
        (
            "{kind: profile, scales: [digital]}",
            f"{{id: a, type: likert, scale_group: soft, points: {POINTS}, label: {{de: A, en: A}}}}",
            "no likert question has the scale_group 'digital'",
        ),
        (
            "{kind: profile}",
            (
                f"{{id: a, type: likert, scale_group: unterstuetzung, points: {POINTS}, "
                "label: {de: A, en: A}}"
            ),
            "the scale group 'unterstuetzung' has no name in words",
        ),
    ],
)
def test_feedback_that_cannot_show_anything_is_a_template_error(
    feedback: str, questions: str, needle: str
) -> None:
    error = error_of(SHEET + f"feedback: {feedback}\nquestions:\n  - {questions}\n")
    assert _find(error, needle), error


def test_a_label_for_a_scale_group_no_question_has() -> None:
    text = SHEET + (
        "scale_groups: {unterstutzung: {de: Unterstützung, en: Support}}\nquestions:\n"
        f"  - {{id: a, type: likert, scale_group: unterstuetzung, points: {POINTS}, "
        "label: {de: A, en: A}}\n"
    )
    (problem,) = error_of(text).problems
    assert problem.location == "scale_groups.unterstutzung (line 4)"
    assert "unterstuetzung" in problem.hint  # the names the questions use


def test_custom_and_builtin_scale_group_labels() -> None:
    text = SHEET + (
        "feedback: {kind: profile}\n"
        "scale_groups: {unterstuetzung: {de: Unterstützung im Team, en: Support in the team}}\n"
        "questions:\n"
        f"  - {{id: a, type: likert, scale_group: unterstuetzung, points: {POINTS}, "
        "label: {de: A, en: A}}\n"
        f"  - {{id: b, type: likert, scale_group: digital, points: {POINTS}, "
        "label: {de: B, en: B}}\n"
    )
    template = load_template_string(text)
    assert scale_group_label(template, "unterstuetzung", "de") == "Unterstützung im Team"
    assert scale_group_label(template, "unterstuetzung", "en") == "Support in the team"
    assert scale_group_label(template, "digital", "de") == "Digitale Kompetenzen"  # vocabulary
    builtin = load_template("training_feedback")
    assert scale_group_label(builtin, "behaviour", "en") == "Behaviour and transfer"


# --------------------------------------------------------------------------- the web sheet
@pytest.fixture
def broken_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workshops"
    folder.mkdir()
    (folder / "broken.yaml").write_text(MANY, encoding="utf-8")
    monkeypatch.setenv("TRANSFERKIT_TEMPLATE_DIR", str(folder))
    return folder


@pytest.fixture
def server(tmp_path: Path, broken_folder: Path) -> Iterator[BackgroundServer]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url).close()
    with BackgroundServer(make_app(url, token="")) as running:
        yield running


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_broken_custom_template_shows_participants_a_short_notice(
    server: BackgroundServer,
    broken_folder: Path,
    caplog: pytest.LogCaptureFixture,
    lang: str,
) -> None:
    client = Client(server)
    with caplog.at_level(logging.WARNING):
        status, page = client.page(f"sheet=broken.yaml&lang={lang}")
    assert status == 400
    assert 'class="tk-page-error"' in page
    assert "broken.yaml" in page  # the name the participant's link gave
    assert "nicht verwendbar" in page  # German ...
    assert "not usable" in page  # ... and English
    for secret in (str(broken_folder), "Traceback", "gas_summry", "line 10", "questions["):
        assert secret not in page
    assert 'class="tk-submit"' not in page
    # the moderator's terminal (the log) has every detail
    assert str(broken_folder / "broken.yaml") in caplog.text
    for needle in ("'txt'", "'gas_summry'", "'q9'", "'fr'", "duplicate question id"):
        assert needle in caplog.text
    # the next participant gets the same notice; the terminal is not flooded with the details
    with caplog.at_level(logging.WARNING):
        again, page_again = client.page(f"sheet=broken.yaml&lang={lang}")
    assert (again, page_again) == (status, page)
    assert caplog.text.count("'gas_summry'") == 1
    assert "refused again" in caplog.text


def test_the_api_of_a_broken_custom_template_answers_with_the_notice(
    server: BackgroundServer, broken_folder: Path
) -> None:
    client = Client(server)
    status, _page = client.page("sheet=broken.yaml")
    assert status == 400
    status, answer = client.post("open", {"query": "sheet=broken.yaml", "code": "K7M4QX"})
    assert status == 400
    assert answer["ok"] is False
    assert "not usable" in answer["error"]
    assert str(broken_folder) not in str(answer)
    assert "gas_summry" not in str(answer)
