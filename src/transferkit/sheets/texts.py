"""Texts of the participant sheet (:mod:`transferkit.sheets.web`): the ``sheet`` area of
the one catalogue, :mod:`transferkit.i18n` (``i18n/sheet.toml``).

Compatibility names for :mod:`transferkit.sheets.web.render` until it takes its texts
from :mod:`transferkit.i18n` itself: :func:`text` (a key of the ``sheet`` area),
:func:`texts` (all of them, for the web sheet's script) and :data:`STATUS_LABELS`
(from :mod:`transferkit.vocabulary`).

Examples
--------
>>> text("confirm", "de", n=17)
'✔ Vielen Dank! Ihre Antworten sind gespeichert (Nr. 17).'
>>> text("summary", "en", n=2)
'Not saved yet: 2 answer(s) missing or invalid – see the questions marked in red.'
"""

from __future__ import annotations

from typing import Any

from transferkit import i18n
from transferkit.vocabulary import STATUS_LABELS

__all__ = ["STATUS_LABELS", "text", "texts"]


def text(key: str, lang: str = "de", **values: Any) -> str:
    """The sheet text ``key`` in ``lang``: :func:`transferkit.i18n.text` of ``sheet.<key>``."""
    return i18n.text(f"sheet.{key}", lang, **values)


def texts(lang: str = "de") -> dict[str, str]:
    """Every sheet text in ``lang``, placeholders left as they are (for the web sheet's script)."""
    return i18n.area_texts("sheet", lang)
