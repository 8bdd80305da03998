"""One converter from responses to tidy tables (``transferkit.datasets.tidy``), one set of types.

The demo generator and the reports (``reports.content``, reading a store) both use it, so
a table has the same columns and dtypes for both; and the demo round trip (generate →
store → tidy) gives back the generator's own tables, which are also what
``read_dataset`` reads from the shipped CSV files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from transferkit.datasets import CATALOGUE, import_demo, load_demo, read_dataset, tidy
from transferkit.datasets.generate import generate
from transferkit.reports import content as rd
from transferkit.store import Store

#: Tidy table -> how the reports read it from a store.
REPORT_READERS = {
    "self_assessment": rd.self_assessment,
    "gas_goals": rd.gas_goals,
    "training_feedback": rd.training_feedback,
    "loop_ratings": rd.loop_ratings,
    "needs": rd.needs,
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("tidy") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        import_demo(store)
        yield store


@pytest.fixture(scope="module")
def generated() -> dict[str, pd.DataFrame]:
    return generate().tables


@pytest.mark.parametrize("name", sorted(REPORT_READERS))
def test_reports_and_generator_get_the_same_table(
    name: str, demo_store: Store, generated: dict[str, pd.DataFrame]
) -> None:
    """Round trip: generated demo → store → the reports' tidy table equals the generator's."""
    from_store = REPORT_READERS[name](demo_store)
    assert list(from_store.columns) == [c.name for c in CATALOGUE[name].columns]
    assert from_store.dtypes.to_dict() == generated[name].dtypes.to_dict()
    pd.testing.assert_frame_equal(from_store, generated[name])


@pytest.mark.parametrize("name", sorted({*REPORT_READERS, "needs_profile", "action_items"}))
def test_generator_tables_are_what_read_dataset_reads(
    name: str, generated: dict[str, pd.DataFrame]
) -> None:
    pd.testing.assert_frame_equal(generated[name], read_dataset(name))


def test_empty_store_gives_empty_tables_with_the_same_columns_and_types(
    tmp_path: Path, generated: dict[str, pd.DataFrame]
) -> None:
    with Store(f"sqlite:///{tmp_path / 'empty.db'}") as store:
        for name, reader in REPORT_READERS.items():
            empty = reader(store)
            assert empty.empty, name
            assert list(empty.columns) == list(generated[name].columns), name
            numbers = [c.name for c in CATALOGUE[name].columns if c.kind in ("number", "integer")]
            for column in numbers:  # numeric even when empty: scale scores need them
                assert pd.api.types.is_numeric_dtype(empty[column]), (name, column)


def test_missing_or_fractional_values_keep_an_integer_column_float() -> None:
    """Data from a store may lack a whole number (an optional item, a weight of 1.5)."""
    frame = tidy.responses_frame(
        [
            {
                "template": "pilot_goals",
                "pilot": "X1",
                "participant": "AB12CD",
                "answers": {
                    "goals": [
                        {"goal": "a", "weight": 1.5, "baseline": -1},
                        {"goal": "b", "baseline": -2, "follow_up": 1},
                    ]
                },
            },
        ]
    )
    goals = tidy.gas_goals(frame)
    assert goals["weight"].tolist() == [1.5, 1.0]
    assert goals["weight"].dtype == "float64"
    assert goals["baseline"].dtype == "int64"
    assert goals["follow_up"].dtype == "float64"
    assert pd.isna(goals["follow_up"].iloc[0])


def test_responses_frame_is_shaped_like_the_store(demo_store: Store) -> None:
    frame = tidy.responses_frame(load_demo().responses)
    stored = demo_store.responses()
    assert list(frame.columns[: len(tidy.RESPONSE_COLUMNS)]) == list(tidy.RESPONSE_COLUMNS)
    assert set(frame.columns) <= set(stored.columns)
    assert len(frame) == len(stored)
