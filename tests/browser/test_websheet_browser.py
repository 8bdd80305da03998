"""End-to-end: the light web sheet (make_app in a thread) in headless Chromium, on a phone-sized page."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_helpers import wait_until as shared_wait_until
from sheet_driver import begin, fill
from show_if_cases import load as show_if_table

from transferkit.live import idea_id
from transferkit.sheets.session import sent_answers
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.sheets.web.render import condition_config
from transferkit.store import Store
from transferkit.templates import load_template, load_template_string
from transferkit.templates.model import Condition

pytestmark = [pytest.mark.browser]

ALL_TYPES = Path(__file__).resolve().parents[1] / "test_websheet_render.py"


def _all_types_yaml() -> str:
    source = ALL_TYPES.read_text(encoding="utf-8")
    match = re.search(r'ALL_TYPES = """\n(.*?)"""', source, re.DOTALL)
    assert match is not None
    return match.group(1).replace('\\"', '"')


class Sheet:
    """The running web sheet and its store."""

    def __init__(self, server: BackgroundServer, store_url: str) -> None:
        self.server = server
        self.store_url = store_url
        self.service = server.app.settings["transferkit_service"]

    def url(self, query: str) -> str:
        return self.server.url(f"sheet?{query}")

    def rows(self, template: str, code: str | None = None) -> Any:
        with Store(self.store_url) as store:
            rows = store.responses(template=template)
        return rows if code is None else rows[rows["participant"] == code]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sheet]:
    tmp = tmp_path_factory.mktemp("websheet-browser")
    (tmp / "all_types.yaml").write_text(_all_types_yaml(), encoding="utf-8")
    store_url = f"sqlite:///{tmp / 'store.db'}"
    with Store(store_url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSFERKIT_TEMPLATE_DIR", str(tmp))
        with BackgroundServer(make_app(store_url, token="")) as server:
            yield Sheet(server, store_url)


def _code() -> str:
    return f"W{uuid.uuid4().int % 10**7:07d}"  # digits: never a name


def wait_until(check: Any, timeout: float = 10.0) -> Any:
    return shared_wait_until(check, timeout, 0.1)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_participant_fills_in_and_submits_needs_analysis(
    sheet: Sheet, new_page: Any, shot: Any
) -> None:
    template = load_template("needs_analysis")
    planned = template.example_answers(seed=11)
    planned.update(imp_ai_use=5, comp_ai_use=1)
    code = _code()
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.monotonic()
    begin(page, sheet.url("sheet=needs_analysis&pilot=P01&loop=2"), code)
    page.wait_for_selector(".tk-section-next:visible")  # in sections: submit on the last one
    assert time.monotonic() - start < 5  # the budget is 1.5 s under load; here a loose bound
    assert page.locator(".tk-required").count() == sum(q.required for q in template.all_questions())
    for _section in range(3):
        fill(page, template, planned, only_shown=True)
        page.click(".tk-section-next")
    fill(page, template, planned, only_shown=True)
    # what the page will send equals what Python says a sheet sends for the same answers
    sent = sent_answers(template, planned)
    assert page.evaluate("window.tkSheet.answers()") == sent
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible")
    assert "gespeichert" in page.inner_text(".tk-confirm")
    page.wait_for_selector(".tk-feedback .tk-bar")
    assert page.locator(".tk-feedback .tk-bar-row").count() == 3
    assert "Künstliche Intelligenz (KI) sinnvoll einsetzen" in page.inner_text(".tk-feedback")
    assert page.locator(".tk-submit").is_hidden()
    assert no_horizontal_scroll(page)
    shot(page, "websheet_submitted")
    stored = sheet.rows("needs_analysis", code)
    assert len(stored) == 1
    row = stored.iloc[0]
    for qid, value in template.validate(sent).items():
        assert row[qid] == value, qid
    assert "code=" not in page.url  # codes never in the address bar (history, shared tablets)
    # a reload: the code step again; the same code says "already sent" and shows nothing
    page.reload()
    page.wait_for_selector(".tk-code-start")
    page.locator(".tk-code input").fill(code)
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-confirm:visible")
    assert "bereits" in page.inner_text(".tk-confirm")
    assert page.locator(".tk-feedback .tk-bar").count() == 0  # nothing of the answers
    assert len(sheet.rows("needs_analysis", code)) == 1
    assert errors == []


def test_every_type_round_trips_as_python_says(sheet: Sheet, new_page: Any) -> None:
    template = load_template_string(_all_types_yaml())
    query = "sheet=all_types.yaml&pilot=P01&loop=1"
    for seed in (1, 2):
        planned = template.example_answers(seed=seed)
        planned["role"] = "other"
        planned["role_other"] = "Moderation"
        for goal in planned["goals"]:  # the level reached is the second step (gas_followup)
            goal["follow_up"] = None
        code = _code()
        assert sheet.service.draft({"query": query, "code": code, "answers": planned}).status == 200
        page = new_page()
        begin(page, sheet.url(f"{query}"), code)
        page.wait_for_selector(".tk-submit:enabled")
        sent = sent_answers(template, planned)
        assert page.evaluate("window.tkSheet.answers()") == sent
        assert page.evaluate("window.tkSheet.draftAnswers()") == sent_answers(
            template, planned, hidden=True
        )
        page.click(".tk-submit")
        page.wait_for_selector(".tk-confirm:visible")
        stored = sheet.rows("all_types", code)
        assert len(stored) == 1
        for qid, value in template.validate(sent).items():
            assert stored.iloc[0][qid] == value, (seed, qid)
        page.close()


def test_widgets_of_every_type_in_the_page(sheet: Sheet, new_page: Any, shot: Any) -> None:
    page = new_page()
    code = _code()
    begin(page, sheet.url("sheet=all_types.yaml&pilot=P01"), code)
    page.wait_for_selector(".tk-submit:enabled")
    answers = lambda: page.evaluate("window.tkSheet.answers()")
    page.locator(".tk-q-recommend .tk-scale-btn[data-value='7']").click()
    page.locator(".tk-q-order .tk-opt-z select").select_option("1")
    page.locator(".tk-q-order .tk-opt-x select").select_option("2")
    page.locator(".tk-q-order .tk-opt-y select").select_option("1")  # z gives up rank 1
    for _ in range(3):
        page.locator(".tk-q-vote .tk-opt-p .tk-vote-plus").click()  # at most 2 per item
    page.locator(".tk-q-vote .tk-opt-q .tk-vote-plus").click()
    page.locator(".tk-q-vote .tk-opt-q .tk-vote-plus").click()  # budget 3 used up
    assert "Noch 0 von 3 Punkten" in page.inner_text(".tk-q-vote .tk-vote-left")
    page.locator(".tk-q-actions .tk-add-row").click()
    page.locator(".tk-q-actions .tk-add-row").click()
    row = page.locator(".tk-q-actions .tk-rows .tk-item-row").first
    row.locator(".tk-field-what").fill("Checkliste")
    assert row.locator(".tk-field-due").get_attribute("placeholder") == "TT.MM.JJJJ"
    row.locator(".tk-field-due").fill("31.3.2025")  # the page's (German) format, sent as ISO
    row.locator(".tk-field-status").select_option("done")
    page.locator(".tk-q-actions .tk-rows .tk-item-row").nth(1).locator(".tk-remove-row").click()
    goal = page.locator(".tk-q-goals .tk-rows .tk-item-row").first
    goal.locator(".tk-field-goal").fill("Ticketsystem")
    goal.locator(".tk-field-weight").fill("2,5")
    for i, level in enumerate(goal.locator(".tk-field-level").all()):
        level.fill(f"Stufe {i}")
    goal.locator(".tk-field-baseline").select_option("-1")
    page.locator(".tk-q-story textarea").fill("eins\n\n zwei ")
    page.locator(".tk-q-minutes input").fill("12,5")
    assert page.locator(".tk-q-role_other").is_hidden()
    page.locator(".tk-q-role .tk-opt-other input").check()
    assert page.locator(".tk-q-role_other").is_visible()
    got = answers()
    assert got["recommend"] == 7
    assert got["order"] == ["y", "x"]
    assert got["vote"] == {"p": 2, "q": 1}
    assert got["actions"] == [
        {"what": "Checkliste", "who": "", "due": "2025-03-31", "status": "done"}
    ]
    assert got["goals"] == [
        {
            "goal": "Ticketsystem",
            "weight": 2.5,
            "levels": {str(v): f"Stufe {i}" for i, v in enumerate((-2, -1, 0, 1, 2))},
            "baseline": -1,
            "follow_up": None,
        }
    ]
    assert got["story"] == ["eins", "zwei"]
    assert got["minutes"] == 12.5
    assert got["role"] == "other"
    assert "role_other" not in got  # shown but unanswered
    page.locator(".tk-q-role .tk-opt-a_b input").check()
    assert page.locator(".tk-q-role_other").is_hidden()
    assert no_horizontal_scroll(page)
    page.click(".tk-submit")
    page.wait_for_selector(".tk-error-summary:visible")
    problems = page.locator(".tk-question .tk-error:visible")
    assert problems.count() >= 3  # name, formats, rating, minutes (not whole), the second goal
    assert "ganze Zahl" in page.inner_text(".tk-q-minutes .tk-error")
    shot(page, "websheet_all_types_errors")
    assert sheet.rows("all_types", code).empty


def test_invalid_sheet_shows_errors_and_stores_nothing(
    sheet: Sheet, new_page: Any, shot: Any
) -> None:
    code = _code()
    page = new_page()
    begin(page, sheet.url("sheet=training_feedback&pilot=P01&loop=1&lang=en"), code)
    page.wait_for_selector(".tk-submit:enabled")
    page.locator(".tk-q-reaction_1 input[type=radio]").nth(2).check()
    page.click(".tk-submit")
    page.wait_for_selector(".tk-error-summary:visible")
    assert "Not saved yet" in page.inner_text(".tk-error-summary")
    assert page.locator(".tk-question .tk-error:visible").count() >= 5
    assert page.locator(".tk-q-reaction_1 .tk-error:visible").count() == 0  # answered: no error
    assert "answer" in page.locator(".tk-q-reaction_2 .tk-error").inner_text().lower()
    assert page.locator(".tk-submit").is_enabled()  # the participant can correct and resend
    shot(page, "websheet_errors")
    assert sheet.rows("training_feedback", code).empty


def test_lost_connection_at_submit_keeps_the_answers_and_stores_once(
    sheet: Sheet, new_page: Any
) -> None:
    """The room's Wi-Fi drops as a participant presses Submit: nothing lost, nothing twice."""
    template = load_template("training_feedback")
    answers = template.example_answers(seed=4)
    code = _code()
    page = new_page()
    begin(page, sheet.url("sheet=training_feedback&pilot=P01&loop=1&lang=en"), code)
    page.wait_for_selector(".tk-submit:enabled")
    fill(page, template, answers)
    sent = page.evaluate("window.tkSheet.answers()")
    page.route("**/sheet/api/**", lambda route: route.abort("internetdisconnected"))
    page.click(".tk-submit")
    page.wait_for_selector(".tk-error-summary:visible")
    assert "No connection to the server" in page.inner_text(".tk-error-summary")
    assert page.evaluate("window.tkSheet.answers()") == sent  # still on the page
    assert page.locator(".tk-submit").is_enabled()
    assert sheet.rows("training_feedback", code).empty
    page.unroute("**/sheet/api/**")
    page.click(".tk-submit")  # the connection is back: send again
    page.wait_for_selector(".tk-confirm:visible")
    stored = sheet.rows("training_feedback", code)
    assert len(stored) == 1
    assert int(stored.iloc[0]["recommend"]) == int(answers["recommend"])


def test_half_filled_sheet_survives_a_reload(sheet: Sheet, new_page: Any) -> None:
    code = _code()
    query = "sheet=training_feedback&pilot=P01&loop=1"
    page = new_page()
    begin(page, sheet.url(f"{query}"), code)
    page.wait_for_selector(".tk-submit:enabled")
    page.locator(".tk-q-reaction_1 input[type=radio]").nth(3).check()
    page.locator(".tk-q-recommend .tk-scale-btn[data-value='9']").click()
    page.locator(".tk-q-comment textarea").fill("Gut <b>so</b>")
    key = sheet.service.session(query).key(code)
    assert wait_until(lambda: (d := sheet.service.drafts.load(key)) and "comment" in d.answers)
    page.reload()
    page.wait_for_selector(".tk-submit:enabled")
    assert page.locator(".tk-q-reaction_1 input[type=radio]").nth(3).is_checked()
    assert (
        page.locator(".tk-q-recommend .tk-scale-btn[data-value='9']").get_attribute("aria-pressed")
        == "true"
    )
    assert page.locator(".tk-q-comment textarea").input_value() == "Gut <b>so</b>"
    other = new_page()
    begin(other, sheet.url(f"{query}"), _code())
    other.wait_for_selector(".tk-submit:enabled")
    assert not other.locator(".tk-q-reaction_1 input[type=radio]").nth(3).is_checked()


def test_code_step_refuses_a_name_and_generates_a_code(
    sheet: Sheet, new_page: Any, shot: Any
) -> None:
    page = new_page()
    page.goto(sheet.url("sheet=training_feedback&pilot=P01"))
    page.wait_for_selector(".tk-code-start")
    assert page.locator(".tk-form").is_hidden()
    page.locator(".tk-code input").fill("Max Mustermann")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-code-step .tk-error:has-text('Namen')")
    shot(page, "websheet_code_step")
    page.click(".tk-code-generate")
    code = wait_until(
        lambda: re.fullmatch(r"[A-Z2-9]{6}", page.locator(".tk-code input").input_value())
    ).group(0)
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-submit:enabled")
    assert page.inner_text(".tk-code-shown") == code
    assert "code=" not in page.url  # never in the URL; the tab remembers it for a reload
    page.reload()
    page.wait_for_selector(".tk-submit:enabled")
    assert page.locator(".tk-code-step").is_hidden()
    assert page.inner_text(".tk-code-shown") == code


def test_phone_has_no_horizontal_scrolling(sheet: Sheet, new_page: Any, shot: Any) -> None:
    page = new_page(390, 844)
    for query in (
        "sheet=needs_analysis&pilot=P01",
        "sheet=pilot_goals&pilot=P01",
        "sheet=reflection_loop&pilot=P01&loop=1&phase=optimierung",
        "sheet=all_types.yaml",
        "sheet=training_feedback",
    ):
        if query == "sheet=training_feedback":
            page.goto(sheet.url(query))
            page.wait_for_selector(".tk-code-start")
        else:
            begin(page, sheet.url(query), "PHONE1")
        for add in page.locator(".tk-add-row").all():
            add.click()
        assert no_horizontal_scroll(page), query
        name = re.search(r"sheet=([a-z_]+)", query)
        shot(page, f"websheet_phone_{name.group(1) if name else 'x'}")


def test_show_if_in_the_page_agrees_with_the_shared_table(sheet: Sheet, new_page: Any) -> None:
    """``window.tkSheet.isMet`` against ``tests/show_if_cases.json`` (``tests/test_show_if.py``: Python)."""
    rows = show_if_table()
    cases = [
        [condition_config(Condition.model_validate(row["condition"])), row["answers"]]
        for row in rows
    ]
    page = new_page()
    begin(page, sheet.url("sheet=training_feedback"), "SHOWIF1")
    got = page.evaluate(
        "(cases) => cases.map(([c, a]) => window.tkSheet.isMet(c, a))",
        json.loads(json.dumps(cases)),
    )
    wrong = [(row, g) for row, g in zip(rows, got, strict=True) if g is not row["expected"]]
    assert wrong == []
    assert len(cases) > 1000
    # and the page's questions follow it
    begin(page, sheet.url("sheet=pilot_goals&pilot=P01"), "SHOWIF1")
    assert page.locator(".tk-q-topic_other").is_hidden()
    page.locator(".tk-q-topic .tk-opt-other input").check()
    assert page.locator(".tk-q-topic_other").is_visible()


def test_dot_vote_on_ideas(sheet: Sheet, new_page: Any) -> None:
    with Store(sheet.store_url) as store:
        template = load_template("round_table")
        store.submit(
            template,
            {"ideas": "Lernpaten\nMicro-Learning am Band"},
            pilot="P01",
            loop=2,
            participant="IDEA01",
        )
    code = _code()
    page = new_page()
    begin(page, sheet.url("sheet=round_table&pilot=P01&loop=2&questions=votes"), code)
    plus = page.locator(f".tk-opt-{idea_id('Lernpaten')} .tk-vote-plus")
    plus.wait_for()
    plus.click()
    plus.click()
    page.locator(f".tk-opt-{idea_id('Micro-Learning am Band')} .tk-vote-plus").click()
    assert "Noch 0 von 3 Punkten" in page.inner_text(".tk-vote-left")
    page.evaluate("() => { const b = document.querySelector('.tk-submit'); b.click(); b.click(); }")
    page.wait_for_selector(".tk-confirm:visible")
    stored = sheet.rows("round_table", code)
    assert len(stored) == 1  # a double click stores once
    assert stored.iloc[0]["votes"] == {
        idea_id("Lernpaten"): 2,
        idea_id("Micro-Learning am Band"): 1,
    }


def test_an_old_template_link_lands_on_the_sheet(sheet: Sheet, new_page: Any) -> None:
    """A QR code printed before the rename (``?template=``) still opens the sheet, now as ``?sheet=``."""
    page = new_page()
    begin(page, sheet.url("template=training_feedback&pilot=P01&loop=1&lang=en"), _code())
    assert page.url.endswith("/sheet?sheet=training_feedback&pilot=P01&loop=1&lang=en")
    page.wait_for_selector(".tk-submit:enabled")
