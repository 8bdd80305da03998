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


#: The elements a printed sheet is made of (nothing that loads or runs anything).
PRINT_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "span",
    "b", "small", "br", "ul", "li", "table", "tr", "th", "td",
}  # fmt: skip


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
    assert {tag for tag, _ in parsed.elements} <= PRINT_TAGS
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


# ------------------------------------------------------------------ paper out (issue 12, item 7)
from transferkit.sheets.printable import condition_text, paper_blocks
from transferkit.templates import load_template_string

CONDITIONS = """
id: cond
version: 1
title: {de: Bedingungen, en: Conditions}
intro: {de: "Bitte in Ruhe ausfüllen.", en: "Please take your time."}
questions:
  - id: topic
    type: single_choice
    label: {de: Thema, en: Topic}
    options:
      - {value: ai, label: {de: KI, en: AI}}
      - {value: other, label: {de: Sonstiges, en: Other}}
  - {id: t_eq, type: text, label: {de: A, en: A}, show_if: {question: topic, equals: other}}
  - {id: t_ne, type: text, label: {de: B, en: B}, show_if: {question: topic, not_equals: ai}}
  - {id: t_in, type: text, label: {de: C, en: C}, show_if: {question: topic, in: [ai, other]}}
  - {id: t_ans, type: text, label: {de: D, en: D}, show_if: {question: topic, answered: true}}
  - {id: t_not, type: text, label: {de: E, en: E}, show_if: {question: topic, answered: false}}
  - id: formats
    type: multi_choice
    label: {de: Formate, en: Formats}
    options: [{value: tandem, label: {de: Lern-Tandem, en: learning tandem}}]
  - {id: t_multi, type: text, label: {de: F, en: F}, show_if: {question: formats, equals: TANDEM}}
  - id: agree
    type: likert
    label: {de: Zustimmung, en: Agreement}
    points:
      - {value: 1, label: {de: trifft nicht zu, en: does not apply}}
      - {value: 2, label: {de: eher nicht, en: hardly}}
      - {value: 3, label: {de: eher, en: largely}}
      - {value: 4, label: {de: trifft voll zu, en: fully applies}}
  - {id: t_lik, type: text, label: {de: G, en: G}, show_if: {question: agree, equals: 4}}
  - id: nps
    type: scale
    min: 0
    max: 10
    min_label: {de: auf keinen Fall, en: not at all}
    max_label: {de: auf jeden Fall, en: extremely likely}
    label: {de: Empfehlung, en: Recommendation}
"""


@pytest.fixture(scope="module")
def conditions() -> Any:
    return load_template_string(CONDITIONS)


@pytest.mark.parametrize(
    ("qid", "de", "en"),
    [
        ("t_eq", "nur wenn »Thema« = »Sonstiges«", "only if “Topic” = “Other”"),
        ("t_ne", "nur wenn »Thema« ≠ »KI«", "only if “Topic” ≠ “AI”"),
        ("t_in", "nur wenn »Thema« = »KI« oder »Sonstiges«", "only if “Topic” = “AI” or “Other”"),
        ("t_ans", "nur wenn »Thema« beantwortet ist", "only if “Topic” is answered"),
        ("t_not", "nur wenn »Thema« nicht beantwortet ist", "only if “Topic” is not answered"),
        (
            "t_multi",
            "nur wenn bei »Formate« »Lern-Tandem« angekreuzt ist",
            "only if “learning tandem” is ticked for “Formats”",
        ),
        (
            "t_lik",
            "nur wenn »Zustimmung« = »4 – trifft voll zu«",
            "only if “Agreement” = “4 – fully applies”",
        ),
    ],
)
def test_conditions_are_printed_in_words(conditions: Any, qid: str, de: str, en: str) -> None:
    cond = conditions.question(qid).show_if
    assert condition_text(cond, conditions, "de") == de
    assert condition_text(cond, conditions, "en") == en
    assert f"[{de}]" in template_to_text(conditions, "de")


def test_the_old_placeholder_condition_is_gone() -> None:
    text = template_to_text(load_template("pilot_goals"), "de")
    assert "[nur wenn „topic“ beantwortet ist]" not in text
    assert "nur wenn »Worum geht es im Pilotprojekt vor allem?« = »anderes«" in text


def test_scale_and_likert_end_labels(conditions: Any) -> None:
    text = template_to_text(conditions, "de")
    assert "1 = trifft nicht zu … 4 = trifft voll zu" in text
    assert "0 = auf keinen Fall … 10 = auf jeden Fall" in text
    page = template_to_html(conditions, "en")
    assert "1 = does not apply … 4 = fully applies" in page
    assert "0 = not at all … 10 = extremely likely" in page
    # the built-in self-assessment: its agreement scale's ends
    assert "1 = trifft gar nicht zu … 5 = trifft voll zu" in template_to_text(
        load_template("competence_self_assessment"), "de"
    )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_intro_is_printed(conditions: Any, lang: str) -> None:
    intro = conditions.intro.get(lang)
    assert intro in template_to_text(conditions, lang)
    assert intro in template_to_html(conditions, lang)
    needs = load_template("needs_analysis")
    assert needs.intro is not None
    assert needs.intro.get(lang) in template_to_text(needs, lang)


def _gas_tables(page: str) -> list[list[list[str]]]:
    """The GAS tables of a page: rows of cell texts."""

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[list[list[str]]] = []
            self.in_gas = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            cls = dict(attrs).get("class") or ""
            if tag == "table":
                self.in_gas = "gas" in cls.split()
                if self.in_gas:
                    self.tables.append([])
            elif self.in_gas and tag == "tr":
                self.tables[-1].append([])
            elif self.in_gas and tag in ("td", "th"):
                self.tables[-1][-1].append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "table":
                self.in_gas = False

        def handle_data(self, data: str) -> None:
            if self.in_gas and self.tables[-1] and self.tables[-1][-1]:
                self.tables[-1][-1][-1] += data

    parser = Tables()
    parser.feed(page)
    return [[[cell.strip() for cell in row] for row in table] for table in parser.tables]


def test_gas_is_a_goal_table_with_a_row_per_level() -> None:
    template = load_template("pilot_goals")
    tables = _gas_tables(template_to_html(template, "de"))
    assert len(tables) == 3  # three goals on paper; up to five: "weitere auf einem Zusatzblatt"
    for i, table in enumerate(tables, start=1):
        assert table[0][0].startswith(f"Ziel {i}: ")
        assert "Gewicht" in table[0][0]
        assert table[1] == [
            "Stufe",
            "Woran man es erkennt (Beschreibung der Stufe)",
            "Ausgangsstufe (Beginn)",
            "erreichte Stufe (Ende)",
        ]
        levels = [row[0] for row in table[2:]]
        assert levels == [
            "−2viel schlechter als erwartet",
            "−1etwas schlechter als erwartet",
            "0erwartetes Ergebnis",
            "+1etwas besser als erwartet",
            "+2viel besser als erwartet",
        ]
        assert all(row[1].strip() == "" for row in table[2:])  # room to write
    text = template_to_text(template, "en")
    assert text.count("much worse than expected") == 3
    assert "Up to 5 goals: more on an extra sheet." in text


def test_sections_are_headings_numbered_through() -> None:
    template = load_template("needs_analysis")
    blocks = paper_blocks(template, "de")
    assert [b.title for b in blocks] == [
        "Digitale Schlüsselqualifikationen",
        "Zukunftsrelevante Soft Skills",
        "Nachhaltigkeit",
        "Lernformate und Zeitbudget",
    ]
    numbers = [q.number for b in blocks for q in b.questions]
    assert numbers == list(range(1, len(template.questions) + 1))
    page = template_to_html(template, "de")
    assert page.count("<h2>") == 4
    assert "<h2>Nachhaltigkeit</h2>" in page
    text = template_to_text(template, "de")
    assert "== Lernformate und Zeitbudget ==" in text
    assert text.index("== Nachhaltigkeit ==") < text.index("Ressourcen- und Energieeffizienz")


def test_loop_phases_are_headings() -> None:
    template = load_template("reflection_loop")
    blocks = paper_blocks(template, "en")
    assert [b.title for b in blocks] == [f"Phase: {p.title.en}" for p in template.phases]


def test_a4_print_css() -> None:
    page = template_to_html(load_template("pilot_goals"), "de")
    assert "@page { size: A4;" in page
    assert "break-inside: avoid" in page
