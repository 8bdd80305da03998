"""Printable code cards: one pseudonymous participant code per card, to cut out and hand out.

No names anywhere: the card holds the code, the pilot's title and how to use it.
The page is A4, three cards a row, rendered from ``templates/code_cards.html.j2``
with autoescape (a pilot title is text, never HTML).
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["code_cards_html"]

_NOTE = {
    "de": "Ihr persönlicher Code: bitte aufbewahren und bei jedem Bogen eingeben. Kein Name nötig.",
    "en": "Your personal code: keep it and type it on every sheet. No name needed.",
}
_TITLE = {"de": "Teilnahme-Codes", "en": "Participant codes"}


def code_cards_html(codes: Sequence[str], *, pilot_title: str = "", lang: str = "de") -> str:
    """The HTML page of code cards for ``codes`` (German or English)."""
    if lang not in _NOTE:
        msg = f"lang must be 'de' or 'en', got {lang!r}"
        raise ValueError(msg)
    environment = Environment(
        loader=PackageLoader("transferkit.sheets", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    title = _TITLE[lang] + (f" – {pilot_title}" if pilot_title else "")
    return environment.get_template("code_cards.html.j2").render(
        lang=lang, title=title, codes=list(codes), pilot_line=pilot_title, note=_NOTE[lang]
    )
