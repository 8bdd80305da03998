"""What bounds the workshop server: connections, timeouts, body size, kernels, logs.

Everyone in the room (and on the same Wi-Fi) has the join link, so every
resource a visitor can make the laptop spend has a limit:

- **Connections**: at most ``max_connections`` open at once and
  ``max_per_address`` from one address (:class:`LimitedHTTPServer`); a
  connection over the limit is closed at once, before anything is read.
- **Timeouts**: a connection that sends no complete request head within
  ``idle_timeout`` seconds, or no body within ``body_timeout``, is closed
  (tornado's ``idle_connection_timeout`` is also its header timeout).
- **Body size**: a request body over ``max_body_size`` bytes is refused from its
  ``Content-Length`` (or while a chunked body streams), before it is read.
- **Kernels**: moderator screens start a kernel each; at most ``max_kernels``
  run at once (:func:`kernel_cap_page` is what the next visitor sees).
- **Logs**: no secret in any log line (:func:`scrub_uri`, :func:`log_request`).

Examples
--------
>>> scrub_uri("/sheet?template=x&token=s3cret&code=K7M4QX")
'/sheet?template=x&token=[secret]&code=[secret]'
>>> limits = ServerLimits(max_body_size=1000)
>>> limits.http_server_kwargs()["max_body_size"]
1000
"""

from __future__ import annotations

import html
import logging
import re
import resource
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream

if TYPE_CHECKING:
    from tornado.httputil import HTTPServerConnectionDelegate, HTTPServerRequest
    from tornado.web import RequestHandler

__all__ = [
    "SECRET_PARAMETERS",
    "LimitedHTTPServer",
    "SecretFilter",
    "ServerLimits",
    "forbidden_page",
    "install_secret_filter",
    "kernel_cap_page",
    "log_request",
    "raise_open_file_limit",
    "scrub_text",
    "scrub_uri",
]

log = logging.getLogger(__name__)
access_log = logging.getLogger("tornado.access")

#: Query parameters whose values never reach a log line.
SECRET_PARAMETERS = frozenset({"token", "code", "_xsrf"})


class HTTPServerLimits(TypedDict):
    """The keyword arguments of :class:`tornado.httpserver.HTTPServer` that :class:`ServerLimits` sets."""

    idle_connection_timeout: float
    body_timeout: float
    max_body_size: int
    max_header_size: int


@dataclass(frozen=True)
class ServerLimits:
    """The limits of one workshop server (defaults sized for a room of a few hundred phones)."""

    max_connections: int = 1000
    max_per_address: int = 64
    idle_timeout: float = 20.0
    body_timeout: float = 20.0
    max_body_size: int = 256 * 1024
    max_header_size: int = 16 * 1024
    max_kernels: int = 6

    def http_server_kwargs(self) -> HTTPServerLimits:
        """Keyword arguments for :class:`tornado.httpserver.HTTPServer`."""
        return {
            "idle_connection_timeout": self.idle_timeout,
            "body_timeout": self.body_timeout,
            "max_body_size": self.max_body_size,
            "max_header_size": self.max_header_size,
        }


class LimitedHTTPServer(HTTPServer):
    """A tornado HTTP server that closes connections over a total and a per-address limit."""

    def initialize(  # type: ignore[override]
        self,
        request_callback: HTTPServerConnectionDelegate | Callable[[HTTPServerRequest], None],
        *,
        max_connections: int = 1000,
        max_per_address: int = 64,
        **kwargs: Any,  # tornado's HTTPServer options, passed on
    ) -> None:
        super().initialize(request_callback, **kwargs)
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self._per_address: Counter[str] = Counter()
        self.refused = 0

    def handle_stream(self, stream: IOStream, address: tuple[object, ...]) -> None:
        host = _host(address)
        if len(self._connections) >= self.max_connections or (
            self._per_address[host] >= self.max_per_address
        ):
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                log.warning(
                    "transferkit: connection limit reached (%d open, %d from one address); "
                    "%d connection(s) refused so far",
                    len(self._connections),
                    self._per_address[host],
                    self.refused,
                )
            stream.close()
            return
        self._per_address[host] += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        host = _host(getattr(getattr(server_conn, "context", None), "address", None))
        self._per_address[host] -= 1
        if self._per_address[host] <= 0:
            del self._per_address[host]
        super().on_close(server_conn)


def _host(address: object) -> str:
    return str(address[0]) if isinstance(address, tuple) and address else "local"


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft limit of open files towards ``wanted`` (at most the hard limit); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - depends on the system
            pass
    return int(soft)


_SECRET_IN_TEXT = re.compile(r"((?:token|code|_xsrf)(?:=|%3D|%253D))[^&%\s\"')]+", re.IGNORECASE)


def scrub_text(text: str) -> str:
    """``text`` (a log message) with secret query values, plain or percent-encoded, replaced.

    >>> scrub_text("GET /x?next=%2Fy%3Ftoken%3Dabc%26a%3D1 and token=def")
    'GET /x?next=%2Fy%3Ftoken%3D[secret]%26a%3D1 and token=[secret]'
    """
    return _SECRET_IN_TEXT.sub(r"\1[secret]", text)


class SecretFilter(logging.Filter):
    """A logging filter that takes secrets out of every record (see :func:`scrub_text`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format: leave it to the handler
            return True
        cleaned = scrub_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_secret_filter(*loggers: logging.Logger) -> None:
    """Put a :class:`SecretFilter` on every handler of ``loggers``, of the root logger and of
    every logger created so far (tornado's and Jupyter's log through handlers of their own)."""
    known = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:  # records logged on these directly, whatever handler takes them
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(SecretFilter())
    for logger in (logging.getLogger(), *loggers, *known):
        for handler in logger.handlers:
            if not any(isinstance(f, SecretFilter) for f in handler.filters):
                handler.addFilter(SecretFilter())


def scrub_uri(uri: str) -> str:
    """``uri`` with the values of :data:`SECRET_PARAMETERS` replaced by ``[secret]``."""
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    pairs = parse_qsl(parts.query, keep_blank_values=True)

    def shown(key: str, value: str) -> str:
        if key in SECRET_PARAMETERS:
            return "[secret]"
        return quote(scrub_uri(value) if key == "next" else value, safe="")

    query = "&".join(f"{quote(k, safe='')}={shown(k, v)}" for k, v in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def log_request(handler: RequestHandler) -> None:
    """Tornado's ``log_function``: like tornado's own, without secrets in the URI."""
    status = handler.get_status()
    if status < 400:
        write = access_log.info
    elif status < 500:
        write = access_log.warning
    else:
        write = access_log.error
    request = handler.request
    millis = 1000.0 * request.request_time()
    write(
        "%d %s %s (%s) %.2fms",
        status,
        request.method,
        scrub_uri(request.uri or ""),
        request.remote_ip,
        millis,
    )


def kernel_cap_page(limit: int) -> str:
    """The page a moderator sees when ``limit`` kernels already run (German and English)."""
    n = html.escape(str(limit))
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>transferkit</title></head><body style='font-family:sans-serif;max-width:40em;"
        "margin:2em auto;padding:0 1em'>"
        f"<h1>Zu viele offene Bildschirme</h1><p>Es laufen schon {n} Moderationsbildschirme "
        "(Kernel). Schließen Sie nicht mehr gebrauchte Tabs und laden Sie diese Seite in einer "
        "Minute neu, oder starten Sie <code>transferkit serve --max-kernels</code> mit einer "
        "höheren Zahl.</p>"
        f"<h1 lang='en'>Too many open screens</h1><p lang='en'>{n} moderator screens (kernels) "
        "are running already. Close tabs you no longer need and reload this page in a minute, "
        "or start <code>transferkit serve --max-kernels</code> with a higher number.</p>"
        "</body></html>"
    )


def forbidden_page() -> str:
    """The page for a visitor without the moderator secret (German and English)."""
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>transferkit</title></head><body style='font-family:sans-serif;max-width:40em;"
        "margin:2em auto;padding:0 1em'>"
        "<h1>Nur für die Moderation</h1><p>Diese Seite ist der Moderation vorbehalten. "
        "Teilnehmende öffnen den Bogen über den Link oder QR-Code der Veranstaltung.</p>"
        "<h1 lang='en'>For the moderator only</h1><p lang='en'>This page is for the moderator. "
        "Participants open the sheet through the event's link or QR code.</p></body></html>"
    )
