"""The one path check for custom templates named in a link (sheets and moderator screens).

A visitor may name a built-in template or a ``.yaml``/``.yml`` file inside
``$TRANSFERKIT_TEMPLATE_DIR``; anything else is refused with a short message
that reveals neither a server path, nor the file's contents, nor whether a
file exists. The moderator's terminal (the log) gets the details.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from transferkit.exceptions import ParameterError, TemplateError
from transferkit.live.screens import reflection_loop_app, round_table_app
from transferkit.sheets.session import custom_template_path, load_sheet_template
from transferkit.store import Store
from transferkit.templates import load_template

BUILTIN = Path(__file__).parents[1] / "src/transferkit/templates/builtin"
SECRET = "hunter2-sup3r-s3cret"


def _access() -> Any:
    from transferkit.templates import access

    return access


def _custom_round_table() -> str:
    source = (BUILTIN / "round_table.yaml").read_text(encoding="utf-8")
    return source.replace("id: round_table", "id: custom_round_table").replace(
        "de: Round Table", "de: Eigener Round Table"
    )


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The allowed folder (``workshops``) beside a folder with a secret file outside it."""
    workshops = tmp_path / "workshops"
    workshops.mkdir()
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"id: x\npassword: {SECRET}\n", encoding="utf-8")
    (workshops / "mine.yaml").write_text(_custom_round_table(), encoding="utf-8")
    monkeypatch.setenv("TRANSFERKIT_TEMPLATE_DIR", str(workshops))
    return workshops


def _refused(name: str, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.WARNING), pytest.raises(ParameterError) as info:
        load_sheet_template(name)
    return str(info.value)


def _assert_reveals_nothing(message: str, folder: Path) -> None:
    assert SECRET not in message
    assert str(folder.parent) not in message  # no server path
    assert "password" not in message  # no key name from the file
    assert "private" not in message
    assert message.count(" / ") == 1  # "<de> / <en>": the web sheet shows one language
    assert "Traceback" not in message


def test_builtin_and_custom_templates_load(folder: Path) -> None:
    assert load_sheet_template("round_table").id == "round_table"
    assert load_sheet_template("mine.yaml").id == "custom_round_table"
    assert custom_template_path("round_table") is None
    assert custom_template_path("mine.yaml") == folder / "mine.yaml"
    assert _access().load_visitor_template("mine.yaml").id == "custom_round_table"


def test_default_folder_is_the_current_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRANSFERKIT_TEMPLATE_DIR")
    monkeypatch.chdir(folder)
    assert load_sheet_template("mine.yaml").id == "custom_round_table"


@pytest.mark.parametrize(
    "name",
    [
        "ABSOLUTE",  # the secret file by its absolute path
        "../private/secret.yaml",
        "sub/../../private/secret.yaml",
        "link.yaml",  # a symlink inside the folder pointing outside
        "linkdir/secret.yaml",  # a symlinked folder pointing outside
        "missing.yaml",  # does not exist: the same answer as a refused path
    ],
)
def test_paths_outside_the_folder_are_refused_alike(
    folder: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    secret = folder.parent / "private" / "secret.yaml"
    (folder / "link.yaml").symlink_to(secret)
    (folder / "linkdir").symlink_to(secret.parent, target_is_directory=True)
    if name == "ABSOLUTE":
        name = str(secret)
    message = _refused(name, caplog)
    _assert_reveals_nothing(message, folder)
    # a missing file and a refused path give the same words (besides the name)
    missing = _refused("missing.yaml", caplog)
    assert message.replace(Path(name).name, "X") == missing.replace("missing.yaml", "X")
    # the moderator's terminal says what happened
    assert any(name in r.getMessage() for r in caplog.records)


def test_a_directory_is_refused(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    (folder / "dir.yaml").mkdir()
    _assert_reveals_nothing(_refused("dir.yaml", caplog), folder)
    assert "not a regular file" in caplog.text


def test_a_huge_file_is_refused_before_it_is_parsed(
    folder: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = folder / "big.yaml"
    big.write_text(_custom_round_table() + "#" + "x" * 300_000 + "\n", encoding="utf-8")
    parsed: list[str] = []
    monkeypatch.setattr(
        "transferkit.templates.access.load_template_string",
        lambda *a, **k: parsed.append("parsed"),
    )
    _assert_reveals_nothing(_refused("big.yaml", caplog), folder)
    assert parsed == []
    assert "too large" in caplog.text


def test_a_name_that_is_not_yaml_is_refused(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    (folder / "notes.txt").write_text("password: x", encoding="utf-8")
    for name in ("notes.txt", "nope", "/etc/passwd"):
        message = _refused(name, caplog)
        assert "unknown template" in message
        assert "needs_analysis" in message  # names the built-in templates instead


def test_broken_yaml_reveals_no_value_to_the_visitor_but_logs_it(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = folder / "broken.yaml"
    # a value of the wrong type: the loader's message quotes it (here: someone's secret)
    broken.write_text(f"id: t\nversion: {SECRET}\nkind: sheet\nquestions: []\n", encoding="utf-8")
    with pytest.raises(TemplateError) as cli:  # the CLI path (templates validate) keeps all details
        load_template(broken)
    assert SECRET in str(cli.value)
    message = _refused("broken.yaml", caplog)
    _assert_reveals_nothing(message, folder)
    assert "version" not in message
    assert "broken.yaml" in message  # the visitor's own word is shown
    assert str(broken) in caplog.text  # the moderator sees where ...
    assert SECRET in caplog.text  # ... and what


def test_broken_yaml_syntax_reveals_no_line(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    (folder / "syntax.yaml").write_text(
        f"id: t\ntitle: {{de: [x\npassword: {SECRET}\n", encoding="utf-8"
    )
    message = _refused("syntax.yaml", caplog)
    _assert_reveals_nothing(message, folder)
    assert "line" not in message
    assert "syntax.yaml" in caplog.text


def test_invalid_template_reveals_no_key_names(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "invalid.yaml").write_text(
        f"id: t\nversion: 1\nkind: sheet\napi_key: {SECRET}\nquestions: []\n", encoding="utf-8"
    )
    message = _refused("invalid.yaml", caplog)
    _assert_reveals_nothing(message, folder)
    assert "api_key" not in message
    assert "api_key" in caplog.text


def test_not_utf8_is_refused(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    (folder / "latin.yaml").write_bytes("id: t\ntitle: {de: Gr\xfc\xdfe}\n".encode("latin-1"))
    _assert_reveals_nothing(_refused("latin.yaml", caplog), folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_is_refused_without_blocking(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    os.mkfifo(folder / "pipe.yaml")
    _assert_reveals_nothing(_refused("pipe.yaml", caplog), folder)


# ------------------------------------------------------------------ the moderator screens
@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot")
    return s


@pytest.mark.parametrize("app", [round_table_app, reflection_loop_app])
@pytest.mark.parametrize(
    "template", ["ABSOLUTE", "link.yaml", "broken.yaml", "missing.yaml", "dir.yaml"]
)
def test_screens_refuse_hostile_template_links_with_a_short_message(
    folder: Path, store: Store, caplog: pytest.LogCaptureFixture, app: Any, template: str
) -> None:
    secret = folder.parent / "private" / "secret.yaml"
    (folder / "link.yaml").symlink_to(secret)
    (folder / "dir.yaml").mkdir()
    (folder / "broken.yaml").write_text(f"id: [x\npassword: {SECRET}\n", encoding="utf-8")
    name = str(secret) if template == "ABSOLUTE" else template
    with caplog.at_level(logging.WARNING):
        widget: Any = app(f"pilot=P01&loop=1&sheet={name}", store=store)
    assert "tk-page-error" in widget._dom_classes
    shown = widget.value
    _assert_reveals_nothing(shown, folder)
    assert "nicht gefunden oder nicht verwendbar" in shown
    assert "not found or not usable" in shown
    assert not hasattr(widget, "screen")


def test_round_table_with_a_custom_template_in_the_folder(folder: Path, store: Store) -> None:
    widget: Any = round_table_app("pilot=P01&loop=1&sheet=mine.yaml", store=store)
    screen = widget.screen
    screen.ticker.stop()
    assert "Eigener Round Table" in screen.header.value
    # participants are sent to the same file, not to a template id the sheet cannot find
    assert "sheet=mine.yaml" in screen.ideas_url
