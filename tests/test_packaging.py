"""Packaging: environment.yml and pyproject.toml name the same runtime dependencies."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    match = _REQ.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = match.group(1).lower().replace("_", "-")
    return name, match.group(3).replace(" ", "")


def pyproject_runtime() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(_split(r) for r in data["project"]["dependencies"])


def environment_runtime() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    pins = dict(_split(d) for d in deps)
    pins.pop("python")
    pins.pop("pip")
    return pins


def test_environment_yml_matches_pyproject() -> None:
    assert environment_runtime() == pyproject_runtime()


def test_environment_yml_installs_the_kit_with_pip() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections
    assert any(line.strip() in {".", "-e ."} for line in pip_sections[0])


def test_python_floor_agrees() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{data['project']['requires-python']}" in env["dependencies"]


def test_a_disagreement_is_detected() -> None:
    """The comparison really compares pins: a changed pin makes the sets differ."""
    pins = pyproject_runtime()
    changed = {**pins, "pandas": ">=9"}
    assert changed != environment_runtime()


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    commands = [ln for ln in block.splitlines()[1:] if ln.strip() and not ln.startswith("#")]
    assert commands == ["make demo", "make test"]


def test_ci_runs_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_wheel_carries_notebooks_workshops_and_page_template(tmp_path: Path) -> None:
    """An installed wheel finds its report notebooks, workshop apps and page templates
    outside a checkout."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("transferkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "transferkit/_bundled/notebooks/pilot_report.ipynb",
        "transferkit/_bundled/notebooks/loop_protocol.ipynb",
        "transferkit/_bundled/workshops/round_table.ipynb",
        "transferkit/_bundled/workshops/reflection_loop.ipynb",
        "transferkit/jupyter/voila/templates/transferkit/index.html.j2",
        "transferkit/templates/builtin/needs_analysis.yaml",
        "transferkit/sheets/web/static/sheet.js",
        "transferkit/sheets/web/static/sheet.css",
        "transferkit/datasets/demo/responses.jsonl",
        "transferkit/namelists/given_names_de.txt",
        "transferkit/namelists/surnames_de.txt",
        "transferkit/reports/templates/transferkit_report/index.html.j2",
        # the HTML pages' jinja2 templates (transferkit.pages)
        "transferkit/sheets/web/templates/document.html.j2",
        "transferkit/sheets/web/templates/error.html.j2",
        "transferkit/sheets/web/templates/parts.html.j2",
        "transferkit/sheets/web/templates/sections.html.j2",
        "transferkit/sheets/web/templates/entry.html.j2",
        "transferkit/sheets/web/templates/questions.html.j2",
        "transferkit/sheets/web/templates/sheet.html.j2",
        "transferkit/sheets/templates/printable.html.j2",
        "transferkit/sheets/templates/code_cards.html.j2",
        "transferkit/sheets/templates/gas_followup.html.j2",
        "transferkit/sheets/templates/feedback.html.j2",
        "transferkit/reports/templates/content/blocks.html.j2",
        "transferkit/live/templates/protocol.html.j2",
        "transferkit/live/templates/vote_panel.html.j2",
        "transferkit/live/templates/proposal.html.j2",
        "transferkit/live/templates/screens.html.j2",
        "transferkit/sheets/web/templates/vote.html.j2",
        "transferkit/sheets/web/static/vote.js",
        "transferkit/i18n/vote.toml",
        "transferkit/live/templates/projector.html.j2",
        "transferkit/live/templates/projector_link.html.j2",
        "transferkit/live/static/projector.js",
        "transferkit/live/static/projector.css",
        "transferkit/reports/templates/batch_index/page.html.j2",
        "transferkit/reports/templates/exports/links.html.j2",
        "transferkit/reports/templates/exports/pdf_footer.html.j2",
        "transferkit/i18n/exports.toml",
    ):
        assert name in names, name
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import transferkit, transferkit.reports.params as p, transferkit.serve as s;"
        "print(transferkit.__file__); print(p.notebook_path('pilot')); print(s.find_workshops_dir())"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRANSFERKIT_NOTEBOOKS"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(site)) for line in out), out
    pages = (  # the installed wheel renders its pages from its own templates
        "from transferkit.sheets.printable import template_to_html;"
        "from transferkit.sheets.web.render import error_page;"
        "from transferkit.templates import load_template;"
        "import transferkit.pages as p;"
        "print(p.environment('transferkit.sheets').loader.get_source("
        "p.environment('transferkit.sheets'), 'printable.html.j2')[1]);"
        "print('class=\"q\"' in template_to_html(load_template('round_table')), "
        "'tk-page-error' in error_page('x'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", pages],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(site)), out
    assert out[1] == "True True", out
