"""Closing a reflection loop: key figures in the store, the reports read them, the protocol.

One place for each thing: ``evaluation.loops.loop_indicators`` computes a
loop's key figures, ``Store.close_loop`` / ``Store.loop_closings`` keep them
(table ``loop_closings``), ``report_data.loop_figures`` gives the reports the
stored figures of closed loops and computed ones otherwise, and the moderator
screen makes the protocol by running the ``loop_protocol`` report.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from transferkit.datasets import import_demo
from transferkit.evaluation.loops import loop_indicators
from transferkit.exceptions import ReportError, StoreError
from transferkit.live import (
    Board,
    InputItem,
    LoopSummary,
    close_loop,
    make_protocol,
    protocol_dir,
    protocol_html,
)
from transferkit.live.screens import reflection_loop_app
from transferkit.reports import ReportJob, ReportResult
from transferkit.reports import content as rd
from transferkit.store import SCHEMA_VERSION, Store
from transferkit.templates import load_template

RATINGS = list(rd.LOOP_RATINGS.values())


@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot")
    s.add_pilot("P02", "Pilot zwei")
    return s


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        import_demo(store)
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Store:
    """A copy of the demo network for one test (it may close loops)."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    return Store(f"sqlite:///{copy}")


# ------------------------------------------------------------------ evaluation.loops.loop_indicators
def test_loop_indicators_hand_counted() -> None:
    responses = pd.DataFrame(
        {
            "loop": [1, 1, 1, 2, 2],
            "participant": ["A", "B", "A", "A", None],
            "sat": [4, 2, None, 5, 3],
        }
    )
    items = pd.DataFrame(
        {
            "loop_raised": [1, 1, 2, None],
            "status": ["done", "open", "dropped", "open"],
            "loop_closed": pd.array([2, None, 2, None], dtype="Int64"),
        }
    )
    res = loop_indicators(responses, items, ratings=["sat", "missing"], loops=[4]).set_index("loop")
    assert res.index.tolist() == [1, 2, 4]
    assert res["participants"].tolist() == [2, 1, 0]  # codes, not sheets; no code: not counted
    assert res["responses"].tolist() == [3, 2, 0]
    assert res["sat_n"].tolist() == [2, 2, 0]
    assert res.loc[1, "sat_mean"] == pytest.approx(3.0)  # (4 + 2) / 2
    assert res.loc[2, "sat_mean"] == pytest.approx(4.0)  # (5 + 3) / 2
    assert pd.isna(res.loc[4, "sat_mean"])
    assert res["missing_n"].tolist() == [0, 0, 0]
    # items (the one without a loop is ignored): loop 1 opens two; loop 2 closes one, drops the
    # one raised in it, one stays open; loop 4 (nothing happened since 2): one still open
    assert res["items_new"].tolist() == [2, 1, 0]
    assert res["items_carried_in"].tolist() == [0, 2, 1]
    assert res["items_done"].tolist() == [0, 1, 0]
    assert res["items_dropped"].tolist() == [0, 1, 0]
    assert res["items_open"].tolist() == [2, 1, 1]
    assert res["participants"].dtype == "int64"


def test_loop_indicators_is_defined_once() -> None:
    """The reports (``loop_figures``) and the moderator's closing call this one function."""
    src = Path(__file__).resolve().parents[1] / "src" / "transferkit"
    defined = [
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if "def loop_indicators(" in p.read_text(encoding="utf-8")
    ]
    assert defined == ["evaluation/loops.py"]


def test_loop_indicators_without_items_or_sheets() -> None:
    empty = pd.DataFrame({"loop": pd.Series([], dtype="Int64"), "participant": []})
    res = loop_indicators(empty, None, ratings="sat", loops=[3])
    assert res.to_dict("records") == [
        {
            "loop": 3,
            "participants": 0,
            "responses": 0,
            "sat_n": 0,
            "sat_mean": pytest.approx(float("nan"), nan_ok=True),
            "items_carried_in": 0,
            "items_new": 0,
            "items_done": 0,
            "items_dropped": 0,
            "items_open": 0,
        }
    ]


# ------------------------------------------------------------------ Store.close_loop
def test_close_loop_round_trip_and_replace(store: Store) -> None:
    when = dt.datetime(2025, 5, 2, 14, 30, tzinfo=dt.UTC)
    first = store.close_loop(
        "P01",
        2,
        {
            "pilot": "P01",
            "loop": 2,
            "participants": 4,
            "responses": 12,
            "items_new": 2,
            "loop_satisfaction_n": 4,
            "loop_satisfaction_mean": 3.75,
            "info_useful_n": 0,
            "info_useful_mean": float("nan"),
        },
        dots=[("Visualisierung", 5), {"group": "Zeit", "dots": 2}],
        closed_at=when,
    )
    store.close_loop("P02", 1, {"participants": 1})
    closings = store.loop_closings()
    assert closings[["pilot_id", "loop"]].to_records(index=False).tolist() == [
        ("P01", 2),
        ("P02", 1),
    ]
    row = closings.iloc[0]
    assert row["closing_id"] == first
    assert row["participants"] == 4
    assert row["responses"] == 12
    assert row["items_new"] == 2
    assert row["items_done"] == 0  # not given: 0
    assert row["loop_satisfaction_n"] == 4
    assert row["loop_satisfaction_mean"] == pytest.approx(3.75)
    assert pd.isna(row["info_useful_mean"])
    assert row["closed_at"] == pd.Timestamp(when)
    assert row["template"] == "reflection_loop"
    assert row["dots"] == [{"group": "Visualisierung", "dots": 5}, {"group": "Zeit", "dots": 2}]
    assert closings.iloc[1]["loop_satisfaction_n"] == 0  # P02 stored no rating
    # closing again replaces the row and keeps its id
    again = store.close_loop("P01", 2, {"participants": 5}, closed_at=when + dt.timedelta(hours=1))
    assert again == first
    mine = store.loop_closings("P01")
    assert len(mine) == 1
    assert mine.loc[0, "participants"] == 5
    assert mine.loc[0, "dots"] == []
    assert len(store.loop_closings()) == 2
    assert store.info()["counts"]["loop_closings"] == 2


def test_close_loop_refuses_bad_input(store: Store) -> None:
    with pytest.raises(StoreError, match="Unknown pilot 'P99'"):
        store.close_loop("P99", 1, {"participants": 1})
    with pytest.raises(StoreError, match="unknown loop indicator 'mood'"):
        store.close_loop("P01", 1, {"mood": 3})
    with pytest.raises(StoreError, match="participants must be a whole number"):
        store.close_loop("P01", 1, {"participants": -1})
    with pytest.raises(StoreError, match="finite number"):
        store.close_loop("P01", 1, {"sat_mean": float("inf")})
    with pytest.raises(StoreError, match="loop must be a whole number"):
        store.close_loop("P01", None, {})  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="group name"):
        store.close_loop("P01", 1, {}, dots=[("", 2)])
    assert store.loop_closings().empty


def test_loop_closings_hold_no_participant_data(store: Store) -> None:
    template = load_template("reflection_loop")
    store.submit(
        template,
        {"learned": "Kanban hilft", "info_useful": 4},
        pilot="P01",
        loop=1,
        phase="information",
        participant="AAAAAA",
    )
    board = Board()
    board.add(
        [InputItem("c1", "learned", "Kanban hilft", 1), InputItem("c2", "learned", "Geheim", 1)]
    )
    board.group("Methoden", ["c1"])
    board.add_dots("Methoden", 3)
    board.add_dots("c2", 1)  # a dot on a single card: its label is a participant's text
    close_loop(store, "P01", 1, board=board)
    closings = store.loop_closings()
    assert "participant" not in closings.columns  # a count of participants, no codes
    assert closings.loc[0, "dots"] == [{"group": "Methoden", "dots": 3}]
    with store.engine.connect() as conn:
        stored = [str(v) for row in conn.execute(text("SELECT * FROM loop_closings")) for v in row]
    assert not any("AAAAAA" in v or "Kanban" in v or "Geheim" in v for v in stored)
    store.erase_participant("AAAAAA")  # erasure leaves the aggregates as they are
    assert store.loop_closings().loc[0, "participants"] == 1
    assert "loop_closings" not in " ".join(store.export_pseudonymized().columns)


def test_close_loop_stores_what_the_screen_computed(store: Store) -> None:
    template = load_template("reflection_loop")
    old = store.add_action_item("P01", 1, "Altlast")
    for code, rating in (("AAAAAA", 4), ("BBBBBB", 2)):
        store.submit(
            template,
            {"tried": "Kanban", "app_success": rating},
            pilot="P01",
            loop=2,
            phase="anwendung",
            participant=code,
        )
    summary = close_loop(
        store,
        "P01",
        2,
        decisions={old: "dropped"},
        new_items=[{"what": "Retro", "who": "QM"}],
        template=template,
    )
    stored = store.loop_closings("P01").iloc[0]
    for key in (
        "participants",
        "responses",
        "items_carried_in",
        "items_new",
        "items_dropped",
        "items_open",
        "app_success_n",
    ):
        assert stored[key] == summary.indicators[key], key
    assert stored["app_success_mean"] == pytest.approx(3.0)
    assert (stored["participants"], stored["items_dropped"], stored["items_new"]) == (2, 1, 1)
    assert isinstance(summary.indicators["participants"], int)
    assert summary.indicators["info_useful_mean"] is None  # nobody rated: None, not NaN
    page = protocol_html(summary, "de")
    assert "<th>Teilnehmende</th><td>2</td>" in page
    assert "Wie gut ließ sich das Neue im Arbeitsalltag anwenden?</th><td>3.0 (n = 2)" in page
    assert stored["closed_at"] == pd.Timestamp(summary.closed_at)


# ------------------------------------------------------------------ the reports read the store
#: What the demo reports showed before loop closings were stored (pilot report: participants
#: per loop, loop satisfaction, action items; loop protocol: participants, decisions, carried
#: over, and (n, mean rating) per phase).
DEMO_PILOT = {
    "P01": ({"1": 11, "2": 10, "3": 10}, {"1": 3.2, "2": 3.4, "3": 3.625}, (7, 5, 2, 0)),
    "P02": ({"1": 10, "2": 9, "3": 9}, {"1": 3.6, "2": 3.0, "3": 2.714}, (7, 2, 4, 1)),
    "P03": ({"1": 8, "2": 7, "3": 9}, {"1": 3.286, "2": 3.571, "3": 4.0}, (6, 5, 1, 0)),
    "P04": ({"1": 9, "2": 9, "3": 8}, {"1": 3.444, "2": 3.556, "3": 3.75}, (7, 5, 1, 1)),
    "P05": ({"1": 9, "2": 8, "3": 9}, {"1": 2.556, "2": 3.5, "3": 3.875}, (6, 5, 1, 0)),
    "P06": ({"1": 8, "2": 8, "3": 8}, {"1": 3.143, "2": 4.0, "3": 4.143}, (6, 1, 3, 2)),
}
DEMO_PROTOCOL = {
    ("P01", 1): (11, 3, 0, ((9, 3.444), (11, 2.909), (11, 3.545), (10, 3.2))),
    ("P01", 2): (10, 3, 3, ((9, 3.889), (7, 3.571), (10, 3.7), (10, 3.4))),
    ("P01", 3): (10, 1, 3, ((10, 4.1), (8, 3.75), (10, 3.8), (8, 3.625))),
    ("P02", 1): (10, 2, 0, ((10, 3.5), (8, 2.75), (10, 4.1), (10, 3.6))),
    ("P02", 2): (9, 3, 2, ((9, 3.667), (7, 3.143), (9, 3.444), (8, 3.0))),
    ("P02", 3): (9, 2, 4, ((9, 2.889), (9, 2.889), (9, 3.333), (7, 2.714))),
    ("P03", 1): (8, 2, 0, ((8, 3.625), (8, 3.125), (7, 3.0), (7, 3.286))),
    ("P03", 2): (7, 3, 2, ((7, 3.143), (7, 3.429), (5, 3.2), (7, 3.571))),
    ("P03", 3): (9, 1, 3, ((9, 3.333), (9, 3.444), (8, 3.75), (9, 4.0))),
    ("P04", 1): (9, 3, 0, ((8, 3.375), (9, 2.889), (9, 3.0), (9, 3.444))),
    ("P04", 2): (9, 3, 3, ((9, 3.556), (8, 3.125), (9, 3.778), (9, 3.556))),
    ("P04", 3): (8, 1, 3, ((8, 4.125), (8, 3.5), (6, 3.667), (8, 3.75))),
    ("P05", 1): (9, 3, 0, ((9, 2.778), (7, 2.286), (8, 3.125), (9, 2.556))),
    ("P05", 2): (8, 2, 3, ((7, 3.429), (8, 3.25), (7, 3.571), (8, 3.5))),
    ("P05", 3): (9, 1, 3, ((8, 4.375), (8, 3.5), (8, 4.125), (8, 3.875))),
    ("P06", 1): (8, 2, 0, ((7, 3.429), (8, 2.875), (8, 3.75), (7, 3.143))),
    ("P06", 2): (8, 3, 2, ((8, 4.375), (7, 3.429), (8, 4.5), (7, 4.0))),
    ("P06", 3): (8, 1, 4, ((7, 4.143), (8, 4.125), (8, 3.875), (7, 4.143))),
}


def _assert_demo_figures_unchanged(store: Store) -> None:
    for pilot, (per_loop, satisfaction, (total, done, still_open, dropped)) in DEMO_PILOT.items():
        kf = rd.pilot_report(store, pilot).key_figures
        assert kf["participants_by_loop"] == per_loop, pilot
        assert kf["loop_satisfaction"] == pytest.approx(satisfaction, abs=5e-4), pilot
        assert kf["action_items"] == {
            "total": total,
            "done": done,
            "open": still_open,
            "dropped": dropped,
        }, pilot
    for (pilot, loop), (people, decisions, carried, phases) in DEMO_PROTOCOL.items():
        kf = rd.loop_protocol(store, pilot, loop).key_figures
        assert (kf["n_participants"], kf["decisions"], kf["carried_over"]) == (
            people,
            decisions,
            carried,
        ), (pilot, loop)
        got = [(p["n"], p["mean_rating"]) for p in kf["phases"].values()]
        assert [n for n, _ in got] == [n for n, _ in phases], (pilot, loop)
        assert [m for _, m in got] == pytest.approx([m for _, m in phases], abs=5e-4)


def test_demo_report_loop_figures_are_unchanged(demo: Store) -> None:
    assert demo.loop_closings().empty  # the demo network has no closed loops
    _assert_demo_figures_unchanged(demo)


def test_demo_loops_closed_with_their_figures_give_the_same_reports(demo: Store) -> None:
    for pilot in DEMO_PILOT:
        for row in rd.loop_figures(demo, pilot, stored=False).to_dict("records"):
            demo.close_loop(pilot, int(row["loop"]), row)
    assert len(demo.loop_closings()) == len(DEMO_PROTOCOL)
    _assert_demo_figures_unchanged(demo)
    pilot = rd.pilot_report(demo, "P01")
    assert set(pilot.key_figures["loops_closed"]) == {"1", "2", "3"}
    table, caption = pilot.sections["loops"].tables[-1]
    assert "Abgeschlossene Schleifen" in caption
    assert table.iloc[:, 2].tolist() == [11, 10, 10]  # participants at closing


def test_reports_read_the_stored_figures_of_a_closed_loop(demo: Store) -> None:
    # e.g. a participant erased after the loop was closed: the protocol keeps the figures
    # stored at closing; so does the pilot report's participation per loop
    demo.close_loop(
        "P01",
        2,
        {
            "participants": 42,
            "responses": 99,
            "items_new": 7,
            "items_carried_in": 5,
            "loop_satisfaction_n": 3,
            "loop_satisfaction_mean": 4.5,
        },
        dots=[("Kommunikation", 6)],
        closed_at="2025-06-30T16:00:00",
    )
    protocol = rd.loop_protocol(demo, "P01", 2, "en")
    kf = protocol.key_figures
    assert (kf["n_participants"], kf["decisions"], kf["carried_over"]) == (42, 7, 5)
    assert kf["phases"]["optimierung"] == {"n": 3, "mean_rating": 4.5}
    assert kf["phases"]["information"]["n"] == 9  # not stored at closing: computed
    assert kf["dots"] == {"Kommunikation": 6}
    assert kf["closed_at"].startswith("2025-06-30T16:00")
    # 16:00 UTC is 18:00 in Berlin (summer time): local time, with its zone
    assert "closed the loop on 2025-06-30 18:00 CEST" in protocol.summary
    assert "42 people took part in loop 2" in protocol.summary
    dots, caption = protocol.sections["votes"].tables[-1]
    assert caption == "The moderator's dot vote"
    assert dots.to_dict("records") == [{"Group": "Kommunikation", "Dots": 6}]
    pilot = rd.pilot_report(demo, "P01").key_figures
    assert pilot["participants_by_loop"] == {"1": 11, "2": 42, "3": 10}
    assert pilot["loops_closed"] == {"2": "2025-06-30T16:00:00+00:00"}
    assert rd.loop_protocol(demo, "P01", 1).key_figures["n_participants"] == 11  # still open


# ------------------------------------------------------------------ the protocol
def _written_report(kind: str, params: dict[str, Any], out_dir: Path, body: str) -> ReportResult:
    """What run_report returns, with an HTML file written (instead of a real kernel run)."""
    page = Path(out_dir) / f"protocol_{params['pilot_id']}_loop{params['loop']}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return ReportResult(job=ReportJob(kind, params), name=page.stem, ok=True, html=page)


def _summary(store: Store) -> LoopSummary:
    return close_loop(store, "P01", 1, new_items=[{"what": "Feedbackrunde", "who": "QM"}])


def test_make_protocol_falls_back_to_the_printable_summary(store: Store) -> None:
    summary = _summary(store)
    result = make_protocol(store, summary, "en")  # in-memory: no report kernel can read it
    assert not result.ok
    assert "in-memory SQLite database" in result.error
    assert result.path is None
    assert "Feedbackrunde" in result.page
    assert "Protocol of reflection loop 1" in result.page
    assert "New action items" in result.page


def test_make_protocol_runs_the_loop_protocol_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.add_pilot("P01", "Pilot")
    summary = _summary(store)
    calls: list[tuple[str, dict[str, Any], Path]] = []

    def fake_run_report(
        kind: str, params: dict[str, Any], out_dir: Path, **kwargs: Any
    ) -> ReportResult:
        calls.append((kind, params, Path(out_dir)))
        return _written_report(kind, params, out_dir, "the report")

    monkeypatch.setattr("transferkit.reports.run_report", fake_run_report)
    monkeypatch.delenv("TRANSFERKIT_REPORTS", raising=False)
    result = make_protocol(store, summary, "de")
    assert result.ok, result.error
    assert result.page == "<html><body>the report</body></html>"
    assert result.path == tmp_path / "reports" / "protocol_P01_loop1.html"  # beside the store
    kind, params, out = calls[0]
    assert kind == "protocol"
    assert out == tmp_path / "reports"
    assert params == {
        "db": f"sqlite:///{tmp_path / 'store.db'}",
        "lang": "de",
        "pilot_id": "P01",
        "loop": 1,
    }
    monkeypatch.setenv("TRANSFERKIT_REPORTS", str(tmp_path / "elsewhere"))
    assert protocol_dir(store) == tmp_path / "elsewhere"

    def broken(*args: Any, **kwargs: Any) -> ReportResult:
        raise ReportError("Report protocol_P01_loop1 (protocol, cell In [2]): KeyError: 'x'")

    monkeypatch.setattr("transferkit.reports.run_report", broken)
    result = make_protocol(store, summary, "de")
    assert not result.ok
    assert "cell In [2]" in result.error
    assert "Protokoll Reflexionsschleife 1" in result.page


def _screen(store: Store) -> Any:
    screen = reflection_loop_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    return screen


def test_screen_shows_progress_then_the_report_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.add_pilot("P01", "Pilot")
    go = threading.Event()
    runs: list[int] = []

    def slow_report(
        kind: str, params: dict[str, Any], out_dir: Path, **kwargs: Any
    ) -> ReportResult:
        runs.append(params["loop"])
        assert go.wait(20)
        return _written_report(kind, params, out_dir, "Bericht")

    monkeypatch.setattr("transferkit.reports.run_report", slow_report)
    screen = _screen(store)
    screen.new_items.children[0].children[0].value = "Retro einführen"
    screen.close()
    assert store.loop_closings("P01")["loop"].tolist() == [1]  # stored before the report runs
    assert "Das Protokoll wird erstellt" in screen.protocol.value
    assert "tk-protocol-status" in screen.protocol.value
    assert screen.close_button.disabled
    screen.close()  # a second click while it runs does nothing
    assert [i.children[0].value for i in screen.new_items.children] == [""]  # rows emptied
    go.set()
    result = screen.wait_protocol(20)
    assert result is not None
    assert result.ok
    assert runs == [1]
    assert "tk-protocol-link" in screen.protocol.value
    assert "Protokoll herunterladen" in screen.protocol.value
    assert str(tmp_path / "reports" / "protocol_P01_loop1.html") in screen.protocol.value
    assert not screen.close_button.disabled
    assert store.action_items("P01")["what"].tolist() == ["Retro einführen"]  # added once


def test_screen_explains_a_failed_report_in_english_and_shows_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.add_pilot("P01", "Pilot")

    def broken(*args: Any, **kwargs: Any) -> ReportResult:
        raise ReportError("Report protocol_P01_loop1: kernel died")

    monkeypatch.setattr("transferkit.reports.run_report", broken)
    screen = reflection_loop_app("pilot=P01&loop=1&lang=en", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    screen.new_items.children[0].children[0].value = "Plan a retro"
    screen.close()
    screen.wait_protocol(20)
    shown = screen.protocol.value
    assert "The protocol report could not be generated" in shown
    assert "key figures are stored" in shown
    assert "kernel died" in shown
    assert "Download the summary (HTML, printable)" in shown
    assert "Plan a retro" in shown
    assert store.loop_closings("P01")["loop"].tolist() == [1]


def test_closing_a_closed_loop_asks_first_and_cancel_keeps_the_earlier_closing(
    store: Store,
) -> None:
    when = dt.datetime(2025, 5, 2, 14, 30, tzinfo=dt.UTC)
    close_loop(store, "P01", 1, new_items=[{"what": "Feedbackrunde"}])
    store.close_loop(
        "P01", 1, {"participants": 7}, closed_at=when
    )  # the earlier closing, as stored
    before = store.loop_closings("P01")
    screen = _screen(store)
    assert screen.confirm_box.layout.display == "none"
    screen.new_items.children[0].children[0].value = "Retro einführen"
    screen.close_button.click()
    # nothing is closed yet: the screen asks
    assert screen.protocol_job is None
    assert screen.confirm_box.layout.display != "none"
    asked = screen.confirm_text.value
    assert "bereits am 02.05.2025 16:30 CEST abgeschlossen (Fassung 2)" in asked  # Berlin time
    assert "frühere Fassung bleibt erhalten" in asked
    assert "Fassung 3" in asked
    assert screen.overwrite_button.description == "Neue Fassung abschließen"
    assert screen.cancel_button.description == "Abbrechen"
    pd.testing.assert_frame_equal(store.loop_closings("P01"), before)
    assert store.action_items("P01")["what"].tolist() == ["Feedbackrunde"]
    # cancel: the earlier closing stays, the typed item is kept for later
    screen.cancel_button.click()
    assert screen.confirm_box.layout.display == "none"
    assert "bleibt" in screen.close_note.value
    pd.testing.assert_frame_equal(store.loop_closings("P01"), before)
    assert store.action_items("P01")["what"].tolist() == ["Feedbackrunde"]
    assert screen.new_items.children[0].children[0].value == "Retro einführen"
    # asked again, and this time overwritten
    screen.close_button.click()
    assert screen.confirm_box.layout.display != "none"
    screen.overwrite_button.click()
    assert screen.confirm_box.layout.display == "none"
    screen.wait_protocol(30)
    after = store.loop_closings("P01")
    assert after["closing_id"].tolist() == before["closing_id"].tolist()  # newest, same row
    assert after.loc[0, "closed_at"] > pd.Timestamp(when)
    assert after.loc[0, "participants"] == 0
    # the earlier versions are kept, nothing overwritten silently
    kept = store.loop_closing_versions("P01")
    assert [(v["loop"], v["version"]) for v in kept] == [(1, 1), (1, 2)]
    assert kept[1]["participants"] == 7
    assert kept[1]["closed_at"].startswith("2025-05-02T14:30")
    assert store.loop_version("P01", 1) == 3
    assert screen.summary is not None
    assert screen.summary.version == 3
    assert store.action_items("P01")["what"].tolist() == ["Feedbackrunde", "Retro einführen"]
    assert "Retro einführen" in screen.protocol.value


def test_closing_twice_on_one_screen_asks_the_second_time(store: Store) -> None:
    screen = reflection_loop_app("pilot=P01&loop=2&lang=en", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    screen.close()  # not closed before: no question
    assert screen.confirm_box.layout.display == "none"
    screen.wait_protocol(30)
    first = store.loop_closings("P01")
    screen.close()
    assert screen.confirm_box.layout.display != "none"
    assert "already closed" in screen.confirm_text.value
    assert "version 1" in screen.confirm_text.value
    assert screen.overwrite_button.description == "Close as a new version"
    assert screen.cancel_button.description == "Cancel"
    screen.close(overwrite=False)  # asking again changes nothing
    pd.testing.assert_frame_equal(store.loop_closings("P01"), first)
    screen.cancel_button.click()
    assert "kept" in screen.close_note.value
    pd.testing.assert_frame_equal(store.loop_closings("P01"), first)


# ------------------------------------------------------------------ PostgreSQL
@pytest.fixture
def pg_url() -> Any:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pg import temporary_database

    with temporary_database("transferkit_loops") as url:
        yield url


@pytest.mark.postgres
def test_postgres_creates_the_table_and_closes_a_loop_once(pg_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import inspect

    with Store(pg_url) as store:
        assert inspect(store.engine).has_table("loop_closings")
        assert store.info()["schema_version"] == SCHEMA_VERSION
        store.add_pilot("P01", "Pilot")
    stores = [Store(pg_url) for _ in range(4)]
    try:

        def close(i: int) -> int:
            return stores[i].close_loop(
                "P01",
                2,
                {"participants": i + 1, "sat_n": 1, "sat_mean": 4.0},
                dots=[("Gruppe ä", 2)],
            )

        with ThreadPoolExecutor(4) as pool:  # four moderators' kernels close the same loop
            ids = list(pool.map(close, range(4)))
        assert len(set(ids)) == 1
        closings = stores[0].loop_closings()
        assert len(closings) == 1
        assert closings.loc[0, "participants"] in {1, 2, 3, 4}
        assert closings.loc[0, "sat_mean"] == pytest.approx(4.0)
        assert closings.loc[0, "dots"] == [{"group": "Gruppe ä", "dots": 2}]
    finally:
        for s in stores:
            s.close()


@pytest.mark.postgres
def test_postgres_database_with_tk_loop_closings_is_migrated(pg_url: str) -> None:
    with Store(pg_url) as store:
        store.add_pilot("P01", "Pilot")
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE loop_closings"))
            conn.execute(text("UPDATE schema_version SET version = 1"))
            conn.execute(
                text(
                    "CREATE TABLE tk_loop_closings (id SERIAL PRIMARY KEY, pilot "
                    "VARCHAR(100) NOT NULL, loop INTEGER NOT NULL, closed_at TIMESTAMP "
                    "NOT NULL, summary TEXT NOT NULL)"
                )
            )
            summary = {
                "indicators": {
                    "participants": 6,
                    "loop_satisfaction_mean": 3.5,
                    "loop_satisfaction_n": 6,
                },
                "board": {},
            }
            conn.execute(
                text(
                    "INSERT INTO tk_loop_closings (pilot, loop, closed_at, summary) "
                    "VALUES ('P01', 1, '2025-02-03 04:05:06', :s)"
                ),
                {"s": json.dumps(summary)},
            )
    with Store(pg_url) as store:
        assert store.info()["schema_version"] == SCHEMA_VERSION
        row = store.loop_closings().iloc[0]
        assert (row["loop"], row["participants"]) == (1, 6)
        assert row["loop_satisfaction_mean"] == pytest.approx(3.5)
        assert row["closed_at"] == pd.Timestamp("2025-02-03 04:05:06", tz="UTC")
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('tk_loop_closings')")).scalar() is None
