"""Answer validation and example answers for a whole template.

:meth:`Template.validate <transferkit.templates.Template.validate>`,
:meth:`Template.validate_draft <transferkit.templates.Template.validate_draft>` and
:meth:`Template.example_answers <transferkit.templates.Template.example_answers>`
call the functions here. What holds for every question (unknown ids, required
answers, ``show_if``, drafts) is decided here; each answer is checked by its
question type (``clean_answer`` of its class in ``templates/types/``). Messages
are plain German and English that a workshop participant understands; each
names the question's label.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from transferkit.exceptions import AnswerProblem, AnswerValidationError
from transferkit.templates.model import Answers, JSONValue, Template, is_empty
from transferkit.templates.types import QUESTION_CLASSES
from transferkit.templates.types.common import Label, problem, short

__all__ = [
    "DRAFT_TOLERATED",
    "example_answers",
    "is_empty",
    "validate_answers",
    "validate_draft",
]


def validate_answers(template: Template, answers: object, *, phase: str | None = None) -> Answers:
    """Validate ``answers`` against ``template`` (see :meth:`Template.validate`).

    Raises
    ------
    AnswerValidationError
        Listing every problem, in German and English.
    TemplateError
        If ``phase`` is not a phase of the template.
    """
    questions = template.all_questions(phase)
    if not isinstance(answers, Mapping):
        raise AnswerValidationError(
            template.id,
            [AnswerProblem("*", *problem("not_a_dict", type=type(answers).__name__))],
        )
    problems: list[AnswerProblem] = []
    known = {q.id for q in questions}
    for key in answers:
        if key in known:
            continue
        other = template.phase_of(key) if isinstance(key, str) else None
        if other is not None:
            found = problem(
                "unknown_question",
                "unknown_question_in_phase",
                question=short(key),
                other=other,
                phase=phase,
            )
        else:
            found = problem("unknown_question", question=short(key))
        problems.append(AnswerProblem(short(key), *found))
    cleaned: Answers = {}
    for q in questions:
        if q.show_if is not None and not q.show_if.is_met(cleaned):
            continue
        raw = answers.get(q.id)
        value: JSONValue = None
        if not is_empty(raw):
            value, msgs = q.clean_answer(raw)
            if msgs:
                problems += [AnswerProblem(q.id, *m) for m in msgs]
                continue
        if is_empty(value):
            if q.required:
                question = q.label.de.rstrip().endswith("?")
                key = "required_question" if question else "required"
                problems.append(AnswerProblem(q.id, *problem("required", key, label=Label(q))))
            continue
        cleaned[q.id] = value
    if problems:
        raise AnswerValidationError(template.id, problems)
    return cleaned


#: Problems a half-filled sheet may have while it is being filled in (a draft keeps them):
#: unfinished answers, and a number or text in the middle of being typed. Each question
#: type says which of its problems a draft tolerates (``draft_tolerates``).
DRAFT_TOLERATED: frozenset[str] = frozenset({"required"}).union(
    *(cls.draft_tolerates for cls in QUESTION_CLASSES.values())
)
_DRAFT_MAX_TEXT = 20_000  # characters of one answer in a draft, whatever the template says


def validate_draft(template: Template, answers: object, *, phase: str | None = None) -> Answers:
    """Check a draft (the answers so far) with the rules of :func:`validate_answers`.

    A draft may be unfinished (missing, too short, a number half typed: the
    problems in each type's ``draft_tolerates``, all together
    :data:`DRAFT_TOLERATED`), but has the shape of real answers: only the
    sheet's question ids, values of the question's type and options, no answer
    text longer than 20,000 characters. Returns the draft's non-empty values as
    given (so that the participant sees what they typed); raises one
    :class:`AnswerValidationError` listing every other problem.
    """
    questions = template.all_questions(phase)
    if not isinstance(answers, Mapping):
        return validate_answers(template, answers, phase=phase)  # the not_a_dict problem
    by_id = {q.id: q for q in questions}
    problems: list[AnswerProblem] = []
    kept: Answers = {}
    for key, raw in answers.items():
        q = by_id.get(key) if isinstance(key, str) else None
        if q is None:
            found = problem("unknown_question", question=short(key))
            problems.append(AnswerProblem(short(key), *found))
            continue
        if is_empty(raw):
            continue
        if _text_size(raw) > _DRAFT_MAX_TEXT:
            problems.append(
                AnswerProblem(q.id, *problem("too_long", "draft_too_long", label=Label(q)))
            )
            continue
        _value, msgs = q.clean_answer(raw)
        serious = [m for m in msgs if m[0] not in q.draft_tolerates]
        if serious:
            problems += [AnswerProblem(q.id, *m) for m in serious]
            continue
        kept[q.id] = raw
    if problems:
        raise AnswerValidationError(template.id, problems)
    return kept


def _text_size(value: object) -> int:
    """Characters of text in a (nested) answer value."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_text_size(k) + _text_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(_text_size(v) for v in value)
    return 0


# --- example answers ----------------------------------------------------------------


def example_answers(template: Template, *, phase: str | None = None, seed: int = 0) -> Answers:
    """Complete, valid answers for ``template`` (or one ``phase``), deterministic per ``seed``.

    Every visible question is answered, optional ones too; questions hidden by
    ``show_if`` are left out.
    """
    rng = random.Random(seed)
    answers: Answers = {}
    for q in template.all_questions(phase):
        if q.show_if is not None and not q.show_if.is_met(answers):
            continue
        answers[q.id] = q.example_answer(rng, answers)
    return answers
