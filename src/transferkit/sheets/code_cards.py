"""Printable code cards: one pseudonymous participant code per card, to cut out and hand out.

No names anywhere: the card holds the code, the pilot's title and how to use it.
The page is A4, three cards a row, rendered from ``templates/code_cards.html.j2``
by :mod:`transferkit.pages` (autoescape: a pilot title is text, never HTML).
"""

from __future__ import annotations

from collections.abc import Sequence

from transferkit import pages
from transferkit.i18n import text

__all__ = ["code_cards_html"]


def code_cards_html(codes: Sequence[str], *, pilot_title: str = "", lang: str = "de") -> str:
    """The HTML page of code cards for ``codes`` (German or English)."""
    title = text("sheet.code_cards_title", lang) + (f" – {pilot_title}" if pilot_title else "")
    return pages.render(
        "transferkit.sheets",
        "code_cards.html.j2",
        lang=lang,
        title=title,
        codes=list(codes),
        pilot_line=pilot_title,
        note=text("sheet.code_cards_note", lang),
    )
