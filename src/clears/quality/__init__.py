"""Data-quality rules as declared data, and their vectorised evaluation over cohort tables."""

from clears.quality._evaluate import FINDING_COLUMNS, QualityResult, evaluate
from clears.quality._rules import KINDS, SEVERITIES, Rule, bundled_rules, load_rules, merge_rules

__all__ = [
    "FINDING_COLUMNS",
    "KINDS",
    "SEVERITIES",
    "QualityResult",
    "Rule",
    "bundled_rules",
    "evaluate",
    "load_rules",
    "merge_rules",
]
