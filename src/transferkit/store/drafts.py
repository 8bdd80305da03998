"""The table of half-filled sheet drafts (``tk_sheet_drafts``), defined in the store.

The drafts of the participant sheet (:class:`transferkit.drafts.DraftStore`) live in
the same database as the responses. The store must reach them itself, below every
sheet module, because erasing a participant (:meth:`Store.erase_participant`) removes
their drafts too. The table has its own metadata: the draft store creates it (the
store's ``create_all`` does not), so a database without drafts has no such table.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

__all__ = ["drafts_table"]

#: One half-filled sheet per participant and sheet (template, pilot, loop, phase).
drafts_table = Table(
    "tk_sheet_drafts",
    MetaData(),
    Column("draft_key", String(400), primary_key=True),
    Column("template", String(100), nullable=False, index=True),
    Column("pilot", String(100), nullable=True),
    Column("loop", Integer, nullable=True),
    Column("phase", String(100), nullable=True),
    Column("participant", String(100), nullable=False),
    Column("answers", Text, nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("response_id", Integer, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)
