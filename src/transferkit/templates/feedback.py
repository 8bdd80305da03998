"""The ``feedback`` of a template: what a participant sees after submitting, one kind each.

A template (or a phase of a loop) names one feedback *kind*; what else it may
write depends on the kind (:data:`FEEDBACK_KINDS`, one model each, chosen by
``kind``). An unknown kind or parameter is a template error that names the
valid ones. The views themselves are drawn by :mod:`transferkit.sheets.feedback`.

=================  ===============================================  ==========================
kind               shows                                            parameters
=================  ===============================================  ==========================
``summary``        the answers, options by their labels             –
``action_summary`` the answers, action items as what / who / due    –
``vote_results``   the answers, the points given by option          ``question`` (a dot vote)
``top_priorities`` the largest gaps importance − competence         ``top``, ``importance_prefix``,
                                                                    ``competence_prefix``, ``rule``
``profile``        the mean per scale group (or area), on the       ``group_by``, ``scales``
                   scale of its Likert items
``gas_summary``    the GAS goals with their baseline (and           ``question`` (a gas_goal)
                   follow-up) level in words
=================  ===============================================  ==========================

Scale groups are named in words by the template's ``scale_groups`` (German and
English per group name), else by the vocabulary
(:data:`transferkit.vocabulary.SCALE_GROUP_NAMES`) for its own names:
:func:`scale_group_label`.

Examples
--------
>>> from transferkit.templates import load_template
>>> t = load_template("competence_self_assessment")
>>> t.feedback.kind, scale_group_label(t, "soft", "en")
('profile', 'Soft skills')
>>> FEEDBACK_KINDS[:3]
('summary', 'action_summary', 'vote_results')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field

from transferkit.vocabulary import SCALE_GROUP_NAMES

if TYPE_CHECKING:
    from transferkit.templates.model import JSONValue, Loc, Question, Template

__all__ = [
    "FEEDBACK_KINDS",
    "ActionSummaryFeedback",
    "Feedback",
    "FeedbackBase",
    "GasSummaryFeedback",
    "ProfileFeedback",
    "SummaryFeedback",
    "TopPrioritiesFeedback",
    "VoteResultsFeedback",
    "feedback_problems",
    "scale_group_label",
    "scale_group_problems",
]

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"
_PREFIX = r"^[A-Za-z][A-Za-z0-9_]*$"


class FeedbackBase(BaseModel):
    """What every feedback kind has: its ``kind``; the rest are the kind's parameters.

    Unknown fields are refused, as in every template part
    (:class:`transferkit.templates.model.Strict`; the models here are defined before it,
    so that :mod:`~transferkit.templates.model` can build on them).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: str

    @property
    def params(self) -> dict[str, JSONValue]:
        """The parameters written in the template (besides ``kind``)."""
        return self.model_dump(mode="json", exclude={"kind"}, exclude_unset=True)


class SummaryFeedback(FeedbackBase):
    """The participant's answers, in words (option and point labels, not stored values)."""

    kind: Literal["summary"]


class ActionSummaryFeedback(FeedbackBase):
    """The answers; action items as ``what / who / due (status)``."""

    kind: Literal["action_summary"]


class VoteResultsFeedback(FeedbackBase):
    """The answers; the points of a dot vote by option."""

    kind: Literal["vote_results"]
    question: str | None = Field(
        default=None, pattern=_ID, description="id of the dot_vote question"
    )


class TopPrioritiesFeedback(FeedbackBase):
    """The largest gaps between importance and competence (question pairs by prefix)."""

    kind: Literal["top_priorities"]
    top: int = Field(default=3, ge=1, le=50, description="how many topics to show")
    importance_prefix: str = Field(default="imp_", pattern=_PREFIX)
    competence_prefix: str = Field(default="comp_", pattern=_PREFIX)
    rule: Literal["importance_minus_competence"] = Field(
        default="importance_minus_competence",
        description="priority = importance − competence, largest gap first",
    )


class ProfileFeedback(FeedbackBase):
    """The mean per scale group (reverse-keyed items turned), on the scale of the items."""

    kind: Literal["profile"]
    group_by: Literal["scale_group", "area"] = "scale_group"
    scales: list[Annotated[str, Field(pattern=_ID)]] | None = Field(
        default=None, description="the groups to show, in this order (default: all)"
    )


class GasSummaryFeedback(FeedbackBase):
    """The participant's GAS goals: baseline level in words, and the follow-up if rated."""

    kind: Literal["gas_summary"]
    question: str | None = Field(
        default=None, pattern=_ID, description="id of the gas_goal question (default: all)"
    )


#: A template's or phase's ``feedback``: one of the kinds, chosen by ``kind``.
Feedback: TypeAlias = Annotated[
    Union[  # noqa: UP007 - a discriminated union for pydantic
        SummaryFeedback,
        ActionSummaryFeedback,
        VoteResultsFeedback,
        TopPrioritiesFeedback,
        ProfileFeedback,
        GasSummaryFeedback,
    ],
    Field(discriminator="kind"),
]

#: The feedback kinds, in the order of the documentation.
FEEDBACK_KINDS: tuple[str, ...] = (
    "summary",
    "action_summary",
    "vote_results",
    "top_priorities",
    "profile",
    "gas_summary",
)


# --------------------------------------------------------------------------- labels
def scale_group_label(template: Template, name: str, lang: str = "de") -> str:
    """A scale group (or area) in words: the template's ``scale_groups``, else the vocabulary.

    A name neither knows is shown as written, ``_`` as spaces (a template check
    keeps that from happening in a ``profile`` feedback).
    """
    own = template.scale_groups.get(name)
    if own is not None:
        return own.get(lang)
    names = SCALE_GROUP_NAMES.get(lang, SCALE_GROUP_NAMES["de"])
    return names.get(name) or name.replace("_", " ")


def _known_label(template: Template, name: str) -> bool:
    return name in template.scale_groups or name in SCALE_GROUP_NAMES["de"]


# --------------------------------------------------------------------------- template checks
Problem: TypeAlias = "tuple[Loc, str, str]"


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "(none)"


def feedback_problems(
    template: Template, feedback: FeedbackBase, questions: Sequence[Question], loc: Loc
) -> list[Problem]:
    """Problems of one ``feedback`` (at ``loc``) with the ``questions`` it is shown for."""
    problems: list[Problem] = []
    by_id = {q.id: q for q in questions}
    if isinstance(feedback, VoteResultsFeedback | GasSummaryFeedback):
        wanted = "dot_vote" if isinstance(feedback, VoteResultsFeedback) else "gas_goal"
        fitting = [q.id for q in questions if q.type == wanted]
        if feedback.question is not None:
            q = by_id.get(feedback.question)
            if q is None or q.type != wanted:
                what = "unknown question" if q is None else f"{q.type} question"
                problems.append(
                    (
                        (*loc, "question"),
                        f"feedback {feedback.kind} names the {what} {feedback.question!r}",
                        f"name a {wanted} question of this sheet: {_listing(fitting)}",
                    )
                )
        elif not fitting:
            problems.append(
                (
                    (*loc, "kind"),
                    f"feedback {feedback.kind} needs a {wanted} question, this sheet has none",
                    f"add a {wanted} question or choose another kind, e.g. summary",
                )
            )
    elif isinstance(feedback, TopPrioritiesFeedback):
        imp, comp = feedback.importance_prefix, feedback.competence_prefix
        pairs = [
            q.id
            for q in questions
            if q.id.startswith(imp) and comp + q.id.removeprefix(imp) in by_id
        ]
        if not pairs:
            problems.append(
                (
                    (*loc, "kind"),
                    f"feedback top_priorities finds no question pairs {imp}<topic> / {comp}<topic>",
                    (
                        "name the questions e.g. imp_ai_use and comp_ai_use, or set "
                        "importance_prefix and competence_prefix"
                    ),
                )
            )
    elif isinstance(feedback, ProfileFeedback):
        groups: list[str] = []
        for q in questions:
            group = getattr(q, feedback.group_by, None)
            if q.type == "likert" and group is not None and group not in groups:
                groups.append(group)
        if not groups:
            problems.append(
                (
                    (*loc, "kind"),
                    f"feedback profile finds no likert question with a {feedback.group_by}",
                    f"give the likert questions `{feedback.group_by}:` or choose another kind",
                )
            )
        shown = groups
        if feedback.scales is not None:
            shown = []
            for i, name in enumerate(feedback.scales):
                if name in groups:
                    shown.append(name)
                else:
                    problems.append(
                        (
                            (*loc, "scales", i),
                            f"no likert question has the {feedback.group_by} {name!r}",
                            f"use one of: {_listing(groups)}",
                        )
                    )
        for name in shown:
            if not _known_label(template, name):
                problems.append(
                    (
                        (*loc, "scales") if feedback.scales is not None else (*loc, "kind"),
                        f"the scale group {name!r} has no name in words for participants",
                        f'add `scale_groups: {{{name}: {{de: "…", en: "…"}}}}` to the template',
                    )
                )
    return problems


def scale_group_problems(template: Template) -> list[Problem]:
    """Labels in ``scale_groups`` for a group no question has (a typo, most likely)."""
    used: list[str] = []
    for q in template.all_questions():
        for name in (q.scale_group, q.area):
            if name is not None and name not in used:
                used.append(name)
    return [
        (
            ("scale_groups", name),
            f"no question has the scale group (or area) {name!r}",
            f"use a name of the questions' scale_group or area: {_listing(used)}",
        )
        for name in template.scale_groups
        if name not in used
    ]
