"""Sheet and loop templates: typed models, YAML loader, answer validation.

A template is a YAML file validated into typed models. It defines a *sheet*
(ordered questions) or a *loop* (ordered phases, each a sheet). The shared
models are in :mod:`~transferkit.templates.model`, each question type in its
own module under :mod:`~transferkit.templates.types`. Eight
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
    Condition,
    Feedback,
    LocalizedText,
    Option,
    Phase,
    Question,
    Template,
    is_empty,
)
from transferkit.templates.types import QUESTION_TYPES, AnyQuestion
from transferkit.templates.types.action_items import ActionItemsQuestion
from transferkit.templates.types.dot_vote import DotVoteQuestion
from transferkit.templates.types.gas_goal import GAS_LEVELS, GasGoalQuestion
from transferkit.templates.types.likert import LikertPoint, LikertQuestion
from transferkit.templates.types.long_text import LongTextQuestion
from transferkit.templates.types.multi_choice import MultiChoiceQuestion
from transferkit.templates.types.number import NumberQuestion
from transferkit.templates.types.ranking import RankingQuestion
from transferkit.templates.types.scale import ScaleQuestion
from transferkit.templates.types.single_choice import SingleChoiceQuestion
from transferkit.templates.types.text import TextQuestion

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
