"""transferkit's ``.sav`` against a real SPSS-written file (tests/fixtures/spss/README.md).

``sample.sav`` comes from pyreadstat's test data and was written by IBM SPSS
Statistics 25 (its header says so; checked below). What pyreadstat reads from
it is the convention a statistician's SPSS produces; the same reading of a file
written by ``transferkit.exchange.write_sav`` must follow it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest

from transferkit.datasets import import_demo
from transferkit.exchange import write_sav
from transferkit.store import Store
from transferkit.templates import Template

SAMPLE = Path(__file__).parent / "fixtures" / "spss" / "sample.sav"
MEASURES = {"nominal", "ordinal", "scale"}
# SPSS print formats of the two kinds both files use: Fw.d for numbers, Aw for strings
NUMBER_FORMAT = re.compile(r"F(\d+)\.(\d+)")
STRING_FORMAT = re.compile(r"A(\d+)")

NOTE = "Größe übergroß"  # 14 characters, 18 bytes in UTF-8
UMLAUTS = Template.model_validate(
    {
        "id": "umlaut_check",
        "version": 1,
        "kind": "sheet",
        "title": {"de": "Prüfung", "en": "Check"},
        "questions": [
            {
                "id": "ort",
                "type": "single_choice",
                "label": {"de": "Wo übten Sie?", "en": "Where did you practise?"},
                "options": [
                    {"value": "buero", "label": {"de": "Büro", "en": "Office"}},
                    {"value": "aussen", "label": {"de": "Außendienst", "en": "Field"}},
                ],
            },
            {
                "id": "nutzen",
                "type": "likert",
                "label": {"de": "Wie nützlich war es?", "en": "How useful was it?"},
                "points": [
                    {"value": 1, "label": {"de": "gar nicht", "en": "not at all"}},
                    {"value": 2, "label": {"de": "wenig", "en": "slightly"}},
                    {"value": 3, "label": {"de": "mittelmäßig", "en": "moderately"}},
                    {"value": 4, "label": {"de": "sehr", "en": "very"}},
                ],
            },
            {
                "id": "note",
                "type": "long_text",
                "required": False,
                "label": {"de": "Anmerkung zur Übung", "en": "Note"},
            },
        ],
    }
)


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, Any]:
    return pyreadstat.read_sav(str(SAMPLE))


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Any]:
    store = Store("sqlite://")
    import_demo(store)
    people = store.participants()
    first, second = people.loc[people["pilot_id"] == "P01", "participant"].head(2)
    answers = {"ort": "buero", "nutzen": 2, "note": NOTE}
    store.submit(UMLAUTS, answers, pilot="P01", participant=first)
    store.submit(UMLAUTS, {"ort": "aussen", "nutzen": 3}, pilot="P01", participant=second)
    data = store.export_pseudonymized(UMLAUTS, None, "salt", free_text="keep")
    path = tmp_path_factory.mktemp("spss") / "umlauts.sav"
    write_sav(data, UMLAUTS, path, "de")
    return pyreadstat.read_sav(str(path))


def both(real: Any, ours: Any) -> list[tuple[str, pd.DataFrame, Any]]:
    return [("sample.sav", *real), ("transferkit", *ours)]


def test_fixture_is_spss_written_and_labels_as_documented(real: Any) -> None:
    # written by SPSS itself, not by pyreadstat/ReadStat
    head = SAMPLE.read_bytes()[:64]
    assert head.startswith(b"$FL2")
    assert b"IBM SPSS STATISTICS" in head
    _, meta = real
    # pyreadstat README.md (commit 1adde46, section on value labels, "For SPSS and STATA"):
    #   meta.variable_to_label    {'mylabl': 'labels0', 'myord': 'labels1'}
    #   meta.value_labels         {'labels0': {1.0: 'Male', 2.0: 'Female'},
    #                              'labels1': {1.0: 'low', 2.0: 'medium', 3.0: 'high'}}
    #   meta.variable_value_labels {'mylabl': {1.0: 'Male', 2.0: 'Female'},
    #                               'myord': {1.0: 'low', 2.0: 'medium', 3.0: 'high'}}
    assert meta.variable_to_label == {"mylabl": "labels0", "myord": "labels1"}
    assert meta.value_labels == {
        "labels0": {1.0: "Male", 2.0: "Female"},
        "labels1": {1.0: "low", 2.0: "medium", 3.0: "high"},
    }
    assert meta.variable_value_labels == {
        "mylabl": {1.0: "Male", 2.0: "Female"},
        "myord": {1.0: "low", 2.0: "medium", 3.0: "high"},
    }


def test_value_labels_keyed_by_whole_numeric_codes(real: Any, ours: Any) -> None:
    for name, frame, meta in both(real, ours):
        assert meta.variable_value_labels, name
        for var, labels in meta.variable_value_labels.items():
            assert meta.readstat_variable_types[var] == "double", (name, var)
            assert all(isinstance(k, float) and k.is_integer() for k in labels), (name, var)
            # every stored value of a labelled variable is one of its codes
            assert set(frame[var].dropna()) <= set(labels), (name, var)
    _, _, meta = both(real, ours)[1]
    assert meta.variable_value_labels["ort"] == {1.0: "Büro", 2.0: "Außendienst"}
    assert meta.variable_value_labels["nutzen"] == {
        1.0: "gar nicht",
        2.0: "wenig",
        3.0: "mittelmäßig",
        4.0: "sehr",
    }


def test_measure_levels(real: Any, ours: Any) -> None:
    for name, _, meta in both(real, ours):
        assert set(meta.variable_measure.values()) <= MEASURES, name
        assert set(meta.variable_measure) == set(meta.column_names), name
        for var, kind in meta.readstat_variable_types.items():
            if kind == "string":  # SPSS never treats a string as scale
                assert meta.variable_measure[var] == "nominal", (name, var)
    _, meta = real
    assert meta.variable_measure["myord"] == "ordinal"
    _, meta = ours
    assert meta.variable_measure["nutzen"] == "ordinal"  # likert
    assert meta.variable_measure["ort"] == "nominal"  # single choice


def test_formats_of_the_same_kinds(real: Any, ours: Any) -> None:
    for name, frame, meta in both(real, ours):
        for var, fmt in meta.original_variable_types.items():
            if meta.readstat_variable_types[var] == "string":
                m = STRING_FORMAT.fullmatch(fmt)
                assert m, (name, var, fmt)
                # SPSS string widths count bytes: the longest value must fit. (For strings
                # ReadStat writes the storage width in bytes whatever Aw write_sav passes.)
                longest = max((len(str(v).encode()) for v in frame[var].dropna()), default=0)
                assert int(m[1]) >= longest, (name, var, fmt)
            elif (name, var) in {
                ("sample.sav", "mydate"),
                ("sample.sav", "dtime"),
                ("sample.sav", "mytime"),
                ("transferkit", "submitted_at"),
            }:
                continue  # SPSS date/time formats (EDATE10, DATETIME20, TIME8): below
            else:
                assert NUMBER_FORMAT.fullmatch(fmt), (name, var, fmt)
    _, meta = real
    assert meta.original_variable_types["mychar"] == "A1"
    assert meta.original_variable_types["mynum"] == "F8.2"
    _, meta = ours
    # coded answers as whole numbers: no decimals
    assert re.fullmatch(r"F\d+\.0", meta.original_variable_types["ort"])
    assert re.fullmatch(r"F\d+\.0", meta.original_variable_types["nutzen"])


def test_encoding_utf8_with_umlauts(real: Any, ours: Any) -> None:
    # The SPSS 25 sample was saved in code-page mode; transferkit writes Unicode mode,
    # which SPSS 16 and later open, so German labels need no code page.
    _, meta = real
    assert meta.file_encoding.upper() == "WINDOWS-1252"
    frame, meta = ours
    assert meta.file_encoding.upper() == "UTF-8"
    assert meta.column_names_to_labels["ort"] == "Wo übten Sie?"
    assert meta.column_names_to_labels["note"] == "Anmerkung zur Übung"
    assert frame["note"].tolist() == [NOTE, ""]


def test_times_are_spss_date_times_as_in_the_real_file(real: Any, ours: Any) -> None:
    """SPSS stores a point in time as a number with a DATETIME format (the real file's
    ``dtime``); transferkit's ``submitted_at`` is one too, not text, and reads back as the
    time stored (UTC)."""
    frame, meta = real
    assert meta.original_variable_types["dtime"] == "DATETIME20"
    assert meta.readstat_variable_types["dtime"] == "double"
    frame, meta = ours
    assert meta.original_variable_types["submitted_at"] == "DATETIME20"
    assert meta.readstat_variable_types["submitted_at"] == "double"
    assert meta.variable_measure["submitted_at"] == "scale"
    assert pd.api.types.is_datetime64_any_dtype(frame["submitted_at"])
    assert frame["submitted_at"].notna().all()
