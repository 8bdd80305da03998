"""Sheet and loop templates: typed models, YAML loader, answer validation.

A template is a YAML file validated into typed models. It defines a *sheet*
(ordered questions) or a *loop* (ordered phases, each a sheet). Eight
templates are built in (:func:`list_templates`); users write their own in
the same format (JSON Schema: :func:`template_json_schema`).

Examples
--------
>>> from transferkit.templates import load_template
>>> t = load_template("needs_analysis")
>>> answers = t.example_answers(seed=1)
>>> t.validate(answers) == answers
True
"""

from transferkit.templates.loader import (
    list_templates,
    load_template,
    load_template_string,
    template_json_schema,
    write_schema,
)
from transferkit.templates.model import (
    QUESTION_TYPES,
    ActionItemsQuestion,
    AnyQuestion,
    Condition,
    DotVoteQuestion,
    Feedback,
    GasGoalQuestion,
    LikertPoint,
    LikertQuestion,
    LocalizedText,
    LongTextQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    Option,
    Phase,
    Question,
    RankingQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Template,
    TextQuestion,
)
from transferkit.templates.validation import GAS_LEVELS, is_empty

__all__ = [
    "GAS_LEVELS",
    "QUESTION_TYPES",
    "ActionItemsQuestion",
    "AnyQuestion",
    "Condition",
    "DotVoteQuestion",
    "Feedback",
    "GasGoalQuestion",
    "LikertPoint",
    "LikertQuestion",
    "LocalizedText",
    "LongTextQuestion",
    "MultiChoiceQuestion",
    "NumberQuestion",
    "Option",
    "Phase",
    "Question",
    "RankingQuestion",
    "ScaleQuestion",
    "SingleChoiceQuestion",
    "Template",
    "TextQuestion",
    "is_empty",
    "list_templates",
    "load_template",
    "load_template_string",
    "template_json_schema",
    "write_schema",
]
