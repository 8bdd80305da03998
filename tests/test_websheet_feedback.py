"""Feedback after submitting: computed once (feedback_content), drawn as widgets and as HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from transferkit.exceptions import TemplateError
from transferkit.sheets.feedback import (
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
    assert rows == {"Digital skills": 2.0, "Soft skills": 5.0}  # soft_3 = 1 counts as 5
    assert profile_scores(template, answers) == {"digital": 2.0, "soft": 5.0}
    assert (content.scale_min, content.scale_max) == (1.0, 5.0)  # the items' 1–5 scale
    assert content.chart_label == "mean"


def test_summary_and_phase_feedback() -> None:
    template = load_template("training_feedback")
    content = feedback_content(template, {"format": "tandem", "comment": "<b>gut</b>"}, lang="de")
    assert content is not None
    assert content.chart_label is None
    assert not content.has_chart
    assert [r.text for r in content.rows] == [
        "Lernpartnerschaft / Lern-Tandem",  # the option's label, not its value `tandem`
        "<b>gut</b>",
    ]
    html = feedback_html(content)
    assert "&lt;b&gt;gut&lt;/b&gt;" in html
    assert "<b>gut</b>" not in html
    assert "tk-bar" not in html
    loop = load_template("reflection_loop")
    actions = [{"what": "Checkliste", "who": "AB", "due": "2025-03-01", "status": "open"}]
    phase = feedback_content(loop, {"lessons": "x", "actions": actions}, phase="optimierung")
    assert phase is not None
    assert phase.kind == "action_summary"
    assert "Checkliste – wer: AB, bis: 2025-03-01 (offen)" in feedback_html(phase)


def test_no_feedback() -> None:
    template = load_template_string(
        "id: mini\nversion: 1\ntitle: {de: M, en: M}\nquestions:\n"
        "  - {id: a, type: text, label: {de: A, en: A}}\n"
    )
    assert feedback_content(template, {"a": "x"}) is None
    assert feedback_widget(template, {"a": "x"}) is None


def test_html_bars() -> None:
    template = load_template("needs_analysis")
    answers = {
        "imp_ai_use": 5,
        "comp_ai_use": 1,
        "imp_teamwork": 3,
        "comp_teamwork": 2,
        "imp_it_security": 2,
        "comp_it_security": 4,
    }
    content = feedback_content(template, answers, lang="de")
    assert content is not None
    html = feedback_html(content)
    widths = [float(w) for w in re.findall(r'class="tk-bar" style="width:([0-9.]+)%"', html)]
    assert widths == [100.0, 25.0, 0.0]  # gaps 4, 1 and -2 (shown as 0) of 4
    assert 'role="img" aria-label="Lücke (Wichtigkeit − Kenntnisstand)"' in html
    assert html.startswith('<div class="tk-feedback tk-feedback-top_priorities">')


@pytest.mark.parametrize(
    "name", ["needs_analysis", "competence_self_assessment", "training_feedback"]
)
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
    from transferkit.live.screens import PAGE_CSS
    from transferkit.sheets.web.render import asset
    from transferkit.sheets.web.service import SheetService

    assert BAR_CSS in PAGE_CSS  # the Voilà sheet and the moderator screens
    assert ".tk-bar " not in asset("sheet.css")  # one copy: the web page gets BAR_CSS inlined
    service = SheetService("sqlite://")
    try:
        status, page = service.page("sheet=needs_analysis", "/sheet/api/")
    finally:
        service.close()
    assert status == 200
    assert BAR_CSS in page


# --------------------------------------------------------------------------- hostile texts
PAYLOADS = [
    '<img src=x onerror="window.__tk_pwned=1">',
    "<script>window.__tk_pwned=1</script>",
    "<svg onload=window.__tk_pwned=1>",
    '"><b onmouseover=window.__tk_pwned=1>x</b>',
    "[klick](javascript:window.__tk_pwned=1)",
]


class _Parsed(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text = ""
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text += data


def assert_inert(page: str) -> str:
    """Only the feedback's own elements and attributes; returns the visible text."""
    parsed = _Parsed(page)
    for tag, attrs in parsed.elements:
        assert tag in {"div", "h3", "ul", "ol", "li", "b"}, (tag, attrs)
        assert set(attrs) <= {"class", "style", "role", "aria-label"}, (tag, attrs)
        assert re.fullmatch(r"[A-Za-z0-9_ -]+", attrs.get("class", "x")), attrs
        assert re.fullmatch(r"width:[0-9.]+%", attrs.get("style", "width:0%")), attrs
    return parsed.text


def _t(text: str) -> dict[str, str]:
    return {"de": text, "en": text}


def test_summary_of_hostile_answers_and_labels_is_text() -> None:
    import json

    sheet = {
        "id": "hostile",
        "version": 1,
        "title": _t(PAYLOADS[0]),
        "feedback": {"kind": "summary"},
        "questions": [
            {"id": f"q{n}", "type": "text", "label": _t(p)} for n, p in enumerate(PAYLOADS)
        ],
    }
    template = load_template_string(json.dumps(sheet))
    hostile_kind = {**sheet, "feedback": {"kind": '"><img src=x onerror=window.__tk_pwned=1>'}}
    with pytest.raises(TemplateError, match="unknown feedback kind"):  # kinds are a fixed list
        load_template_string(json.dumps(hostile_kind))
    answers = {f"q{n}": p for n, p in enumerate(reversed(PAYLOADS))}
    answers["extra"] = {"nested": PAYLOADS[1]}
    content = feedback_content(template, answers, lang="en")
    assert content is not None
    text = assert_inert(feedback_html(content))
    for payload in PAYLOADS:
        assert text.count(payload) >= 2  # as label and as answer


def test_action_summary_of_hostile_items_is_text() -> None:
    loop = load_template("reflection_loop")
    actions = [
        {"what": p, "who": PAYLOADS[1], "due": PAYLOADS[2], "status": "open"} for p in PAYLOADS
    ]
    content = feedback_content(
        loop, {"lessons": PAYLOADS[3], "actions": actions}, phase="optimierung"
    )
    assert content is not None
    text = assert_inert(feedback_html(content))
    for payload in PAYLOADS:
        assert payload in text


def test_charts_of_hostile_topics_and_scales_are_text() -> None:
    import json

    points = [{"value": v, "label": _t(str(v))} for v in range(1, 6)]
    topics = ["<img src=x onerror=window.__tk_pwned=1>", PAYLOADS[1], PAYLOADS[2]]  # no quotes
    sheet = {
        "id": "hostile_chart",
        "version": 1,
        "title": _t("t"),
        "feedback": {"kind": "top_priorities", "top": 3},
        "questions": [
            q
            for n, p in enumerate(topics)
            for q in (
                {
                    "id": f"imp_t{n}",
                    "type": "likert",
                    "points": points,
                    "label": _t(f"Wie wichtig ist „{p}“?"),
                },
                {
                    "id": f"comp_t{n}",
                    "type": "likert",
                    "points": points,
                    "label": _t(f"Wie gut können Sie „{p}“?"),
                },
            )
        ],
    }
    template = load_template_string(json.dumps(sheet))
    content = feedback_content(
        template, {"imp_t0": 5, "comp_t0": 1, "imp_t1": 4, "comp_t1": 2, "imp_t2": 3, "comp_t2": 1}
    )
    assert content is not None
    assert content.has_chart
    text = assert_inert(feedback_html(content))
    for topic in topics:
        assert text.count(topic) == 2  # in the list and on the bar


def test_bars_escape_labels_and_axis() -> None:
    from transferkit.sheets.feedback import bars_html

    page = bars_html([(p, 1.0) for p in PAYLOADS], axis=PAYLOADS[3])
    text = assert_inert(page)
    for payload in PAYLOADS:
        assert payload in text
    aria = [a["aria-label"] for _, a in _Parsed(page).elements if "aria-label" in a]
    assert aria == [PAYLOADS[3]]
