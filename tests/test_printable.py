"""Printable sheets show every question of every built-in template, in both languages."""

from __future__ import annotations

import pytest

from transferkit.printable import template_to_html, template_to_text
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
