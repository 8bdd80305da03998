"""Whether a request carries a secret: compared in constant time, remembered in a cookie.

A secret (the participants' link token, the moderator's secret, a projector's view key)
comes once in the query (``?token=…``), or in an ``Authorization: token …`` header; the
server then sets an HttpOnly cookie holding ``HMAC-SHA256(secret, purpose)`` rather than the
secret itself, so that the secret leaves the address bar and a cookie of one purpose never
opens another's pages.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

import tornado.web

__all__ = ["cookie_value", "request_has_secret", "same"]


def same(given: str | None, expected: str) -> bool:
    """``given == expected``, in constant time; ``False`` for no ``given``."""
    return given is not None and hmac.compare_digest(
        given.encode("utf-8"), expected.encode("utf-8")
    )


def cookie_value(secret: str, purpose: str) -> str:
    """What the cookie of ``purpose`` holds for ``secret``: ``HMAC-SHA256(secret, purpose)``."""
    return hmac.new(secret.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def request_has_secret(
    handler: tornado.web.RequestHandler,
    secret: str,
    *,
    cookie: str,
    purpose: str,
    path: str,
    samesite: Literal["Lax", "Strict"],
    from_query: bool = False,
) -> bool:
    """Whether ``handler``'s request carries ``secret``: the cookie ``cookie``, the header, or
    (with ``from_query``) ``?token=``, which then sets the cookie for ``path``."""
    value = cookie_value(secret, purpose)
    if same(handler.get_cookie(cookie), value):
        return True
    header = handler.request.headers.get("Authorization", "")
    if header.lower().startswith("token ") and same(header[6:].strip(), secret):
        return True
    if from_query and same(handler.get_query_argument("token", None), secret):
        handler.set_cookie(cookie, value, path=path, httponly=True, samesite=samesite)
        return True
    return False
