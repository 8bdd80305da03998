"""What the web sheet's script needs to show a sheet one section at a time.

The sections themselves are rendered by ``templates/sections.html.j2`` (every
section shown: without the script the sheet is one long form). The script
reads ``sections`` from its configuration: per section its id, its question
ids and which of them are required, so that "next" stops at an unanswered
required question shown in the section (the server validates everything again
on submit), and the texts of :mod:`transferkit.i18n` area ``sections``.

Examples
--------
>>> from transferkit.templates import load_template
>>> cfg = sections_config(load_template("needs_analysis"), None, "en")
>>> [s["id"] for s in cfg["sections"]], cfg["section_texts"]["progress"]
(['digital', 'soft', 'sustainability', 'formats_time'], 'Section {n} of {total}')
>>> sections_config(load_template("training_feedback"), None, "de")["sections"]
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transferkit.i18n import area_texts
from transferkit.templates.sections import sheet_sections

if TYPE_CHECKING:
    from transferkit.templates import Template

__all__ = ["sections_config"]


def sections_config(template: Template, phase: str | None, lang: str) -> dict[str, Any]:
    """``{"sections": [...], "section_texts": {...}}`` for the page's script (no sections: ``[]``)."""
    sections = sheet_sections(template, phase)
    shown = (
        [
            {
                "id": s.id,
                "questions": s.question_ids,
                "required": [q.id for q in s.questions if q.required],
                "labels": {q.id: q.label.get(lang) for q in s.questions if q.required},
            }
            for s in sections
        ]
        if len(sections) > 1
        else []
    )
    return {"sections": shown, "section_texts": area_texts("sections", lang)}
