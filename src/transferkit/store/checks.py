"""Argument checks of the store: ids, codes, numbers, dates, and a loop closing's values.

Every writer of the store (and its migrations) checks what it is given with these, so a
bad value is refused with a message that names it, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import operator
import re
from collections.abc import Iterable, Mapping
from typing import SupportsIndex, cast

from transferkit.exceptions import StoreError
from transferkit.privacy import looks_like_name
from transferkit.store.schema import KIRKPATRICK_LEVELS, LOOP_COUNTS
from transferkit.store.values import JSONValue, Row
from transferkit.vocabulary import FORMATS

__all__ = [
    "MAX_CODE",
    "MAX_ID",
    "check_amount",
    "check_closing",
    "check_code",
    "check_currency",
    "check_date",
    "check_format",
    "check_int",
    "check_level",
    "check_number",
    "check_rate",
    "id_list",
    "optional_text",
    "required_int",
    "text_id",
    "utc_datetime",
]

#: Longest text id (network, company, pilot, template, phase).
MAX_ID = 100
#: Longest participant code or submission id.
MAX_CODE = 64


def text_id(value: object, what: str, max_len: int = MAX_ID) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{what} must be a non-empty text, got {value!r}"
        raise StoreError(msg)
    value = value.strip()
    if len(value) > max_len:
        msg = f"{what} {value[:20]!r}... is too long ({len(value)} characters, at most {max_len})"
        raise StoreError(msg)
    return value


def optional_text(value: object, what: str, max_len: int = 300) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return text_id(value, what, max_len)


def check_code(code: object) -> str:
    text = text_id(code, "participant code", MAX_CODE)
    if looks_like_name(text):
        msg = (
            f"The participant {text!r} looks like a real name or an e-mail address; transferkit "
            "stores pseudonymous codes only. Use a code such as 'K7M4QX' "
            "(transferkit.privacy.new_participant_code) or a self-generated code "
            "(transferkit.privacy.self_generated_code)."
        )
        raise StoreError(msg)
    return text


def check_int(value: object, what: str, minimum: int = 0) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number: int | None = None
    if not isinstance(value, bool):
        try:
            number = operator.index(cast(SupportsIndex, value))  # int, numpy integers
        except TypeError:
            if isinstance(value, float) and value.is_integer():
                number = int(value)
    if number is None or number < minimum:
        msg = f"{what} must be a whole number >= {minimum} or None, got {value!r}"
        raise StoreError(msg)
    return number


def required_int(value: object, what: str, minimum: int) -> int:
    try:
        number = check_int(value, what, minimum)
    except StoreError:
        number = None
    if number is None:
        msg = f"{what} must be a whole number >= {minimum}, got {value!r}"
        raise StoreError(msg)
    return number


def check_number(value: object, what: str) -> float:
    """A finite number (int, float, numpy number; not bool, not text)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{what} must be a number, got {value!r}"
        raise StoreError(msg)
    number = float(value)
    if not math.isfinite(number):
        msg = f"{what} must be a finite number, got {value!r}"
        raise StoreError(msg)
    return number


def check_amount(value: object, what: str = "amount_eur") -> float:
    """An amount of money in EUR: a finite number >= 0."""
    number = check_number(value, what)
    if number < 0:
        msg = (
            f"{what} must not be negative, got {value!r}: enter costs and benefits as "
            "positive amounts in EUR (a saving is a benefit, not a negative cost)"
        )
        raise StoreError(msg)
    return number


def check_rate(value: object, what: str = "hourly_rate") -> float | None:
    """An hourly rate: a finite number >= 0, or None (not set)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = check_number(value, what)
    if number < 0:
        msg = f"{what} must not be negative, got {value!r}: give the cost of one working hour"
        raise StoreError(msg)
    return number


def check_currency(value: object) -> str:
    """An ISO 4217 currency code of three letters (``EUR``, ``CHF``); lower case is raised."""
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        msg = f"currency must be a three-letter ISO 4217 code such as 'EUR' or 'CHF', got {value!r}"
        raise StoreError(msg)
    return value.strip().upper()


def check_level(value: object) -> int:
    number: int | None = None
    try:
        number = check_int(value, "level", minimum=0)
    except StoreError:
        number = None
    if number is None or number not in KIRKPATRICK_LEVELS:
        msg = (
            f"level must be a Kirkpatrick level 1-4 (1 reaction, 2 learning, 3 behaviour, "
            f"4 results), got {value!r}"
        )
        raise StoreError(msg)
    return number


def check_format(value: object) -> str:
    name = text_id(value, "format", 50)
    if name not in FORMATS:
        msg = f"Unknown learning format {name!r}; use one of {', '.join(FORMATS)}"
        raise StoreError(msg)
    return name


def check_date(value: object, what: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    msg = f"{what} must be a date or an ISO date text like '2025-03-31', got {value!r}"
    raise StoreError(msg)


def utc_datetime(value: object, what: str = "submitted_at") -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            msg = f"{what} must be a datetime or ISO text, got {value!r}"
            raise StoreError(msg) from None
    if not isinstance(value, dt.datetime):
        msg = f"{what} must be a datetime or ISO text, got {value!r}"
        raise StoreError(msg)
    if value.tzinfo is None:  # naive timestamps are taken as UTC
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def id_list(values: str | Iterable[str] | None, what: str) -> list[str]:
    """Ids from a list or one text, separated by ``;`` or ``,`` (in a ``;`` CSV a cell
    cannot hold ``;`` unquoted, so researchers write ``C01,C02``); each once, in order.

    >>> id_list("C01, C02;C01", "company id")
    ['C01', 'C02']
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[;,]", values)
    result: list[str] = []
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        item = text_id(value, what)
        if item not in result:
            result.append(item)
    return result


def check_closing(indicators: Mapping[str, JSONValue], dots: Iterable[JSONValue]) -> Row:
    """Validated column values of a loop closing (see :meth:`Store.close_loop`)."""
    values: Row = {name: check_int(indicators.get(name, 0), name) or 0 for name in LOOP_COUNTS}
    ratings: dict[str, dict[str, float | None]] = {}
    for key, value in indicators.items():
        if key in LOOP_COUNTS or key in {"pilot", "pilot_id", "loop"}:
            continue
        if key.endswith("_mean"):
            mean = None if value is None else float(value)
            if mean is not None and math.isnan(mean):
                mean = None
            if mean is not None and not math.isfinite(mean):
                msg = f"{key} must be a finite number or None, got {value!r}"
                raise StoreError(msg)
            ratings.setdefault(key.removesuffix("_mean"), {"n": 0, "mean": None})["mean"] = mean
        elif key.endswith("_n"):
            n = check_int(value, key) or 0
            ratings.setdefault(key.removesuffix("_n"), {"n": 0, "mean": None})["n"] = n
        else:
            msg = (
                f"unknown loop indicator {key!r}: use {', '.join(LOOP_COUNTS)}, "
                "and <rating>_n / <rating>_mean for each rating"
            )
            raise StoreError(msg)
    for name in ratings:
        text_id(name, "rating question id")
    groups: list[dict[str, str | int]] = []
    for entry in dots:
        if isinstance(entry, Mapping):
            group, count = entry.get("group"), entry.get("dots")
        else:
            group, count = entry
        groups.append(
            {"group": text_id(group, "group name", 300), "dots": check_int(count, "dots") or 0}
        )
    values["ratings"] = ratings
    values["dots"] = groups
    return values
