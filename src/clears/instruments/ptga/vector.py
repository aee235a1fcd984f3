"""Vectorised PtGA: a frame with the ``ptga`` column in, checked ratings out.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

import pandas as pd

from clears.instruments._base import frame_codes
from clears.instruments.ptga.definition import COLUMN, DEFINITION

__all__ = ["score_frame"]


def score_frame(frame: pd.DataFrame, *, partial: bool = False) -> pd.Series:
    """Check every row's PtGA rating.

    Parameters
    ----------
    frame
        One row per visit with the column ``ptga`` (0-10); other columns are ignored.
    partial
        Allow an absent column or missing ratings (they stay missing).

    Returns
    -------
    pandas.Series
        Named ``ptga``, nullable Int64, same index as ``frame``.

    Raises
    ------
    InputError
        Rows (1-based) of ratings not a number, outside 0-10 or (unless ``partial``) missing.

    Examples
    --------
    >>> score_frame(pd.DataFrame({"ptga": [0, 10]})).tolist()
    [0, 10]
    """
    ratings = frame_codes(DEFINITION, frame, partial=partial)[COLUMN]
    values = pd.array(ratings, dtype="Float64").astype("Int64")
    return pd.Series(values, index=frame.index, name=COLUMN)
