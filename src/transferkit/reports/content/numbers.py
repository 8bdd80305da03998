"""Numbers as researchers publish them, in German and English (issue 14).

- decimals with a decimal comma in German, thousands grouped (``50.000`` / ``50,000``);
- p values after APA 7 (American Psychological Association, 2020, section 6.36):
  exact to three decimals, ``p < .001`` below that, no leading zero in English
  (a p value cannot exceed 1); German keeps the leading zero and the comma
  (``p < 0,001``, ``p = 0,032``), as German journals print it;
- a test statistic with its degrees of freedom, ``t(11) = 3.45``;
- a Net Promoter Score as a whole number with its sign (``+43``, ``-12``, ``0``): it is a
  difference of two shares on −100 … +100 (Reichheld 2003), never a decimal;
- a percentage with one decimal, in German with a space before the sign (``42,9 %``, DIN 5008),
  in English without (``42.9%``);
- axis tick labels in the same style, for matplotlib.

Examples
--------
>>> format_number(50000, 0, "de"), format_number(1104, 2, "de"), format_number(1104, 2, "en")
('50.000', '1.104,00', '1,104.00')
>>> format_p(2e-6, "en"), format_p(0.0321, "en"), format_p(0.0321, "de"), format_p(2e-6, "de")
('p < .001', 'p = .032', 'p = 0,032', 'p < 0,001')
>>> format_t(3.4512, 11, "de")
't(11) = 3,45'
>>> format_nps(42.857, "de"), format_nps(-12.4, "en"), format_percent(42.857, "de")
('+43', '-12', '42,9\xa0%')
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "format_nps",
    "format_number",
    "format_p",
    "format_percent",
    "format_t",
    "localize_ticks",
]

_MISSING = "–"


def _missing(value: object) -> bool:
    return value is None or not isinstance(value, Real) or math.isnan(float(value))


def format_number(value: object, digits: int = 1, lang: str = "de", *, group: bool = True) -> str:
    """``value`` with ``digits`` decimals, thousands grouped, decimal comma in German; ``–`` if missing.

    A value that rounds to zero never shows a minus sign (``-0,00`` reads as a decline).
    """
    if _missing(value):
        return _MISSING
    number = float(value)  # type: ignore[arg-type]  # a Real, checked above
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    out = f"{number:,.{digits}f}" if group else f"{number:.{digits}f}"
    if out.lstrip("-").strip("0.,") == "":
        out = out.lstrip("-")
    if lang == "de":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out


def format_p(p: object, lang: str = "de") -> str:
    """A p value after APA: ``p = .032``, ``p < .001`` (German ``p = 0,032``, ``p < 0,001``)."""
    if _missing(p):
        return f"p = {_MISSING}"
    value = float(p)  # type: ignore[arg-type]  # a Real, checked above
    if not 0 <= value <= 1:
        msg = f"a p value lies between 0 and 1, got {value}"
        raise ValueError(msg)
    if value < 0.001:
        shown, sign = format_number(0.001, 3, lang), "<"
    else:
        shown, sign = format_number(value, 3, lang), "="
    if lang != "de":
        shown = shown.removeprefix("0")
    return f"p {sign} {shown}"


def format_t(t: object, df: object, lang: str = "de", *, digits: int = 2) -> str:
    """A t statistic with its degrees of freedom: ``t(11) = 3.45`` (German ``t(11) = 3,45``)."""
    if _missing(t) or _missing(df):
        return f"t = {_MISSING}"
    degrees = float(df)  # type: ignore[arg-type]  # a Real, checked above
    shown_df = str(int(degrees)) if degrees.is_integer() else format_number(degrees, 1, lang)
    return f"t({shown_df}) = {format_number(t, digits, lang)}"


def format_nps(nps: object, lang: str = "de") -> str:
    """A Net Promoter Score (−100 … +100) as a whole number with its sign: ``+43``, ``-12``, ``0``.

    The same in both languages (no decimals, so no decimal separator); ``–`` if missing.
    """
    if _missing(nps):
        return _MISSING
    shown = format_number(nps, 0, lang)
    return shown if shown.startswith("-") or shown == "0" else f"+{shown}"


def format_percent(value: object, lang: str = "de", digits: int = 1) -> str:
    """A percentage (``value`` in percent, not a share): ``42,9 %`` in German (a no-break
    space before the sign, DIN 5008), ``42.9%`` in English; ``–`` if missing."""
    if _missing(value):
        return _MISSING
    shown = format_number(value, digits, lang)
    return f"{shown}\u00a0%" if lang == "de" else f"{shown}%"


def localize_ticks(figure: Figure, lang: str) -> None:
    """German tick labels (decimal comma, ``.`` for thousands) on every numeric axis of ``figure``.

    Axes with categorical or custom tick labels (a formatter other than matplotlib's
    default ``ScalarFormatter``) are left as they are.
    """
    if lang != "de":
        return
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    def german(value: float, _position: int | None = None) -> str:
        out = f"{value:,.3f}".rstrip("0").rstrip(".")  # 2.5 → 2.5, 3.0 → 3, 0.125 → 0.125
        out = "0" if out in ("-0", "") else out
        return out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(german))
