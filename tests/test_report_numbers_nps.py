"""NPS and percentages as published (issue 14, item 2): "+43", "42,9 %" / "42.9%"."""

from __future__ import annotations

from pathlib import Path

import pytest

from transferkit.datasets import import_demo
from transferkit.evaluation import nps
from transferkit.reports import content as rd
from transferkit.reports.content.common import _is_numeric_column
from transferkit.reports.content.numbers import format_nps, format_percent
from transferkit.store import Store


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (42.857142, "+43"),  # the benchmark printed "42,86"
        (-12.4, "-12"),
        (0.3, "0"),
        (-0.4, "0"),  # no "-0"
        (100.0, "+100"),
        (float("nan"), "–"),
    ],
)
def test_nps_is_a_signed_whole_number_in_both_languages(value: float, shown: str) -> None:
    assert format_nps(value, "de") == shown
    assert format_nps(value, "en") == shown


@pytest.mark.parametrize(
    ("value", "de", "en"),
    [
        (42.857142, "42,9\u00a0%", "42.9%"),
        (5.0, "5,0\u00a0%", "5.0%"),
        (1234.56, "1.234,6\u00a0%", "1,234.6%"),
        (None, "–", "–"),
    ],
)
def test_percent_with_one_decimal_per_locale(value: float | None, de: str, en: str) -> None:
    assert format_percent(value, "de") == de
    assert format_percent(value, "en") == en


def test_the_benchmark_shows_the_nps_as_a_signed_whole_number(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    import_demo(store)
    report = rd.network_report(store, "C03", "de")
    table = report.sections["benchmark"].tables[0][0]
    row = table[table.iloc[:, 0].str.contains("NPS")].iloc[0]
    own = report.key_figures["benchmark"]["metrics"]["nps"]["company"]
    assert row.iloc[1] == format_nps(own, "de")
    assert row.iloc[1].startswith(("+", "-"))
    assert "," not in row.iloc[1]
    # the company's NPS is nps() of its people's answers
    feedback = rd.data.training_feedback(store)
    company = feedback["participant"].map(rd.data.company_of(store))
    assert own == pytest.approx(float(nps(feedback.loc[company == "C03", "recommend"])["nps"]))
    assert _is_numeric_column(table.iloc[:, 1])  # right-aligned like the other numbers
