"""The web sheet page rendered from templates (no server): every question type, every built-in template."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from transferkit.sheets.query import parse_query
from transferkit.sheets.session import SheetSession
from transferkit.sheets.web.render import (
    condition_config,
    css_id,
    error_page,
    page_config,
    render_form,
    render_page,
    render_question,
)
from transferkit.templates import list_templates, load_template, load_template_string
from transferkit.templates.model import Condition

ALL_TYPES = """
id: all_types
version: 1
title: {de: "Alle <Typen>", en: "All <types>"}
intro: {de: "Einführung & mehr", en: "Intro & more"}
questions:
  - id: name
    type: text
    label: {de: "Team <script>alert(1)</script>", en: "Team <script>alert(1)</script>"}
    help: {de: "Hilfe & \\"Zitat\\"", en: "Help & \\"quote\\""}
    placeholder: {de: "z. B. Vertrieb", en: "e.g. sales"}
  - id: story
    type: long_text
    one_per_line: true
    required: false
    label: {de: Geschichte, en: Story}
  - id: role
    type: single_choice
    label: {de: Rolle, en: Role}
    options:
      - {value: a.b, label: {de: "A <b>fett</b>", en: "A <b>bold</b>"}, help: {de: Hinweis, en: Hint}}
      - {value: other, label: {de: Andere, en: Other}}
  - id: role_other
    type: text
    show_if: {question: role, equals: other}
    label: {de: "Welche?", en: "Which?"}
  - id: formats
    type: multi_choice
    label: {de: Formate, en: Formats}
    options:
      - {value: micro, label: {de: Micro, en: Micro}}
      - {value: tandem, label: {de: Tandem, en: Tandem}}
  - id: rating
    type: likert
    label: {de: Bewertung, en: Rating}
    points:
      - {value: 1, label: {de: schlecht, en: bad}}
      - {value: 2, label: {de: "2", en: "2"}}
      - {value: 3, label: {de: mittel, en: medium}}
      - {value: 4, label: {de: gut, en: good}}
  - id: recommend
    type: scale
    min: 0
    max: 10
    min_label: {de: nie, en: never}
    max_label: {de: sicher, en: surely}
    label: {de: Empfehlung, en: Recommendation}
  - id: share
    type: scale
    min: 0
    max: 1
    step: 0.25
    required: false
    label: {de: Anteil, en: Share}
  - id: minutes
    type: number
    integer: true
    min: 0
    max: 600
    unit: {de: Minuten, en: minutes}
    label: {de: Minuten, en: Minutes}
  - id: order
    type: ranking
    top_n: 2
    label: {de: Reihenfolge, en: Order}
    options:
      - {value: x, label: {de: X, en: X}}
      - {value: y, label: {de: Y, en: Y}}
      - {value: z, label: {de: Z, en: Z}}
  - id: vote
    type: dot_vote
    budget: 3
    max_per_item: 2
    label: {de: Punkte, en: Points}
    options:
      - {value: p, label: {de: P, en: P}}
      - {value: q, label: {de: Q, en: Q}}
  - id: actions
    type: action_items
    required: false
    label: {de: Maßnahmen, en: Actions}
  - id: goals
    type: gas_goal
    min_goals: 2
    label: {de: Ziele, en: Goals}
"""


class _Tags(HTMLParser):
    """Collects start tags (name, attrs) and checks that the document parses."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _classes(page: str) -> list[str]:
    return [c for _tag, attrs in _tags(page) for c in (attrs.get("class") or "").split()]


def _session(query: str, template: Any = None) -> SheetSession:
    request = parse_query(query)
    template = template or load_template(request.template or "")
    return SheetSession(template, request, store=None)


def _page(query: str, template: Any = None, code: str | None = "K7M4QX") -> str:
    return render_page(_session(query, template), api="/sheet/api/", code=code)


def _config(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="tk-config">(.*?)</script>', page, re.DOTALL
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


@pytest.fixture(scope="module")
def all_types() -> Any:
    return load_template_string(ALL_TYPES)


def test_every_question_type_is_rendered(all_types: Any) -> None:
    assert {q.type for q in all_types.questions} == {
        "text",
        "long_text",
        "single_choice",
        "multi_choice",
        "likert",
        "scale",
        "number",
        "ranking",
        "dot_vote",
        "action_items",
        "gas_goal",
    }
    page = _page("sheet=all_types", all_types)
    classes = _classes(page)
    for q in all_types.questions:
        assert classes.count(f"tk-q-{q.id}") == 1, q.id
    box = {q.id: render_question(q, "de") for q in all_types.questions}
    assert box["name"].count('<input type="text"') == 1
    assert 'placeholder="z. B. Vertrieb"' in box["name"]
    assert box["story"].count("<textarea") == 1
    assert box["role"].count('type="radio"') == 2
    assert "tk-opt-a_b" in box["role"]
    assert 'value="a.b"' in box["role"]
    assert "Hinweis" in box["role"]
    assert box["formats"].count('type="checkbox"') == 2
    assert "tk-opt-tandem" in box["formats"]
    assert box["rating"].count('type="radio"') == 4
    assert "1 – schlecht" in box["rating"]
    assert "2 – 2" not in box["rating"]
    assert box["recommend"].count('class="tk-scale-btn"') == 11
    assert "0 = nie … 10 = sicher" in box["recommend"]
    assert "tk-scale-btn" not in box["share"]
    assert 'inputmode="decimal"' in box["share"]
    assert box["minutes"].count("<input") == 1
    assert 'placeholder="0 … 600 Minuten"' in box["minutes"]
    assert box["order"].count('class="tk-rank"') == 3
    assert box["order"].count('<option value="2">') == 3
    assert '<option value="3">' not in box["order"]
    assert box["vote"].count("tk-vote-plus") == 2
    assert "tk-opt-q" in box["vote"]
    assert "Noch <b>3</b> von 3 Punkten" in box["vote"]
    assert "tk-add-row" in box["actions"]
    assert "tk-field-due" in box["actions"]
    # dates are typed in the page's format (a native date input shows the browser's, mm/dd/yyyy)
    assert 'type="date"' not in box["actions"]
    assert 'placeholder="TT.MM.JJJJ"' in box["actions"]
    rows = box["goals"].split('<div class="tk-rows">')[1]
    assert rows.count('class="tk-item-row"') == 2  # min_goals rows are there from the start
    assert rows.count('class="tk-field-level"') == 10
    for q in all_types.questions:
        assert 'class="tk-error" hidden' in box[q.id]


def test_script_config_describes_the_questions(all_types: Any) -> None:
    config = _config(_page("sheet=all_types&pilot=P01&loop=2", all_types))
    assert config["query"] == "sheet=all_types&pilot=P01&loop=2"
    assert config["api"] == "/sheet/api/"
    assert config["code"] == "K7M4QX"
    q = {item["id"]: item for item in config["questions"]}
    assert [item["id"] for item in config["questions"]] == [x.id for x in all_types.questions]
    assert q["story"]["one_per_line"] is True
    assert q["recommend"]["buttons"] is True
    assert q["share"]["buttons"] is False
    assert q["order"]["n"] == 2
    assert (q["vote"]["budget"], q["vote"]["cap"], q["vote"]["source"]) == (3, 2, "options")
    assert q["role_other"]["show_if"] == {
        "question": "role",
        "op": "equals",
        "targets": ["other"],
        "answered": False,
    }
    assert config["texts"]["submit"] == "Absenden"


def test_everything_is_escaped() -> None:
    template = load_template_string(
        ALL_TYPES
        + """  - id: b
    type: text
    required: false
    label: {de: b, en: b}
    show_if: {question: name, equals: "</script><script>alert(2)</script>"}
"""
    )
    page = _page("sheet=all_types", template)
    assert "<script>alert" not in page
    assert "Team &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &lt;b&gt;fett&lt;/b&gt;" in page
    assert "Hilfe &amp; &#34;Zitat&#34;" in page  # markupsafe's entities for " and '
    assert "<title>Alle &lt;Typen&gt;</title>" in page
    assert page.count("<script") == 2  # the config and the page's script, nothing else
    config = _config(page)
    assert config["questions"][-1]["show_if"]["targets"] == ["</script><script>alert(2)</script>"]
    assert 'data-qid="b" hidden>' in page  # hidden until the condition holds


def test_required_marks_and_legend(all_types: Any) -> None:
    page = _page("sheet=all_types", all_types)
    required = [q for q in all_types.questions if q.required]
    assert _classes(page).count("tk-required") == len(required)
    for q in all_types.questions:
        box = render_question(q, "de")
        assert ('class="tk-required"' in box) == q.required
    assert "* Pflichtfeld" in page
    assert "* required" in _page("sheet=all_types&lang=en", all_types)


def test_english(all_types: Any) -> None:
    page = _page("sheet=all_types&lang=en&pilot=P01&loop=3", all_types)
    assert '<html lang="en">' in page
    assert "Recommendation" in page
    assert "Empfehlung" not in page
    assert "Pilot P01 · Loop 3" in page
    assert "<b>3</b> of 3 points left" in page
    assert ">Submit<" in page
    assert _config(page)["texts"]["confirm"].startswith("✔ Thank you!")


def _cases() -> list[tuple[str, str | None]]:
    out = []
    for name in list_templates():
        template = load_template(name)
        out += [(name, phase) for phase in (template.phase_ids() or [None])]
    return out


@pytest.mark.parametrize(("name", "phase"), _cases())
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_builtin_template_renders(name: str, phase: str | None, lang: str) -> None:
    template = load_template(name)
    query = f"sheet={name}&pilot=P01&loop=1&lang={lang}" + (f"&phase={phase}" if phase else "")
    page = _page(query)
    classes = _classes(page)
    questions = template.all_questions(phase)
    for q in questions:
        assert classes.count(f"tk-q-{css_id(q.id)}") == 1, q.id
        assert (
            q.label.get(lang).replace("'", "&#39;").replace('"', "&#34;").split("<")[0][:20] in page
        )
    others = [q for q in template.all_questions() if q not in questions]
    for q in others:
        assert f"tk-q-{css_id(q.id)}" not in classes
    assert classes.count("tk-required") == sum(q.required for q in questions)
    for cls in (
        "tk-sheet",
        "tk-submit",
        "tk-confirm",
        "tk-error-summary",
        "tk-code",
        "tk-code-start",
        "tk-code-generate",
        "tk-code-shown",
    ):
        assert cls in classes, cls
    assert f'<html lang="{lang}">' in page
    assert "tk-page-error" not in _classes(page)
    if phase:
        assert template.phase(phase).title.get(lang) in page
    assert (
        len(page.encode()) < 90_000
    )  # one document for a phone: budget raised from 80 KB for sections, GAS follow-up and data entry (2026-12-02)


def test_show_if_questions_start_hidden() -> None:
    page = render_form(load_template("education_plan"), None, "de")
    assert 'data-qid="competence_1">' in page
    assert 'data-qid="work_process_1" hidden>' in page
    pilot = render_form(load_template("pilot_goals"), None, "de")
    assert 'data-qid="topic_other" hidden>' in pilot


def test_vote_step_has_only_the_vote() -> None:
    page = _page("sheet=round_table&pilot=P01&loop=1&questions=votes")
    assert "tk-q-votes" in page
    assert "tk-q-ideas" not in page
    assert "tk-vote-refresh" in page
    assert [q["id"] for q in _config(page)["questions"]] == ["votes"]
    assert _config(page)["query"] == "sheet=round_table&pilot=P01&loop=1&questions=votes"


def test_code_step_or_form() -> None:
    with_code = _page("sheet=training_feedback")
    assert '<section class="tk-code-step" hidden>' in with_code
    assert '<form class="tk-form" novalidate autocomplete="off">' in with_code
    without = _page("sheet=training_feedback", code=None)
    assert '<section class="tk-code-step">' in without
    assert '<form class="tk-form" novalidate autocomplete="off" hidden>' in without
    assert "Code erzeugen" in without
    assert "<!--" not in without  # no marker left over


@pytest.mark.parametrize(
    ("condition", "targets"),
    [
        (
            {"question": "a", "equals": "Ja "},
            ["Ja "],
        ),  # JSON values as written: the script compares
        ({"question": "a", "equals": 3}, [3]),
        ({"question": "a", "equals": 2.5}, [2.5]),
        ({"question": "a", "equals": True}, [True]),
        ({"question": "a", "not_equals": None}, [None]),
        ({"question": "a", "in": ["x", 1, False]}, ["x", 1, False]),
        ({"question": "a", "answered": True}, []),
    ],
)
def test_condition_config(condition: dict[str, Any], targets: list[Any]) -> None:
    config = condition_config(Condition.model_validate(condition))
    assert config["targets"] == targets
    assert config["op"] == next(
        k for k in ("equals", "not_equals", "in", "answered") if k in condition
    )


def test_error_page_escapes() -> None:
    page = error_page("kaputt <script>x</script>\nzweite Zeile", "en")
    assert 'class="tk-page-error"' in page
    assert "This sheet cannot be opened" in page
    assert "&lt;script&gt;" in page
    assert "<script>x" not in page
    assert "<br>zweite Zeile" in page


def test_page_config_has_no_code_in_the_query() -> None:
    session = _session("sheet=training_feedback&pilot=P01&code=K7M4QX")
    config = page_config(session, api="/sheet/api/", code="K7M4QX")
    assert "code=" not in config["query"]
