"""Numbers as researchers publish them (issue 14, item 2): p values, t with df, separators, ticks."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from transferkit.reports.content.numbers import format_number, format_p, format_t, localize_ticks


@pytest.mark.parametrize(
    ("p", "en", "de"),
    [
        (2e-6, "p < .001", "p < 0,001"),  # the report printed "0,00" for this one
        (0.0009999, "p < .001", "p < 0,001"),
        (0.001, "p = .001", "p = 0,001"),
        (0.0321, "p = .032", "p = 0,032"),
        (0.5, "p = .500", "p = 0,500"),
        (1.0, "p = 1.000", "p = 1,000"),
        (float("nan"), "p = –", "p = –"),
    ],
)
def test_p_values_after_apa(p: float, en: str, de: str) -> None:
    # APA 7, section 6.36: exact p to three decimals, "p < .001" below, no leading zero.
    assert format_p(p, "en") == en
    assert format_p(p, "de") == de


def test_a_p_value_outside_zero_and_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        format_p(1.2)


@pytest.mark.parametrize(
    ("value", "digits", "de", "en"),
    [
        (50000, 0, "50.000", "50,000"),
        (1104, 2, "1.104,00", "1,104.00"),
        (-1234567.891, 1, "-1.234.567,9", "-1,234,567.9"),
        (0.42857, 2, "0,43", "0.43"),
        (-0.001, 2, "0,00", "0.00"),  # no minus on a value that rounds to zero
        (None, 1, "–", "–"),
        (math.nan, 1, "–", "–"),
    ],
)
def test_numbers_have_grouped_thousands_and_the_languages_decimal_mark(
    value: float | None, digits: int, de: str, en: str
) -> None:
    assert format_number(value, digits, "de") == de
    assert format_number(value, digits, "en") == en


def test_t_with_its_degrees_of_freedom() -> None:
    assert format_t(3.4512, 11, "en") == "t(11) = 3.45"
    assert format_t(-2.1, 11.0, "de") == "t(11) = -2,10"
    assert format_t(2.0, 10.5, "de") == "t(10,5) = 2,00"  # Welch-type df
    assert format_t(float("nan"), 3) == "t = –"


def test_german_axis_ticks_have_a_decimal_comma() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1.5, 2.25, 3000])
    ax.set_xticks([0, 1, 2], ["a", "b", "c"])  # categorical labels stay
    localize_ticks(fig, "de")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("." in label for label in labels)  # thousands grouped: 3.000
    assert not any("," in label and "." in label.split(",")[-1] for label in labels)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    formatter = ax.yaxis.get_major_formatter()
    assert formatter(2.5) == "2,5"
    assert formatter(3000) == "3.000"
    assert formatter(0.125) == "0,125"
    plt.close(fig)


def test_english_axis_ticks_are_left_alone() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1.5, 2.5])
    before = type(ax.yaxis.get_major_formatter())
    localize_ticks(fig, "en")
    assert type(ax.yaxis.get_major_formatter()) is before
    plt.close(fig)
