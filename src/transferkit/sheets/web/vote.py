"""Live votes from phones: the vote page of the web sheet and its two API calls.

Routes below the web sheet's base (added to :func:`transferkit.sheets.web.handlers`):

=================================  ======  ===========================================
``sheet/vote?pilot=&loop=&vote=``  GET     the phone's vote page (HTML, one request)
``sheet/api/vote/open``            POST    ``{"query", "code"}`` → the vote and my ballot
``sheet/api/vote/cast``            POST    ``{"query", "code", "points": {item: n}}``
=================================  ======  ===========================================

The vote itself (items, budget, hidden results) is opened by the moderator's
screen (:mod:`transferkit.live.votes`) and kept in the store
(:mod:`transferkit.store.votes`); every rule is checked there, inside the writing
transaction, so a crafted request can neither pass the budget nor give points to
an item that does not exist. Bounded: bodies of at most :data:`MAX_VOTE_BODY`
bytes, one ballot per participant code and vote, at most
:data:`~transferkit.store.votes.MAX_BALLOTS` ballots per vote. The results go to
phones only once they are visible (not hidden, or revealed by the moderator).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from transferkit import pages
from transferkit.exceptions import ParameterError, StoreError
from transferkit.i18n import area_texts, text
from transferkit.sheets.query import parse_query
from transferkit.sheets.session import check_code
from transferkit.sheets.web.render import asset
from transferkit.store.votes import VoteError, VoteKey, VoteStore

if TYPE_CHECKING:
    from transferkit.sheets.web.service import SheetService
    from transferkit.store.values import JSONValue

__all__ = ["MAX_VOTE_BODY", "VoteApi", "vote_key_of", "vote_query", "vote_script_hash"]

log = logging.getLogger(__name__)

#: Largest body of a vote request (bytes): a ballot of 200 items is far smaller.
MAX_VOTE_BODY = 16 * 1024
#: The topic of a vote: letters, digits, ``_`` and ``-``.
_TOPIC_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def vote_query(pilot: str, loop: int | None, topic: str, lang: str = "de") -> str:
    """The query of a vote link (``pilot=P01&loop=2&vote=grouping``).

    >>> vote_query("P01", 2, "grouping", "en")
    'pilot=P01&loop=2&vote=grouping&lang=en'
    """
    parts = [f"pilot={pilot}"]
    if loop is not None:
        parts.append(f"loop={loop}")
    parts.append(f"vote={topic}")
    if lang != "de":
        parts.append(f"lang={lang}")
    return "&".join(parts)


def vote_key_of(query: str) -> tuple[VoteKey, str]:
    """The vote a link names, and its language; :class:`ParameterError` if it names none.

    >>> vote_key_of("pilot=P01&loop=2&vote=grouping")
    (VoteKey(pilot='P01', loop=2, topic='grouping'), 'de')
    """
    from urllib.parse import parse_qs

    request = parse_query(query)
    topics = parse_qs((query or "").lstrip("?")).get("vote") or [""]
    topic = topics[-1].strip()
    if not request.pilot or not topic or len(topic) > 50 or not set(topic) <= _TOPIC_CHARS:
        raise ParameterError(text("vote.error_bad_link", request.lang))
    return VoteKey(request.pilot, request.loop, topic), request.lang


def vote_script_hash() -> str:
    """The CSP source (``'sha256-…'``) of the vote page's inline script (``vote.js``)."""
    digest = hashlib.sha256(asset("vote.js").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _lang_of(query: object) -> str:
    try:
        return parse_query(query if isinstance(query, str) else "").lang
    except ParameterError:
        return "de"


class VoteApi:
    """What the vote page and its API do, without HTTP (on the web sheet's store)."""

    def __init__(self, service: SheetService) -> None:
        self.service = service
        self._votes: VoteStore | None = None
        self._lock = threading.Lock()

    @property
    def votes(self) -> VoteStore:
        """The vote tables in the web sheet's store (opened on first use)."""
        with self._lock:
            if self._votes is None:
                self._votes = VoteStore.for_store(self.service.store)
            return self._votes

    # ------------------------------------------------------------ page
    def page(self, query: str, api: str) -> tuple[int, str]:
        """``(status, html)`` of the vote page; an error page for a broken link."""
        from transferkit.sheets.web.render import error_page

        lang = _lang_of(query)
        try:
            key, lang = vote_key_of(query)
        except ParameterError as error:
            return 400, error_page(str(error), lang)
        sub = [f"{text('sheet.pilot', lang)} {key.pilot}"]
        if key.loop is not None:
            sub.append(f"{text('sheet.loop', lang)} {key.loop}")
        config = {
            "api": api,
            "query": query.lstrip("?"),
            "texts": area_texts("vote", lang),
        }
        page = pages.render(
            "transferkit.sheets.web",
            "vote.html.j2",
            lang=lang,
            title=text("vote.title", lang),
            sub=sub,
            style=Markup(asset("sheet.css")),
            config=config,
            script=Markup(asset("vote.js")),
        )
        return 200, page

    # ------------------------------------------------------------ API
    def _begin(self, body: JSONValue) -> tuple[VoteKey, str, str] | tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "the body is a JSON object", "code": "bad_request"}
        query = body.get("query")
        lang = _lang_of(query)
        try:
            key, lang = vote_key_of(query if isinstance(query, str) else "")
        except ParameterError as error:
            return 400, {"ok": False, "code": "bad_link", "message": str(error)}
        raw = body.get("code")
        try:
            code = check_code(raw if isinstance(raw, str) else "")
        except ParameterError as error:
            return 400, {"ok": False, "code": "no_code", "message": str(error)}
        return key, code, lang

    @staticmethod
    def _refused(error: VoteError, lang: str) -> tuple[int, dict[str, Any]]:
        status = (
            404 if error.code == "no_vote" else 409 if error.code in ("closed", "full") else 400
        )
        message = text(f"vote.error_{error.code}", lang, **error.values)
        return status, {"ok": False, "code": error.code, "message": message, "error": str(error)}

    @staticmethod
    def _unavailable(lang: str, error: BaseException) -> tuple[int, dict[str, Any]]:
        log.warning("vote: store not available: %s", error)
        return 503, {"ok": False, "code": "store", "message": text("sheet.store_unavailable", lang)}

    def _state(self, key: VoteKey, code: str) -> dict[str, Any]:
        session = self.votes.session(key)
        if session is None:
            msg = f"there is no vote {key.as_string()!r}"
            raise VoteError(msg, code="no_vote")
        state: dict[str, Any] = {
            "ok": True,
            "items": [list(item) for item in session.items],
            "budget": session.budget,
            "max_per_item": session.max_per_item,
            "accepting": session.accepting,
            "ballot": self.votes.ballot(key, code),
            "results": None,
        }
        if session.results_visible:
            ranked = sorted(
                self.votes.totals(key), key=lambda t: -t.points
            )  # stable: ties in order
            state["results"] = [[t.label, t.points] for t in ranked]
        return state

    def open(self, body: JSONValue) -> tuple[int, dict[str, Any]]:
        """The vote (items, budget, limit), my ballot so far and, when visible, the results."""
        begun = self._begin(body)
        if isinstance(begun[0], int):
            return begun
        key, code, lang = begun
        try:
            return 200, self._state(key, code)
        except VoteError as error:
            return self._refused(error, lang)
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)

    def cast(self, body: JSONValue) -> tuple[int, dict[str, Any]]:
        """Store my whole ballot (replacing the one before); refused if it breaks a rule."""
        begun = self._begin(body)
        if isinstance(begun[0], int):
            return begun
        key, code, lang = begun
        points = body.get("points") if isinstance(body, dict) else None
        from transferkit.store.engine import with_retry

        try:
            with_retry(lambda: self.votes.cast(key, code, points))
            state = self._state(key, code)
        except VoteError as error:
            return self._refused(error, lang)
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        state["message"] = text("vote.saved", lang)
        return 200, state


def decode_vote_body(raw: bytes) -> JSONValue:
    """A vote request's body as JSON (at most :data:`MAX_VOTE_BODY` bytes), or ValueError."""
    if len(raw) > MAX_VOTE_BODY:
        msg = f"request too large ({len(raw)} bytes, at most {MAX_VOTE_BODY})"
        raise ValueError(msg)
    from transferkit.sheets.web.app import decode_json

    return decode_json(raw, max_depth=4)
