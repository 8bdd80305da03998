"""``transferkit serve``: command line, links, QR code (without starting a server)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from transferkit.serve import find_workshops_dir, qr_text, serve_command, voila_argv

ROOT = Path(__file__).resolve().parents[1]


def test_voila_argv_preheats_culls_and_protects() -> None:
    argv = voila_argv(ROOT / "workshops", host="0.0.0.0", port=9000, pool_size=3, token="s3cret",
                      cull_idle_timeout=300, cull_interval=30)
    assert "--preheat_kernel=True" in argv
    assert "--pool_size=3" in argv
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert "--MappingKernelManager.cull_interval=30" in argv
    assert "--VoilaConfiguration.allow_template_override=NO" in argv
    assert "--token=s3cret" in argv
    assert "--port=9000" in argv
    assert any("preheat_denylist" in a and "round_table.ipynb" in a for a in argv)
    assert "--preheat_kernel=True" not in voila_argv("w", pool_size=0)


def test_qr_code_is_printable() -> None:
    text = qr_text("http://192.168.1.5:8866/voila/render/sheet.ipynb?template=needs_analysis")
    assert len(text.splitlines()) > 10


def test_find_workshops_dir() -> None:
    assert find_workshops_dir(ROOT / "src") == ROOT / "workshops"


def test_serve_dry_run_prints_links_and_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve_command,
        ["--dry-run", "--port", "8999", "--pilot", "P01", "--loop", "2", "--db", f"sqlite:///{tmp_path}/x.db",
         "--workshops", str(ROOT / "workshops")],
    )
    assert result.exit_code == 0, result.output
    assert "sheet.ipynb?template=needs_analysis&pilot=P01&loop=2" in result.output
    assert "round_table.ipynb?pilot=P01&loop=2" in result.output
    assert "--preheat_kernel=True" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code


def test_serve_without_workshops_folder_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, ["--dry-run", "--workshops", str(tmp_path)])
    assert result.exit_code == 1
    assert "sheet.ipynb" in result.output
