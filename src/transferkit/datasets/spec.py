"""The demo network's literal data: companies, pilots (with their built-in effects, goals,
action items and economics), loops, owners, learning-format times, coders and the texts
participants write. :mod:`transferkit.datasets.generate` draws the demo from these.

The fictional *Qualifizierungsverbund Albtrauf*: twelve metal/electrical and textile SMEs
in three regions of Baden-Württemberg and six scientifically accompanied pilot projects.
Literals only (no imports of the package).
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = [
    "CODERS",
    "CODING_CATEGORIES",
    "COMMENTS",
    "COMPANIES",
    "DISCUSSED_WITH",
    "EXCHANGE_WITH",
    "FORMAT_TIME",
    "GOAL_TOPICS",
    "HOURLY_RATE_EUR",
    "LOOPS",
    "NETWORK",
    "OBSTACLES",
    "OWNERS",
    "PILOTS",
    "TEXTS",
]

#: The network (one row of the ``network`` dataset).
NETWORK: dict[str, str] = {
    "network_id": "QV-ALB",
    "name": "Qualifizierungsverbund Albtrauf",
    "region": "Baden-Württemberg: Neckar-Alb, Schwarzwald-Baar-Heuberg, Bodensee-Oberschwaben",
}

# company_id, name, sector, employees, region, roles
COMPANIES: tuple[tuple[str, str, str, int, str, str], ...] = (
    (
        "C01",
        "Albtal Präzisionsteile GmbH",
        "metal_electrical",
        185,
        "Neckar-Alb",
        "organiser;sender;best_practice",
    ),
    (
        "C02",
        "Hohenberg Elektrotechnik GmbH & Co. KG",
        "metal_electrical",
        64,
        "Neckar-Alb",
        "financier;sender",
    ),
    ("C03", "Lauchert Metallbau KG", "metal_electrical", 23, "Neckar-Alb", "sender"),
    (
        "C04",
        "Echaz Antriebstechnik GmbH",
        "metal_electrical",
        112,
        "Neckar-Alb",
        "financier;sender",
    ),
    ("C05", "Steinlach Feinmechanik e.K.", "metal_electrical", 8, "Neckar-Alb", "sender"),
    (
        "C06",
        "Zollern Schaltanlagenbau GmbH",
        "metal_electrical",
        41,
        "Schwarzwald-Baar-Heuberg",
        "sender",
    ),
    (
        "C07",
        "Baar Sensorik GmbH",
        "metal_electrical",
        29,
        "Schwarzwald-Baar-Heuberg",
        "sender;best_practice",
    ),
    (
        "C08",
        "Donautal Gießerei GmbH",
        "metal_electrical",
        148,
        "Schwarzwald-Baar-Heuberg",
        "financier;sender",
    ),
    ("C09", "Killertal Textilveredelung GmbH", "textile", 76, "Neckar-Alb", "sender;best_practice"),
    ("C10", "Strickwerk Talgang GmbH", "textile", 34, "Neckar-Alb", "sender"),
    (
        "C11",
        "Schussental Technische Textilien GmbH",
        "textile",
        97,
        "Bodensee-Oberschwaben",
        "organiser;financier;sender",
    ),
    ("C12", "Argen Webmanufaktur GmbH", "textile", 6, "Bodensee-Oberschwaben", "sender"),
)


def _levels(*texts: str) -> dict[str, str]:
    return dict(zip(("-2", "-1", "0", "1", "2"), texts, strict=True))


# Each pilot: its companies, size, built-in effects (item-scale points on a
# 1-5 Likert item, item SD is about 1), loop trend, formats, goals, economics.
PILOTS: tuple[dict[str, Any], ...] = (
    {
        "pilot_id": "P01",
        "title_de": "Digitale Schichtübergabe per Tablet",
        "title_en": "Digital shift handover on tablets",
        "topic": "digital_tool",
        "companies": ("C01", "C05"),
        "start": date(2025, 2, 3),
        "end": date(2025, 9, 26),
        "n": 12,
        "effect": {"digital": 0.75, "soft": 0.10, "sustainability": 0.0},
        "loop_base": 3.3,
        "loop_slope": 0.35,
        "satisfaction": 0.45,
        "formats": ("workshop", "e_learning", "micro_learning"),
        "goals": (
            (
                "Anteil digital dokumentierter Schichtübergaben",
                3,
                -2,
                1,
                _levels("unter 20 %", "20-39 %", "40-59 %", "60-79 %", "80 % und mehr"),
            ),
            (
                "Suchzeit nach Auftragsinformationen je Schicht",
                2,
                -1,
                1,
                _levels("mehr als 30 min", "21-30 min", "11-20 min", "6-10 min", "höchstens 5 min"),
            ),
            (
                "Beschäftigte, die die App selbstständig nutzen",
                1,
                -2,
                2,
                _levels("niemand", "bis 25 %", "26-50 %", "51-75 %", "über 75 %"),
            ),
        ),
        "actions": (
            "Tablet-Halterungen an allen drei Linien montieren",
            "Pflichtfelder im Übergabeformular auf fünf reduzieren",
            "Kurzanleitung als Micro-Learning-Video aufnehmen",
            "WLAN-Abdeckung in Halle 2 prüfen lassen",
            "Übergabe-Check in die Frühbesprechung aufnehmen",
            "Key-User je Schicht benennen",
            "Fotofunktion für Störungsmeldungen freischalten",
            "Erfahrungen beim Verbundtreffen als Best Practice vorstellen",
        ),
        "costs": {"facilitation": 7200, "licences": 2400, "hardware": 3900},
        "roi": 1.15,
        "benefits": {"time_savings": 0.75, "quality_improvement": 0.25},
        "indicators": (
            (2, "test_score", 78.0, "percent"),
            (3, "behaviour_share", 71.0, "percent"),
            (4, "search_time_change", -38.0, "percent"),
        ),
    },
    {
        "pilot_id": "P02",
        "title_de": "Agile Methoden in der Auftragsabwicklung",
        "title_en": "Agile methods in order processing",
        "topic": "agile_methods",
        "companies": ("C02", "C06", "C07"),
        "start": date(2025, 3, 3),
        "end": date(2025, 11, 28),
        "n": 10,
        "effect": {"digital": 0.15, "soft": 0.55, "sustainability": 0.0},
        "loop_base": 3.7,
        "loop_slope": -0.3,
        "satisfaction": -0.35,
        "formats": ("workshop", "peer_case", "wissensrunde"),
        "goals": (
            (
                "Durchlaufzeit vom Auftragseingang bis zur Arbeitsvorbereitung",
                3,
                -1,
                0,
                _levels(
                    "über 10 Arbeitstage",
                    "8-10 Arbeitstage",
                    "5-7 Arbeitstage",
                    "3-4 Arbeitstage",
                    "höchstens 2 Arbeitstage",
                ),
            ),
            (
                "Team-Stand-ups pro Woche",
                2,
                -2,
                1,
                _levels("keine", "eines", "zwei", "drei bis vier", "täglich"),
            ),
            (
                "Retrospektiven mit umgesetzter Verbesserung",
                1,
                -2,
                -2,
                _levels("keine", "eine", "zwei", "drei", "vier und mehr"),
            ),
            (
                "Reklamationen wegen Terminverzug je Quartal",
                2,
                -1,
                None,
                _levels("mehr als 8", "6-8", "3-5", "1-2", "keine"),
            ),
        ),
        "actions": (
            "Stand-up auf 15 Minuten begrenzen und Timer nutzen",
            "Kanban-Board für Angebote und Aufträge digital anlegen",
            "Rolle der Product Ownerin im Vertrieb klären",
            "Retrospektive fest in den Monatsplan eintragen",
            "Schnittstelle Vertrieb-Arbeitsvorbereitung beschreiben",
            "WIP-Limit für die Konstruktion festlegen",
            "Agile Coach für eine Nachschulung anfragen",
            "Erfahrungen mit Baar Sensorik in Peer-Fallberatung besprechen",
        ),
        "costs": {"facilitation": 9600, "external_consulting": 8000},
        "roi": 0.12,
        "benefits": {"lead_time_reduction": 0.7, "fewer_complaints": 0.3},
        "indicators": (
            (2, "test_score", 64.0, "percent"),
            (3, "behaviour_share", 48.0, "percent"),
            (4, "order_lead_time_change", -12.0, "percent"),
        ),
    },
    {
        "pilot_id": "P03",
        "title_de": "Micro-Learning an der Maschine",
        "title_en": "Micro-learning at the machine",
        "topic": "micro_learning",
        "companies": ("C08", "C03"),
        "start": date(2025, 4, 1),
        "end": date(2025, 10, 31),
        "n": 10,
        "effect": {"digital": 0.40, "soft": 0.15, "sustainability": 0.30},
        "loop_base": 3.4,
        "loop_slope": 0.2,
        "satisfaction": 0.6,
        "formats": ("micro_learning", "e_learning"),
        "goals": (
            (
                "Abgeschlossene Lernnuggets pro Person und Monat",
                2,
                -2,
                0,
                _levels("keine", "1-2", "3-5", "6-9", "10 und mehr"),
            ),
            (
                "Rüstfehler je 100 Rüstvorgänge",
                3,
                -1,
                0,
                _levels("mehr als 6", "5-6", "3-4", "1-2", "keine"),
            ),
            (
                "Anlernzeit neuer Beschäftigter an der Formanlage",
                1,
                -1,
                -1,
                _levels(
                    "mehr als 8 Wochen",
                    "7-8 Wochen",
                    "5-6 Wochen",
                    "3-4 Wochen",
                    "höchstens 2 Wochen",
                ),
            ),
        ),
        "actions": (
            "QR-Codes mit Lernnuggets an den Formanlagen anbringen",
            "Nuggets auf höchstens fünf Minuten kürzen",
            "Lernzeit im Schichtplan ausweisen",
            "Quiz zu Rüstfehlern ergänzen",
            "Untertitel für Nuggets in lauter Umgebung einfügen",
            "Auswertung der Nutzungszahlen monatlich teilen",
            "Lerninhalte zur Energieeinsparung am Ofen ergänzen",
        ),
        "costs": {"facilitation": 5400, "licences": 1800, "content_production": 4200},
        "roi": 0.55,
        "benefits": {"scrap_reduction": 0.8, "time_savings": 0.2},
        "indicators": (
            (2, "test_score", 82.0, "percent"),
            (3, "behaviour_share", 63.0, "percent"),
            (4, "scrap_rate_change", -0.8, "percentage_points"),
        ),
    },
    {
        "pilot_id": "P04",
        "title_de": "Recyclingfähige Funktionstextilien aus Monomaterial",
        "title_en": "Recyclable mono-material functional textiles",
        "topic": "sustainable_product",
        "companies": ("C09", "C11", "C12"),
        "start": date(2025, 5, 5),
        "end": date(2026, 2, 27),
        "n": 10,
        "effect": {"digital": 0.0, "soft": 0.0, "sustainability": 0.70},
        "loop_base": 3.2,
        "loop_slope": 0.4,
        "satisfaction": 0.2,
        "formats": ("wissensrunde", "workshop", "peer_case"),
        "goals": (
            (
                "Prototyp eines Monomaterial-Artikels",
                3,
                -2,
                1,
                _levels(
                    "kein Konzept",
                    "Konzept liegt vor",
                    "Prototyp gefertigt",
                    "Prototyp im Labor geprüft",
                    "Kundenmuster ausgeliefert",
                ),
            ),
            (
                "Anteil recycelter Fasern im Pilotartikel",
                2,
                -2,
                0,
                _levels("unter 10 %", "10-29 %", "30-49 %", "50-69 %", "70 % und mehr"),
            ),
            (
                "Rücknahmekonzept mit Pilotkunden abgestimmt",
                1,
                -1,
                None,
                _levels(
                    "kein Kontakt",
                    "Gespräch geführt",
                    "Entwurf abgestimmt",
                    "Vereinbarung unterschrieben",
                    "Rücknahme läuft",
                ),
            ),
        ),
        "actions": (
            "Faserlieferanten nach Rezyklat-Zertifikaten fragen",
            "Ausrüstung ohne PFAS im Labor testen",
            "Wissensrunde zu Ökobilanzen mit der Hochschule planen",
            "Musterkollektion für zwei Pilotkunden vorbereiten",
            "Materialpass-Vorlage für den Pilotartikel erstellen",
            "Rücknahmelogistik mit Schussental klären",
            "Ergebnisse für den Nachhaltigkeitsbericht aufbereiten",
        ),
        "costs": {"facilitation": 8400, "materials": 7500, "laboratory_tests": 3600},
        "roi": 0.32,
        "benefits": {"new_product_margin": 0.8, "material_savings": 0.2},
        "indicators": (
            (2, "test_score", 74.0, "percent"),
            (3, "behaviour_share", 55.0, "percent"),
            (4, "recycled_fibre_share_change", 35.0, "percentage_points"),
        ),
    },
    {
        "pilot_id": "P05",
        "title_de": "KI-Assistent für die Angebotserstellung",
        "title_en": "AI assistant for preparing quotations",
        "topic": "ai_assistant",
        "companies": ("C04", "C10"),
        "start": date(2025, 9, 1),
        "end": date(2026, 4, 30),
        "n": 9,
        "effect": {"digital": 0.70, "soft": 0.10, "sustainability": 0.0},
        "loop_base": 3.1,
        "loop_slope": 0.45,
        "satisfaction": 0.3,
        "formats": ("blended", "e_learning", "workshop"),
        "goals": (
            (
                "Bearbeitungszeit je Standardangebot",
                3,
                -1,
                1,
                _levels(
                    "mehr als 4 Stunden",
                    "3-4 Stunden",
                    "2-3 Stunden",
                    "1-2 Stunden",
                    "unter 1 Stunde",
                ),
            ),
            (
                "Angebote mit KI-Entwurf",
                2,
                -2,
                2,
                _levels("keine", "unter 25 %", "25-49 %", "50-74 %", "75 % und mehr"),
            ),
            (
                "Freigaberegeln und Datenschutz für KI-Nutzung dokumentiert",
                1,
                -2,
                0,
                _levels(
                    "nichts geregelt",
                    "Regeln mündlich",
                    "Regeln schriftlich",
                    "Regeln geschult",
                    "Regeln geprüft und gelebt",
                ),
            ),
        ),
        "actions": (
            "Prompt-Vorlagen für Standardangebote sammeln",
            "Freigabeprozess für KI-Entwürfe festlegen",
            "Datenschutzbeauftragte zur Kundendaten-Nutzung befragen",
            "Preislisten als Wissensbasis anbinden",
            "Fehlerbeispiele im Team besprechen",
            "Schulung zu Halluzinationen und Prüfpflichten anbieten",
            "Lizenzmodell nach der Pilotphase prüfen",
        ),
        "costs": {"facilitation": 7800, "licences": 9600, "external_consulting": 14000},
        "roi": -0.35,
        "benefits": {"time_savings": 0.85, "higher_hit_rate": 0.15},
        "indicators": (
            (2, "test_score", 71.0, "percent"),
            (3, "behaviour_share", 58.0, "percent"),
            (4, "quote_turnaround_change", -45.0, "percent"),
        ),
    },
    {
        "pilot_id": "P06",
        "title_de": "Lerntandems Jung & Erfahren",
        "title_en": "Learning tandems, young and experienced",
        "topic": "learning_tandems",
        "companies": ("C10", "C12", "C03"),
        "start": date(2025, 10, 6),
        "end": date(2026, 6, 26),
        "n": 9,
        "effect": {"digital": 0.30, "soft": 0.50, "sustainability": 0.05},
        "loop_base": 3.6,
        "loop_slope": 0.3,
        "satisfaction": 0.7,
        "formats": ("tandem", "wissensrunde"),
        "goals": (
            (
                "Aktive Lerntandems",
                2,
                -2,
                0,
                _levels("keines", "eines", "zwei bis drei", "vier bis fünf", "sechs und mehr"),
            ),
            (
                "Dokumentierte Erfahrungswissen-Steckbriefe",
                1,
                -2,
                1,
                _levels("keine", "1-2", "3-5", "6-9", "10 und mehr"),
            ),
            (
                "Einarbeitungszeit an Web- und Strickmaschinen",
                2,
                -1,
                1,
                _levels(
                    "mehr als 12 Wochen",
                    "10-12 Wochen",
                    "7-9 Wochen",
                    "5-6 Wochen",
                    "höchstens 4 Wochen",
                ),
            ),
        ),
        "actions": (
            "Tandem-Paare nach Interessen statt nach Abteilung bilden",
            "Feste Tandemzeit von 30 Minuten pro Woche vereinbaren",
            "Steckbrief-Vorlage für Erfahrungswissen vereinfachen",
            "Tandem-Tagebuch als Blended-Format testen",
            "Abschlussrunde mit der Geschäftsführung planen",
            "Digitale Tipps der Jüngeren in die Wissensrunde bringen",
            "Tandem mit Argen Webmanufaktur betriebsübergreifend starten",
        ),
        "costs": {"facilitation": 4800},
        "roi": 1.8,
        "benefits": {"onboarding_savings": 0.8, "knowledge_retention": 0.2},
        "indicators": (
            (2, "test_score", 69.0, "percent"),
            (3, "behaviour_share", 66.0, "percent"),
            (4, "onboarding_time_change", -20.0, "percent"),
        ),
    },
)

LOOPS = 3
# pilot topic -> option of the pilot_goals question `topic`
GOAL_TOPICS = {
    "digital_tool": "digital_tools",
    "agile_methods": "agile_methods",
    "micro_learning": "qualification",
    "sustainable_product": "sustainable_business",
    "ai_assistant": "ai",
    "learning_tandems": "qualification",
}
OWNERS = (
    "Produktionsleitung",
    "Ausbildungsleitung",
    "IT-Beauftragte",
    "Qualitätsmanagement",
    "Geschäftsführung",
    "Pilotteam",
    "Verbundmoderation",
    "Arbeitsvorbereitung",
    "Vertrieb",
)
# minutes per session: (min, max), sessions: (min, max)
FORMAT_TIME: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "micro_learning": ((3, 10), (8, 30)),
    "e_learning": ((15, 120), (2, 8)),
    "blended": ((45, 180), (2, 6)),
    "workshop": ((120, 240), (1, 3)),
    "wissensrunde": ((30, 60), (2, 6)),
    "peer_case": ((45, 90), (2, 4)),
    "tandem": ((30, 90), (4, 12)),
}
CODING_CATEGORIES = (
    "time_pressure",
    "technology",
    "communication",
    "leadership_support",
    "motivation",
    "knowledge_transfer",
)
CODERS = ("coder_a", "coder_b", "coder_c")
#: Loaded labour cost of one working hour in the demo network (every demo pilot's rate).
HOURLY_RATE_EUR = 48

TEXTS: dict[str, tuple[str, ...]] = {
    "learned": (
        "Wie die neue Lösung im Alltag funktioniert.",
        "Welche Schritte wir zuerst ausprobieren.",
        "Warum die Änderung für unser Team wichtig ist.",
        "Beispiele aus einem anderen Betrieb im Verbund.",
        "Grundlagen und typische Fehler.",
    ),
    "tried": (
        "Zwei Wochen im Tagesgeschäft getestet.",
        "In der Frühschicht ausprobiert.",
        "Mit einem Kollegen zusammen umgesetzt.",
        "Nur teilweise, wegen Zeitdruck.",
        "Bei einem echten Kundenauftrag angewendet.",
    ),
    "worked": (
        "Die kurze Abstimmung im Team hat geholfen.",
        "Die Vorlage spart Zeit.",
        "Technik lief nicht immer stabil.",
        "Der Austausch mit dem anderen Betrieb war wertvoll.",
        "Es fehlte Zeit zum Üben.",
    ),
    "lessons": (
        "Kleinere Schritte planen.",
        "Mehr Zeit für Rückfragen einplanen.",
        "Erfahrene Kolleginnen früher einbinden.",
        "Klare Zuständigkeiten festlegen.",
        "Weiter so, Ergebnisse sind sichtbar.",
    ),
}
EXCHANGE_WITH = ("colleagues", "managers", "experts", "network", "science")
OBSTACLES = (
    "Keine Zeit neben dem Tagesgeschäft.",
    "Technik war nicht verfügbar.",
    "Unklar, wer zuständig ist.",
    "Auftragsspitze in der Fertigung.",
)
DISCUSSED_WITH = ("colleagues", "managers", "experts", "partners", "nobody")
COMMENTS = (
    "Gut auf unseren Betrieb zugeschnitten.",
    "Etwas zu lang für die Schicht.",
    "Praxisbeispiele waren hilfreich.",
    "Mehr Zeit zum Ausprobieren wäre gut.",
    "Gerne wieder in diesem Format.",
)
