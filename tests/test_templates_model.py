"""Template models and answer validation: every question type, constraints, show_if."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from transferkit.exceptions import AnswerValidationError, TemplateError
from transferkit.templates import (
    LikertQuestion,
    LocalizedText,
    Question,
    Template,
    load_template_string,
)

LIKERT5 = """[
      {value: 1, label: {de: gar nicht, en: not at all}},
      {value: 2, label: {de: wenig, en: a little}},
      {value: 3, label: {de: mittel, en: moderately}},
      {value: 4, label: {de: ziemlich, en: quite}},
      {value: 5, label: {de: sehr, en: very}}]"""

OPTS = """[
      {value: a, label: {de: Alpha, en: Alpha}},
      {value: b, label: {de: Beta, en: Beta}},
      {value: c, label: {de: Gamma, en: Gamma}}]"""


def sheet(questions_yaml: str) -> Template:
    """A sheet template with the given (indented) questions."""
    text = f"""
id: t
version: 1
title: {{de: Test, en: Test}}
questions:
{questions_yaml}
"""
    return load_template_string(text)


def one(qtype: str, extra: str = "", *, required: bool = True) -> Template:
    return sheet(
        f"""  - id: q
    type: {qtype}
    required: {str(required).lower()}
    label: {{de: "Wie wichtig ist das?", en: "How important is it?"}}
{extra}"""
    )


def problems(template: Template, answers: Any, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(AnswerValidationError) as info:
        template.validate(answers, **kw)
    return [(p.question_id, p.code) for p in info.value.problems]


# --- basics -------------------------------------------------------------------------


def test_localized_text_get() -> None:
    text = LocalizedText(de="Ja", en="Yes")
    assert text.get("de") == "Ja"
    assert text.get("en") == "Yes"
    assert text.get("fr") == "Ja"
    assert str(text) == "Ja"


def test_required_message_names_label_in_both_languages() -> None:
    t = one("text")
    with pytest.raises(AnswerValidationError) as info:
        t.validate({})
    (p,) = info.value.problems
    assert p.code == "required"
    assert p.message_de == "Bitte beantworten Sie die Frage „Wie wichtig ist das?“."
    assert p.message_en == 'Please answer the question "How important is it?".'
    assert "Wie wichtig ist das?" in str(info.value)
    assert info.value.template_id == "t"


@pytest.mark.parametrize("empty", ["", "   ", None, [], {}])
def test_required_empty_values(empty: Any) -> None:
    assert problems(one("text"), {"q": empty}) == [("q", "required")]


def test_optional_empty_is_dropped() -> None:
    assert one("text", required=False).validate({"q": "  "}) == {}


@pytest.mark.parametrize("answers", [None, [], "q", 3, ("q", 1)])
def test_non_dict_answers(answers: Any) -> None:
    assert problems(one("text"), answers) == [("*", "not_a_dict")]


def test_unknown_question_ids_are_problems() -> None:
    t = one("text")
    assert problems(t, {"q": "x", "zz": 1, 5: 2}) == [
        ("zz", "unknown_question"),
        ("5", "unknown_question"),
    ]


def test_all_problems_are_listed() -> None:
    t = sheet(
        f"""  - {{id: a, type: text, label: {{de: "A?", en: "A?"}}}}
  - {{id: b, type: likert, label: {{de: "B?", en: "B?"}}, points: {LIKERT5}}}
  - {{id: c, type: number, min: 0, max: 10, label: {{de: "C?", en: "C?"}}}}"""
    )
    assert problems(t, {"b": 9, "c": 11}) == [
        ("a", "required"),
        ("b", "invalid_point"),
        ("c", "out_of_range"),
    ]


# --- text -----------------------------------------------------------------------------


def test_text_strip_and_lengths() -> None:
    t = one("text", "    min_length: 3\n    max_length: 5")
    assert t.validate({"q": "  abc  "}) == {"q": "abc"}
    assert problems(t, {"q": "ab"}) == [("q", "too_short")]
    assert problems(t, {"q": "abcdef"}) == [("q", "too_long")]
    assert problems(t, {"q": 3}) == [("q", "wrong_type")]


def test_text_collapses_whitespace_long_text_keeps_lines() -> None:
    assert one("text").validate({"q": "a \n b"}) == {"q": "a b"}
    t = one("long_text", "    one_per_line: true")
    assert t.validate({"q": " eins\r\nzwei \n"}) == {"q": "eins\nzwei"}
    assert t.validate({"q": ["eins", " ", "zwei"]}) == {"q": "eins\nzwei"}
    assert problems(t, {"q": ["eins", 2]}) == [("q", "wrong_type")]


# --- choices --------------------------------------------------------------------------


def test_single_choice() -> None:
    t = one("single_choice", f"    options: {OPTS}")
    assert t.validate({"q": " b "}) == {"q": "b"}
    assert problems(t, {"q": "x"}) == [("q", "invalid_option")]
    assert problems(t, {"q": ["a"]}) == [("q", "invalid_option")]


def test_single_choice_message_lists_options() -> None:
    t = one("single_choice", f"    options: {OPTS}")
    with pytest.raises(AnswerValidationError) as info:
        t.validate({"q": "x"})
    p = info.value.problems[0]
    assert "„x“" in p.message_de
    assert "a, b, c" in p.message_de
    assert '"x"' in p.message_en
    assert "Wie wichtig ist das?" in p.message_de


def test_multi_choice() -> None:
    t = one("multi_choice", f"    min_selected: 2\n    max_selected: 2\n    options: {OPTS}")
    assert t.validate({"q": ["c", "a"]}) == {"q": ["a", "c"]}  # option order
    assert t.validate({"q": ("a", "b")}) == {"q": ["a", "b"]}
    assert problems(t, {"q": ["a"]}) == [("q", "too_few")]
    assert problems(t, {"q": ["a", "b", "c"]}) == [("q", "too_many")]
    assert problems(t, {"q": ["a", "a"]}) == [("q", "duplicate")]
    assert problems(t, {"q": ["a", "x"]}) == [("q", "invalid_option")]
    assert problems(t, {"q": {"a": 1}}) == [("q", "wrong_type")]


def test_multi_choice_single_string_is_one_selection() -> None:
    t = one("multi_choice", f"    options: {OPTS}")
    assert t.validate({"q": "b"}) == {"q": ["b"]}


# --- likert -----------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "clean"), [(3, 3), ("3", 3), (" 4 ", 4), (5.0, 5)])
def test_likert_coercion(given: Any, clean: int) -> None:
    assert one("likert", f"    points: {LIKERT5}").validate({"q": given}) == {"q": clean}


@pytest.mark.parametrize("bad", [0, 6, 3.5, "drei", True, [3], "3.5"])
def test_likert_invalid(bad: Any) -> None:
    assert problems(one("likert", f"    points: {LIKERT5}"), {"q": bad}) == [("q", "invalid_point")]


def test_likert_reverse_and_metadata() -> None:
    t = one(
        "likert", f"    reverse: true\n    area: soft\n    scale_group: soft\n    points: {LIKERT5}"
    )
    q = t.questions[0]
    assert isinstance(q, LikertQuestion)
    assert isinstance(q, Question)
    assert (q.reverse, q.area, q.scale_group, q.point_values()) == (
        True,
        "soft",
        "soft",
        [1, 2, 3, 4, 5],
    )


@pytest.mark.parametrize("n", [4, 5, 6, 7, 10])
def test_likert_point_counts_allowed(n: int) -> None:
    points = ", ".join(f"{{value: {i}, label: {{de: p{i}, en: p{i}}}}}" for i in range(n))
    assert one("likert", f"    points: [{points}]").questions[0].type == "likert"


@pytest.mark.parametrize("n", [0, 1, 2, 3, 8, 9, 11])
def test_likert_point_counts_rejected(n: int) -> None:
    points = ", ".join(f"{{value: {i}, label: {{de: p{i}, en: p{i}}}}}" for i in range(n))
    with pytest.raises(TemplateError) as info:
        one("likert", f"    points: [{points}]")
    assert f"you gave {n}" in str(info.value)
    assert "questions[0].points" in str(info.value)


# --- scale and number ---------------------------------------------------------------------


def test_scale_integer() -> None:
    t = one("scale", "    min: 0\n    max: 10")
    assert t.validate({"q": "7"}) == {"q": 7}
    assert t.validate({"q": 7.0}) == {"q": 7}
    assert isinstance(t.validate({"q": 7.0})["q"], int)
    assert problems(t, {"q": 11}) == [("q", "out_of_range")]
    assert problems(t, {"q": -1}) == [("q", "out_of_range")]
    assert problems(t, {"q": 2.5}) == [("q", "step")]
    assert problems(t, {"q": "viel"}) == [("q", "not_a_number")]
    assert problems(t, {"q": float("nan")}) == [("q", "not_a_number")]
    assert t.validate({"q": 0}) == {"q": 0}  # 0 is an answer, not empty


def test_scale_float_steps() -> None:
    t = one("scale", "    min: 0\n    max: 1\n    step: 0.25")
    assert t.validate({"q": "0,75"}) == {"q": 0.75}
    assert isinstance(t.validate({"q": 1})["q"], float)
    assert problems(t, {"q": 0.3}) == [("q", "step")]


def test_scale_template_errors() -> None:
    with pytest.raises(TemplateError, match="below max"):
        one("scale", "    min: 5\n    max: 5")
    with pytest.raises(TemplateError, match="does not divide"):
        one("scale", "    min: 0\n    max: 1\n    step: 0.3")


def test_number() -> None:
    t = one("number", "    min: 0\n    max: 600\n    integer: true")
    assert t.validate({"q": "90"}) == {"q": 90}
    assert t.validate({"q": 90.0}) == {"q": 90}
    assert problems(t, {"q": 90.5}) == [("q", "not_integer")]
    assert problems(t, {"q": 601}) == [("q", "out_of_range")]
    assert problems(t, {"q": True}) == [("q", "not_a_number")]
    free = one("number")
    assert free.validate({"q": "2,5"}) == {"q": 2.5}
    assert free.validate({"q": -3}) == {"q": -3}


def test_number_range_message_german_decimal_comma() -> None:
    t = one("number", "    min: 0.5\n    max: 2.5")
    with pytest.raises(AnswerValidationError) as info:
        t.validate({"q": 3})
    p = info.value.problems[0]
    assert "zwischen 0,5 und 2,5" in p.message_de
    assert "between 0.5 and 2.5" in p.message_en


# --- ranking -----------------------------------------------------------------------------


def test_ranking_permutation() -> None:
    t = one("ranking", f"    options: {OPTS}")
    assert t.validate({"q": ["c", "a", "b"]}) == {"q": ["c", "a", "b"]}
    assert problems(t, {"q": ["c", "a"]}) == [("q", "incomplete_ranking")]
    assert problems(t, {"q": ["c", "a", "a"]}) == [("q", "duplicate")]
    assert problems(t, {"q": ["c", "a", "x"]}) == [("q", "invalid_option")]
    assert problems(t, {"q": {"a", "b", "c"}}) == [("q", "wrong_type")]
    assert problems(t, {"q": "abc"}) == [("q", "wrong_type")]


def test_ranking_top_n() -> None:
    t = one("ranking", f"    top_n: 2\n    options: {OPTS}")
    assert t.validate({"q": ["b", "a"]}) == {"q": ["b", "a"]}
    assert problems(t, {"q": ["b", "a", "c"]}) == [("q", "incomplete_ranking")]


# --- dot vote ----------------------------------------------------------------------------


def test_dot_vote_options() -> None:
    t = one("dot_vote", f"    budget: 5\n    max_per_item: 3\n    options: {OPTS}")
    assert t.validate({"q": {"a": 3, "b": "2"}}) == {"q": {"a": 3, "b": 2}}
    assert t.validate({"q": {"a": 0}}) == {"q": {"a": 0}}
    assert problems(t, {"q": {"a": 3, "b": 3}}) == [("q", "over_budget")]
    assert problems(t, {"q": {"a": 4}}) == [("q", "too_many_points")]
    assert problems(t, {"q": {"a": -1}}) == [("q", "invalid_points")]
    assert problems(t, {"q": {"a": 1.5}}) == [("q", "invalid_points")]
    assert problems(t, {"q": {"x": 1}}) == [("q", "invalid_option")]
    assert problems(t, {"q": ["a"]}) == [("q", "wrong_type")]


def test_dot_vote_ideas_accepts_any_idea_id() -> None:
    t = sheet(
        """  - {id: ideas, type: long_text, one_per_line: true, label: {de: Ideen, en: Ideas}}
  - id: votes
    type: dot_vote
    source: ideas
    ideas_from: ideas
    budget: 3
    label: {de: Punkte, en: Points}"""
    )
    clean = t.validate({"ideas": "A\nB", "votes": {"idea-7f3a": 2, "P01:2": 1}})
    assert clean["votes"] == {"idea-7f3a": 2, "P01:2": 1}
    assert problems(t, {"ideas": "A", "votes": {"": 1}}) == [("votes", "invalid_idea")]
    assert problems(t, {"ideas": "A", "votes": {"x": 4}}) == [("votes", "over_budget")]


def test_dot_vote_template_errors() -> None:
    with pytest.raises(TemplateError, match="needs options"):
        one("dot_vote", "    budget: 3")
    with pytest.raises(TemplateError, match="takes no options"):
        one("dot_vote", f"    budget: 3\n    source: ideas\n    options: {OPTS}")
    with pytest.raises(TemplateError, match="ideas_from"):
        one("dot_vote", "    budget: 3\n    source: ideas\n    ideas_from: nothing")


# --- action items ------------------------------------------------------------------------


def test_action_items() -> None:
    t = one("action_items", "    max_items: 2")
    rows = [
        {"what": " Checkliste erstellen ", "who": "AB12", "due": "2025-03-31", "status": "open"},
        {"what": "Wissensrunde", "due": dt.date(2025, 4, 1)},
        {"what": "", "who": "", "due": None},  # empty form row, ignored
    ]
    assert t.validate({"q": rows}) == {
        "q": [
            {"what": "Checkliste erstellen", "who": "AB12", "due": "2025-03-31", "status": "open"},
            {"what": "Wissensrunde", "who": "", "due": "2025-04-01", "status": "open"},
        ]
    }


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"what": "x", "due": "31.3.25"}, "invalid_date"),  # a year of two digits
        ({"what": "x", "due": "31.02.2025"}, "invalid_date"),
        ({"what": "x", "due": "03/31/2025"}, "invalid_date"),
        ({"what": "x", "due": "2025-02-30"}, "invalid_date"),
        ({"what": "x", "status": "erledigt"}, "invalid_status"),
        ({"who": "AB"}, "missing_what"),
        ({"what": "x", "who": 3}, "invalid_who"),
        ({"what": "x", "owner": "AB"}, "unknown_field"),
        ("x", "invalid_row"),
    ],
)
def test_action_item_row_problems(row: Any, code: str) -> None:
    assert problems(one("action_items"), {"q": [row]}) == [("q", code)]


def test_action_item_dates_in_the_german_format_are_understood() -> None:
    """The web sheet asks for TT.MM.JJJJ on a German page; the same rule holds everywhere."""
    t = one("action_items")
    for typed in ("31.03.2025", "31.3.2025", " 1.4.2025 "):
        due = t.validate({"q": [{"what": "x", "due": typed}]})["q"][0]["due"]
        assert due in ("2025-03-31", "2025-04-01"), typed


def test_action_items_counts_and_shape() -> None:
    t = one("action_items", "    min_items: 2\n    max_items: 2")
    row = {"what": "x"}
    assert problems(t, {"q": [row]}) == [("q", "too_few")]
    assert problems(t, {"q": [row] * 3}) == [("q", "too_many")]
    assert problems(t, {"q": "x"}) == [("q", "wrong_type")]
    assert problems(t, {"q": [{"what": ""}]}) == [("q", "required")]


def test_action_item_statuses() -> None:
    t = one("action_items")
    for status in ["open", "done", "carried_over", "dropped"]:
        assert t.validate({"q": [{"what": "x", "status": status}]})["q"][0]["status"] == status


# --- GAS goals ------------------------------------------------------------------------------


def gas_goal(**changes: Any) -> dict[str, Any]:
    goal: dict[str, Any] = {
        "goal": "Ticketsystem im Alltag nutzen",
        "weight": 2,
        "levels": {-2: "nie", -1: "selten", 0: "meist", "+1": "immer", "2": "immer, auch andere"},
        "baseline": -1,
        "follow_up": "1",
    }
    goal.update(changes)
    return goal


def test_gas_goal_clean() -> None:
    t = one("gas_goal", "    max_goals: 3")
    (clean,) = t.validate({"q": [gas_goal()]})["q"]
    assert clean == {
        "goal": "Ticketsystem im Alltag nutzen",
        "weight": 2.0,
        "levels": {
            "-2": "nie",
            "-1": "selten",
            "0": "meist",
            "1": "immer",
            "2": "immer, auch andere",
        },
        "baseline": -1,
        "follow_up": 1,
    }
    no_follow_up = t.validate({"q": [gas_goal(follow_up=None, weight=None)]})["q"][0]
    assert no_follow_up["follow_up"] is None
    assert no_follow_up["weight"] == 1.0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"goal": ""}, "missing_goal"),
        ({"weight": 0}, "invalid_weight"),
        ({"weight": -1}, "invalid_weight"),
        ({"weight": "schwer"}, "invalid_weight"),
        ({"levels": {"-2": "a", "-1": "b", "0": "c", "1": "d"}}, "invalid_levels"),
        ({"levels": {"-2": "a", "-1": "b", "0": "c", "1": "d", "2": ""}}, "invalid_levels"),
        ({"levels": {"-2": "a", "-1": "b", "0": "c", "1": "d", "3": "e"}}, "invalid_levels"),
        ({"levels": ["a", "b", "c", "d", "e"]}, "invalid_levels"),
        ({"baseline": 3}, "invalid_baseline"),
        ({"baseline": None}, "invalid_baseline"),
        ({"follow_up": -3}, "invalid_follow_up"),
        ({"follow_up": 0.5}, "invalid_follow_up"),
        ({"extra": 1}, "unknown_field"),
    ],
)
def test_gas_goal_problems(changes: dict[str, Any], code: str) -> None:
    assert problems(one("gas_goal"), {"q": [gas_goal(**changes)]}) == [("q", code)]


def test_gas_goal_counts_and_follow_up_required() -> None:
    t = one("gas_goal", "    min_goals: 2\n    max_goals: 2\n    follow_up_required: true")
    assert problems(t, {"q": [gas_goal()]}) == [("q", "too_few")]
    assert problems(t, {"q": [gas_goal()] * 3}) == [("q", "too_many")]
    assert problems(t, {"q": [gas_goal(follow_up=None)] * 2}) == [
        ("q", "invalid_follow_up"),
        ("q", "invalid_follow_up"),
    ]


# --- show_if ---------------------------------------------------------------------------------


COND = """  - id: role
    type: single_choice
    label: {de: "Rolle?", en: "Role?"}
    options: [{value: staff, label: {de: Mitarbeitende, en: staff}},
              {value: lead, label: {de: Führungskraft, en: manager}}]
  - id: team_size
    type: number
    label: {de: "Teamgröße?", en: "Team size?"}
    show_if: {question: role, equals: lead}
  - id: reason
    type: text
    label: {de: "Warum?", en: "Why?"}
    show_if: {question: role, not_equals: lead}
  - id: about_team
    type: text
    label: {de: "Team?", en: "Team?"}
    show_if: {question: team_size, in: [5, 6, 7]}
  - id: note
    type: text
    required: false
    label: {de: Notiz, en: Note}
    show_if: {question: role, answered: true}"""


def test_show_if_hides_and_drops() -> None:
    t = sheet(COND)
    staff = t.validate({"role": "staff", "reason": "x", "team_size": "nonsense", "note": "n"})
    assert staff == {"role": "staff", "reason": "x", "note": "n"}
    lead = t.validate({"role": "lead", "team_size": "6", "about_team": "gut"})
    assert lead == {"role": "lead", "team_size": 6, "about_team": "gut"}
    assert problems(t, {"role": "lead"}) == [("team_size", "required")]
    assert problems(t, {"role": "lead", "team_size": 6}) == [("about_team", "required")]
    # role missing: reason shown (not_equals holds for an unanswered question)
    assert problems(t, {}) == [("role", "required"), ("reason", "required")]


def test_show_if_equals_on_multi_choice_means_contains() -> None:
    t = sheet(
        f"""  - {{id: m, type: multi_choice, label: {{de: M, en: M}}, options: {OPTS}}}
  - id: why
    type: text
    label: {{de: "Warum Beta?", en: "Why beta?"}}
    show_if: {{question: m, equals: b}}"""
    )
    assert t.validate({"m": ["a"]}) == {"m": ["a"]}
    assert problems(t, {"m": ["a", "b"]}) == [("why", "required")]


@pytest.mark.parametrize(
    ("cond", "match"),
    [
        ("{question: later, equals: x}", "later question 'later'"),
        ("{question: nowhere, equals: x}", "unknown question 'nowhere'"),
        ("{question: q2, equals: x}", "itself"),
        ("{question: q1}", "exactly one of"),
        ("{question: q1, equals: x, answered: true}", "exactly one of"),
    ],
)
def test_show_if_template_errors(cond: str, match: str) -> None:
    with pytest.raises(TemplateError, match=match) as info:
        sheet(
            f"""  - {{id: q1, type: text, label: {{de: A, en: A}}}}
  - {{id: q2, type: text, label: {{de: B, en: B}}, show_if: {cond}}}
  - {{id: later, type: text, label: {{de: C, en: C}}}}"""
        )
    assert "questions[1]" in str(info.value)


# --- template structure ----------------------------------------------------------------------


def test_duplicate_ids_and_options() -> None:
    with pytest.raises(TemplateError, match="duplicate question id 'a'"):
        sheet(
            """  - {id: a, type: text, label: {de: A, en: A}}
  - {id: a, type: text, label: {de: B, en: B}}"""
        )
    with pytest.raises(TemplateError, match="duplicate option value 'a'"):
        one(
            "single_choice",
            "    options: [{value: a, label: {de: A, en: A}}, {value: a, label: {de: B, en: B}}]",
        )


def test_loop_access_and_phase_validation() -> None:
    t = load_template_string(
        """
id: mini_loop
version: 2
title: {de: Schleife, en: Loop}
phases:
  - id: one
    title: {de: Eins, en: One}
    questions: [{id: a, type: text, label: {de: "A?", en: "A?"}}]
  - id: two
    title: {de: Zwei, en: Two}
    questions: [{id: b, type: text, label: {de: "B?", en: "B?"}}]
"""
    )
    assert t.kind == "loop"
    assert t.version == 2
    assert t.phase_ids() == ["one", "two"]
    assert [q.id for q in t.all_questions()] == ["a", "b"]
    assert [q.id for q in t.all_questions("two")] == ["b"]
    assert t.validate({"b": "x"}, phase="two") == {"b": "x"}
    assert problems(t, {"a": "x", "b": "y"}, phase="two") == [("a", "unknown_question")]
    assert problems(t, {"a": "x"}) == [("b", "required")]
    with pytest.raises(TemplateError, match="no phase 'three'"):
        t.validate({}, phase="three")
    assert t.phase_of("b") == "two"
    assert t.question("a").label.en == "A?"


def test_sheet_and_loop_shape_errors() -> None:
    with pytest.raises(TemplateError, match="has phases"):
        load_template_string(
            "id: x\nversion: 1\nkind: loop\ntitle: {de: a, en: a}\n"
            "questions: [{id: a, type: text, label: {de: A, en: A}}]\n"
        )
    with pytest.raises(TemplateError, match="at least one question"):
        load_template_string("id: x\nversion: 1\ntitle: {de: a, en: a}\n")
    with pytest.raises(TemplateError, match="has no phases"):
        one("text").all_questions("x")


def test_feedback_params() -> None:
    t = load_template_string(
        "id: x\nversion: 1\ntitle: {de: a, en: a}\nfeedback: {kind: top_priorities, top: 3}\n"
        "questions: [{id: imp_a, type: text, label: {de: A, en: A}},\n"
        "            {id: comp_a, type: text, label: {de: A, en: A}}]\n"
    )
    assert t.feedback is not None
    assert t.feedback.kind == "top_priorities"
    assert t.feedback.params == {"top": 3}


def test_model_validate_from_python() -> None:
    t = Template.model_validate(
        {
            "id": "py",
            "version": 1,
            "title": {"de": "Py", "en": "Py"},
            "questions": [{"id": "a", "type": "text", "label": {"de": "A", "en": "A"}}],
        }
    )
    assert t.kind == "sheet"
    assert t.validate({"a": "x"}) == {"a": "x"}


# --- example answers ----------------------------------------------------------------------


def test_example_answers_respect_show_if_and_are_deterministic() -> None:
    t = sheet(COND)
    for seed in range(20):
        answers = t.example_answers(seed=seed)
        assert answers == t.example_answers(seed=seed)
        assert t.validate(answers) == answers
        assert ("team_size" in answers) == (answers["role"] == "lead")
        assert ("reason" in answers) != (answers["role"] == "lead")
    assert len({str(t.example_answers(seed=s)) for s in range(20)}) > 1


@pytest.mark.parametrize(
    "extra",
    [
        ("text", "    min_length: 80\n    max_length: 90"),
        ("number", "    min: 0.5\n    max: 0.7"),
        ("number", "    max: -5"),
        ("scale", "    min: -1\n    max: 1\n    step: 0.5"),
        ("ranking", f"    top_n: 2\n    options: {OPTS}"),
        ("multi_choice", f"    min_selected: 3\n    options: {OPTS}"),
        ("dot_vote", "    source: ideas\n    budget: 10\n    max_per_item: 1"),
        ("action_items", "    min_items: 3"),
        ("gas_goal", "    min_goals: 2\n    follow_up_required: true"),
    ],
)
def test_example_answers_every_type(extra: tuple[str, str]) -> None:
    t = one(*extra)
    for seed in range(10):
        answers = t.example_answers(seed=seed)
        assert t.validate(answers) == answers
