"""Reports of a pilot that has only begun: no companies registered, only pre answers.

A real network report is asked for long before every pilot has post answers, and a
researcher's first store may have no companies at all; the report says what is missing
instead of failing (found by hand, 2026-12-02: ``prepost`` raised for pre-only pilots,
the participation table raised ``KeyError: 'key'`` with no companies).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transferkit.reports import content as rd
from transferkit.reports import run_report
from transferkit.store import Store
from transferkit.templates import load_template

CODES = ("AB12CD", "XY34ZZ", "QQ56RT")


def _store(path: Path, times: tuple[str, ...]) -> Store:
    store = Store(f"sqlite:///{path}")
    store.add_pilot("P01", "Pilot eins", loops=2)
    store.add_pilot("P02", "Pilot zwei", loops=2)
    template = load_template("competence_self_assessment")
    for k, code in enumerate(CODES):
        for time in times:
            answers = template.example_answers(seed=k + (10 if time == "post" else 0))
            answers["measurement"] = time
            store.submit(template, answers, participant=code, pilot="P01")
    return store


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_network_of_pilots_with_only_pre_answers_and_no_companies(
    tmp_path: Path, lang: str
) -> None:
    store = _store(tmp_path / "pre.db", ("pre",))
    report = rd.network_report(store, "", lang)
    assert "effects" not in report.key_figures
    effects = report.sections["effects"]
    assert not effects.figures
    assert effects.empty  # the section says there is nothing to compare yet
    participation = report.sections["participation"]
    assert not participation.tables  # no companies: no breakdown, and a line that says so
    assert participation.empty


def test_pilots_without_post_answers_are_left_out_of_the_comparison(tmp_path: Path) -> None:
    store = _store(tmp_path / "both.db", ("pre", "post"))
    template = load_template("competence_self_assessment")
    answers = template.example_answers(seed=3)
    answers["measurement"] = "pre"
    store.submit(template, answers, participant="ZZ99YY", pilot="P02")  # P02 has only begun
    report = rd.network_report(store, "", "de")
    effects = report.key_figures["effects"]
    assert isinstance(effects, dict)
    assert set(effects) == {"P01"}
    assert effects["P01"]["digital"]["n"] == len(CODES)  # type: ignore[index]


def test_the_network_report_notebook_runs_on_a_pilot_that_has_only_begun(tmp_path: Path) -> None:
    store = _store(tmp_path / "nb.db", ("pre",))
    store.close()
    result = run_report("network", {"db": f"sqlite:///{tmp_path / 'nb.db'}"}, tmp_path / "out")
    assert result.ok, result.error
    assert result.html is not None
    assert result.html.is_file()
