"""The projector view in Chromium: it follows the moderator, shows no secret, is sized for a
room (computed font sizes, the QR code's size) and passes axe-core; screenshots of every view
at 1920×1080 and 1280×720 go to ``test-artifacts/``.

The server is started with a participant secret, so that a secret exists that must not reach
the wall (``transferkit serve`` always has one unless the event is open).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y import axe_violations, describe
from server_helpers import stop_process_group, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WORKSHOPS = ROOT / "workshops"
ARTIFACTS = ROOT / "test-artifacts"
MODERATOR_TOKEN = "room-moderator-secret-3"
PARTICIPANT_TOKEN = "room-participant-secret-7"
SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}


class Server:
    """A running server (Voilà with the web sheet and the projector view) and its store."""

    def __init__(self, process: Any, port: int, store_url: str, log: Path) -> None:
        self.process, self.port, self.store_url, self.log = process, port, store_url, log

    def url(self, notebook: str, query: str) -> str:
        """A moderator's link (with the moderator secret)."""
        return (
            f"http://127.0.0.1:{self.port}/voila/render/{notebook}?{query}&token={MODERATOR_TOKEN}"
        )

    def store(self) -> Any:
        from transferkit.store import Store

        return Store(self.store_url)


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from transferkit.guard import ServerLimits
    from transferkit.serve import start_voila
    from transferkit.store import Store

    tmp = tmp_path_factory.mktemp("room")
    store_url = f"sqlite:///{tmp / 'store.db'}"
    store = Store(store_url)
    store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    store.close()
    log = tmp / "voila.log"
    process, port = start_voila(
        WORKSHOPS,
        store_url=store_url,
        env=dict(os.environ, MPLBACKEND="Agg"),
        log_path=log,
        moderator_token=MODERATOR_TOKEN,
        participant_token=PARTICIPANT_TOKEN,
        limits=ServerLimits(max_kernels=20),
    )
    try:
        yield Server(process, port, store_url, log)
    finally:
        stop_process_group(process)


@pytest.fixture
def room_page(browser: Any) -> Iterator[Any]:
    """Pages in fresh contexts of a given size; CSP bypassed so that axe-core can be injected."""
    contexts: list[Any] = []

    def make(width: int = 1920, height: int = 1080) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        context.set_default_timeout(60_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    """A screenshot of the viewport (what a projector shows) into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def moderator(server: Server, room_page: Any, notebook: str, query: str) -> Any:
    page = room_page(1280, 900)
    page.goto(server.url(notebook, query))
    page.wait_for_selector(".tk-projector-link", timeout=90_000)
    return page


def open_projector(page: Any, href: str) -> None:
    page.goto(href)
    page.wait_for_selector("body.tk-projector[data-slide]", timeout=30_000)


def slide(page: Any) -> str:
    return str(page.get_attribute("body", "data-slide"))


def _submit_loop_inputs(server: Server) -> None:
    from transferkit.templates import load_template

    store = server.store()
    t = load_template("reflection_loop")
    store.submit(
        t,
        {"learned": "Kanban-Board im Team\nWöchentliche Wissensrunde", "info_useful": 4},
        pilot="P01",
        loop=2,
        phase="information",
        participant="ROOM01",
    )
    store.submit(
        t,
        {"tried": "WIP-Limits an der Tafel", "app_success": 3},
        pilot="P01",
        loop=2,
        phase="anwendung",
        participant="ROOM02",
    )
    store.close()


def test_projector_follows_the_moderator_and_shows_no_secret(
    room_server: Server, room_page: Any
) -> None:
    from transferkit.live.projector import short_url
    from transferkit.live.projector_web import qr_svg
    from transferkit.store.live_sessions import LiveSessions

    _submit_loop_inputs(room_server)
    mod = moderator(room_server, room_page, "reflection_loop.ipynb", "pilot=P01&loop=2")
    href = mod.locator(".tk-projector-link").get_attribute("href")
    assert "/p/" in href
    assert "key=" in href
    projector = room_page(1920, 1080)
    open_projector(projector, href)
    assert "key=" not in projector.url  # the key left the address bar at once
    assert slide(projector) == "join"
    html = projector.content()
    with room_server.store() as store:
        session = LiveSessions.for_store(store).open("reflection_loop", pilot="P01", loop=2)
    for secret in (PARTICIPANT_TOKEN, MODERATOR_TOKEN, session.view_key, "token="):
        assert secret not in html, f"{secret!r} is on the projector"
    assert "ROOM01" not in html  # no participant code
    # the QR code's payload is the short join address (same modules as segno draws it)
    expected = short_url(f"http://127.0.0.1:{room_server.port}/", session.room)
    drawn = projector.locator(".tk-slide-join .tk-p-qr path").get_attribute("d")
    assert drawn == re.search(r' d="([^"]+)"', qr_svg(expected)).group(1)
    assert PARTICIPANT_TOKEN not in expected
    assert f"127.0.0.1:{room_server.port}/j/{session.room}" in projector.inner_text(".tk-p-address")

    def follows(action: Any, check: Any) -> float:
        started = time.monotonic()
        action()
        assert wait_until(check, 5.0, 0.05), "the projector did not follow"
        return time.monotonic() - started

    lags = [
        follows(
            lambda: mod.locator(".tk-projector-slide button", has_text="Frage").click(),
            lambda: slide(projector) == "question",
        )
    ]
    assert "Information" in projector.inner_text(".tk-slide-question")
    lags.append(
        follows(
            lambda: mod.locator(".lm-TabBar-tab", has_text="Anwendung").click(),
            lambda: "Anwendung" in projector.inner_text(".tk-p-heading"),
        )
    )
    lags.append(
        follows(
            lambda: mod.locator(".tk-projector-slide button", has_text="Beiträge").click(),
            lambda: "WIP-Limits an der Tafel" in projector.inner_text(".tk-slide-inputs"),
        )
    )
    assert "Kanban-Board im Team" not in projector.inner_text(".tk-slide-inputs")  # other phase
    lags.append(
        follows(
            lambda: mod.locator(".tk-projector-timer-start").click(),
            lambda: projector.locator(".tk-p-timer").is_visible(),
        )
    )
    assert re.fullmatch(r"(09:5\d|10:00)", projector.inner_text(".tk-p-timer"))
    assert max(lags) < 2.0, f"projector lags behind the moderator: {lags}"
    # the join address forwards to the current phase's sheet, with the participant secret
    phone = room_page(390, 844)
    phone.goto(expected)
    phone.wait_for_selector(".tk-code-start", timeout=30_000)
    assert "phase=anwendung" in phone.url
    assert "tk-q-tried" in phone.content()


@pytest.fixture(scope="module")
def round_table(room_server: Server) -> Server:
    """Four ideas from two sheets and three phones' votes (4, 2, 2 and 1 points), stored once."""
    from transferkit.live import idea_id
    from transferkit.sheets.session import restrict_template
    from transferkit.templates import load_template

    store = room_server.store()
    t = load_template("round_table")
    ideas, vote = restrict_template(t, ["ideas"]), restrict_template(t, ["votes"])
    texts = [
        "Lernpaten für neue Kolleginnen und Kollegen",
        "Micro-Learning am Band",
        "Wissensrunde jeden Freitag",
        "Digitale Checklisten für die Wartung",
    ]
    store.submit(ideas, {"ideas": "\n".join(texts[:2])}, pilot="P01", loop=1, participant="RTI001")
    store.submit(ideas, {"ideas": "\n".join(texts[2:])}, pilot="P01", loop=1, participant="RTI002")
    ballots = [
        {idea_id(texts[0]): 2, idea_id(texts[1]): 1},
        {idea_id(texts[0]): 1, idea_id(texts[2]): 2},
        {idea_id(texts[3]): 2, idea_id(texts[0]): 1},
    ]  # three phones: 4, 1, 2, 2 points
    for n, ballot in enumerate(ballots):
        store.submit(vote, {"votes": ballot}, pilot="P01", loop=1, participant=f"RTV00{n}")
    store.close()
    return room_server


def _projector_for_round_table(server: Server, room_page: Any) -> tuple[Any, str]:
    mod = moderator(server, room_page, "round_table.ipynb", "pilot=P01&loop=1")
    return mod, str(mod.locator(".tk-projector-link").get_attribute("href"))


def test_round_table_votes_are_one_chart_with_the_right_totals(
    round_table: Server, room_page: Any
) -> None:
    mod, href = _projector_for_round_table(round_table, room_page)
    projector = room_page(1920, 1080)
    open_projector(projector, href)
    mod.locator(".tk-projector-slide button", has_text="Ergebnis").click()
    assert wait_until(lambda: slide(projector) == "results", 5.0, 0.1)
    assert wait_until(lambda: projector.locator(".tk-p-bar-value").count() == 4, 5.0)
    values = projector.locator(".tk-p-bar-value").all_inner_texts()
    labels = projector.locator(".tk-p-bar-label").all_inner_texts()
    assert values == ["4", "2", "2", "1"]
    assert labels[0] == "Lernpaten für neue Kolleginnen und Kollegen"
    assert set(labels[1:3]) == {
        "Wissensrunde jeden Freitag",
        "Digitale Checklisten für die Wartung",
    }
    assert labels[3] == "Micro-Learning am Band"
    assert projector.locator(".tk-vote-results table, .tk-p-chart table").count() == 0  # one chart
    assert "3" in projector.inner_text(".tk-p-voters")
    mod.locator(".tk-projector-reveal input").uncheck()
    assert wait_until(lambda: projector.locator(".tk-p-bar-value").count() == 0, 5.0, 0.1)
    mod.locator(".tk-projector-reveal input").check()
    assert wait_until(lambda: projector.locator(".tk-p-bar-value").count() == 4, 5.0, 0.1)


def _sizes(page: Any) -> dict[str, float]:
    return page.evaluate(
        """() => {
            const px = (sel) => {
                const el = document.querySelector(sel);
                return el ? parseFloat(getComputedStyle(el).fontSize) : 0;
            };
            const box = (sel) => {
                const el = document.querySelector(sel);
                if (!el || el.offsetParent === null) return {w: 0, h: 0};
                const r = el.getBoundingClientRect();
                return {w: r.width, h: r.height};
            };
            const visibleH1 = [...document.querySelectorAll("h1")].find(h => h.offsetParent !== null);
            return {
                body: px("body"),
                h1: visibleH1 ? parseFloat(getComputedStyle(visibleH1).fontSize) : 0,
                address: px(".tk-p-address"),
                card: px(".tk-p-card"),
                prompt: px(".tk-p-prompt"),
                value: px(".tk-p-bar-value"),
                label: px(".tk-p-bar-label"),
                timer: px(".tk-p-timer"),
                qr_h: box(".tk-p-qr svg").h,
                qr_w: box(".tk-p-qr svg").w,
                main_h: box(".tk-p-main").h,
                scroll_h: document.documentElement.scrollHeight,
                scroll_w: document.documentElement.scrollWidth,
                inner_h: window.innerHeight,
                inner_w: window.innerWidth,
            };
        }"""
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_type_and_qr_code_are_sized_for_a_room_and_pass_axe(
    round_table: Server, room_page: Any, size: str
) -> None:
    width, height = SIZES[size]
    mod, href = _projector_for_round_table(round_table, room_page)
    mod.locator(".tk-projector-timer-start").click()
    projector = room_page(width, height)
    open_projector(projector, href)
    problems: dict[str, str] = {}
    for name, button in (
        ("join", "Mitmachen"),
        ("question", "Frage"),
        ("inputs", "Beiträge"),
        ("results", "Ergebnis"),
    ):
        mod.locator(".tk-projector-slide button", has_text=button).click()
        assert wait_until(lambda n=name: slide(projector) == n, 5.0, 0.1), name
        projector.wait_for_timeout(300)
        s = _sizes(projector)
        # fills the screen without scrolling
        assert s["scroll_h"] <= s["inner_h"] + 1, (name, s)
        assert s["scroll_w"] <= s["inner_w"] + 1, (name, s)
        assert s["main_h"] >= 0.75 * height, (name, s)
        body_min = 28 if height >= 1080 else 18  # 1280×720: legible (20 px on the wall)
        assert s["body"] >= body_min, (name, s)
        assert s["h1"] >= 1.5 * s["body"], (name, s)
        assert s["timer"] >= 2 * s["body"], (name, s)
        if name == "join":
            assert s["qr_h"] >= 0.4 * height, (name, s)  # at least 40 % of the screen height
            assert abs(s["qr_w"] - s["qr_h"]) < 2, s
            assert s["address"] >= 1.5 * s["body"], s
        if name == "question":
            assert s["prompt"] >= 1.5 * s["body"], s
        if name == "inputs":
            assert s["card"] >= s["body"], s
        if name == "results":
            assert s["label"] > s["body"], s
            assert s["value"] > s["label"], s
        shot(projector, f"projector_{name}_{size}")
        found = axe_violations(projector)
        if found:
            problems[name] = describe(found)
    assert not problems, problems
    mod.set_viewport_size({"width": width, "height": height})
    shot(mod, f"moderator_round_table_{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_moderator_reflection_loop_screenshot(
    room_server: Server, room_page: Any, size: str
) -> None:
    width, height = SIZES[size]
    mod = moderator(room_server, room_page, "reflection_loop.ipynb", "pilot=P01&loop=1")
    mod.set_viewport_size({"width": width, "height": height})
    mod.locator(".lm-TabBar-tab", has_text="Information").click()
    mod.wait_for_timeout(300)
    shot(mod, f"moderator_reflection_loop_{size}")


WEB_SHEETS = {
    "training_feedback": "sheet=training_feedback&pilot=P01&loop=1",
    "loop_optimierung": "sheet=reflection_loop&pilot=P01&loop=1&phase=optimierung",
    "round_table_votes": "sheet=round_table&pilot=P01&loop=1&questions=votes",
    "needs_analysis": "sheet=needs_analysis&pilot=P01",
}


@pytest.mark.parametrize("sheet", list(WEB_SHEETS))
def test_web_sheet_passes_axe_and_is_screenshot(
    room_server: Server, room_page: Any, sheet: str
) -> None:
    problems: dict[str, str] = {}
    for size, (width, height) in SIZES.items():
        page = room_page(width, height)
        url = f"http://127.0.0.1:{room_server.port}/sheet?{WEB_SHEETS[sheet]}&token={PARTICIPANT_TOKEN}"
        page.goto(url)
        page.wait_for_selector(".tk-code-start", timeout=30_000)
        found = axe_violations(page)  # the code step
        page.locator(".tk-code input").fill(f"AX{len(problems)}7Q{list(WEB_SHEETS).index(sheet)}")
        page.click(".tk-code-start")
        # a sheet in sections shows its submit button on the last section only
        page.wait_for_selector(".tk-question", state="visible", timeout=30_000)
        page.wait_for_timeout(300)
        found += axe_violations(page)  # the sheet itself (its first section)
        if found:
            problems[size] = describe(found)
        shot(page, f"web_sheet_{sheet}_{size}")
    assert not problems, problems


def test_axe_check_finds_a_planted_violation(room_page: Any) -> None:
    """Positive control: the check above would see a serious problem (an image without text)."""
    page = room_page(800, 600)
    page.set_content(
        "<html lang='de'><body><main><img src='data:,'><button></button></main></body></html>"
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "button-name"} <= found, found


def test_web_sheet_dates_are_typed_in_the_pages_format(room_server: Server, room_page: Any) -> None:
    """A German page asks for TT.MM.JJJJ (not the browser's mm/dd/yyyy), stores ISO and shows
    a restored draft in TT.MM.JJJJ again."""
    page = room_page(390, 844)
    query = "sheet=reflection_loop&pilot=P01&loop=3&phase=optimierung"
    page.goto(f"http://127.0.0.1:{room_server.port}/sheet?{query}&token={PARTICIPANT_TOKEN}")
    page.wait_for_selector(".tk-code-start")
    page.locator(".tk-code input").fill("DAT7Q1")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-submit:enabled")
    page.locator(".tk-q-actions .tk-add-row").click()
    row = page.locator(".tk-q-actions .tk-rows .tk-item-row").first
    due = row.locator(".tk-field-due")
    assert due.get_attribute("type") == "text"
    assert due.get_attribute("placeholder") == "TT.MM.JJJJ"
    row.locator(".tk-field-what").fill("Checkliste Datenablage")
    due.fill("31.03.2025")
    assert page.evaluate("window.tkSheet.answers()")["actions"][0]["due"] == "2025-03-31"
    page.wait_for_timeout(1500)  # autosave 0.7 s after the last change
    page.reload()
    page.wait_for_selector(".tk-submit:enabled")
    restored = page.locator(".tk-q-actions .tk-rows .tk-item-row .tk-field-due").first
    assert wait_until(lambda: restored.input_value() == "31.03.2025", 10.0)
    restored.fill("31.02.2025")  # no such day: the server names it, in the page's format
    page.locator(".tk-q-lessons textarea").fill("Kurze Wege")
    page.locator(".tk-q-loop_satisfaction input[type=radio]").nth(3).check()
    page.click(".tk-submit")
    page.wait_for_selector(".tk-q-actions .tk-error:visible")
    message = page.inner_text(".tk-q-actions .tk-error")
    assert "31.02.2025" in message
    assert "TT.MM.JJJJ" in message
    restored.fill("1.4.2025")
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible")
    with room_server.store() as store:
        stored = store.responses(template="reflection_loop", pilot="P01", loop=3)
    assert stored.iloc[0]["actions"][0]["due"] == "2025-04-01"
