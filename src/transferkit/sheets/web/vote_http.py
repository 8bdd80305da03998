"""The tornado handlers of the vote page and its API (:mod:`transferkit.sheets.web.vote`).

They share the web sheet's access token, XSRF check, thread pool and error
answers (:class:`transferkit.sheets.web.app.ApiHandler`); the page has a CSP of its
own (its script's hash).
"""

from __future__ import annotations

import json
from typing import Any

import tornado.web

from transferkit.i18n import text
from transferkit.sheets.web.app import ApiHandler, BaseHandler
from transferkit.sheets.web.render import error_page
from transferkit.sheets.web.vote import MAX_VOTE_BODY, VoteApi, decode_vote_body, vote_script_hash

__all__ = ["VoteCastHandler", "VoteOpenHandler", "VotePageHandler", "vote_handlers"]


class VotePageHandler(BaseHandler):
    """``GET sheet/vote?pilot=...&loop=...&vote=...``: the phone's vote page."""

    api: VoteApi

    def initialize(self, api: VoteApi, **shared: Any) -> None:  # type: ignore[override]
        super().initialize(**shared)
        self.api = api

    async def get(self) -> None:
        lang = self.lang
        if not self.token_ok(from_query=True):
            self.send_page(403, error_page(text("sheet.forbidden", lang), lang), script=False)
            return
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the page's script sends back
        status, page = await self.run(self.api.page, self.request.query, self.base + "sheet/api/")
        self.send_page(status, page, script=status == 200)

    def send_page(self, status: int, page: str, *, script: bool) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        scripts = vote_script_hash() if script else "'none'"
        self.set_header(
            "Content-Security-Policy",
            f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'",
        )
        self.finish(page.encode("utf-8"))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        lang = self.lang
        self.send_page(
            status_code, error_page(text("sheet.unexpected_error", lang), lang), script=False
        )


class _VoteApiHandler(ApiHandler):
    api: VoteApi

    def initialize(self, api: VoteApi, **shared: Any) -> None:  # type: ignore[override]
        super().initialize(**shared)
        self.api = api

    async def post_vote(self, method: Any) -> None:
        raw = self.request.body or b""
        if len(raw) > MAX_VOTE_BODY:
            self.reply(413, {"ok": False, "code": "too_large", "error": "request too large"})
            return
        try:
            body = decode_vote_body(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.reply(
                400, {"ok": False, "code": "bad_request", "error": "the body is not valid JSON"}
            )
            return
        status, payload = await self.run(method, body)
        self.reply(status, payload)

    def reply(self, status: int, payload: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(payload, ensure_ascii=False, allow_nan=False, default=str))


class VoteOpenHandler(_VoteApiHandler):
    """``POST sheet/api/vote/open``."""

    async def post(self) -> None:
        await self.post_vote(self.api.open)


class VoteCastHandler(_VoteApiHandler):
    """``POST sheet/api/vote/cast``."""

    async def post(self) -> None:
        await self.post_vote(self.api.cast)


def vote_handlers(
    prefix: str, shared: dict[str, object]
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, object]]]:
    """The URL specs of the vote page and API below ``prefix`` (the web sheet's base as a
    regular expression), with one :class:`VoteApi` on the web sheet's service."""
    api = VoteApi(shared["service"])  # type: ignore[arg-type]
    mine = {**shared, "api": api}
    return [
        (prefix + "sheet/vote", VotePageHandler, mine),
        (prefix + "sheet/api/vote/open", VoteOpenHandler, mine),
        (prefix + "sheet/api/vote/cast", VoteCastHandler, mine),
    ]
