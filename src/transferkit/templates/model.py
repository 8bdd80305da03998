"""Typed models of sheet and loop templates (pydantic v2).

A template is either a *sheet* (ordered ``questions``) or a *loop* (ordered
``phases``, each with its own questions). Every user-visible text is a
:class:`LocalizedText` with German (``de``) and English (``en``).

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

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from transferkit.exceptions import TemplateError, TemplateProblem
from transferkit.vocabulary import ACTION_STATUSES as _STATUSES

__all__ = [
    "QUESTION_TYPES",
    "ActionItemsQuestion",
    "AnyQuestion",
    "Condition",
    "DotVoteQuestion",
    "Feedback",
    "GasGoalQuestion",
    "LikertPoint",
    "LikertQuestion",
    "LocalizedText",
    "LongTextQuestion",
    "MultiChoiceQuestion",
    "NumberQuestion",
    "Option",
    "Phase",
    "Question",
    "RankingQuestion",
    "ScaleQuestion",
    "SingleChoiceQuestion",
    "Template",
    "TemplateCheckError",
    "TextQuestion",
]

#: The question types a template may use, in documentation order.
QUESTION_TYPES: tuple[str, ...] = (
    "text",
    "long_text",
    "single_choice",
    "multi_choice",
    "likert",
    "scale",
    "number",
    "ranking",
    "dot_vote",
    "action_items",
    "gas_goal",
)

#: Allowed numbers of points of a Likert item.
LIKERT_POINT_COUNTS: tuple[int, ...] = (4, 5, 6, 7, 10)

#: Allowed ``status`` values of an action item.
ACTION_STATUSES: tuple[str, ...] = _STATUSES  # the one vocabulary

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"
_VALUE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

Loc = tuple[str | int, ...]


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class LocalizedText(_Strict):
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


class Option(_Strict):
    """A choice: the stored ``value`` and the ``label`` participants see."""

    value: str = Field(pattern=_VALUE, description="stored value, e.g. `e_learning`")
    label: LocalizedText
    help: LocalizedText | None = None


class LikertPoint(_Strict):
    """One labelled point of a Likert item."""

    value: int
    label: LocalizedText


class Condition(_Strict):
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

    def is_met(self, answers: dict[str, Any]) -> bool:
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


def _same(a: Any, b: Any) -> bool:
    """Whether two JSON values match in a ``show_if`` (see :class:`Condition`): no ``str()`` involved."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.strip(_JSON_SPACE).lower() == b.strip(_JSON_SPACE).lower()
    return False


def is_empty(value: Any) -> bool:
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


class Feedback(BaseModel):
    """What a participant sees after submitting, e.g. ``{kind: top_priorities, top: 3}``.

    ``kind`` names the view; any further keys are parameters for it
    (available as :attr:`params`).
    """

    model_config = ConfigDict(extra="allow")

    kind: str = Field(min_length=1, description="e.g. top_priorities, profile, summary")

    @property
    def params(self) -> dict[str, Any]:
        """The parameters besides ``kind``."""
        return dict(self.model_extra or {})


class Question(_Strict):
    """Fields common to every question type."""

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


class _TextBase(Question):
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    placeholder: LocalizedText | None = None

    @model_validator(mode="after")
    def _lengths(self) -> _TextBase:
        _check_min_max(self.min_length, self.max_length, "min_length", "max_length")
        return self


class TextQuestion(_TextBase):
    """A short free text (one line), optionally ``min_length`` .. ``max_length`` characters."""

    type: Literal["text"]


class LongTextQuestion(_TextBase):
    """A longer free text; ``one_per_line: true`` marks lists such as ideas (one per line)."""

    type: Literal["long_text"]
    one_per_line: bool = False


class _ChoiceQuestion(Question):
    options: list[Option] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _distinct_values(cls, options: list[Option]) -> list[Option]:
        seen: set[str] = set()
        for opt in options:
            if opt.value in seen:
                msg = f"duplicate option value {opt.value!r}"
                raise HintedError(msg, "give every option its own `value`")
            seen.add(opt.value)
        return options

    def option_values(self) -> list[str]:
        """The option values, in order."""
        return [o.value for o in self.options]


class SingleChoiceQuestion(_ChoiceQuestion):
    """Choose exactly one option."""

    type: Literal["single_choice"]


class MultiChoiceQuestion(_ChoiceQuestion):
    """Choose several options (``min_selected`` .. ``max_selected``)."""

    type: Literal["multi_choice"]
    min_selected: int | None = Field(default=None, ge=0)
    max_selected: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> MultiChoiceQuestion:
        _check_min_max(self.min_selected, self.max_selected, "min_selected", "max_selected")
        if self.min_selected is not None and self.min_selected > len(self.options):
            msg = f"min_selected is {self.min_selected} but there are only {len(self.options)} options"
            raise HintedError(msg, "lower min_selected or add options")
        return self


class LikertQuestion(Question):
    """A rating on labelled points (4 to 7 or 10 points); ``reverse`` marks reverse-keyed items."""

    type: Literal["likert"]
    points: list[LikertPoint] = Field(
        description="4 to 7 or 10 labelled points",
        json_schema_extra={"minItems": 4, "maxItems": 10},
    )
    reverse: bool = False

    @field_validator("points")
    @classmethod
    def _point_count(cls, points: list[LikertPoint]) -> list[LikertPoint]:
        if len(points) not in LIKERT_POINT_COUNTS:
            msg = f"likert needs 4 to 7 or 10 points; you gave {len(points)}"
            hint = "list 4, 5, 6, 7 or 10 points, each `{value: 1, label: {de: …, en: …}}`"
            raise HintedError(msg, hint)
        values = [p.value for p in points]
        if len(set(values)) != len(values):
            msg = f"likert point values must differ; you gave {values}"
            raise HintedError(msg, "number the points, e.g. 1, 2, 3, 4, 5")
        return points

    def point_values(self) -> list[int]:
        """The point values, in order."""
        return [p.value for p in self.points]


class ScaleQuestion(Question):
    """A numeric scale from ``min`` to ``max`` in steps of ``step`` (e.g. 0–10)."""

    type: Literal["scale"]
    min: float = Field(allow_inf_nan=False)
    max: float = Field(allow_inf_nan=False)
    step: float = Field(default=1, gt=0, allow_inf_nan=False)
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None

    @model_validator(mode="after")
    def _range(self) -> ScaleQuestion:
        if self.min >= self.max:
            msg = f"scale min ({self.min:g}) must be below max ({self.max:g})"
            raise HintedError(msg, "write e.g. `min: 0` and `max: 10`")
        steps = (self.max - self.min) / self.step
        if not math.isfinite(steps) or steps > 1000:
            msg = f"the scale from {self.min:g} to {self.max:g} in steps of {self.step:g} has too many points"
            raise HintedError(msg, "use at most 1000 steps, e.g. `min: 0`, `max: 10`, `step: 1`")
        if abs(steps - round(steps)) > 1e-9:
            msg = (
                f"the step {self.step:g} does not divide max - min ({self.max - self.min:g}) evenly"
            )
            raise HintedError(msg, "choose a step such that (max - min) / step is a whole number")
        return self

    def is_integer(self) -> bool:
        """Whether min, max and step are whole numbers (answers are then ints)."""
        return all(float(x).is_integer() for x in (self.min, self.max, self.step))


class NumberQuestion(Question):
    """A number, optionally between ``min`` and ``max`` (``integer: true`` for whole numbers)."""

    type: Literal["number"]
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    integer: bool = False
    unit: LocalizedText | None = None

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            msg = f"number min ({self.min:g}) is above max ({self.max:g})"
            raise HintedError(msg, "swap min and max")
        if (
            self.integer
            and self.min is not None
            and self.max is not None
            and math.ceil(self.min) > math.floor(self.max)
        ):
            msg = f"no whole number lies between min ({self.min:g}) and max ({self.max:g})"
            raise HintedError(msg, "widen the range or write `integer: false`")
        return self


class RankingQuestion(_ChoiceQuestion):
    """Order options, best first (all of them, or the best ``top_n``)."""

    type: Literal["ranking"]
    top_n: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _top(self) -> RankingQuestion:
        if self.top_n is not None and self.top_n > len(self.options):
            msg = f"top_n is {self.top_n} but there are only {len(self.options)} options"
            raise HintedError(msg, "lower top_n or add options")
        return self


class DotVoteQuestion(Question):
    """Distribute a ``budget`` of points over options or over other participants' ideas.

    With ``source: ideas`` there are no fixed options: any idea id is a valid
    key; ``ideas_from`` may name the question that collects the ideas.
    """

    type: Literal["dot_vote"]
    source: Literal["options", "ideas"] = "options"
    options: list[Option] = Field(default_factory=list)
    ideas_from: str | None = None
    budget: int = Field(ge=1, description="points each participant may give")
    max_per_item: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _source(self) -> DotVoteQuestion:
        if self.source == "options" and not self.options:
            msg = "a dot vote over options needs options"
            raise HintedError(msg, "add `options:` or write `source: ideas`")
        if self.source == "ideas" and self.options:
            msg = "a dot vote over ideas takes no options"
            raise HintedError(msg, "remove `options:` or write `source: options`")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            msg = "duplicate option values in dot vote"
            raise HintedError(msg, "give every option its own `value`")
        return self

    def option_values(self) -> list[str]:
        """The option values, in order (empty for ``source: ideas``)."""
        return [o.value for o in self.options]


class ActionItemsQuestion(Question):
    """A list of action items: what / who / due (ISO date) / status."""

    type: Literal["action_items"]
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> ActionItemsQuestion:
        _check_min_max(self.min_items, self.max_items, "min_items", "max_items")
        return self


class GasGoalQuestion(Question):
    """Goal Attainment Scaling: goals with five levels (-2..+2), a weight and levels reached."""

    type: Literal["gas_goal"]
    min_goals: int | None = Field(default=1, ge=0)
    max_goals: int | None = Field(default=None, ge=1)
    follow_up_required: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> GasGoalQuestion:
        _check_min_max(self.min_goals, self.max_goals, "min_goals", "max_goals")
        return self


def _check_min_max(low: int | None, high: int | None, low_name: str, high_name: str) -> None:
    if low is not None and high is not None and low > high:
        msg = f"{low_name} ({low}) is larger than {high_name} ({high})"
        raise HintedError(msg, f"make {low_name} at most {high_name}")


AnyQuestion = Annotated[
    TextQuestion
    | LongTextQuestion
    | SingleChoiceQuestion
    | MultiChoiceQuestion
    | LikertQuestion
    | ScaleQuestion
    | NumberQuestion
    | RankingQuestion
    | DotVoteQuestion
    | ActionItemsQuestion
    | GasGoalQuestion,
    Field(discriminator="type"),
]


class Phase(_Strict):
    """One phase of a loop, with its own sheet of questions."""

    id: str = Field(pattern=_ID)
    title: LocalizedText
    intro: LocalizedText | None = None
    questions: list[AnyQuestion] = Field(min_length=1)
    feedback: Feedback | None = None


class Template(_Strict):
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
    feedback: Feedback | None = None

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
            groups: list[tuple[Loc, list[Any]]] = [(("questions",), list(self.questions))]
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
                if (
                    isinstance(q, DotVoteQuestion)
                    and q.ideas_from is not None
                    and q.ideas_from not in {x.id for x in questions}
                ):
                    problems.append(
                        (
                            (*loc, "ideas_from"),
                            f"ideas_from refers to the unknown question {q.ideas_from!r}",
                            "name the question that collects the ideas, e.g. `ideas`",
                        )
                    )
                earlier.add(q.id)
        if problems:
            raise TemplateCheckError(problems)
        return self

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
        self, answers: Any, *, phase: str | None = None
    ) -> dict[str, Any]:
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

    def validate_draft(self, answers: Any, *, phase: str | None = None) -> dict[str, Any]:
        """Check a half-filled sheet: like :meth:`validate`, but unfinished answers are allowed.

        Returns the non-empty answers as given; raises :class:`AnswerValidationError`
        for unknown questions, values of the wrong type or option, or over-long texts.
        """
        from transferkit.templates.validation import validate_draft

        return validate_draft(self, answers, phase=phase)

    def example_answers(self, phase: str | None = None, *, seed: int = 0) -> dict[str, Any]:
        """A complete, valid set of answers (deterministic for a given ``seed``)."""
        from transferkit.templates.validation import example_answers

        return example_answers(self, phase=phase, seed=seed)
