"""A sheet template rendered as one light HTML page (the web sheet's face).

Everything a participant sees is rendered here on the server from the
template, by the jinja2 templates in ``templates/`` (autoescape: every text is
escaped): the header, the code step, one box per question (``tk-q-<id>``, the
same CSS classes as the ipywidgets sheet; one macro per question type in
``templates/questions.html.j2``), the submit button and the places for errors,
confirmation and feedback. The page's style sheet and script
(``static/sheet.css``, ``static/sheet.js``) are inlined as they are, so a sheet
is one request with no external resource (workshops run offline) and the
script's CSP hash (:func:`script_hash`) holds.

What the script needs to know about the questions (type, ``show_if``, vote
budget, ...) travels as JSON in ``<script type="application/json" id="tk-config">``.

Examples
--------
>>> from transferkit.templates import load_template_string
>>> t = load_template_string('''
... id: mini
... version: 1
... title: {de: Mini, en: Mini}
... questions:
...   - {id: team, type: text, label: {de: "Team <b>", en: "Team <b>"}}
... ''')
>>> box = render_question(t.questions[0], "de")
>>> 'class="tk-question tk-q-team ' in box, "Team &lt;b&gt;" in box, "<b>" in box
(True, True, False)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from transferkit import pages
from transferkit.i18n import area_texts, text
from transferkit.sheets.feedback import BAR_CSS
from transferkit.sheets.web.paging import sections_config
from transferkit.templates.sections import sheet_sections
from transferkit.vocabulary import ACTION_STATUSES, STATUS_LABELS

__all__ = [
    "asset",
    "condition_config",
    "css_id",
    "error_page",
    "page_config",
    "page_skeleton",
    "render_form",
    "render_page",
    "render_question",
    "script_hash",
]

_MARKERS = ("<!--CODE-STEP-->", "<!--FORM-HIDDEN-->", "<!--CONFIG-->")


def css_id(value: object) -> str:
    """The CSS class suffix for an id or option value (as the ipywidgets sheet makes it).

    >>> css_id("a.b c")
    'a_b_c'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(value))


def _text_of(obj: Any, lang: str) -> str:
    if obj is None:
        return ""
    return str(obj.get(lang)) if hasattr(obj, "get") else str(obj)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _level_name(v: int) -> str:
    return f"{v:+d}" if v else "0"


def _markup_text(key: str, lang: str, **values: Any) -> Markup:
    """A catalogue text that carries markup of its own (``sheet.points_left``, also shown
    by the script as HTML); the package's text is the markup, ``values`` are escaped."""
    return Markup(text(key, lang)).format(**values)


def _statuses(lang: str) -> dict[str, str]:
    """The action-item statuses in words, in their order (:mod:`transferkit.vocabulary`)."""
    labels = STATUS_LABELS[lang]
    return {status: labels[status] for status in ACTION_STATUSES}


@functools.cache
def asset(name: str) -> str:
    """The text of a file in ``websheet/static/`` (read once)."""
    return resources.files("transferkit.sheets.web").joinpath("static", name).read_text("utf-8")


def script_hash() -> str:
    """The CSP source (``'sha256-…'``) of the page's inline script (``sheet.js`` as it is)."""
    digest = hashlib.sha256(asset("sheet.js").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# --------------------------------------------------------------------------- questions
def scale_buttons(q: Any) -> list[int] | None:
    """The values of a scale shown as buttons (whole numbers, at most 11), else ``None``."""
    if not q.is_integer():
        return None
    n = round((q.max - q.min) / q.step)
    if n > 10:
        return None
    return [int(q.min + i * q.step) for i in range(n + 1)]


_HELPERS: dict[str, Any] = {
    "css_id": css_id,
    "loc": _text_of,
    "num": _num,
    "text": text,
    "markup_text": _markup_text,
    "scale_buttons": scale_buttons,
    "level_name": _level_name,
    "status_labels": _statuses,
}


def _template(name: str) -> jinja2.Template:
    return pages.template("transferkit.sheets.web", name, helpers=_HELPERS)


def _questions() -> Any:
    """The macros of ``templates/questions.html.j2``."""
    return _template("questions.html.j2").module


def _style() -> Markup:
    """The page's style sheet: the package's own CSS."""
    return Markup(asset("sheet.css") + BAR_CSS)


def vote_row(value: str, label: str, lang: str) -> str:
    """One row of a dot vote (also built by the script for ideas)."""
    return str(_questions().vote_row(value, label, lang))


def render_question(q: Any, lang: str = "de", *, shown: bool = True) -> str:
    """One question's box: label (with ``*`` if required), help, input(s), an empty error line."""
    return str(_questions().question(q, lang, shown))


def render_form(template: Any, phase: str | None = None, lang: str = "de") -> str:
    """The question boxes of a sheet or of one phase, hidden ones (``show_if``) already hidden."""
    return str(_questions().form(template.all_questions(phase), lang))


# --------------------------------------------------------------------------- script config
def condition_config(condition: Any) -> dict[str, Any]:
    """A ``show_if`` condition for the script: its targets as the JSON values of the template."""
    op = condition.operator
    if op == "in":
        targets = list(condition.in_ or [])
    elif op == "equals":
        targets = [condition.equals]
    elif op == "not_equals":
        targets = [condition.not_equals]
    else:
        targets = []
    return {
        "question": condition.question,
        "op": op,
        "targets": targets,
        "answered": bool(condition.answered),
    }


def _question_config(q: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    if q.show_if is not None:
        out["show_if"] = condition_config(q.show_if)
    if q.type == "long_text":
        out["one_per_line"] = bool(q.one_per_line)
    elif q.type == "scale":
        out["buttons"] = scale_buttons(q) is not None
    elif q.type == "ranking":
        out["n"] = q.top_n or len(q.options)
    elif q.type == "dot_vote":
        cap = q.budget if q.max_per_item is None else min(q.budget, q.max_per_item)
        out.update(budget=q.budget, cap=cap, source=q.source)
    return out


def page_config(
    session: Any, *, api: str, code: str | None = None, code_error: str = ""
) -> dict[str, Any]:
    """What the page's script needs: questions, texts, the link, the API's path, the code."""
    lang = session.lang
    return {
        "lang": lang,
        "query": session.request.with_(code=None).query(),
        "api": api,
        "code": code,
        "code_error": code_error,
        "questions": [_question_config(q) for q in session.template.all_questions(session.phase)],
        "texts": area_texts("sheet", lang),
        "status": _statuses(lang),
        **sections_config(session.template, session.phase, lang),
    }


# --------------------------------------------------------------------------- pages
def render_page(
    session: Any,
    *,
    api: str,
    code: str | None = None,
    code_error: str = "",
    skeleton: str | None = None,
) -> str:
    """The complete page for a :class:`~transferkit.sheets.session.SheetSession`.

    ``code`` (already checked) opens the form at once; without it the code
    step is shown first (with ``code_error`` if the link's code was refused).
    ``skeleton`` is :func:`page_skeleton` of the session, if cached.
    """
    page = page_skeleton(session) if skeleton is None else skeleton
    macros: Any = _template("parts.html.j2").module
    code_step = macros.code_step(session.lang, code is None, code_error)
    config = macros.config(page_config(session, api=api, code=code, code_error=code_error))
    step_marker, hidden_marker, config_marker = _MARKERS
    return (
        page.replace(step_marker, str(code_step).strip())
        .replace(hidden_marker, " hidden" if code is None else "")
        .replace(config_marker, str(config))
    )


def page_skeleton(session: Any) -> str:
    """The page of a link without its participant parts (cacheable); see :func:`render_page`.

    Template and user texts are escaped, so the three markers
    ``<!--CODE-STEP-->``, ``<!--FORM-HIDDEN-->`` and ``<!--CONFIG-->`` occur only once each.
    """
    lang, template, request = session.lang, session.template, session.request
    sub = []
    if request.pilot:
        sub.append(f"{text('sheet.pilot', lang)} {request.pilot}")
    if request.loop is not None:
        sub.append(f"{text('sheet.loop', lang)} {request.loop}")
    phase = template.phase(session.phase) if session.phase else None
    if phase is not None:
        sub.append(phase.title.get(lang))
    intro = template.intro if phase is None else phase.intro
    return _template("sheet.html.j2").render(
        lang=lang,
        title=template.title.get(lang),
        style=_style(),
        sub=sub,
        intro=None if intro is None else intro.get(lang),
        questions=template.all_questions(session.phase),
        sections=sheet_sections(template, session.phase),
        script=Markup(asset("sheet.js")),
    )


def error_page(message: str, lang: str = "de", *, title: str | None = None) -> str:
    """A complete page with a friendly error panel (class ``tk-page-error``), never a traceback."""
    default = text("sheet.page_error_title", lang)  # also refuses a language other than de, en
    return _template("error.html.j2").render(
        lang=lang, title=title or default, message=message, style=_style()
    )
