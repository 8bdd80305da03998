"""Statistics for evaluating pilot projects: pre/post change, GAS, reliability, loops, needs.

Modules are named after their concept (``paired``, ``change``, ``gas`` ...) and
not after the functions they hold, so that ``transferkit.evaluation.prepost``
is always the function.
"""

from transferkit.evaluation.change import reliable_change, reliable_change_summary
from transferkit.evaluation.checks import EvaluationInputError
from transferkit.evaluation.costbenefit import roi
from transferkit.evaluation.formats import format_cost
from transferkit.evaluation.gas import gas_summary, gas_tscore
from transferkit.evaluation.kirkpatrick_levels import kirkpatrick
from transferkit.evaluation.likert import likert_summary
from transferkit.evaluation.loops import action_item_flow, loop_indicators, loop_trends
from transferkit.evaluation.meta import meta_analysis
from transferkit.evaluation.needs import needs_priorities
from transferkit.evaluation.paired import prepost
from transferkit.evaluation.promoters import nps
from transferkit.evaluation.reliability import cronbach_alpha, krippendorff_alpha, scale_scores

__all__ = [
    "EvaluationInputError",
    "action_item_flow",
    "cronbach_alpha",
    "format_cost",
    "gas_summary",
    "gas_tscore",
    "kirkpatrick",
    "krippendorff_alpha",
    "likert_summary",
    "loop_indicators",
    "loop_trends",
    "meta_analysis",
    "needs_priorities",
    "nps",
    "prepost",
    "reliable_change",
    "reliable_change_summary",
    "roi",
    "scale_scores",
]
