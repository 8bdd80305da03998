"""End-to-end: participants' text on the moderator screens is text, never markup or script.

Anyone in the room has the join link, so whatever a participant types reaches
the moderator's laptop and the projector. Hostile inputs are stored in the
server's store (ideas, vote keys, loop texts of every phase, proposed and
earlier action items, some before and some after the page is open); both
moderator screens are opened in Chromium and refresh live. No payload may
run (``window.__tk_pwned`` stays unset), become an element or a live link,
and each must be visible as the text that was typed.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from server_helpers import wait_until as shared_wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOADS = [
    '<img src=x onerror="window.__tk_pwned=1">',
    '<svg onload="window.__tk_pwned=2"></svg>',
    '<details open ontoggle="window.__tk_pwned=3">x</details>',
    "<script>window.__tk_pwned=4</script>",
    '<a href="javascript:window.__tk_pwned=5">klick</a>',
    "[klick](javascript:window.__tk_pwned=6)",
    '<iframe srcdoc="<script>parent.__tk_pwned=7</script>"></iframe>',
    '"><img src=x onerror=window.__tk_pwned=8>',
    "'><svg/onload=window.__tk_pwned=9>",
    "$\\href{javascript:window.__tk_pwned=10}{mathe}$",
]
#: Vote keys that are no idea at all: never shown, not even as text.
VOTE_KEYS = [
    '<img src=x onerror="window.__tk_pwned=20">VOTEKEY',
    "VOTEKEY2</td><script>window.__tk_pwned=21</script>",
]

# Elements a payload would create; the screens' own markup has none of them
# inside participants' areas (the QR codes are SVGs in .tk-join, outside these).
HOSTILE = "img, svg, script, iframe, details, a[href^='javascript'], [onerror], [onload], [ontoggle], mjx-container"
PARTICIPANT_AREAS = [
    ".tk-idea-wall",
    ".tk-vote-results",
    ".tk-cards",
    ".tk-groups",
    ".tk-suggestions",
    ".tk-earlier-items",
    ".tk-counter",
]


def wait_until(check: Any, timeout: float = 20.0) -> Any:
    return shared_wait_until(check, timeout, 0.25)


def assert_harmless(page: Any) -> None:
    assert page.evaluate("() => window.__tk_pwned") is None, "a payload ran"
    assert page.evaluate("() => document.querySelectorAll(\"a[href^='javascript' i]\").length") == 0
    for area in PARTICIPANT_AREAS:
        found = page.evaluate(
            "([area, sel]) => [...document.querySelectorAll(area)]"
            ".flatMap(a => [...a.querySelectorAll(sel)]).map(e => e.outerHTML.slice(0, 80))",
            [area, HOSTILE],
        )
        assert found == [], f"elements from participants' text in {area}: {found}"


def test_round_table_shows_hostile_ideas_and_votes_as_text(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    from transferkit.live import idea_id
    from transferkit.sheets.session import restrict_template
    from transferkit.templates import load_template

    template = load_template("round_table")
    vote = restrict_template(template, ["votes"])  # the vote step of the join screen
    first, later = PAYLOADS[:5], PAYLOADS[5:]
    with voila_server.store() as store:
        store.submit(
            template, {"ideas": "\n".join(first)}, pilot="P01", loop=3, participant="EVIL01"
        )
        store.submit(
            vote,
            {"votes": {idea_id(first[0]): 2, VOTE_KEYS[0]: 1}},
            pilot="P01",
            loop=3,
            participant="EVIL02",
        )
    screen = new_page(1280, 900)
    screen.goto(voila_server.url("round_table.ipynb", "pilot=P01&loop=3"))
    screen.wait_for_selector(".tk-join svg", timeout=60_000)
    with voila_server.store() as store:  # while the screen is open: the live refresh shows them
        store.submit(
            template, {"ideas": "\n".join(later)}, pilot="P01", loop=3, participant="EVIL03"
        )
        store.submit(
            vote,
            {"votes": {idea_id(later[0]): 1, VOTE_KEYS[1]: 2}},
            pilot="P01",
            loop=3,
            participant="EVIL04",
        )
    screen.locator(".lm-TabBar-tab", has_text="Ideenwand").click()
    wall = screen.locator(".tk-idea-wall")
    for text in PAYLOADS:
        assert wait_until(lambda t=text: t in wall.inner_text()), f"{text!r} not shown as text"
    assert_harmless(screen)
    screen.locator(".lm-TabBar-tab", has_text="Ergebnis").click()
    results = screen.locator(".tk-vote-results")
    assert wait_until(lambda: later[0] in results.inner_text())
    shown = results.inner_text()
    assert first[0] in shown
    assert "VOTEKEY" not in screen.inner_text("body")  # a key that is no idea is not shown at all
    time.sleep(3.5)  # two more live refreshes
    assert_harmless(screen)
    shot(screen, "round_table_hostile_text")


def test_reflection_loop_shows_hostile_texts_as_text(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    from transferkit.templates import load_template

    template = load_template("reflection_loop")
    texts = {
        "information": {
            "learned": PAYLOADS[0:3],
            "open_questions": PAYLOADS[3:5],
            "info_useful": 4,
        },
        "anwendung": {"tried": PAYLOADS[5:8], "obstacles": PAYLOADS[8:], "app_success": 3},
        "austausch": {"worked": PAYLOADS, "exchange_quality": 4},
        "optimierung": {
            "lessons": PAYLOADS,
            "loop_satisfaction": 5,
            "actions": [{"what": p, "who": "QM", "status": "open"} for p in PAYLOADS[:4]],
        },
    }
    pilot_loop = {"pilot": "P01", "loop": 2}
    with voila_server.store() as store:
        for text in PAYLOADS:  # earlier action items of loop 1, shown for a decision in loop 2
            store.add_action_item("P01", 1, text, owner=text[:30])
        for phase in ("information", "anwendung"):
            answers = {
                k: "\n".join(v) if isinstance(v, list) else v for k, v in texts[phase].items()
            }
            store.submit(template, answers, **pilot_loop, phase=phase, participant="EVIL11")
    moderator = new_page(1280, 900)
    moderator.goto(voila_server.url("reflection_loop.ipynb", "pilot=P01&loop=2"))
    moderator.wait_for_selector(".tk-counter", timeout=60_000)
    with voila_server.store() as store:  # the later phases arrive while the screen is open
        for phase in ("austausch", "optimierung"):
            answers = {
                k: "\n".join(v) if isinstance(v, list) and k != "actions" else v
                for k, v in texts[phase].items()
            }
            store.submit(template, answers, **pilot_loop, phase=phase, participant="EVIL11")
    earlier = moderator.locator(".tk-earlier-items")
    for text in PAYLOADS:
        assert text in earlier.inner_text(), f"earlier item {text!r} not shown as text"
    for phase in template.phases:
        moderator.locator(".lm-TabBar-tab", has_text=phase.title.get("de")).click()
        cards = moderator.locator(f".tk-cards-{phase.id}")
        expected = [
            t
            for k, v in texts[phase.id].items()
            if k != "actions" and isinstance(v, list)
            for t in v
        ]
        for text in expected:
            assert wait_until(lambda t=text, c=cards: t in c.inner_text()), (
                f"{phase.id}: {text!r} not shown"
            )
        assert_harmless(moderator)
    # group two hostile cards: the group shows their texts
    moderator.locator(".lm-TabBar-tab", has_text="Information").click()
    moderator.locator(".tk-cards-information .tk-card input[type=checkbox]").nth(0).check()
    moderator.locator(".tk-cards-information .tk-card input[type=checkbox]").nth(1).check()
    moderator.locator(".lm-TabBar-tab", has_text="Gruppen").click()
    moderator.locator(".tk-group-name input").fill("Gruppe <b onmouseover=alert(1)>A</b>")
    moderator.locator(".tk-group-button").click()
    groups = moderator.locator(".tk-groups")
    assert wait_until(lambda: PAYLOADS[1] in groups.inner_text())
    assert PAYLOADS[0] in groups.inner_text()
    assert "Gruppe <b onmouseover=alert(1)>A</b>" in groups.inner_text()
    moderator.locator(".lm-TabBar-tab", has_text="Abschluss").click()
    suggestions = moderator.locator(".tk-suggestions")
    assert wait_until(lambda: PAYLOADS[3] in suggestions.inner_text())
    time.sleep(3.5)  # two more live refreshes
    assert_harmless(moderator)
    assert moderator.locator(".tk-groups b").count() == 1  # the screen's own bold group name only
    shot(moderator, "reflection_loop_hostile_text")


def test_closing_a_closed_loop_asks_and_cancel_keeps_it(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    """A second "close" (e.g. by a participant with the moderator's link) asks before overwriting."""
    import datetime as dt

    when = dt.datetime(2025, 5, 2, 14, 30, tzinfo=dt.UTC)
    with voila_server.store() as store:
        store.close_loop("P01", 3, {"participants": 9}, closed_at=when)
        before = store.loop_closings("P01")
    moderator = new_page(1280, 900)
    moderator.goto(voila_server.url("reflection_loop.ipynb", "pilot=P01&loop=3"))
    moderator.wait_for_selector(".tk-counter", timeout=60_000)
    moderator.locator(".lm-TabBar-tab", has_text="Abschluss").click()
    moderator.locator(".tk-item-what input").first.fill("Nicht speichern")
    moderator.locator(".tk-close-loop").click()
    question = moderator.locator(".tk-close-confirm")
    question.wait_for(state="visible", timeout=15_000)
    asked = question.inner_text()
    assert "wurde bereits am 02.05.2025 16:30 CEST abgeschlossen" in asked  # Berlin time
    assert "frühere Fassung bleibt erhalten" in asked
    shot(moderator, "reflection_loop_close_again")
    moderator.locator(".tk-close-cancel").click()
    question.wait_for(state="hidden", timeout=15_000)
    assert "bleibt" in moderator.locator(".tk-close-note").inner_text()
    assert moderator.locator(".tk-protocol-status").count() == 0
    with voila_server.store() as store:
        after = store.loop_closings("P01")
        items = store.action_items("P01")
    assert after.equals(before)
    assert "Nicht speichern" not in items["what"].tolist()


@pytest.mark.parametrize("notebook", ["round_table.ipynb", "reflection_loop.ipynb"])
def test_a_template_link_to_a_file_outside_the_workshops_folder_is_refused(
    voila_server: Any, new_page: Any, tmp_path: Any, notebook: str
) -> None:
    secret = tmp_path / "private" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("id: x\npassword: hunter2-s3cret\n", encoding="utf-8")
    page = new_page(1280, 900)
    for name in (str(secret), str(tmp_path / "private" / "missing.yaml")):
        page.goto(voila_server.url(notebook, f"pilot=P01&loop=1&sheet={name}"))
        page.wait_for_selector(".tk-page-error", timeout=60_000)
        shown = page.inner_text("body")
        assert "not found or not usable" in shown
        assert "hunter2" not in shown
        assert "password" not in shown
        assert str(tmp_path) not in shown  # no server path
        assert page.locator(".tk-counter").count() == 0
