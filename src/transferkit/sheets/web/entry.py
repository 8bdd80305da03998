"""The moderator's data-entry mode of the web sheet: paper sheets typed in one after another.

Routes (next to the web sheet's, see :func:`entry_handlers`):

==============================  ======  ==============================================
``sheet/entry?sheet=...``       GET     the sheet in data-entry mode (HTML)
``sheet/api/entry``             POST    ``{"query", "sheet"}``: is that sheet stored?
                                        ``{"query", "sheet", "participant", "answers"}``:
                                        validate and store it
==============================  ======  ==============================================

Only the **moderator** secret opens them (``?token=`` on the page once, which
sets an HTTP-only cookie of its own; or ``Authorization: token ...``); the
participants' secret and link never do, and without a moderator secret the
mode is off. A participant's link with ``?mode=entry`` (or anything else) is
just the participant's sheet: the mode is a separate route, not a parameter.

Each paper sheet is stored exactly as ``transferkit db import responses``
stores a row (:mod:`transferkit.datasets.paper`): validated by the template
like the web sheet's answers, with the submission id
:func:`~transferkit.datasets.paper.paper_submission_id` of its number, so the
same sheet typed twice (or typed here and imported from a file) is stored once.
No drafts: the page clears itself for the next sheet.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import tornado.web
from sqlalchemy.exc import SQLAlchemyError

from transferkit import pages
from transferkit.exceptions import (
    AnswerValidationError,
    ParameterError,
    StoreError,
    TransferkitError,
)
from transferkit.i18n import LANGUAGES, area_texts, in_lang, text
from transferkit.sheets.session import check_code
from transferkit.sheets.web.handler_base import SheetRequestHandler
from transferkit.sheets.web.render import error_page, page_config, page_skeleton, script_hash
from transferkit.sheets.web.secret_check import request_has_secret
from transferkit.sheets.web.service import ApiResult, SheetService, query_lang

if TYPE_CHECKING:
    from transferkit.sheets.session import SheetSession
    from transferkit.store.values import JSONValue

__all__ = [
    "ENTRY_COOKIE",
    "SHEET_NUMBER",
    "entry_handlers",
    "render_entry_page",
    "store_paper_sheet",
]

log = logging.getLogger(__name__)

#: Cookie that carries the (hashed) moderator secret after the first visit with ``?token=``.
ENTRY_COOKIE = "transferkit_entry_token"
#: What a paper sheet's number may look like.
SHEET_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$")
_MARKERS = ("<!--CODE-STEP-->", "<!--FORM-HIDDEN-->", "<!--CONFIG-->")
_HELPERS: dict[str, Any] = {"text": text}


def _both(key: str, **values: object) -> str:
    return " / ".join(text(key, lang, **values) for lang in LANGUAGES)


# --------------------------------------------------------------------------- page
def render_entry_page(session: SheetSession, *, api: str, skeleton: str | None = None) -> str:
    """The sheet of ``session`` in data-entry mode: the sheet-number step, then the form."""
    page = page_skeleton(session) if skeleton is None else skeleton
    lang = session.lang
    step = pages.template("transferkit.sheets.web", "entry.html.j2", helpers=_HELPERS)
    macros: Any = pages.template("transferkit.sheets.web", "parts.html.j2").module
    config = page_config(session, api=api)
    config["entry"] = True
    config["entry_texts"] = area_texts("entry", lang)
    step_marker, hidden_marker, config_marker = _MARKERS
    return (
        page.replace(step_marker, str(step.module.entry_step(lang)).strip())  # type: ignore[attr-defined]
        .replace(hidden_marker, " hidden")
        .replace(config_marker, str(macros.config(config)))
    )


# --------------------------------------------------------------------------- API
def _bad(lang: str, key: str, **values: object) -> ApiResult:
    return ApiResult(
        400, {"ok": False, "error": _both(key, **values), "message": text(key, lang, **values)}
    )


def _stored_id(session: SheetSession, store: Any, submission_id: str) -> int | None:
    """The response id of the paper sheet with ``submission_id``, if it is stored."""
    rows = store.responses(
        template=session.template,
        pilot=session.request.pilot,
        loop=session.request.loop,
        phase=session.phase,
    )
    hit = rows[rows["submission_id"] == submission_id]
    return int(hit.iloc[0]["response_id"]) if len(hit) else None


def store_paper_sheet(service: SheetService, body: JSONValue) -> ApiResult:
    """Check (no ``answers``) or store (with ``answers``) one paper sheet; never raises for bad input.

    The answers are validated as the web sheet's are (422 with every problem);
    the sheet number gives the submission id, so a sheet is stored once.
    """
    if not isinstance(body, dict):
        return _bad("de", "entry.bad_sheet")
    query = body.get("query")
    lang = query_lang(query)
    sheet = body.get("sheet")
    if not isinstance(query, str):
        return _bad(lang, "sheet.bad_request", problem=text("sheet.bad_request_not_strings", lang))
    if not isinstance(sheet, str) or not SHEET_NUMBER.match(sheet.strip()):
        return _bad(lang, "entry.bad_sheet")
    sheet = sheet.strip()
    participant = body.get("participant")
    code: str | None = None
    if participant not in (None, ""):
        try:
            code = check_code(str(participant))
        except ParameterError as error:
            return ApiResult(
                400, {"ok": False, "error": str(error), "message": in_lang(str(error), lang)}
            )
    try:
        session = service.session(query)
    except StoreError as error:
        return service.unavailable(lang, error)
    except TransferkitError as error:
        return ApiResult(
            400, {"ok": False, "error": str(error), "message": in_lang(str(error), lang)}
        )
    from transferkit.datasets.paper import paper_submission_id  # pandas: only for data entry

    request = session.request
    sid = paper_submission_id(
        session.template.id, request.pilot, request.loop, session.phase, sheet
    )
    answers = body.get("answers")
    try:
        known = _stored_id(session, service.store, sid)
        if "answers" not in body:
            payload: dict[str, JSONValue] = {"ok": True, "sheet": sheet, "response_id": known}
            if known is not None:
                payload["message"] = text("entry.known", lang, sheet=sheet, n=known)
            return ApiResult(200, payload)
        if not isinstance(answers, dict):
            return _bad(lang, "sheet.bad_request", problem=text("sheet.bad_request_answers", lang))
        response_id = service.write(
            lambda: service.store.submit(
                session.template,
                answers,
                pilot=request.pilot,
                loop=request.loop,
                phase=session.phase,
                participant=code,
                company=request.company,
                submission_id=sid,
            )
        )
    except AnswerValidationError as error:
        return _problems(error, lang)
    except (StoreError, SQLAlchemyError, OSError) as error:
        return service.unavailable(lang, error)
    again = known is not None
    key = "entry.stored_before" if again else "entry.stored"
    return ApiResult(
        200,
        {
            "ok": True,
            "sheet": sheet,
            "response_id": int(response_id),
            "again": again,
            "message": text(key, lang, sheet=sheet, n=int(response_id)),
        },
    )


def _problems(error: AnswerValidationError, lang: str) -> ApiResult:
    """422 with every problem, in the web sheet's shape (``static/sheet.js`` shows them)."""
    problems: list[JSONValue] = [
        {
            "question_id": p.question_id,
            "code": p.code,
            "message_de": p.message_de,
            "message_en": p.message_en,
        }
        for p in error.problems
    ]
    summary = text("sheet.summary", lang, n=len(problems))
    return ApiResult(422, {"ok": False, "problems": problems, "summary": summary})


# --------------------------------------------------------------------------- handlers
class _EntryBase(SheetRequestHandler):
    """The moderator secret, no caching; the page and the API below."""

    service: SheetService
    secret: str | None
    base: str

    def initialize(self, service: SheetService, moderator_token: str | None, base: str) -> None:
        self.service = service
        self.secret = moderator_token or None
        self.base = base

    def moderator(self, *, from_query: bool = False) -> bool:
        """Whether the request carries the moderator secret (never, if the server has none)."""
        if not self.secret:
            return False
        return request_has_secret(
            self,
            self.secret,
            cookie=ENTRY_COOKIE,
            purpose="transferkit-entry",
            path=self.base,
            samesite="Strict",
            from_query=from_query,
        )

    def refusal(self) -> str:
        return "entry.forbidden" if self.secret else "entry.disabled"


class _EntryPageHandler(_EntryBase):
    async def get(self) -> None:
        lang = self.lang
        if not self.moderator(from_query=True):
            self.send_page(403, error_page(text(self.refusal(), lang), lang), script=False)
            return
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the page's script sends back
        query = self.request.query
        api = self.base + "sheet/api/"

        def page() -> tuple[int, str]:
            try:
                session = self.service.session(query)
            except StoreError as error:
                log.warning("data entry: store not available: %s", error)
                return 503, error_page(text("sheet.store_unavailable", lang), lang)
            except TransferkitError as error:
                return 400, error_page(str(error), lang)
            return 200, render_entry_page(session, api=api)

        status, html = await tornado.ioloop.IOLoop.current().run_in_executor(
            self.service.executor, page
        )
        self.send_page(status, html, script=status == 200)

    def send_page(self, status: int, page: str, *, script: bool) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        scripts = script_hash() if script else "'none'"
        self.set_header(
            "Content-Security-Policy",
            f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'",
        )
        self.finish(page)


class _EntryApiHandler(_EntryBase):
    def prepare(self) -> None:
        if not self.settings.get("xsrf_cookies"):
            self.check_xsrf_cookie()  # tornado checks it itself when xsrf_cookies is on
        if not self.moderator():
            raise tornado.web.HTTPError(403, reason="moderator")

    async def post(self) -> None:
        from transferkit.sheets.web.app import MAX_JSON_DEPTH, decode_json

        raw = self.request.body or b""
        try:
            body = decode_json(raw, max_depth=MAX_JSON_DEPTH) if len(raw) <= 128 * 1024 else None
        except (UnicodeDecodeError, ValueError, RecursionError):
            body = None
        result = await tornado.ioloop.IOLoop.current().run_in_executor(
            self.service.executor, store_paper_sheet, self.service, body
        )
        self.set_status(result.status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(result.payload, ensure_ascii=False, allow_nan=False, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, tornado.web.HTTPError) and error.reason == "moderator":
            key = self.refusal()
        elif status_code == 403:  # XSRF
            key = "sheet.forbidden"
        else:
            key = "sheet.unexpected_error"
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        message = {"ok": False, "error": _both(key), "message": text(key, self.lang)}
        self.finish(json.dumps(message, ensure_ascii=False))


def entry_handlers(
    base: str, service: SheetService, moderator_token: str | None
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, object]]]:
    """Tornado URL specs of the data-entry mode below ``base`` (``/`` or ``/x/``)."""
    shared: dict[str, object] = {
        "service": service,
        "moderator_token": moderator_token,
        "base": base,
    }
    prefix = re.escape(base)
    return [
        (prefix + "sheet/entry", _EntryPageHandler, shared),
        (prefix + "sheet/api/entry", _EntryApiHandler, shared),
    ]
