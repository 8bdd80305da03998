"""Property tests: arbitrary input gives a valid result or the package's documented error."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transferkit import templates
from transferkit.exceptions import AnswerValidationError, TemplateError
from transferkit.templates import Template, list_templates, load_template, load_template_string

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEMPLATES = {name: load_template(name) for name in list_templates()}
FIELD_NAMES = sorted(
    {
        "id", "version", "kind", "title", "description", "intro", "questions", "phases",
        "feedback", "type", "label", "help", "required", "show_if", "options", "value",
        "points", "min", "max", "step", "budget", "source", "min_length", "max_length",
        "min_selected", "max_selected", "question", "equals", "in", "answered", "de", "en",
        "reverse", "area", "top_n", "min_goals", "max_goals", "integer",
    }
)  # fmt: skip
QUESTION_TYPES = [*templates.QUESTION_TYPES, "bogus"]  # every registered type, and one that is not

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-3, max_value=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", " ", "3", "2,5", "a", "open", "2025-03-31", "2024-02-30", "-2", "+1"]),
    st.sampled_from(FIELD_NAMES + QUESTION_TYPES),
    st.dates(),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
yamlable = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(keys, inner, max_size=6),
    ),
    max_leaves=30,
)


def _check_template_result(text: str) -> None:
    error: TemplateError | None = None
    try:
        result: Template | None = load_template_string(text, source="prop.yaml")
    except TemplateError as exc:
        result, error = None, exc
    if error is None:
        assert isinstance(result, Template)
    else:
        assert error.source == "prop.yaml"
        assert error.problems
        assert str(error)


def _validate(
    t: Template, answers: Any
) -> tuple[dict[str, Any] | None, AnswerValidationError | None]:
    try:
        return t.validate(answers), None
    except AnswerValidationError as exc:
        return None, exc


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_as_yaml(text: str) -> None:
    _check_template_result(text)


@SLOW
@given(st.dictionaries(keys, yamlable, max_size=8))
def test_arbitrary_yaml_dicts(data: dict[str, Any]) -> None:
    _check_template_result(yaml.safe_dump(data, allow_unicode=True))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@SLOW
@given(st.sampled_from(sorted(TEMPLATES)), st.data())
def test_mutated_builtin_templates(name: str, data: st.DataObject) -> None:
    """Replace one node of a valid template with an arbitrary value."""
    original = TEMPLATES[name].model_dump(mode="json", by_alias=True, exclude_defaults=True)
    mutated = copy.deepcopy(original)
    path = data.draw(st.sampled_from(_paths(mutated)[1:]))
    target = mutated
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = data.draw(yamlable)
    _check_template_result(yaml.safe_dump(mutated, allow_unicode=True))


def test_builtin_round_trip_through_yaml_dump() -> None:
    for t in TEMPLATES.values():
        dumped = yaml.safe_dump(t.model_dump(mode="json", by_alias=True, exclude_defaults=True))
        again = load_template_string(dumped)
        assert again == t


@st.composite
def answers_for(draw: st.DrawFn, t: Template) -> dict[Any, Any]:
    ids = [q.id for q in t.all_questions()]
    example = t.example_answers(seed=draw(st.integers(0, 1000)))
    answers: dict[Any, Any] = dict(example)
    for key in draw(st.lists(st.one_of(st.sampled_from(ids), keys), max_size=6)):
        answers[key] = draw(yamlable)
    if draw(st.booleans()):
        for key in draw(st.lists(st.sampled_from(ids), max_size=4)):
            answers.pop(key, None)
    return answers


@FAST
@given(st.sampled_from(sorted(TEMPLATES)), st.data())
def test_arbitrary_answers(name: str, data: st.DataObject) -> None:
    t = TEMPLATES[name]
    answers = data.draw(answers_for(t))
    clean, error = _validate(t, answers)
    if error is not None:
        assert error.problems
        assert error.template_id == name
        for p in error.problems:
            assert p.message_de
            assert p.message_en
            assert p.code
        assert str(error)
    else:
        assert clean is not None
        assert set(clean) <= {q.id for q in t.all_questions()}
        assert t.validate(clean) == clean  # cleaning is idempotent


@FAST
@given(st.sampled_from(sorted(TEMPLATES)), yamlable)
def test_arbitrary_non_dict_or_dict_answers(name: str, answers: Any) -> None:
    clean, error = _validate(TEMPLATES[name], answers)
    assert isinstance(clean, dict) or (error is not None and error.problems)


@FAST
@given(st.sampled_from(sorted(TEMPLATES)), st.integers(min_value=0, max_value=2**32))
def test_example_answers_always_valid(name: str, seed: int) -> None:
    t = TEMPLATES[name]
    answers = t.example_answers(seed=seed)
    assert t.validate(answers) == answers
    assert t.example_answers(seed=seed) == answers


@FAST
@given(
    st.one_of(
        st.integers(-10, 10),
        st.floats(-10, 10),
        st.text(max_size=5),
        st.dates(min_value=dt.date(2000, 1, 1)),
    )
)
def test_likert_accepts_exactly_its_points(value: Any) -> None:
    t = TEMPLATES["competence_self_assessment"]
    answers = {**t.example_answers(seed=1), "dig_1": value}
    clean, error = _validate(t, answers)
    if error is not None:
        assert [p.question_id for p in error.problems] == ["dig_1"]
    else:
        assert clean is not None
        assert clean["dig_1"] in {1, 2, 3, 4, 5}
        assert float(str(value).strip()) == clean["dig_1"]
