"""Statistical analysis over tidy cohort and outcome frames.

Each function takes plain DataFrames (or numbers) with column names passed as keyword
arguments and returns a tidy DataFrame or a small result object that names the method that
produced it. Modules: :mod:`~clears.analysis.table_one`, :mod:`~clears.analysis.adverse_events`,
:mod:`~clears.analysis.proportions`, :mod:`~clears.analysis.comparisons`,
:mod:`~clears.analysis.rates`, :mod:`~clears.analysis.survival` (computed as R's survival)
and :mod:`~clears.analysis.aggregates` (tests from published summary statistics).
"""

from clears.analysis._results import (
    ComparisonResult,
    ProportionEstimate,
    RateEstimate,
    ResponseRates,
)
from clears.analysis._rounding import format_percent, round_half_up
from clears.analysis.adverse_events import AeTable, ae_table, exposure_years
from clears.analysis.aggregates import (
    fisher_from_counts,
    paired_t_test_from_summary,
    t_test_from_summary,
    wald_p_from_ratio_ci,
)
from clears.analysis.comparisons import (
    chi2_test,
    fisher_exact,
    kruskal_wallis,
    mann_whitney,
    t_test,
)
from clears.analysis.proportions import proportion_ci, response_rates
from clears.analysis.rates import incidence_rate, incidence_table
from clears.analysis.survival import (
    CoxResult,
    KaplanMeierResult,
    cox_ph,
    kaplan_meier,
    log_rank,
    survival_at,
)
from clears.analysis.table_one import TableOne, table_one

__all__ = [
    "AeTable",
    "ComparisonResult",
    "CoxResult",
    "KaplanMeierResult",
    "ProportionEstimate",
    "RateEstimate",
    "ResponseRates",
    "TableOne",
    "ae_table",
    "chi2_test",
    "cox_ph",
    "exposure_years",
    "fisher_exact",
    "fisher_from_counts",
    "format_percent",
    "incidence_rate",
    "incidence_table",
    "kaplan_meier",
    "kruskal_wallis",
    "log_rank",
    "mann_whitney",
    "paired_t_test_from_summary",
    "proportion_ci",
    "response_rates",
    "round_half_up",
    "survival_at",
    "t_test",
    "t_test_from_summary",
    "table_one",
    "wald_p_from_ratio_ci",
]
