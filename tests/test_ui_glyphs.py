"""Every character the workshop apps show exists in DejaVu Sans.

Workshop laptops and phones run offline and may have no emoji font: a glyph
missing from the fonts shows as an empty box (as "⏱" did on the moderator's
timer). DejaVu Sans is the default sans-serif font of Debian and the font
matplotlib ships, so its character map is the yardstick here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont

SRC = Path(__file__).parents[1] / "src" / "transferkit"
UI_FILES = [
    *sorted((SRC / "live").glob("*.py")),  # the moderator screens
    *sorted((SRC / "sheets").rglob("*.py")),  # the participants' sheet, its texts and feedback
    *sorted((SRC / "sheets" / "web" / "static").glob("*.*")),
    *sorted((SRC / "templates" / "builtin").glob("*.yaml")),  # the questions themselves
]


@pytest.fixture(scope="module")
def dejavu() -> set[int]:
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return set(TTFont(font).getBestCmap())


def _shown_text(path: Path) -> str:
    """String literals of a Python module (not comments or docstrings); a whole asset file."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return source
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return "".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_character_shown_has_a_glyph_in_dejavu_sans(path: Path, dejavu: set[int]) -> None:
    missing = sorted({c for c in _shown_text(path) if ord(c) > 127 and ord(c) not in dejavu})
    assert not missing, f"{path.name}: no glyph in DejaVu Sans for {missing!r}; use plain text"


def test_the_check_finds_an_emoji(dejavu: set[int]) -> None:
    assert ord("⏱") not in dejavu
    assert ord("⚠") in dejavu
