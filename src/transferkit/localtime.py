"""Local time for what people read: protocols and moderator screens (the store keeps UTC).

The time zone is ``$TRANSFERKIT_TIMEZONE`` (an IANA name such as ``Europe/Vienna``),
``Europe/Berlin`` by default; functions take ``tz=`` to choose one for a call. Times
are printed with the zone's abbreviation (CET/CEST, …), so nobody has to guess.

>>> import datetime as dt
>>> winter = dt.datetime(2026, 12, 2, 4, 30, tzinfo=dt.UTC)
>>> format_local(winter), format_local(winter, "en")
('02.12.2026 05:30 CET', '2026-12-02 05:30 CET')
>>> format_local(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), tz="Europe/Berlin")
'01.07.2026 14:00 CEST'
>>> format_local(winter, tz="Mars/Olympus")
Traceback (most recent call last):
...
transferkit.localtime.TimeZoneError: unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin (set TRANSFERKIT_TIMEZONE or pass tz=...)
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transferkit.exceptions import TransferkitError

__all__ = ["DEFAULT_TIMEZONE", "TimeZoneError", "format_local", "local_timezone", "to_local"]

#: The time zone used when ``$TRANSFERKIT_TIMEZONE`` is not set.
DEFAULT_TIMEZONE = "Europe/Berlin"


class TimeZoneError(TransferkitError, ValueError):
    """A time zone name that is not in the IANA database."""


def local_timezone(tz: str | None = None) -> ZoneInfo:
    """``tz``, else ``$TRANSFERKIT_TIMEZONE``, else :data:`DEFAULT_TIMEZONE`."""
    name = (tz or os.environ.get("TRANSFERKIT_TIMEZONE") or DEFAULT_TIMEZONE).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = (
            f"unknown time zone {name!r}: use an IANA name such as {DEFAULT_TIMEZONE} "
            "(set TRANSFERKIT_TIMEZONE or pass tz=...)"
        )
        raise TimeZoneError(msg) from None


def to_local(value: dt.datetime, tz: str | None = None) -> dt.datetime:
    """``value`` in the local time zone (a naive ``value`` is taken as UTC, as the store keeps it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(local_timezone(tz))


def format_local(value: dt.datetime, lang: str = "de", tz: str | None = None) -> str:
    """``value`` as local date and time with the zone's abbreviation (``02.12.2026 05:30 CET``)."""
    local = to_local(value, tz)
    from transferkit.i18n import text

    return f"{local.strftime(text('loop.datetime_format', lang))} {local.tzname()}"
