"""A tiny HTTP client for the web sheet's tests (importable by name: ``websheet_client``)."""

from __future__ import annotations

import http.client
import json
from http.cookies import SimpleCookie
from typing import Any

from transferkit.sheets.web import BackgroundServer

__all__ = ["Client"]


class Client:
    """A tiny HTTP client with a cookie jar (like one participant's browser)."""

    def __init__(self, server: BackgroundServer, base: str = "/") -> None:
        self.server = server
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, bytes]:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, self.base + path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, data

    def page(self, query: str, **headers: str) -> tuple[int, str]:
        status, _headers, data = self.request("GET", f"sheet?{query}", headers=headers)
        return status, data.decode("utf-8")

    def get(self, what: str, **headers: str) -> tuple[int, Any]:
        status, _headers, data = self.request("GET", f"sheet/api/{what}", headers=headers)
        return status, json.loads(data)

    def post(
        self,
        what: str,
        payload: Any,
        *,
        xsrf: bool = True,
        raw: bytes | None = None,
        **headers: str,
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **headers}
        if xsrf:
            sent["X-XSRFToken"] = self.cookies.get("_xsrf", "")
        body = raw if raw is not None else json.dumps(payload).encode("utf-8")
        status, _headers, data = self.request("POST", f"sheet/api/{what}", body=body, headers=sent)
        return status, json.loads(data)
