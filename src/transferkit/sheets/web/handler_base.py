"""What every handler of the web sheet's server shares: no caching, no sniffing, no referrer,
and the page's language from the link (``?lang=en``, German otherwise)."""

from __future__ import annotations

import tornado.web

from transferkit.sheets.web.service import query_lang

__all__ = ["SheetRequestHandler"]


class SheetRequestHandler(tornado.web.RequestHandler):
    """A request of the web sheet's server (participants' sheet, votes, the moderator's entry)."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    @property
    def lang(self) -> str:
        return query_lang(self.request.query)
