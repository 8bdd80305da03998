"""The key figures a report notebook hands to the report runner.

The last cell of a report displays its key figures under
:data:`KEY_FIGURES_MIMETYPE` (invisible in the HTML); the runner
(:mod:`transferkit.reports.runner`) reads them back and writes them as JSON
beside the report. Both sides use :func:`plain` so that the JSON is the same.

>>> import math
>>> plain({"d": math.nan, "n": (1, 2)})
{'d': None, 'n': [1, 2]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transferkit.store.values import JSONValue

__all__ = ["KEY_FIGURES_MIMETYPE", "plain"]

#: MIME type of the key-figures output of a report notebook.
KEY_FIGURES_MIMETYPE = "application/vnd.transferkit.reports.keyfigures+json"


def plain(value: object) -> JSONValue:
    """``value`` as plain JSON data: numpy scalars -> Python, NaN/inf -> None, tuples -> lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
