"""README "Your first own pilot" works as written (issue 12, item 10).

The test reads the command block under that heading and runs every line
through the ``transferkit`` command on an empty store, in an empty folder:
a line that stops working, or a README that drifts from the commands, fails
here. ``serve`` runs with ``--dry-run`` (it would block); everything else runs
for real, up to the pilot report.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkit.cli import main
from transferkit.store import Store

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks_under(heading: str) -> list[list[list[str]]]:
    """The ``` blocks of a README section, each as commands split like a shell would."""
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    blocks = []
    for block in re.findall(r"```\n(.*?)```", section, flags=re.DOTALL):
        joined = block.replace("\\\n", " ")
        commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
        blocks.append([c for c in commands if c])
    return blocks


def test_the_section_has_the_commands_from_an_empty_store_to_a_report() -> None:
    first = blocks_under("### Your first own pilot")[0]
    assert [c[1] for c in first][:3] == ["network", "company", "pilot"]
    assert first[-1][:3] == ["transferkit", "report", "pilot"]


@pytest.mark.slow
def test_every_line_of_your_first_own_pilot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'first.db'}"
    monkeypatch.setenv("TRANSFERKIT_DB", url)
    from_command_line, from_workbook = blocks_under("### Your first own pilot")
    for command in from_command_line:
        assert command[0] == "transferkit"
        args = command[1:]
        if args[0] == "serve":
            args += ["--dry-run", "--workshops", str(README.parent / "workshops")]
        if args[0] == "report":
            args += ["--out", str(tmp_path / "reports")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}"
    with Store(url) as store:
        pilot = store.pilots().set_index("pilot_id").loc["P01"]
        people = store.participants()
    assert pilot["loops"] == 5
    assert len(people) == 20
    assert (tmp_path / "codes.html").is_file()
    assert (tmp_path / "reports" / "pilot_P01.html").is_file()
    # The workbook lines: the template is written; importing it untouched says what is missing.
    template, importing = from_workbook
    assert CliRunner().invoke(main, template[1:]).exit_code == 0
    result = CliRunner().invoke(main, importing[1:])
    assert result.exit_code == 1
    assert "holds no networks, companies, pilots or participants" in result.output
