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
TOPICS = vocabulary.TOPICS


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
    for group, ids in vocabulary.SCALE_GROUPS.items():
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


# --------------------------------------------------------------------------- the one vocabulary
def test_scale_groups_agree_with_the_vocabulary() -> None:
    """Every ``scale_group`` of the self-assessment is a vocabulary scale group with the same
    items, in the same order; the needs analysis' ``area`` uses the same names."""
    t = load_template("competence_self_assessment")
    found: dict[str, list[str]] = {}
    for q in t.all_questions():
        if getattr(q, "scale_group", None) is not None:
            found.setdefault(q.scale_group, []).append(q.id)
    assert found == {group: list(items) for group, items in vocabulary.SCALE_GROUPS.items()}
    areas = {q.area for q in load_template("needs_analysis").all_questions() if q.area is not None}
    assert areas == set(vocabulary.SCALE_GROUPS)
    for lang in ("de", "en"):
        assert set(vocabulary.SCALE_GROUP_NAMES[lang]) == set(vocabulary.SCALE_GROUPS)


def test_topics_agree_with_the_vocabulary() -> None:
    """The needs analysis asks about exactly the vocabulary's topics, in its order, with its
    areas, and each question quotes the topic's name in both languages."""
    t = load_template("needs_analysis")
    asked = [q.id.removeprefix("imp_") for q in t.all_questions() if q.id.startswith("imp_")]
    assert asked == list(vocabulary.TOPICS)
    for topic, area in vocabulary.TOPICS.items():
        for prefix in ("imp_", "comp_"):
            q = t.question(prefix + topic)
            assert q.area == area
            assert f"‚{vocabulary.TOPIC_NAMES['de'][topic]}‘" in q.label.de, q.id
            assert f"'{vocabulary.TOPIC_NAMES['en'][topic]}'" in q.label.en, q.id
    for names in (vocabulary.TOPIC_NAMES, vocabulary.TOPIC_SHORT_NAMES):
        assert set(names) == {"de", "en"}
        for lang in ("de", "en"):
            assert set(names[lang]) == set(vocabulary.TOPICS)


def test_phase_ratings_agree_with_the_vocabulary() -> None:
    """The reflection loop has the vocabulary's phases, in order, each with its rating question."""
    t = load_template("reflection_loop")
    assert t.phase_ids() == list(vocabulary.PHASE_RATINGS)
    for phase, rating in vocabulary.PHASE_RATINGS.items():
        assert isinstance(t.question(rating), LikertQuestion)
        assert rating in [q.id for q in t.all_questions(phase)], phase


def test_statuses_agree_with_the_vocabulary() -> None:
    """Action items allow the vocabulary's statuses; where a built-in sheet lists the statuses
    in its help, it names them with the vocabulary's labels, in both languages."""
    from transferkit.store import ACTION_STATUSES as STORED
    from transferkit.templates.model import ACTION_STATUSES as ALLOWED

    assert ALLOWED == STORED == vocabulary.ACTION_STATUSES
    assert set(vocabulary.OPEN_STATUSES) | set(vocabulary.CLOSED_STATUSES) == set(ALLOWED)
    assert not set(vocabulary.OPEN_STATUSES) & set(vocabulary.CLOSED_STATUSES)
    for lang in ("de", "en"):
        assert list(vocabulary.STATUS_LABELS[lang]) == list(ALLOWED)
    q = load_template("reflection_loop").question("actions")
    assert isinstance(q, ActionItemsQuestion)
    assert q.help is not None
    for lang in ("de", "en"):
        listed = ", ".join(vocabulary.STATUS_LABELS[lang][s] for s in ALLOWED)
        assert f"({listed})" in q.help.get(lang), lang


def test_phase_texts_agree_with_the_vocabulary() -> None:
    """Each phase's free-text questions are text questions of that phase of the reflection loop."""
    t = load_template("reflection_loop")
    assert list(vocabulary.PHASE_TEXTS) == t.phase_ids()
    for phase, ids in vocabulary.PHASE_TEXTS.items():
        texts = [q.id for q in t.all_questions(phase) if q.type in ("text", "long_text")]
        assert list(ids) == texts, phase
