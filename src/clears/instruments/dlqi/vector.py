"""Vectorised DLQI: a frame of ``dlqi_q1`` ... ``dlqi_q10`` in, totals and bands out.

The same rules as :mod:`clears.instruments.dlqi.record`, read from the same definition.

References
----------
Finlay AY, Khan GK. Clin Exp Dermatol 1994;19(3):210-216.
doi:10.1111/j.1365-2230.1994.tb01167.x. Hongbo Y, et al. J Invest Dermatol
2005;125(4):659-664. doi:10.1111/j.0022-202X.2005.23621.x (bands).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clears.instruments._base import frame_bands, frame_codes
from clears.instruments.dlqi.definition import (
    BANDS,
    DEFINITION,
    MAX_UNANSWERED,
    NOT_RELEVANT,
    TOTAL_COLUMN,
)

__all__ = ["score_frame"]


def score_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Score every row of a frame of DLQI item columns.

    Parameters
    ----------
    frame
        One row per questionnaire with ``dlqi_q1`` ... ``dlqi_q10`` (codes 0-3, 9 = not
        relevant); blank cells and absent columns are unanswered items.

    Returns
    -------
    pandas.DataFrame
        Same index, with ``dlqi`` (nullable Int64, 0-30; missing when two or more items are
        unanswered), ``dlqi_band`` (ordered categorical, Hongbo 2005) and
        ``dlqi_unanswered`` (int64, the number of unanswered items).

    Raises
    ------
    InputError
        Rows (1-based) and columns of codes that are not numbers or not allowed answers.

    Examples
    --------
    >>> frame = pd.DataFrame({f"dlqi_q{n}": [3, 0] for n in range(1, 11)})
    >>> score_frame(frame)["dlqi"].tolist()
    [30, 0]
    """
    codes = frame_codes(DEFINITION, frame, partial=True)
    items = np.column_stack([codes[f.column] for f in DEFINITION.fields])
    unanswered = np.isnan(items).sum(axis=1)
    points = np.where(np.isnan(items) | (items == NOT_RELEVANT), 0.0, items)
    totals = np.where(unanswered <= MAX_UNANSWERED, points.sum(axis=1), np.nan)
    return pd.DataFrame(
        {
            TOTAL_COLUMN: pd.array(totals, dtype="Float64").astype("Int64"),
            f"{TOTAL_COLUMN}_band": frame_bands(BANDS, totals),
            f"{TOTAL_COLUMN}_unanswered": unanswered.astype(np.int64),
        },
        index=frame.index,
    )
