"""Schema migrations of the store (``transferkit.store.migrations``): nothing is lost quietly.

A database of an older layout is brought up to date when a ``Store`` opens it, in one
transaction. A row the migration cannot carry over stops it with an error that names
the table, the row and why, and says how to fix it; the database then stays exactly as
it was (the old table with all its rows, the old schema version, no new table or column).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

from transferkit.exceptions import StoreError
from transferkit.reports import content as rd
from transferkit.store import SCHEMA_VERSION, Store
from transferkit.store.migrations import LEGACY_LOOP_TABLE

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import temporary_database

SUMMARY = {
    "pilot": "P01",
    "loop": 2,
    "closed_at": "2025-03-01T10:00:00",
    "indicators": {
        "pilot": "P01",
        "loop": 2,
        "participants": 3,
        "responses": 9,
        "info_useful_mean": 4.0,
        "info_useful_n": 3,
        "items_new": 1,
        "items_done": 0,
        "items_dropped": 0,
        "items_open": 2,
    },
    "board": {
        "groups": {"Methoden": ["Kanban hilft (a participant's text)"]},
        "dots": [{"target": "Methoden", "dots": 4}],
    },
    "decisions": [],
    "new_items": [],
}
OLDER = dict(SUMMARY, indicators=dict(SUMMARY["indicators"], participants=1))
READABLE = [
    ("P01", 2, "2025-03-01 09:00:00.000000", json.dumps(OLDER)),
    ("P01", 2, "2025-03-01 10:00:00.000000", json.dumps(SUMMARY)),  # the latest closing wins
]


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT version FROM schema_version").fetchone()[0])


def _legacy_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            f"SELECT pilot, loop, closed_at, summary FROM {LEGACY_LOOP_TABLE} ORDER BY id"
        ).fetchall()


def _make_version_1(path: Path, rows: list[tuple]) -> None:
    """A database as transferkit wrote it before loop_closings: schema 1 + tk_loop_closings
    (and, as every layout before 4, pilots without hourly_rate and currency)."""
    with Store(f"sqlite:///{path}") as store:
        store.add_pilot("P01", "Pilot")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE loop_closings")
        conn.execute("ALTER TABLE pilots DROP COLUMN hourly_rate")
        conn.execute("ALTER TABLE pilots DROP COLUMN currency")
        conn.execute("UPDATE schema_version SET version = 1")
        conn.execute(
            f"CREATE TABLE {LEGACY_LOOP_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "pilot VARCHAR(100) NOT NULL, loop INTEGER NOT NULL, closed_at DATETIME "
            "NOT NULL, summary TEXT NOT NULL)"
        )
        conn.executemany(
            f"INSERT INTO {LEGACY_LOOP_TABLE} (pilot, loop, closed_at, summary) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )


def _assert_unchanged(path: Path, rows: list[tuple]) -> None:
    """The failed migration left the file as it was: old table and rows, version 1."""
    tables = _tables(path)
    assert LEGACY_LOOP_TABLE in tables
    assert _legacy_rows(path) == rows
    assert _version(path) == 1
    assert "loop_closings" not in tables  # create_all's new table is rolled back too
    assert not {"hourly_rate", "currency"} & _columns(path, "pilots")  # and step 3 -> 4


# ------------------------------------------------------------------ a readable legacy table


def test_a_readable_legacy_table_is_carried_over_and_dropped(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _make_version_1(path, READABLE)
    with Store(f"sqlite:///{path}") as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION >= 4
        closings = store.loop_closings()
        assert closings[["pilot_id", "loop"]].to_records(index=False).tolist() == [("P01", 2)]
        row = closings.iloc[0]
        assert (row["participants"], row["responses"], row["items_open"]) == (3, 9, 2)
        assert row["info_useful_mean"] == pytest.approx(4.0)
        assert row["closed_at"] == pd.Timestamp("2025-03-01 10:00", tz="UTC")
        assert row["dots"] == [{"group": "Methoden", "dots": 4}]  # the groups' texts stay out
        # the loop protocol of the old closing works, and new closings go to the new table
        assert rd.loop_protocol(store, "P01", 2).key_figures["n_participants"] == 3
        store.close_loop("P01", 3, {"participants": 2})
        # the pilot got the new settings: no rate, currency EUR
        pilot = store.pilots().iloc[0]
        assert pd.isna(pilot["hourly_rate"])
        assert pilot["currency"] == "EUR"
    with Store(f"sqlite:///{path}") as store:  # opening again copies nothing twice
        assert store.loop_closings()["loop"].tolist() == [2, 3]
    # the old table (boards with participants' texts) is gone
    assert LEGACY_LOOP_TABLE not in _tables(path)
    assert "loop_closings" in _tables(path)


def test_an_empty_legacy_table_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    _make_version_1(path, [])
    with Store(f"sqlite:///{path}") as store:
        assert store.loop_closings().empty
    assert LEGACY_LOOP_TABLE not in _tables(path)


# ------------------------------------------------------------------ rows it cannot carry over


def test_an_unreadable_row_stops_the_migration_and_keeps_the_table(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    rows = [*READABLE, ("P01", 3, "2025-04-01 10:00:00.000000", "{not json")]
    _make_version_1(path, rows)
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{path}")
    message = str(caught.value)
    assert "tk_loop_closings" in message  # what table
    assert "row id 3: summary is not valid JSON" in message  # which row and why
    assert "DELETE FROM tk_loop_closings WHERE id IN (3)" in message  # how to fix
    assert "Nothing was changed" in message
    assert "schema version is still 1" in message
    _assert_unchanged(path, rows)
    # fixed as the message says, the store opens and carries the readable rows over
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM tk_loop_closings WHERE id IN (3)")
    with Store(f"sqlite:///{path}") as store:
        assert store.loop_closings()[["loop", "participants"]].values.tolist() == [[2, 3]]
        assert store.info()["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (("P99", 1, "2025-04-01 10:00:00", json.dumps(SUMMARY)), "pilot 'P99' is not in the store"),
        (("P01", 1, "yesterday", json.dumps(SUMMARY)), "closed_at must be a datetime"),
        (("P01", 1, "2025-04-01 10:00:00", "[1, 2]"), "summary is not a JSON object"),
        (
            (
                "P01",
                1,
                "2025-04-01 10:00:00",
                json.dumps(dict(SUMMARY, indicators={"participants": "many"})),
            ),
            "participants must be",
        ),
        (
            ("P01", 1, "2025-04-01 10:00:00", json.dumps(dict(SUMMARY, indicators={"mood": 3}))),
            "unknown loop indicator 'mood'",
        ),
        (
            (
                "P01",
                1,
                "2025-04-01 10:00:00",
                json.dumps(dict(SUMMARY, board={"dots": [{"target": "", "dots": 1}]})),
            ),
            "group name",
        ),
    ],
)
def test_every_kind_of_unusable_row_is_named(tmp_path: Path, row: tuple, why: str) -> None:
    path = tmp_path / "odd.db"
    rows = [*READABLE, row]
    _make_version_1(path, rows)
    with pytest.raises(StoreError, match="row id 3: ") as caught:
        Store(f"sqlite:///{path}")
    assert why in str(caught.value)
    _assert_unchanged(path, rows)


def test_all_unusable_rows_are_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    rows = [("P01", loop, "2025-04-01 10:00:00", "{") for loop in range(1, 26)]
    _make_version_1(path, rows)
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{path}")
    message = str(caught.value)
    assert "25 of its 25 rows cannot be read" in message
    assert "row id 20:" in message
    assert "row id 21:" not in message
    assert "... and 5 more" in message
    _assert_unchanged(path, rows)


def test_a_legacy_table_of_another_shape_stops_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "shape.db"
    _make_version_1(path, [])
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP TABLE {LEGACY_LOOP_TABLE}")
        conn.execute(f"CREATE TABLE {LEGACY_LOOP_TABLE} (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute(f"INSERT INTO {LEGACY_LOOP_TABLE} (note) VALUES ('x')")
    with pytest.raises(StoreError, match="has no column pilot, loop, closed_at, summary"):
        Store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert conn.execute(f"SELECT note FROM {LEGACY_LOOP_TABLE}").fetchall() == [("x",)]
    assert _version(path) == 1


# ------------------------------------------------------------------ 3 -> 4: pilot settings


def test_a_version_3_database_gets_the_pilot_settings(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with Store(f"sqlite:///{path}") as store:
        store.add_pilot("P01", "Pilot", loops=3)
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE pilots DROP COLUMN hourly_rate")
        conn.execute("ALTER TABLE pilots DROP COLUMN currency")
        conn.execute("UPDATE schema_version SET version = 3")
    with Store(f"sqlite:///{path}") as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION == 4
        pilot = store.pilots().iloc[0]
        assert (pilot["pilot_id"], pilot["loops"], pilot["currency"]) == ("P01", 3, "EUR")
        assert pd.isna(pilot["hourly_rate"])  # no rate is invented
        store.add_pilot("P01", "Pilot", loops=3, hourly_rate=52.5, currency="CHF")
    with Store(f"sqlite:///{path}") as store:
        assert store.pilots()[["hourly_rate", "currency"]].values.tolist() == [[52.5, "CHF"]]


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with temporary_database("transferkit_migrations") as url:
        yield url


def _pg_version_1(pg_url: str, summary: str) -> None:
    with Store(pg_url) as store:
        store.add_pilot("P01", "Pilot")
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE loop_closings"))
        conn.execute(text("ALTER TABLE pilots DROP COLUMN hourly_rate"))
        conn.execute(text("ALTER TABLE pilots DROP COLUMN currency"))
        conn.execute(text("UPDATE schema_version SET version = 1"))
        conn.execute(
            text(
                f"CREATE TABLE {LEGACY_LOOP_TABLE} (id SERIAL PRIMARY KEY, pilot "
                "VARCHAR(100) NOT NULL, loop INTEGER NOT NULL, closed_at TIMESTAMP "
                "NOT NULL, summary TEXT NOT NULL)"
            )
        )
        conn.execute(
            text(
                f"INSERT INTO {LEGACY_LOOP_TABLE} (pilot, loop, closed_at, summary) "
                "VALUES ('P01', 1, '2025-02-03 04:05:06', :s)"
            ),
            {"s": summary},
        )
    engine.dispose()


@pytest.mark.postgres
def test_postgres_unreadable_row_stops_the_migration_and_keeps_everything(pg_url: str) -> None:
    _pg_version_1(pg_url, "{not json")
    with pytest.raises(StoreError, match="row id 1: summary is not valid JSON"):
        Store(pg_url)
    engine = create_engine(pg_url)
    try:
        names = set(inspect(engine).get_table_names())
        assert LEGACY_LOOP_TABLE in names
        assert "loop_closings" not in names
        assert not {"hourly_rate", "currency"} & {
            c["name"] for c in inspect(engine).get_columns("pilots")
        }
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {LEGACY_LOOP_TABLE}")).scalar() == 1
            assert conn.execute(text("SELECT version FROM schema_version")).scalar() == 1
    finally:
        engine.dispose()
    engine = create_engine(pg_url)
    # corrected, the row is carried over, the table dropped, the pilot settings added
    summary = {
        "indicators": {"participants": 6, "loop_satisfaction_mean": 3.5, "loop_satisfaction_n": 6},
        "board": {},
    }
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE {LEGACY_LOOP_TABLE} SET summary = :s WHERE id = 1"),
            {"s": json.dumps(summary)},
        )
    engine.dispose()
    with Store(pg_url) as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION
        row = store.loop_closings().iloc[0]
        assert (row["loop"], row["participants"]) == (1, 6)
        assert row["closed_at"] == pd.Timestamp("2025-02-03 04:05:06", tz="UTC")
        assert store.pilots()["currency"].tolist() == ["EUR"]
        assert not inspect(store.engine).has_table(LEGACY_LOOP_TABLE)
