"""A sheet template rendered as one light HTML page (the web sheet's face).

Everything a participant sees is rendered here on the server from the
template, every text escaped: the header, the code step, one box per question
(``tk-q-<id>``, the same CSS classes as the ipywidgets sheet), the submit
button and the places for errors, confirmation and feedback. The page's
style sheet and script (``static/sheet.css``, ``static/sheet.js``) are inlined,
so a sheet is one request with no external resource (workshops run offline).

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
import html
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from transferkit.sheets.feedback import BAR_CSS
from transferkit.sheets.texts import STATUS_LABELS, text, texts

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

_GAS_LEVELS = (-2, -1, 0, 1, 2)
_STATUSES = ("open", "done", "carried_over", "dropped")


def css_id(value: object) -> str:
    """The CSS class suffix for an id or option value (as the ipywidgets sheet makes it).

    >>> css_id("a.b c")
    'a_b_c'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(value))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _text_of(obj: Any, lang: str) -> str:
    if obj is None:
        return ""
    return str(obj.get(lang)) if hasattr(obj, "get") else str(obj)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@functools.cache
def asset(name: str) -> str:
    """The text of a file in ``websheet/static/`` (read once)."""
    return resources.files("transferkit.sheets.web").joinpath("static", name).read_text("utf-8")


def script_hash() -> str:
    """The CSP source (``'sha256-…'``) of the page's inline script."""
    digest = hashlib.sha256(asset("sheet.js").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# --------------------------------------------------------------------------- questions
def _label_html(q: Any, lang: str, *, for_input: bool) -> str:
    mark = ' <span class="tk-required" aria-hidden="true">*</span>' if q.required else ""
    label = _e(_text_of(q.label, lang))
    if for_input:
        out = f'<label class="tk-label" for="tk-in-{css_id(q.id)}">{label}{mark}</label>'
    else:
        out = f'<div class="tk-label" id="tk-lb-{css_id(q.id)}">{label}{mark}</div>'
    if q.help is not None:
        out += f'<div class="tk-help">{_e(_text_of(q.help, lang))}</div>'
    return out


def _text_input(q: Any, lang: str) -> str:
    placeholder = _text_of(getattr(q, "placeholder", None), lang)
    attrs = f' placeholder="{_e(placeholder)}"' if placeholder else ""
    if q.type == "long_text":
        return f'<textarea id="tk-in-{css_id(q.id)}" rows="4"{attrs}></textarea>'
    return f'<input type="text" id="tk-in-{css_id(q.id)}"{attrs}>'


def _choice(q: Any, kind: str, value: str, label: str, help_text: str = "") -> str:
    name = f"q-{css_id(q.id)}"
    extra = f'<small class="tk-help">{_e(help_text)}</small>' if help_text else ""
    return (
        f'<label class="tk-choice tk-opt-{css_id(value)}"><input type="{kind}" name="{name}" '
        f'value="{_e(value)}"><span>{_e(label)}{extra}</span></label>'
    )


def _choices(q: Any, lang: str) -> str:
    kind = "checkbox" if q.type == "multi_choice" else "radio"
    items = "".join(
        _choice(q, kind, o.value, _text_of(o.label, lang), _text_of(o.help, lang))
        for o in q.options
    )
    role = "group" if kind == "checkbox" else "radiogroup"
    return f'<div class="tk-choices" role="{role}" aria-labelledby="tk-lb-{css_id(q.id)}">{items}</div>'


def _likert(q: Any, lang: str) -> str:
    items = []
    for p in q.points:
        label = _text_of(p.label, lang)
        shown = f"{p.value} – {label}" if label != str(p.value) else label
        items.append(_choice(q, "radio", str(p.value), shown))
    return (
        f'<div class="tk-choices tk-likert" role="radiogroup" '
        f'aria-labelledby="tk-lb-{css_id(q.id)}">{"".join(items)}</div>'
    )


def scale_buttons(q: Any) -> list[int] | None:
    """The values of a scale shown as buttons (whole numbers, at most 11), else ``None``."""
    if not q.is_integer():
        return None
    n = round((q.max - q.min) / q.step)
    if n > 10:
        return None
    return [int(q.min + i * q.step) for i in range(n + 1)]


def _scale(q: Any, lang: str) -> str:
    values = scale_buttons(q)
    if values is not None:
        buttons = "".join(
            f'<button type="button" class="tk-scale-btn" data-value="{v}" aria-pressed="false">{v}</button>'
            for v in values
        )
        widget = f'<div class="tk-scale" role="group" aria-labelledby="tk-lb-{css_id(q.id)}">{buttons}</div>'
    else:
        widget = (
            f'<input type="text" inputmode="decimal" id="tk-in-{css_id(q.id)}" '
            f'aria-labelledby="tk-lb-{css_id(q.id)}" placeholder="{_num(q.min)} … {_num(q.max)}">'
        )
    if q.min_label is not None or q.max_label is not None:
        ends = (
            f"{_num(q.min)} = {_text_of(q.min_label, lang)} … "
            f"{_num(q.max)} = {_text_of(q.max_label, lang)}"
        )
        widget += f'<div class="tk-help tk-scale-ends">{_e(ends)}</div>'
    return widget


def _number(q: Any, lang: str) -> str:
    hint = f"{_num(q.min)} … {_num(q.max)}" if q.min is not None and q.max is not None else ""
    unit = _text_of(getattr(q, "unit", None), lang)
    placeholder = (hint + (f" {unit}" if unit else "")).strip()
    mode = "numeric" if q.integer and (q.min is not None and q.min >= 0) else "decimal"
    return (
        f'<input type="text" inputmode="{mode}" id="tk-in-{css_id(q.id)}" '
        f'placeholder="{_e(placeholder)}">'
    )


def _ranking(q: Any, lang: str) -> str:
    n = q.top_n or len(q.options)
    ranks = '<option value="">–</option>' + "".join(
        f'<option value="{i}">{i}</option>' for i in range(1, n + 1)
    )
    rows = "".join(
        f'<div class="tk-rank-row tk-opt-{css_id(o.value)}" data-key="{_e(o.value)}">'
        f'<select class="tk-rank" aria-label="{_e(_text_of(o.label, lang))}">{ranks}</select>'
        f"<span>{_e(_text_of(o.label, lang))}</span></div>"
        for o in q.options
    )
    hint = _e(text("rank_hint", lang, n=n))
    return f'<div class="tk-help">{hint}</div><div class="tk-ranking">{rows}</div>'


def vote_row(value: str, label: str, lang: str) -> str:
    """One row of a dot vote (also built by the script for ideas)."""
    less, more = ("weniger", "mehr") if lang != "en" else ("less", "more")
    return (
        f'<div class="tk-vote-row tk-row tk-opt-{css_id(value)}" data-key="{_e(value)}">'
        f'<button type="button" class="tk-vote-minus" aria-label="{less}">−</button>'
        f'<span class="tk-vote-count">0</span>'
        f'<button type="button" class="tk-vote-plus" aria-label="{more}">+</button>'
        f'<span class="tk-vote-label">{_e(label)}</span></div>'
    )


def _dot_vote(q: Any, lang: str) -> str:
    left = text("points_left", lang, left=q.budget, budget=q.budget)
    rows = "".join(vote_row(o.value, _text_of(o.label, lang), lang) for o in q.options)
    out = f'<div class="tk-vote-left">{left}</div><div class="tk-vote-rows">{rows}</div>'
    if q.source == "ideas":
        out += (
            f'<div class="tk-help tk-vote-empty" hidden>{_e(text("ideas_none", lang))}</div>'
            f'<button type="button" class="tk-vote-refresh">{_e(text("ideas_refresh", lang))}</button>'
        )
    return out


def _field(cls: str, placeholder: str, *, kind: str = "text", mode: str = "", value: str = "") -> str:
    extra = f' inputmode="{mode}"' if mode else ""
    extra += f' value="{_e(value)}"' if value else ""
    return (
        f'<input type="{kind}" class="tk-field-{cls}" placeholder="{_e(placeholder)}" '
        f'aria-label="{_e(placeholder)}"{extra}>'
    )


def _remove(lang: str) -> str:
    label = _e(text("remove_row", lang))
    return f'<button type="button" class="tk-remove-row" aria-label="{label}" title="{label}">✕</button>'


def _action_row(lang: str) -> str:
    labels = STATUS_LABELS["en" if lang == "en" else "de"]
    status = "".join(f'<option value="{s}">{_e(labels[s])}</option>' for s in _STATUSES)
    return (
        '<div class="tk-item-row">'
        + _field("what", text("what", lang))
        + _field("who", text("who", lang))
        + f'<label class="tk-inline">{_e(text("due", lang))} <input type="date" class="tk-field-due"></label>'
        + f'<label class="tk-inline">{_e(text("status", lang))} '
        f'<select class="tk-field-status">{status}</select></label>'
        + _remove(lang)
        + "</div>"
    )


def _level_name(v: int) -> str:
    return f"{v:+d}" if v else "0"


def _gas_row(lang: str) -> str:
    levels = '<option value="">–</option>' + "".join(
        f'<option value="{v}">{_level_name(v)}</option>' for v in _GAS_LEVELS
    )
    texts_ = "".join(
        f'<input type="text" class="tk-field-level" data-level="{v}" '
        f'placeholder="{_e(text("level", lang, level=_level_name(v)))}" '
        f'aria-label="{_e(text("level", lang, level=_level_name(v)))}">'
        for v in _GAS_LEVELS
    )
    return (
        '<div class="tk-item-row">'
        + _field("goal", text("goal", lang))
        + f'<label class="tk-inline">{_e(text("weight", lang))} '
        f'<input type="text" inputmode="decimal" class="tk-field-weight" value="1"></label>'
        + texts_
        + f'<label class="tk-inline">{_e(text("baseline", lang))} '
        f'<select class="tk-field-baseline">{levels}</select></label>'
        + f'<label class="tk-inline">{_e(text("follow_up", lang))} '
        f'<select class="tk-field-follow_up">{levels}</select></label>'
        + _remove(lang)
        + "</div>"
    )


def _rows(q: Any, lang: str) -> str:
    if q.type == "gas_goal":
        row, add, start = _gas_row(lang), text("add_goal", lang), q.min_goals or 0
    else:
        row, add, start = _action_row(lang), text("add_action", lang), 0
    return (
        f'<template class="tk-row-template">{row}</template>'
        f'<div class="tk-rows">{row * start}</div>'
        f'<button type="button" class="tk-add-row">+ {_e(add)}</button>'
    )


_WIDGETS: dict[str, Callable[[Any, str], str]] = {
    "text": _text_input,
    "long_text": _text_input,
    "single_choice": _choices,
    "multi_choice": _choices,
    "likert": _likert,
    "scale": _scale,
    "number": _number,
    "ranking": _ranking,
    "dot_vote": _dot_vote,
    "action_items": _rows,
    "gas_goal": _rows,
}


def render_question(q: Any, lang: str = "de", *, shown: bool = True) -> str:
    """One question's box: label (with ``*`` if required), help, input(s), an empty error line."""
    with_input = q.type in ("text", "long_text", "number")
    hidden = "" if shown else " hidden"
    return (
        f'<div class="tk-question tk-q-{css_id(q.id)} tk-type-{q.type}" data-qid="{_e(q.id)}"{hidden}>'
        f"{_label_html(q, lang, for_input=with_input)}{_WIDGETS[q.type](q, lang)}"
        '<div class="tk-error" hidden></div></div>'
    )


def render_form(template: Any, phase: str | None = None, lang: str = "de") -> str:
    """The question boxes of a sheet or of one phase, hidden ones (``show_if``) already hidden."""
    out = []
    for q in template.all_questions(phase):
        shown = q.show_if is None or bool(q.show_if.is_met({}))
        out.append(render_question(q, lang, shown=shown))
    return "".join(out)


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


def page_config(session: Any, *, api: str, code: str | None = None, code_error: str = "") -> dict[str, Any]:
    """What the page's script needs: questions, texts, the link, the API's path, the code."""
    lang = session.lang
    return {
        "lang": lang,
        "query": session.request.with_(code=None).query(),
        "api": api,
        "code": code,
        "code_error": code_error,
        "questions": [_question_config(q) for q in session.template.all_questions(session.phase)],
        "texts": texts(lang),
        "status": STATUS_LABELS["en" if lang == "en" else "de"],
    }


def _json_script(data: dict[str, Any]) -> str:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    safe = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="tk-config">{safe}</script>'


# --------------------------------------------------------------------------- pages
def _document(title: str, lang: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "de"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{asset('sheet.css')}{BAR_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _header(session: Any) -> str:
    lang, template, request = session.lang, session.template, session.request
    sub = []
    if request.pilot:
        sub.append(f"{_e(text('pilot', lang))} {_e(request.pilot)}")
    if request.loop is not None:
        sub.append(f"{_e(text('loop', lang))} {request.loop}")
    if session.phase:
        sub.append(_e(template.phase(session.phase).title.get(lang)))
    out = f"<h1>{_e(template.title.get(lang))}</h1>"
    if sub:
        out += f'<div class="tk-help">{" · ".join(sub)}</div>'
    intro = template.intro if session.phase is None else template.phase(session.phase).intro
    if intro is not None:
        out += f'<p class="tk-intro">{_e(intro.get(lang))}</p>'
    return f'<header class="tk-head">{out}</header>'


def _code_step(lang: str, *, shown: bool, error: str) -> str:
    hidden = "" if shown else " hidden"
    error_hidden = "" if error else " hidden"
    error_text = f"⚠ {_e(error)}" if error else ""
    return (
        f'<section class="tk-code-step"{hidden}><p>{_e(text("code_intro", lang))}</p>'
        f'<div class="tk-code"><input type="text" autocomplete="off" autocapitalize="characters" '
        f'spellcheck="false" maxlength="40" aria-label="{_e(text("code_label", lang))}" '
        f'placeholder="{_e(text("code_placeholder", lang))}"></div>'
        '<div class="tk-buttons">'
        f'<button type="button" class="tk-code-start tk-primary">{_e(text("code_continue", lang))}</button>'
        f'<button type="button" class="tk-code-generate">{_e(text("code_generate", lang))}</button>'
        f'</div><div class="tk-error"{error_hidden}>{error_text}</div></section>'
    )


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
    config = _json_script(page_config(session, api=api, code=code, code_error=code_error))
    return (
        page.replace("<!--CODE-STEP-->", _code_step(session.lang, shown=code is None, error=code_error))
        .replace("<!--FORM-HIDDEN-->", " hidden" if code is None else "")
        .replace("<!--CONFIG-->", config)
    )


def page_skeleton(session: Any) -> str:
    """The page of a link without its participant parts (cacheable); see :func:`render_page`.

    Template and user texts are escaped, so the three markers
    ``<!--CODE-STEP-->``, ``<!--FORM-HIDDEN-->`` and ``<!--CONFIG-->`` occur only once each.
    """
    lang = session.lang
    form = render_form(session.template, session.phase, lang)
    body = (
        '<main class="tk-sheet">'
        + _header(session)
        + f'<noscript><div class="tk-noscript">{_e(text("noscript", lang))}</div></noscript>'
        + "<!--CODE-STEP-->"
        + '<form class="tk-form" novalidate autocomplete="off"<!--FORM-HIDDEN-->>'
        + f'<div class="tk-help tk-who">{_e(text("code_label", lang))}: <b class="tk-code-shown"></b>'
        + f" · {_e(text('legend', lang))}</div>"
        + f'<fieldset class="tk-questions" disabled>{form}</fieldset>'
        + '<div class="tk-error-summary" aria-live="polite" hidden></div>'
        + f'<button type="submit" class="tk-submit" disabled>{_e(text("submit", lang))}</button>'
        + '<div class="tk-confirm" aria-live="polite" hidden></div>'
        + '<div class="tk-feedback-box"></div></form></main>'
        + f"<!--CONFIG--><script>{asset('sheet.js')}</script>"
    )
    return _document(session.template.title.get(lang), lang, body)


def error_page(message: str, lang: str = "de", *, title: str | None = None) -> str:
    """A complete page with a friendly error panel (class ``tk-page-error``), never a traceback."""
    heading = title or text("page_error_title", lang)
    body = _e(message).replace("\n", "<br>")
    return _document(
        heading,
        lang,
        f'<main class="tk-sheet"><div class="tk-page-error" role="alert"><b>{_e(heading)}</b>'
        f"<br>{body}</div></main>",
    )
