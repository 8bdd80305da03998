"""Imported by the fork server of the report workers: warms it once for all of them.

The workers of a batch are forked from one server process that has imported what
reports use (:func:`transferkit.reports.runner.warm_up`), so a batch pays that once
rather than once per worker. Should it fail here, each worker warms up itself.
"""

from __future__ import annotations

from transferkit.reports.runner import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001, S110 - each worker's initializer tries again and reports it
    pass
