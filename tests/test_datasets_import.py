"""import_demo: the demo network in a store, idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from transferkit.datasets import import_demo, load_demo
from transferkit.store import Store


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, int]]]:
    path: Path = tmp_path_factory.mktemp("demo-store") / "demo.db"
    store = Store(f"sqlite:///{path}")
    counts = import_demo(store)
    yield store, counts
    store.close()


def test_counts_match_the_demo(imported: tuple[Store, dict[str, int]]) -> None:
    store, counts = imported
    demo = load_demo()
    assert counts == {
        "networks": 1,
        "companies": len(demo.companies),
        "pilots": len(demo.pilots),
        "participants": len(demo.participants),
        "responses": len(demo.responses),
        "action_items": len(demo.action_items),
        "costs": len(demo.costs),
        "benefits": len(demo.benefits),
        "indicators": len(demo.indicators),
        "format_plans": len(demo.format_plan),
    }
    # the demo has no closed loops: they come from moderator screens
    assert store.info()["counts"] == {**counts, "loop_closings": 0}
    assert min(counts.values()) > 0  # every kind of row was imported


def test_reimport_is_idempotent(imported: tuple[Store, dict[str, int]]) -> None:
    store, counts = imported
    assert import_demo(store) == counts
    assert store.info()["counts"] == {**counts, "loop_closings": 0}


def test_store_reproduces_the_tidy_data(imported: tuple[Store, dict[str, int]]) -> None:
    store, _ = imported
    demo = load_demo()
    stored = store.responses(template="competence_self_assessment")
    stored = stored.rename(columns={"pilot": "pilot_id", "measurement": "time"})
    key = ["participant", "time"]
    left = stored.set_index(key).sort_index()
    right = demo.self_assessment.set_index(key).sort_index()
    assert np.array_equal(left["dig_1"].to_numpy(float), right["dig_1"].to_numpy(float))
    assert (left["pilot_id"] == right["pilot_id"]).all()
    items = store.action_items().sort_values("item_id")
    assert items["status"].tolist() == demo.action_items["status"].tolist()
    assert items["loop_closed"].isna().tolist() == demo.action_items["loop_closed"].isna().tolist()
    companies = store.companies().set_index("company_id")
    assert companies.loc["C01", "roles"] == "organiser;sender;best_practice"
    pilots = store.pilots()
    assert len(pilots) == 6


def test_the_demo_pilots_get_the_demo_hourly_rate(imported: tuple[Store, dict[str, int]]) -> None:
    from transferkit.datasets.spec import HOURLY_RATE_EUR

    pilots = imported[0].pilots()
    assert HOURLY_RATE_EUR == 48
    assert (pilots["hourly_rate"] == HOURLY_RATE_EUR).all()
    assert (pilots["currency"] == "EUR").all()


def test_the_demo_topics_are_the_needs_templates() -> None:
    from transferkit.datasets.generate import TOPICS
    from transferkit.reports.content.data import needs_topics

    assert needs_topics("needs_analysis") == TOPICS
    assert list(needs_topics("needs_analysis")) == list(TOPICS)
