"""End-to-end: stored payloads never run in a report, and a report asks no host for anything.

A store full of hostile texts (:func:`test_report_escaping.hostile_store`: reflection-loop
inputs in all four phases, action items, round-table ideas and vote keys, dot-vote groups,
GAS goals, pilot and company names) goes through the real ``loop_protocol`` and pilot
report notebooks (the package's runner, one kernel each); Chromium opens the HTML files.
Every payload would set ``window.__tk_pwned``; it must stay unset, also after clicking
every link, no request may leave for anything but the file itself, and the page's
Content-Security-Policy must have nothing of the package's own to refuse.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_report_escaping import PAYLOADS, hostile_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from transferkit.reports import run_report

    tmp = tmp_path_factory.mktemp("report-scripts")
    url = hostile_store(tmp / "store.db")
    out = tmp / "reports"
    made = {
        "protocol": run_report("protocol", {"db": url, "pilot_id": "P01", "loop": 1}, out),
        "pilot": run_report("pilot", {"db": url, "pilot_id": "P01", "lang": "en"}, out),
    }
    return {kind: result.html for kind, result in made.items() if result.html is not None}


@pytest.mark.parametrize("kind", ["protocol", "pilot"])
def test_no_payload_runs_and_nothing_is_requested(
    browser: Any, reports: dict[str, Path], kind: str
) -> None:
    path = reports[kind]
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(15_000)
    leaving: list[str] = []
    console: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urlsplit(url).scheme in ("file", "data"):
            request_route.continue_()
        else:
            leaving.append(url)
            request_route.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "request",
            lambda request: (
                None
                if urlsplit(request.url).scheme in ("file", "data")
                else leaving.append(request.url)
            ),
        )
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # onerror, ontoggle and onload handlers would have run
        assert page.evaluate("window.__tk_pwned") is None

        text = page.inner_text("body")
        shown = PAYLOADS if kind == "protocol" else [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]]
        for payload in shown:  # the participants' words are there, as text
            assert " ".join(payload.split()) in " ".join(text.split()), payload
        if kind == "pilot":
            assert page.locator("img").count() >= 1  # the figures are there
        assert page.locator("img:not([src^='data:image/png'])").count() == 0
        assert page.locator("script, iframe, svg, details, object, embed, link").count() == 0

        links = page.locator("a")
        for n in range(links.count()):
            links.nth(n).click(no_wait_after=True, timeout=5_000)
        page.wait_for_timeout(200)
        if page.url == path.as_uri():
            assert page.evaluate("window.__tk_pwned") is None
        assert page.url == path.as_uri()  # no link took the page anywhere

        assert leaving == []
        policy = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
        assert policy == []
        assert [m for m in console if m.startswith(("error", "pageerror"))] == []
    finally:
        context.close()
