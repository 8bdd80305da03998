"""The needs report states its ranking rule and shows the score it ranks by (issue 14,
items 3 and 7): a gap of 0.93 may rank above 1.05, and the reader sees why."""

from __future__ import annotations

import pytest

from transferkit.datasets import import_demo, read_dataset
from transferkit.evaluation import needs_priorities
from transferkit.reports import content as rd
from transferkit.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('needs') / 'demo.db'}")
    import_demo(s)
    return s


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_priority_table_shows_the_mwds_it_ranks_by(store: Store, lang: str) -> None:
    report = rd.needs_report(store, "", lang)
    section = report.sections["priorities"]
    table = section.tables[0][0]
    priority = table[f"{'Priorität' if lang == 'de' else 'Priority'} (MWDS)"].tolist()
    assert priority == sorted(priority, reverse=True)  # the order is the score's order
    expected = needs_priorities(read_dataset("needs"), by=None).sort_values("rank")
    assert priority == pytest.approx(expected["priority"].head(len(priority)).tolist())
    gaps = table.iloc[:, 4].tolist()
    assert gaps != sorted(gaps, reverse=True)  # the demo: a smaller gap ranks higher ...
    assert "Borich" in section.text  # ... and the text says why
    assert ("größeren Lücke" if lang == "de" else "larger gap") in section.text
    caption = report.sections["portfolio"].figures[0][1]
    assert ("Skalenmittelpunkt 3" if lang == "de" else "scale midpoint 3") in caption
