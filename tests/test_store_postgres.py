"""Store on a real PostgreSQL server: round trip, many writer processes, double submits.

The server comes from ``tests/pg.py`` (``$TRANSFERKIT_TEST_PG`` or the local
socket); each test session gets a fresh database that is dropped afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from transferkit.exceptions import AnswerValidationError, StoreError
from transferkit.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import temporary_database
from store_helpers import FakeTemplate, run_writers

pytestmark = pytest.mark.postgres

SHEET = FakeTemplate()


@pytest.fixture(scope="session")
def pg_url():
    with temporary_database() as url:
        yield url


@pytest.fixture
def fresh_pg_url():
    with temporary_database("transferkit_fresh") as url:
        yield url


@pytest.fixture
def pg_store(pg_url):
    with Store(pg_url) as store:
        store.add_pilot("P01", "Pilot")
        yield store


def test_postgres_round_trip(pg_store):
    info = pg_store.info()
    assert info["backend"] == "postgresql"
    assert info["url"].startswith("postgresql+psycopg://")
    rid = pg_store.submit(
        SHEET,
        {"q_text": "ä ü ß", "q_likert": 5},
        pilot="P01",
        participant="PGR234",
        submission_id="pg-round-1",
    )
    assert pg_store.submit(SHEET, {"q_text": "x", "q_likert": 1}, submission_id="pg-round-1") == rid
    data = pg_store.responses(SHEET, pilot="P01").set_index("submission_id")
    assert data.loc["pg-round-1", "q_text"] == "ä ü ß"
    assert str(data["submitted_at"].dt.tz) == "UTC"
    with pytest.raises(AnswerValidationError):
        pg_store.submit(SHEET, {"q_likert": 0}, pilot="P01", participant="PGR999")
    assert "PGR999" not in pg_store.participants()["participant"].tolist()
    with pytest.raises(StoreError, match="Unknown pilot"):
        pg_store.submit(SHEET, {"q_text": "a", "q_likert": 1}, pilot="P404")
    exported = pg_store.export_pseudonymized(SHEET, pilot="P01", salt="s")
    assert "PGR234" not in exported["participant"].tolist()
    assert pg_store.erase_participant("PGR234") == 2
    assert "pg-round-1" not in pg_store.responses()["submission_id"].tolist()


def test_postgres_eight_processes_2000_responses(fresh_pg_url):
    # the writers create the tables of the new database and add the pilot at once
    ids = run_writers(fresh_pg_url, processes=8, n=250)
    all_ids = [i for worker in ids.values() for i in worker]
    assert len(set(all_ids)) == 2000
    with Store(fresh_pg_url) as store:
        data = store.responses(pilot="P01")
        assert len(data) == 2000
        assert data["submission_id"].is_unique
        assert store.info()["counts"]["participants"] == 8 * 7


def test_postgres_concurrent_double_submit(pg_url, pg_store):
    ids = run_writers(pg_url, processes=4, n=40, shared_ids=True)
    first, *others = ids.values()
    assert all(other == first for other in others)
    data = pg_store.responses()
    assert data["submission_id"].str.startswith("shared-").sum() == 40


def test_postgres_unreachable_server_is_a_store_error(pg_url):
    url = make_url(pg_url).set(database="transferkit_no_such_db")
    with pytest.raises(StoreError, match="database exists"):
        Store(url.render_as_string(hide_password=False))
