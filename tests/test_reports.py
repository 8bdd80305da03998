"""The report pipeline on a tiny notebook: parameters, validation, execution, export, batch."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from transferkit.exceptions import ParameterError, ReportError
from transferkit.reports import (
    ReportJob,
    notebook_parameters,
    report_name,
    run_batch,
    run_report,
    validate_parameters,
)

TRIVIAL = str(Path(__file__).parent / "notebooks" / "trivial.ipynb")


def test_parameters_are_read_with_types_defaults_and_comments() -> None:
    params = notebook_parameters(TRIVIAL)
    assert list(params) == ["db", "lang", "value", "fail"]
    assert params["value"].type == "int"
    assert params["value"].default == 3
    assert params["value"].help == "a number to square"
    assert params["db"].help == "store URL, empty for the embedded default"


def test_every_report_notebook_has_typed_commented_parameters() -> None:
    for kind in ("pilot", "network", "needs", "protocol"):
        params = notebook_parameters(kind)
        assert {"db", "lang"} <= set(params)
        assert all(p.help for p in params.values()), kind
        assert all(p.type in {"str", "int"} for p in params.values()), kind


def test_report_notebooks_are_committed_without_outputs() -> None:
    import nbformat

    for path in (Path(__file__).parents[1] / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [], path.name
                assert cell.execution_count is None, path.name


def test_unknown_and_mistyped_parameters_are_listed_together() -> None:
    with pytest.raises(ParameterError) as info:
        validate_parameters(TRIVIAL, {"valu": 2, "fail": 1, "lang": "de"})
    message = str(info.value)
    assert "unknown parameter 'valu'" in message
    assert "value: int = 3  # a number to square" in message  # what it does take
    assert "fail must be of type bool, got int 1" in message


def test_bool_is_not_an_int_and_int_is_a_float() -> None:
    with pytest.raises(ParameterError, match="value must be of type int, got bool"):
        validate_parameters(TRIVIAL, {"value": True})
    assert validate_parameters(TRIVIAL, {"value": 5})["value"] == 5


def test_language_must_be_de_or_en() -> None:
    with pytest.raises(ParameterError, match="lang must be one of de, en, got 'fr'"):
        validate_parameters(TRIVIAL, {"lang": "fr"})


def test_unknown_report_kind_names_the_valid_ones() -> None:
    with pytest.raises(ParameterError, match="pilot, network, needs, protocol"):
        validate_parameters("pilots", {})


def test_report_names_do_not_collide() -> None:
    assert report_name("pilot", {"pilot_id": "P01", "lang": "de"}) == "pilot_P01"
    assert report_name("pilot", {"pilot_id": "P01", "lang": "en"}) == "pilot_P01_en"
    assert report_name("needs", {"company_id": "", "lang": "de"}) == "needs_network"
    assert report_name("protocol", {"pilot_id": "P01", "loop": 2}) == "protocol_P01_loop2"


def test_report_names_from_odd_store_ids_stay_in_the_folder() -> None:
    for odd in ("../../etc/x", "a/b", "..\\x", "<script>", "javascript:x"):
        name = report_name("pilot", {"pilot_id": odd, "lang": "en"})
        assert Path(name).name == name, name
        assert not re.search(r"[/\\:<>]", name), name
    assert report_name("needs", {"company_id": ".hidden"}) == "needs_.hidden"
    assert report_name("x.ipynb", {"lang": "de"}) == "x"


def test_run_report_exports_html_without_code_and_key_figures(tmp_path: Path) -> None:
    result = run_report(TRIVIAL, {"value": 4}, tmp_path)
    assert result.ok
    assert result.html == tmp_path / "trivial.html"
    document = json.loads((tmp_path / "trivial.json").read_text(encoding="utf-8"))
    figures = document["key_figures"]
    assert figures["square"] == 16
    # the kernel is this interpreter (the venv's python), whatever kernelspecs exist
    assert figures["python"] == sys.executable
    assert document["parameters"] == {"lang": "de", "value": 4, "fail": False}
    page = (tmp_path / "trivial.html").read_text(encoding="utf-8")
    assert 'class="jp-InputArea' not in page
    assert "rd.show_figure" not in page
    assert "import matplotlib" not in page
    assert "Researcher note" not in page  # cells tagged remove_cell are left out
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page)
    assert "A line" in page  # the caption
    # offline and inert: no script at all (no require.js or MathJax from a CDN), and a policy
    assert "<script" not in page
    assert not re.search(r'(src|href)="https?://', page)
    from transferkit.reports.runner import REPORT_POLICY

    assert f'<meta content="{REPORT_POLICY}" http-equiv="Content-Security-Policy"/>' in page
    assert "script-src 'none'" in REPORT_POLICY
    assert (tmp_path / "trivial.ipynb").is_file()  # the executed notebook, for the researcher


def test_a_failing_cell_is_named_with_its_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as info:
        run_report(TRIVIAL, {"fail": True}, tmp_path, name="broken")
    message = str(info.value)
    assert "trivial.ipynb" in message
    assert "cell In [" in message
    assert "RuntimeError: broken on purpose" in message
    assert 'raise RuntimeError("broken on purpose")' in message
    assert not (tmp_path / "broken.html").exists()


def test_wrong_parameters_fail_a_batch_job_without_a_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker may start for invalid jobs")

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", no_pool)
    batch = run_batch([ReportJob(TRIVIAL, {"bogus": 1})], tmp_path, progress=False)
    assert not batch.ok
    assert "unknown parameter 'bogus'" in batch.summary()


def test_a_store_password_never_enters_the_executed_notebook() -> None:
    from transferkit.reports.runner import ThisPythonKernelManager, _secret_free

    injected, manager = _secret_free({"db": "postgresql://tk:s3cret@db.example/tk", "lang": "de"})
    assert injected == {"db": "", "lang": "de"}
    assert issubclass(manager, ThisPythonKernelManager)
    assert manager.extra_env == {"TRANSFERKIT_DB": "postgresql://tk:s3cret@db.example/tk"}
    injected, manager = _secret_free({"db": "sqlite:///x.db"})
    assert injected == {"db": "sqlite:///x.db"}
    assert manager is ThisPythonKernelManager


def test_a_bad_store_url_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="db: "):
        validate_parameters("pilot", {"db": "nosuchdialect://x"})


def test_protocol_loop_may_be_planned_or_closed_without_answers(tmp_path: Path) -> None:
    """A loop is valid when planned, answered, or closed on the moderator screen."""
    from transferkit.store import Store
    from transferkit.templates import load_template

    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.add_pilot("P01", "Pilot", loops=2)
        template = load_template("training_feedback")
        store.submit(
            template, template.example_answers(seed=1), pilot="P01", loop=1, participant="A1B2C3"
        )
        # loop 2 is planned but has no answers yet; loop 3 is neither planned nor closed
        assert (
            validate_parameters("protocol", {"pilot_id": "P01", "loop": 2}, store=store)["loop"]
            == 2
        )
        with pytest.raises(ParameterError, match="valid loops: 1, 2"):
            validate_parameters("protocol", {"pilot_id": "P01", "loop": 3}, store=store)
        store.close_loop("P01", 3, {"participants": 0})  # closed on the screen, nobody answered
        assert (
            validate_parameters("protocol", {"pilot_id": "P01", "loop": 3}, store=store)["loop"]
            == 3
        )


def test_script_and_widget_outputs_of_a_custom_notebook_are_left_out() -> None:
    import nbformat

    from transferkit.reports.runner import _to_html

    outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/javascript": "window.__tk_pwned = 1", "text/plain": "js"},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "x",
                    "version_major": 2,
                    "version_minor": 0,
                },
                "text/plain": "widget",
            },
        ),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>kept</p>"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=outputs)])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    page = _to_html(nb, "t")
    assert "<script" not in page
    assert "__tk_pwned" not in page
    assert "<p>kept</p>" in page


def test_reports_never_import_the_demo_generator() -> None:
    """Reports compute a real company's figures: no topic list or hourly rate may come
    from the synthetic demo (``transferkit.datasets.generate``)."""
    import ast

    import transferkit.reports
    import transferkit.reports.content

    found = []
    for package in (transferkit.reports.content, transferkit.reports):
        for path in sorted(Path(package.__file__).parent.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                names += [
                    f"{node.module}.{a.name}"
                    for a in getattr(node, "names", [])
                    if isinstance(node, ast.ImportFrom)
                ]
                found += [
                    f"{path.name}: {n}"
                    for n in names
                    if n.startswith("transferkit.datasets.generate")
                ]
    assert not found


def test_an_unknown_report_text_raises() -> None:
    """Both languages and placeholders of every text: tests/test_i18n.py."""
    from transferkit.reports.content import texts

    with pytest.raises(KeyError, match=r"unknown text 'report\.no_such_text'"):
        texts.text("no_such_text", "en")
