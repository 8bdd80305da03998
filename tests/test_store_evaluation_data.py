"""Evaluation data in the store: costs, benefits, Kirkpatrick indicators, planned formats.

The store keeps them (schema version 3), ``import_demo`` and ``import_table`` fill them,
and the pilot and needs reports read them from there (no more bundled demo tables).
"""

from __future__ import annotations

import math
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from transferkit.datasets import import_demo, read_dataset
from transferkit.datasets.importer import IMPORT_KINDS, import_table
from transferkit.evaluation.formats import FORMATS
from transferkit.exceptions import DatasetError, StoreError
from transferkit.reports import content as rd
from transferkit.store import SCHEMA_VERSION, Store

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import temporary_database

NEW_TABLES = ("pilot_costs", "pilot_benefits", "kirkpatrick_indicators", "format_plans")
HOURLY_RATE_EUR = 48  # the demo pilots' hourly rate (import_demo sets it in the store)


def _fill(store: Store) -> Store:
    store.add_network("N1", "Netz Nord")
    store.add_company("C1", "Tischlerei A", employees=8, network="N1")
    store.add_company("C2", "Metallbau B", employees=60, network="N1")
    store.add_pilot("X1", "KI im Büro", network="N1", companies="C1")
    store.add_pilot("X2", "Kanban", network="N1", companies="C2")
    return store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        yield _fill(s)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as s:
        import_demo(s)
        yield s


# ------------------------------------------------------------------ writing and reading


def test_costs_and_benefits_round_trip(store: Store) -> None:
    store.add_cost("X1", "facilitation", 7200)
    store.add_cost("X1", "licences", 2400.5, note="Kanban-Tool, 12 Monate")
    store.add_cost("X2", "facilitation", 100)
    store.add_benefit("X1", "time_savings", 12_000)
    costs = store.costs("X1")
    assert list(costs.columns) == ["pilot_id", "cost_item", "amount_eur", "note"]
    assert costs["cost_item"].tolist() == ["facilitation", "licences"]  # order of adding
    assert costs["amount_eur"].tolist() == [7200.0, 2400.5]
    assert costs["amount_eur"].dtype == "float64"
    assert pd.isna(costs["note"].iloc[0])
    assert costs["note"].iloc[1] == "Kanban-Tool, 12 Monate"
    assert store.costs()["pilot_id"].tolist() == ["X1", "X1", "X2"]
    benefits = store.benefits()
    assert list(benefits.columns) == ["pilot_id", "benefit_item", "amount_eur", "note"]
    assert benefits[["pilot_id", "benefit_item"]].values.tolist() == [["X1", "time_savings"]]
    assert store.benefits("X2").empty


def test_adding_an_item_again_replaces_it(store: Store) -> None:
    first = store.add_cost("X1", "facilitation", 7200, note="Entwurf")
    again = store.add_cost("X1", "facilitation", 6900)
    assert first == again
    costs = store.costs()
    assert costs["amount_eur"].tolist() == [6900.0]
    assert pd.isna(costs["note"].iloc[0])
    store.add_indicator("X1", 1, "satisfaction", 3.5, "likert_1_5")
    store.add_indicator("X1", 2, "satisfaction", 4.1, "likert_1_5")  # moved to level 2
    assert store.indicators()[["level", "value"]].values.tolist() == [[2, 4.1]]
    store.add_format_plan("C1", "K7M4QX", "workshop", 2, 120)
    store.add_format_plan("C1", "K7M4QX", "workshop", 3, 90)
    assert store.format_plans()[["sessions", "minutes_per_session"]].values.tolist() == [[3, 90]]


def test_indicators_round_trip(store: Store) -> None:
    store.add_indicator("X1", 4, "search_time_change", -38.2, "percent")
    store.add_indicator("X1", 1, "satisfaction", 3.97, "likert_1_5")
    store.add_indicator("X2", 3, "behaviour_share", 70)
    table = store.indicators()
    assert list(table.columns) == ["pilot_id", "level", "indicator", "value", "unit"]
    assert table["level"].dtype == "int64"
    assert table["value"].dtype == "float64"
    # by pilot and level
    assert table[["pilot_id", "level"]].values.tolist() == [["X1", 1], ["X1", 4], ["X2", 3]]
    assert table["value"].tolist() == [3.97, -38.2, 70.0]
    assert pd.isna(table["unit"].iloc[2])
    assert store.indicators("X2")["indicator"].tolist() == ["behaviour_share"]


def test_format_plans_round_trip_and_registration(store: Store) -> None:
    store.add_participant("AB12CD")  # registered by a sheet, without a company
    store.add_format_plan("C1", "AB12CD", "micro_learning", 10, 6)
    store.add_format_plan("C2", "ZZ34YY", "tandem", 8, 60)  # a new code is registered
    store.add_format_plan("C1", "AB12CD", "workshop", 1, 180)
    plans = store.format_plans()
    assert list(plans.columns) == [
        "company_id",
        "participant",
        "format",
        "sessions",
        "minutes_per_session",
    ]
    assert plans[["company_id", "participant", "format"]].values.tolist() == [
        ["C1", "AB12CD", "micro_learning"],
        ["C1", "AB12CD", "workshop"],
        ["C2", "ZZ34YY", "tandem"],
    ]
    assert plans["sessions"].dtype == "int64"
    assert store.format_plans("C2")["participant"].tolist() == ["ZZ34YY"]
    people = store.participants().set_index("participant")["company_id"]
    assert people.to_dict() == {"AB12CD": "C1", "ZZ34YY": "C2"}


def test_info_counts_the_new_tables(store: Store) -> None:
    store.add_cost("X1", "facilitation", 1)
    store.add_benefit("X1", "a", 1)
    store.add_benefit("X1", "b", 1)
    store.add_format_plan("C1", "AB12CD", "blended", 1, 60)
    counts = store.info()["counts"]
    assert (counts["costs"], counts["benefits"], counts["indicators"], counts["format_plans"]) == (
        1,
        2,
        0,
        1,
    )


# ------------------------------------------------------------------ checks


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.add_cost("P99", "facilitation", 10), r"Unknown pilot 'P99' \(known: X1, X2\)"),
        (lambda s: s.add_benefit("P99", "time", 10), r"Add it first with `transferkit pilot add`"),
        (lambda s: s.add_cost("X1", "facilitation", -5), r"must not be negative.*positive"),
        (lambda s: s.add_cost("X1", "facilitation", math.nan), r"finite number, got nan"),
        (lambda s: s.add_benefit("X1", "time", math.inf), r"finite number, got inf"),
        (lambda s: s.add_cost("X1", "facilitation", "12"), r"amount_eur must be a number"),
        (lambda s: s.add_cost("X1", "facilitation", True), r"amount_eur must be a number"),
        (lambda s: s.add_cost("X1", " ", 1), r"cost item must be a non-empty text"),
        (lambda s: s.add_indicator("X1", 5, "x", 1.0), r"level must be a Kirkpatrick level 1-4"),
        (lambda s: s.add_indicator("X1", 0, "x", 1.0), r"1 reaction, 2 learning"),
        (lambda s: s.add_indicator("X1", 2.5, "x", 1.0), r"got 2.5"),
        (lambda s: s.add_indicator("X1", 1, "x", math.nan), r"value must be a finite number"),
        (lambda s: s.add_indicator("P99", 1, "x", 1.0), r"Unknown pilot 'P99'"),
        (
            lambda s: s.add_format_plan("C1", "AB12CD", "webinar", 1, 30),
            r"Unknown learning format 'webinar'; use one of micro_learning, e_learning",
        ),
        (
            lambda s: s.add_format_plan("C9", "AB12CD", "workshop", 1, 30),
            r"Unknown company 'C9' \(known: C1, C2\)",
        ),
        (
            lambda s: s.add_format_plan("C1", "AB12CD", "workshop", 0, 30),
            r"sessions must be a whole number >= 1, got 0",
        ),
        (
            lambda s: s.add_format_plan("C1", "AB12CD", "workshop", 2, None),
            r"minutes_per_session must be a whole number >= 1, got None",
        ),
        (
            lambda s: s.add_format_plan("C1", "Anna Müller", "workshop", 1, 30),
            r"looks like a real name",
        ),
        (
            lambda s: s.add_format_plan("C1", "anna@example.org", "workshop", 1, 30),
            r"pseudonymous codes only",
        ),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(store: Store, call, message) -> None:
    before = store.info()["counts"]
    with pytest.raises(StoreError, match=message):
        call(store)
    assert store.info()["counts"] == before


def test_every_format_of_the_templates_can_be_planned(store: Store) -> None:
    for k, name in enumerate(FORMATS):
        store.add_format_plan("C1", "AB12CD", name, k + 1, 10)
    assert store.format_plans()["format"].tolist() == list(FORMATS)


def test_a_participant_of_another_company_is_refused(store: Store) -> None:
    store.add_participant("AB12CD", company="C1")
    with pytest.raises(
        StoreError, match=r"belongs to company 'C1', not 'C2'.*participant add AB12CD --company C2"
    ):
        store.add_format_plan("C2", "AB12CD", "workshop", 1, 60)
    assert store.format_plans().empty


def test_the_database_refuses_what_the_store_refuses(db_url: str, store: Store) -> None:
    """The CHECK constraints hold also for rows written past the store."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO pilot_costs (pilot_id, item, amount_eur) VALUES ('X1', 'ok', 1)")
        )
    for sql in (
        "INSERT INTO pilot_costs (pilot_id, item, amount_eur) VALUES ('X1', 'neg', -1)",
        (
            "INSERT INTO kirkpatrick_indicators (pilot_id, level, indicator, value) "
            "VALUES ('X1', 5, 'x', 1)"
        ),
        "INSERT INTO pilot_costs (pilot_id, item, amount_eur) VALUES ('X1', 'ok', 2)",
    ):
        with pytest.raises(IntegrityError, match=r"CHECK|UNIQUE"), engine.begin() as conn:
            conn.execute(text(sql))
    engine.dispose()
    assert store.costs()["amount_eur"].tolist() == [1.0]


# ------------------------------------------------------------------ privacy


def test_erasure_removes_the_format_plans_of_the_code(store: Store) -> None:
    store.add_format_plan("C1", "AB12CD", "workshop", 2, 120)
    store.add_format_plan("C1", "AB12CD", "tandem", 6, 60)
    store.add_format_plan("C1", "EF34GH", "workshop", 1, 120)
    assert store.erase_participant("AB12CD") == 3  # 2 format plans + the participant
    assert store.format_plans()["participant"].tolist() == ["EF34GH"]
    assert "AB12CD" not in set(store.participants()["participant"])


def test_erased_format_plans_leave_no_trace_in_the_file(db_url: str, store: Store) -> None:
    store.add_format_plan("C1", "QX7Z9W", "workshop", 2, 120)
    store.erase_participant("QX7Z9W")
    store.close()
    path = Path(db_url.removeprefix("sqlite:///"))
    blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    assert not any(b"QX7Z9W" in blob for blob in blobs)


def test_format_plans_are_exported_pseudonymized(store: Store) -> None:
    store.add_participant("AB12CD", company="C1", pilot="X1")
    store.add_participant("EF34GH", company="C2", pilot="X2")
    store.add_format_plan("C1", "AB12CD", "workshop", 2, 120)
    store.add_format_plan("C2", "EF34GH", "tandem", 6, 60)
    store.submit("training_feedback", _feedback(), pilot="X1", participant="AB12CD")
    plans = store.export_pseudonymized(table="format_plans", salt="s3cret")
    assert list(plans.columns) == list(store.format_plans().columns)
    assert not {"AB12CD", "EF34GH"} & set(plans["participant"])
    assert plans["participant"].str.fullmatch(r"X[0-9a-f]{12}").all()
    # the same salt gives the same pseudonym as in the responses, so the tables can be linked
    answers = store.export_pseudonymized(salt="s3cret")
    assert answers["participant"].iloc[0] == plans["participant"].iloc[0]
    assert (
        store.export_pseudonymized(table="format_plans")["participant"].iloc[0]
        != (plans["participant"].iloc[0])
    )  # no salt: a random one
    only_x2 = store.export_pseudonymized(table="format_plans", pilot="X2", salt="s3cret")
    assert only_x2["format"].tolist() == ["tandem"]
    with pytest.raises(StoreError, match="template selects responses"):
        store.export_pseudonymized("training_feedback", table="format_plans")
    with pytest.raises(StoreError, match="'responses' or 'format_plans'"):
        store.export_pseudonymized(table="costs")


def _feedback() -> dict:
    from transferkit.templates import load_template

    return load_template("training_feedback").example_answers()


# ------------------------------------------------------------------ an older database


def _make_version_2(path: Path) -> None:
    """A database as transferkit wrote it with schema version 2: without the new tables."""
    with Store(f"sqlite:///{path}") as store:
        _fill(store)
        store.add_action_item("X1", 1, "Kanban-Board aufhängen")
    with sqlite3.connect(path) as conn:
        for table in NEW_TABLES:
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE schema_version SET version = 2")


def test_a_version_2_database_gets_the_new_tables(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    _make_version_2(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not set(NEW_TABLES) & tables
    with Store(f"sqlite:///{path}") as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION >= 3
        assert store.costs().empty
        assert store.action_items()["what"].tolist() == ["Kanban-Board aufhängen"]
        store.add_cost("X1", "facilitation", 500)
        store.add_format_plan("C1", "AB12CD", "workshop", 1, 60)
    with Store(f"sqlite:///{path}") as store:  # opening again keeps what was added
        assert store.costs()["amount_eur"].tolist() == [500.0]
        assert len(store.format_plans()) == 1


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with temporary_database("transferkit_evaldata") as url:
        yield url


@pytest.mark.postgres
def test_postgres_round_trip_erasure_and_migration(pg_url: str) -> None:
    with Store(pg_url) as store:
        assert store.backend == "postgresql"
        _fill(store)
        store.add_cost("X1", "facilitation", 7200.25, note="Moderation")
        store.add_cost("X1", "facilitation", 7300)  # replaces
        store.add_benefit("X1", "time_savings", 9000)
        store.add_indicator("X1", 3, "behaviour_share", 61.5, "percent")
        store.add_format_plan("C1", "PG12AB", "wissensrunde", 4, 45)
        store.add_format_plan("C1", "PG34CD", "peer_case", 2, 60)
        assert store.costs()[["cost_item", "amount_eur"]].values.tolist() == [
            ["facilitation", 7300.0]
        ]
        assert store.benefits()["amount_eur"].tolist() == [9000.0]
        assert store.indicators()[["level", "value"]].values.tolist() == [[3, 61.5]]
        with pytest.raises(StoreError, match="Kirkpatrick level"):
            store.add_indicator("X1", 7, "x", 1.0)
        with pytest.raises(StoreError, match="Unknown pilot"):
            store.add_cost("P99", "x", 1)
        assert store.erase_participant("PG12AB") == 2
        assert store.format_plans()["participant"].tolist() == ["PG34CD"]
        exported = store.export_pseudonymized(table="format_plans", salt="s")
        assert exported["participant"].iloc[0].startswith("X")
    # back to version 2: the new tables are gone; opening adds them again, empty
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        for table in NEW_TABLES:
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("UPDATE schema_version SET version = 2"))
    with Store(pg_url) as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION
        assert set(NEW_TABLES) <= set(inspect(store.engine).get_table_names())
        assert store.costs().empty
        assert store.pilots()["pilot_id"].tolist() == ["X1", "X2"]
    engine.dispose()


@pytest.mark.postgres
def test_postgres_csv_import_is_one_transaction(pg_url: str, tmp_path: Path) -> None:
    with Store(pg_url) as store:
        _fill(store)
        before = len(store.benefits())
        bad = _write(
            tmp_path / "b.csv", "pilot_id,benefit_item,amount_eur\nX1,pg_time,100\nP99,pg_more,5\n"
        )
        with pytest.raises(DatasetError, match="line 3: Unknown pilot 'P99'"):
            import_table(store, "benefits", bad)
        assert len(store.benefits()) == before
        with pytest.raises(DatasetError, match="line 3: Unknown pilot 'P99'"):
            import_table(store, "benefits", bad, replace=True)  # the delete is rolled back too
        assert len(store.benefits()) == before
        good = _write(tmp_path / "g.csv", "pilot_id;benefit_item;amount_eur\nX2;pg_time;1,5\n")
        assert import_table(store, "benefits", good, replace=True) == 1
        assert store.benefits("X2")["amount_eur"].tolist() == [1.5]  # only the file's row


# ------------------------------------------------------------------ the demo network


def test_import_demo_fills_the_tables_as_the_demo_files(demo_store: Store) -> None:
    for reader, name in (
        (demo_store.costs, "costs"),
        (demo_store.benefits, "benefits"),
        (demo_store.indicators, "indicators"),
        (demo_store.format_plans, "format_plan"),
    ):
        demo = read_dataset(name)
        stored = reader()
        assert list(stored.columns[: demo.shape[1]]) == list(demo.columns), name
        for column in demo.columns:
            left, right = stored[column].tolist(), demo[column].tolist()
            if demo[column].dtype.kind in "if":
                assert left == pytest.approx(right), (name, column)
            else:
                assert left == right, (name, column)


def _expected_roi() -> pd.DataFrame:
    """ROI after Phillips from the demo files: (benefits - costs) / costs * 100."""
    costs = read_dataset("costs").groupby("pilot_id")["amount_eur"].sum().astype(float)
    benefits = read_dataset("benefits").groupby("pilot_id")["amount_eur"].sum().astype(float)
    return pd.DataFrame(
        {
            "costs": costs,
            "benefits": benefits,
            "net_benefits": benefits - costs,
            "bcr": benefits / costs,
            "roi_percent": (benefits - costs) / costs * 100,
        }
    )


@pytest.mark.parametrize("pilot", ["P01", "P02", "P03", "P04", "P05", "P06"])
def test_demo_pilot_reports_show_the_demo_figures(demo_store: Store, pilot: str) -> None:
    report = rd.pilot_report(demo_store, pilot)
    kf = report.key_figures
    expected = _expected_roi().loc[pilot]
    assert set(kf["roi"]) == set(expected.index)
    for name, value in expected.items():
        assert kf["roi"][name] == pytest.approx(value), name
    assert f"(ROI {expected['roi_percent']:.0f} %)" in report.summary
    assert report.sections["roi"].figures  # the cost and benefit bars
    indicators = read_dataset("indicators").query("pilot_id == @pilot")
    levels = indicators.groupby("level")["value"].mean()  # one indicator and unit per level
    assert kf["kirkpatrick"] == pytest.approx({str(k): v for k, v in levels.items()})
    table = report.sections["kirkpatrick"].tables[0][0]
    assert len(table) == 4


def _expected_format_cost(company: str | None) -> tuple[float, float]:
    plan = read_dataset("format_plan")
    if company:
        plan = plan[plan["company_id"] == company]
    minutes = float((plan["sessions"] * plan["minutes_per_session"]).sum())
    return minutes / 60 * HOURLY_RATE_EUR, minutes / 60


@pytest.mark.parametrize("company", ["", "C01", "C03", "C07", "C12"])
def test_demo_needs_reports_show_the_demo_figures(demo_store: Store, company: str) -> None:
    report = rd.needs_report(demo_store, company)
    cost, hours = _expected_format_cost(company)
    assert report.key_figures["format_cost_eur"] == pytest.approx(cost)
    assert report.key_figures["format_hours"] == pytest.approx(hours)
    table = report.sections["formats"].tables[0][0]
    assert table.iloc[:, -1].sum() == pytest.approx(cost)


def test_demo_table_is_gone() -> None:
    assert not hasattr(rd, "demo_table")
    assert "demo_table" not in rd.__all__


# ------------------------------------------------------------------ a pilot of one's own


def test_an_own_pilot_with_costs_and_benefits_gets_its_roi(store: Store) -> None:
    empty = rd.pilot_report(store, "X1", lang="en")
    assert "roi" not in empty.key_figures
    assert not empty.sections["roi"].text
    assert empty.sections["roi"].empty == "There are no cost data for this pilot."
    store.add_cost("X1", "facilitation", 1000)
    store.add_cost("X1", "licences", 500)
    store.add_benefit("X1", "time_savings", 2400)
    store.add_cost("X2", "facilitation", 99_999)  # another pilot's costs stay out
    report = rd.pilot_report(store, "X1", lang="en")
    roi = report.key_figures["roi"]
    # Phillips: costs 1000 + 500 = 1500, benefits 2400, net 900,
    # BCR = 2400 / 1500 = 1.6, ROI = (2400 - 1500) / 1500 * 100 = 60 %
    assert (roi["costs"], roi["benefits"], roi["net_benefits"]) == (1500.0, 2400.0, 900.0)
    assert roi["bcr"] == pytest.approx(1.6)
    assert roi["roi_percent"] == pytest.approx(60.0)
    assert "ROI 60%" in report.sections["roi"].text
    assert "The benefits exceed the costs (ROI 60%)." in report.summary
    assert report.sections["roi"].figures
    assert "roi" not in rd.pilot_report(store, "X2").key_figures  # costs but no benefits


def test_an_own_pilot_with_indicators_gets_its_kirkpatrick_table(store: Store) -> None:
    assert "kirkpatrick" not in rd.pilot_report(store, "X1").key_figures
    store.add_indicator("X1", 1, "satisfaction", 4.0, "likert_1_5")
    store.add_indicator("X1", 3, "behaviour_share", 50.0, "percent")
    store.add_indicator("X1", 3, "tool_use_share", 70.0, "percent")
    report = rd.pilot_report(store, "X1")
    kf = report.key_figures["kirkpatrick"]
    # level 3: mean of the two percentages (50 + 70) / 2 = 60; levels 2 and 4 not covered
    assert kf["1"] == pytest.approx(4.0)
    assert kf["3"] == pytest.approx(60.0)
    assert kf["2"] is None
    assert kf["4"] is None
    assert len(report.sections["kirkpatrick"].tables[0][0]) == 4


def _formats_section(report: rd.Report) -> tuple[str, pd.DataFrame, str]:
    section = report.sections["formats"]
    table, caption = section.tables[0]
    return section.text, table, caption


def test_an_own_company_without_an_hourly_rate_gets_hours_not_an_invented_cost(
    store: Store,
) -> None:
    assert "format_hours" not in rd.needs_report(store, "C1").key_figures
    store.add_format_plan("C1", "AB12CD", "micro_learning", 10, 6)  # 60 min
    store.add_format_plan("C1", "AB12CD", "workshop", 2, 180)  # 360 min
    report = rd.needs_report(store, "C1", lang="en")
    kf = report.key_figures
    assert kf["format_hours"] == pytest.approx(7.0)
    assert kf["hourly_rate"] is None
    assert not [key for key in kf if key.startswith("format_cost")]
    text, table, caption = _formats_section(report)
    # AB12CD has no pilot of its own: the rate is that of C1's pilot X1, which has none
    assert "No hourly rate is set for X1." in text
    assert list(table.columns) == ["Format", "Sessions", "Hours"]
    assert "48" not in text + caption
    assert "Stundensatz" in _formats_section(rd.needs_report(store, "C1"))[0]


def test_an_own_company_is_costed_at_its_pilots_rate(store: Store) -> None:
    store.add_pilot("X1", "KI im Büro", network="N1", companies="C1", hourly_rate=48)
    store.add_format_plan("C1", "AB12CD", "micro_learning", 10, 6)  # 60 min
    store.add_format_plan("C1", "AB12CD", "workshop", 2, 180)  # 360 min
    store.add_format_plan("C2", "EF34GH", "tandem", 5, 60)  # 300 min, other company
    report = rd.needs_report(store, "C1")
    kf = report.key_figures
    # (60 + 360) min = 7 h at 48 EUR/h = 336 EUR
    assert kf["format_hours"] == pytest.approx(7.0)
    assert kf["format_cost_eur"] == pytest.approx(336.0)
    assert (kf["hourly_rate"], kf["format_currency"]) == (48.0, "EUR")
    _, table, caption = _formats_section(report)
    assert caption == "Geplante Lernzeit und ihre Kosten (Arbeitszeit zu 48 € je Stunde)"
    assert table["Kosten der Arbeitszeit (€)"].sum() == pytest.approx(336.0)
    # the network: C2's pilot X2 has no rate yet, so hours only, naming X2
    network = rd.needs_report(store, "", lang="en")
    assert network.key_figures["format_hours"] == pytest.approx(12.0)
    assert "format_cost_eur" not in network.key_figures
    assert "No hourly rate is set for X2." in _formats_section(network)[0]
    # each pilot's own rate: 7 h at 48 + 5 h at 60 = 636 EUR
    store.add_pilot("X2", "Kanban", network="N1", companies="C2", hourly_rate=60)
    network = rd.needs_report(store, "", lang="en")
    assert network.key_figures["format_cost_eur"] == pytest.approx(7 * 48 + 5 * 60)
    assert network.key_figures["hourly_rate"] is None
    assert "at the hourly rate of each pilot, EUR 48 to EUR 60" in _formats_section(network)[2]
    # a participant registered for a pilot takes that pilot's rate, not the company's
    store.add_participant("EF34GH", company="C2", pilot="X1")
    network = rd.needs_report(store, "").key_figures
    assert network["format_cost_eur"] == pytest.approx(12 * 48)


def test_an_own_pilot_in_another_currency(store: Store) -> None:
    store.add_pilot("X2", "Kanban", network="N1", companies="C2", hourly_rate=52.5, currency="CHF")
    store.add_format_plan("C2", "EF34GH", "tandem", 5, 60)  # 5 h
    report = rd.needs_report(store, "C2", lang="en")
    kf = report.key_figures
    assert kf["format_cost_chf"] == pytest.approx(262.5)
    assert "format_cost_eur" not in kf
    _, table, caption = _formats_section(report)
    assert "working time at CHF 52.50 per hour" in caption
    assert "Cost of working time (CHF)" in table.columns
    assert "52,50 CHF je Stunde" in _formats_section(rd.needs_report(store, "C2"))[2]
    # with a pilot in EUR beside it, the network's hours are not added up as money
    store.add_pilot("X1", "KI im Büro", network="N1", companies="C1", hourly_rate=48)
    store.add_format_plan("C1", "AB12CD", "workshop", 2, 180)
    network = rd.needs_report(store, "", lang="en")
    assert not [k for k in network.key_figures if k.startswith("format_cost")]
    assert "different currencies (CHF, EUR)" in _formats_section(network)[0]


# ------------------------------------------------------------------ CSV import


def _write(path: Path, content: str, encoding: str = "utf-8") -> Path:
    path.write_text(content, encoding=encoding)
    return path


def test_import_kinds() -> None:
    assert IMPORT_KINDS == ("costs", "benefits", "indicators", "formats")


def test_import_costs_with_commas(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "costs.csv",
        "pilot_id,cost_item,amount_eur,note\n"
        "X1,facilitation,7200,\n"
        'X1,licences,2400.50,"Tool A, Tool B"\n'
        "\n"  # blank lines are skipped
        "X2,hardware,1e3,\n",
    )
    assert import_table(store, "costs", path) == 3
    costs = store.costs()
    assert costs["amount_eur"].tolist() == [7200.0, 2400.5, 1000.0]
    assert costs["note"].iloc[1] == "Tool A, Tool B"
    assert import_table(store, "costs", path) == 3  # again: replaced, not doubled
    assert len(store.costs()) == 3


def test_import_with_replace_drops_rows_left_out_of_the_corrected_file(
    store: Store, tmp_path: Path
) -> None:
    first = _write(
        tmp_path / "costs.csv",
        "pilot_id,cost_item,amount_eur\nX1,facilitation,7200\nX1,printing,500\nX2,hardware,1000\n",
    )
    assert import_table(store, "costs", first) == 3
    corrected = _write(
        tmp_path / "costs2.csv", "pilot_id,cost_item,amount_eur\nX1,facilitation,7000\n"
    )
    assert import_table(store, "costs", corrected) == 1  # without replace: printing stays
    assert store.costs("X1")["cost_item"].tolist() == ["facilitation", "printing"]
    assert import_table(store, "costs", corrected, replace=True) == 1
    assert store.costs("X1")[["cost_item", "amount_eur"]].values.tolist() == [
        ["facilitation", 7000.0]
    ]
    assert store.costs("X2")["cost_item"].tolist() == ["hardware"]  # a pilot not in the file stays
    # a broken corrected file deletes nothing either
    broken = _write(tmp_path / "costs3.csv", "pilot_id,cost_item,amount_eur\nX2,hardware,zehn\n")
    with pytest.raises(DatasetError, match="nothing was stored"):
        import_table(store, "costs", broken, replace=True)
    unknown = _write(tmp_path / "costs4.csv", "pilot_id,cost_item,amount_eur\nX2,a,1\nP99,b,2\n")
    with pytest.raises(DatasetError, match="Unknown pilot 'P99'"):
        import_table(store, "costs", unknown, replace=True)
    assert store.costs()["cost_item"].tolist() == ["facilitation", "hardware"]


def test_import_formats_with_replace_works_by_company(store: Store, tmp_path: Path) -> None:
    plans = _write(
        tmp_path / "plans.csv",
        "company_id,participant,format,sessions,minutes_per_session\n"
        "C1,AB12CD,workshop,2,135\nC1,AB12CD,tandem,10,60\nC2,EF34GH,workshop,1,90\n",
    )
    assert import_table(store, "formats", plans) == 3
    fewer = _write(
        tmp_path / "plans2.csv",
        "company_id,participant,format,sessions,minutes_per_session\nC1,AB12CD,workshop,3,135\n",
    )
    assert import_table(store, "formats", fewer, replace=True) == 1
    plans_now = store.format_plans()
    assert plans_now[["company_id", "format", "sessions"]].values.tolist() == [
        ["C1", "workshop", 3],
        ["C2", "workshop", 1],
    ]


def test_remove_evaluation_rows_refuses_an_unknown_kind(store: Store) -> None:
    with pytest.raises(StoreError, match="use one of costs, benefits, indicators, format_plans"):
        store.remove_evaluation_rows("budget", ["X1"])
    store.add_indicator("X1", 1, "satisfaction", 4.1)
    store.add_indicator("X2", 1, "satisfaction", 3.9)
    assert store.remove_evaluation_rows("indicators", []) == 0
    assert store.remove_evaluation_rows("indicators", ["X2", "X9"]) == 1
    assert store.indicators()["pilot_id"].tolist() == ["X1"]


def test_import_excel_style_semicolons_and_decimal_commas(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "indikatoren.csv",
        # BOM, capitals, empty trailing columns: as Excel writes it
        "\ufeffPilot_ID;Level;Indicator;Value;Unit;;\n"
        "X1;1;satisfaction;3,97;likert_1_5;;\n"
        "X1;4;search_time_change;-38,2;percent;;\n"
        ";;;;;;\n",
    )
    assert import_table(store, "indicators", path) == 2
    assert store.indicators()["value"].tolist() == [3.97, -38.2]
    stray = _write(tmp_path / "stray.csv", "pilot_id;cost_item;amount_eur;\nX1;a;1;oops\n")
    with pytest.raises(DatasetError, match="line 1: column 4 has values but no name"):
        import_table(store, "costs", stray)


def test_import_formats_and_benefits(store: Store, tmp_path: Path) -> None:
    plans = _write(
        tmp_path / "plans.csv",
        "participant,company_id,format,sessions,minutes_per_session\n"  # any order
        "AB12CD,C1,workshop,2,135\nAB12CD,C1,tandem,10,60.0\n",
    )
    assert import_table(store, "formats", plans) == 2
    assert store.format_plans()["minutes_per_session"].tolist() == [135, 60]
    benefits = _write(tmp_path / "b.csv", "pilot_id,benefit_item,amount_eur\nX1,time,10\n")
    assert import_table(store, "benefits", benefits) == 1


def test_a_malformed_file_lists_every_problem_and_stores_nothing(
    store: Store, tmp_path: Path
) -> None:
    store.add_cost("X1", "facilitation", 100)
    before = store.info()["counts"]
    path = _write(
        tmp_path / "costs.csv",
        "pilot_id,cost_item,amount_eur,note\n"
        "X1,facilitation,7200,\n"  # fine, but the file fails: not stored
        "X1,licences,zwölf,\n"  # line 3: not a number
        "P99,hardware,100,\n"  # line 4: unknown pilot
        "X1,materials,-5,\n"  # line 5: negative
        "X1,,10,\n"  # line 6: empty item
        "X1,facilitation,1.234,50,\n"  # line 7: one cell too many
        "X2,travel,1.234,\n"  # fine
        "X2,travel,10,\n",
    )  # line 9: twice
    with pytest.raises(DatasetError) as info:
        import_table(store, "costs", path)
    message = str(info.value)
    assert message.startswith(f"Cannot import costs from {path}: 6 problems, nothing was stored.")
    lines = message.splitlines()[1:-1]
    assert [ln.split(":")[0].strip() for ln in lines] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
        "line 9",
    ]
    assert "amount_eur: 'zwölf' is not a number; write a plain number" in lines[0]
    assert (
        "Unknown pilot 'P99' (known: X1, X2). Add it first with `transferkit pilot add`" in lines[1]
    )
    assert "must not be negative" in lines[2]
    assert "cost_item is empty; enter a value (e.g. 'facilitation')" in lines[3]
    assert "5 cells, but the header has 4 columns; put a text containing ','" in lines[4]
    assert "pilot_id X2, cost_item travel appears already in line 8" in lines[5]
    assert message.splitlines()[-1] == (
        "The columns of a costs file: pilot_id, cost_item, amount_eur, note (optional)."
    )
    assert store.info()["counts"] == before
    assert store.costs()["amount_eur"].tolist() == [100.0]


def test_missing_and_misspelled_columns_are_named(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ind.csv", "pilot_id,levle,indicator,valeu,colour\nX1,1,satisfaction,4,red\n"
    )
    with pytest.raises(DatasetError) as info:
        import_table(store, "indicators", path)
    message = str(info.value)
    assert "line 1: column 'level' is missing; the file has 'levle' instead: rename it" in message
    assert "line 1: column 'value' is missing; the file has 'valeu' instead" in message
    assert "line 1: unknown column 'colour'; remove it" in message
    assert "3 problems" in message
    assert store.indicators().empty
    path = _write(
        tmp_path / "plans.csv", "company_id,participant,format,sessions\nC1,AB12CD,workshop,2\n"
    )
    with pytest.raises(DatasetError, match="column 'minutes_per_session' is missing; add it"):
        import_table(store, "formats", path)


def test_format_file_problems(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "plans.csv",
        "company_id,participant,format,sessions,minutes_per_session\n"
        "C1,AB12CD,webinar,2,60\n"
        "C1,Max Mustermann,workshop,2,60\n"
        "C1,CD34EF,workshop,2.5,60\n"
        "C9,GH56JK,workshop,1,60\n"
        "C1,LM78NP,workshop,0,60\n",
    )
    with pytest.raises(DatasetError) as info:
        import_table(store, "formats", path)
    message = str(info.value)
    assert "line 2: Unknown learning format 'webinar'; use one of micro_learning" in message
    assert "line 3: The participant 'Max Mustermann' looks like a real name" in message
    assert "line 4: sessions: '2.5' is not a whole number" in message
    assert "line 5: Unknown company 'C9'" in message
    assert "line 6: sessions must be a whole number >= 1, got 0" in message
    assert store.format_plans().empty
    assert store.participants().empty  # no code was registered either


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: the first line must name the columns"),
        ("pilot_id,cost_item,amount_eur\n", "line 1: the file has no rows below the header"),
    ],
)
def test_empty_files(store: Store, tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        import_table(store, "costs", _write(tmp_path / "c.csv", content))


def test_unknown_kind_missing_file_and_wrong_encoding(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="use one of costs, benefits, indicators, formats"):
        import_table(store, "budget", tmp_path / "x.csv")
    with pytest.raises(DatasetError, match="No such file"):
        import_table(store, "costs", tmp_path / "missing.csv")
    latin = _write(
        tmp_path / "latin.csv",
        "pilot_id;cost_item;amount_eur\nX1;Schulungsräume;5\n",
        encoding="cp1252",
    )
    with pytest.raises(DatasetError, match=r"not a UTF-8 text file \(line 2\).*CSV UTF-8"):
        import_table(store, "costs", latin)
    assert store.costs().empty


def test_the_store_checks_formats_against_the_one_vocabulary() -> None:
    """The formats are defined once: evaluation and store use ``transferkit.vocabulary``."""
    from transferkit import vocabulary
    from transferkit.store import checks

    assert FORMATS is vocabulary.FORMATS
    assert "FORMATS" not in vars(checks) or checks.FORMATS is vocabulary.FORMATS
