"""End-to-end: three phones dot-vote in a reflection loop's grouping phase, and the
moderator screen's live totals match (issue 12 item 6, issue 15 item 3).

Real Voilà (``workshops/reflection_loop.ipynb``) and the web sheet's vote page of
``transferkit serve`` in headless Chromium; each phone is a browser context of its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from server_helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INPUTS = {"PHON01": "Kanban-Board im Flur", "PHON02": "Stand-up um neun"}
BALLOTS = {  # group -> points, per phone
    "PHON01": {"Visualisierung": 2, "Rituale": 1},
    "PHON02": {"Visualisierung": 1},
    "PHON03": {"Rituale": 3},
}


def phone_votes(page: Any, url: str, code: str, points: dict[str, int]) -> None:
    page.goto(url)
    page.locator("#tk-vote-code-input").fill(code)
    page.click(".tk-vote-start")
    page.wait_for_selector(".tk-vote-row", timeout=30_000)
    for group, n in points.items():
        row = page.locator(".tk-vote-row", has_text=group)
        for _ in range(n):
            row.locator(".tk-vote-plus").click()
    page.wait_for_selector(f".tk-vote-left:has-text('{3 - sum(points.values())} / 3')")
    page.click(".tk-vote-send")
    page.wait_for_selector(".tk-vote-saved:visible", timeout=15_000)


def test_three_phones_vote_and_the_moderator_sees_the_totals(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    from transferkit.live import votes
    from transferkit.templates import load_template

    template = load_template("reflection_loop")
    with voila_server.store() as store:
        for code, text in INPUTS.items():
            store.submit(
                template,
                {"learned": text, "info_useful": 4},
                pilot="P01",
                loop=3,
                phase="information",
                participant=code,
            )
    moderator = new_page(1280, 900)
    moderator.goto(voila_server.url("reflection_loop.ipynb", "pilot=P01&loop=3"))
    moderator.wait_for_selector(".tk-counter", timeout=60_000)
    # the moderator groups the two inputs
    for text, group in zip(INPUTS.values(), ["Visualisierung", "Rituale"], strict=True):
        moderator.locator(".lm-TabBar-tab", has_text="Information").click()
        card = moderator.locator(".tk-card", has_text=text)
        card.wait_for(timeout=30_000)
        card.locator("input[type=checkbox]").check()
        moderator.locator(".lm-TabBar-tab", has_text="Gruppen & Punkte").click()
        moderator.locator(".tk-group-name input").first.fill(group)
        moderator.locator(".tk-group-button").first.click()
        moderator.locator(".tk-group", has_text=group).wait_for(timeout=15_000)
    moderator.locator(".lm-TabBar-tab", has_text="Gruppen & Punkte").click()
    shot(moderator, "reflection_loop_groups")
    moderator.locator(".tk-vote-open").click()
    moderator.locator(".tk-vote-turnout", has_text="0 von 2").wait_for(timeout=15_000)
    link = moderator.locator(".tk-vote-link a").get_attribute("href") or ""
    assert link.endswith("/sheet/vote?pilot=P01&loop=3&vote=grouping"), link
    assert "token" not in link  # the phones' link carries no moderator secret
    url = f"http://127.0.0.1:{voila_server.port}/sheet/vote?pilot=P01&loop=3&vote=grouping"
    for code, points in BALLOTS.items():
        phone = new_page()
        phone_votes(phone, url, code, points)
        if code == "PHON03":
            shot(phone, "phone_vote_sent")
    expected = {"Visualisierung": 3, "Rituale": 4}

    def shown() -> dict[str, int]:
        rows = moderator.locator(".tk-phone-vote-row").all()
        return {
            row.locator("td").first.inner_text(): int(
                row.locator(".tk-phone-vote-points").inner_text()
            )
            for row in rows
        }

    assert wait_until(lambda: shown() == expected, 15, 0.3), shown()
    assert wait_until(
        lambda: "3 von 3 haben abgestimmt" in moderator.inner_text(".tk-vote-turnout"), 10, 0.3
    )
    with voila_server.store() as store:  # the screen shows what the store holds
        stored = votes.totals(store, votes.grouping_vote("P01", 3))
    assert dict(zip(stored["label"], stored["points"], strict=True)) == expected
    shot(moderator, "reflection_loop_phone_votes")
    # a crafted request from a phone's page cannot pass the budget
    phone = new_page()
    phone.goto(url)
    status = phone.evaluate(
        """async () => {
          const xsrf = document.cookie.split('; ').find(c => c.startsWith('_xsrf=')).slice(6);
          const r = await fetch('/sheet/api/vote/cast', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-XSRFToken': decodeURIComponent(xsrf)},
            body: JSON.stringify({query: 'pilot=P01&loop=3&vote=grouping', code: 'PHON01',
                                  points: {'i_00000000': 99}})});
          return r.status;
        }"""
    )
    assert status == 400
    assert wait_until(lambda: shown() == expected, 5, 0.3)


def test_round_table_result_stays_hidden_until_the_moderator_reveals_it(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    from transferkit.templates import load_template

    with voila_server.store() as store:
        store.submit(
            load_template("round_table"),
            {"ideas": "Lernpaten\nMentoring"},
            pilot="P01",
            loop=1,
            participant="IDEA07",
        )
    screen = new_page(1280, 900)
    screen.goto(voila_server.url("round_table.ipynb", "pilot=P01&loop=1"))
    screen.wait_for_selector(".tk-counter", timeout=60_000)
    screen.locator(".lm-TabBar-tab", has_text="Ergebnis").click()
    screen.locator(".tk-vote-hidden input[type=checkbox]").check()
    screen.locator(".tk-vote-open").click()
    screen.locator(".tk-vote-turnout", has_text="0 von 1").wait_for(timeout=15_000)
    url = f"http://127.0.0.1:{voila_server.port}/sheet/vote?pilot=P01&loop=1&vote=round_table"
    phone = new_page()
    phone_votes(phone, url, "RTV001", {"Mentoring": 2, "Lernpaten": 1})
    assert phone.locator(".tk-vote-results").is_hidden()  # hidden on the phones too
    phone_votes(new_page(), url, "RTV002", {"Mentoring": 3})
    assert wait_until(lambda: "2 von 2" in screen.inner_text(".tk-vote-turnout"), 15, 0.3)
    assert screen.inner_text(".tk-count-voters") == "2"  # the counter counts phone votes too
    assert "Ergebnis verborgen" in screen.inner_text(".tk-phone-vote-results")
    assert screen.locator(".tk-phone-vote-row").count() == 0
    shot(screen, "round_table_vote_hidden")
    screen.locator(".tk-vote-reveal").click()
    row = screen.locator(".tk-phone-vote-row", has_text="Mentoring")
    row.wait_for(timeout=15_000)
    assert row.locator(".tk-phone-vote-points").inner_text() == "5"
    shot(screen, "round_table_vote_revealed")
    phone.click(".tk-vote-reload")  # revealed: the phones see it as well
    phone.locator(".tk-vote-results li", has_text="Mentoring: 5").wait_for(timeout=15_000)
