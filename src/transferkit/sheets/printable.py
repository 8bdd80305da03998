"""Printable sheets: a template rendered as plain text or as printable HTML (A4).

For workshops without screens: the same template that drives the browser
sheet is printed on paper, with boxes to tick and lines to write on. Both
forms show the template's intro, its sections (or a loop's phases) as
headings, numbered questions with their conditions in words ("nur wenn
»Thema« = »Sonstiges«"), the end labels of a scale ("1 = trifft gar nicht zu
… 5 = trifft voll zu") and a GAS goal as a table with one row per level
(−2 … +2) to write in. Answers written on paper come back through
``transferkit db import responses`` or the moderator's data-entry mode of the
web sheet; the sheet number box on top is what makes that idempotent.

Examples
--------
>>> from transferkit.templates import load_template
>>> sheet = template_to_text(load_template("training_feedback"), lang="en")
>>> sheet.splitlines()[0].startswith("training_feedback v")
True
>>> goals = load_template("pilot_goals")
>>> condition_text(goals.question("topic_other").show_if, goals, "de")
'nur wenn »Worum geht es im Pilotprojekt vor allem?« = »anderes«'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transferkit import pages
from transferkit.i18n import LANGUAGES, text
from transferkit.templates import LocalizedText, Template
from transferkit.templates.sections import sheet_sections

__all__ = [
    "PAGE_POLICY",
    "PaperBlock",
    "PaperQuestion",
    "condition_text",
    "paper_blocks",
    "question_lines",
    "template_to_html",
    "template_to_text",
]

#: The GAS levels from much worse to much better: (value, name as printed, text key).
_LEVELS = ((-2, "−2", "m2"), (-1, "−1", "m1"), (0, "0", "0"), (1, "+1", "p1"), (2, "+2", "p2"))
#: Goal tables printed for a GAS question (at least its ``min_goals``).
_GOALS_ON_PAPER = 3


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _value_label(question: Any, value: Any, lang: str) -> str:
    """An answer value as the participant reads it: the option's or point's label."""
    for option in getattr(question, "options", None) or []:
        if str(option.value).lower() == str(value).strip().lower():
            return str(option.label.get(lang))
    for point in getattr(question, "points", None) or []:
        if _fmt(point.value) == _fmt(value):
            return f"{_fmt(point.value)} – {point.label.get(lang)}"
    return _fmt(value)


def condition_text(condition: Any, template: Template | None, lang: str = "de") -> str:
    """A ``show_if`` in words, with the labels a participant sees on the sheet.

    ``equals`` on a multiple-choice or ranking question means "ticked"; ``in``
    lists its values joined by "oder"/"or". Without ``template`` the question's id
    and the values stand for the labels.
    """
    try:
        target = template.question(condition.question) if template is not None else None
    except KeyError:  # excluded by the template's validation; printed as the id
        target = None
    label = target.label.get(lang) if target is not None else condition.question
    op = condition.operator
    if op == "answered":
        key = "paper.only_if_answered" if condition.answered else "paper.only_if_unanswered"
        return text(key, lang, q=label)
    values = (
        list(condition.in_ or [])
        if op == "in"
        else [condition.equals if op == "equals" else condition.not_equals]
    )
    shown = text("paper.or", lang).join(_value_label(target, v, lang) for v in values)
    is_list = target is not None and target.type in ("multi_choice", "ranking")
    if op == "not_equals":
        return text("paper.only_if_not_equals", lang, q=label, value=shown)
    if is_list:
        return text("paper.only_if_contains", lang, q=label, value=shown)
    return text("paper.only_if_equals", lang, q=label, value=shown)


@dataclass
class PaperQuestion:
    """One question as printed: its number, texts and what to fill in (``kind``-specific)."""

    number: int
    id: str
    type: str
    label: str
    required: bool
    help: str | None
    condition: str | None
    #: choices and points: ``(value as printed, label)``; ranking/dot vote: ``("", label)``
    options: list[tuple[str, str]] = field(default_factory=list)
    #: a scale's or Likert's end labels in words, e.g. ``1 = trifft gar nicht zu … 5 = trifft voll zu``
    ends: str | None = None
    #: one line under the label: "please tick one", the range of a number, the budget, ...
    note: str | None = None
    #: lines to write on (text answers)
    lines: int = 0
    #: GAS: how many goal tables, and the levels ``(value, name, text)``
    goals: int = 0
    levels: list[tuple[int, str, str]] = field(default_factory=list)
    #: action items: column names
    columns: list[str] = field(default_factory=list)


@dataclass
class PaperBlock:
    """A heading (phase or section, ``level`` 2 or 3) with its intro and questions."""

    title: str | None
    level: int
    intro: str | None
    questions: list[PaperQuestion]


def _ends(question: Any, lang: str) -> str | None:
    if question.type == "scale":
        if question.min_label is None and question.max_label is None:
            return None
        low = question.min_label.get(lang) if question.min_label is not None else ""
        high = question.max_label.get(lang) if question.max_label is not None else ""
        values = (_fmt(question.min), _fmt(question.max))
    elif question.type == "likert" and question.points:
        first, last = question.points[0], question.points[-1]
        low, high = first.label.get(lang), last.label.get(lang)
        values = (_fmt(first.value), _fmt(last.value))
    else:
        return None
    return text(
        "paper.scale_ends", lang, low=values[0], low_label=low, high=values[1], high_label=high
    )


def _paper_question(
    question: Any, number: int, template: Template | None, lang: str
) -> PaperQuestion:
    kind = question.type
    out = PaperQuestion(
        number=number,
        id=question.id,
        type=kind,
        label=question.label.get(lang),
        required=bool(question.required),
        help=question.help.get(lang) if question.help is not None else None,
        condition=(
            condition_text(question.show_if, template, lang)
            if question.show_if is not None
            else None
        ),
        ends=_ends(question, lang),
    )
    if kind in ("single_choice", "multi_choice"):
        out.options = [(str(o.value), o.label.get(lang)) for o in question.options]
        out.note = text("paper.tick_one" if kind == "single_choice" else "paper.tick_any", lang)
    elif kind == "likert":
        out.options = [(_fmt(p.value), p.label.get(lang)) for p in question.points]
    elif kind == "scale":
        values, value = [], question.min
        while value <= question.max + 1e-9:
            values.append(_fmt(value))
            value += question.step
        if len(values) <= 11:
            out.options = [(v, "") for v in values]
        else:
            low, high = _fmt(question.min), _fmt(question.max)
            out.note = text("printable.range", lang, low=low, high=high)
            out.lines = 1
    elif kind == "number":
        low, high = _fmt(question.min), _fmt(question.max)
        unit = question.unit.get(lang) if getattr(question, "unit", None) is not None else ""
        out.note = text("printable.range", lang, low=low or "…", high=high or "…") + (
            f" ({unit})" if unit else ""
        )
        out.lines = 1
    elif kind == "ranking":
        out.note = text("printable.rank", lang)
        out.options = [("", o.label.get(lang)) for o in question.options]
    elif kind == "dot_vote":
        out.note = f"{question.budget} {text('printable.budget', lang)}"
        out.options = [("", o.label.get(lang)) for o in question.options]
    elif kind == "action_items":
        out.columns = text("printable.action_columns", lang).split(" | ")
        out.lines = 3
    elif kind == "gas_goal":
        most = question.max_goals
        out.goals = max(question.min_goals or 1, min(most or _GOALS_ON_PAPER, _GOALS_ON_PAPER))
        out.levels = [(v, name, text(f"paper.level_{key}", lang)) for v, name, key in _LEVELS]
        if most is None or most > out.goals:
            out.note = text("paper.more_goals", lang, n=most or "…")
    elif kind == "long_text":
        out.lines = 4
    else:
        out.lines = 1
    return out


def _loc(value: LocalizedText | None, lang: str) -> str | None:
    return value.get(lang) if value is not None else None


def paper_blocks(template: Template, lang: str = "de") -> list[PaperBlock]:
    """The printed sheet's parts in order: headings (phases, sections) with their numbered questions."""
    blocks: list[PaperBlock] = []
    number = 0
    holders: list[tuple[str | None, Any]] = (
        [(p.id, p) for p in template.phases] if template.kind == "loop" else [(None, template)]
    )
    for phase_id, holder in holders:
        sections = sheet_sections(template, phase_id)
        titled = len(sections) > 1
        if phase_id is not None:
            title = f"{text('printable.phase', lang)}: {holder.title.get(lang)}"
            blocks.append(PaperBlock(title, 2, _loc(holder.intro, lang), []))
        for section in sections:
            questions = []
            for question in section.questions:
                number += 1
                questions.append(_paper_question(question, number, template, lang))
            if titled:
                level = 3 if phase_id is not None else 2
                blocks.append(
                    PaperBlock(section.title.get(lang), level, _loc(section.intro, lang), questions)
                )
            elif phase_id is not None:
                blocks[-1].questions = questions
            else:
                blocks.append(PaperBlock(None, 2, None, questions))
    return blocks


def question_lines(question: Any, lang: str = "de", template: Template | None = None) -> list[str]:
    """The printable lines of one question: label, hint and answer boxes.

    With ``template`` its condition names the question and option labels it depends on.
    """
    return _text_lines(_paper_question(question, 1, template, lang), lang)


def _text_lines(q: PaperQuestion, lang: str) -> list[str]:
    mark = "*" if q.required else f"({text('printable.optional', lang)})"
    lines = [f"{q.label} {mark}"]
    if q.help is not None:
        lines.append(f"   {q.help}")
    if q.condition is not None:
        lines.append(f"   [{q.condition}]")
    if q.ends is not None:
        lines.append(f"   {q.ends}")
    if q.note is not None:
        lines.append(f"   {q.note}")
    if q.type in ("single_choice", "multi_choice"):
        box = "( )" if q.type == "single_choice" else "[ ]"
        lines += [f"   {box} {label}" for _value, label in q.options]
    elif q.type == "likert":
        lines.append("   " + "   ".join(f"( ) {v} {label}" for v, label in q.options))
    elif q.type == "scale" and q.options:
        lines.append("   " + "  ".join(f"( ){v}" for v, _label in q.options))
    elif q.type == "ranking":
        lines += [f"   __ {label}" for _value, label in q.options]
    elif q.type == "dot_vote":
        lines += [f"   ____ {label}" for _value, label in q.options]
    elif q.type == "action_items":
        lines.append("   " + " | ".join(q.columns))
        lines += ["   ______________________ | ________ | ________ | ______"] * q.lines
    elif q.type == "gas_goal":
        for i in range(1, q.goals + 1):
            lines.append(
                f"   {text('paper.goal', lang, i=i)}: {text('paper.goal_text', lang)}"
                f" ______________________  {text('paper.weight', lang)}: ____"
            )
            lines.append(
                f"     {text('paper.level', lang)} | {text('paper.level_description', lang)}"
                f" | {text('paper.baseline', lang)} | {text('paper.follow_up', lang)}"
            )
            lines += [
                f"     {name:>2} {level_text}: ______________________________  ( )  ( )"
                for _v, name, level_text in q.levels
            ]
    if q.lines and q.type != "action_items":
        lines += ["   ______________________________________________"] * q.lines
    return lines


def template_to_text(template: Template, lang: str = "de") -> str:
    """Render a template as a plain-text sheet (intro, headings, numbered questions, boxes).

    The sheet's own words come from :mod:`transferkit.i18n` (areas ``printable``, ``paper``):
    a ``lang`` other than ``de`` or ``en`` raises :class:`~transferkit.i18n.LanguageError`.
    """
    out = [f"{template.id} v{template.version} — {template.title.get(lang)}"]
    if template.description is not None:
        out.append(template.description.get(lang))
    if template.intro is not None:
        out += ["", template.intro.get(lang)]
    out += [
        "",
        f"{text('printable.code', lang)}: __________    {text('paper.sheet_number', lang)}: ______",
        "",
    ]
    for block in paper_blocks(template, lang):
        if block.title is not None:
            rule = "==" if block.level == 2 else "--"
            out += [f"{rule} {block.title} {rule}", ""]
        if block.intro is not None:
            out += [block.intro, ""]
        for q in block.questions:
            lines = _text_lines(q, lang)
            out.append(f"{q.number}. {lines[0]}")
            out += lines[1:]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_HELPERS: dict[str, Any] = {"text": text}

#: The printable page's Content-Security-Policy: it loads and runs nothing.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def template_to_html(template: Template, lang: str = "de") -> str:
    """Render a template as a self-contained printable HTML page (A4, one column).

    Every text of the template is escaped (``templates/printable.html.j2``, autoescape:
    a custom template's texts may come from anyone); the page carries
    :data:`PAGE_POLICY`. A ``lang`` other than those of :data:`transferkit.i18n.LANGUAGES`
    gives the German page (as :meth:`LocalizedText.get` does for the template's texts),
    so the page's ``lang`` attribute is always one of them.
    """
    if lang not in LANGUAGES:
        lang = "de"
    return pages.render(
        "transferkit.sheets",
        "printable.html.j2",
        helpers=_HELPERS,
        lang=lang,
        policy=PAGE_POLICY,
        title=template.title.get(lang),
        heading=f"{template.id} v{template.version}",
        description=_loc(template.description, lang),
        intro=_loc(template.intro, lang),
        blocks=paper_blocks(template, lang),
    )
