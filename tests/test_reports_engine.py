"""The report engine: children forked from warm workers instead of a kernel per report.

Each report must stay as independent as with its own kernel, produce the notebook
papermill would, name a failing cell, survive a dying or hanging report, and a
wrong id must be refused before any worker, child or kernel exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from transferkit.exceptions import ParameterError
from transferkit.reports import ReportJob, run_batch, run_report, runner
from transferkit.reports import engine as report_engine

NOTEBOOKS = Path(__file__).parent / "notebooks"
PROBE = str(NOTEBOOKS / "probe.ipynb")
TRIVIAL = str(NOTEBOOKS / "trivial.ipynb")
fork_only = pytest.mark.skipif(
    not report_engine.fork_available(), reason="the fork engine needs POSIX fork (Linux)"
)
# what a kernel, a worker or the export would load; none of it may load to refuse an id
HEAVY = (
    "papermill",
    "nbformat",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "zmq",
    "IPython",
    "ipykernel",
    "matplotlib",
    "scipy",
    "pandas",  # the ids are read without it (Store.pilot_ids, Store.company_ids)
    "tornado",  # the CLI imports a command group only when it is used (cli.LazyGroup)
    "jinja2",  # reports.write_index is imported on first use
)


def figures(out: Path, name: str) -> dict[str, Any]:
    document = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    found: dict[str, Any] = document["key_figures"]
    return found


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from transferkit.datasets import import_demo
    from transferkit.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('engine-store') / 'demo.db'}"
    import_demo(Store(url))
    return url


# ------------------------------------------------------------------ independence
def test_a_name_set_by_one_report_is_not_visible_in_the_next_of_the_same_worker(
    tmp_path: Path,
) -> None:
    jobs = [
        ReportJob(PROBE, {"define": "tk_leak"}, name="first"),
        ReportJob(PROBE, {"look": "tk_leak"}, name="second"),
        # the probe can see: within one report the name is there
        ReportJob(PROBE, {"define": "tk_leak", "look": "tk_leak"}, name="itself"),
    ]
    batch = run_batch(jobs, tmp_path, workers=1, progress=False)
    assert batch.ok, batch.summary()
    first, second, itself = (figures(tmp_path, n) for n in ("first", "second", "itself"))
    assert itself["seen_name"]
    assert itself["seen_module"]
    assert itself["seen_env"]
    assert not second["seen_name"]  # not in the notebook's namespace
    assert not second["seen_module"]  # nor as module state (import transferkit; transferkit.x)
    assert not second["seen_env"]  # nor in the environment
    assert first["parent"] == second["parent"]  # one worker ran both ...
    assert first["pid"] != second["pid"]  # ... each in a process of its own


def test_reports_made_one_after_the_other_are_independent(tmp_path: Path) -> None:
    run_report(PROBE, {"define": "tk_leak_2"}, tmp_path, name="a")
    run_report(PROBE, {"look": "tk_leak_2"}, tmp_path, name="b")
    seen = figures(tmp_path, "b")
    assert not seen["seen_name"]
    assert not seen["seen_module"]
    assert not seen["seen_env"]
    assert not hasattr(__import__("transferkit"), "tk_leak_2")  # nor in the caller


# ------------------------------------------------------------------ what papermill would write
@fork_only
def test_the_executed_notebook_is_the_one_papermill_writes_with_a_kernel(tmp_path: Path) -> None:
    import papermill

    params = {"value": 5, "fail": False, "lang": "en", "db": ""}
    forked = papermill.execute_notebook(
        TRIVIAL,
        str(tmp_path / "forked.ipynb"),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
        engine_name=report_engine.ENGINE_NAME,
    )
    from transferkit.reports.kernel import ThisPythonKernelManager

    kernel = papermill.execute_notebook(
        TRIVIAL,
        str(tmp_path / "kernel.ipynb"),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
        kernel_manager_class=ThisPythonKernelManager,
    )
    assert [c.source for c in forked.cells] == [c.source for c in kernel.cells]
    injected = [c for c in forked.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "value = 5" in injected[0].source
    assert [c.get("execution_count") for c in forked.cells] == [
        c.get("execution_count") for c in kernel.cells
    ]

    def shape(nb: nbformat.NotebookNode) -> list[list[tuple[str, list[str]]]]:
        return [
            [(o.output_type, sorted(o.get("data", {}))) for o in c.get("outputs", [])]
            for c in nb.cells
        ]

    assert shape(forked) == shape(kernel)
    last = forked.cells[-1].outputs[0]["data"][runner.KEY_FIGURES_MIMETYPE]
    assert last == kernel.cells[-1].outputs[0]["data"][runner.KEY_FIGURES_MIMETYPE]
    assert last["nan"] is None  # NaN is cleaned as a kernel's message would be
    assert forked.metadata.papermill.parameters == kernel.metadata.papermill.parameters
    assert forked.metadata.language_info.name == "python"
    assert all(c.metadata.papermill.status == "completed" for c in forked.cells)
    on_disk = nbformat.read(tmp_path / "forked.ipynb", as_version=4)
    nbformat.validate(on_disk)
    assert shape(on_disk) == shape(forked)


@fork_only
def test_streams_and_the_last_expression_are_outputs_in_order(tmp_path: Path) -> None:
    run_report(PROBE, {"define": "shown"}, tmp_path, name="order")
    nb = nbformat.read(tmp_path / "order.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "print('stdout before a display')" in c.source)
    assert [o.output_type for o in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].name == "stdout"
    assert cell.outputs[0].text == "stdout before a display\n"
    assert cell.outputs[1].data["text/plain"] == "'shown'"
    assert cell.outputs[1].execution_count == cell.execution_count


# ------------------------------------------------------------------ failures
def test_a_failing_cell_is_named_and_the_batch_goes_on_in_the_same_worker(tmp_path: Path) -> None:
    jobs = [
        ReportJob(TRIVIAL, {"fail": True}, name="broken"),
        ReportJob(TRIVIAL, {"value": 2}, name="fine"),
    ]
    batch = run_batch(jobs, tmp_path, workers=1, progress=False)
    broken, fine = batch.results
    assert not broken.ok
    assert broken.cell == 5  # In [5]: parameters 1, injected 2, imports 3, figure 4
    line = broken.describe_failure()
    assert line.startswith("broken (")
    assert "cell In [5]" in line
    assert "RuntimeError: broken on purpose" in line
    assert 'raise RuntimeError("broken on purpose")' in line
    executed = nbformat.read(tmp_path / "broken.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["RuntimeError"]
    assert fine.ok
    assert figures(tmp_path, "fine")["square"] == 4
    assert "1 of 2 reports made" in batch.summary()


@fork_only
def test_a_report_whose_process_dies_fails_and_the_next_one_is_made(tmp_path: Path) -> None:
    jobs = [
        ReportJob(PROBE, {"die": True}, name="dies"),
        ReportJob(PROBE, {}, name="after"),
    ]
    batch = run_batch(jobs, tmp_path, workers=1, progress=False)
    dies, after = batch.results
    assert not dies.ok
    assert "ReportProcessDied" in dies.error
    assert "died in cell In [4] (exit code 3)" in dies.error
    assert after.ok, after.error


@fork_only
def test_a_cell_over_the_timeout_fails_in_that_cell(tmp_path: Path) -> None:
    jobs = [
        ReportJob(PROBE, {"sleep": 60}, name="slow"),
        ReportJob(PROBE, {}, name="quick"),
    ]
    batch = run_batch(jobs, tmp_path, workers=1, progress=False, timeout=2)
    slow, quick = batch.results
    assert not slow.ok
    assert slow.cell is not None
    assert "CellTimeout: the cell ran longer than the timeout of 2 s" in slow.error
    assert "time.sleep(sleep)" in slow.error
    assert slow.seconds < 30
    assert quick.ok


# ------------------------------------------------------------------ wrong ids
def _forbid_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker, child or kernel may start for a wrong id")

    monkeypatch.setattr(runner, "_pool", refuse)
    monkeypatch.setattr(runner, "_execute", refuse)
    monkeypatch.setattr(os, "fork", refuse)


def test_a_wrong_id_is_refused_with_a_suggestion_before_anything_starts(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_workers(monkeypatch)
    with pytest.raises(ParameterError) as info:
        run_report("pilot", {"db": demo_url, "pilot_id": "p01"}, tmp_path)
    assert "pilot 'p01' is not in the store (did you mean 'P01'?); valid: P01, P02" in str(
        info.value
    )
    batch = run_batch(
        [
            ReportJob("pilot", {"db": demo_url, "pilot_id": "P1"}),
            ReportJob("needs", {"db": demo_url, "company_id": " c03"}),
            ReportJob("pilot", {"db": demo_url, "pilot_id": "P99"}),
        ],
        tmp_path,
        progress=False,
    )
    p1, c03, p99 = (r.error for r in batch.results)
    assert "(did you mean 'P01'?)" in p1
    assert "(did you mean 'C03'?)" in c03
    assert "did you mean" not in p99  # nothing close: no guess, the valid ids follow
    assert "valid: P01, P02, P03, P04, P05, P06" in p99
    assert not list(tmp_path.iterdir())


def test_the_cli_refuses_a_wrong_id_without_loading_kernels_or_notebooks(
    demo_url: str, tmp_path: Path
) -> None:
    probe = (
        "import atexit, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print('LOADED', sorted(m for m in heavy if m in sys.modules)))\n"
        "from transferkit.cli import main\n"
        "sys.argv = ['transferkit', *sys.argv[1:]]\n"
        "main()\n"
    )
    out = str(tmp_path / "out")
    done = subprocess.run(
        [sys.executable, "-c", probe, "report", "pilot", "p01", "--db", demo_url, "--out", out],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 1, done.stderr
    assert "pilot 'p01' is not in the store (did you mean 'P01'?)" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "LOADED []" in done.stdout
    assert not (tmp_path / "out").exists()


def test_workers_take_the_callers_directory_and_environment_at_each_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fork server started with an earlier call; a later call's folder and variables
    must still be the ones the report sees (as a worker started afresh would)."""
    run_report(PROBE, {}, tmp_path / "before", name="before")  # the server is up by now
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TK_PROBE_LATER", "1")
    result = run_report(PROBE, {"look": "TK_PROBE_LATER"}, "relative", name="later")
    assert (tmp_path / "relative" / "later.html").is_file()
    assert result.key_figures["seen_env"] is True
