"""Attacks on live votes from phones (issue 15, item 3), written before the vote API.

A participant holds the vote link and crafts requests by hand: more points than the
budget (in one ballot, spread over several requests, or sent at the same moment),
points for an item that does not exist, negative or fractional points, huge or
deeply nested bodies, no XSRF token. Each must get a 4xx and leave the stored
totals exactly as before.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from websheet_client import Client

from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.store.votes import VoteKey, VoteStore

KEY = VoteKey("P01", 2, "grouping")
QUERY = "pilot=P01&loop=2&vote=grouping"
ITEMS = [("g_a", "Kanban"), ("g_b", "Stand-up"), ("g_c", "Retro")]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('vote-security') / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running


@pytest.fixture
def votes(store_url: str) -> Iterator[VoteStore]:
    with Store(store_url) as store:
        vs = VoteStore.for_store(store)
        vs.open_vote(KEY, ITEMS, budget=3, max_per_item=2)
        from transferkit.store.engine import with_retry
        from transferkit.store.votes import ballots_table

        def empty() -> None:  # a fresh vote for every test (the server may still be writing)
            with vs.engine.begin() as conn:
                conn.execute(ballots_table.delete())

        with_retry(empty)
        yield vs


def phone(server: BackgroundServer) -> Client:
    c = Client(server)
    status, _headers, _data = c.request("GET", f"sheet/vote?{QUERY}")
    assert status == 200
    return c


def cast(c: Client, code: str, points: object) -> tuple[int, dict[str, object]]:
    return c.post("vote/cast", {"query": QUERY, "code": code, "points": points})


def totals(votes: VoteStore) -> dict[str, int]:
    return {t.key: t.points for t in votes.totals(KEY)}


def test_a_ballot_within_the_budget_is_stored(server: BackgroundServer, votes: VoteStore) -> None:
    status, body = cast(phone(server), "K7M4QX", {"g_a": 2, "g_b": 1})
    assert status == 200, body
    assert totals(votes) == {"g_a": 2, "g_b": 1, "g_c": 0}
    assert body["ballot"] == {"g_a": 2, "g_b": 1}


@pytest.mark.parametrize(
    ("points", "rule"),
    [
        ({"g_a": 2, "g_b": 2}, "over_budget"),
        ({"g_a": 3}, "over_item_limit"),
        ({"g_zz": 1}, "unknown_item"),
        ({"<img src=x onerror=alert(1)>": 1}, "unknown_item"),
        ({"g_a": -5, "g_b": 2, "g_c": 2}, "negative"),
        ({"g_a": 1.5}, "not_whole"),
        ({"g_a": True}, "not_whole"),
        ({"g_a": "2"}, "not_whole"),
        ({"g_a": 10**30}, "over_item_limit"),
        (["g_a", "g_a"], "not_an_object"),
    ],
)
def test_crafted_ballots_are_refused_and_store_nothing(
    server: BackgroundServer, votes: VoteStore, points: object, rule: str
) -> None:
    c = phone(server)
    assert cast(c, "K7M4QX", {"g_c": 1})[0] == 200
    status, body = cast(c, "K7M4QX", points)
    assert status == 400, body
    assert body["code"] == rule
    assert body["message"]  # a sentence for the phone, not a traceback
    assert totals(votes) == {"g_a": 0, "g_b": 0, "g_c": 1}  # the earlier ballot stands


def test_many_requests_of_one_code_never_pass_the_budget(
    server: BackgroundServer, votes: VoteStore
) -> None:
    """A ballot replaces the one before: 3 points in each of 20 requests are 3 points."""
    c = phone(server)
    for item in ["g_a", "g_b", "g_c"] * 6:
        assert cast(c, "K7M4QX", {item: 2, "g_a" if item != "g_a" else "g_b": 1})[0] == 200
    assert sum(totals(votes).values()) == 3
    assert votes.turnout(KEY) == 1


def test_simultaneous_requests_of_one_code_never_pass_the_budget(
    server: BackgroundServer, votes: VoteStore
) -> None:
    results: list[int] = []

    def one(item: str) -> None:
        results.append(cast(phone(server), "RACE01", {item: 2, "g_c": 1})[0])

    threads = [threading.Thread(target=one, args=(i,)) for i in ["g_a", "g_b"] * 6]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count(200) == len(threads)
    assert sum(totals(votes).values()) == 3
    assert votes.turnout(KEY) == 1


def test_a_vote_that_was_never_opened_takes_no_ballot(
    server: BackgroundServer, votes: VoteStore
) -> None:
    c = phone(server)
    status, body = c.post(
        "vote/cast", {"query": "pilot=P01&loop=2&vote=other", "code": "K7M4QX", "points": {}}
    )
    assert status == 404
    assert body["code"] == "no_vote"
    assert votes.session(VoteKey("P01", 2, "other")) is None


def test_a_closed_vote_takes_no_ballot(server: BackgroundServer, votes: VoteStore) -> None:
    votes.stop(KEY)
    status, body = cast(phone(server), "K7M4QX", {"g_a": 1})
    assert status == 409
    assert body["code"] == "closed"
    assert sum(totals(votes).values()) == 0


def test_requests_without_xsrf_or_code_or_with_huge_bodies_are_refused(
    server: BackgroundServer, votes: VoteStore
) -> None:
    c = phone(server)
    status, _ = c.post(
        "vote/cast", {"query": QUERY, "code": "K7M4QX", "points": {"g_a": 1}}, xsrf=False
    )
    assert status == 403
    status, body = cast(c, "Anna Schmidt", {"g_a": 1})  # a name is no code
    assert status == 400
    assert body["code"] == "no_code"
    huge = json.dumps({"query": QUERY, "code": "K7M4QX", "points": {"g_a": 1}, "x": "y" * 40_000})
    status, body = c.post("vote/cast", None, raw=huge.encode())
    assert status == 413
    deep = '{"query": "' + QUERY + '", "code": "K7M4QX", "points": ' + "[" * 50 + "]" * 50 + "}"
    status, body = c.post("vote/cast", None, raw=deep.encode())
    assert status == 400
    assert sum(totals(votes).values()) == 0


def test_the_number_of_ballots_per_vote_is_bounded(
    server: BackgroundServer, votes: VoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(VoteStore, "max_ballots", 3)
    c = phone(server)
    for n in range(3):
        assert cast(c, f"CODE{n}0", {"g_a": 1})[0] == 200
    status, body = cast(c, "CODE90", {"g_a": 1})
    assert status == 409
    assert body["code"] == "full"
    assert cast(c, "CODE00", {"g_b": 1})[0] == 200  # a voter already in may still change
    assert totals(votes) == {"g_a": 2, "g_b": 1, "g_c": 0}


def test_hidden_results_do_not_reach_phones_until_revealed(
    server: BackgroundServer, votes: VoteStore
) -> None:
    votes.open_vote(KEY, ITEMS, budget=3, max_per_item=2, hidden=True)
    c = phone(server)
    status, body = cast(c, "K7M4QX", {"g_a": 2})
    assert status == 200
    assert body["results"] is None
    votes.reveal(KEY)
    status, body = c.post("vote/open", {"query": QUERY, "code": "K7M4QX"})
    assert status == 200
    assert ["Kanban", 2] in body["results"]
    votes.reveal(KEY, False)
    votes.open_vote(KEY, ITEMS, budget=3, max_per_item=2, hidden=False)
