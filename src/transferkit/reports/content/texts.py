"""Report texts and readable names of codes, in German and English."""

from __future__ import annotations

from typing import Any

__all__ = ["format_name", "label", "status_label", "text", "topic_name"]


_T: dict[str, dict[str, str]] = {
    "de": {
        "dig": "Digitale Kompetenzen", "soft": "Soft Skills", "sus": "Nachhaltigkeit",
        "pre": "vorher", "post": "nachher",
        "pilot_title": "Pilotprojekt {pilot_id}: {title}",
        "pilot_subtitle": "Auswertungsbericht · Unternehmen: {companies} · {start} bis {end}",
        "participation": "Beteiligung", "effects": "Vorher-nachher: Wie haben sich die "
        "Kompetenzen verändert?", "rci": "Verlässliche Veränderung je Person",
        "gas": "Zielerreichung (Goal Attainment Scaling)", "loops": "Reflexionsschleifen",
        "actions": "Maßnahmen aus den Reflexionsschleifen", "kirkpatrick": "Wirkungsebenen "
        "(Kirkpatrick)", "needs": "Bedarfe der beteiligten Unternehmen",
        "roi": "Kosten und Nutzen", "no_data": "Für diesen Abschnitt liegen noch keine Daten vor.",
    },
    "en": {
        "dig": "Digital skills", "soft": "Soft skills", "sus": "Sustainability",
        "pre": "before", "post": "after",
        "pilot_title": "Pilot project {pilot_id}: {title}",
        "pilot_subtitle": "Evaluation report · companies: {companies} · {start} to {end}",
        "participation": "Participation", "effects": "Before and after: how did skills change?",
        "rci": "Reliable change per person", "gas": "Goal attainment (Goal Attainment Scaling)",
        "loops": "Reflection loops", "actions": "Action items from the reflection loops",
        "kirkpatrick": "Levels of impact (Kirkpatrick)",
        "needs": "Needs of the companies involved", "roi": "Costs and benefits",
        "no_data": "There are no data for this section yet.",
    },
}


def text(key: str, lang: str = "de", **values: Any) -> str:
    """A report text in ``lang`` (German by default), formatted with ``values``.

    Raises ``KeyError`` for an unknown key: a typo must fail in a test, not ship
    in a published report.

    >>> text("pre", "en")
    'before'
    >>> text("prre")
    Traceback (most recent call last):
    ...
    KeyError: "unknown report text 'prre'"
    """
    table = _T["en"] if lang == "en" else _T["de"]
    if key not in table:
        msg = f"unknown report text {key!r}"
        raise KeyError(msg)
    return table[key].format(**values)


_TOPIC_NAMES = {
    "de": {"data_literacy": "Datenkompetenz", "digital_tools": "Digitale Werkzeuge",
           "it_security": "IT-Sicherheit", "ai_use": "KI-Nutzung", "communication": "Kommunikation",
           "self_organisation": "Selbstorganisation", "change_agility": "Veränderungsfähigkeit",
           "teamwork": "Teamarbeit", "resource_efficiency": "Ressourceneffizienz",
           "sustainable_products": "Nachhaltige Produkte", "csr_reporting": "CSR-Berichterstattung"},
    "en": {"data_literacy": "Data literacy", "digital_tools": "Digital tools",
           "it_security": "IT security", "ai_use": "Use of AI", "communication": "Communication",
           "self_organisation": "Self-organisation", "change_agility": "Change agility",
           "teamwork": "Teamwork", "resource_efficiency": "Resource efficiency",
           "sustainable_products": "Sustainable products", "csr_reporting": "CSR reporting"},
}


_LABELS = {
    "de": {
        "content_production": "Erstellung von Lerninhalten", "external_consulting": "externe Beratung",
        "facilitation": "Moderation und Begleitung", "hardware": "Hardware",
        "laboratory_tests": "Labortests", "licences": "Lizenzen", "materials": "Material",
        "staff_learning_time": "Lernzeit der Beschäftigten",
        "fewer_complaints": "weniger Reklamationen", "higher_hit_rate": "höhere Auftragsquote",
        "knowledge_retention": "gesichertes Erfahrungswissen",
        "lead_time_reduction": "kürzere Durchlaufzeit", "material_savings": "Materialeinsparung",
        "new_product_margin": "Deckungsbeitrag neuer Produkte",
        "onboarding_savings": "kürzere Einarbeitung", "quality_improvement": "bessere Qualität",
        "scrap_reduction": "weniger Ausschuss", "time_savings": "Zeitersparnis",
        "behaviour_share": "Anteil, der das Gelernte anwendet",
        "onboarding_time_change": "Veränderung der Einarbeitungszeit",
        "order_lead_time_change": "Veränderung der Auftragsdurchlaufzeit",
        "quote_turnaround_change": "Veränderung der Angebotsbearbeitungszeit",
        "recycled_fibre_share_change": "Veränderung des Recyclingfaseranteils",
        "satisfaction": "Zufriedenheit", "scrap_rate_change": "Veränderung der Ausschussquote",
        "search_time_change": "Veränderung der Suchzeit", "test_score": "Ergebnis im Wissenstest",
        "likert_1_5": "Skala 1–5", "percent": "%", "percentage_points": "Prozentpunkte",
        "micro": "Kleinstunternehmen", "small": "kleines Unternehmen",
        "medium": "mittleres Unternehmen", "metal_electrical": "Metall und Elektro",
        "textile": "Textil", "organiser": "Organisator", "financier": "Finanzierer",
        "sender": "entsendet Beschäftigte", "best_practice": "Best-Practice-Geber",
    },
    "en": {
        "likert_1_5": "scale 1–5", "percent": "%", "percentage_points": "percentage points",
        "micro": "micro enterprise", "small": "small enterprise", "medium": "medium-sized",
        "metal_electrical": "metal and electrical", "organiser": "organiser",
        "financier": "financier", "sender": "sends employees", "best_practice": "best practice",
        "behaviour_share": "share applying what they learned", "test_score": "knowledge test score",
    },
}


def label(value: Any, lang: str = "de") -> str:
    """A readable label for a code such as ``staff_learning_time`` or ``percent``."""
    key = str(value)
    return _LABELS.get(lang, _LABELS["de"]).get(key, key.replace("_", " "))


def topic_name(topic: str, lang: str = "de") -> str:
    """The readable name of a needs-analysis topic."""
    return _TOPIC_NAMES.get(lang, _TOPIC_NAMES["de"]).get(topic, topic)


_FORMAT_NAMES = {
    "de": {"micro_learning": "Micro-Learning (3–10 min)", "e_learning": "E-Learning-Modul",
           "blended": "Blended Learning", "workshop": "Kurzworkshop",
           "wissensrunde": "Wissensrunde", "peer_case": "Kollegiale Fallberatung",
           "tandem": "Lerntandem / Lernpartnerschaft"},
    "en": {"micro_learning": "Micro-learning (3–10 min)", "e_learning": "E-learning module",
           "blended": "Blended learning", "workshop": "Short workshop",
           "wissensrunde": "Knowledge round", "peer_case": "Peer case discussion",
           "tandem": "Learning tandem / partnership"},
}


def format_name(value: str, lang: str = "de") -> str:
    """The readable name of a learning format."""
    return _FORMAT_NAMES.get(lang, _FORMAT_NAMES["de"]).get(value, value)


_STATUS = {"de": {"open": "offen", "done": "erledigt", "carried_over": "übertragen",
                  "dropped": "verworfen"},
           "en": {"open": "open", "done": "done", "carried_over": "carried over",
                  "dropped": "dropped"}}


def status_label(status: str, lang: str = "de") -> str:
    """An action item's status in words (``carried_over`` -> ``übertragen``)."""
    return _STATUS.get(lang, _STATUS["de"]).get(status, status)
