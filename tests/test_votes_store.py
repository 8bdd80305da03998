"""Live votes in the store (tables tk_vote_sessions / tk_vote_ballots) on SQLite and on a
real PostgreSQL server: every rule of a ballot, one ballot per code, concurrent writers
that never pass the budget, erasure on request; and closing a loop again keeps the
earlier version (tk_loop_closing_versions) on both."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from transferkit.store import Store
from transferkit.store.votes import VoteError, VoteKey, VoteStore, check_ballot

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import temporary_database

KEY = VoteKey("P01", 2, "grouping")
ITEMS = [("g1", "Kanban"), ("g2", "Stand-up"), ("g3", "Retro")]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'store.db'}") as s:
            s.add_pilot("P01", "Pilot eins", loops=3)
            yield s
        return
    with temporary_database("transferkit_votes") as url, Store(url) as s:
        s.add_pilot("P01", "Pilot eins", loops=3)
        yield s


def test_a_vote_keeps_its_rules_and_items(store: Store) -> None:
    votes = VoteStore.for_store(store)
    assert votes.session(KEY) is None
    opened = votes.open_vote(KEY, ITEMS, budget=3, max_per_item=2, hidden=True)
    assert opened.items == tuple(ITEMS)
    assert (opened.budget, opened.max_per_item, opened.hidden, opened.revealed) == (
        3,
        2,
        True,
        False,
    )
    assert not opened.results_visible
    votes.reveal(KEY)
    again = votes.session(KEY)
    assert again is not None
    assert again.results_visible
    # more groups later: the list grows, the ballots cast so far stay
    votes.cast(KEY, "K7M4QX", {"g1": 2})
    votes.open_vote(KEY, [*ITEMS, ("g4", "Board")], budget=3, max_per_item=2, hidden=True)
    assert votes.ballot(KEY, "K7M4QX") == {"g1": 2}
    assert votes.session(KEY).revealed  # type: ignore[union-attr]  # revealing is kept
    assert [t.key for t in votes.totals(KEY)] == ["g1", "g2", "g3", "g4"]


@pytest.mark.parametrize(
    ("budget", "limit"), [(0, None), (101, None), (True, None), (3, 0), ("3", None)]
)
def test_a_vote_with_impossible_rules_is_refused(
    store: Store, budget: object, limit: object
) -> None:
    with pytest.raises(VoteError) as info:
        VoteStore.for_store(store).open_vote(KEY, ITEMS, budget=budget, max_per_item=limit)  # type: ignore[arg-type]
    assert info.value.code == "bad_session"


def test_every_rule_of_a_ballot() -> None:
    from transferkit.store.votes import VoteSession

    session = VoteSession(KEY, tuple(ITEMS), budget=4, max_per_item=3)
    assert check_ballot(session, {"g1": 3, "g2": 1, "g3": 0}) == {"g1": 3, "g2": 1}
    cases = {
        "over_budget": {"g1": 3, "g2": 2},
        "over_item_limit": {"g1": 4},
        "unknown_item": {"g9": 1},
        "negative": {"g1": -1, "g2": 4},
        "not_whole": {"g1": 1.0},
        "not_an_object": [["g1", 1]],
    }
    for rule, points in cases.items():
        with pytest.raises(VoteError) as info:
            check_ballot(session, points)
        assert info.value.code == rule, points
    closed = VoteSession(KEY, tuple(ITEMS), budget=4, accepting=False)
    with pytest.raises(VoteError) as info:
        check_ballot(closed, {"g1": 1})
    assert info.value.code == "closed"


def test_one_ballot_per_code_and_the_totals(store: Store) -> None:
    votes = VoteStore.for_store(store)
    votes.open_vote(KEY, ITEMS, budget=3)
    votes.cast(KEY, "AAA111", {"g1": 3})
    votes.cast(KEY, "BBB222", {"g1": 1, "g2": 2})
    votes.cast(KEY, "AAA111", {"g3": 1})  # changed her mind: replaces, does not add
    votes.cast(KEY, "CCC333", {})  # opened, gave nothing: no turnout
    got = {t.key: (t.points, t.voters) for t in votes.totals(KEY)}
    assert got == {"g1": (1, 1), "g2": (2, 1), "g3": (1, 1)}
    assert votes.turnout(KEY) == 2
    # an item the moderator removes no longer counts
    votes.open_vote(KEY, ITEMS[:2], budget=3)
    assert {t.key: t.points for t in votes.totals(KEY)} == {"g1": 1, "g2": 2}
    assert votes.turnout(KEY) == 1


def test_concurrent_ballots_of_one_code_never_pass_the_budget(store: Store) -> None:
    votes = VoteStore.for_store(store)
    votes.open_vote(KEY, ITEMS, budget=3)
    errors: list[BaseException] = []

    def worker(item: str) -> None:
        from transferkit.store.engine import with_retry

        try:
            for _ in range(5):
                with_retry(lambda: votes.cast(KEY, "RACE01", {item: 3}))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(item,)) for item, _ in ITEMS * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(t.points for t in votes.totals(KEY)) == 3  # one ballot, within the budget
    assert votes.turnout(KEY) == 1


def test_erasing_a_participant_removes_their_ballots(store: Store) -> None:
    from transferkit.store.drafts import DraftKey, DraftStore

    votes = VoteStore.for_store(store)
    votes.open_vote(KEY, ITEMS, budget=3)
    votes.cast(KEY, "ERASE1", {"g1": 2})
    votes.cast(KEY, "KEEP22", {"g2": 1})
    DraftStore.for_store(store).save(
        DraftKey("reflection_loop", "P01", 2, "information", "ERASE1"), {"learned": "x"}
    )
    assert store.erase_participant("ERASE1") == 2  # the draft and the ballot
    assert votes.ballot(KEY, "ERASE1") == {}
    assert {t.key: t.points for t in votes.totals(KEY)} == {"g1": 0, "g2": 1, "g3": 0}


def test_closing_a_loop_again_keeps_the_earlier_versions(store: Store) -> None:
    import datetime as dt

    first = dt.datetime(2025, 5, 2, 14, 30, tzinfo=dt.UTC)
    assert store.loop_version("P01", 1) == 0
    assert store.loop_closing_versions("P01") == []
    store.close_loop("P01", 1, {"participants": 7}, dots=[("Kanban", 4)], closed_at=first)
    assert store.loop_version("P01", 1) == 1
    store.close_loop("P01", 1, {"participants": 9}, closed_at=first + dt.timedelta(hours=1))
    store.close_loop("P01", 1, {"participants": 11}, closed_at=first + dt.timedelta(hours=2))
    assert store.loop_version("P01", 1) == 3
    kept = store.loop_closing_versions("P01")
    assert [(v["version"], v["participants"]) for v in kept] == [(1, 7), (2, 9)]
    assert kept[0]["dots"] == [{"group": "Kanban", "dots": 4}]
    assert kept[0]["closed_at"].startswith("2025-05-02T14:30")
    now = store.loop_closings("P01")
    assert now["participants"].tolist() == [11]


def test_closings_of_one_loop_at_the_same_moment_each_keep_a_version(store: Store) -> None:
    store.close_loop("P01", 2, {"participants": 1})
    errors: list[BaseException] = []

    def again(n: int) -> None:
        try:
            store.close_loop("P01", 2, {"participants": 10 + n})
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=again, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    kept = store.loop_closing_versions("P01")
    assert sorted(v["version"] for v in kept) == [1, 2, 3, 4]  # none lost, none twice
    assert store.loop_version("P01", 2) == 5
    assert min(int(str(v["participants"])) for v in kept) == 1  # the first closing is kept
