"""The one catalogue of UI and report texts: every key in German and English, with the same
placeholders; unknown keys and languages fail loudly; no module picks de/en by hand."""

from __future__ import annotations

import re
import string
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from transferkit import i18n
from transferkit.i18n import LanguageError, area_texts, catalogue, has_text, in_lang, text

KEYS = sorted(catalogue())
SRC = Path(i18n.__file__).resolve().parents[1]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_there_are_areas_and_texts() -> None:
    areas = {key.split(".", 1)[0] for key in KEYS}
    assert {"sheet", "live", "report", "plots", "label", "format", "feedback", "answers"} <= areas
    assert len(KEYS) > 200


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_both_languages_and_the_same_placeholders(key: str) -> None:
    entry = catalogue()[key]
    assert set(entry) == {"de", "en"}, key
    assert entry["de"].strip(), key
    assert entry["en"].strip(), key
    assert _placeholders(entry["de"]) == _placeholders(entry["en"]), key


def test_catalogue_files_are_flat_tables_of_strings() -> None:
    """One TOML file per area; each key a table with just ``de`` and ``en`` strings."""
    files = [e for e in resources.files("transferkit.i18n").iterdir() if e.name.endswith(".toml")]
    assert files
    for entry in files:
        data = tomllib.loads(entry.read_text("utf-8"))
        for name, value in data.items():
            assert re.fullmatch(r"[a-z0-9_]+", name), (entry.name, name)
            assert isinstance(value, dict), (entry.name, name)
            assert all(isinstance(v, str) for v in value.values()), (entry.name, name)


def test_text_fills_placeholders() -> None:
    assert (
        text("sheet.confirm", "de", n=3)
        == "✔ Vielen Dank! Ihre Antworten sind gespeichert (Nr. 3)."
    )
    assert text("sheet.rank_hint", "en", n=4) == "rank 1 = most important (down to rank 4)"
    assert text("sheet.rank_hint", "de") == "Rang 1 = am wichtigsten (bis Rang {n})"  # as written
    assert text("sheet.summary", "en", n=2) == (
        "Not saved yet: 2 answer(s) missing or invalid – see the questions marked in red."
    )


def test_unknown_key_raises_key_error() -> None:
    with pytest.raises(KeyError, match=r"sheet\.confrim"):
        text("sheet.confrim", "de")
    assert not has_text("sheet.confrim")
    assert has_text("sheet.confirm")


@pytest.mark.parametrize("lang", ["fr", "DE", "", "english"])
def test_unknown_language_raises_a_clear_error(lang: str) -> None:
    with pytest.raises(LanguageError, match=r"unknown language .*: use one of de, en"):
        text("sheet.legend", lang)
    with pytest.raises(ValueError, match="unknown language"):
        area_texts("sheet", lang)


def test_area_texts_by_name() -> None:
    sheet = area_texts("sheet", "en")
    assert sheet["legend"] == "* required"
    assert sheet["points_left"] == "<b>{left}</b> of {budget} points left"
    assert set(sheet) == {k.removeprefix("sheet.") for k in KEYS if k.startswith("sheet.")}


def test_in_lang_splits_two_language_messages() -> None:
    assert in_lang("Ungültig / Invalid", "de") == "Ungültig"
    assert in_lang("Ungültig / Invalid", "en") == "Invalid"
    assert in_lang("HTTP 404", "en") == "HTTP 404"


# The old ways of picking a language by hand.
_PICKERS = re.compile(r"\bde_en\(|\b_t\(lang|def _in_lang|\bif de else\b|\bif not en else\b")


def test_no_module_picks_german_or_english_by_hand() -> None:
    offenders = []
    files = sorted(SRC.rglob("*.py"))
    assert any(p.relative_to(SRC).as_posix().startswith("templates/types/") for p in files)
    for path in files:
        name = path.relative_to(SRC).as_posix()
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if _PICKERS.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# Messages written inline as German/English pairs: ``msg(code, de, en)`` calls, a
# ``Message`` tuple or an ``AnswerProblem`` spelled out, German words of a message.
_INLINE_MESSAGES = re.compile(
    r"(?<!def )\bmsg\(|\bAnswerProblem\((?!.*\*)|[(\[,]\s*\(\s*\"[a-z_]+\",\s*(?:de|f?\")|"
    r"\bBitte\b|\bBei \{"
)


def test_the_answer_messages_come_from_the_catalogue() -> None:
    """Every message of answer validation (templates/validation.py, the question types) is
    a text of the ``answers`` area, built with ``problem``; none is written inline."""
    files = [
        SRC / "templates" / "validation.py",
        *sorted((SRC / "templates" / "types").glob("*.py")),
    ]
    offenders = [
        f"{path.relative_to(SRC).as_posix()}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _INLINE_MESSAGES.search(line)
    ]
    assert not offenders, "\n".join(offenders)
    assert _INLINE_MESSAGES.search('    msg("too_few", f"Bitte …", f"Please …"),')
    assert _INLINE_MESSAGES.search('AnswerProblem(q.id, "required", de, en)')
    assert _INLINE_MESSAGES.search('return INVALID, [("incomplete_ranking", de, en)]')
    assert not _INLINE_MESSAGES.search('AnswerProblem(q.id, *problem("required", label=lab))')
    assert len([k for k in KEYS if k.startswith("answers.")]) >= 45


# The page modules and their templates: every text from the catalogue, every status from
# the vocabulary; no language picked with ``lang == "en"`` and no table of words per language.
_PAGE_FILES = (
    "sheets/web/render.py",
    "sheets/printable.py",
    "sheets/code_cards.py",
    "sheets/gas_followup.py",
    "live/protocol.py",
    "reports/index.py",
    "sheets/web/templates/*.j2",
    "sheets/web/static/sheet.js",
    "sheets/templates/*.j2",
    "live/templates/*.j2",
    "reports/templates/batch_index/*.j2",
)
_PAGE_PICKERS = re.compile(
    r"""[=!]==?\s*["']en["']|["']en["']\s+if\b|["'](?:de|en)["']\s*:\s*[{(\[]"""
)


def test_the_page_modules_pick_no_language_by_hand() -> None:
    files = sorted({path for pattern in _PAGE_FILES for path in SRC.glob(pattern)})
    assert len(files) >= 15, files
    offenders = [
        f"{path.relative_to(SRC).as_posix()}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _PAGE_PICKERS.search(line)
    ]
    assert not offenders, "\n".join(offenders)
    assert _PAGE_PICKERS.search('labels = STATUS_LABELS["en" if lang == "en" else "de"]')
    assert _PAGE_PICKERS.search('_WORDS = {"de": {"phase": "Phase"}}')
    assert _PAGE_PICKERS.search("{% set x = 'a' if lang == 'en' else 'b' %}")


def test_the_pages_refuse_another_language(tmp_path: Path) -> None:
    """The printable protocol, the report index and the plain-text sheet raise like the
    catalogue (they used to give German); the printable HTML page stays German."""
    from datetime import datetime

    from transferkit.live import LoopSummary, protocol_html
    from transferkit.reports import write_index
    from transferkit.sheets.printable import template_to_html, template_to_text
    from transferkit.templates import load_template

    summary = LoopSummary(pilot="P01", loop=1, indicators={}, closed_at=datetime(2025, 1, 1))
    with pytest.raises(LanguageError):
        protocol_html(summary, "fr")
    with pytest.raises(LanguageError):
        write_index([], tmp_path / "out", "fr")
    assert not (tmp_path / "out").exists()  # refused before anything is written
    with pytest.raises(LanguageError):
        template_to_text(load_template("round_table"), "fr")
    assert '<html lang="de">' in template_to_html(load_template("round_table"), "fr")
    assert "Protokoll" in protocol_html(summary, "de")
    assert "Protocol" in protocol_html(summary, "en")
