"""Why a cohort has no outcomes: the one sentence every empty result shows."""

from __future__ import annotations

from clears.cohort import Cohort

__all__ = ["no_outcomes_reason"]


def no_outcomes_reason(cohort: Cohort, drug: str) -> str:
    """Say why :func:`clears.outcomes.derive` finds no treated patient in ``cohort``.

    Outcomes are derived per patient from the first treatment period of the studied drug
    (the index date), so a cohort without patients, without treatment periods (a registry
    filled by ``clears import-redcap``, which brings visits and adverse events only) or
    without a period of ``drug`` has none.

    Examples
    --------
    >>> import pandas as pd
    >>> from clears.cohort import REQUIRED_COLUMNS
    >>> empty = {t: pd.DataFrame(columns=list(REQUIRED_COLUMNS[t])) for t in REQUIRED_COLUMNS}
    >>> no_outcomes_reason(Cohort(**empty), "lenalidomide")
    'The cohort has no patients, so there are no outcomes.'
    """
    n = len(cohort.patients)
    if n == 0:
        return "The cohort has no patients, so there are no outcomes."
    periods = len(cohort.treatments)
    if periods == 0:
        what = "the treatments table has no rows"
    else:
        what = f"none of its {periods} treatment periods is of {drug}"
    return (
        f"None of the cohort's {n} patients has a {drug} treatment period ({what}), so there "
        "are no outcomes."
    )
