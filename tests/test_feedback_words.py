"""Feedback in words (issue 12, item 5): option labels instead of stored values, a GAS
summary with levels in words, scale groups by name (de/en), charts on the items' range."""

from __future__ import annotations

import re
import textwrap

import pytest

from transferkit.sheets.answer_words import answer_in_words, gas_level_words
from transferkit.sheets.feedback import bars_html, feedback_content, feedback_html
from transferkit.templates import load_template, load_template_string
from transferkit.vocabulary import GAS_LEVEL_NAMES, SCALE_GROUP_NAMES, STATUS_LABELS


def _rows(content: object) -> dict[str, str]:
    return {row.label: row.text for row in content.rows}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- labels
@pytest.mark.parametrize("lang", ["de", "en"])
def test_training_feedback_shows_option_and_point_labels(lang: str) -> None:
    template = load_template("training_feedback")
    answers = template.validate(template.example_answers(seed=2) | {"format": "tandem"})
    content = feedback_content(template, answers, lang=lang)
    assert content is not None
    rows = _rows(content)
    fmt = template.question("format")
    tandem = {o.value: o.label.get(lang) for o in fmt.options}["tandem"]  # type: ignore[attr-defined]
    assert rows[fmt.label.get(lang)] == tandem
    assert "tandem" not in rows.values()  # never the stored value
    reaction = template.question("reaction_1")
    point = {p.value: p.label.get(lang) for p in reaction.points}[answers["reaction_1"]]  # type: ignore[attr-defined]
    assert rows[reaction.label.get(lang)].startswith(point)
    recommend = rows[template.question("recommend").label.get(lang)]
    assert recommend.endswith("0–10)")  # a scale answer names its range


def test_multi_choice_ranking_and_dot_vote_in_words() -> None:
    text = textwrap.dedent(
        """\
        id: words
        version: 1
        title: {de: W, en: W}
        feedback: {kind: vote_results, question: votes}
        questions:
          - id: many
            type: multi_choice
            label: {de: Mehrere, en: Several}
            options:
              - {value: kanban, label: {de: Kanban-Tafel, en: Kanban board}}
              - {value: wiki, label: {de: Team-Wiki, en: Team wiki}}
          - id: order
            type: ranking
            label: {de: Reihenfolge, en: Order}
            options:
              - {value: kanban, label: {de: Kanban-Tafel, en: Kanban board}}
              - {value: wiki, label: {de: Team-Wiki, en: Team wiki}}
          - id: votes
            type: dot_vote
            budget: 3
            label: {de: Punkte, en: Points}
            options:
              - {value: kanban, label: {de: Kanban-Tafel, en: Kanban board}}
              - {value: wiki, label: {de: Team-Wiki, en: Team wiki}}
        """
    )
    template = load_template_string(text)
    answers = template.validate(
        {"many": ["wiki", "kanban"], "order": ["wiki", "kanban"], "votes": {"kanban": 2, "wiki": 1}}
    )
    de = _rows(feedback_content(template, answers, lang="de"))
    assert de["Mehrere"] == "Kanban-Tafel; Team-Wiki"  # in the order of the options
    assert de["Reihenfolge"] == "1. Team-Wiki; 2. Kanban-Tafel"
    assert de["Punkte"] == "Kanban-Tafel: 2 Punkte; Team-Wiki: 1 Punkt"
    en = _rows(feedback_content(template, answers, lang="en"))
    assert en["Points"] == "Kanban board: 2 points; Team wiki: 1 point"


def test_action_items_show_their_status_in_words() -> None:
    loop = load_template("reflection_loop")
    actions = [{"what": "Checkliste", "who": "", "due": None, "status": "carried_over"}]
    for lang in ("de", "en"):
        content = feedback_content(loop, {"actions": actions}, phase="optimierung", lang=lang)
        assert content is not None
        (row,) = content.rows
        assert STATUS_LABELS[lang]["carried_over"] in row.text
        assert "carried_over" not in row.text


# --------------------------------------------------------------------------- GAS summary
GOALS = [
    {
        "goal": "Anfragen vollständig im Ticketsystem",
        "weight": 2,
        "levels": {
            "-2": "kaum eine Anfrage im System",
            "-1": "etwa die Hälfte im System",
            "0": "drei Viertel im System",
            "1": "fast alle im System",
            "2": "alle im System",
        },
        "baseline": -1,
        "follow_up": None,
    },
    {
        "goal": "Wissensrunde jeden Monat",
        "weight": 1,
        "levels": {
            "-2": "keine Runde",
            "-1": "eine Runde im Quartal",
            "0": "jeden Monat eine Runde",
            "1": "zwei Runden im Monat",
            "2": "jede Woche eine Runde",
        },
        "baseline": -2,
        "follow_up": 1,
    },
]


def test_pilot_goals_feedback_is_a_gas_summary_in_words() -> None:
    template = load_template("pilot_goals")
    answers = template.validate({"topic": "digital_tools", "goals": GOALS})
    content = feedback_content(template, answers, lang="de")
    assert content is not None
    assert content.kind == "gas_summary"
    assert content.title == "Ihre Ziele"
    assert [r.label for r in content.rows] == [g["goal"] for g in GOALS]
    first, second = (r.text for r in content.rows)
    # the baseline: the level, what it means, and the participant's own words for it
    assert f"Stufe −1 ({GAS_LEVEL_NAMES['de']['-1']}): etwa die Hälfte im System" in first
    assert "wird später eingetragen" in first  # no follow-up yet
    assert "Gewicht 2" in first
    assert f"Stufe −2 ({GAS_LEVEL_NAMES['de']['-2']}): keine Runde" in second
    assert f"erreicht Stufe +1 ({GAS_LEVEL_NAMES['de']['1']}): zwei Runden im Monat" in second
    assert "Gewicht" not in second  # the normal weight is not worth a word
    html = feedback_html(content)
    for internal in ("levels", "follow_up", "{", "None"):
        assert internal not in html
    en = feedback_content(template, answers, lang="en")
    assert en is not None
    assert "level -1".replace("-", "−") in en.rows[0].text
    assert "to be rated later" in en.rows[0].text


def test_gas_level_words() -> None:
    assert gas_level_words(0, "de") == "Stufe 0 (wie erwartet)"
    assert gas_level_words(2, "en", "every week") == (
        "level +2 (much better than expected): every week"
    )


def test_gas_summary_of_a_phase_question_named() -> None:
    text = textwrap.dedent(
        """\
        id: two_gas
        version: 1
        title: {de: G, en: G}
        feedback: {kind: gas_summary, question: team}
        questions:
          - {id: own, type: gas_goal, label: {de: Eigene Ziele, en: Own goals}}
          - {id: team, type: gas_goal, label: {de: Teamziele, en: Team goals}}
        """
    )
    template = load_template_string(text)
    content = feedback_content(template, {"own": GOALS[:1], "team": GOALS[1:]}, lang="de")
    assert content is not None
    assert [r.label for r in content.rows] == ["Wissensrunde jeden Monat"]  # only `team`


# --------------------------------------------------------------------------- profile
@pytest.mark.parametrize("lang", ["de", "en"])
def test_competence_profile_names_scale_groups_and_the_1_to_5_range(lang: str) -> None:
    template = load_template("competence_self_assessment")
    answers = {"measurement": "pre", "dig_1": 1, "dig_2": 2, "soft_1": 5, "sus_1": 3}
    content = feedback_content(template, answers, lang=lang)
    assert content is not None
    names = SCALE_GROUP_NAMES[lang]
    assert [r.label for r in content.rows] == [
        names["digital"],
        names["soft"],
        names["sustainability"],
    ]
    for row in content.rows:
        assert row.text.endswith("1–5)")  # the items' scale, not 0–5
    assert content.rows[0].text.startswith("Mittelwert 1,5" if lang == "de" else "mean 1.5")
    html = feedback_html(content)
    axis = re.search(r'class="tk-chart-axis">([^<]*)<', html)
    assert axis is not None
    assert axis.group(1).endswith("(1–5)")
    assert "(0–5)" not in html
    widths = [float(w) for w in re.findall(r'class="tk-bar" style="width:([0-9.]+)%"', html)]
    # (mean - 1) / (5 - 1): 1.5 -> 12.5 %, 5 -> 100 %, 3 -> 50 %
    assert widths == [12.5, 100.0, 50.0]
    for raw in ("digital", "soft:", "sustainability"):
        assert raw not in html


def test_a_custom_scale_group_has_its_own_words_and_range() -> None:
    points = ", ".join(f"{{value: {v}, label: {{de: '{v}', en: '{v}'}}}}" for v in range(4))
    text = textwrap.dedent(
        f"""\
        id: custom_profile
        version: 1
        title: {{de: P, en: P}}
        feedback: {{kind: profile}}
        scale_groups:
          unterstuetzung: {{de: Unterstützung durch die Leitung, en: Support by management}}
        questions:
          - {{id: u1, type: likert, scale_group: unterstuetzung, points: [{points}],
              label: {{de: A, en: A}}}}
          - {{id: u2, type: likert, scale_group: unterstuetzung, points: [{points}],
              label: {{de: B, en: B}}}}
        """
    )
    template = load_template_string(text)
    content = feedback_content(template, {"u1": 3, "u2": 2}, lang="de")
    assert content is not None
    (row,) = content.rows
    assert row.label == "Unterstützung durch die Leitung"
    assert row.text == "Mittelwert 2,5 (Skala 0–3)"
    assert (content.scale_min, content.scale_max) == (0.0, 3.0)
    en = feedback_content(template, {"u1": 3, "u2": 2}, lang="en")
    assert en is not None
    assert en.rows[0].label == "Support by management"
    assert "unterstuetzung" not in feedback_html(en)


def test_bars_start_where_the_scale_starts() -> None:
    html = bars_html([("a", 3.0), ("b", 1.0), ("c", 0.0)], top=5, bottom=1, axis="Mittelwert")
    widths = [float(w) for w in re.findall(r'style="width:([0-9.]+)%"', html)]
    assert widths == [50.0, 0.0, 0.0]  # below the scale's start: drawn as 0
    assert "Mittelwert (1–5)" in html
    assert "(0–4)" in bars_html([("a", 2.0)], top=4)  # the default still starts at 0


def test_answer_in_words_of_an_unknown_question_is_its_value() -> None:
    assert answer_in_words(None, ["a", 2.5], "de") == "a; 2,5"
