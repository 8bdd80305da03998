"""Live moderator logic: inputs, grouping, votes, action-item carry-over, loop closing."""

from __future__ import annotations

import re

import markupsafe
import pandas as pd
import pytest

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
from transferkit.live.screens import reflection_loop_app, round_table_app
from transferkit.sheets.query import SheetRequest
from transferkit.sheets.session import restrict_template
from transferkit.store import Store
from transferkit.store.drafts import DraftKey, DraftStore
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
    store.submit(
        template,
        template.example_answers("information"),
        pilot="P01",
        loop=1,
        phase="information",
        participant="AAAAAA",
    )
    assert len(feed.new()) == 1
    assert feed.new().empty


def test_collect_inputs_is_anonymous_and_split_by_line() -> None:
    df = pd.DataFrame(
        {
            "response_id": [1],
            "phase": ["anwendung"],
            "participant": ["AAAAAA"],
            "tried": ["- Kanban\n- Stand-up"],
        }
    )
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
    store.submit(
        template, {"ideas": "Lernpaten\nMicro-Learning"}, pilot="P01", loop=1, participant="AAAAAA"
    )
    store.submit(template, {"ideas": "lernpaten"}, pilot="P01", loop=1, participant="BBBBBB")
    frame = store.responses(template=template, pilot="P01", loop=1)
    ideas = extract_ideas(frame)
    assert ideas["text"].tolist() == ["Lernpaten", "Micro-Learning"]
    assert ideas["count"].tolist() == [2, 1]
    provider = ideas_provider_for(store, template, SheetRequest(pilot="P01", loop=1))
    assert provider is not None
    assert provider(None) == [
        (idea_id("Lernpaten"), "Lernpaten"),
        (idea_id("Micro-Learning"), "Micro-Learning"),
    ]
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
    assert 'tk-vote-points">3<' in screen.results.value
    assert 'tk-count-voters">2<' in screen.counter.value
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
            store.submit(
                template,
                template.example_answers(phase),
                pilot="P01",
                loop=2,
                phase=phase,
                participant=code,
            )
    summary = close_loop(
        store,
        "P01",
        2,
        decisions={old: "done"},
        new_items=[{"what": "Feedbackrunde", "who": "QM", "due": "2026-12-01"}, {"what": ""}],
    )
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
    assert participant_count(store, template, pilot="P01", loop=1, drafts=drafts) == {
        "joined": 2,
        "submitted": 1,
    }


def test_reflection_loop_screen_groups_and_closes(store: Store) -> None:
    template = load_template("reflection_loop")
    store.add_action_item("P01", 1, "Offen aus Schleife 1")
    store.submit(
        template,
        {"learned": "Kanban hilft", "info_useful": 4},
        pilot="P01",
        loop=2,
        phase="information",
        participant="AAAAAA",
    )
    store.submit(
        template,
        {"learned": "WIP-Limits", "open_questions": "Wer pflegt das Board?", "info_useful": 4},
        pilot="P01",
        loop=2,
        phase="information",
        participant="BBBBBB",
    )
    screen = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    # cards under the question they answer (the phase asks two), in the template's order
    shown = [
        c.children[1].value if "tk-card" in c._dom_classes else c.value
        for c in screen.cards["information"].children
    ]
    learned, open_questions = (
        q.label.get("de")
        for q in template.all_questions("information")
        if q.id in ("learned", "open_questions")
    )
    assert shown == [
        f"<b>{learned}</b>",
        "Kanban hilft",
        "WIP-Limits",
        f"<b>{open_questions}</b>",
        "Wer pflegt das Board?",
    ]
    store.submit(
        template,
        {"learned": "Daily Stand-up", "info_useful": 3},
        pilot="P01",
        loop=2,
        phase="information",
        participant="CCCCCC",
    )
    screen.refresh()
    assert [
        c.children[1].value
        for c in screen.cards["information"].children
        if "tk-card" in c._dom_classes
    ] == ["Kanban hilft", "WIP-Limits", "Daily Stand-up", "Wer pflegt das Board?"]
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
    assert open_items(store, "P01", 3)["what"].tolist() == [
        "Offen aus Schleife 1",
        "Retro einführen",
    ]


def test_screens_need_pilot_and_loop(store: Store) -> None:
    assert "pilot" in reflection_loop_app("loop=1", store=store).value  # type: ignore[attr-defined]
    assert "loop" in reflection_loop_app("pilot=P01", store=store).value  # type: ignore[attr-defined]


def test_moderator_join_links_carry_the_token(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSFERKIT_PUBLIC_URL", "http://10.0.0.2:8866/")
    monkeypatch.setenv("TRANSFERKIT_TOKEN", "s3cret")
    table = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    table.ticker.stop()
    assert table.ideas_url.endswith("&token=s3cret")
    assert table.vote_url.endswith("&token=s3cret")
    # participants join through the web sheet of `transferkit serve`, not a Voilà kernel each
    assert table.ideas_url.startswith("http://10.0.0.2:8866/sheet?sheet=round_table")
    assert "questions=votes" in table.vote_url
    loop = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    loop.ticker.stop()
    assert loop.join_urls
    assert all(
        u.startswith("http://10.0.0.2:8866/sheet?sheet=reflection_loop")
        and u.endswith("&token=s3cret")
        for u in loop.join_urls.values()
    )


def test_reflection_board_survives_a_reload(store: Store) -> None:
    template = load_template("reflection_loop")
    for code, text in (("AAAAAA", "Kanban hilft"), ("BBBBBB", "Stand-up kurz")):
        store.submit(
            template,
            {"learned": text, "info_useful": 4},
            pilot="P01",
            loop=2,
            phase="information",
            participant=code,
        )
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
    count = participant_count(
        store, template, pilot="P01", loop=2, drafts=DraftStore.for_store(store)
    )
    assert count["joined"] == 2  # the moderator's board is not a participant


# --------------------------------------------------------------------------- hostile text
PAYLOADS = [
    '<img src=x onerror="window.__tk_pwned=1">',
    '<svg onload="window.__tk_pwned=2">',
    '<details open ontoggle="window.__tk_pwned=3">',
    "<script>window.__tk_pwned=4</script>",
    "<a href='javascript:window.__tk_pwned=5'>x</a>",
    "$\\href{javascript:alert(1)}{x}$",
]
_TAG = re.compile(r"<(img|svg|details|script|a|iframe)[\s>/]", re.IGNORECASE)


def _no_markup_from(payloads: list[str], shown: str) -> None:
    """None of ``payloads`` appears as markup in ``shown`` (only escaped)."""
    for text in payloads:
        if "<" in text:
            assert text not in shown, f"{text!r} unescaped"
    assert not _TAG.search(shown), shown[:400]
    assert not re.search(r"href=['\"]?\s*javascript", shown, re.IGNORECASE)


def test_tally_counts_only_known_ideas_and_logs_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    df = pd.DataFrame(
        {
            "votes": [
                {"i_1": 2, PAYLOADS[0]: 3, "i_2": float("inf")},
                {"i_1": 1, "i_2": True, "i_3": 10**30},
                {PAYLOADS[0]: 1},
            ]
        }
    )
    with caplog.at_level("WARNING", logger="transferkit.live"):
        totals = tally_votes(df, "votes", {"i_1": "Lernpaten", "i_2": "Kanban", "i_3": "x"})
        tally_votes(df, "votes", {"i_1": "Lernpaten"})  # the next refresh: no second log line
    assert totals["option"].tolist() == ["i_3", "i_1"]  # inf and True are not points
    assert PAYLOADS[0] not in totals["label"].tolist()
    assert sum(PAYLOADS[0][:20] in r.getMessage() for r in caplog.records) == 1
    assert tally_votes(df, "votes", {})["option"].tolist() == []  # no ideas yet: nothing counts
    assert PAYLOADS[0] in tally_votes(df)["option"].tolist()  # without labels: every key


def test_round_table_screen_escapes_ideas_and_hides_unknown_vote_keys(store: Store) -> None:
    template = load_template("round_table")
    vote = restrict_template(template, ["votes"])
    store.submit(
        template, {"ideas": "\n".join(PAYLOADS)}, pilot="P01", loop=1, participant="AAAAAA"
    )
    store.submit(
        vote,
        {"votes": {idea_id(PAYLOADS[0]): 2, "VOTEKEY<script>x</script>": 1}},
        pilot="P01",
        loop=1,
        participant="BBBBBB",
    )
    store.submit(vote, {"votes": {"<b>VOTEKEY2</b>": 2}}, pilot="P01", loop=1, participant="CCCCCC")
    screen = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    for widget in (screen.wall, screen.results, screen.counter, screen.header):
        _no_markup_from(PAYLOADS, widget.value)
    assert str(markupsafe.escape(PAYLOADS[0])) in screen.wall.value  # shown as text
    assert str(markupsafe.escape(PAYLOADS[0])) in screen.results.value
    assert "VOTEKEY" not in screen.results.value  # not an idea: not shown at all
    assert screen.totals()["option"].tolist() == [idea_id(PAYLOADS[0])]
    assert 'tk-count-voters">1<' in screen.counter.value  # a vote for no idea is no vote


def test_reflection_screen_escapes_every_text_of_the_participants(store: Store) -> None:
    template = load_template("reflection_loop")
    joined = "\n".join(PAYLOADS)
    for text in PAYLOADS:
        store.add_action_item("P01", 1, text, owner="QM" + text[:10])
    for phase, answers in {
        "information": {"learned": joined, "open_questions": joined, "info_useful": 4},
        "anwendung": {"tried": joined, "obstacles": joined, "app_success": 3},
        "austausch": {"worked": joined, "exchange_quality": 4},
        "optimierung": {
            "lessons": joined,
            "loop_satisfaction": 5,
            "actions": [{"what": t, "who": "QM", "status": "open"} for t in PAYLOADS],
        },
    }.items():
        store.submit(template, answers, pilot="P01", loop=2, phase=phase, participant="AAAAAA")
    screen = reflection_loop_app("pilot=P01&loop=2", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    for phase in template.phases:
        cards = [c for c in screen.cards[phase.id].children if "tk-card" in c._dom_classes]
        assert len(cards) == len(PAYLOADS) * len(
            [
                q
                for q in ("learned", "open_questions", "tried", "obstacles", "worked", "lessons")
                if q in [x.id for x in phase.questions]
            ]
        )
        for card in cards:
            check, label = card.children
            assert check.description == ""  # the page's MathJax typesets descriptions
            _no_markup_from(PAYLOADS, label.value)
        assert str(markupsafe.escape(PAYLOADS[-1])) in [c.children[1].value for c in cards]
    proposals = "".join(
        row.children[1].value for row in screen.suggestions.children if hasattr(row, "children")
    )
    _no_markup_from(PAYLOADS, proposals)
    assert str(markupsafe.escape(PAYLOADS[0])) in proposals  # jinja2's escaping
    earlier = [child.children[1].value for child in screen.tabs.children[0].children]
    assert str(markupsafe.escape(PAYLOADS[0])) in earlier[0]
    for value in earlier:
        _no_markup_from(PAYLOADS, value)
    # the moderator groups hostile cards: the group row shows them as text
    for check in list(screen.checks.values())[:3]:
        check.value = True
    screen.group_name.value = "<svg onload=alert(1)>"
    screen.group_selected()
    row = screen.groups_box.children[0].children[2].value
    _no_markup_from([*PAYLOADS, "<svg onload=alert(1)>"], row)
    assert str(markupsafe.escape(PAYLOADS[1])) in row
    screen.close()
    screen.wait_protocol(30)  # in-memory store: the printable summary is shown in the screen
    shown = screen.protocol.value.split("tk-protocol-summary", 1)[
        1
    ]  # after the screen's own markup
    _no_markup_from(PAYLOADS, shown)
    assert markupsafe.escape(PAYLOADS[0]) in shown  # protocol_html: a jinja2 template


def test_protocol_html_escapes_every_field() -> None:
    from transferkit.live import LoopSummary

    bad = PAYLOADS[0]
    summary = LoopSummary(
        pilot="P01",
        loop=2,
        indicators={"participants": bad, "info_useful_mean": 4.0, "info_useful_n": bad},
        board={
            "groups": {bad: [bad, PAYLOADS[1]], "—": [PAYLOADS[2]]},
            "dots": [{"target": bad, "dots": bad}],
        },
        decisions=[{"item_id": 1, "what": bad, "decision": "done"}],
        new_items=[{"what": bad, "who": PAYLOADS[3], "due": PAYLOADS[4]}],
    )
    for lang in ("de", "en"):
        page = protocol_html(summary, lang, title=PAYLOADS[5])
        _no_markup_from(PAYLOADS, page)
        assert page.count(markupsafe.escape(bad)) >= 7
