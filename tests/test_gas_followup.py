"""Goal Attainment Scaling in two steps: start (goals, baselines) → follow-up with the same
code → reports that count only goals rated at both times and say how many are pending."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from websheet_client import Client

from transferkit.datasets import tidy
from transferkit.evaluation import gas_tscore
from transferkit.reports.content import pilot_report
from transferkit.reports.content.network import network_report
from transferkit.sheets.gas_followup import (
    follow_up_state,
    follow_up_submission_id,
    gas_question_ids,
)
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.sheets.web.render import render_question
from transferkit.sheets.web.service import SheetService
from transferkit.store import Store
from transferkit.templates import load_template_string

QUERY = "sheet=pilot_goals&pilot=P01"


def levels(goal: str) -> dict[str, str]:
    return {str(v): f"{goal}: Stufe {v}" for v in (-2, -1, 0, 1, 2)}


def start_answers(*goals: tuple[str, float, int]) -> dict[str, Any]:
    return {
        "topic": "digital_tools",
        "goals": [
            {"goal": g, "weight": w, "levels": levels(g), "baseline": b} for g, w, b in goals
        ],
    }


@pytest.fixture
def service() -> Iterator[SheetService]:
    service = SheetService("sqlite://")
    service.store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    yield service
    service.close()


def send_start(
    service: SheetService, code: str, answers: dict[str, Any], query: str = QUERY
) -> Any:
    opened = service.open({"query": query, "code": code})
    assert opened.status == 200
    assert "follow_up" not in opened.payload  # nothing sent yet: the start sheet
    return service.submit({"query": query, "code": code, "answers": answers})


def goals_of(service: SheetService, pilot: str = "P01") -> Any:
    return tidy.gas_goals(service.store.responses(template="pilot_goals", pilot=pilot))


# ------------------------------------------------------------------ start -> follow-up


def test_start_then_follow_up_with_the_same_code(service: SheetService) -> None:
    sent = send_start(service, "A1B2C3", start_answers(("Ticketsystem", 2, -1), ("KI", 1, -2)))
    assert sent.status == 200
    assert "mit demselben Code wieder" in str(sent.payload["message"])  # how step two works
    opened = service.open({"query": QUERY, "code": "A1B2C3"})
    assert opened.status == 200
    assert opened.payload["follow_up"] is True
    assert opened.payload["submitted"] is False
    html = str(opened.payload["follow_up_html"])
    assert "Ticketsystem" in html
    assert "KI: Stufe 2" in html  # the levels, read-only
    assert html.count('class="tk-followup-rating"') == 10  # five levels for each of two goals
    assert "Zweiter Schritt" in html

    result = service.follow_up({"query": QUERY, "code": "A1B2C3", "ratings": {"goals": [1, 0]}})
    assert result.status == 200, result.payload
    assert result.payload["again"] is False
    rows = service.store.responses(template="pilot_goals")
    assert len(rows) == 2  # appended: the start stays as it was
    start, follow = rows.iloc[0], rows.iloc[1]
    assert [g["follow_up"] for g in start["goals"]] == [None, None]
    assert [g["follow_up"] for g in follow["goals"]] == [1, 0]
    assert [g["baseline"] for g in follow["goals"]] == [-1, -2]
    assert [g["levels"] for g in follow["goals"]] == [g["levels"] for g in start["goals"]]
    assert follow["topic"] == "digital_tools"
    assert follow["submission_id"] == follow_up_submission_id(start["submission_id"])

    goals = goals_of(service)
    assert goals["goal_id"].tolist() == ["P01-A1B2C3-G1", "P01-A1B2C3-G2"]
    assert goals["baseline"].tolist() == [-1, -2]
    assert goals["follow_up"].tolist() == [1.0, 0.0]

    again = service.open({"query": QUERY, "code": "A1B2C3"})
    assert again.payload["submitted"] is True
    assert "follow_up_html" not in again.payload
    assert (
        again.payload["message"]
        == "Ihre Ziele und die erreichten Stufen sind gespeichert. Vielen Dank!"
    )


def test_follow_up_is_in_the_language_of_the_link(service: SheetService) -> None:
    query = QUERY + "&lang=en"
    send_start(service, "E1N2G3", start_answers(("Tickets", 1, -1)), query)
    html = str(service.open({"query": query, "code": "E1N2G3"}).payload["follow_up_html"])
    assert "Second step: how far have your goals been reached?" in html
    assert "Zweiter Schritt" not in html
    missing = service.follow_up({"query": query, "code": "E1N2G3", "ratings": {"goals": [None]}})
    assert missing.status == 422
    assert "please choose the level reached" in missing.payload["problems"][0]["message_en"]


def test_a_missing_or_invalid_rating_stores_nothing(service: SheetService) -> None:
    send_start(service, "M1S2N3", start_answers(("Eins", 1, -1), ("Zwei", 1, -1)))
    for ratings in ({"goals": [1, None]}, {"goals": [1, 3]}, {"goals": [1, "viel"]}):
        result = service.follow_up({"query": QUERY, "code": "M1S2N3", "ratings": ratings})
        assert result.status == 422, ratings
        problems = result.payload["problems"]
        assert [p["code"] for p in problems] == ["follow_up_missing"]
        assert "Ziel 2" in problems[0]["message_de"]
    for ratings in ({"goals": [1]}, {"goals": "1,0"}, None, [1, 0]):
        result = service.follow_up({"query": QUERY, "code": "M1S2N3", "ratings": ratings})
        assert result.status == 422, ratings
    assert len(service.store.responses(template="pilot_goals")) == 1
    assert service.open({"query": QUERY, "code": "M1S2N3"}).payload["follow_up"] is True


def test_the_same_follow_up_sent_again_is_stored_once(service: SheetService) -> None:
    send_start(service, "R1P2T3", start_answers(("Eins", 1, -1)))
    first = service.follow_up({"query": QUERY, "code": "R1P2T3", "ratings": {"goals": [2]}})
    second = service.follow_up({"query": QUERY, "code": "R1P2T3", "ratings": {"goals": [2]}})
    assert first.status == second.status == 200
    assert second.payload["again"] is True
    assert second.payload["response_id"] == first.payload["response_id"]
    assert len(service.store.responses(template="pilot_goals")) == 2


def test_a_second_different_follow_up_is_refused(service: SheetService) -> None:
    send_start(service, "D1F2F3", start_answers(("Eins", 1, -1)))
    first = service.follow_up({"query": QUERY, "code": "D1F2F3", "ratings": {"goals": [0]}})
    assert first.status == 200
    other = service.follow_up({"query": QUERY, "code": "D1F2F3", "ratings": {"goals": [2]}})
    assert other.status == 409
    assert "schon am Ende bewertet" in other.payload["message"]
    assert goals_of(service)["follow_up"].tolist() == [0.0]  # the first rating stands
    assert len(service.store.responses(template="pilot_goals")) == 2


def test_a_second_start_sheet_is_not_stored(service: SheetService) -> None:
    send_start(service, "S1T2R3", start_answers(("Eins", 1, -1)))
    again = service.submit(
        {"query": QUERY, "code": "S1T2R3", "answers": start_answers(("Anders", 1, -2))}
    )
    assert again.status == 200
    assert again.payload["again"] is True
    assert len(service.store.responses(template="pilot_goals")) == 1
    assert goals_of(service)["goal"].tolist() == ["Eins"]


def test_follow_up_without_goals_is_refused(service: SheetService) -> None:
    result = service.follow_up({"query": QUERY, "code": "N1O2G3", "ratings": {"goals": [1]}})
    assert result.status == 409
    assert "noch keine Ziele" in result.payload["message"]
    assert service.store.responses(template="pilot_goals").empty


def test_the_follow_up_shows_only_the_participants_own_goals(service: SheetService) -> None:
    send_start(service, "O1W2N3", start_answers(("Geheimes Ziel von O1W2N3", 1, -1)))
    send_start(service, "X9Y8Z7", start_answers(("Ziel von X9Y8Z7", 1, -2)))
    mine = str(service.open({"query": QUERY, "code": "X9Y8Z7"}).payload["follow_up_html"])
    assert "Ziel von X9Y8Z7" in mine
    assert "Geheimes Ziel" not in mine
    # a rating for X9Y8Z7 changes nothing of O1W2N3's goals
    service.follow_up({"query": QUERY, "code": "X9Y8Z7", "ratings": {"goals": [1]}})
    state = follow_up_state(service.store, service.session(QUERY), "O1W2N3")
    assert state is not None
    assert state.pending == {"goals": [0]}


def test_goal_texts_are_text_in_the_follow_up_page(service: SheetService) -> None:
    planted = '<img src=x onerror="alert(1)"> & Co'
    send_start(service, "H1T2M3", start_answers((planted, 1, -1)))
    html = str(service.open({"query": QUERY, "code": "H1T2M3"}).payload["follow_up_html"])
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co" in html


def test_goals_sent_on_paper_get_their_follow_up_on_the_web(service: SheetService) -> None:
    """A start stored without the web sheet (paper, import) is followed up the same way."""
    session = service.session(QUERY)
    service.store.submit(
        session.template,
        start_answers(("Papierziel", 3, -2)),
        pilot="P01",
        participant="P4P3R1",
        submission_id="paper-sheet-17",
    )
    opened = service.open({"query": QUERY, "code": "P4P3R1"})
    assert opened.payload["follow_up"] is True
    assert "Papierziel" in str(opened.payload["follow_up_html"])
    restart = service.submit(
        {"query": QUERY, "code": "P4P3R1", "answers": start_answers(("Neu", 1, -1))}
    )
    assert restart.payload["again"] is True  # the paper goals are not replaced
    ok = service.follow_up({"query": QUERY, "code": "P4P3R1", "ratings": {"goals": [1]}})
    assert ok.status == 200
    assert goals_of(service)[["goal", "baseline", "follow_up"]].values.tolist() == [
        ["Papierziel", -2, 1.0]
    ]


def test_a_goal_rated_before_is_not_asked_again(service: SheetService) -> None:
    session = service.session(QUERY)
    answers = start_answers(("Schon bewertet", 1, -1), ("Offen", 1, -1))
    answers["goals"][0]["follow_up"] = 2
    service.store.submit(session.template, answers, pilot="P01", participant="H4L3F1")
    html = str(service.open({"query": QUERY, "code": "H4L3F1"}).payload["follow_up_html"])
    assert html.count('class="tk-followup-rating"') == 5  # only the open goal
    assert "Schon bewertet: Stufe +2" in html
    changed = service.follow_up({"query": QUERY, "code": "H4L3F1", "ratings": {"goals": [-1, 0]}})
    assert changed.status == 422
    assert changed.payload["problems"][0]["code"] == "follow_up_not_rated_here"
    ok = service.follow_up({"query": QUERY, "code": "H4L3F1", "ratings": {"goals": [None, 0]}})
    assert ok.status == 200
    assert goals_of(service)["follow_up"].tolist() == [2.0, 0.0]


def test_loops_and_pilots_keep_their_goals_apart(service: SheetService) -> None:
    service.store.add_pilot("P02", "Pilot zwei", "Pilot two", loops=2)
    for query in (QUERY + "&loop=1", QUERY + "&loop=2", "sheet=pilot_goals&pilot=P02"):
        send_start(service, "L0O0P1", start_answers(("Ziel", 1, -1)), query)
    ok = service.follow_up(
        {"query": QUERY + "&loop=2", "code": "L0O0P1", "ratings": {"goals": [2]}}
    )
    assert ok.status == 200
    assert service.open({"query": QUERY + "&loop=1", "code": "L0O0P1"}).payload["follow_up"]
    p01 = goals_of(service)
    assert p01["goal_id"].tolist() == ["P01-L1-L0O0P1-G1", "P01-L2-L0O0P1-G1"]
    assert p01["follow_up"].isna().tolist() == [True, False]
    assert goals_of(service, "P02")["goal_id"].tolist() == ["P02-L0O0P1-G1"]


# ------------------------------------------------------------------ goal ids, tidy


def test_goal_ids_are_unique_per_participant() -> None:
    records = [
        {
            "template": "pilot_goals",
            "pilot": "P02",
            "participant": code,
            "submitted_at": "2025-01-10T09:00:00Z",
            "answers": start_answers(("a", 1, -1), ("b", 1, -2)),
        }
        for code in ("AA11", "BB22", "CC33")
    ]
    goals = tidy.gas_goals(tidy.responses_frame(records))
    assert len(goals) == 6
    assert goals["goal_id"].is_unique
    assert "P02-BB22-G2" in set(goals["goal_id"])


def test_the_latest_response_of_a_participant_holds_the_goals() -> None:
    start = start_answers(("a", 1, -1), ("b", 2, -2))
    follow = start_answers(("a", 1, -1), ("b", 2, -2))
    for goal, level in zip(follow["goals"], (1, 0), strict=True):
        goal["follow_up"] = level
    records = [
        {
            "template": "pilot_goals",
            "pilot": "P1",
            "participant": "AB12",
            "answers": answers,
            "submitted_at": when,
        }
        for answers, when in ((follow, "2025-06-30T10:00:00Z"), (start, "2025-01-10T09:00:00Z"))
    ]
    goals = tidy.gas_goals(tidy.responses_frame(records))
    assert goals["follow_up"].tolist() == [1.0, 0.0]  # the later one, whatever the order
    assert len(goals) == 2


# ------------------------------------------------------------------ reports


def _pilot_gas(service: SheetService, lang: str = "de") -> tuple[Any, Any]:
    report = pilot_report(service.store, "P01", lang)
    return report.sections["gas"], report


def test_report_before_any_follow_up_says_all_goals_are_pending(service: SheetService) -> None:
    send_start(service, "B1S2E3", start_answers(("Eins", 1, -1), ("Zwei", 2, -2)))
    sec, report = _pilot_gas(service)
    assert "2 Ziele gibt es eine Ausgangsstufe, aber noch keine Bewertung am Ende" in sec.text
    assert "stieg von" not in sec.text
    assert "Die Bewertung der Projektziele am Ende steht noch aus." in report.summary
    sec_en, _ = _pilot_gas(service, "en")
    assert "2 goals have a baseline but no end rating yet" in sec_en.text


def test_report_uses_only_goals_with_both_ratings(service: SheetService) -> None:
    send_start(service, "D0N3A1", start_answers(("a", 2, -1), ("b", 1, -2)))
    send_start(service, "P3ND1N", start_answers(("c", 3, -2), ("d", 1, -2), ("e", 1, -1)))
    service.follow_up({"query": QUERY, "code": "D0N3A1", "ratings": {"goals": [1, 0]}})
    sec, report = _pilot_gas(service)
    # Kiresuk & Sherman T over the two goals rated at both times only (weights 2 and 1)
    baseline, follow = gas_tscore([-1, -2], [2, 1]), gas_tscore([1, 0], [2, 1])
    # by hand: sum w^2 = 5, (sum w)^2 = 9, sqrt(0.7 * 5 + 0.3 * 9) = sqrt(6.2) = 2.48998;
    # T = 50 + 10 * (-4) / 2.48998 = 33.94 at the start, 50 + 10 * 2 / 2.48998 = 58.03 at the end
    assert baseline == pytest.approx(33.94, abs=0.005)
    assert follow == pytest.approx(58.03, abs=0.005)
    assert sec.text.startswith("Für 2 Ziele wurde zu Beginn und am Ende eingeschätzt")
    assert f"stieg von {round(baseline)} auf {round(follow)}" in sec.text
    assert "3 von 5 Zielen haben noch keine Bewertung am Ende" in sec.text
    figures = report.key_figures["gas"]
    assert figures["n_goals"] == 5
    assert figures["n_rated"] == 2
    assert figures["n_pending"] == 3
    assert figures["t_baseline"] == pytest.approx(baseline)
    assert figures["t_follow_up"] == pytest.approx(follow)
    sec_en, _ = _pilot_gas(service, "en")
    assert (
        "3 of 5 goals have no end rating yet and are not included in the T-scores." in sec_en.text
    )


def test_report_after_every_follow_up_has_no_pending_goals(service: SheetService) -> None:
    send_start(service, "F1N1S1", start_answers(("a", 1, -1), ("b", 1, -1)))
    service.follow_up({"query": QUERY, "code": "F1N1S1", "ratings": {"goals": [0, 1]}})
    sec, report = _pilot_gas(service)
    assert report.key_figures["gas"]["n_pending"] == 0
    assert "noch keine Bewertung" not in sec.text
    assert report.key_figures["gas"]["t_follow_up"] == pytest.approx(gas_tscore([0, 1]))


def test_network_report_says_how_many_goals_are_pending(service: SheetService) -> None:
    store = service.store
    store.add_network("N1", "Verbund")
    for company in ("C01", "C02"):
        store.add_company(company, f"Firma {company}", size_class="small", sector="C", network="N1")
    store.add_pilot("P02", "Pilot zwei", "Pilot two", loops=2, network="N1", companies=["C02"])
    send_start(service, "N1E2T3", start_answers(("a", 1, -1), ("b", 1, -1)))
    send_start(service, "N4E5T6", start_answers(("c", 1, -1)), "sheet=pilot_goals&pilot=P02")
    service.follow_up(
        {"query": "sheet=pilot_goals&pilot=P02", "code": "N4E5T6", "ratings": {"goals": [1]}}
    )
    report = network_report(service.store, "", "en")
    assert (
        "Without an end rating (not in the T-scores): 2 of 3 goals." in report.sections["gas"].text
    )
    figures = report.key_figures["gas"]
    assert figures["P01"]["n_pending"] == 2
    assert figures["P01"]["t_follow_up"] is None or np.isnan(figures["P01"]["t_follow_up"])
    assert figures["P02"]["t_follow_up"] == pytest.approx(60.0)  # one goal at +1: 50 + 10


# ------------------------------------------------------------------ one step, pages, HTTP


ONE_STEP = """
id: one_step
version: 1
title: {de: Ziele, en: Goals}
questions:
  - id: goals
    type: gas_goal
    follow_up_required: true
    label: {de: Ziele, en: Goals}
"""


def test_a_one_step_gas_question_asks_both_levels_at_once(service: SheetService) -> None:
    one = load_template_string(ONE_STEP).questions[0]
    two = service.session(QUERY).template.question("goals")
    assert 'class="tk-field-follow_up"' in render_question(one, "de")
    assert 'class="tk-field-follow_up"' not in render_question(two, "de")  # the second step
    assert 'class="tk-field-baseline"' in render_question(two, "de")
    assert gas_question_ids(service.session(QUERY)) == ["goals"]


def test_follow_up_route_needs_the_xsrf_token(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    with BackgroundServer(make_app(url, token="")) as server:
        client = Client(server)
        assert client.page(QUERY)[0] == 200
        body = {"query": QUERY, "code": "X1S2R3", "ratings": {"goals": [1]}}
        assert client.post("follow-up", body, xsrf=False)[0] == 403
        status, data = client.post("follow-up", body)
        assert status == 409  # no goals yet
        assert "No goals are stored" in data["error"]
