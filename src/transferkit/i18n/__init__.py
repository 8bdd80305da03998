"""Every text of the user interfaces and reports, in German and English, from one catalogue.

The texts live in one TOML file per area next to this module (``sheet.toml`` for the
participant sheet, ``live.toml`` for the moderator screens, ``report.toml`` for the
reports, …); each key holds its German and English text side by side::

    [confirm]
    de = "✔ Vielen Dank! Ihre Antworten sind gespeichert (Nr. {n})."
    en = "✔ Thank you! Your answers have been saved (no. {n})."

A text's key is ``"<area>.<name>"``; ``{name}`` marks a value filled in by :func:`text`.
An unknown key raises :class:`KeyError` (a typo must fail in a test, not ship in a
report); a language other than ``de`` or ``en`` raises :class:`LanguageError`.
Template *content* (questions, options from YAML) is not here: it is
:class:`transferkit.templates.LocalizedText`.

>>> text("sheet.confirm", "en", n=17)
'✔ Thank you! Your answers have been saved (no. 17).'
>>> text("sheet.legend", "de")
'* Pflichtfeld'
>>> text("sheet.legnd", "de")
Traceback (most recent call last):
...
KeyError: "unknown text 'sheet.legnd'"
>>> text("sheet.legend", "fr")
Traceback (most recent call last):
...
transferkit.i18n.LanguageError: unknown language 'fr': use one of de, en
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from transferkit.exceptions import TransferkitError

__all__ = [
    "LANGUAGES",
    "LanguageError",
    "area_texts",
    "both",
    "catalogue",
    "has_text",
    "in_lang",
    "text",
]

#: The languages of every text.
LANGUAGES: tuple[str, ...] = ("de", "en")


class LanguageError(TransferkitError, ValueError):
    """A language other than those of :data:`LANGUAGES` was asked for."""


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        msg = f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}"
        raise LanguageError(msg)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every text: ``{"<area>.<name>": {"de": …, "en": …}}``, read once from the TOML files."""
    texts: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        area = entry.name.removesuffix(".toml")
        for name, value in tomllib.loads(entry.read_text("utf-8")).items():
            texts[f"{area}.{name}"] = value
    return texts


def text(key: str, lang: str, /, **values: Any) -> str:
    """The text ``key`` (``"<area>.<name>"``) in ``lang``, ``{name}`` placeholders filled
    from ``values`` (without values the text is returned as written).

    Raises :class:`KeyError` for an unknown key, :class:`LanguageError` for a language
    other than ``de`` or ``en``.
    """
    _check_lang(lang)
    entry = catalogue().get(key)
    if entry is None:
        msg = f"unknown text {key!r}"
        raise KeyError(msg)
    chosen = entry[lang]
    return chosen.format(**values) if values else chosen


def has_text(key: str) -> bool:
    """Whether the catalogue has the text ``key`` (for labels of codes that may have none)."""
    return key in catalogue()


def area_texts(area: str, lang: str) -> dict[str, str]:
    """Every text of ``area`` in ``lang``, by name, placeholders left as they are (e.g. for
    the web sheet's script)."""
    _check_lang(lang)
    prefix = f"{area}."
    return {
        key.removeprefix(prefix): entry[lang]
        for key, entry in catalogue().items()
        if key.startswith(prefix)
    }


def both(key: str, /, **values: Any) -> str:
    """The text ``key`` in German and English at once, ``"Deutsch / English"`` (for errors
    raised before the reader's language is known; :func:`in_lang` picks one part).

    >>> both("link.needs_loop")
    'Im Link fehlt loop=…, z. B. ?pilot=P01&loop=2 / the link needs loop=…, e.g. ?pilot=P01&loop=2'
    """
    return " / ".join(text(key, lang, **values) for lang in LANGUAGES)


def in_lang(message: str, lang: str) -> str:
    """The part of a two-language message ``"Deutsch / English"`` in ``lang`` (the whole
    message if it has no such two parts): errors raised in both languages at once.

    >>> in_lang("Ungültig / Invalid", "en")
    'Invalid'
    """
    _check_lang(lang)
    parts = message.split(" / ")
    if len(parts) != 2:
        return message
    return parts[LANGUAGES.index(lang)]
