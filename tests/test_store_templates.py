"""Store with the real built-in templates: submit by name, column order, round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transferkit.exceptions import AnswerValidationError, StoreError
from transferkit.privacy import self_generated_code
from transferkit.store import RESPONSE_COLUMNS, Store
from transferkit.templates import list_templates, load_template


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as s:
        s.add_pilot("P01", "Digitale Werkzeuge", loops=3)
        yield s


def _same(stored, cleaned) -> bool:
    if cleaned is None:
        return stored is None or (isinstance(stored, float) and math.isnan(stored))
    return stored == cleaned


def test_submit_by_name_keeps_template_order(store):
    template = load_template("needs_analysis")
    answers = template.example_answers(seed=3)
    store.submit("needs_analysis", answers, pilot="P01", participant="K7M4QX")
    data = store.responses("needs_analysis")
    question_ids = [q.id for q in template.all_questions()]
    assert list(data.columns) == [*RESPONSE_COLUMNS, *question_ids]
    row = data.iloc[0]
    assert (row["template"], row["template_version"]) == ("needs_analysis", template.version)
    cleaned = template.validate(answers)
    for qid in question_ids:
        assert _same(row[qid], cleaned.get(qid)), qid


def test_reflection_loop_phases(store):
    loop = load_template("reflection_loop")
    assert loop.phase_ids() == ["information", "anwendung", "austausch", "optimierung"]
    for number in (1, 2):
        for seed, phase in enumerate(loop.phase_ids()):
            store.submit(
                loop,
                loop.example_answers(phase, seed=seed),
                pilot="P01",
                loop=number,
                phase=phase,
                participant="A07K",
            )
    assert len(store.responses(loop)) == 8
    optimierung = store.responses(loop, phase="optimierung")
    assert list(optimierung.columns)[len(RESPONSE_COLUMNS) :] == [
        q.id for q in loop.all_questions("optimierung")
    ]
    assert optimierung["loop"].tolist() == [1, 2]
    actions = optimierung["actions"].iloc[0]
    assert isinstance(actions, list)
    assert set(actions[0]) >= {"what", "who", "due", "status"}
    assert store.responses(loop, loop=2, phase="anwendung")["app_success"].notna().all()


def test_invalid_real_answers_write_nothing(store):
    template = load_template("competence_self_assessment")
    answers = template.example_answers(seed=1)
    answers["dig_1"] = 9
    with pytest.raises(AnswerValidationError) as info:
        store.submit(template, answers, pilot="P01", participant="ABC234")
    assert "dig_1" in info.value.by_question()
    assert store.responses().empty
    assert store.participants().empty


def test_pre_post_linked_by_self_generated_code(store):
    template = load_template("competence_self_assessment")
    code = self_generated_code("Anna", 7, "Königstraße")
    for time in ("pre", "post"):
        answers = template.example_answers(seed=1 if time == "pre" else 2)
        answers["measurement"] = time
        store.submit(template, answers, pilot="P01", participant=code)
    data = store.responses(template).set_index("measurement")
    assert data.loc["pre", "participant"] == data.loc["post", "participant"] == "A07K"


def test_unknown_template_name(store):
    with pytest.raises(Exception, match="no_such_sheet"):
        store.submit("no_such_sheet", {})
    with pytest.raises(StoreError, match="Unknown pilot"):
        store.submit("needs_analysis", load_template("needs_analysis").example_answers(), pilot="X")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(list_templates()), seed=st.integers(0, 10_000))
def test_example_answers_round_trip(store, name, seed):
    template = load_template(name)
    phases = template.phase_ids() or [None]
    phase = phases[seed % len(phases)]
    cleaned = template.validate(template.example_answers(phase, seed=seed), phase=phase)
    rid = store.submit(template, cleaned, phase=phase, submission_id=f"{name}-{phase}-{seed}")
    data = store.responses(template, phase=phase)
    row = data.set_index("response_id").loc[rid]
    for qid, value in cleaned.items():
        assert _same(row[qid], value), (qid, row[qid], value)
