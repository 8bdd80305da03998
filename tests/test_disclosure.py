"""Small-group protection that subtraction cannot undo (issue 14, item 4).

The attack: an attacker holds every shown cell and every published margin (the totals)
and tries every subtraction: each margin minus every combination of its shown cells,
and each difference of two margins minus every combination of shown cells. If one such
subtraction leaves exactly one hidden cell, that cell is recovered. Before complementary
suppression the demo network's micro companies were 60 − 37 − 15 = 8.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from transferkit.datasets import import_demo
from transferkit.disclosure import disclosure_intervals, recoverable, suppress
from transferkit.reports import content as rd
from transferkit.reports.content.network import MIN_GROUP, participation_hidden
from transferkit.store import Store


def subtraction_attack(
    values: Sequence[float], hidden: Sequence[bool], margins: Sequence[Sequence[int]]
) -> dict[int, float]:
    """Every subtraction of shown cells from a margin, or from a margin minus another
    margin it contains: the hidden cells left alone by one, with the value it gives."""
    shown = {i for i, h in enumerate(hidden) if not h}
    found: dict[int, float] = {}
    sets = [(set(m), sum(values[c] for c in m)) for m in margins]
    # a margin, or a margin minus a margin inside it (a sub-total)
    wholes = list(sets)
    for (a, total_a), (b, total_b) in itertools.permutations(sets, 2):
        if b < a:
            wholes.append((a - b, total_a - total_b))
    for cells, total in wholes:
        inside = sorted(cells & shown)
        for size in range(len(inside) + 1):
            for taken in itertools.combinations(inside, size):
                rest = cells - set(taken)
                if len(rest) == 1:
                    (cell,) = rest
                    if hidden[cell]:
                        found[cell] = total - sum(values[c] for c in taken)
    return found


def demo_participation_values(table: pd.DataFrame) -> tuple[list[float], list[list[int]]]:
    kind = table["key"].str.split(":", n=1).str[0]
    margins = [
        [i for i in range(len(table)) if kind.iloc[i] == column]
        for column in ("size_class", "sector")
    ]
    return table["participants"].astype(float).tolist(), margins


@pytest.fixture(scope="module")
def demo_table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The network report's participation table of the demo network, before hiding."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('disclosure') / 'demo.db'}")
    import_demo(store)
    people = store.participants()
    companies = store.companies()
    per_company = people.groupby("company_id").size()
    comp = companies.assign(participants=companies["company_id"].map(per_company).fillna(0))
    rows = []
    for column in ("size_class", "sector"):
        for value, group in comp.groupby(column):
            rows.append(
                {
                    "key": f"{column}:{value}",
                    "companies": len(group),
                    "participants": int(group["participants"].sum()),
                }
            )
    roles = comp.assign(role=comp["roles"].str.split(";")).explode("role")
    for value, group in roles.groupby("role"):
        rows.append(
            {
                "key": f"role:{value}",
                "companies": len(group),
                "participants": int(group["participants"].sum()),
            }
        )
    return pd.DataFrame(rows)


def test_hiding_small_groups_alone_is_undone_by_subtraction(demo_table: pd.DataFrame) -> None:
    """The attack, against the old rule (hide groups of fewer than MIN_GROUP companies)."""
    values, margins = demo_participation_values(demo_table)
    primary = (demo_table["companies"] < MIN_GROUP).tolist()
    found = subtraction_attack(values, primary, margins)
    micro = demo_table.index[demo_table["key"] == "size_class:micro"][0]
    assert found[micro] == values[micro] == 8  # 60 − 37 − 15
    assert recoverable(values, primary, margins) == [micro]


def test_complementary_suppression_leaves_no_subtraction(demo_table: pd.DataFrame) -> None:
    values, margins = demo_participation_values(demo_table)
    hidden = participation_hidden(demo_table)
    primary = demo_table["companies"] < MIN_GROUP
    assert (hidden | ~primary).all()  # every small group is hidden ...
    assert hidden.sum() > primary.sum()  # ... and at least one more
    assert subtraction_attack(values, hidden.tolist(), margins) == {}
    audit = disclosure_intervals(values, hidden.tolist(), margins)
    assert not audit["exact"].any()
    assert (audit["high"] > audit["low"]).all()


def test_every_subtraction_on_random_tables_recovers_nothing() -> None:
    """Two-way tables with row, column and grand totals: after suppress(), neither the
    brute-force attack nor the linear-programming audit pins a hidden cell."""
    rng = np.random.default_rng(14)
    for _ in range(40):
        n_rows, n_cols = rng.integers(2, 4), rng.integers(2, 4)
        grid = rng.integers(0, 12, size=(n_rows, n_cols)).astype(float)
        cells = grid.ravel().tolist()
        index = np.arange(grid.size).reshape(grid.shape)
        margins = [index[r].tolist() for r in range(n_rows)]
        margins += [index[:, c].tolist() for c in range(n_cols)]
        margins.append(index.ravel().tolist())
        primary = [0 < v < 3 for v in cells]
        try:
            hidden = suppress(cells, primary, margins)
        except ValueError:
            continue  # a margin of 0 cannot be protected by hiding cells (documented)
        assert all(hidden[i] for i, p in enumerate(primary) if p)
        assert subtraction_attack(cells, hidden.tolist(), margins) == {}
        assert recoverable(cells, hidden, margins) == []


def test_a_hidden_cell_pinned_by_zero_is_found_by_the_audit() -> None:
    """Two hidden cells whose sum is published as 0 are both 0: not protected."""
    values = [0, 0, 9]
    assert recoverable(values, [True, True, False], [[0, 1, 2]]) == [0, 1]
    hidden = suppress(values, [True, False, False], [[0, 1, 2]])
    assert hidden.tolist() == [True, True, True]
    assert recoverable(values, hidden, [[0, 1, 2]]) == []


def test_a_margin_that_is_one_hidden_cell_raises_or_is_hidden_on_request() -> None:
    """Two small companies, both micro: the size table's one cell is the network total."""
    with pytest.raises(ValueError, match="do not publish these margins"):
        suppress([12], [True], [[0]])
    assert suppress([12], [True], [[0]], unprotectable="hide").tolist() == [True]
    # the other cells are still protected as far as they can be
    hidden = suppress([12, 5, 30], [True, True, False], [[0], [1, 2]], unprotectable="hide")
    assert hidden.tolist() == [True, True, True]
    assert recoverable([12, 5, 30], hidden, [[0], [1, 2]]) == [0]


def test_bad_margins_are_named() -> None:
    with pytest.raises(ValueError, match="a margin lists cells 0 … 2 once each"):
        suppress([1, 2, 3], [True, False, False], [[0, 5]])
    with pytest.raises(ValueError, match="non-negative"):
        suppress([1, -2, 3], [True, False, False], [[0, 1, 2]])


def test_the_network_report_and_its_key_figures_hide_the_same_cells(
    demo_table: pd.DataFrame, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    import_demo(store)
    report = rd.network_report(store, "", "en")
    table, caption = report.sections["participation"].tables[0]
    shown = table["Participants"].tolist()
    hidden = participation_hidden(demo_table)
    assert [v == "–" for v in shown] == hidden.tolist()
    figures = json.loads(json.dumps(report.key_figures))["participation"]
    for key, is_hidden in zip(demo_table["key"], hidden, strict=True):
        assert (figures[key] == "–") == is_hidden, key
    assert "worked out" in caption
