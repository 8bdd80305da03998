"""The methods section every report ends with, and the footer (issue 14, item 1).

Which tests and effect sizes a report uses (named: d_av, not "d"), the RCI and GAS
formulas with their references, how missing data are handled, N per analysis and
the software versions; the footer names the transferkit version, the date and the
data source (a database file's name, or a server URL without its password).
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.i18n import text
from transferkit.reports.content.common import Section

if TYPE_CHECKING:
    from transferkit.store import Store

__all__ = ["METHOD_PARTS", "data_source", "footer_text", "methods_section", "software_versions"]

#: The paragraphs of the methods section of each kind of report, in order.
METHOD_PARTS: dict[str, tuple[str, ...]] = {
    "pilot": ("prepost", "scales", "rci", "gas", "loops", "roi", "needs", "missing"),
    "network": ("prepost", "scales", "gas", "loops", "missing"),
    "needs": ("needs", "missing"),
    "protocol": ("loops",),
}
_PACKAGES = ("transferkit", "pandas", "scipy", "pingouin", "matplotlib")


def software_versions() -> dict[str, str]:
    """The versions of Python and of the libraries the numbers come from."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "?"
    return versions


def methods_section(
    kind: str, lang: str, n_by_analysis: Mapping[str, int] | None = None
) -> Section:
    """The ``methods`` section of a ``kind`` report (``pilot``, ``network``, ``needs``, ``protocol``).

    ``n_by_analysis`` maps an analysis (as the reader sees it) to its number of people or rows.
    """
    if kind not in METHOD_PARTS:
        msg = f"unknown kind of report {kind!r}: use one of {', '.join(METHOD_PARTS)}"
        raise ValueError(msg)
    items = [text(f"methods.{part}", lang) for part in METHOD_PARTS[kind]]
    if n_by_analysis:
        counts = "; ".join(f"{name}: {n}" for name, n in n_by_analysis.items())
        items.append(text("methods.n_analysis", lang, counts=counts))
    items.append(text("methods.software", lang, **software_versions()))
    return Section("methods", text("methods.heading", lang), items=items)


def data_source(store: Store) -> str:
    """Where the data came from: the SQLite file's name, or the server URL without its password."""
    url = str(store.info()["url"])
    if url.startswith("sqlite"):
        name = url.split("///", 1)[-1]
        return (
            Path(name).name
            if name and name != ":memory:" and name != "sqlite://"
            else "SQLite (in memory)"
        )
    return url


def footer_text(lang: str, source: str, when: dt.datetime | None = None) -> str:
    """``Made on 02.12.2026 with transferkit 0.x · data source: transferkit.db``."""
    moment = when or dt.datetime.now().astimezone()
    date = moment.strftime(text("methods.date_format", lang))
    return text(
        "methods.footer", lang, date=date, version=software_versions()["transferkit"], source=source
    )
