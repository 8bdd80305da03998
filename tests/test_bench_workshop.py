"""Smoke test of ``benchmarks/bench_workshop.py``'s load: a few light clients submit and vote.

Six HTTP participants (loopback, the benchmark's own clients) against one real
``transferkit serve``, with two projector screens polling; every one submits the
needs analysis and casts a vote from the phone API on the vote the benchmark opens
as the moderator. Checked: all stored, every ballot stored as sent, the store's
totals equal the sum of the ballots (recounted here, apart from the benchmark's own
check), and each projector screen ends showing those totals.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_workshop as bench
from _projector_watch import ProjectorWatch, vote_lags


def test_vote_lags_count_the_wall_catching_up() -> None:
    # screen 0 shows 1 voter at 1.5 s and 2 at 3.0 s; screen 1 only ever shows 1
    charts: list[tuple[int, float, int, list[tuple[str, int]]]] = [
        (0, 0.5, 0, []),
        (0, 1.5, 1, []),
        (0, 3.0, 2, []),
        (1, 1.2, 1, []),
        (1, 4.0, 1, []),
    ]
    lags, missed = vote_lags(charts, [1.0, 2.0], screens=2)
    assert sorted(round(x, 2) for x in lags) == [0.2, 0.5, 1.0]
    assert missed == 1  # screen 1 never showed the second voter


def test_ballots_use_the_whole_budget() -> None:
    for i in range(50):
        points = bench.ballot_of(i)
        assert sum(points.values()) == bench.VOTE_BUDGET
        assert set(points) <= {key for key, _ in bench.VOTE_ITEMS}


@pytest.mark.slow
def _run_apart(coroutine: Any) -> Any:
    """``asyncio.run(coroutine)`` in a new thread (with a new event loop) and its result."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_six_participants_submit_and_vote(tmp_path: Path) -> None:
    from transferkit.store import Store

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(store_url)
    store.add_pilot(bench.PILOT, "Pilot eins", "Pilot one", loops=3)
    vote = bench.open_room_vote(store, store_url)
    store.close()
    n = 6
    server = bench.start_serve(tmp_path, store_url, name="smoke", max_per_address=4 * n + 64)
    try:
        watch = ProjectorWatch(
            server.base,
            store_url,
            template=bench.TEMPLATE,
            pilot=bench.PILOT,
            loop=bench.LOOP,
            screens=2,
            every=1.0,
        )
        # in a thread of its own: a browser test earlier in the session may leave this
        # thread's event loop running (Playwright's sync API), and asyncio.run refuses then
        load: Any = _run_apart(
            bench.run_load(
                server,
                None,
                mode="web",
                n=n,
                window=2.0,
                think=0.1,
                pages=0,
                gate_size=1,
                prefix="S",
                watch=watch,
                vote=vote,
            )
        )
    finally:
        bench.stop(server)
    bench.check_store(store_url, load, "S")
    bench.check_votes(store_url, load, vote)

    failures = [(o.code, o.error, o.vote_error) for o in load.outcomes if not o.vote_ok]
    assert not failures
    assert load.stored == n
    assert not load.lost
    assert load.votes_stored == n
    assert not load.votes_lost
    assert load.turnout == n
    assert load.totals_match
    assert all(o.vote_ms is not None and o.vote_ms > 0 for o in load.outcomes)

    # the totals recounted here from the ballots the clients sent
    labels = dict(bench.VOTE_ITEMS)
    expected: Counter[str] = Counter()
    for i in range(n):
        for key, pts in bench.ballot_of(i).items():
            expected[labels[key]] += pts
    assert {label: pts for label, pts in load.totals if pts} == dict(expected)
    assert load.cast_points == n * bench.VOTE_BUDGET

    # the projector screens end on the same chart, and their lag was measured
    assert len(load.projector_end) == 2
    for rows in load.projector_end:
        assert rows is not None
        assert {label: pts for label, pts in rows if pts} == dict(expected)
    assert "lag p50" in load.vote_lines[0]
    assert "0 not seen" in load.vote_lines[0]
