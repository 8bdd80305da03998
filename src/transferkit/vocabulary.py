"""Domain words of transferkit, defined once: the learning formats.

Literal data only (no imports of the package), so every layer may import it: the
store checks planned formats against :data:`FORMATS`, the demo generator draws from it.
"""

from __future__ import annotations

__all__ = ["FORMATS"]

#: Learning formats of the templates (``training_feedback.format``,
#: ``needs_analysis.formats``), from the shortest to the longest commitment.
FORMATS = (
    "micro_learning",
    "e_learning",
    "blended",
    "workshop",
    "wissensrunde",
    "peer_case",
    "tandem",
)
