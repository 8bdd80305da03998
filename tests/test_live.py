"""Live moderator logic: inputs, grouping, votes, action-item carry-over, loop closing."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from transferkit.drafts import DraftKey, DraftStore
from transferkit.exceptions import StoreError
from transferkit.live import (
    Board,
    LiveFeed,
    close_loop,
    collect_inputs,
    extract_ideas,
    idea_id,
    ideas_provider_for,
    open_items,
    participant_count,
    protocol_html,
    resolve_item,
    tally_votes,
)
from transferkit.query import SheetRequest
from transferkit.screens import reflection_loop_app, round_table_app
from transferkit.sheets import restrict_template
from transferkit.store import Store
from transferkit.templates import load_template


@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot")
    return s


def test_live_feed_sees_new_responses(store: Store) -> None:
    template = load_template("reflection_loop")
    feed = LiveFeed(store, template, pilot="P01", loop=1)
    assert feed.new().empty
    store.submit(template, template.example_answers("information"), pilot="P01", loop=1,
                 phase="information", participant="AAAAAA")
    assert len(feed.new()) == 1
    assert feed.new().empty


def test_collect_inputs_is_anonymous_and_split_by_line() -> None:
    df = pd.DataFrame({"response_id": [1], "phase": ["anwendung"], "participant": ["AAAAAA"],
                       "tried": ["- Kanban\n- Stand-up"]})
    items = collect_inputs(df, ["tried", "missing"])
    assert [i.text for i in items] == ["Kanban", "Stand-up"]
    assert len({i.item_id for i in items}) == 2


def test_board_groups_and_dots() -> None:
    df = pd.DataFrame({"response_id": [1, 2], "learned": ["A", "B"]})
    board = Board()
    assert board.add(collect_inputs(df, ["learned"])) == 2
    assert board.add(collect_inputs(df, ["learned"])) == 0
    ids = list(board.items)
    board.group("G", ids)
    board.add_dots("G", 2)
    board.add_dots("G", -5)
    assert board.ranking() == []
    board.add_dots("G", 3)
    assert board.as_dict() == {"groups": {"G": ["A", "B"]}, "dots": [{"target": "G", "dots": 3}]}
    with pytest.raises(KeyError):
        board.group("H", ["nope"])


def test_vote_totals_match_votes_cast(store: Store) -> None:
    template = load_template("round_table")
    store.submit(template, {"ideas": "Lernpaten\nMicro-Learning"}, pilot="P01", loop=1, participant="AAAAAA")
    store.submit(template, {"ideas": "lernpaten"}, pilot="P01", loop=1, participant="BBBBBB")
    frame = store.responses(template=template, pilot="P01", loop=1)
    ideas = extract_ideas(frame)
    assert ideas["text"].tolist() == ["Lernpaten", "Micro-Learning"]
    assert ideas["count"].tolist() == [2, 1]
    provider = ideas_provider_for(store, template, SheetRequest(pilot="P01", loop=1))
    assert provider is not None
    assert provider(None) == [(idea_id("Lernpaten"), "Lernpaten"), (idea_id("Micro-Learning"), "Micro-Learning")]
    vote = restrict_template(template, ["votes"])
    cast = [{idea_id("Lernpaten"): 2, idea_id("Micro-Learning"): 1}, {idea_id("Lernpaten"): 1}]
    for code, votes in zip(["CCCCCC", "DDDDDD"], cast, strict=True):
        store.submit(vote, {"votes": votes}, pilot="P01", loop=1, participant=code)
    labels = dict(zip(ideas["idea_id"], ideas["text"], strict=True))
    totals = tally_votes(store.responses(template=template, pilot="P01", loop=1), "votes", labels)
    assert totals[["label", "points", "voters"]].to_dict("records") == [
        {"label": "Lernpaten", "points": 3, "voters": 2},
        {"label": "Micro-Learning", "points": 1, "voters": 1},
    ]
    screen = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    assert "tk-vote-points'>3<" in screen.results.value
    assert "tk-count-voters'>2<" in screen.counter.value
    # the chart in the same widget as the table: bars 3 of 3 and 1 of 3 points
    widths = re.findall(r'class="tk-bar" style="width:([0-9.]+)%"', screen.results.value)
    assert [float(x) for x in widths] == [100.0, pytest.approx(33.3, abs=0.05)]
    values = re.findall(r'class="tk-bar-value">([^<]+)<', screen.results.value)
    assert values == ["3", "1"]


def test_tally_ignores_empty_and_bad_values() -> None:
    df = pd.DataFrame({"votes": [None, {"a": 0}, {"a": "x"}, {"b": 1}]})
    assert tally_votes(df)["option"].tolist() == ["b"]
    assert tally_votes(pd.DataFrame()).empty


def test_action_items_carry_over(store: Store) -> None:
    done = store.add_action_item("P01", 1, "Kanban-Board aufhängen")
    carried = store.add_action_item("P01", 1, "Schulung planen")
    dropped = store.add_action_item("P01", 1, "App einführen")
    later = store.add_action_item("P01", 2, "raised in this loop")
    assert open_items(store, "P01", 2)["item_id"].tolist() == [done, carried, dropped]
    resolve_item(store, done, "done", 2)
    resolve_item(store, carried, "carried_over", 2)
    resolve_item(store, dropped, "dropped", 2)
    items = store.action_items("P01").set_index("item_id")
    assert items.loc[done, "status"] == "done"
    assert items.loc[done, "loop_closed"] == 2
    assert items.loc[dropped, "status"] == "dropped"
    assert open_items(store, "P01", 3)["item_id"].tolist() == [carried, later]
    with pytest.raises(StoreError):
        resolve_item(store, done, "maybe", 2)


def test_close_loop_stores_indicators_and_protocol(store: Store) -> None:
    template = load_template("reflection_loop")
    old = store.add_action_item("P01", 1, "Altlast")
    for code in ("AAAAAA", "BBBBBB"):
        for phase in template.phase_ids():
            store.submit(template, template.example_answers(phase), pilot="P01", loop=2, phase=phase,
                         participant=code)
    summary = close_loop(store, "P01", 2, decisions={old: "done"},
                         new_items=[{"what": "Feedbackrunde", "who": "QM", "due": "2026-12-01"}, {"what": ""}])
    ind = summary.indicators
    assert ind["participants"] == 2
    assert ind["responses"] == 8
    assert ind["items_done"] == 1
    assert ind["items_new"] == 1
    assert ind["info_useful_n"] == 2
    logged = store.loop_closings("P01")
    assert logged["loop"].tolist() == [2]
    assert logged.loc[0, "participants"] == 2
    assert logged.loc[0, "items_done"] == 1
    assert logged.loc[0, "info_useful_n"] == 2
    page = protocol_html(summary, "de")
    assert "Feedbackrunde" in page
    assert "erledigt" in page
    assert "<html>" in page
    assert "Feedbackrunde" in protocol_html(summary, "en")


def test_participant_count_with_drafts(store: Store) -> None:
    template = load_template("needs_analysis")
    drafts = DraftStore.for_store(store)
    drafts.save(DraftKey("needs_analysis", "P01", 1, None, "AAAAAA"), {})
    drafts.save(DraftKey("needs_analysis", "P01", 1, None, "BBBBBB"), {})
    store.submit(template, template.example_answers(), pilot="P01", loop=1, participant="AAAAAA")
    assert participant_count(store, template, pilot="P01", loop=1, drafts=drafts) == {"joined": 2, "submitted": 1}


def test_reflection_loop_screen_groups_and_closes(store: Store) -> None:
    template = load_template("reflection_loop")
    store.add_action_item("P01", 1, "Offen aus Schleife 1")
    store.submit(template, {"learned": "Kanban hilft", "info_useful": 4}, pilot="P01", loop=2,
                 phase="information", participant="AAAAAA")
    store.submit(template, {"learned": "WIP-Limits", "open_questions": "Wer pflegt das Board?",
                            "info_useful": 4}, pilot="P01", loop=2, phase="information",
                 participant="BBBBBB")
    screen = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    # cards under the question they answer (the phase asks two), in the template's order
    shown = [c.description if "tk-card" in c._dom_classes else c.value
             for c in screen.cards["information"].children]
    learned, open_questions = (q.label.get("de") for q in template.all_questions("information")
                               if q.id in ("learned", "open_questions"))
    assert shown == [f"<b>{learned}</b>", "Kanban hilft", "WIP-Limits",
                     f"<b>{open_questions}</b>", "Wer pflegt das Board?"]
    store.submit(template, {"learned": "Daily Stand-up", "info_useful": 3}, pilot="P01", loop=2,
                 phase="information", participant="CCCCCC")
    screen.refresh()
    assert [c.description for c in screen.cards["information"].children
            if "tk-card" in c._dom_classes] == [
        "Kanban hilft", "WIP-Limits", "Daily Stand-up", "Wer pflegt das Board?"]
    assert "<b>3.7</b> (n = 3)" in screen.ratings["information"].value  # (4 + 4 + 3) / 3
    assert len(screen.decisions) == 1
    next(iter(screen.checks.values())).value = True
    screen.group_name.value = "Methoden"
    screen.group_selected()
    screen._dot("Methoden", 2)
    screen.new_items.children[0].children[0].value = "Retro einführen"
    screen.close()
    result = screen.wait_protocol(30)  # in-memory store: no report kernel, the printable summary
    assert result is not None
    assert not result.ok
    assert "Retro einführen" in screen.protocol.value
    assert "Methoden" in screen.protocol.value
    assert open_items(store, "P01", 3)["what"].tolist() == ["Offen aus Schleife 1", "Retro einführen"]


def test_screens_need_pilot_and_loop(store: Store) -> None:
    assert "pilot" in reflection_loop_app("loop=1", store=store).value  # type: ignore[attr-defined]
    assert "loop" in reflection_loop_app("pilot=P01", store=store).value  # type: ignore[attr-defined]


def test_moderator_join_links_carry_the_token(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFERKIT_PUBLIC_URL", "http://10.0.0.2:8866/")
    monkeypatch.setenv("TRANSFERKIT_TOKEN", "s3cret")
    table = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    table.ticker.stop()
    assert table.ideas_url.endswith("&token=s3cret")
    assert table.vote_url.endswith("&token=s3cret")
    # participants join through the web sheet of `transferkit serve`, not a Voilà kernel each
    assert table.ideas_url.startswith("http://10.0.0.2:8866/sheet?template=round_table")
    assert "questions=votes" in table.vote_url
    loop = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    loop.ticker.stop()
    assert loop.join_urls
    assert all(u.startswith("http://10.0.0.2:8866/sheet?template=reflection_loop")
               and u.endswith("&token=s3cret") for u in loop.join_urls.values())


def test_reflection_board_survives_a_reload(store: Store) -> None:
    template = load_template("reflection_loop")
    for code, text in (("AAAAAA", "Kanban hilft"), ("BBBBBB", "Stand-up kurz")):
        store.submit(template, {"learned": text, "info_useful": 4}, pilot="P01", loop=2,
                     phase="information", participant=code)
    screen = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    next(iter(screen.checks.values())).value = True
    screen.group_name.value = "Methoden"
    screen.group_selected()
    screen._dot("Methoden", 3)
    again = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    again.ticker.stop()
    assert [i.text for i in again.board.groups()["Methoden"]] == ["Kanban hilft"]
    assert again.board.dots == {"Methoden": 3}
    assert "Methoden" in again.groups_box.children[0].children[2].value
    other = reflection_loop_app("pilot=P01&loop=3", store=store).screen  # type: ignore[attr-defined]
    other.ticker.stop()
    assert other.board.dots == {}  # per pilot and loop
    count = participant_count(store, template, pilot="P01", loop=2, drafts=DraftStore.for_store(store))
    assert count["joined"] == 2  # the moderator's board is not a participant
