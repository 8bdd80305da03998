"""Store reliability on SQLite: many writer processes, double submits, killed writers."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from transferkit.store import SCHEMA_VERSION, Store

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_helpers import FakeTemplate, big_answers, kill_target, run_writers, spawn


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_eight_processes_write_2000_responses(db_url):
    # the writers also create the new database and add the same pilot at once
    ids = run_writers(db_url, processes=8, n=250)
    all_ids = [i for worker in ids.values() for i in worker]
    assert len(all_ids) == 2000
    assert len(set(all_ids)) == 2000
    with Store(db_url) as store:
        data = store.responses()
        assert len(data) == 2000
        assert data["submission_id"].is_unique
        assert sorted(data["response_id"]) == sorted(all_ids)
        assert len(store.participants()) == 8 * 7
        assert store.info()["schema_version"] == SCHEMA_VERSION


def test_concurrent_double_submit_stores_once(db_url):
    ids = run_writers(db_url, processes=4, n=40, shared_ids=True)
    first, *others = ids.values()
    assert all(other == first for other in others)  # everyone got the same response ids
    with Store(db_url) as store:
        assert len(store.responses()) == 40


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_killed_writer_leaves_whole_responses(tmp_path, db_url):
    path = tmp_path / "store.db"
    with Store(db_url) as store:
        store.add_pilot("P01", "Pilot")
    ctx = spawn()
    rng = random.Random(7)
    for round_ in range(3):
        ready = ctx.Event()
        proc = ctx.Process(target=kill_target, args=(db_url, f"kill{round_}", ready))
        proc.start()
        assert ready.wait(timeout=60), "writer did not start"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=10)
        assert proc.exitcode == -signal.SIGKILL
        assert _integrity(path) == "ok"
    with Store(db_url) as store:
        data = store.responses()
        assert len(data) >= 6  # each round stored at least two before ready
        for row in data.itertuples():
            expected = big_answers(row.submission_id)
            assert (row.q_text, row.q_likert, row.q_long) == (
                expected["q_text"],
                expected["q_likert"],
                expected["q_long"],
            )
        # the store is still writable after the crashes
        store.submit(FakeTemplate(), {"q_text": "after", "q_likert": 3}, pilot="P01")
    with sqlite3.connect(path) as conn:
        raw = conn.execute("SELECT answers FROM responses").fetchall()
    assert all(isinstance(text, str) and text.startswith("{") for (text,) in raw)
    assert _integrity(path) == "ok"
