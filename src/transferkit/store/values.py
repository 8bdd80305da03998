"""Names for the loosely shaped values the store keeps in JSON columns.

A sheet's answers, a loop's ratings and dot votes are stored as JSON; what
they hold depends on the template. These aliases name them, so that a
signature says "JSON as the template made it" instead of a bare ``Any``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

#: A value decoded from JSON or headed for it (str, int, float, bool, None,
#: lists and dicts of these). Kept as ``Any`` so readers need not narrow each
#: value; the name says what is meant.
JSONValue: TypeAlias = Any

#: A sheet's answers by question id, as a template validates them and the store keeps them.
Answers: TypeAlias = dict[str, JSONValue]

#: One record (a database row, a line of JSON): field or column name to value.
Row: TypeAlias = dict[str, JSONValue]
