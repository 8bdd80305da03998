"""Workshops run offline: no page of ``transferkit serve`` asks any host but the server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("notebook", "query", "ready"),
    [
        ("reflection_loop.ipynb", "pilot=P01&loop=1", ".tk-app, .tk-app-wide"),
        ("round_table.ipynb", "pilot=P01&loop=1", ".tk-app, .tk-app-wide"),
    ],
)
def test_pages_request_nothing_from_other_hosts(
    voila_server: Any, new_page: Any, notebook: str, query: str, ready: str
) -> None:
    page = new_page()
    hosts: list[str] = []

    def seen(request: Any) -> None:
        url = urlparse(request.url)
        if url.scheme not in ("data", "blob"):  # inline images (QR codes, charts)
            hosts.append(url.netloc)

    page.on("request", seen)
    page.goto(voila_server.url(notebook, query))
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_load_state("load")
    assert hosts, "no requests seen"
    # Voilà's own lab template loads Font Awesome from cdn.jsdelivr.net; ours must not.
    assert set(hosts) == {f"127.0.0.1:{voila_server.port}"}, sorted(set(hosts))


def test_serve_gives_participants_the_web_sheet(voila_server: Any, new_page: Any) -> None:
    """``transferkit serve``'s Voilà also serves ``/sheet`` (no kernel), without other hosts."""
    page = new_page()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).netloc))
    base = f"http://127.0.0.1:{voila_server.port}"
    page.goto(f"{base}/sheet?sheet=needs_analysis&pilot=P01&loop=1")
    page.wait_for_selector(".tk-code-start", timeout=30_000)
    page.locator(".tk-code input").fill("WEB0001")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-section-next:visible", timeout=30_000)  # sections
    assert page.locator(".tk-q-topics_priority, [class*='tk-q-']").count() > 5
    assert set(hosts) == {f"127.0.0.1:{voila_server.port}"}, sorted(set(hosts))
