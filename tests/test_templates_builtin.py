"""The eight built-in templates: they load, accept their examples, and keep the shared ids."""

from __future__ import annotations

import pytest

from transferkit import vocabulary
from transferkit.exceptions import AnswerValidationError
from transferkit.templates import (
    ActionItemsQuestion,
    DotVoteQuestion,
    GasGoalQuestion,
    LikertQuestion,
    LongTextQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Template,
    list_templates,
    load_template,
)

BUILTINS = list_templates()
FORMATS = list(vocabulary.FORMATS)  # the templates must use the one vocabulary
TOPICS = {
    "data_literacy": "digital",
    "digital_tools": "digital",
    "it_security": "digital",
    "ai_use": "digital",
    "communication": "soft",
    "self_organisation": "soft",
    "change_agility": "soft",
    "teamwork": "soft",
    "resource_efficiency": "sustainability",
    "sustainable_products": "sustainability",
    "csr_reporting": "sustainability",
}


def test_there_are_eight() -> None:
    assert len(BUILTINS) == 8


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_with_texts(name: str) -> None:
    t = load_template(name)
    assert t.id == name
    assert t.version == 1
    assert t.title.de
    assert t.title.en
    assert t.description is not None
    assert t.intro is not None
    assert t.all_questions()
    for q in t.all_questions():
        assert q.label.de.strip()
        assert q.label.en.strip()


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_example_answers_validate(name: str) -> None:
    t = load_template(name)
    for seed in range(5):
        answers = t.example_answers(seed=seed)
        assert t.validate(answers) == answers
    for phase in t.phase_ids():
        answers = t.example_answers(phase, seed=3)
        assert t.validate(answers, phase=phase) == answers


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_rejects_empty_answers_naming_the_question(name: str) -> None:
    t = load_template(name)
    with pytest.raises(AnswerValidationError) as info:
        t.validate({})
    required = [q for q in t.all_questions() if q.required and q.show_if is None]
    assert required
    first = required[0]
    problem = info.value.by_question()[first.id][0]
    assert problem.code == "required"
    assert f"„{first.label.de}“" in problem.message_de
    assert f'"{first.label.en}"' in problem.message_en
    assert first.label.de in str(info.value)
    assert first.label.en in str(info.value)


def test_builtins_are_german_with_umlauts_and_inclusive_wording() -> None:
    texts = " ".join(
        q.label.de + " " + (q.help.de if q.help else "")
        for name in BUILTINS
        for q in load_template(name).all_questions()
    )
    assert any(c in texts for c in "äöüß")
    assert "Kolleg:innen" in texts


# --- ids that other modules rely on (docs/interfaces.md) --------------------------------


def kinds(t: Template) -> dict[str, type]:
    return {q.id: type(q) for q in t.all_questions()}


def assert_likert_1_to_5(t: Template, ids: list[str]) -> None:
    for qid in ids:
        q = t.question(qid)
        assert isinstance(q, LikertQuestion), qid
        assert q.point_values() == [1, 2, 3, 4, 5], qid


def test_competence_self_assessment_ids() -> None:
    t = load_template("competence_self_assessment")
    m = t.question("measurement")
    assert isinstance(m, SingleChoiceQuestion)
    assert m.option_values() == ["pre", "post"]
    groups = {
        "digital": ["dig_1", "dig_2", "dig_3", "dig_4"],
        "soft": ["soft_1", "soft_2", "soft_3", "soft_4"],
        "sustainability": ["sus_1", "sus_2", "sus_3"],
    }
    for group, ids in groups.items():
        assert_likert_1_to_5(t, ids)
        for qid in ids:
            q = t.question(qid)
            assert isinstance(q, LikertQuestion)
            assert q.scale_group == group
            assert q.reverse == (qid == "soft_3")
    assert t.feedback is not None
    assert t.feedback.kind == "profile"


def test_pilot_goals_ids() -> None:
    t = load_template("pilot_goals")
    assert isinstance(t.question("goals"), GasGoalQuestion)


def test_training_feedback_ids() -> None:
    t = load_template("training_feedback")
    fmt = t.question("format")
    assert isinstance(fmt, SingleChoiceQuestion)
    assert fmt.option_values() == FORMATS
    levels = {
        "reaction_1": 1,
        "reaction_2": 1,
        "reaction_3": 1,
        "learning_1": 2,
        "learning_2": 2,
        "behaviour_1": 3,
        "behaviour_2": 3,
    }
    assert_likert_1_to_5(t, list(levels))
    for qid, level in levels.items():
        assert t.question(qid).kirkpatrick_level == level
    rec = t.question("recommend")
    assert isinstance(rec, ScaleQuestion)
    assert (rec.min, rec.max, rec.step) == (0, 10, 1)
    comment = t.question("comment")
    assert isinstance(comment, LongTextQuestion)
    assert not comment.required


def test_needs_analysis_ids() -> None:
    t = load_template("needs_analysis")
    for topic, area in TOPICS.items():
        assert_likert_1_to_5(t, [f"imp_{topic}", f"comp_{topic}"])
        assert t.question(f"imp_{topic}").area == area
        assert t.question(f"comp_{topic}").area == area
    formats = t.question("formats")
    assert isinstance(formats, MultiChoiceQuestion)
    assert formats.option_values() == FORMATS
    minutes = t.question("minutes_per_week")
    assert isinstance(minutes, NumberQuestion)
    assert (minutes.min, minutes.max) == (0, 600)
    assert t.feedback is not None
    assert t.feedback.kind == "top_priorities"


def test_reflection_loop_ids() -> None:
    t = load_template("reflection_loop")
    assert t.kind == "loop"
    assert t.phase_ids() == ["information", "anwendung", "austausch", "optimierung"]
    expected = {
        "information": ["learned", "info_useful"],
        "anwendung": ["tried", "app_success"],
        "austausch": ["worked", "exchange_quality"],
        "optimierung": ["lessons", "loop_satisfaction", "actions"],
    }
    for phase, ids in expected.items():
        present = [q.id for q in t.all_questions(phase)]
        assert set(ids) <= set(present), phase
    assert_likert_1_to_5(t, ["info_useful", "app_success", "exchange_quality", "loop_satisfaction"])
    assert isinstance(t.question("actions"), ActionItemsQuestion)


def test_round_table_ids() -> None:
    t = load_template("round_table")
    assert isinstance(t.question("ideas"), LongTextQuestion)
    votes = t.question("votes")
    assert isinstance(votes, DotVoteQuestion)
    assert votes.source == "ideas"
    assert isinstance(t.question("actions"), ActionItemsQuestion)
    answers = {"ideas": "Wissensrunde\nTandems", "votes": {"idea_1": 2, "idea_2": 1}}
    assert t.validate(answers)["votes"] == {"idea_1": 2, "idea_2": 1}


def test_learning_partnership_and_education_plan() -> None:
    lp = load_template("learning_partnership")
    scenario = lp.question("scenario")
    assert isinstance(scenario, SingleChoiceQuestion)
    assert scenario.option_values() == ["on_site", "blended", "tandem"]
    ep = load_template("education_plan")
    assert {"competence_1", "work_process_1", "formats", "talks"} <= set(kinds(ep))
    # the follow-up question only appears once its competence is named
    answers = ep.example_answers(seed=0)
    trimmed = {k: v for k, v in answers.items() if not k.endswith(("_2", "_3"))}
    assert ep.validate(trimmed) == trimmed
