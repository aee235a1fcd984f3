"""Vectorised Skindex-29+3: a frame of ``skindex_q1`` ... ``skindex_q33`` in, domain scores out.

The same rules as :mod:`clears.instruments.skindex.record`, read from the same definition.

References
----------
Chren MM, et al. Arch Dermatol 1997;133(11):1433-1440 (Skindex-29). Chren MM. Dermatol Clin
2012;30(2):231-236. doi:10.1016/j.det.2011.11.003 (scoring). Nijsten T, et al. Dermatology
2009;218(2):151-154 (severe cut-offs, values unverified).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clears.instruments._base import frame_codes
from clears.instruments.skindex.definition import (
    DEFINITION,
    DOMAINS,
    MAX_MISSING_FRACTION,
    SEVERE_CUTOFFS,
    allowed_unanswered,
)

__all__ = ["score_frame"]


def score_frame(frame: pd.DataFrame, *, max_missing: float = MAX_MISSING_FRACTION) -> pd.DataFrame:
    """Score every row of a frame of Skindex-29+3 item columns.

    Parameters
    ----------
    frame
        One row per questionnaire with ``skindex_q1`` ... ``skindex_q33`` (codes 0-4);
        blank cells and absent columns are unanswered items.
    max_missing
        The largest fraction of a domain's items that may be unanswered with the domain
        still scored (default a quarter; clears' documented choice).

    Returns
    -------
    pandas.DataFrame
        Same index, with ``skindex_symptoms``, ``skindex_emotions``,
        ``skindex_functioning`` and ``skindex_lupus`` (nullable Float64, 0-100; missing when
        too many of the domain's items are unanswered), ``skindex_<domain>_severe``
        (nullable boolean) for the three Skindex-29 domains, and ``skindex_unanswered``
        (int64, the number of unanswered items of all 33).

    Raises
    ------
    InputError
        Rows (1-based) and columns of codes that are not numbers or not allowed answers,
        or a bad ``max_missing``.

    Examples
    --------
    >>> frame = pd.DataFrame({f"skindex_q{n}": [4, 0] for n in range(1, 34)})
    >>> score_frame(frame)["skindex_symptoms"].tolist()
    [100.0, 0.0]
    """
    limits = {d.name: allowed_unanswered(d, max_missing) for d in DOMAINS}
    codes = frame_codes(DEFINITION, frame, partial=True)
    out: dict[str, object] = {}
    for domain in DOMAINS:
        items = np.column_stack([codes[f"skindex_q{n}"] for n in domain.items]) * 25.0
        missing = np.isnan(items).sum(axis=1)
        answered = len(domain.items) - missing
        scored = (missing <= limits[domain.name]) & (answered > 0)
        sums = np.nansum(items, axis=1)
        means = np.divide(sums, answered, out=np.full(len(frame), np.nan), where=scored)
        scores = pd.array(means, dtype="Float64")
        out[f"skindex_{domain.name}"] = scores
        if domain.name in SEVERE_CUTOFFS:
            severe = pd.Series(means >= SEVERE_CUTOFFS[domain.name], dtype="boolean")
            out[f"skindex_{domain.name}_severe"] = severe.where(scored).array
    every = np.column_stack([codes[f.column] for f in DEFINITION.fields])
    out["skindex_unanswered"] = np.isnan(every).sum(axis=1).astype(np.int64)
    return pd.DataFrame(out, index=frame.index)
