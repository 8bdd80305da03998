"""Catalogue of the demo datasets: names, descriptions and the codebook of every column.

The catalogue is the single description of the shipped files: the loader
uses it for column types, and ``data/README.md`` (the codebook) is rendered
from it by :func:`render_codebook`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "Column", "DatasetInfo", "dataset_names", "render_codebook"]

_LIKERT = "integer 1-5 (1 = trifft gar nicht zu / strongly disagree ... 5 = trifft voll zu)"
_FORMATS = (
    "micro_learning, e_learning, blended, workshop, wissensrunde (knowledge round), "
    "peer_case (kollegiale Fallberatung), tandem (learning tandem / Lernpartnerschaft)"
)
_TOPICS = (
    "digital: data_literacy, digital_tools, it_security, ai_use; "
    "soft: communication, self_organisation, change_agility, teamwork; "
    "sustainability: resource_efficiency, sustainable_products, csr_reporting"
)
_CODE = "pseudonymous participant code, 6 characters (e.g. K7M4QX); never a name"


@dataclass(frozen=True)
class Column:
    """One column of a dataset.

    ``kind`` is one of ``"string"``, ``"integer"``, ``"number"`` (float; also
    integer codes that can be missing, so that missing is ``NaN``) and ``"date"``.
    """

    name: str
    kind: str
    description: str
    values: str = ""
    missing: str = "never missing"


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset: its file, a one-line description, notes and its columns."""

    name: str
    description: str
    columns: tuple[Column, ...]
    notes: str = ""
    filename: str = ""

    @property
    def file(self) -> str:
        """File name inside ``transferkit/datasets/demo/``."""
        return self.filename or f"{self.name}.csv"


def _items(prefix: str, n: int, meaning: str, missing: str) -> tuple[Column, ...]:
    return tuple(
        Column(f"{prefix}_{k}", "number", f"{meaning}, item {k}", _LIKERT, missing)
        for k in range(1, n + 1)
    )


_SA_MISSING = (
    "NaN = item left blank (possible on paper; the shipped data has none, because the "
    "built-in template requires every item)"
)
_LOOP_MISSING = "NaN = the participant did not submit this phase in this loop"

CATALOGUE: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            "network",
            "The regional qualification network (Qualifizierungsverbund), one row",
            (
                Column("network_id", "string", "network id", "QV-ALB"),
                Column("name", "string", "fictional network name"),
                Column("region", "string", "the regions the network covers"),
            ),
        ),
        DatasetInfo(
            "companies",
            "The 12 SMEs (KMU) of the network with size class, sector, region and roles",
            (
                Column("company_id", "string", "company id", "C01 ... C12"),
                Column("name", "string", "fictional company name"),
                Column(
                    "size_class",
                    "string",
                    "EU SME size class by headcount (Recommendation 2003/361/EC)",
                    "micro (< 10 employees), small (< 50), medium (< 250)",
                ),
                Column("employees", "integer", "headcount (Beschäftigte)", "6 ... 185"),
                Column(
                    "sector",
                    "string",
                    "industry",
                    "metal_electrical (Metall- und Elektroindustrie), textile (Textilbranche)",
                ),
                Column(
                    "region",
                    "string",
                    "region in Baden-Württemberg",
                    "Neckar-Alb, Schwarzwald-Baar-Heuberg, Bodensee-Oberschwaben",
                ),
                Column(
                    "roles",
                    "string",
                    "roles of the company in the network, `;`-joined (several possible)",
                    "organiser (Organisator), financier (Finanzierer), sender (entsendet "
                    "Beschäftigte), best_practice (Best-Practice-Geber)",
                ),
            ),
        ),
        DatasetInfo(
            "pilots",
            "The 6 scientifically accompanied pilot projects (Pilotprojekte)",
            (
                Column("pilot_id", "string", "pilot id", "P01 ... P06"),
                Column("title_de", "string", "title in German"),
                Column("title_en", "string", "title in English"),
                Column(
                    "topic",
                    "string",
                    "what is tried out",
                    "digital_tool, agile_methods, micro_learning, sustainable_product, "
                    "ai_assistant, learning_tandems",
                ),
                Column("companies", "string", "taking part, `;`-joined company ids", "1-3 ids"),
                Column("start", "date", "first day", "2025-02 ... 2025-10"),
                Column("end", "date", "last day", "2025-09 ... 2026-06"),
                Column(
                    "loops",
                    "integer",
                    "number of reflection loops (Reflexionsschleifen: Information → Anwendung "
                    "→ Austausch → Optimierung)",
                    "3",
                ),
            ),
        ),
        DatasetInfo(
            "participants",
            "The 60 participants: pseudonymous code, company and pilot",
            (
                Column("participant", "string", _CODE, "unique"),
                Column("company_id", "string", "employer", "C01 ... C12"),
                Column("pilot_id", "string", "pilot the person takes part in", "P01 ... P06"),
            ),
            notes="The first participant of each pilot (in file order) is its coordinator: "
            "they record the GAS goals and the action items.",
        ),
        DatasetInfo(
            "self_assessment",
            "Pre/post competence self-assessment (sheet competence_self_assessment)",
            (
                Column("participant", "string", _CODE),
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column("company_id", "string", "company", "C01 ... C12"),
                Column(
                    "time",
                    "string",
                    "measurement (answer `measurement`)",
                    "pre (at pilot start), post (at pilot end)",
                ),
                *_items(
                    "dig", 4, "digital key skills (digitale Schlüsselqualifikationen)", _SA_MISSING
                ),
                *_items("soft", 4, "future-relevant soft skills", _SA_MISSING),
                *_items("sus", 3, "sustainability competence (Nachhaltigkeit)", _SA_MISSING),
            ),
            notes="`soft_3` is reverse-keyed (as answered; recode with 6 - x before scoring). "
            "Four participants have no post row (dropped out before the post measurement). "
            "Built-in effects (post - pre, in pre-SD units): digital items rise clearly in "
            "P01 (digital tool) and P05 (AI assistant), soft skills in P02 (agile) and P06 "
            "(tandems), sustainability in P04 (sustainable product); P04 shows no change in "
            "soft skills.",
        ),
        DatasetInfo(
            "gas_goals",
            "Goal Attainment Scaling goals per pilot (sheet pilot_goals)",
            (
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column("participant", "string", "code of the pilot coordinator who rated them"),
                Column(
                    "goal_id",
                    "string",
                    "goal id, unique per participant",
                    "<pilot>-<participant>-G<k>, e.g. P01-PASTNT-G1",
                ),
                Column("goal", "string", "the goal, in German"),
                Column("weight", "integer", "importance weight", "1-3"),
                Column("baseline", "integer", "GAS level at the start", "-2 ... 2"),
                Column(
                    "follow_up",
                    "number",
                    "GAS level at the end (-2 much less than expected, 0 expected outcome, "
                    "+2 much more than expected)",
                    "-2 ... 2",
                    "NaN = not yet rated (2 goals)",
                ),
            ),
            notes="The verbal description of each level (`levels`, keys -2 ... 2) is in "
            "responses.jsonl.",
        ),
        DatasetInfo(
            "training_feedback",
            "Feedback on learning formats, Kirkpatrick levels 1-3 and recommendation (NPS)",
            (
                Column("participant", "string", _CODE),
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column("format", "string", "learning format rated", _FORMATS),
                *(
                    Column(f"reaction_{k}", "integer", "Kirkpatrick level 1 (reaction)", _LIKERT)
                    for k in (1, 2, 3)
                ),
                *(
                    Column(f"learning_{k}", "integer", "Kirkpatrick level 2 (learning)", _LIKERT)
                    for k in (1, 2)
                ),
                *(
                    Column(f"behaviour_{k}", "integer", "Kirkpatrick level 3 (behaviour)", _LIKERT)
                    for k in (1, 2)
                ),
                Column(
                    "recommend",
                    "integer",
                    "would recommend the format to a colleague (NPS question)",
                    "0-10 (0-6 detractor, 7-8 passive, 9-10 promoter)",
                ),
            ),
            notes="About one in ten participants did not return the sheet (no row). The "
            "optional free-text `comment` is in responses.jsonl only.",
        ),
        DatasetInfo(
            "needs",
            "Needs analysis (Bedarfsanalyse): importance and current competence per topic",
            (
                Column("company_id", "string", "company", "C01 ... C12"),
                Column("participant", "string", _CODE),
                Column("topic", "string", "topic", _TOPICS),
                Column("area", "string", "core area of the topic", "digital, soft, sustainability"),
                Column("importance", "integer", "how important the topic is for the job", _LIKERT),
                Column("competence", "integer", "own current competence", _LIKERT),
            ),
            notes="One needs_analysis sheet per participant, 1-3 weeks before the pilot "
            "starts; 11 rows per participant. Gap = importance - competence.",
        ),
        DatasetInfo(
            "needs_profile",
            "Needs analysis: preferred learning formats and time available per week",
            (
                Column("company_id", "string", "company", "C01 ... C12"),
                Column("participant", "string", _CODE),
                Column("formats", "string", "preferred formats, `;`-joined", _FORMATS),
                Column(
                    "minutes_per_week",
                    "integer",
                    "minutes per week available for learning next to daily business",
                    "15, 30, 45, 60, 90, 120, 180",
                ),
                Column(
                    "discussed_with",
                    "string",
                    "with whom the needs were discussed (Bedarfsanalyse durch Austausch), "
                    "`;`-joined",
                    "colleagues, managers, experts, partners, nobody",
                    "NaN = optional question not answered",
                ),
            ),
        ),
        DatasetInfo(
            "loop_ratings",
            "Reflection-loop ratings per pilot, loop and participant (template reflection_loop)",
            (
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column("loop", "integer", "loop number", "1-3"),
                Column("participant", "string", _CODE),
                Column(
                    "info_useful",
                    "number",
                    "phase Information: input was useful",
                    _LIKERT,
                    _LOOP_MISSING,
                ),
                Column(
                    "app_success",
                    "number",
                    "phase Anwendung: application succeeded",
                    _LIKERT,
                    _LOOP_MISSING,
                ),
                Column(
                    "exchange_quality",
                    "number",
                    "phase Austausch: quality of the exchange",
                    _LIKERT,
                    _LOOP_MISSING,
                ),
                Column(
                    "loop_satisfaction",
                    "number",
                    "phase Optimierung: satisfaction with the loop",
                    _LIKERT,
                    _LOOP_MISSING,
                ),
            ),
            notes="Each phase is a separate submission. A participant absent from a loop has "
            "no row for it. Ratings rise over the loops in most pilots and fall in P02 "
            "(agile methods).",
        ),
        DatasetInfo(
            "action_items",
            "Action items (Maßnahmen) agreed in the Optimierung phase, with their final status",
            (
                Column("item_id", "integer", "item number", "1 ... n"),
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column("loop_raised", "integer", "loop in which the item was agreed", "1-3"),
                Column("what", "string", "the action, in German"),
                Column("owner", "string", "responsible role (a function, never a name)"),
                Column("due", "date", "due date"),
                Column(
                    "status",
                    "string",
                    "status after the last loop",
                    "done, dropped, carried_over (carried into later loops and still "
                    "unfinished), open (agreed in the last loop, not yet reviewed)",
                ),
                Column(
                    "loop_closed",
                    "number",
                    "loop whose review marked it done or dropped",
                    "2-3",
                    "NaN = not closed (status open or carried_over)",
                ),
            ),
            notes="Items are reviewed in the Optimierung phase of each later loop; the "
            "coordinator's `actions` answer lists the reviewed and the new items.",
        ),
        DatasetInfo(
            "costs",
            "Costs per pilot in EUR (for ROI)",
            (
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column(
                    "cost_item",
                    "string",
                    "cost type",
                    "staff_learning_time (Lernzeit: planned learning plus loop meetings at "
                    "48 EUR/h), facilitation (Moderation / Lernprozessbegleitung), licences, "
                    "hardware, external_consulting, content_production, materials, "
                    "laboratory_tests",
                ),
                Column("amount_eur", "integer", "amount in EUR"),
            ),
            notes="In the store: table `pilot_costs` (`store.add_cost`, `store.costs()`, which "
            "adds an optional `note`); one row per pilot and cost item.",
        ),
        DatasetInfo(
            "benefits",
            "Monetised benefits per pilot in EUR (for ROI); P05 has a negative ROI",
            (
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column(
                    "benefit_item",
                    "string",
                    "benefit type",
                    "time_savings, quality_improvement, lead_time_reduction, "
                    "fewer_complaints, scrap_reduction, new_product_margin, material_savings, "
                    "higher_hit_rate, onboarding_savings, knowledge_retention",
                ),
                Column("amount_eur", "integer", "amount in EUR (first year)"),
            ),
            notes="In the store: table `pilot_benefits` (`store.add_benefit`, "
            "`store.benefits()`, which adds an optional `note`); one row per pilot and "
            "benefit item.",
        ),
        DatasetInfo(
            "indicators",
            "Kirkpatrick indicators per pilot (levels 1-4)",
            (
                Column("pilot_id", "string", "pilot", "P01 ... P06"),
                Column(
                    "level",
                    "integer",
                    "Kirkpatrick level",
                    "1 reaction, 2 learning, 3 behaviour, 4 results",
                ),
                Column(
                    "indicator",
                    "string",
                    "indicator",
                    "satisfaction (L1, mean of reaction items in training_feedback), "
                    "test_score (L2), behaviour_share (L3, share of observed work situations "
                    "using the new practice), and one L4 result per pilot: "
                    "search_time_change, order_lead_time_change, scrap_rate_change, "
                    "recycled_fibre_share_change, quote_turnaround_change, "
                    "onboarding_time_change",
                ),
                Column("value", "number", "value in `unit`"),
                Column(
                    "unit",
                    "string",
                    "unit of `value`",
                    "likert_1_5, percent, percentage_points (changes: negative = reduction)",
                ),
            ),
            notes="In the store: table `kirkpatrick_indicators` (`store.add_indicator`, "
            "`store.indicators()`); one row per pilot and indicator.",
        ),
        DatasetInfo(
            "coding",
            "Three coders' categories for 40 workshop notes (for Krippendorff's alpha)",
            (
                Column("unit", "string", "workshop note id", "N01 ... N40"),
                Column("coder", "string", "coder", "coder_a, coder_b, coder_c"),
                Column(
                    "category",
                    "string",
                    "nominal category assigned",
                    "time_pressure (Zeitdruck), technology, communication, "
                    "leadership_support (Unterstützung durch Führung), motivation, "
                    "knowledge_transfer",
                    "NaN = the coder left the note uncoded",
                ),
            ),
            notes="Long format, 120 rows (every unit x coder). Codes agree mostly, not fully.",
        ),
        DatasetInfo(
            "format_plan",
            "Planned learning formats per participant (Bildungsplan) with their time cost",
            (
                Column("company_id", "string", "company", "C01 ... C12"),
                Column("participant", "string", _CODE),
                Column("format", "string", "learning format", _FORMATS),
                Column("sessions", "integer", "planned number of sessions", "1-30"),
                Column(
                    "minutes_per_session",
                    "integer",
                    "minutes per session",
                    "micro_learning 3-10, e_learning 15-120, blended 45-180, workshop "
                    "120-240, wissensrunde 30-60, peer_case 45-90, tandem 30-90",
                ),
            ),
            notes="The first format of each participant is the pilot's main format; further "
            "ones come from the participant's preferred formats (needs_profile). In the "
            "store: table `format_plans` (`store.add_format_plan`, `store.format_plans()`); "
            "one row per participant and format, erased with the participant.",
        ),
        DatasetInfo(
            "responses",
            "The raw sheet responses, one JSON object per line (responses.jsonl)",
            (
                Column(
                    "template",
                    "string",
                    "built-in template id",
                    "needs_analysis, competence_self_assessment, training_feedback, "
                    "reflection_loop, pilot_goals",
                ),
                Column("template_version", "integer", "template version", "1"),
                Column("pilot", "string", "pilot id", "P01 ... P06"),
                Column(
                    "loop",
                    "number",
                    "loop number (reflection_loop only)",
                    "1-3",
                    "null/NaN for sheets outside a loop",
                ),
                Column(
                    "phase",
                    "string",
                    "loop phase (reflection_loop only)",
                    "information, anwendung, austausch, optimierung",
                    "null/NaN for sheets outside a loop",
                ),
                Column("participant", "string", _CODE),
                Column(
                    "submitted_at",
                    "string",
                    "submission time, ISO 8601 with the German UTC offset",
                    "e.g. 2025-02-04T09:12:00+01:00",
                ),
                Column("submission_id", "string", "unique id (uuid5); re-import is idempotent"),
                Column(
                    "answers",
                    "string",
                    "answers by question id, shaped as the template's cleaned answers "
                    "(likert int, multi_choice list, gas_goal list of dicts, action_items "
                    "list of dicts)",
                    "",
                    "a question left blank is absent",
                ),
            ),
            filename="responses.jsonl",
            notes="The tidy tables self_assessment, gas_goals, training_feedback, needs, "
            "needs_profile, loop_ratings and action_items are derived from these records.",
        ),
    )
}


def dataset_names() -> list[str]:
    """Names of all demo datasets, in catalogue order.

    >>> dataset_names()[:3]
    ['network', 'companies', 'pilots']
    """
    return list(CATALOGUE)


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "-"


def render_codebook() -> str:
    """The codebook of all datasets as Markdown (the text of ``data/README.md``)."""
    lines = [
        "# Demo data: the Qualifizierungsverbund Albtrauf (codebook)",
        "",
        (
            "A fictional regional qualification network (*Qualifizierungsverbund*) of twelve "
            "metal/electrical and textile SMEs (*KMU*) in Baden-Württemberg, six pilot projects "
            "with three reflection loops (*Reflexionsschleifen*: Information → Anwendung → "
            "Austausch → Optimierung) each, and 60 participants known only by pseudonymous codes. "
            "All companies, codes and numbers are invented; effects are built in on purpose so "
            "that the evaluation functions have something to find."
        ),
        "",
        (
            "The files live in the package (`src/transferkit/datasets/demo/`) and are written by "
            "`python -m transferkit.datasets.generate` (seeded, byte-for-byte reproducible; never "
            "edit them by hand). Load them with:"
        ),
        "",
        "```python",
        "from transferkit.datasets import list_datasets, load_demo, read_dataset",
        "demo = load_demo()                 # all tables + raw responses",
        'needs = read_dataset("needs")      # one table',
        "```",
        "",
        (
            "`transferkit db import-demo` (or `import_demo(store)`) loads the network, companies, "
            "pilots, participants, every response, the action items, the costs and benefits, "
            "the Kirkpatrick indicators and the planned learning formats into the store. "
            "Your own costs, benefits, indicators and format plans go into the store with "
            "`transferkit db import costs|benefits|indicators|formats FILE.csv` (the columns "
            "below; all rows or none). This folder (`data/`) holds the local database "
            "`transferkit.db` (git-ignored)."
        ),
        "",
        (
            "Conventions: ids are text (`C01`, `P01`); lists inside a cell are `;`-joined; "
            "dates are ISO 8601; an empty CSV cell is a missing value (NaN when loaded). "
            "Columns of kind *number* are floats (integer codes that can be missing)."
        ),
        "",
    ]
    for info in CATALOGUE.values():
        lines += [f"## `{info.name}` ({info.file})", "", info.description + ".", ""]
        if info.notes:
            lines += [info.notes, ""]
        lines += [
            "| column | type | meaning | values | missing |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {c.kind} | {_cell(c.description)} | {_cell(c.values)} | "
            f"{_cell(c.missing)} |"
            for c in info.columns
        ]
        lines.append("")
    return "\n".join(lines)
