"""``transferkit report``: the click layer over the report pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from transferkit.cli.report import report
from transferkit.datasets import import_demo
from transferkit.reports import BatchResult, ReportJob, ReportResult
from transferkit.store import Store


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-store') / 'demo.db'}"
    import_demo(Store(url))
    return url


def test_protocol_writes_the_report_and_prints_its_path(url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        report,
        ["protocol", "P02", "--loop", "3", "--lang", "en", "--db", url, "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    html = tmp_path / "protocol_P02_loop3_en.html"
    assert str(html) in result.output
    assert "Protocol of reflection loop 3" in html.read_text(encoding="utf-8")


def test_all_exits_non_zero_when_a_report_failed_and_still_writes_the_index(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transferkit.reports import runner

    seen: list[ReportJob] = []

    def fake_batch(
        jobs: list[ReportJob], out_dir: Any, workers: Any = None, **kwargs: Any
    ) -> BatchResult:
        seen.extend(jobs)
        ok = ReportResult(
            jobs[0],
            "pilot_P01",
            ok=True,
            html=Path(out_dir) / "pilot_P01.html",
            key_figures={"title": "Pilotprojekt P01"},
        )
        bad = ReportResult(
            jobs[1], "pilot_P02", ok=False, cell=4, error="pilot_report.ipynb: KeyError: 'x'"
        )
        return BatchResult([ok, bad], 1.0)

    monkeypatch.setattr(runner, "run_batch", fake_batch)
    result = CliRunner().invoke(
        report, ["all", "--db", url, "--out", str(tmp_path), "--workers", "2"]
    )
    assert result.exit_code == 1
    assert "pilot_P02 (pilot, cell In [4]): pilot_report.ipynb: KeyError: 'x'" in result.output
    assert "1 of 2 reports made" in result.output
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="pilot_P01.html"' in index
    assert "Pilotprojekt P01" in index
    assert len(seen) == 6 + 1 + 1 + 12  # pilots, network, network needs, each company's needs


def test_pilot_needs_an_id() -> None:
    result = CliRunner().invoke(report, ["pilot"])
    assert result.exit_code == 2
    assert "Missing argument 'PILOT_IDS...'" in result.output
