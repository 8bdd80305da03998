"""Printable sheets show every question of every built-in template, in both languages."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest

from transferkit.sheets.printable import PAGE_POLICY, template_to_html, template_to_text
from transferkit.templates import list_templates, load_template


@pytest.mark.parametrize("name", list_templates())
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_question_is_printed(name: str, lang: str) -> None:
    template = load_template(name)
    text = template_to_text(template, lang=lang)
    for question in template.all_questions():
        assert question.label.get(lang) in text
    numbered = [ln for ln in text.splitlines() if ln.split(".", 1)[0].isdigit()]
    assert len(numbered) == len(template.all_questions())


def test_required_and_optional_are_marked() -> None:
    template = load_template("needs_analysis")
    text = template_to_text(template, lang="en")
    optional = [q for q in template.all_questions() if not q.required]
    assert optional, "needs_analysis has an optional question"
    assert f"{optional[0].label.en} (optional)" in text


def test_html_escapes_and_names_language() -> None:
    page = template_to_html(load_template("round_table"), lang="en")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<script" not in page


# ------------------------------------------------------------------ hostile texts
PAYLOAD = (
    '</pre></title><img src=x onerror="window.__tk_pwned=1">'
    "<script>window.__tk_pwned=1</script>[l](javascript:window.__tk_pwned=1)"
)


def _texts(text: str) -> dict[str, str]:
    return {"de": f"{text} de", "en": f"{text} en"}


def hostile_template() -> Any:
    """A custom template (texts written by a moderator, but from anyone) full of markup."""
    from transferkit.templates import load_template_string

    sheet = {
        "id": "hostile",
        "version": 1,
        "kind": "sheet",
        "title": _texts(PAYLOAD),
        "description": _texts(PAYLOAD),
        "intro": _texts(PAYLOAD),
        "questions": [
            {
                "id": "a",
                "type": "single_choice",
                "label": _texts(PAYLOAD),
                "help": _texts(PAYLOAD),
                "options": [
                    {"value": "x", "label": _texts(PAYLOAD)},
                    {"value": "y", "label": _texts("<svg onload=window.__tk_pwned=1>")},
                ],
            },
            {
                "id": "b",
                "type": "likert",
                "label": _texts(PAYLOAD),
                "points": [{"value": i, "label": _texts(PAYLOAD)} for i in range(1, 6)],
            },
            {
                "id": "c",
                "type": "long_text",
                "label": _texts(PAYLOAD),
                "required": False,
                "show_if": {"question": "a", "equals": "x"},
            },
            {
                "id": "d",
                "type": "dot_vote",
                "source": "options",
                "budget": 3,
                "required": False,
                "label": _texts(PAYLOAD),
                "options": [{"value": "o1", "label": _texts(PAYLOAD)}],
            },
        ],
    }
    return load_template_string(json.dumps(sheet))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text += data


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_hostile_custom_template_prints_as_text(lang: str) -> None:
    template = hostile_template()
    page = template_to_html(template, lang=lang)
    parsed = _Tags()
    parsed.feed(page)
    assert {tag for tag, _ in parsed.elements} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "pre",
    }
    assert [tag for tag, _ in parsed.elements if tag == "pre"] == ["pre"]
    assert not [a for _, attrs in parsed.elements for a in attrs if a.startswith("on")]
    assert parsed.text.count(f"{PAYLOAD} {lang}") >= 10  # title, description, labels, options
    assert "<svg onload=window.__tk_pwned=1>" in parsed.text
    assert template_to_text(template, lang=lang).count(PAYLOAD) >= 10  # plain text unchanged
    policies = [
        attrs["content"]
        for tag, attrs in parsed.elements
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [PAGE_POLICY]
    assert PAGE_POLICY.startswith("default-src 'none';")
    assert "script-src" not in PAGE_POLICY  # no script: default-src 'none' applies


def test_the_language_attribute_is_one_of_the_two_languages() -> None:
    page = template_to_html(load_template("round_table"), lang='en" onload="window.__tk_pwned=1')
    assert '<html lang="de">' in page  # any other language is German (LocalizedText.get)
    assert "onload" not in page
