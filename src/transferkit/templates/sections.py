"""Sections of a long sheet: questions grouped into pages, each with a German/English title.

A sheet (or a loop's phase) may list ``sections``; each names its questions by
id. The web sheet shows one section at a time with a progress indicator, the
printed sheet gives each section a heading. Rules (checked with the template,
every problem at once, each with its line):

- every id a section lists is a question of the same sheet or phase;
- a question is in at most one section; questions no section lists form a
  last, default section ("Weitere Fragen" / "Further questions");
- section ids are unique;
- a ``show_if`` may refer only to a question of the same or an earlier
  section (a participant cannot answer a question that comes later).

Within a section, questions keep the order of ``questions:``.

Examples
--------
>>> from transferkit.templates import load_template_string
>>> t = load_template_string('''
... id: mini
... version: 1
... title: {de: Mini, en: Mini}
... sections:
...   - {id: team, title: {de: Team, en: Team}, questions: [team]}
... questions:
...   - {id: team, type: text, label: {de: Team, en: Team}}
...   - {id: note, type: text, required: false, label: {de: Notiz, en: Note}}
... ''')
>>> [(s.id, s.question_ids) for s in sheet_sections(t)]
[('team', ['team']), ('further', ['note'])]
>>> sheet_sections(t)[1].title.get("en")
'Further questions'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from transferkit.templates.model import LocalizedText, Strict

if TYPE_CHECKING:
    from transferkit.templates.model import Question, Template

__all__ = [
    "DEFAULT_SECTION_ID",
    "Section",
    "SheetSection",
    "section_problems",
    "sheet_sections",
]

#: Id of the section that holds the questions no section lists.
DEFAULT_SECTION_ID = "further"
_DEFAULT_TITLE = {"de": "Weitere Fragen", "en": "Further questions"}

Loc = tuple[str | int, ...]


class Section(Strict):
    """One section (page) of a sheet: ``id``, ``title`` (de/en), optional ``intro``, its question ids."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", description="section id, e.g. digital")
    title: LocalizedText
    intro: LocalizedText | None = None
    questions: list[str] = Field(min_length=1, description="ids of the section's questions")


@dataclass(frozen=True)
class SheetSection:
    """A section as shown: its questions in sheet order (the default section included)."""

    id: str
    title: LocalizedText
    intro: LocalizedText | None
    questions: tuple[Question, ...]

    @property
    def question_ids(self) -> list[str]:
        """Ids of the section's questions, in sheet order."""
        return [q.id for q in self.questions]


def _default_title() -> LocalizedText:
    return LocalizedText(**_DEFAULT_TITLE)


def section_problems(
    base: Loc, sections: Sequence[Section], questions: Sequence[Question], questions_at: Loc
) -> list[tuple[Loc, str, str]]:
    """Problems of the ``sections`` of one sheet or phase.

    ``base`` is where ``sections`` is in the template, ``questions_at`` where its ``questions`` are.
    """
    if not sections:
        return []
    problems: list[tuple[Loc, str, str]] = []
    ids = [q.id for q in questions]
    valid = ", ".join(ids)
    section_of: dict[str, int] = {}
    seen_sections: dict[str, int] = {}
    for i, section in enumerate(sections):
        if section.id in seen_sections or section.id == DEFAULT_SECTION_ID:
            why = (
                f"the section id {DEFAULT_SECTION_ID!r} is kept for the questions no section lists"
                if section.id == DEFAULT_SECTION_ID
                else f"duplicate section id {section.id!r}"
            )
            problems.append(((*base, i, "id"), why, "give every section its own id"))
        seen_sections.setdefault(section.id, i)
        for j, qid in enumerate(section.questions):
            loc = (*base, i, "questions", j)
            if qid not in ids:
                problems.append(
                    (
                        loc,
                        f"section {section.id!r} lists the unknown question {qid!r}",
                        f"list only questions of this sheet or phase: {valid}",
                    )
                )
            elif qid in section_of:
                first = sections[section_of[qid]].id
                problems.append(
                    (
                        loc,
                        f"question {qid!r} is already in section {first!r}",
                        "put every question into one section only",
                    )
                )
            else:
                section_of[qid] = i
    last = len(sections)  # the default section comes last
    for n, q in enumerate(questions):
        cond = q.show_if
        if cond is None or cond.question not in ids:
            continue  # an unknown target is reported with the question
        mine, theirs = section_of.get(q.id, last), section_of.get(cond.question, last)
        if theirs > mine:
            where = sections[mine].id if mine < last else DEFAULT_SECTION_ID
            problems.append(
                (
                    (*questions_at, n, "show_if", "question"),
                    (
                        f"question {q.id!r} (section {where!r}) depends on {cond.question!r}, "
                        "which comes in a later section"
                    ),
                    f"put {cond.question!r} into the same or an earlier section",
                )
            )
    return problems


def sheet_sections(template: Template, phase: str | None = None) -> list[SheetSection]:
    """The sections of a sheet (or of one ``phase``) as shown, the default section last.

    A sheet without ``sections`` gives one default section holding every question
    (id :data:`DEFAULT_SECTION_ID`); callers that show sections only for a sheet
    that declares them check ``len(...) > 1``.
    """
    holder = template.phase(phase) if phase is not None else template
    questions = list(template.all_questions(phase))
    declared: Sequence[Section] = getattr(holder, "sections", [])
    out: list[SheetSection] = []
    listed: set[str] = set()
    for section in declared:
        wanted = set(section.questions)
        listed |= wanted
        out.append(
            SheetSection(
                section.id,
                section.title,
                section.intro,
                tuple(q for q in questions if q.id in wanted),
            )
        )
    rest = tuple(q for q in questions if q.id not in listed)
    if rest or not out:
        out.append(SheetSection(DEFAULT_SECTION_ID, _default_title(), None, rest))
    return out
