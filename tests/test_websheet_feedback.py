"""Feedback after submitting: computed once (feedback_content), drawn as widgets and as HTML."""

from __future__ import annotations

import re

import pytest

from transferkit.feedback import (
    BAR_CSS,
    FeedbackContent,
    feedback_content,
    feedback_html,
    feedback_widget,
    profile_scores,
)
from transferkit.templates import load_template, load_template_string


def test_top_priorities_content() -> None:
    template = load_template("needs_analysis")
    answers = template.example_answers(seed=1)
    answers.update(imp_ai_use=5, comp_ai_use=1, imp_it_security=5, comp_it_security=2)
    content = feedback_content(template, answers, lang="de")
    assert content is not None
    assert content.kind == "top_priorities"
    assert content.ordered
    assert content.title == "Ihre wichtigsten Lernfelder"
    assert len(content.rows) == 3
    assert content.rows[0].label == "Künstliche Intelligenz (KI) sinnvoll einsetzen"
    assert content.rows[0].text == "Wichtigkeit 5, Kenntnisstand 1 (+4)"
    assert content.rows[0].value == 4.0
    assert [r.value for r in content.rows] == sorted((r.value for r in content.rows), reverse=True)
    assert content.scale_max == 4.0
    en = feedback_content(template, answers, lang="en")
    assert en is not None
    assert en.rows[0].label == "using artificial intelligence (AI) well"
    assert en.chart_label == "gap (importance − competence)"


def test_profile_content_turns_reverse_keyed_items() -> None:
    template = load_template("competence_self_assessment")
    answers = {"measurement": "pre", "soft_1": 5, "soft_2": 5, "soft_3": 1, "soft_4": 5, "dig_1": 2}
    content = feedback_content(template, answers, lang="en")
    assert content is not None
    assert content.kind == "profile"
    rows = {r.label: r.value for r in content.rows}
    assert rows == {"digital": 2.0, "soft": 5.0}  # soft_3 = 1 counts as 5
    assert rows == profile_scores(template, answers)
    assert content.scale_max == 5.0
    assert content.chart_label == "mean"


def test_summary_and_phase_feedback() -> None:
    template = load_template("training_feedback")
    content = feedback_content(template, {"format": "tandem", "comment": "<b>gut</b>"}, lang="de")
    assert content is not None
    assert content.chart_label is None
    assert not content.has_chart
    assert [r.text for r in content.rows] == ["tandem", "<b>gut</b>"]
    html = feedback_html(content)
    assert "&lt;b&gt;gut&lt;/b&gt;" in html
    assert "<b>gut</b>" not in html
    assert "tk-bar" not in html
    loop = load_template("reflection_loop")
    actions = [{"what": "Checkliste", "who": "AB", "due": "2025-03-01", "status": "open"}]
    phase = feedback_content(loop, {"lessons": "x", "actions": actions}, phase="optimierung")
    assert phase is not None
    assert phase.kind == "action_summary"
    assert "Checkliste / AB / 2025-03-01" in feedback_html(phase)


def test_no_feedback() -> None:
    template = load_template_string(
        "id: mini\nversion: 1\ntitle: {de: M, en: M}\nquestions:\n"
        "  - {id: a, type: text, label: {de: A, en: A}}\n"
    )
    assert feedback_content(template, {"a": "x"}) is None
    assert feedback_widget(template, {"a": "x"}) is None


def test_html_bars() -> None:
    template = load_template("needs_analysis")
    answers = {"imp_ai_use": 5, "comp_ai_use": 1, "imp_teamwork": 3, "comp_teamwork": 2,
               "imp_it_security": 2, "comp_it_security": 4}
    content = feedback_content(template, answers, lang="de")
    assert content is not None
    html = feedback_html(content)
    widths = [float(w) for w in re.findall(r'class="tk-bar" style="width:([0-9.]+)%"', html)]
    assert widths == [100.0, 25.0, 0.0]  # gaps 4, 1 and -2 (shown as 0) of 4
    assert 'role="img" aria-label="Lücke (Wichtigkeit − Kenntnisstand)"' in html
    assert html.startswith('<div class="tk-feedback tk-feedback-top_priorities">')


@pytest.mark.parametrize("name", ["needs_analysis", "competence_self_assessment", "training_feedback"])
def test_widget_and_html_show_the_same(name: str) -> None:
    template = load_template(name)
    answers = template.validate(template.example_answers(seed=5))
    content = feedback_content(template, answers, lang="de")
    assert isinstance(content, FeedbackContent)
    widget = feedback_widget(template, answers, lang="de")
    assert "tk-feedback-panel" in widget._dom_classes
    assert widget.value == feedback_html(content)  # drawn once, shown by both sheets
    assert ('class="tk-bar"' in widget.value) == content.has_chart


def test_page_styles_of_both_sheets_draw_the_bars() -> None:
    from transferkit.sheets import PAGE_CSS
    from transferkit.websheet.render import asset
    from transferkit.websheet.service import SheetService

    assert BAR_CSS in PAGE_CSS  # the Voilà sheet and the moderator screens
    assert ".tk-bar " not in asset("sheet.css")  # one copy: the web page gets BAR_CSS inlined
    service = SheetService("sqlite://")
    try:
        status, page = service.page("template=needs_analysis", "/sheet/api/")
    finally:
        service.close()
    assert status == 200
    assert BAR_CSS in page
