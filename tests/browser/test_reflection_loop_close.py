"""End-to-end: the moderator closes a reflection loop and gets the loop_protocol report.

Runs the real thing: Voilà serves ``workshops/reflection_loop.ipynb`` in
headless Chromium; "Schleife abschließen" stores the loop's key figures and
runs the ``loop_protocol`` report notebook in a background thread of the
moderator's kernel (a papermill kernel of its own: some seconds).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_close_loop_makes_the_protocol_report(voila_server: Any, new_page: Any, shot: Any) -> None:
    from transferkit.templates import load_template

    store = voila_server.store()
    template = load_template("reflection_loop")
    store.submit(
        template,
        {"learned": "Kanban-Board im Büro", "info_useful": 5},
        pilot="P01",
        loop=1,
        phase="information",
        participant="PART07",
    )
    store.close()
    moderator = new_page(1280, 900)
    moderator.goto(voila_server.url("reflection_loop.ipynb", "pilot=P01&loop=1"))
    moderator.wait_for_selector(".tk-counter", timeout=60_000)
    moderator.locator(".lm-TabBar-tab", has_text="Abschluss").click()
    moderator.locator(".tk-item-what input").first.fill("Retro einführen")
    moderator.locator(".tk-close-loop").click()
    status = moderator.locator(".tk-protocol-status")
    status.wait_for(timeout=30_000)
    assert "Das Protokoll wird erstellt" in status.inner_text()
    started = time.monotonic()
    link = moderator.locator(".tk-protocol-link")
    link.wait_for(timeout=240_000)
    shot(moderator, "reflection_loop_closed")
    shown = moderator.locator(".tk-protocol").inner_text()
    assert "Protokoll erstellt" in shown, shown
    assert link.inner_text() == "Protokoll herunterladen (HTML)"
    assert link.get_attribute("download") == "protocol_P01_loop1.html"
    assert link.get_attribute("href").startswith("data:text/html;base64,")
    path = Path(moderator.locator(".tk-protocol-path code").inner_text())
    assert path.name == "protocol_P01_loop1.html"
    page = path.read_text(encoding="utf-8")
    assert "Protokoll der Reflexionsschleife 1" in page
    assert "Retro einführen" in page
    assert "Kanban-Board im Büro" in page
    assert "PART07" not in page  # no participant codes in a protocol handed out
    assert "abgeschlossen" in page
    with voila_server.store() as store:
        closings = store.loop_closings("P01")
    assert closings["loop"].tolist() == [1]
    assert closings.loc[0, "participants"] == 1
    assert closings.loc[0, "info_useful_mean"] == 5.0
    assert time.monotonic() - started < 240
