"""Typed models of sheet and loop templates (pydantic v2).

A template is either a *sheet* (ordered ``questions``) or a *loop* (ordered
``phases``, each with its own questions). Every user-visible text is a
:class:`LocalizedText` with German (``de``) and English (``en``). This module
holds what all question types share (:class:`Question`, :class:`Condition`,
...); each type is a module of :mod:`transferkit.templates.types`.

Examples
--------
>>> t = Template.model_validate({
...     "id": "mini", "version": 1, "kind": "sheet",
...     "title": {"de": "Mini", "en": "Mini"},
...     "questions": [{"id": "q1", "type": "text",
...                    "label": {"de": "Name des Teams", "en": "Team name"}}],
... })
>>> t.validate({"q1": "  Vertrieb "})
{'q1': 'Vertrieb'}
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, model_validator

from transferkit.exceptions import TemplateError, TemplateProblem
from transferkit.templates.feedback import Feedback, feedback_problems, scale_group_problems
from transferkit.vocabulary import ACTION_STATUSES as _STATUSES

__all__ = [
    "ACTION_STATUSES",
    "INVALID",
    "Answers",
    "AnyQuestion",
    "Cleaned",
    "Condition",
    "Feedback",
    "HintedError",
    "JSONValue",
    "LocalizedText",
    "Message",
    "Option",
    "Phase",
    "Question",
    "Row",
    "SheetProblem",
    "Strict",
    "Template",
    "TemplateCheckError",
    "format_location",
    "is_empty",
]

#: Allowed ``status`` values of an action item.
ACTION_STATUSES: tuple[str, ...] = _STATUSES  # the one vocabulary

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"
_VALUE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

Loc = tuple[str | int, ...]

#: An answer value: as given (from a form, JSON or Python) before cleaning, or
#: the JSON value it is cleaned into (str, int, float, bool, None, lists and
#: dicts of these). Kept as ``Any`` so readers need not narrow each value; the
#: name says what is meant. The same as ``transferkit.store.values.JSONValue``
#: (templates sit below the store and may not import it).
JSONValue: TypeAlias = Any

#: A sheet's answers by question id (``transferkit.store.values.Answers``).
Answers: TypeAlias = dict[str, JSONValue]

#: One row of a list answer (an action item, a goal): field name to value.
Row: TypeAlias = dict[str, JSONValue]

#: A problem with one answer: ``(code, German message, English message)``.
Message = tuple[str, str, str]
#: What :meth:`Question.clean_answer` returns: the cleaned value and no problems,
#: or :data:`INVALID` and the problems.
Cleaned = tuple[JSONValue, list[Message]]
#: A template problem found by a question: ``(location below the question, message, hint)``.
SheetProblem = tuple[Loc, str, str]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


#: The value :meth:`Question.clean_answer` gives with its problems (there is no clean value).
INVALID: Any = _Invalid()


class TemplateCheckError(ValueError):
    """Cross-field template problems, each with its own location.

    Raised inside model validators; the loader unpacks ``problems`` into
    :class:`~transferkit.exceptions.TemplateProblem` entries with line numbers.
    """

    def __init__(self, problems: list[tuple[Loc, str, str]]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{format_location(loc)}: {msg} ({hint})" for loc, msg, hint in problems)
        )


class HintedError(ValueError):
    """A ValueError with a hint telling the author what to write instead."""

    def __init__(self, message: str, hint: str) -> None:
        self.hint = hint
        super().__init__(message)


def format_location(loc: Loc) -> str:
    """Format a location tuple as ``questions[3].points``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(template)"


class Strict(BaseModel):
    """A model that rejects unknown fields (the base of every template part)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class LocalizedText(Strict):
    """A text in German and English.

    Examples
    --------
    >>> LocalizedText(de="Ja", en="Yes").get("en")
    'Yes'
    """

    de: str = Field(min_length=1, description="German text")
    en: str = Field(min_length=1, description="English text")

    def get(self, lang: str = "de") -> str:
        """The text in ``lang`` (``"de"`` or ``"en"``; anything else gives German)."""
        return self.en if lang == "en" else self.de

    def __str__(self) -> str:
        return self.de


class Option(Strict):
    """A choice: the stored ``value`` and the ``label`` participants see."""

    value: str = Field(pattern=_VALUE, description="stored value, e.g. `e_learning`")
    label: LocalizedText
    help: LocalizedText | None = None


class Condition(Strict):
    """``show_if``: show a question only if an earlier answer matches.

    Exactly one of ``equals``, ``not_equals``, ``in`` or ``answered``.
    For list answers (multi_choice, ranking) ``equals`` means "contains" and
    ``in`` means "contains any of".

    Answers and targets are compared as JSON values, the same in Python and
    in the web sheet's script (``isMet`` in ``websheet/static/sheet.js``; one
    table of cases, ``tests/show_if_cases.json``, runs against both): strings
    equal strings, ignoring case and JSON whitespace (space, tab, line
    breaks) at either end; numbers equal numbers by value (``3 == 3.0``);
    ``true``/``false`` equal only themselves. Values of different kinds
    never match (``3`` is not ``"3"``, ``true`` is not ``1``); a string
    holding only JSON whitespace counts as unanswered.
    """

    question: str = Field(description="id of an earlier question in the same sheet or phase")
    equals: str | int | float | bool | None = None
    not_equals: str | int | float | bool | None = None
    in_: list[str | int | float | bool] | None = Field(default=None, alias="in")
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [
            name
            for name, field in (
                ("equals", "equals"),
                ("not_equals", "not_equals"),
                ("in", "in_"),
                ("answered", "answered"),
            )
            if field in self.model_fields_set
        ]
        if len(given) != 1:
            msg = f"show_if needs exactly one of equals, not_equals, in, answered; found {given or 'none'}"
            hint = "write e.g. `show_if: {question: q1, equals: ja}`"
            raise HintedError(msg, hint)
        return self

    @property
    def operator(self) -> str:
        """The operator used: ``equals``, ``not_equals``, ``in`` or ``answered``."""
        for name, field in (
            ("equals", "equals"),
            ("not_equals", "not_equals"),
            ("in", "in_"),
            ("answered", "answered"),
        ):
            if field in self.model_fields_set:
                return name
        return "answered"  # pragma: no cover - excluded by the validator

    def is_met(self, answers: Answers) -> bool:
        """Whether the condition holds for already cleaned ``answers``."""
        value = answers.get(self.question)
        present = bool(value.strip(_JSON_SPACE)) if isinstance(value, str) else not is_empty(value)
        op = self.operator
        if op == "answered":
            return present == bool(self.answered)
        if not present:
            return op == "not_equals"
        if op == "in":
            wanted = self.in_ or []
            items = value if isinstance(value, list) else [value]
            return any(_same(a, b) for a in items for b in wanted)
        target = self.equals if op == "equals" else self.not_equals
        hit = (
            any(_same(v, target) for v in value)
            if isinstance(value, list)
            else _same(value, target)
        )
        return hit if op == "equals" else not hit


def _choices(names: list[str]) -> str:
    return f"; earlier questions: {', '.join(names)}" if names else ""


#: Whitespace in JSON (RFC 8259): what show_if trims from strings, in Python and in the script.
_JSON_SPACE = " \t\n\r"


def _same(a: JSONValue, b: JSONValue) -> bool:
    """Whether two JSON values match in a ``show_if`` (see :class:`Condition`): no ``str()`` involved."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.strip(_JSON_SPACE).lower() == b.strip(_JSON_SPACE).lower()
    return False


def is_empty(value: object) -> bool:
    """Whether an answer counts as not given: ``""``, ``[]``, ``None``, ``{}`` or blanks.

    Examples
    --------
    >>> is_empty("  "), is_empty([]), is_empty(0)
    (True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set):
        return len(value) == 0
    return False


class Question(Strict):
    """The base of every question type: the fields they share and what each type defines."""

    id: str = Field(pattern=_ID, description="unique id, e.g. `imp_ai_use`")
    type: str
    label: LocalizedText
    help: LocalizedText | None = None
    required: bool = True
    show_if: Condition | None = None
    area: str | None = Field(
        default=None, description="area tag, e.g. digital, soft, sustainability"
    )
    scale_group: str | None = Field(default=None, description="scale the item belongs to")
    kirkpatrick_level: int | None = Field(default=None, ge=1, le=4)

    # --- what each question type (a module in templates/types/) defines -------------

    #: Where the type comes in QUESTION_TYPES and the JSON Schema (built-ins: 10, 20, ...).
    type_order: ClassVar[int] = 1000
    #: Problem codes of :meth:`clean_answer` that a draft keeps (an answer still being typed).
    draft_tolerates: ClassVar[frozenset[str]] = frozenset()

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """Check a non-empty answer: ``(clean value, [])`` or ``(INVALID, problems)``."""
        msg = f"question type {self.type!r} does not say how to clean an answer"
        raise NotImplementedError(msg)

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> JSONValue:
        """A valid answer drawn with ``rng``; ``answers`` are the example answers so far."""
        msg = f"question type {self.type!r} has no example answer"
        raise NotImplementedError(msg)

    def sheet_problems(self, ids: AbstractSet[str]) -> list[SheetProblem]:
        """Problems of this question that depend on its sheet or phase (question ``ids``)."""
        return []


# The question types (templates/types/) build on Question above and their union is what a
# sheet or phase holds; imported here, below the base they need (they import this module).
from transferkit.templates.sections import Section, section_problems
from transferkit.templates.types import AnyQuestion


class Phase(Strict):
    """One phase of a loop, with its own sheet of questions."""

    id: str = Field(pattern=_ID)
    title: LocalizedText
    intro: LocalizedText | None = None
    questions: list[AnyQuestion] = Field(min_length=1)
    sections: list[Section] = Field(default_factory=list)
    feedback: Feedback | None = None


class Template(Strict):
    """A sheet (``questions``) or a loop (``phases``) with id, version and texts.

    See ``docs/interfaces.md`` for the answer value of each question type.
    """

    id: str = Field(pattern=_ID, description="template id, e.g. needs_analysis")
    version: int = Field(ge=1)
    kind: Literal["sheet", "loop"] = Field(
        default="sheet", description="sheet (questions) or loop (phases); inferred if omitted"
    )
    title: LocalizedText
    description: LocalizedText | None = None
    intro: LocalizedText | None = None
    questions: list[AnyQuestion] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    feedback: Feedback | None = None
    scale_groups: dict[Annotated[str, Field(pattern=_ID)], LocalizedText] = Field(
        default_factory=dict,
        description="scale groups (and areas) in words, e.g. `{support: {de: Unterstützung, en: Support}}`",
    )

    @model_validator(mode="before")
    @classmethod
    def _infer_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and "kind" not in data:
            data = dict(data)
            data["kind"] = "loop" if "phases" in data else "sheet"
        return data

    @model_validator(mode="after")
    def _check(self) -> Template:
        problems: list[tuple[Loc, str, str]] = []
        if self.kind == "sheet":
            if self.phases:
                problems.append(
                    (("phases",), "a sheet has questions, not phases", "write `kind: loop`")
                )
            if not self.questions:
                problems.append(
                    (("questions",), "a sheet needs at least one question", "add `questions:`")
                )
            groups: list[tuple[Loc, list[Question]]] = [(("questions",), list(self.questions))]
            problems += section_problems(
                ("sections",), self.sections, self.questions, ("questions",)
            )
        else:
            if self.questions:
                problems.append(
                    (
                        ("questions",),
                        "a loop has phases, each with questions",
                        "move the questions into `phases:` or write `kind: sheet`",
                    )
                )
            if not self.phases:
                problems.append((("phases",), "a loop needs at least one phase", "add `phases:`"))
            if self.sections:
                problems.append(
                    (
                        ("sections",),
                        "a loop has sections per phase",
                        "move `sections:` into a phase",
                    )
                )
            for i, p in enumerate(self.phases):
                problems += section_problems(
                    ("phases", i, "sections"), p.sections, p.questions, ("phases", i, "questions")
                )
            groups = [
                (("phases", i, "questions"), list(p.questions)) for i, p in enumerate(self.phases)
            ]
            seen_phase: set[str] = set()
            for i, phase in enumerate(self.phases):
                if phase.id in seen_phase:
                    problems.append(
                        (("phases", i, "id"), f"duplicate phase id {phase.id!r}", "rename it")
                    )
                seen_phase.add(phase.id)
        where: dict[str, Loc] = {}
        for base, questions in groups:
            earlier: set[str] = set()
            later = {q.id for q in questions}
            for j, q in enumerate(questions):
                loc = (*base, j)
                if q.id in where:
                    problems.append(
                        (
                            (*loc, "id"),
                            f"duplicate question id {q.id!r} (first at {format_location(where[q.id])})",
                            "give every question its own id",
                        )
                    )
                else:
                    where[q.id] = loc
                cond = q.show_if
                if cond is not None and cond.question not in earlier:
                    if cond.question == q.id:
                        what = "refers to the question itself"
                    elif cond.question in later:
                        what = f"refers to the later question {cond.question!r}"
                    elif cond.question in where:
                        what = f"refers to {cond.question!r} in another phase"
                    else:
                        what = f"refers to the unknown question {cond.question!r}"
                    problems.append(
                        (
                            (*loc, "show_if", "question"),
                            f"show_if {what}",
                            (
                                "show_if may only refer to an earlier question of the same "
                                f"sheet or phase{_choices(sorted(earlier))}"
                            ),
                        )
                    )
                problems += [
                    ((*loc, *sub), message, hint)
                    for sub, message, hint in q.sheet_problems({x.id for x in questions})
                ]
                earlier.add(q.id)
        problems += self._feedback_problems()
        if problems:
            raise TemplateCheckError(problems)
        return self

    def _feedback_problems(self) -> list[tuple[Loc, str, str]]:
        """Feedback that does not fit the questions; scale group labels no question uses."""
        problems = scale_group_problems(self)
        if self.feedback is not None:
            problems += feedback_problems(self, self.feedback, self.all_questions(), ("feedback",))
        for i, phase in enumerate(self.phases):
            if phase.feedback is not None:
                where: Loc = ("phases", i, "feedback")
                problems += feedback_problems(self, phase.feedback, phase.questions, where)
        return problems

    # --- access -----------------------------------------------------------

    def phase_ids(self) -> list[str]:
        """Ids of the phases, in order (empty for a sheet)."""
        return [p.id for p in self.phases]

    def phase(self, phase_id: str) -> Phase:
        """The phase ``phase_id``; raises :class:`TemplateError` if there is none."""
        for p in self.phases:
            if p.id == phase_id:
                return p
        if self.kind == "sheet":
            msg = f"template {self.id!r} is a sheet and has no phases (asked for {phase_id!r})"
            hint = "leave phase=None for sheets"
        else:
            msg = f"template {self.id!r} has no phase {phase_id!r}"
            hint = "use one of: " + ", ".join(self.phase_ids())
        raise TemplateError(self.id, [TemplateProblem("phase", msg, hint)])

    def all_questions(self, phase: str | None = None) -> list[Question]:
        """Questions of the sheet, of one ``phase`` of a loop, or of all phases."""
        if phase is not None:
            return list(self.phase(phase).questions)
        if self.kind == "sheet":
            return list(self.questions)
        return [q for p in self.phases for q in p.questions]

    def question(self, question_id: str) -> Question:
        """The question with id ``question_id`` (``KeyError`` if there is none)."""
        for q in self.all_questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def phase_of(self, question_id: str) -> str | None:
        """Id of the phase that holds ``question_id`` (``None`` for sheets or unknown ids)."""
        for p in self.phases:
            if any(q.id == question_id for q in p.questions):
                return p.id
        return None

    # --- answers ----------------------------------------------------------

    def validate(  # type: ignore[override]
        self, answers: Mapping[str, JSONValue], *, phase: str | None = None
    ) -> Answers:
        """Check ``answers`` and return them cleaned.

        Parameters
        ----------
        answers : dict
            Question id -> answer value.
        phase : str, optional
            For a loop, validate only this phase's questions.

        Returns
        -------
        dict
            Only known question ids, values coerced (``"3"`` -> ``3`` for
            Likert), texts stripped, answers to hidden questions dropped.

        Raises
        ------
        AnswerValidationError
            Listing every problem, in German and English.
        """
        from transferkit.templates.validation import validate_answers

        return validate_answers(self, answers, phase=phase)

    def validate_draft(
        self, answers: Mapping[str, JSONValue], *, phase: str | None = None
    ) -> Answers:
        """Check a half-filled sheet: like :meth:`validate`, but unfinished answers are allowed.

        Returns the non-empty answers as given; raises :class:`AnswerValidationError`
        for unknown questions, values of the wrong type or option, or over-long texts.
        """
        from transferkit.templates.validation import validate_draft

        return validate_draft(self, answers, phase=phase)

    def example_answers(self, phase: str | None = None, *, seed: int = 0) -> Answers:
        """A complete, valid set of answers (deterministic for a given ``seed``)."""
        from transferkit.templates.validation import example_answers

        return example_answers(self, phase=phase, seed=seed)
