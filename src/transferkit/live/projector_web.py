"""The projector view and the room's short join address: light tornado handlers for ``transferkit serve``.

No kernel, no widget: one server-rendered page (``templates/projector.html.j2``,
``static/projector.css`` and ``static/projector.js`` inlined) that polls one JSON
endpoint. Routes below ``base_url``:

==========================  ===========================================================
``p/<room>?key=<view key>``  sets the projector cookie (HttpOnly, for ``p/<room>`` only)
                             and forwards (303) to ``p/<room>``: the key leaves the address bar
``p/<room>``                 the projector page (403 page without the cookie)
``p/<room>/state``           the content as JSON (:func:`~transferkit.live.projector.projector_content`);
                             403 without the cookie
``j/<room>``                 302 to the participants' sheet of the session's current phase
                             (the round table's voting step: the phones' vote page, once open)
                             (with the participant secret, if the server has one); 404 page for
                             an unknown room, 429 after 30 wrong codes a minute from one address
==========================  ===========================================================

Cost: however many projectors poll, each room's moderator state is read at most once
per :data:`STATE_TTL` seconds (one row by primary key) and its answers at most once per
:data:`CONTENT_TTL` seconds and phase, in a small thread pool
(:class:`~transferkit.live.projector.SharedSnapshot`). The page and its JSON carry no secret: the view key becomes a
cookie (an HMAC of it, not the key), the join address is the short one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import tornado.web
from markupsafe import Markup
from tornado.ioloop import IOLoop

from transferkit import pages
from transferkit.i18n import area_texts, text
from transferkit.live.projector import (
    SharedSnapshot,
    join_request,
    live_vote_key,
    room_content,
    short_url,
    with_session_state,
)
from transferkit.sheets.query import sheet_url
from transferkit.sheets.web.render import error_page

if TYPE_CHECKING:
    from collections.abc import Callable

    from transferkit.store import Store
    from transferkit.store.live_sessions import LiveSession, LiveSessions

__all__ = [
    "CONTENT_TTL",
    "COOKIE",
    "STATE_TTL",
    "ProjectorService",
    "projector_asset",
    "projector_handlers",
    "projector_page",
    "projector_script_hash",
    "qr_svg",
]

log = logging.getLogger(__name__)

#: Cookie of the projector page (an HMAC of the session's view key, path ``p/<room>``).
COOKIE = "transferkit_projector"
#: Seconds the moderator's state of a room (slide, phase, timer, reveal; one row read by
#: primary key) is reused: with the page's 1 s polling the projector follows within ~1.3 s.
STATE_TTL = 0.25
#: Seconds what a room's answers show (cards, results, vote totals, counts; reading the
#: answers) is reused, per phase: a new phase is built at once; with the page's 1 s polling
#: new answers and votes appear within ~1.6 s (with 1.0 s here a vote took up to 2.08 s
#: to reach the wall in the 500-participant benchmark). Two reads a second per phase,
#: however many screens poll.
CONTENT_TTL = 0.5
#: Wrong room codes one address may try per minute at ``j/<room>`` before 429.
MAX_WRONG_CODES = 30


@functools.cache
def projector_asset(name: str) -> str:
    """The text of a file in ``live/static/`` (read once)."""
    return resources.files("transferkit.live").joinpath("static", name).read_text("utf-8")


def projector_script_hash() -> str:
    """The CSP source (``'sha256-…'``) of the page's inline script."""
    import base64

    digest = hashlib.sha256(projector_asset("projector.js").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url``, sized by its container (no width/height of its own)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True))


def projector_page(
    session: LiveSession, base_url: str, content: dict[str, Any], *, state_url: str
) -> str:
    """The projector page of ``session`` (its first content inlined as JSON; polls ``state_url``)."""
    lang = str(content.get("lang") or "de")
    join = short_url(base_url, session.room)
    return pages.render(
        "transferkit.live",
        "projector.html.j2",
        lang=lang,
        t=area_texts("projector", lang),
        title=text("projector.page_title", lang, title=content.get("title", "")),
        content=content,
        state_url=state_url,
        qr=Markup(qr_svg(join)),  # segno's own markup of our own address
        style=Markup(projector_asset("projector.css")),
        script=Markup(projector_asset("projector.js")),
    )


def _room_code(room: str) -> str | None:
    from transferkit.exceptions import ParameterError
    from transferkit.store.live_sessions import normalise_room

    try:
        return normalise_room(room)
    except ParameterError:
        return None


def _cookie_value(session: LiveSession) -> str:
    message = f"transferkit-projector|{session.room}".encode()
    return hmac.new(session.view_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


class ProjectorService:
    """One store, one thread pool and the shared snapshots of every room (one per process)."""

    def __init__(
        self,
        store_url: str | None = None,
        *,
        store: Store | None = None,
        public_url: str | None = None,
        ttl: float = STATE_TTL,
        content_ttl: float = CONTENT_TTL,
        workers: int = 2,
    ) -> None:
        self._store_url = store_url
        self._store = store
        self._sessions: LiveSessions | None = None
        self.public_url = public_url
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tk-projector")
        self.contents: SharedSnapshot[dict[str, Any]] = SharedSnapshot(content_ttl)
        self.rooms: SharedSnapshot[LiveSession | None] = SharedSnapshot(ttl)
        self._wrong: dict[str, list[float]] = {}

    @property
    def store(self) -> Store:
        if self._store is None:
            from transferkit.store import Store

            self._store = Store(self._store_url)
        return self._store

    @property
    def sessions(self) -> LiveSessions:
        if self._sessions is None:
            from transferkit.store.live_sessions import LiveSessions

            self._sessions = LiveSessions.for_store(self.store)
        return self._sessions

    def session(self, room: str) -> LiveSession | None:
        """The session of ``room`` (read at most once per ttl)."""
        code = _room_code(room)
        if code is None:
            return None
        return self.rooms.get(code, lambda: self.sessions.by_room(code))

    def content_json(self, room: str, base_url: str) -> bytes | None:
        """The room's content as JSON bytes, ``None`` if no such room.

        The moderator's state is read at most once per :data:`STATE_TTL`, the
        answers at most once per :data:`CONTENT_TTL` and phase, whatever the
        number of screens asking.
        """
        session = self.session(room)
        if session is None:
            return None
        key = "|".join(
            [session.room, str(session.state.get("phase")), str(session.state.get("lang"))]
        )
        content = self.contents.get(
            key, lambda: room_content(self.store, session, base_url=base_url)
        )
        payload = with_session_state(content, session)
        return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")

    def wrong_code(self, address: str, *, now: float | None = None) -> bool:
        """Count a wrong room code from ``address``; ``True`` if it has tried too many this minute."""
        now = time.monotonic() if now is None else now
        if len(self._wrong) > 10_000:
            self._wrong.clear()
        recent = [t for t in self._wrong.get(address, []) if now - t < 60] + [now]
        self._wrong[address] = recent[-(MAX_WRONG_CODES + 1) :]
        return len(recent) > MAX_WRONG_CODES

    def blocked(self, address: str, *, now: float | None = None) -> bool:
        """Whether ``address`` tried too many wrong codes in the last minute."""
        now = time.monotonic() if now is None else now
        return len([t for t in self._wrong.get(address, []) if now - t < 60]) > MAX_WRONG_CODES

    def join_target(self, room: str, base_path: str, token: str | None) -> str | None:
        """Where ``j/<room>`` forwards to: the current sheet (plus the participant secret)."""
        from transferkit.templates.access import load_visitor_template

        session = self.sessions.by_room(room)
        if session is None:
            return None
        template = load_visitor_template(session.template)
        request = join_request(template, session)
        url = sheet_url(base_path, request)
        key = live_vote_key(template, session)
        if key is not None and request.questions == "votes":  # the round table's voting step
            from transferkit.live import votes

            live = votes.session(self.store, key)
            if live is not None and live.accepting:  # a vote from phones is open: its page
                url = votes.vote_url(base_path, key, request.lang)  # token added below
        if token:
            url += ("&" if "?" in url else "?") + "token=" + quote(token, safe="")
        return url

    def close(self) -> None:
        """Stop the thread pool."""
        self.executor.shutdown(wait=False)


class _Handler(tornado.web.RequestHandler):
    service: ProjectorService
    base: str

    def initialize(self, service: ProjectorService, base: str, token: str | None) -> None:
        self.service = service
        self.base = base
        self.token = token

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def public_base(self) -> str:
        url = self.service.public_url or os.environ.get("TRANSFERKIT_PUBLIC_URL")
        if url:
            return url if url.endswith("/") else url + "/"
        return f"{self.request.protocol}://{self.request.host}{self.base}"

    async def run(self, work: Callable[..., Any], *args: object) -> Any:
        return await IOLoop.current().run_in_executor(self.service.executor, work, *args)

    def send_page(self, status: int, page: str, *, script: str = "'none'") -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header(
            "Content-Security-Policy",
            f"default-src 'none'; script-src {script}; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'",
        )
        self.finish(page)

    def lang(self) -> str:
        return "en" if self.get_query_argument("lang", "de") == "en" else "de"

    def allowed(self, session: LiveSession) -> bool:
        given = self.get_cookie(COOKIE)
        return given is not None and hmac.compare_digest(
            given.encode("utf-8"), _cookie_value(session).encode("utf-8")
        )

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        lang = self.lang()
        self.send_page(status_code, error_page(text("sheet.unexpected_error", lang), lang))


class _PageHandler(_Handler):
    async def get(self, room: str) -> None:
        session = await self.run(self.service.session, room)
        lang = str(session.state.get("lang") or "de") if session is not None else self.lang()
        if session is None:
            self.send_page(404, error_page(text("projector.unknown_room", lang), lang))
            return
        key = self.get_query_argument("key", None)
        if key is not None:
            if not hmac.compare_digest(key.encode("utf-8"), session.view_key.encode("utf-8")):
                self.send_page(403, error_page(text("projector.forbidden", lang), lang))
                return
            path = f"{self.base}p/{session.room}"
            self.set_cookie(
                COOKIE, _cookie_value(session), path=path, httponly=True, samesite="Strict"
            )
            self.redirect(path, status=303)  # the key leaves the address bar
            return
        if not self.allowed(session):
            self.send_page(403, error_page(text("projector.forbidden", lang), lang))
            return
        base = self.public_base()
        raw = await self.run(self.service.content_json, session.room, base)
        content = json.loads(raw) if raw else {}
        state = f"{self.base}p/{session.room}/state"
        page = await self.run(
            functools.partial(projector_page, session, base, content, state_url=state)
        )
        self.send_page(200, page, script=projector_script_hash())


class _StateHandler(_Handler):
    async def get(self, room: str) -> None:
        session = await self.run(self.service.session, room)
        if session is None or not self.allowed(session):
            self.set_status(404 if session is None else 403)
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(json.dumps({"ok": False}))
            return
        raw = await self.run(self.service.content_json, session.room, self.public_base())
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(raw or b"{}")


class _JoinHandler(_Handler):
    async def get(self, room: str) -> None:
        address = self.request.remote_ip or "?"
        lang = self.lang()
        if self.service.blocked(address):
            self.send_page(429, error_page(text("projector.too_many", lang), lang))
            return
        target = await self.run(self.service.join_target, room, self.base, self.token)
        if target is None:
            status = 429 if self.service.wrong_code(address) else 404
            key = "projector.too_many" if status == 429 else "projector.unknown_room"
            self.send_page(status, error_page(text(key, lang), lang))
            return
        self.redirect(target, status=302)


def projector_handlers(
    base_url: str = "/",
    *,
    store_url: str | None = None,
    token: str | None = None,
    service: ProjectorService | None = None,
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, object]]]:
    """Tornado URL specs of the projector view and the join address below ``base_url``.

    ``token`` (default ``$TRANSFERKIT_TOKEN``) is the participant secret that
    ``j/<room>`` adds to the sheet link; ``store_url`` defaults to ``$TRANSFERKIT_DB``.
    """
    import re

    inner = base_url.strip("/")
    base = f"/{inner}/" if inner else "/"
    if token is None:
        token = os.environ.get("TRANSFERKIT_TOKEN") or None
    shared: dict[str, object] = {
        "service": service or ProjectorService(store_url),
        "base": base,
        "token": token,
    }
    prefix = re.escape(base)
    room = r"([A-Za-z0-9-]{1,20})"
    return [
        (prefix + f"p/{room}/?", _PageHandler, shared),
        (prefix + f"p/{room}/state", _StateHandler, shared),
        (prefix + f"j/{room}/?", _JoinHandler, shared),
    ]
