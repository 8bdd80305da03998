"""Report texts and readable names of codes, in German and English.

The texts are the ``report`` area of the one catalogue (:mod:`transferkit.i18n`,
``i18n/report.toml``), the names of codes its ``label`` and ``format`` areas; names of
scale groups, topics and statuses come from :mod:`transferkit.vocabulary`.
"""

from __future__ import annotations

from transferkit import i18n
from transferkit.vocabulary import SCALE_GROUP_NAMES, STATUS_LABELS, TOPIC_SHORT_NAMES

__all__ = ["format_name", "label", "scale_name", "status_label", "text", "topic_name"]


def text(key: str, lang: str = "de", **values: object) -> str:
    """A report text in ``lang`` (German by default), formatted with ``values``.

    Raises ``KeyError`` for an unknown key: a typo must fail in a test, not ship
    in a published report.

    >>> text("pre", "en")
    'before'
    >>> text("prre")
    Traceback (most recent call last):
    ...
    KeyError: "unknown text 'report.prre'"
    """
    return i18n.text(f"report.{key}", lang, **values)


def _named(area: str, value: object, lang: str, fallback: str) -> str:
    key = f"{area}.{value}"
    return i18n.text(key, lang) if i18n.has_text(key) else fallback


def label(value: object, lang: str = "de") -> str:
    """A readable label for a code such as ``staff_learning_time`` or ``percent`` (a code
    without a label: its words, ``staff learning time``)."""
    key = str(value)
    return _named("label", key, lang, key.replace("_", " "))


def topic_name(topic: str, lang: str = "de") -> str:
    """The short readable name of a needs-analysis topic."""
    return _words(TOPIC_SHORT_NAMES, lang).get(topic, topic)


def scale_name(group: str, lang: str = "de") -> str:
    """The readable name of a scale group (``digital`` -> ``Digitale Kompetenzen``)."""
    return _words(SCALE_GROUP_NAMES, lang).get(group, group)


def format_name(value: str, lang: str = "de") -> str:
    """The readable name of a learning format."""
    return _named("format", value, lang, value)


def status_label(status: str, lang: str = "de") -> str:
    """An action item's status in words (``carried_over`` -> ``übertragen``)."""
    return _words(STATUS_LABELS, lang).get(status, status)


def _words(names: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    if lang not in names:
        msg = f"unknown language {lang!r}: use one of {', '.join(i18n.LANGUAGES)}"
        raise i18n.LanguageError(msg)
    return names[lang]
