"""End-to-end: Goal Attainment Scaling in two steps in the web sheet (headless Chromium).

A participant sends goals and baselines; later (another browser) the same code on the
same link opens the follow-up sheet with only their goals, rates them, and the pilot
report (run by transferkit's report runner) shows T-scores from both ratings and no
pending goals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from transferkit.evaluation import gas_tscore
from transferkit.reports import run_report
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store

pytestmark = [pytest.mark.browser]

QUERY = "sheet=pilot_goals&pilot=P01"
GOALS = [  # goal, weight, baseline, level reached at the end
    ("Anfragen vollständig im Ticketsystem", "2", "-1", "1"),
    ("Wöchentliches Micro-Learning <b>für alle</b>", "1", "-2", "0"),
]


class Sheet:
    def __init__(self, server: BackgroundServer, store_url: str) -> None:
        self.server = server
        self.store_url = store_url

    def url(self, query: str = QUERY) -> str:
        return self.server.url(f"sheet?{query}")

    def responses(self) -> Any:
        with Store(self.store_url) as store:
            return store.responses(template="pilot_goals")


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sheet]:
    tmp = tmp_path_factory.mktemp("gas-browser")
    store_url = f"sqlite:///{tmp / 'store.db'}"
    with Store(store_url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
        store.add_pilot("P02", "Pilot zwei", "Pilot two", loops=3)
    with BackgroundServer(make_app(store_url, token="")) as server:
        yield Sheet(server, store_url)


def begin(page: Any, url: str, code: str) -> None:
    """Open the sheet and type the code on the page (codes never travel in URLs)."""
    page.goto(url)
    page.wait_for_selector(".tk-code-start")
    page.locator(".tk-code input").fill(code)
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-form:visible")


def send_goals(page: Any) -> None:
    page.locator(".tk-q-topic .tk-opt-digital_tools input").check()
    box = page.locator(".tk-q-goals")
    box.locator(".tk-add-row").click()  # one row is there (min_goals 1): a second one
    rows = box.locator(".tk-rows .tk-item-row")
    assert rows.count() == len(GOALS)
    for i, (goal, weight, baseline, _end) in enumerate(GOALS):
        row = rows.nth(i)
        assert row.locator(".tk-field-follow_up").count() == 0  # the end rating is step two
        row.locator(".tk-field-goal").fill(goal)
        row.locator(".tk-field-weight").fill(weight)
        for level in row.locator(".tk-field-level").all():
            level.fill(f"{goal[:10]}: Stufe {level.get_attribute('data-level')}")
        row.locator(".tk-field-baseline").select_option(baseline)
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible")


def test_goals_now_follow_up_later_and_the_report(
    sheet: Sheet, new_page: Any, shot: Any, tmp_path: Path
) -> None:
    code = "G7A5S1"
    start = new_page()
    begin(start, sheet.url(), code)
    send_goals(start)
    assert "mit demselben Code wieder" in start.inner_text(".tk-confirm")
    stored = sheet.responses()
    assert len(stored) == 1
    assert [g["follow_up"] for g in stored.iloc[0]["goals"]] == [None, None]

    # later, on another device: the same code on the same link opens the follow-up sheet
    later = new_page()
    begin(later, sheet.url(), code)
    later.wait_for_selector(".tk-followup")
    assert later.locator(".tk-questions").is_hidden()  # the start sheet is not shown again
    assert later.locator(".tk-q-goals .tk-field-goal").first.is_hidden()
    text = later.inner_text(".tk-followup")
    assert "Zweiter Schritt" in text
    assert GOALS[0][0] in text
    assert GOALS[1][0] in text  # as text: the markup is shown, not interpreted
    assert later.locator(".tk-followup b:has-text('für alle')").count() == 0
    assert "Anfragen v: Stufe 2" in text  # the levels, read-only
    assert later.locator(".tk-followup input[type=text], .tk-followup textarea").count() == 0

    later.click(".tk-submit")  # nothing chosen yet: both goals are named
    later.wait_for_selector(".tk-error-summary:visible")
    summary = later.inner_text(".tk-error-summary")
    assert "Ziel 1" in summary
    assert "Ziel 2" in summary
    assert later.locator(".tk-followup-goal.tk-invalid").count() == 2
    assert later.locator(".tk-head .tk-intro").is_hidden()  # "set 1 to 5 goals" is step one
    assert len(sheet.responses()) == 1

    for i, (_goal, _weight, _baseline, end) in enumerate(GOALS):
        goal = later.locator(f".tk-followup-goal[data-index='{i}']")
        goal.locator(f"input.tk-followup-rating[value='{end}']").check()
    assert later.evaluate("window.tkSheet.ratings()") == {"goals": [1, 0]}
    shot(later, "gas_follow_up")
    later.click(".tk-submit")
    later.wait_for_selector(".tk-confirm:visible")
    assert "Bewertungen sind gespeichert" in later.inner_text(".tk-confirm")
    assert later.locator(".tk-submit").is_hidden()

    stored = sheet.responses()
    assert len(stored) == 2  # the start, and the follow-up with the start's goals
    assert [g["follow_up"] for g in stored.iloc[1]["goals"]] == [1, 0]
    assert [g["baseline"] for g in stored.iloc[1]["goals"]] == [-1, -2]

    # once more with the same code: nothing to fill in
    again = new_page()
    begin(again, sheet.url(), code)
    again.wait_for_selector(".tk-confirm:visible")
    assert "erreichten Stufen sind gespeichert" in again.inner_text(".tk-confirm")
    assert again.locator(".tk-followup").count() == 0

    # the pilot report, run as researchers run it
    result = run_report("pilot", {"db": sheet.store_url, "pilot_id": "P01"}, tmp_path)
    gas = result.key_figures["gas"]
    assert isinstance(gas, dict)
    assert gas["n_goals"] == 2
    assert gas["n_rated"] == 2
    assert gas["n_pending"] == 0
    # Kiresuk & Sherman T of the two goals (weights 2, 1): start -1, -2 and end +1, 0
    assert gas["t_baseline"] == pytest.approx(gas_tscore([-1, -2], [2, 1]))
    assert gas["t_follow_up"] == pytest.approx(gas_tscore([1, 0], [2, 1]))
    assert gas["t_baseline"] == pytest.approx(33.94, abs=0.005)
    assert gas["t_follow_up"] == pytest.approx(58.03, abs=0.005)
    assert result.html is not None
    page = result.html.read_text(encoding="utf-8")
    assert "Für 2 Ziele wurde zu Beginn und am Ende eingeschätzt" in page
    assert "stieg von 34 auf 58" in page
    assert "noch keine Bewertung am Ende" not in page


def test_follow_up_sheet_in_english(sheet: Sheet, new_page: Any) -> None:
    code = "E7N5G1"
    query = "sheet=pilot_goals&pilot=P02&lang=en"
    start = new_page()
    begin(start, sheet.url(query), code)
    start.locator(".tk-q-topic .tk-opt-ai input").check()
    row = start.locator(".tk-q-goals .tk-rows .tk-item-row").first
    row.locator(".tk-field-goal").fill("An AI assistant drafts quotes")
    for level in row.locator(".tk-field-level").all():
        level.fill(f"level {level.get_attribute('data-level')}")
    row.locator(".tk-field-baseline").select_option("-1")
    start.click(".tk-submit")
    start.wait_for_selector(".tk-confirm:visible")
    assert "open this sheet again with the same code" in start.inner_text(".tk-confirm")

    later = new_page()
    begin(later, sheet.url(query), code)
    later.wait_for_selector(".tk-followup")
    assert "Second step: how far have your goals been reached?" in later.inner_text(".tk-followup")
    later.locator(".tk-followup-goal input.tk-followup-rating[value='2']").check()
    later.click(".tk-submit")
    later.wait_for_selector(".tk-confirm:visible")
    assert "Your ratings have been saved" in later.inner_text(".tk-confirm")
