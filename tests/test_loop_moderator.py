"""The moderator's reflection loop (issue 12 item 6): what the screen keeps over a reload,
proposals adopted with one click, dot votes from phones in the grouping phase, closing a
closed loop again as a new version, and the protocol (carried-over items, line breaks,
local time)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from transferkit.live import close_loop, protocol_html, votes
from transferkit.live.screens import reflection_loop_app, round_table_app
from transferkit.reports.content import loop_protocol
from transferkit.store import Store
from transferkit.templates import load_template


@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot", loops=3)
    return s


def screen_of(store: Store, query: str = "pilot=P01&loop=2") -> Any:
    screen = reflection_loop_app(query, store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    return screen


def submit(store: Store, phase: str, answers: dict[str, Any], code: str, loop: int = 2) -> None:
    store.submit(
        load_template("reflection_loop"),
        answers,
        pilot="P01",
        loop=loop,
        phase=phase,
        participant=code,
    )


# ------------------------------------------------------------------ kept over a reload
def test_decisions_on_open_items_survive_a_reload(store: Store) -> None:
    done = store.add_action_item("P01", 1, "Kanban-Board aufhängen")
    dropped = store.add_action_item("P01", 1, "Wiki anlegen")
    kept = store.add_action_item("P01", 1, "Stand-up testen")
    screen = screen_of(store)
    screen.decisions[done].value = "done"
    screen.decisions[dropped].value = "dropped"
    again = screen_of(store)
    assert again.decisions[done].value == "done"
    assert again.decisions[dropped].value == "dropped"
    assert again.decisions[kept].value == "carried_over"
    # nothing is decided in the store before the loop is closed
    assert store.action_items("P01")["status"].tolist() == ["open"] * 3
    again.close()
    again.wait_protocol(60)
    statuses = dict(zip(*store.action_items("P01")[["item_id", "status"]].T.values, strict=True))
    assert statuses == {done: "done", dropped: "dropped", kept: "carried_over"}


def test_typed_action_items_survive_a_reload_and_are_stored_once(store: Store) -> None:
    screen = screen_of(store)
    row = screen.new_items.children[0]
    row.children[0].value = "Retro\neinführen"
    row.children[1].value = "QM"
    again = screen_of(store)
    assert again.item_rows() == [{"what": "Retro\neinführen", "who": "QM", "due": None}]
    again.close()
    again.wait_protocol(60)
    assert store.action_items("P01")["what"].tolist() == ["Retro\neinführen"]
    third = screen_of(store)  # after closing the typed rows are gone: no second copy
    assert third.item_rows() == []


def test_a_proposed_action_item_is_adopted_with_one_click(store: Store) -> None:
    proposal = {"what": "Feedbackrunde\nnach jedem Sprint", "who": "TL", "due": "2026-12-20"}
    submit(
        store,
        "optimierung",
        {"lessons": "x", "loop_satisfaction": 4, "actions": [proposal]},
        "AAA111",
    )
    screen = screen_of(store)
    rows = [r for r in screen.suggestions.children if "tk-proposal" in r._dom_classes]
    assert len(rows) == 1
    button = rows[0].children[0]
    assert "tk-adopt" in button._dom_classes
    assert screen.item_rows() == []
    button.click()
    expected = {"what": proposal["what"], "who": "TL", "due": "2026-12-20"}
    assert screen.item_rows() == [expected]  # nothing retyped
    assert button.disabled
    screen.adopt(next(iter(screen.adopted)))  # a second click adds nothing
    assert screen.item_rows() == [expected]
    again = screen_of(store)  # adopted stays adopted after a reload
    assert again.item_rows() == [expected]
    shown = next(r for r in again.suggestions.children if "tk-proposal" in r._dom_classes)
    assert shown.children[0].disabled
    again.close()
    again.wait_protocol(60)
    items = store.action_items("P01")
    assert items["what"].tolist() == [proposal["what"]]
    assert items["owner"].tolist() == ["TL"]
    assert items["due"].tolist() == [pd.Timestamp("2026-12-20")]


# ------------------------------------------------------------------ dot votes from phones
def _grouped(store: Store) -> Any:
    for code, text in (("AAA111", "Kanban hilft"), ("BBB222", "Stand-up kurz")):
        submit(store, "information", {"learned": text, "info_useful": 4}, code)
    screen = screen_of(store)
    first, second = list(screen.checks)
    for item, name in ((first, "Methoden"), (second, "Rituale")):
        screen.checks[item].value = True
        screen.group_name.value = name
        screen.group_selected()
    return screen


def test_participants_dot_vote_on_the_groups_from_their_phones(store: Store) -> None:
    screen = _grouped(store)
    panel = screen.vote_panel
    assert "tk-vote-link" in panel.widget.children[3].children[0]._dom_classes
    assert (
        "/sheet/vote?pilot=P01&amp;loop=2&amp;vote=grouping"
        in panel.widget.children[3].children[0].value
    )
    panel.budget.value = 3
    panel.open_button.click()
    key = votes.grouping_vote("P01", 2)
    opened = votes.session(store, key)
    assert opened is not None
    assert [label for _k, label in opened.items] == ["Methoden", "Rituale"]
    keys = {label: k for k, label in opened.items}
    ballots = {
        "AAA111": {"Methoden": 2, "Rituale": 1},
        "BBB222": {"Methoden": 3},
        "CCC333": {"Rituale": 1},
    }
    for code, points in ballots.items():
        votes.votes_of(store).cast(key, code, {keys[g]: n for g, n in points.items()})
    screen.refresh()
    frame = votes.totals(store, key)
    assert frame[["label", "points", "voters"]].to_dict("records") == [
        {"label": "Methoden", "points": 5, "voters": 2},
        {"label": "Rituale", "points": 2, "voters": 2},
    ]
    shown = panel.results.value
    assert 'data-item="' + keys["Methoden"] + '"' in shown
    assert '<td class="tk-phone-vote-points">5</td>' in shown
    # 2 joined with a sheet, a third only voted: 3 of 3
    assert "3 von 3 haben abgestimmt" in panel.status.value
    # the moderator's own dots and the phones' points are the groups' dots at closing
    screen._dot("Methoden", 1)
    screen.close()
    screen.wait_protocol(60)
    stored = store.loop_closings("P01").iloc[0]["dots"]
    assert stored == [{"group": "Methoden", "dots": 6}, {"group": "Rituale", "dots": 2}]


def test_hidden_results_show_only_turnout_until_revealed(store: Store) -> None:
    screen = _grouped(store)
    panel = screen.vote_panel
    panel.hidden.value = True
    panel.open_button.click()
    key = votes.grouping_vote("P01", 2)
    item = votes.session(store, key).items[0][0]  # type: ignore[union-attr]
    votes.votes_of(store).cast(key, "AAA111", {item: 3})
    panel.refresh()
    assert "tk-phone-vote-row" not in panel.results.value
    assert "Ergebnis verborgen – 1 haben abgestimmt" in panel.results.value
    assert panel.reveal_button.layout.display != "none"
    panel.reveal_button.click()
    assert '<td class="tk-phone-vote-points">3</td>' in panel.results.value
    assert panel.reveal_button.description == "Ergebnis verbergen"
    panel.stop_button.click()
    assert not votes.session(store, key).accepting  # type: ignore[union-attr]
    # a reload shows the vote as stored
    again = screen_of(store)
    assert again.vote_panel.hidden.value is True
    assert '<td class="tk-phone-vote-points">3</td>' in again.vote_panel.results.value


def test_the_round_table_votes_from_phones_on_its_ideas(store: Store) -> None:
    template = load_template("round_table")
    store.submit(
        template, {"ideas": "Lernpaten\nMentoring"}, pilot="P01", loop=1, participant="AAA111"
    )
    screen = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    screen.vote_panel.open_button.click()
    key = votes.round_table_vote("P01", 1)
    labels = [label for _k, label in votes.session(store, key).items]  # type: ignore[union-attr]
    assert labels == ["Lernpaten", "Mentoring"]
    first = votes.session(store, key).items[1][0]  # type: ignore[union-attr]
    votes.votes_of(store).cast(key, "BBB222", {first: 2})
    screen.refresh()
    assert votes.totals(store, key).iloc[0].to_dict() == {
        "option": first,
        "label": "Mentoring",
        "points": 2,
        "voters": 1,
    }
    assert '<td class="tk-phone-vote-points">2</td>' in screen.vote_panel.results.value
    assert "1 von 1 haben abgestimmt" in screen.vote_panel.status.value
    assert 'tk-count-voters">1<' in screen.counter.value  # the phone's vote counts


# ------------------------------------------------------------------ closing again
def test_closing_again_makes_a_new_protocol_file_and_keeps_the_old_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from transferkit.live import make_protocol

    store = Store(f"sqlite:///{tmp_path / 'store.db'}")  # a report kernel reads a file
    store.add_pilot("P01", "Pilot", loops=3)

    names: list[str | None] = []

    def fake_run_report(kind: str, params: Any, folder: Any, *, name: Any = None, **kw: Any) -> Any:
        names.append(name)
        raise RuntimeError("no kernel in this test")

    monkeypatch.setattr("transferkit.reports.run_report", fake_run_report)
    first = close_loop(store, "P01", 2)
    assert first.version == 1
    make_protocol(store, first, out_dir=tmp_path)
    second = close_loop(store, "P01", 2)
    assert second.version == 2
    page = make_protocol(store, second, out_dir=tmp_path).page
    assert names == ["protocol_P01_loop2", "protocol_P01_loop2_v2"]
    assert "Fassung 2" in page
    assert [v["version"] for v in store.loop_closing_versions("P01")] == [1]


# ------------------------------------------------------------------ the protocol
def _carried_loop(store: Store) -> tuple[int, int, int]:
    done = store.add_action_item("P01", 1, "Kanban-Board\naufhängen", owner="AB")
    carried = store.add_action_item("P01", 1, "Stand-up testen")
    open_one = store.add_action_item("P01", 1, "Wiki anlegen")
    submit(
        store, "information", {"learned": "Erste Zeile\nZweite Zeile", "info_useful": 4}, "AAA111"
    )
    close_loop(store, "P01", 2, decisions={done: "done"})
    return done, carried, open_one


def test_the_protocol_lists_every_carried_over_item(store: Store) -> None:
    _carried_loop(store)
    report = loop_protocol(store, "P01", 2, "en")
    assert report.key_figures["carried_over"] == 3
    assert "3 items from earlier loops" in report.summary
    ((table, _caption),) = report.sections["carried"].tables
    assert sorted(table.iloc[:, 0]) == [
        "Kanban-Board\naufhängen",
        "Stand-up testen",
        "Wiki anlegen",
    ]
    assert sorted(table.iloc[:, -1]) == ["carried over", "carried over", "done"]


def test_the_protocol_keeps_line_breaks_of_contributions(store: Store) -> None:
    from transferkit.reports.content.common import list_html, show_table

    _carried_loop(store)
    report = loop_protocol(store, "P01", 2, "de")
    assert report.sections["information"].items == ["Erste Zeile\nZweite Zeile"]
    assert (
        list_html(report.sections["information"].items)
        == "<ul><li>Erste Zeile<br>Zweite Zeile</li></ul>"
    )
    shown: list[Any] = []
    from transferkit.reports.content import common

    original = common._display
    common._display = lambda obj, **kw: shown.append(obj)  # type: ignore[assignment]
    try:
        show_table(report.sections["carried"].tables[0][0])
    finally:
        common._display = original  # type: ignore[assignment]
    html = shown[0].data
    assert "white-space: pre-line" in html
    assert "Kanban-Board\naufhängen" in html


def test_the_protocol_prints_berlin_time_by_default_and_another_zone_on_request(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRANSFERKIT_TIMEZONE", raising=False)
    winter = dt.datetime(2026, 1, 15, 9, 5, tzinfo=dt.UTC)
    store.close_loop("P01", 2, {"participants": 1}, closed_at=winter)
    assert "15.01.2026 10:05 CET" in loop_protocol(store, "P01", 2, "de").summary
    summary = close_loop(store, "P01", 3)
    summary.closed_at = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    page = protocol_html(summary, "de")
    assert "01.07.2026 14:00 CEST" in page
    assert "UTC" not in page
    monkeypatch.setenv("TRANSFERKIT_TIMEZONE", "America/New_York")
    assert "2026-01-15 04:05 EST" in loop_protocol(store, "P01", 2, "en").summary
    assert "01.07.2026 08:00 EDT" in protocol_html(summary, "de")


def test_the_printable_protocol_keeps_line_breaks(store: Store) -> None:
    summary = close_loop(store, "P01", 2, new_items=[{"what": "Retro\neinführen", "who": "QM"}])
    page = protocol_html(summary, "de")
    assert "<td>Retro\neinführen</td>" in page
    assert "white-space:pre-line" in page


def test_the_protocol_shows_the_round_tables_vote_from_phones(store: Store) -> None:
    key = votes.round_table_vote("P01", 2)
    votes.open_vote(store, key, [("i1", "Lernpaten"), ("i2", "Mentoring")], budget=3)
    votes.votes_of(store).cast(key, "AAA111", {"i2": 2, "i1": 1})
    votes.votes_of(store).cast(key, "BBB222", {"i2": 3})
    report = loop_protocol(store, "P01", 2, "de")
    assert report.key_figures["phone_votes"] == {"Mentoring": 5, "Lernpaten": 1}
    table, caption = report.sections["votes"].tables[0]
    assert caption == "Abstimmung auf dem Handy"
    assert table.iloc[:, 1].tolist() == [5, 1]
