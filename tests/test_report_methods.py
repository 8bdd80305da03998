"""Every report names its methods and ends with version, date and data source (issue 14, item 1)."""

from __future__ import annotations

import datetime as dt
from importlib import metadata

import pytest

from transferkit.datasets import import_demo
from transferkit.reports import content as rd
from transferkit.reports.content.methods import data_source, footer_text, methods_section
from transferkit.store import Store


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store("sqlite://")
    import_demo(store)
    return store


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_pilot_report_names_its_tests_formulas_and_n(store: Store, lang: str) -> None:
    report = rd.pilot_report(store, "P01", lang)
    methods = report.sections["methods"]
    words = " ".join(methods.items)
    for named in (
        "d_av",
        "Lakens 2013",
        "Wilcoxon",
        "Jacobson & Truax",
        "Kiresuk & Sherman",
        "ρ = 0",
        "Phillips",
        "Borich 1980",
    ):
        assert named in words, named
    effects = report.key_figures["effects"]
    for scale, figures in effects.items():
        assert f": {figures['n']}" in words  # N per analysis, from the same numbers as the table
        assert scale  # every scale of the table has its count
    assert f"transferkit {metadata.version('transferkit')}" in words
    assert f"pandas {metadata.version('pandas')}" in words


def test_each_report_has_its_own_methods(store: Store) -> None:
    needs = rd.needs_report(store, "C03", "en").sections["methods"]
    assert any(
        "MWDS = mean over respondents of (importanceᵢ − competenceᵢ) × mean importance" in item
        for item in needs.items
    )
    assert not any("Jacobson" in item for item in needs.items)  # no RCI in a needs report
    network = rd.network_report(store, None, "de").sections["methods"]
    assert any("d_av" in item for item in network.items)


def test_the_footer_names_version_date_and_source(store: Store) -> None:
    footer = footer_text("de", data_source(store), dt.datetime(2026, 12, 2, 9, 30))
    assert footer == (
        f"Erstellt am 02.12.2026 mit transferkit {metadata.version('transferkit')} "
        "· Datenquelle: SQLite (in memory)"
    )
    assert "2026-12-02" in footer_text("en", "x.db", dt.datetime(2026, 12, 2))
    assert rd.pilot_report(store, "P01", "en").footer.startswith("Made on ")


def test_a_database_file_is_named_without_its_folder(tmp_path) -> None:
    with Store(f"sqlite:///{tmp_path / 'pilot.db'}") as store:
        assert data_source(store) == "pilot.db"


def test_an_unknown_kind_of_report_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown kind of report 'pilots'"):
        methods_section("pilots", "de")
