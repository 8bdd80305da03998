"""Printable sheets: a template rendered as plain text or as printable HTML.

For workshops without screens: the same template that drives the browser
sheet is printed on paper, with boxes to tick and lines to write on.

Examples
--------
>>> from transferkit.templates import load_template
>>> sheet = template_to_text(load_template("training_feedback"), lang="en")
>>> sheet.splitlines()[0].startswith("training_feedback v")
True
"""

from __future__ import annotations

from typing import Any

from transferkit import pages
from transferkit.i18n import LANGUAGES, text
from transferkit.templates import LocalizedText, Template

__all__ = ["PAGE_POLICY", "question_lines", "template_to_html", "template_to_text"]


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def question_lines(question: Any, lang: str = "de") -> list[str]:
    """The printable lines of one question: label, hint and answer boxes."""
    mark = "*" if question.required else f"({text('printable.optional', lang)})"
    lines = [f"{question.label.get(lang)} {mark}"]
    if question.help is not None:
        lines.append(f"   {question.help.get(lang)}")
    if question.show_if is not None:
        lines.append(f"   [{text('printable.only_if', lang, q=question.show_if.question)}]")
    kind = question.type
    if kind in {"single_choice", "multi_choice"}:
        box = "( )" if kind == "single_choice" else "[ ]"
        lines += [f"   {box} {option.label.get(lang)}" for option in question.options]
    elif kind == "likert":
        lines.append(
            "   " + "   ".join(f"( ) {p.value} {p.label.get(lang)}" for p in question.points)
        )
    elif kind == "scale":
        values = []
        value = question.min
        while value <= question.max + 1e-9:
            values.append(_fmt(value))
            value += question.step
        lines.append("   " + "  ".join(f"( ){v}" for v in values))
    elif kind == "number":
        low, high = _fmt(question.min), _fmt(question.max)
        lines.append(
            f"   ________  ({text('printable.range', lang, low=low or '…', high=high or '…')})"
        )
    elif kind == "ranking":
        lines.append(f"   {text('printable.rank', lang)}:")
        lines += [f"   __ {option.label.get(lang)}" for option in question.options]
    elif kind == "dot_vote":
        lines.append(f"   {question.budget} {text('printable.budget', lang)}")
        lines += [f"   ____ {option.label.get(lang)}" for option in question.options]
    elif kind == "action_items":
        lines.append(f"   {text('printable.action_columns', lang)}")
        lines += ["   ______________________ | ________ | ________ | ______"] * 3
    elif kind == "gas_goal":
        lines.append(f"   {text('printable.goal_columns', lang)}")
        lines += ["   ______________________________________________"] * 3
    elif kind == "long_text":
        lines += ["   ______________________________________________"] * 3
    else:
        lines.append("   ______________________________________________")
    return lines


def _sections(template: Template) -> list[tuple[LocalizedText | None, list[Any]]]:
    if template.kind == "loop":
        return [(phase.title, list(phase.questions)) for phase in template.phases]
    return [(None, list(template.questions))]


def template_to_text(template: Template, lang: str = "de") -> str:
    """Render a template as a plain-text sheet (numbered questions, answer boxes).

    The sheet's own words come from :mod:`transferkit.i18n` (area ``printable``): a
    ``lang`` other than ``de`` or ``en`` raises :class:`~transferkit.i18n.LanguageError`.
    """
    out = [f"{template.id} v{template.version} — {template.title.get(lang)}"]
    if template.description is not None:
        out.append(template.description.get(lang))
    out += ["", f"{text('printable.code', lang)}: __________", ""]
    number = 0
    for title, questions in _sections(template):
        if title is not None:
            out += [f"== {text('printable.phase', lang)}: {title.get(lang)} ==", ""]
        for question in questions:
            number += 1
            lines = question_lines(question, lang)
            out.append(f"{number}. {lines[0]}")
            out += lines[1:]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


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
        lang=lang,
        policy=PAGE_POLICY,
        title=template.title.get(lang),
        sheet=template_to_text(template, lang),
    )
