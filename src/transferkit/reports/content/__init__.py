"""What the report notebooks show: tables, figures, summaries and key figures, assembled from a Store.

The notebooks in ``notebooks/`` stay thin: each cell calls one function here.
Functions named ``*_report`` (and :func:`loop_protocol`) gather one report's data
into a :class:`Report` (no display); ``show_*`` functions display it (headings,
paragraphs and bullet lists of plain text, always escaped, captioned figures as
embedded PNG, tables, and the key figures that the report runner writes to JSON).

Modules: ``common`` (report, sections, display, formatting), ``texts`` (texts and
readable names), ``data`` (tidy tables from the store), ``figures`` (drawing),
``pilot``, ``network``, ``needs_analysis``, ``protocol`` (one report each), ``pooled``
(the network's pooled effects).
"""

from transferkit.reports.content.common import (
    KEY_FIGURES_MIMETYPE,
    Report,
    Section,
    plain,
    show_figure,
    show_footer,
    show_heading,
    show_key_figures,
    show_list,
    show_report_header,
    show_section,
    show_table,
    show_text,
)
from transferkit.reports.content.data import (
    LOOP_RATINGS,
    REVERSE_KEYED,
    SCALES,
    gas_goals,
    loop_ratings,
    needs,
    open_store,
    prepost_by_scale,
    question_range,
    reliable_change_by_scale,
    scale_scores_long,
    self_assessment,
    training_feedback,
)
from transferkit.reports.content.needs_analysis import needs_report, preferred_formats
from transferkit.reports.content.network import (
    MIN_GROUP,
    company_benchmark,
    effects_by_pilot,
    network_report,
    participation_hidden,
)
from transferkit.reports.content.pilot import pilot_report
from transferkit.reports.content.pooled import pooled_effects, pooled_text
from transferkit.reports.content.protocol import loop_figures, loop_protocol
from transferkit.reports.content.texts import (
    format_name,
    label,
    scale_name,
    status_label,
    text,
    topic_name,
)

__all__ = [
    "KEY_FIGURES_MIMETYPE",
    "LOOP_RATINGS",
    "MIN_GROUP",
    "REVERSE_KEYED",
    "SCALES",
    "Report",
    "Section",
    "company_benchmark",
    "effects_by_pilot",
    "format_name",
    "gas_goals",
    "label",
    "loop_figures",
    "loop_protocol",
    "loop_ratings",
    "needs",
    "needs_report",
    "network_report",
    "open_store",
    "participation_hidden",
    "pilot_report",
    "plain",
    "pooled_effects",
    "pooled_text",
    "preferred_formats",
    "prepost_by_scale",
    "question_range",
    "reliable_change_by_scale",
    "scale_name",
    "scale_scores_long",
    "self_assessment",
    "show_figure",
    "show_footer",
    "show_heading",
    "show_key_figures",
    "show_list",
    "show_report_header",
    "show_section",
    "show_table",
    "show_text",
    "status_label",
    "text",
    "topic_name",
    "training_feedback",
]
