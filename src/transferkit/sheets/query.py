"""Parse the query string of a workshop link into a :class:`SheetRequest`.

Participants join the web sheet through a link such as
``/sheet?sheet=needs_analysis&pilot=P01&loop=2&lang=de``; the moderator
screens (Voilà, which hands the query to the kernel as ``$QUERY_STRING``)
take the same parameters. The template is named by ``sheet=``, not
``template=``: Voilà reads ``template`` as its own page-template name. Old
links with ``template=`` are still understood (:data:`LEGACY_PARAMETERS`);
the web sheet redirects them to the new name (:func:`canonical_query`). Errors are
:class:`~transferkit.exceptions.ParameterError` with a message a participant
or moderator can act on.

Examples
--------
>>> r = parse_query("sheet=needs_analysis&pilot=P01&loop=2&lang=en&code=K7M4QX")
>>> r.template, r.pilot, r.loop, r.lang, r.code
('needs_analysis', 'P01', 2, 'en', 'K7M4QX')
>>> parse_query("").template is None
True
>>> parse_query("loop=zwei")
Traceback (most recent call last):
...
transferkit.exceptions.ParameterError: Link-Parameter loop='zwei' ist keine ganze Zahl / link parameter loop='zwei' is not a whole number (e.g. loop=2)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import NoReturn
from urllib.parse import parse_qs, parse_qsl, urlencode

from transferkit.exceptions import ParameterError
from transferkit.i18n import LANGUAGES, text

__all__ = [
    "KNOWN_PARAMETERS",
    "LEGACY_PARAMETERS",
    "SheetRequest",
    "canonical_query",
    "get_query_string",
    "join_url",
    "parse_query",
    "sheet_url",
]

#: Parameters understood in a workshop link (``sheet`` fills :attr:`SheetRequest.template`).
KNOWN_PARAMETERS = ("sheet", "pilot", "company", "loop", "phase", "lang", "code", "questions")

#: Old parameter names still understood: old name → new name (``template=`` clashed with Voilà's own argument).
LEGACY_PARAMETERS = {"template": "sheet"}

#: The :class:`SheetRequest` field behind a link parameter whose name differs from it.
_FIELDS = {"sheet": "template"}

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./\-]{1,300}$")


@dataclass(frozen=True)
class SheetRequest:
    """What a workshop link asks for."""

    template: str | None = None
    pilot: str | None = None
    loop: int | None = None
    phase: str | None = None
    lang: str = "de"
    code: str | None = None
    questions: str | None = None
    company: str | None = None  # the participant's company, when the link is for one company

    def question_ids(self) -> list[str]:
        """The ``questions=a,b`` selection as a list (empty: all questions)."""
        return [q for q in (self.questions or "").split(",") if q]

    def with_(self, **changes: object) -> SheetRequest:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def query(self) -> str:
        """The query string that gives this request back (``parse_query(r.query()) == r``)."""
        pairs = [
            (name, str(getattr(self, _FIELDS.get(name, name))))
            for name in KNOWN_PARAMETERS
            if getattr(self, _FIELDS.get(name, name)) is not None
            and not (name == "lang" and self.lang == "de")
        ]
        return urlencode(pairs)


def _bad(name: str, value: str, reason: str) -> NoReturn:
    """Raise :class:`ParameterError` for link parameter ``name``; ``reason`` is a ``link.`` text."""
    msg = " / ".join(
        text(
            "link.parameter",
            lang,
            name=name,
            value=repr(value),
            reason=text(f"link.{reason}", lang),
        )
        for lang in LANGUAGES
    )
    raise ParameterError(msg)


def parse_query(query: str | None) -> SheetRequest:
    """Parse a query string (with or without a leading ``?``); unknown parameters are ignored."""
    raw = parse_qs((query or "").lstrip("?"), keep_blank_values=False)
    for old, new in LEGACY_PARAMETERS.items():
        if old in raw and new not in raw:
            raw[new] = raw[old]
    values: dict[str, str] = {}
    for name in KNOWN_PARAMETERS:
        given = raw.get(name)
        if not given:
            continue
        value = given[-1].strip()
        if value:
            values[name] = value
    template = values.get("sheet")
    if template is not None and not (_SAFE.match(template) or _SAFE_PATH.match(template)):
        _bad("sheet", template, "not_a_template_name")
    if template is not None and ".." in template:
        _bad("sheet", template, "no_dotdot")
    questions = values.get("questions")
    if questions is not None and not re.fullmatch(
        r"[A-Za-z][A-Za-z0-9_]*(,[A-Za-z][A-Za-z0-9_]*)*", questions
    ):
        _bad("questions", questions, "not_question_ids")
    for name in ("pilot", "company", "phase", "code"):
        item = values.get(name)
        if item is not None and not _SAFE.match(item):
            _bad(name, item, "bad_characters")
    loop: int | None = None
    if "loop" in values:
        if not re.fullmatch(r"-?[0-9]+", values["loop"]):
            _bad("loop", values["loop"], "not_whole_number")
        if len(values["loop"]) > 4 or int(values["loop"]) < 0 or int(values["loop"]) > 9999:
            _bad("loop", values["loop"], "loop_range")
        loop = int(values["loop"])
    lang = values.get("lang", "de").lower()
    if lang not in ("de", "en"):
        _bad("lang", values["lang"], "lang")
    return SheetRequest(
        template=template,
        pilot=values.get("pilot"),
        loop=loop,
        phase=values.get("phase"),
        lang=lang,
        code=values.get("code"),
        questions=questions,
        company=values.get("company"),
    )


def canonical_query(query: str | None) -> str | None:
    """``query`` with old parameter names renamed (:data:`LEGACY_PARAMETERS`), or ``None`` if it has none.

    Nothing else changes: the other parameters keep their order and values
    (nothing is added, in particular no code). An old name next to its new
    one is dropped (the new one wins, as in :func:`parse_query`).

    >>> canonical_query("template=needs_analysis&pilot=P01&token=s3cret")
    'sheet=needs_analysis&pilot=P01&token=s3cret'
    >>> canonical_query("sheet=needs_analysis") is None
    True
    """
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    names = {name for name, _ in pairs}
    if not names & set(LEGACY_PARAMETERS):
        return None
    renamed = [
        (LEGACY_PARAMETERS.get(name, name), value)
        for name, value in pairs
        if not (name in LEGACY_PARAMETERS and LEGACY_PARAMETERS[name] in names)
    ]
    return urlencode(renamed)


def get_query_string() -> str:
    """The page's query string inside a Voilà kernel: ``$QUERY_STRING`` (``""`` outside Voilà)."""
    return os.environ.get("QUERY_STRING", "")


def join_url(base_url: str, notebook: str, request: SheetRequest | None = None) -> str:
    """The link to the Voilà app ``notebook`` (a moderator screen) on a server at ``base_url``.

    >>> join_url("http://192.168.1.5:8866/", "round_table.ipynb", SheetRequest(pilot="P01", loop=1))
    'http://192.168.1.5:8866/voila/render/round_table.ipynb?pilot=P01&loop=1'
    """
    url = base_url.rstrip("/") + "/voila/render/" + notebook
    query = request.query() if request is not None else ""
    return f"{url}?{query}" if query else url


def sheet_url(base_url: str, request: SheetRequest | None = None) -> str:
    """The participants' link to the light web sheet of ``transferkit serve`` (no kernel per visitor).

    >>> sheet_url("http://192.168.1.5:8866/", SheetRequest(template="needs_analysis", pilot="P01", loop=2))
    'http://192.168.1.5:8866/sheet?sheet=needs_analysis&pilot=P01&loop=2'
    """
    url = base_url.rstrip("/") + "/sheet"
    query = request.query() if request is not None else ""
    return f"{url}?{query}" if query else url
