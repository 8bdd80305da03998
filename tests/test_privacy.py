"""Participant codes: random codes, self-generated codes (SGIC), name heuristic.

The rule for typed codes (names refused) is tested in ``test_code_names.py``.
"""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transferkit.privacy import (
    CODE_ALPHABET,
    CODE_LENGTH,
    code_problem,
    imported_code_problem,
    is_valid_code,
    looks_like_name,
    name_lists,
    new_participant_code,
    normalize_letter,
    self_generated_code,
)


def test_alphabet_has_no_look_alikes():
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)


def test_random_codes_are_valid_and_varied():
    codes = {new_participant_code() for _ in range(500)}
    assert len(codes) > 495
    assert all(len(c) == CODE_LENGTH and is_valid_code(c) for c in codes)


def test_random_codes_are_reproducible_with_rng():
    assert new_participant_code(random.Random(5)) == new_participant_code(random.Random(5))
    assert len(new_participant_code(length=8)) == 8
    with pytest.raises(ValueError, match="at least 4"):
        new_participant_code(length=3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Anna", 7, "Hauptstraße"), "A07H"),
        (("anna", "07", "h"), "A07H"),
        (("Ärzte", 1, "Ölweg"), "A01O"),
        (("Über", 31, "ßtraße"), "U31S"),
        (("Émilie", "  9 ", "Çelik"), "E09C"),
        (("M", 15, "K", "Peter"), "M15KP"),
    ],
)
def test_self_generated_code(args, expected):
    assert self_generated_code(*args) == expected
    assert is_valid_code(expected)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", 7, "H"), "mother"),
        (("1", 7, "H"), "letter A-Z"),
        (("A", 0, "H"), "1-31"),
        (("A", 32, "H"), "1-31"),
        (("A", "siebter", "H"), "1-31"),
        (("A", 7, "  "), "street"),
        (("A", 7, "H", "?"), "father"),
    ],
)
def test_self_generated_code_errors(args, match):
    with pytest.raises(ValueError, match=match):
        self_generated_code(*args)


def test_self_generated_code_wrong_type():
    with pytest.raises(TypeError, match="1-31"):
        self_generated_code("A", True, "B")  # type: ignore[arg-type]


def test_normalize_letter():
    assert normalize_letter("ø") == "O"
    with pytest.raises(ValueError, match="letter A-Z"):
        normalize_letter("Ω", "letter")


@given(
    mother=st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßÄÖÜéè", min_size=1, max_size=12),
    day=st.integers(1, 31),
    street=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ", min_size=1, max_size=12),
)
def test_self_generated_codes_are_valid_and_stable(mother, day, street):
    code = self_generated_code(mother, day, street)
    assert is_valid_code(code)
    assert self_generated_code(mother.upper(), str(day), street.lower()) == code
    assert not looks_like_name(code)


@given(st.integers(0, 2**32))
def test_random_codes_never_look_like_names(seed):
    assert not looks_like_name(new_participant_code(random.Random(seed)))


@pytest.mark.parametrize(
    "text",
    [
        "Max Mustermann",
        "max mustermann",
        "Mustermann, Max",
        "Dr. Anna-Lena Schmidt",
        "Jean-Luc O'Neill",
        "Özlem Yılmaz",
        "anna.schmidt@firma.de",
        "Anna",  # a single listed name (tests/test_code_names.py has the whole table)
        "MAX.MUSTERMANN",
        "Jürgen",
    ],
)
def test_names_are_recognised(text):
    assert looks_like_name(text)


@pytest.mark.parametrize(
    "text", ["K7M4QX", "A07K", "P01-07", "N1-C03-E07", "TN 12", "Vertrieb", "", "  ", None, 17]
)
def test_codes_are_not_names(text):
    assert not looks_like_name(text)


@pytest.mark.parametrize("code", ["", "K7M4Q", "K7M4QX1", "k7m4qx", "A00K", "A07", None, 123])
def test_invalid_codes(code):
    assert not is_valid_code(code)


# ---------------------------------------------------------------- codes from survey tools


def test_random_tokens_without_a_digit_are_codes_when_imported():
    # LimeSurvey's tokens: 15 characters from A-Z, a-z, 0-9 ('sPvCfHHeeKZPdVZ' in a real archive,
    # tests/fixtures/survey/limesurvey/lsa2odm). One in fourteen has no digit.
    rng = random.Random(20261202)
    alphabet = string.ascii_letters + string.digits
    tokens = ["".join(rng.choice(alphabet) for _ in range(15)) for _ in range(20_000)]
    no_digit = [t for t in tokens if not any(c.isdigit() for c in t)]
    assert 1_200 < len(no_digit) < 1_650  # 20,000 × 0.071
    assert all(code_problem(t) == "shape" for t in no_digit)
    accepted = [t for t in no_digit if imported_code_problem(t) is None]
    assert len(accepted) / len(no_digit) > 0.97
    assert imported_code_problem("sPvCfHHeeKZPdVZ") is None


def test_names_glued_into_a_token_shape_stay_refused_when_imported():
    given_names, surnames = sorted(name_lists()["given"]), sorted(name_lists()["surname"])
    rng = random.Random(7)
    for _ in range(500):
        first, last = rng.choice(given_names).capitalize(), rng.choice(surnames).capitalize()
        for text in (f"{first}{last}", f"{first.lower()}{last}", f"{first}{last}Berlin"):
            if len(text) >= 12:
                assert imported_code_problem(text) is not None, text
    for text in ("Anna Schmidt", "anna.schmidt@example.org", "ANNASCHMIDT", "annaschmidtberlin"):
        assert imported_code_problem(text) is not None, text
