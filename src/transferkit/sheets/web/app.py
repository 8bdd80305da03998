"""The web sheet's tornado handlers, for Voilà's tornado application or an app of their own.

Routes below ``base_url`` (``/`` by default):

=============================  ======  ==========================================
``sheet?sheet=...``            GET     the sheet page (HTML, one request; ``sheet/`` too);
                               an old ``?template=...`` link: 301 to the same link with ``sheet=``
``sheet/api/new-code``         GET     ``{"code": "K7M4QX"}``
``sheet/api/open``             POST    ``{"query", "code"}`` → the participant's draft
``sheet/api/draft``            POST    ``{"query", "code", "answers"}`` → ``{"ok": true}``
``sheet/api/submit``           POST    ``{"query", "code", "answers"}`` → stored once
``sheet/api/follow-up``        POST    ``{"query", "code", "ratings"}`` → GAS follow-up, once
``sheet/api/ideas?<query>``    GET     ``{"ideas": [[id, text], ...]}``
``sheet/entry``, ``.../entry``  GET,    the moderator's data entry of paper sheets
                               POST    (:mod:`transferkit.sheets.web.entry`)
``sheet/vote?vote=...``        GET     a live vote's phone page (:mod:`.vote`)
``sheet/api/vote/open|cast``   POST    its ballot (:mod:`.vote`)
=============================  ======  ==========================================

POSTs need tornado's XSRF token (header ``X-XSRFToken`` with the ``_xsrf``
cookie, which the page sets), whether or not the application was created with
``xsrf_cookies``. With a token (``$TRANSFERKIT_TOKEN`` or ``token=``) the page
needs ``?token=...`` once (it then sets a cookie) and the API the cookie or
``Authorization: token ...``. The store is called in a small thread pool,
never on the event loop. See :mod:`transferkit.sheets.web.service` for what each
call does.

Examples
--------
>>> specs = handlers("/base/", store_url="sqlite://", warm_up=False)
>>> [route for route, _handler, _kwargs in specs][:3]
['/base/sheet/?', '/base/sheet/api/new-code', '/base/sheet/api/open']
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import math
import os
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar

import tornado.web
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from transferkit.i18n import in_lang, text
from transferkit.sheets.query import canonical_query
from transferkit.sheets.web.entry import entry_handlers
from transferkit.sheets.web.handler_base import SheetRequestHandler
from transferkit.sheets.web.render import error_page, script_hash
from transferkit.sheets.web.secret_check import request_has_secret
from transferkit.sheets.web.service import ApiResult, SheetService

if TYPE_CHECKING:
    from transferkit.guard import ServerLimits
    from transferkit.store.values import JSONValue

__all__ = [
    "MAX_JSON_DEPTH",
    "TOKEN_COOKIE",
    "ApiHandler",
    "BackgroundServer",
    "BaseHandler",
    "decode_json",
    "handlers",
    "make_app",
]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Cookie that carries the (hashed) access token after the first visit with ``?token=``.
TOKEN_COOKIE = "transferkit_sheet_token"
#: Largest API body read (bytes); the server refuses larger ones before reading them.
_MAX_BODY = 128 * 1024
#: Deepest nesting of a JSON body (a GAS goal's levels are 5 deep).
MAX_JSON_DEPTH = 12


def _no_constants(name: str) -> NoReturn:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def decode_json(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> JSONValue:
    """A request body as JSON: strict (no ``NaN``/``Infinity``), nested at most ``max_depth`` deep.

    Raises ``ValueError`` saying what is wrong.

    >>> decode_json(b'{"a": [1, 2]}')
    {'a': [1, 2]}
    >>> decode_json(b'{"a": NaN}')
    Traceback (most recent call last):
    ...
    ValueError: NaN is not a JSON number
    """
    text = raw.decode("utf-8")
    depth = 0
    in_string = escaped = False
    for char in text:  # nesting is checked before parsing: the parser recurses
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                msg = f"JSON nested deeper than {max_depth} levels"
                raise ValueError(msg)
        elif char in "]}":
            depth -= 1
    return json.loads(text, parse_constant=_no_constants, parse_float=_finite)


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        msg = f"{literal[:20]} is too large for a number"
        raise ValueError(msg)
    return value


class _Handler(SheetRequestHandler):
    """Shared: the service, the access token, no caching, JSON/HTML errors without tracebacks."""

    service: SheetService
    token: str | None
    base: str

    def initialize(self, service: SheetService, token: str | None, base: str) -> None:
        self.service = service
        self.token = token
        self.base = base

    def token_ok(self, *, from_query: bool = False) -> bool:
        """Whether the request carries the access token (always, if there is none)."""
        if not self.token:
            return True
        return request_has_secret(
            self,
            self.token,
            cookie=TOKEN_COOKIE,
            purpose="transferkit-websheet",
            path=self.base,
            samesite="Lax",
            from_query=from_query,
        )

    async def run(self, work: Callable[..., _T], *args: object) -> _T:
        """``work(*args)`` in the service's thread pool."""
        return await IOLoop.current().run_in_executor(self.service.executor, work, *args)


class _PageHandler(_Handler):
    async def get(self) -> None:
        renamed = canonical_query(self.request.query)
        if renamed is not None:  # an old link (?template=...): the same link with ?sheet=...
            self.set_header("Cache-Control", "no-store")  # it may carry the participant secret
            self.redirect(f"{self.request.path}?{renamed}", permanent=True)
            return
        lang = self.lang
        if not self.token_ok(from_query=True):
            self.send_page(403, error_page(text("sheet.forbidden", lang), lang))
            return
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the page's script sends back
        status, page = await self.run(
            self.service.page, self.request.query, self.base + "sheet/api/"
        )
        self.send_page(status, page, script=True)

    def send_page(self, status: int, page: str, *, script: bool = False) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        scripts = script_hash() if script else "'none'"
        self.set_header(
            "Content-Security-Policy",
            f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'",
        )
        body = page.encode("utf-8")
        self.set_header("Vary", "Accept-Encoding")
        if "gzip" in self.request.headers.get("Accept-Encoding", "") and len(body) > 1000:
            body = gzip.compress(body, compresslevel=5)
            self.set_header("Content-Encoding", "gzip")
        self.finish(body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        lang = self.lang
        self.clear_header("Content-Encoding")
        self.send_page(status_code, error_page(text("sheet.unexpected_error", lang), lang))


class _ApiHandler(_Handler):
    def prepare(self) -> None:
        if self.request.method == "POST" and not self.settings.get("xsrf_cookies"):
            self.check_xsrf_cookie()  # tornado checks it itself when xsrf_cookies is on
        if not self.token_ok():
            raise tornado.web.HTTPError(403, reason="token")

    def send(self, result: ApiResult) -> None:
        self.set_status(result.status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(result.payload, ensure_ascii=False, allow_nan=False, default=str))

    def body(self) -> JSONValue | ApiResult:
        """The decoded JSON body, or an :class:`ApiResult` (400/413) saying what is wrong."""
        raw = self.request.body or b""
        if len(raw) > _MAX_BODY:
            return ApiResult(413, {"ok": False, "error": "Anfrage zu groß / request too large"})
        try:
            return decode_json(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            error = (
                "Ungültige Anfrage: kein gültiges JSON / Bad request: the body is not valid JSON "
                '(send e.g. {"query": "sheet=...", "code": "K7M4QX", "answers": {}})'
            )
            return ApiResult(400, {"ok": False, "error": error, "message": error})

    async def post_with(self, method: Callable[[JSONValue], ApiResult]) -> None:
        body = self.body()
        if isinstance(body, ApiResult):
            self.send(body)
            return
        self.send(await self.run(method, body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        lang = self.lang
        error = kwargs.get("exc_info", (None, None, None))[1]
        if (
            status_code == 403
            and isinstance(error, tornado.web.HTTPError)
            and error.reason == "token"
        ):
            message = f"{text('sheet.forbidden', 'de')} / {text('sheet.forbidden', 'en')}"
            local = text("sheet.forbidden", lang)
        elif status_code == 403:  # XSRF
            message = (
                "Sicherheitsprüfung fehlgeschlagen – bitte die Seite neu laden. / "
                "Security check failed (XSRF token missing or wrong) – please reload the page."
            )
            local = in_lang(message, lang)
        elif status_code < 500:
            message = local = f"HTTP {status_code}"
        else:
            message = (
                f"{text('sheet.unexpected_error', 'de')} / {text('sheet.unexpected_error', 'en')}"
            )
            local = text("sheet.unexpected_error", lang)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(
            json.dumps({"ok": False, "error": message, "message": local}, ensure_ascii=False)
        )


#: The handler bases, public for the web sheet's other pages (:mod:`.vote_http`).
BaseHandler = _Handler
ApiHandler = _ApiHandler


class _NewCodeHandler(_ApiHandler):
    def get(self) -> None:
        self.send(self.service.new_code())


class _OpenHandler(_ApiHandler):
    async def post(self) -> None:
        await self.post_with(self.service.open)


class _DraftHandler(_ApiHandler):
    async def post(self) -> None:
        await self.post_with(self.service.draft)


class _SubmitHandler(_ApiHandler):
    async def post(self) -> None:
        await self.post_with(self.service.submit)


class _FollowUpHandler(_ApiHandler):
    async def post(self) -> None:
        await self.post_with(self.service.follow_up)


class _IdeasHandler(_ApiHandler):
    async def get(self) -> None:
        self.send(await self.run(self.service.ideas, self.request.query))


def _base(base_url: str) -> str:
    inner = base_url.strip("/")
    return f"/{inner}/" if inner else "/"


def handlers(
    base_url: str = "/",
    *,
    store_url: str | None = None,
    token: str | None = None,
    service: SheetService | None = None,
    warm_up: bool = True,
    moderator_token: str | None = None,
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, object]]]:
    """Tornado URL specs of the web sheet below ``base_url`` (e.g. to prepend to Voilà's).

    ``token`` defaults to ``$TRANSFERKIT_TOKEN`` (none if unset); ``store_url``
    to ``$TRANSFERKIT_DB`` / ``data/transferkit.db``. All routes share one
    :class:`~transferkit.sheets.web.service.SheetService` (one store per process).
    With ``warm_up`` the store is opened and the built-in templates are parsed
    in the background at once, so that the first participant does not wait for it.
    ``moderator_token`` opens the moderator's data-entry mode
    (:mod:`transferkit.sheets.web.entry`; off without one).
    """
    from transferkit.sheets.web.vote_http import vote_handlers

    base = _base(base_url)
    if token is None:
        token = os.environ.get("TRANSFERKIT_TOKEN") or None
    if service is None:
        service = SheetService(store_url)
    if warm_up:
        service.executor.submit(service.warm_up)
    shared: dict[str, object] = {"service": service, "token": token, "base": base}
    prefix = re.escape(base)
    return [
        (prefix + "sheet/?", _PageHandler, shared),  # "/sheet/" too
        (prefix + "sheet/api/new-code", _NewCodeHandler, shared),
        (prefix + "sheet/api/open", _OpenHandler, shared),
        (prefix + "sheet/api/draft", _DraftHandler, shared),
        (prefix + "sheet/api/submit", _SubmitHandler, shared),
        (prefix + "sheet/api/follow-up", _FollowUpHandler, shared),
        (prefix + "sheet/api/ideas", _IdeasHandler, shared),
        *entry_handlers(base, service, moderator_token),
        *vote_handlers(prefix, shared),
    ]


def make_app(
    store_url: str | None = None,
    token: str | None = None,
    base_url: str = "/",
    *,
    service: SheetService | None = None,
    warm_up: bool = True,
    moderator_token: str | None = None,
    **settings: Any,
) -> tornado.web.Application:
    """A tornado application with only the web sheet (tests, or running without Voilà).

    ``xsrf_cookies`` is on unless ``settings`` say otherwise; the service is
    available as ``app.settings["transferkit_service"]``.
    """
    specs = handlers(
        base_url,
        store_url=store_url,
        token=token,
        service=service,
        warm_up=warm_up,
        moderator_token=moderator_token,
    )
    from transferkit.guard import log_request

    settings.setdefault("xsrf_cookies", True)
    settings.setdefault("log_function", log_request)
    settings.setdefault("xsrf_cookie_kwargs", {"samesite": "Strict"})
    settings["transferkit_service"] = specs[0][2]["service"]
    return tornado.web.Application(specs, **settings)


class BackgroundServer:
    """An application served on ``127.0.0.1`` at a free port, in a thread of its own.

    For tests and demos::

        with BackgroundServer(make_app("sqlite:///tmp/x.db")) as server:
            print(server.url("sheet?sheet=needs_analysis"))
    """

    def __init__(
        self,
        app: tornado.web.Application,
        host: str = "127.0.0.1",
        *,
        limits: ServerLimits | None = None,
    ) -> None:
        from transferkit.guard import ServerLimits

        self.app = app
        self.limits = limits or ServerLimits()
        self._sockets = bind_sockets(0, host)
        self.host = host
        self.port = int(self._sockets[0].getsockname()[1])
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="websheet-server", daemon=True)

    def url(self, path: str = "") -> str:
        """``http://host:port/`` + ``path``."""
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        from transferkit.guard import LimitedHTTPServer

        server = LimitedHTTPServer(
            self.app,
            max_connections=self.limits.max_connections,
            max_per_address=self.limits.max_per_address,
            **self.limits.http_server_kwargs(),
        )
        self.http_server = server
        server.add_sockets(self._sockets)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.stop()
            loop.run_until_complete(server.close_all_connections())
            loop.close()

    def start(self) -> Self:
        """Start serving; returns when the server accepts connections."""
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop serving and close the service (thread pool, store)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        service = self.app.settings.get("transferkit_service")
        if service is not None:
            service.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
