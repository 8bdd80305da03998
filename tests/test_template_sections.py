"""Sections of a template: model, validation (every problem with its line), the default section."""

from __future__ import annotations

import pytest

from transferkit.exceptions import TemplateError
from transferkit.templates import load_template, load_template_string
from transferkit.templates.sections import DEFAULT_SECTION_ID, sheet_sections

HEAD = """\
id: sec
version: 1
title: {de: Abschnitte, en: Sections}
"""

QUESTIONS = """\
questions:
  - {id: topic, type: single_choice, label: {de: Thema, en: Topic},
     options: [{value: ai, label: {de: KI, en: AI}}, {value: other, label: {de: Sonstiges, en: Other}}]}
  - {id: topic_other, type: text, label: {de: "Welches?", en: "Which?"},
     show_if: {question: topic, equals: other}}
  - {id: team, type: text, label: {de: Team, en: Team}}
  - {id: note, type: long_text, required: false, label: {de: Notiz, en: Note}}
"""


def load(sections: str) -> object:
    return load_template_string(HEAD + sections + QUESTIONS, source="sec.yaml")


def problems(sections: str) -> list[str]:
    with pytest.raises(TemplateError) as info:
        load(sections)
    return [f"{p.location}: {p.message}" for p in info.value.problems]


def test_sections_group_questions_in_sheet_order_with_a_default_section_last() -> None:
    t = load(
        "sections:\n"
        "  - {id: b, title: {de: Zwei, en: Two}, questions: [team]}\n"
        "  - {id: a, title: {de: Eins, en: One}, questions: [topic_other, topic]}\n"
    )
    sections = sheet_sections(t)
    assert [(s.id, s.question_ids) for s in sections] == [
        ("b", ["team"]),
        ("a", ["topic", "topic_other"]),  # the order of questions:, not of the list
        (DEFAULT_SECTION_ID, ["note"]),
    ]
    assert sections[-1].title.get("de") == "Weitere Fragen"
    assert sections[0].title.get("en") == "Two"


def test_a_sheet_without_sections_is_one_default_section() -> None:
    t = load("")
    (only,) = sheet_sections(t)
    assert only.id == DEFAULT_SECTION_ID
    assert only.question_ids == ["topic", "topic_other", "team", "note"]


def test_no_default_section_when_every_question_is_listed() -> None:
    t = load(
        "sections:\n"
        "  - {id: a, title: {de: Eins, en: One}, questions: [topic, topic_other]}\n"
        "  - {id: b, title: {de: Zwei, en: Two}, questions: [team, note]}\n"
    )
    assert [s.id for s in sheet_sections(t)] == ["a", "b"]


def test_unknown_and_repeated_ids_are_all_reported_with_lines() -> None:
    found = problems(
        "sections:\n"
        "  - {id: a, title: {de: Eins, en: One}, questions: [topic, tpoic]}\n"
        "  - {id: a, title: {de: Zwei, en: Two}, questions: [topic, team]}\n"
    )
    assert any(
        "sections[0].questions[1] (line 5)" in p and "unknown question 'tpoic'" in p for p in found
    ), found
    assert any(
        "sections[1].questions[0] (line 6)" in p and "already in section 'a'" in p for p in found
    ), found
    assert any("sections[1].id (line 6)" in p and "duplicate section id 'a'" in p for p in found)
    assert len(found) == 3


def test_the_unknown_id_message_lists_the_valid_ids() -> None:
    with pytest.raises(TemplateError) as info:
        load("sections:\n  - {id: a, title: {de: E, en: O}, questions: [nope]}\n")
    (problem,) = info.value.problems
    assert "topic, topic_other, team, note" in problem.hint


def test_show_if_on_a_later_section_is_refused() -> None:
    found = problems(
        "sections:\n"
        "  - {id: first, title: {de: Eins, en: One}, questions: [topic_other]}\n"
        "  - {id: second, title: {de: Zwei, en: Two}, questions: [topic]}\n"
    )
    assert found == [
        (
            "questions[1].show_if.question (line 11): question 'topic_other' (section 'first') "
            "depends on 'topic', which comes in a later section"
        )
    ]


def test_default_section_id_is_reserved_and_titles_need_both_languages() -> None:
    found = problems(
        "sections:\n"
        f"  - {{id: {DEFAULT_SECTION_ID}, title: {{de: Eins, en: One}}, questions: [team]}}\n"
    )
    assert len(found) == 1
    assert found[0].startswith("sections[0].id (line 5)"), found
    found = problems("sections:\n  - {id: b, title: {de: Zwei}, questions: [note]}\n")
    assert found == ["sections[0].title.en (line 5): the English text (en) is missing"]


def test_loop_sections_belong_to_a_phase() -> None:
    text = (
        "id: l\nversion: 1\ntitle: {de: L, en: L}\nkind: loop\n"
        "sections: [{id: a, title: {de: A, en: A}, questions: [x]}]\n"
        "phases:\n"
        "  - id: p1\n    title: {de: P, en: P}\n"
        "    sections: [{id: a, title: {de: A, en: A}, questions: [x, y]}]\n"
        "    questions: [{id: x, type: text, label: {de: X, en: X}}]\n"
    )
    with pytest.raises(TemplateError) as info:
        load_template_string(text, source="l.yaml")
    messages = [p.message for p in info.value.problems]
    assert "a loop has sections per phase" in messages
    assert any("unknown question 'y'" in m for m in messages)


def test_builtin_needs_analysis_has_four_sections_covering_every_question() -> None:
    t = load_template("needs_analysis")
    sections = sheet_sections(t)
    assert [s.id for s in sections] == ["digital", "soft", "sustainability", "formats_time"]
    listed = [qid for s in sections for qid in s.question_ids]
    assert sorted(listed) == sorted(q.id for q in t.questions)
    assert len(listed) == len(set(listed))
    assert all(s.title.get("de") != s.title.get("en") for s in sections)
