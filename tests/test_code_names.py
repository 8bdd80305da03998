"""Typed participant codes: names are refused, codes of every kind pass (issue 10, item 5).

The rule is :func:`transferkit.privacy.code_problem`; the sheets apply it
through :func:`transferkit.sheets.session.check_code`.
"""

from __future__ import annotations

import random
import re
import unicodedata
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transferkit import privacy
from transferkit.exceptions import ParameterError
from transferkit.i18n import catalogue, text
from transferkit.privacy import (
    CODE_ALPHABET,
    CODE_PATTERN,
    code_problem,
    looks_like_name,
    name_lists,
    new_participant_code,
    self_generated_code,
)
from transferkit.sheets.session import CODE_PATTERN as SESSION_CODE_PATTERN
from transferkit.sheets.session import check_code

LIST_FILES = ("given_names_de.txt", "surnames_de.txt")

# typed -> stored
ACCEPTED = {
    "K7M4QX": "K7M4QX",  # random code
    "k7m4qx": "K7M4QX",
    " K7M4QX ": "K7M4QX",
    "A07K": "A07K",  # self-generated codes
    "A07KP": "A07KP",
    "u31bp": "U31BP",
    "P01-07": "P01-07",  # researcher-assigned
    "C03_12": "C03_12",
    "T1-A": "T1-A",
    "N1-C03-E07": "N1-C03-E07",
    "TN-01": "TN-01",
    "PRE.2": "PRE.2",
    "123": "123",
    "P" + "0" * 31: "P" + "0" * 31,  # 32 characters
}

NAMES = [
    # a single given name or surname
    "ANNA",
    "anna",
    "MUSTERMANN",
    "Schmidt",
    "Max",
    "Mehmet",
    "Fatima",
    "Nowak",
    "Iwanow",
    "Ivanov",
    # names joined by space , . _ -
    "Anna_Schmidt",
    "MAX.MUSTERMANN",
    "max-mustermann",
    "Mustermann, Max",
    "Max Mustermann",
    "Dr. Anna Schmidt",
    "Anna-Lena",
    "Zbigniew Brzęczyszczykiewicz",
    # umlauts and accents, in every spelling
    "Jürgen",
    "JÜRGEN",
    "JUERGEN",
    "JURGEN",
    "Özlem",
    "OEZLEM",
    "OZLEM",
    "Müller",
    "MUELLER",
    "MULLER",
    "Ayşe",
    "AYSE",
    "Łukasz",
    "Yılmaz",
    "Çelik",
    "Schäfer",
    "Weiß",
    "WEISS",
    "René",
    unicodedata.normalize("NFD", "Jürgen"),  # decomposed umlaut
    # names with digits appended or prepended
    "ANNA1985",
    "mueller2",
    "2mueller",
    "1985-anna",
    "ANNA12",
    "Jürgen1",
    "P01-ANNA",
    # glued
    "MAXMUSTERMANN",
    "annaschmidt",
    "MSCHMIDT",
    "amueller7",
    # e-mail addresses
    "max@example.org",
    "anna.schmidt@firma.de",
    "k7m4qx@firma.de",
]

SHAPES = [
    "ABCDEF",  # no digit, not a name
    "KXMQPT",  # random-code letters, but no digit: never handed out
    "TEST",
    "K7",  # too short
    "P1",
    "",
    "   ",
    "P" + "0" * 32,  # 33 characters
    "K7M4QX!",  # other characters
    "K7M 4QX",
    "P01/07",
    "-P01",
    "Straße1",  # not ASCII
    "K7M4QX\u212a",  # Kelvin sign, upper-cases to K only under Unicode rules
    "ｋ７ｍ４ｑｘ",  # full-width
    "A" * 10_000 + "1",
    None,
    17,
]


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED.items())
def test_codes_are_accepted(typed, stored):
    assert code_problem(typed) is None
    assert check_code(typed) == stored


@pytest.mark.parametrize("typed", NAMES)
def test_names_are_refused_as_names(typed):
    assert code_problem(typed) == "name"
    assert looks_like_name(typed)
    with pytest.raises(ParameterError) as error:
        check_code(typed)
    assert str(error.value) == f"{text('sheet.code_name', 'de')} / {text('sheet.code_name', 'en')}"
    assert "looks like a name" in str(error.value)
    assert "Namen" in str(error.value)


@pytest.mark.parametrize("typed", SHAPES, ids=lambda t: repr(t)[:20])
def test_malformed_codes_are_refused_for_their_shape(typed):
    assert code_problem(typed) == "shape"
    with pytest.raises(ParameterError) as error:
        check_code(typed)  # type: ignore[arg-type]
    assert (
        str(error.value) == f"{text('sheet.code_shape', 'de')} / {text('sheet.code_shape', 'en')}"
    )
    assert "contains digits, e.g. K7M4QX" in str(error.value)


@pytest.mark.parametrize("key", ["code_name", "code_shape", "code_refused"])
def test_code_messages_split_into_german_and_english(key):
    """The web sheet shows one side of ``"<de> / <en>"``: neither side may contain " / "."""
    de, en = catalogue()[f"sheet.{key}"]["de"], catalogue()[f"sheet.{key}"]["en"]
    assert " / " not in de
    assert " / " not in en
    assert "K7M4QX" in de
    assert "K7M4QX" in en
    assert len(f"{de} / {en}".split(" / ")) == 2


def test_code_pattern_is_one_rule():
    assert SESSION_CODE_PATTERN is CODE_PATTERN
    assert CODE_PATTERN.fullmatch("P01-07")
    assert not CODE_PATTERN.fullmatch("ABCDEF")  # a digit is required
    assert CODE_PATTERN.fullmatch("ANNA1985")  # the shape alone: names are check_code's part


@settings(max_examples=300)
@given(seed=st.integers(0, 2**64), length=st.integers(4, 12))
def test_random_codes_are_always_accepted(seed, length):
    code = new_participant_code(random.Random(seed), length=length)
    assert len(code) == length
    assert set(code) <= set(CODE_ALPHABET)
    assert code_problem(code) is None
    assert check_code(code.lower()) == code


def test_random_codes_from_the_system_source_are_accepted():
    assert all(code_problem(new_participant_code()) is None for _ in range(2000))


@settings(max_examples=300)
@given(st.text(max_size=40) | st.from_regex(r"[A-Za-z0-9_.\- ]{0,34}", fullmatch=True))
def test_any_text_gets_a_verdict_and_accepted_codes_have_the_shape(typed):
    problem = code_problem(typed)
    assert problem in (None, "name", "shape")
    if problem is None:
        code = check_code(typed)
        assert code == typed.strip().upper()
        assert CODE_PATTERN.fullmatch(code)
        assert not looks_like_name(code)
    else:
        with pytest.raises(ParameterError):
            check_code(typed)


def _first_draw(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(6))


@pytest.mark.parametrize(
    ("seed", "first", "problem"),
    [(410, "EY9KAY", "name"), (9, "RWNJEF", "shape"), (1, "EV643C", None)],
)
def test_the_generator_draws_again_when_a_draw_is_refused(seed, first, problem):
    """A draw with a name in it (KAY) or without a digit is never handed out."""
    assert _first_draw(seed) == first
    assert code_problem(first) == problem
    code = new_participant_code(random.Random(seed))
    assert (code == first) == (problem is None)
    assert code_problem(code) is None


@given(
    mother=st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßÄÖÜéèşçğıł", min_size=1, max_size=12),
    day=st.integers(1, 31),
    street=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ", min_size=1, max_size=12),
    father=st.none() | st.sampled_from(["Peter", "Ömer", "x"]),
)
def test_self_generated_codes_are_always_accepted(mother, day, street, father):
    code = self_generated_code(mother, day, street, father)
    assert code_problem(code) is None
    assert check_code(code) == code


# ------------------------------------------------------------------ the lists
def _lines(name: str) -> list[str]:
    return resources.files("transferkit").joinpath("namelists", name).read_text("ascii").split("\n")


@pytest.mark.parametrize("name", LIST_FILES)
def test_name_list_lines_are_folded_upper_case_names(name):
    lines = _lines(name)
    assert lines[-1] == ""  # ends with a newline
    body = lines[:-1]
    assert len(body) >= 500
    bad = [line for line in body if not re.fullmatch(r"[A-Z]{3,}", line)]
    assert not bad, bad[:10]  # no empty, lower case, accented or too short line
    assert body == sorted(set(body))  # sorted, no duplicates


def test_umlaut_names_are_listed_in_both_foldings():
    lists = name_lists()
    for pair in [
        ("MUELLER", "MULLER"),
        ("JUERGEN", "JURGEN"),
        ("OEZLEM", "OZLEM"),
        ("SCHAEFER", "SCHAFER"),
        ("KOEHLER", "KOHLER"),
        ("GUENTHER", "GUNTHER"),
    ]:
        assert set(pair) <= lists["given"] | lists["surname"], pair
    assert {"AYSE", "LUKASZ", "YILMAZ", "CELIK", "MUSTERMANN", "IWANOW", "IVANOV"} <= (
        lists["given"] | lists["surname"]
    )


def test_the_lists_hold_names_from_the_main_origins():
    given = name_lists()["given"]
    surnames = name_lists()["surname"]
    assert {
        "ANNA",
        "JUERGEN",
        "MEHMET",
        "AYSE",
        "PIOTR",
        "MALGORZATA",
        "SERGEJ",
        "SWETLANA",
        "MOHAMMED",
        "FATIMA",
        "GIUSEPPE",
        "GIULIA",
    } <= given
    assert {
        "MUELLER",
        "SCHMIDT",
        "YILMAZ",
        "NOWAK",
        "KOWALSKA",
        "IWANOW",
        "RUSSO",
        "NGUYEN",
    } <= surnames


def test_every_listed_name_is_refused():
    for kind, names in name_lists().items():
        assert names, kind
        for name in names:
            for typed in (name, name.lower(), name.capitalize(), f"{name}1", f"7_{name}"):
                assert code_problem(typed) == "name", (kind, typed)


def test_the_lists_are_read_once_through_importlib_resources(monkeypatch):
    calls: list[str] = []
    real_files = resources.files

    def counting_files(package):
        calls.append(str(package))
        return real_files(package)

    monkeypatch.setattr(privacy.resources, "files", counting_files)
    privacy._name_list.cache_clear()
    privacy._all_names.cache_clear()
    try:
        first = name_lists()
        for typed in ["ANNA", "K7M4QX", "Jürgen", "P01-07"] * 10:
            code_problem(typed)
        again = name_lists()
        assert calls == ["transferkit", "transferkit"]  # one read per list, then cached
        assert all(first[kind] is again[kind] for kind in first)
    finally:
        privacy._name_list.cache_clear()
        privacy._all_names.cache_clear()


# ------------------------------------------------------------------ words that are not names
@pytest.mark.parametrize(
    "word",
    [
        "Vertrieb",
        "Geschäftsführung",
        "IT-Beauftragte",
        "Pilotteam",
        "Dauer",
        "jeder",
        "montieren",
        "TEAM",
        "PILOT",
        "KMU",
        "TEST",
    ],
)
def test_ordinary_words_are_not_names(word):
    """Roles in the demo data and words that merely start like a name (D+AUER, MONTI+EREN)."""
    assert not looks_like_name(word)
