"""Domain words of transferkit, defined once: learning formats, action-item statuses,
competence scale groups, needs-analysis topics and the reflection loop's phase ratings.

Literal data only (no imports of the package), so every layer may import it: the
store checks planned formats against :data:`FORMATS` and statuses against
:data:`ACTION_STATUSES`, the templates allow the same statuses, the demo generator
draws from it, the reports and the participants' feedback name scale groups and
topics with the same words. The built-in templates agree with it (a test checks).

>>> STATUS_LABELS["de"]["carried_over"]
'übertragen'
>>> TOPICS["ai_use"], SCALE_GROUP_NAMES["en"]["digital"]
('digital', 'Digital skills')
>>> PHASE_RATINGS["optimierung"]
'loop_satisfaction'
"""

from __future__ import annotations

__all__ = [
    "ACTION_STATUSES",
    "CLOSED_STATUSES",
    "FORMATS",
    "GAS_LEVEL_NAMES",
    "OPEN_STATUSES",
    "PHASE_RATINGS",
    "PHASE_TEXTS",
    "SCALE_GROUPS",
    "SCALE_GROUP_NAMES",
    "STATUS_LABELS",
    "TOPICS",
    "TOPIC_NAMES",
    "TOPIC_SHORT_NAMES",
]

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

#: The ``status`` of an action item (``action_items`` questions, the store's table).
ACTION_STATUSES: tuple[str, ...] = ("open", "done", "carried_over", "dropped")
#: Statuses of an item still to be worked on (carried to the next loop).
OPEN_STATUSES: tuple[str, ...] = ("open", "carried_over")
#: Statuses of an item that is resolved (closed in a loop).
CLOSED_STATUSES: tuple[str, ...] = ("done", "dropped")

#: The statuses in words.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "open": "offen",
        "done": "erledigt",
        "carried_over": "übertragen",
        "dropped": "verworfen",
    },
    "en": {"open": "open", "done": "done", "carried_over": "carried over", "dropped": "dropped"},
}

#: Competence scales of the self-assessment (its questions' ``scale_group``) and their
#: items; also the three core areas of the needs analysis (its questions' ``area``).
SCALE_GROUPS: dict[str, tuple[str, ...]] = {
    "digital": ("dig_1", "dig_2", "dig_3", "dig_4"),
    "soft": ("soft_1", "soft_2", "soft_3", "soft_4"),
    "sustainability": ("sus_1", "sus_2", "sus_3"),
}

#: The scale groups in words.
SCALE_GROUP_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "digital": "Digitale Kompetenzen",
        "soft": "Soft Skills",
        "sustainability": "Nachhaltigkeit",
    },
    "en": {"digital": "Digital skills", "soft": "Soft skills", "sustainability": "Sustainability"},
}

#: Topics of the needs analysis (questions ``imp_<topic>`` and ``comp_<topic>``) and
#: the core area (scale group) each belongs to, in the order of the sheet.
TOPICS: dict[str, str] = {
    "data_literacy": "digital",
    "digital_tools": "digital",
    "it_security": "digital",
    "ai_use": "digital",
    "communication": "soft",
    "self_organisation": "soft",
    "change_agility": "soft",
    "teamwork": "soft",
    "resource_efficiency": "sustainability",
    "sustainable_products": "sustainability",
    "csr_reporting": "sustainability",
}

#: The topics in words, as the needs analysis asks about them (its questions quote
#: these names).
TOPIC_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "data_literacy": "Mit Daten arbeiten (Datenkompetenz)",
        "digital_tools": "Digitale Werkzeuge im Arbeitsalltag",
        "it_security": "IT-Sicherheit und Datenschutz",
        "ai_use": "Künstliche Intelligenz (KI) sinnvoll einsetzen",
        "communication": "Kommunikation im Team und mit Kund:innen",
        "self_organisation": "Selbstorganisation und selbstgesteuertes Lernen",
        "change_agility": "Umgang mit Veränderung und agile Methoden",
        "teamwork": "Zusammenarbeit und Wissensweitergabe",
        "resource_efficiency": "Ressourcen- und Energieeffizienz",
        "sustainable_products": "Nachhaltige Produkte und Geschäftsmodelle",
        "csr_reporting": "Nachhaltigkeitsberichterstattung (CSR)",
    },
    "en": {
        "data_literacy": "working with data (data literacy)",
        "digital_tools": "digital tools in daily work",
        "it_security": "IT security and data protection",
        "ai_use": "using artificial intelligence (AI) well",
        "communication": "communication in the team and with customers",
        "self_organisation": "self-organisation and self-directed learning",
        "change_agility": "dealing with change and agile methods",
        "teamwork": "collaboration and knowledge sharing",
        "resource_efficiency": "resource and energy efficiency",
        "sustainable_products": "sustainable products and business models",
        "csr_reporting": "sustainability reporting (CSR)",
    },
}

#: The topics in a few words, for the axes and tables of reports.
TOPIC_SHORT_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "data_literacy": "Datenkompetenz",
        "digital_tools": "Digitale Werkzeuge",
        "it_security": "IT-Sicherheit",
        "ai_use": "KI-Nutzung",
        "communication": "Kommunikation",
        "self_organisation": "Selbstorganisation",
        "change_agility": "Veränderungsfähigkeit",
        "teamwork": "Teamarbeit",
        "resource_efficiency": "Ressourceneffizienz",
        "sustainable_products": "Nachhaltige Produkte",
        "csr_reporting": "CSR-Berichterstattung",
    },
    "en": {
        "data_literacy": "Data literacy",
        "digital_tools": "Digital tools",
        "it_security": "IT security",
        "ai_use": "Use of AI",
        "communication": "Communication",
        "self_organisation": "Self-organisation",
        "change_agility": "Change agility",
        "teamwork": "Teamwork",
        "resource_efficiency": "Resource efficiency",
        "sustainable_products": "Sustainable products",
        "csr_reporting": "CSR reporting",
    },
}

#: Phases of the reflection loop (Information → Anwendung → Austausch → Optimierung,
#: the ``reflection_loop`` template's phase ids) and the rating question of each.
PHASE_RATINGS: dict[str, str] = {
    "information": "info_useful",
    "anwendung": "app_success",
    "austausch": "exchange_quality",
    "optimierung": "loop_satisfaction",
}

#: The free-text questions of each reflection-loop phase, the phase's main question first
#: (what the room contributed: the moderator's cards, the protocol, the demo data).
PHASE_TEXTS: dict[str, tuple[str, ...]] = {
    "information": ("learned", "open_questions"),
    "anwendung": ("tried", "obstacles"),
    "austausch": ("worked",),
    "optimierung": ("lessons",),
}

#: The five levels of Goal Attainment Scaling (``gas_goal`` answers, keys ``"-2"`` .. ``"2"``)
#: in words: what each level means, whatever the goal.
GAS_LEVEL_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "-2": "viel schlechter als erwartet",
        "-1": "etwas schlechter als erwartet",
        "0": "wie erwartet",
        "1": "etwas besser als erwartet",
        "2": "viel besser als erwartet",
    },
    "en": {
        "-2": "much worse than expected",
        "-1": "somewhat worse than expected",
        "0": "as expected",
        "1": "somewhat better than expected",
        "2": "much better than expected",
    },
}
