"""Store: URLs, schema, submit/responses, metadata tables, erasure, export (SQLite)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.exc import OperationalError

from transferkit.exceptions import AnswerValidationError, StoreError
from transferkit.store import (
    RESPONSE_COLUMNS,
    SCHEMA_VERSION,
    Store,
    resolve_url,
    size_class,
)
from transferkit.store.engine import is_retryable, with_retry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_helpers import FakeLoop, FakeTemplate

SHEET = FakeTemplate()
LOOP = FakeLoop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def store(db_url: str):
    with Store(db_url) as s:
        s.add_network("N1", "Netzwerk Nord", "Nord")
        s.add_company("C1", "Tischlerei A", employees=8, network="N1", roles="sender;organiser")
        s.add_company("C2", "Metallbau B", employees=60, network="N1", roles=["financier"])
        s.add_pilot("P01", "Agile Methoden", "Agile methods", network="N1", companies="C1;C2")
        s.add_pilot("P02", "KI im Büro", loops=3)
        yield s


def _count(store: Store) -> int:
    return store.info()["counts"]["responses"]


# ------------------------------------------------------------------ URLs and schema


def test_default_url_is_data_file_below_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRANSFERKIT_DB", raising=False)
    with Store() as store:
        assert store.info()["backend"] == "sqlite"
    path = tmp_path / "data" / "transferkit.db"
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_connection_settings(store):
    with store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 30000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


def test_env_var_selects_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFERKIT_DB", f"sqlite:///{tmp_path / 'env.db'}")
    with Store() as store:
        assert store.info()["url"].endswith("env.db")
    assert (tmp_path / "env.db").exists()


def test_postgres_urls_use_psycopg():
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "Cannot read the database URL"),
        ("nosuchdb://x/y", "Unknown database type"),
        ("postgresql://u:secret@127.0.0.1:1/db", "Check that the server is running"),
    ],
)
def test_bad_url_raises_store_error(url, expected):
    with pytest.raises(StoreError, match=expected) as info:
        Store(url)
    assert "secret" not in str(info.value)


def test_sqlite_in_missing_folder(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")


def test_schema_version_row(db_url):
    with Store(db_url) as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION
    with Store(db_url) as store, store.engine.connect() as conn:  # opening again: one row
        assert conn.exec_driver_sql("SELECT count(*) FROM schema_version").scalar() == 1
        conn.exec_driver_sql("UPDATE schema_version SET version = 99")
        conn.commit()
    with pytest.raises(StoreError, match="upgrade transferkit"):
        Store(db_url)


def test_info_masks_password():
    store = Store("sqlite://")
    info = store.info()
    assert info["backend"] == "sqlite"
    assert set(info["counts"]) >= {"responses", "pilots", "participants", "action_items"}
    assert "Store('sqlite://')" == repr(store)
    store.close()


# ------------------------------------------------------------------ submit and responses


def test_submit_and_read_back(store):
    rid = store.submit(
        SHEET,
        {"q_likert": 4, "q_text": "gut", "extra": "dropped"},
        pilot="P01",
        loop=1,
        participant="K7M4QX",
        submitted_at=dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    )
    data = store.responses()
    assert list(data.columns) == [*RESPONSE_COLUMNS, "q_text", "q_likert"]
    row = data.iloc[0]
    assert row["response_id"] == rid
    assert len(row["submission_id"]) == 32
    assert (row["template"], row["template_version"]) == ("fake_sheet", 1)
    assert (row["pilot"], row["loop"], row["participant"]) == ("P01", 1, "K7M4QX")
    assert pd.isna(row["phase"])
    assert row["submitted_at"] == pd.Timestamp("2025-03-01 09:00", tz="UTC")
    assert (row["q_text"], row["q_likert"]) == ("gut", 4)
    assert data["loop"].dtype == "Int64"
    assert data["q_likert"].dtype == "int64"
    assert str(data["submitted_at"].dt.tz) == "UTC"


def test_responses_of_one_template_in_template_order(store):
    store.submit(SHEET, {"q_text": "a", "q_likert": 2})
    store.submit(SHEET, {"q_text": "b", "q_likert": 3, "q_long": "lang"})
    data = store.responses(SHEET)
    assert list(data.columns) == [*RESPONSE_COLUMNS, "q_text", "q_likert", "q_long"]
    assert data["q_long"].isna().tolist() == [True, False]
    # by id only (not a loadable template): union of answered ids
    by_id = store.responses("fake_sheet")
    assert list(by_id.columns)[len(RESPONSE_COLUMNS) :] == ["q_text", "q_likert", "q_long"]


def test_responses_filters(store):
    for loop in (1, 2):
        store.submit(LOOP, {"p_rating": loop}, pilot="P01", loop=loop, phase="plan")
        store.submit(LOOP, {"r_text": f"r{loop}"}, pilot="P01", loop=loop, phase="review")
    store.submit(SHEET, {"q_text": "x", "q_likert": 1}, pilot="P02")
    assert len(store.responses()) == 5
    assert len(store.responses(pilot="P01")) == 4
    assert len(store.responses(LOOP, loop=2)) == 2
    plan = store.responses(LOOP, phase="plan")
    assert list(plan.columns)[len(RESPONSE_COLUMNS) :] == ["p_rating"]
    assert plan["p_rating"].tolist() == [1, 2]
    both = store.responses(LOOP)
    assert list(both.columns)[len(RESPONSE_COLUMNS) :] == ["p_rating", "r_text"]
    assert both["p_rating"].dtype == "float64"  # missing in review rows
    union = store.responses()
    assert set(union.columns) >= {"p_rating", "r_text", "q_text", "q_likert"}


def test_empty_responses_have_metadata_columns(store):
    empty = store.responses()
    assert list(empty.columns) == list(RESPONSE_COLUMNS)
    assert empty.empty
    assert empty["loop"].dtype == "Int64"
    with_questions = store.responses(SHEET, pilot="P02")
    assert list(with_questions.columns) == [*RESPONSE_COLUMNS, "q_text", "q_likert", "q_long"]


def test_same_submission_id_is_stored_once(store):
    first = store.submit(SHEET, {"q_text": "a", "q_likert": 1}, submission_id="abc")
    again = store.submit(SHEET, {"q_text": "a", "q_likert": 1}, submission_id="abc")
    assert first == again
    assert _count(store) == 1


def test_invalid_answers_write_nothing(store):
    with pytest.raises(AnswerValidationError) as info:
        store.submit(SHEET, {"q_likert": 9}, pilot="P01", participant="NEWCODE")
    assert {p.question_id for p in info.value.problems} == {"q_text", "q_likert"}
    assert _count(store) == 0
    assert store.participants().empty


def test_unknown_pilot_is_refused_with_hint(store):
    with pytest.raises(StoreError, match=r"Unknown pilot 'P99' \(known: P01, P02\)") as info:
        store.submit(SHEET, {"q_text": "a", "q_likert": 1}, pilot="P99", participant="ABC123")
    assert "add_pilot" in str(info.value)
    assert "import-demo" in str(info.value)
    assert _count(store) == 0
    assert store.participants().empty


@pytest.mark.parametrize("name", ["Max Mustermann", "Mustermann, Max", "max@example.org"])
def test_names_are_refused_as_participant(store, name):
    with pytest.raises(StoreError, match="pseudonymous"):
        store.submit(SHEET, {"q_text": "a", "q_likert": 1}, participant=name)
    with pytest.raises(StoreError, match="pseudonymous"):
        store.add_participant(name)
    assert _count(store) == 0


def test_bad_metadata_is_refused(store):
    answers = {"q_text": "a", "q_likert": 1}
    with pytest.raises(StoreError, match="loop"):
        store.submit(SHEET, answers, loop=-1)
    with pytest.raises(StoreError, match="submitted_at"):
        store.submit(SHEET, answers, submitted_at="yesterday")
    with pytest.raises(StoreError, match="submission_id"):
        store.submit(SHEET, answers, submission_id="x" * 65)


def test_naive_submitted_at_is_utc(store):
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, submitted_at=dt.datetime(2025, 1, 2, 3, 4))
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, submitted_at="2025-01-02T05:04:00+02:00")
    stamps = store.responses()["submitted_at"].tolist()
    assert stamps == [pd.Timestamp("2025-01-02 03:04", tz="UTC")] * 2


def test_participants_are_registered_on_first_use(store):
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, pilot="P01", participant="A07K")
    store.submit(SHEET, {"q_text": "b", "q_likert": 2}, pilot="P01", participant="A07K")
    store.add_participant("K7M4QX", company="C1", pilot="P02")
    people = store.participants().set_index("participant")
    assert people.loc["A07K", "pilot_id"] == "P01"
    assert people.loc["A07K", "responses"] == 2
    assert people.loc["K7M4QX", "company_id"] == "C1"
    store.add_participant("A07K", company="C2")  # update keeps the pilot
    people = store.participants().set_index("participant")
    assert tuple(people.loc["A07K", ["company_id", "pilot_id"]]) == ("C2", "P01")
    with pytest.raises(StoreError, match="Unknown company 'C9'"):
        store.add_participant("ZZZ999", company="C9")


def test_numpy_and_float_loop_numbers(store):
    import numpy as np

    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, loop=np.int64(2))
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, loop=3.0)
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, loop=float("nan"))
    assert store.responses()["loop"].tolist() == [2, 3, pd.NA]
    with pytest.raises(StoreError, match="whole number"):
        store.submit(SHEET, {"q_text": "a", "q_likert": 1}, loop=2.5)


def test_retry_on_locked_database():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError(
                "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
            )
        return "ok"

    assert with_retry(flaky, base_delay=0.001) == "ok"
    assert len(calls) == 3


def test_no_retry_on_other_errors():
    error = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert not is_retryable(error)
    calls = []

    def broken():
        calls.append(1)
        raise error

    with pytest.raises(OperationalError):
        with_retry(broken)
    assert len(calls) == 1


# ------------------------------------------------------------------ erasure and export


def test_erase_participant(store):
    for i in range(3):
        store.submit(SHEET, {"q_text": str(i), "q_likert": 1}, participant="AAA222")
    store.submit(SHEET, {"q_text": "keep", "q_likert": 1}, participant="BBB333")
    assert store.erase_participant("AAA222") == 4  # 3 responses + the participant
    data = store.responses()
    assert data["participant"].tolist() == ["BBB333"]
    assert store.participants()["participant"].tolist() == ["BBB333"]
    with pytest.raises(StoreError, match="already erased"):
        store.erase_participant("AAA222")


def test_erased_answers_leave_no_trace_in_file(store, db_url):
    store.submit(SHEET, {"q_text": "SECRET-REMARK-42", "q_likert": 1}, participant="AAA222")
    store.erase_participant("AAA222")
    store.close()
    path = Path(db_url.removeprefix("sqlite:///"))
    blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    assert not any(b"SECRET-REMARK-42" in blob for blob in blobs)


def test_export_pseudonymized(store):
    store.submit(SHEET, {"q_text": "a", "q_likert": 1}, pilot="P01", participant="AAA222")
    store.submit(SHEET, {"q_text": "b", "q_likert": 2}, pilot="P01", participant="AAA222")
    store.submit(SHEET, {"q_text": "c", "q_likert": 3}, pilot="P02", participant="BBB333")
    data = store.export_pseudonymized(salt="s3cret")
    assert "submission_id" not in data.columns
    assert "response_id" not in data.columns
    codes = data["participant"].tolist()
    assert "AAA222" not in codes
    assert "BBB333" not in codes
    assert codes[0] == codes[1] != codes[2]
    assert (
        data["participant"].tolist()
        == store.export_pseudonymized(salt="s3cret")["participant"].tolist()
    )
    assert store.export_pseudonymized(salt="other")["participant"][0] != codes[0]
    assert store.export_pseudonymized()["participant"][0] != codes[0]
    assert len(store.export_pseudonymized(pilot="P02")) == 1


# ------------------------------------------------------------------ networks, companies, pilots


def test_networks_companies_pilots(store):
    assert store.networks().to_dict("records") == [
        {"network_id": "N1", "name": "Netzwerk Nord", "region": "Nord"}
    ]
    companies = store.companies().set_index("company_id")
    assert companies.loc["C1", "size_class"] == "micro"
    assert companies.loc["C2", "size_class"] == "medium"
    assert companies.loc["C1", "roles"] == "organiser;sender"
    assert companies.loc["C1", "network"] == "N1"
    pilots = store.pilots().set_index("pilot_id")
    assert pilots.loc["P01", "companies"] == "C1;C2"
    assert pilots.loc["P01", "title_en"] == "Agile methods"
    assert pilots.loc["P02", "loops"] == 3
    assert pd.isna(pilots.loc["P02", "start"])


def test_pilot_hourly_rate_and_currency(store):
    pilots = store.pilots().set_index("pilot_id")
    assert pilots["hourly_rate"].dtype == "float64"
    assert pd.isna(pilots.loc["P01", "hourly_rate"])  # not set: no invented rate
    assert pilots.loc["P01", "currency"] == "EUR"
    store.add_pilot("P03", "KI im Büro", hourly_rate=48, currency="chf")
    store.add_pilot("P04", "Kanban", hourly_rate=0)
    pilots = store.pilots().set_index("pilot_id")
    assert (pilots.loc["P03", "hourly_rate"], pilots.loc["P03", "currency"]) == (48.0, "CHF")
    assert pilots.loc["P04", "hourly_rate"] == 0.0
    for rate, match in [
        (-1, "must not be negative"),
        ("48", "must be a number"),
        (float("inf"), "finite"),
        (True, "must be a number"),
    ]:
        with pytest.raises(StoreError, match=match):
            store.add_pilot("P05", "x", hourly_rate=rate)
    for currency in ["Euro", "", None, "E1R"]:
        with pytest.raises(StoreError, match="three-letter ISO 4217 code"):
            store.add_pilot("P05", "x", hourly_rate=40, currency=currency)
    assert "P05" not in set(store.pilots()["pilot_id"])
    store.set_pilot_rate("P01", 45.5)
    pilot = store.pilots().set_index("pilot_id").loc["P01"]
    assert (pilot["hourly_rate"], pilot["currency"], pilot["companies"]) == (45.5, "EUR", "C1;C2")
    store.set_pilot_rate("P01", None)
    assert pd.isna(store.pilots().set_index("pilot_id").loc["P01", "hourly_rate"])
    with pytest.raises(StoreError, match="Unknown pilot 'P99'"):
        store.set_pilot_rate("P99", 40)


def test_adding_again_updates(store):
    store.add_company("C1", "Tischlerei A GmbH", size_class="small", roles=())
    company = store.companies().set_index("company_id").loc["C1"]
    assert (company["name"], company["size_class"], company["roles"]) == (
        "Tischlerei A GmbH",
        "small",
        "",
    )
    store.add_pilot("P01", "Agile Methoden", companies=["C2"], start="2025-01-01", end="2025-12-31")
    pilot = store.pilots().set_index("pilot_id").loc["P01"]
    assert pilot["companies"] == "C2"
    assert pilot["start"] == pd.Timestamp("2025-01-01")
    assert len(store.pilots()) == 2


def test_company_and_pilot_checks(store):
    with pytest.raises(StoreError, match="Unknown role"):
        store.add_company("C3", "X", roles="sponsor")
    with pytest.raises(StoreError, match="size_class"):
        store.add_company("C3", "X", size_class="huge")
    with pytest.raises(StoreError, match="not an SME"):
        store.add_company("C3", "X", employees=400)
    with pytest.raises(StoreError, match="Unknown network"):
        store.add_company("C3", "X", network="N9")
    with pytest.raises(StoreError, match="unknown companies C7"):
        store.add_pilot("P03", "X", companies="C1;C7")
    with pytest.raises(StoreError, match="ends"):
        store.add_pilot("P03", "X", start="2025-05-01", end="2025-01-01")
    assert len(store.pilots()) == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0,), "micro"),
        ((9,), "micro"),
        ((10,), "small"),
        ((49,), "small"),
        ((50,), "medium"),
        ((249,), "medium"),
        ((9, 2_000_000), "micro"),
        ((9, 2_000_001), "small"),
        ((9, 2_000_001, 1_500_000), "micro"),
        ((40, 10_000_001, 10_000_001), "medium"),
        ((200, 60_000_000, 43_000_000), "medium"),
    ],
)
def test_size_class_eu_definition(args, expected):
    assert size_class(*args) == expected


@pytest.mark.parametrize("args", [(250,), (100, 60_000_000), (100, 60_000_000, 44_000_000)])
def test_large_enterprise_is_not_an_sme(args):
    with pytest.raises(StoreError, match="large enterprise"):
        size_class(*args)


def test_size_class_rejects_nonsense():
    with pytest.raises(StoreError, match="negative"):
        size_class(-1)
    with pytest.raises(StoreError, match="headcount"):
        size_class("many")  # type: ignore[arg-type]


# ------------------------------------------------------------------ action items


def test_action_items(store):
    first = store.add_action_item(
        "P01", 1, "Kanban-Board einführen", owner="organiser", due="2025-04-01"
    )
    second = store.add_action_item("P01", 1, "Retro wöchentlich")
    store.add_action_item("P02", 2, "KI-Richtlinie", status="done", loop_closed=2)
    store.update_action_item(first, "done", loop_closed=2)
    store.update_action_item(second, "carried_over")
    items = store.action_items("P01").set_index("item_id")
    assert items.loc[first, "status"] == "done"
    assert items.loc[first, "loop_closed"] == 2
    assert items.loc[first, "due"] == pd.Timestamp("2025-04-01")
    assert items.loc[second, "status"] == "carried_over"
    assert pd.isna(items.loc[second, "loop_closed"])
    assert len(store.action_items()) == 3
    assert store.action_items()["loop_closed"].dtype == "Int64"


def test_action_item_with_id_is_updated(store):
    assert store.add_action_item("P01", 1, "A", item_id=7) == 7
    assert store.add_action_item("P01", 1, "B", item_id=7, status="dropped") == 7
    items = store.action_items()
    assert items[["item_id", "what", "status"]].values.tolist() == [[7, "B", "dropped"]]


def test_action_item_checks(store):
    with pytest.raises(StoreError, match="status must be one of"):
        store.add_action_item("P01", 1, "x", status="later")
    with pytest.raises(StoreError, match="Unknown pilot"):
        store.add_action_item("P77", 1, "x")
    with pytest.raises(StoreError, match="No action item"):
        store.update_action_item(999, "done")
    with pytest.raises(StoreError, match="status"):
        store.update_action_item(1, "finished")


# ------------------------------------------------------------------ bulk loading


def test_bulk_loads_in_one_transaction(store):
    with store.bulk():
        store.add_pilot("P03", "Nachhaltigkeit")
        for i in range(200):
            store.submit(
                SHEET,
                {"q_text": str(i), "q_likert": 1 + i % 5},
                pilot="P03",
                participant=f"CODE{i % 10:02d}",
                submission_id=f"bulk-{i}",
            )
        # a repeated submission id inside the block is still stored once
        store.submit(SHEET, {"q_text": "0", "q_likert": 1}, submission_id="bulk-0")
    assert _count(store) == 200
    assert len(store.participants()) == 10


def _failing_import(store: Store) -> None:
    with store.bulk():
        store.add_pilot("P03", "Nachhaltigkeit")
        store.submit(SHEET, {"q_text": "a", "q_likert": 1}, pilot="P03")
        raise RuntimeError("import failed")


def test_bulk_rolls_back_on_error(store):
    with pytest.raises(RuntimeError, match="import failed"):
        _failing_import(store)
    assert _count(store) == 0
    assert "P03" not in store.pilots()["pilot_id"].tolist()
    store.submit(SHEET, {"q_text": "a", "q_likert": 1})  # the store still works
    assert _count(store) == 1


def test_erasure_removes_drafts_and_owner_links(tmp_path):
    """Erasure on request leaves nothing that names the code: drafts, owners, responses."""
    from transferkit.store import Store
    from transferkit.store.drafts import DraftKey, DraftStore
    from transferkit.templates import load_template

    store = Store(f"sqlite:///{tmp_path / 'erase.db'}")
    store.add_pilot("P01", "Pilot")
    template = load_template("training_feedback")
    store.submit(template, template.example_answers(), pilot="P01", participant="K7M4QX")
    drafts = DraftStore.for_store(store)
    drafts.save(DraftKey("needs_analysis", "P01", 1, None, "K7M4QX"), {"imp_ai_use": 4})
    drafts.save(DraftKey("needs_analysis", "P01", 1, None, "ABCDEF"), {"imp_ai_use": 2})
    item = store.add_action_item("P01", 1, "Checkliste testen", owner="K7M4QX")

    assert store.erase_participant("K7M4QX") == 3  # response + participant + draft

    assert store.responses()["participant"].tolist() == []
    assert drafts.load(DraftKey("needs_analysis", "P01", 1, None, "K7M4QX")) is None
    assert drafts.load(DraftKey("needs_analysis", "P01", 1, None, "ABCDEF")) is not None
    owners = store.action_items().set_index("item_id")["owner"]
    assert owners.isna()[item]


def test_erasure_of_someone_with_only_a_draft(tmp_path):
    from transferkit.store import Store
    from transferkit.store.drafts import DraftKey, DraftStore

    store = Store(f"sqlite:///{tmp_path / 'erase2.db'}")
    drafts = DraftStore.for_store(store)
    drafts.save(DraftKey("needs_analysis", None, None, None, "QRSTUV"), {"imp_ai_use": 4})
    assert store.erase_participant("QRSTUV") == 1
    with pytest.raises(StoreError, match="already erased"):
        store.erase_participant("QRSTUV")


# ------------------------------------------------------------------ layering


def _transferkit_imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.add("importlib.import_module")  # a hidden import: name it plainly instead
    return {n for n in names if n.startswith("transferkit") or n == "importlib.import_module"}


def test_the_store_imports_nothing_above_it() -> None:
    """The store sits below sheets, live screens, reports and the CLI; it may use only
    exceptions, privacy, vocabulary, the templates (which import nothing of it) and itself."""
    import transferkit.store as package

    allowed = (
        "transferkit.exceptions",
        "transferkit.privacy",
        "transferkit.vocabulary",
        "transferkit.templates",
        "transferkit.store",
    )
    folder = Path(package.__file__).parent
    wrong = {
        f"{path.name}: {name}"
        for path in sorted(folder.glob("*.py"))
        for name in _transferkit_imports(path)
        if not any(name == a or name.startswith(f"{a}.") for a in allowed)
    }
    assert not wrong


def test_erasure_reaches_the_table_the_draft_store_writes() -> None:
    """The draft store writes the one table the store defines (and erases from)."""
    from transferkit.store.drafts import drafts_table
    from transferkit.store.drafts import drafts_table as sheet_drafts

    assert sheet_drafts is drafts_table
