"""Vectorised itch and pain NRS: a frame of ``itch_nrs``/``pain_nrs`` in, ratings and bands out.

References
----------
Reich A, et al. Acta Derm Venereol 2012;92(5):497-501. doi:10.2340/00015555-1265
"""

from __future__ import annotations

import pandas as pd

from clears.instruments._base import frame_bands, frame_codes
from clears.instruments.nrs.definition import DEFINITION, ITCH_BANDS, ITCH_COLUMN, PAIN_COLUMN

__all__ = ["score_frame"]


def score_frame(frame: pd.DataFrame, *, partial: bool = False) -> pd.DataFrame:
    """Check every row's itch and pain ratings and band the itch rating.

    Parameters
    ----------
    frame
        One row per visit with the columns ``itch_nrs`` and ``pain_nrs`` (0-10).
    partial
        Allow absent columns or missing ratings (they give missing outputs).

    Returns
    -------
    pandas.DataFrame
        Same index, with ``itch_nrs`` and ``pain_nrs`` (nullable Int64) and ``itch_band``
        (ordered categorical none < mild < moderate < severe < very severe, Reich 2012).

    Raises
    ------
    InputError
        Rows (1-based) of ratings not a number, outside 0-10 or (unless ``partial``) missing.

    Examples
    --------
    >>> out = score_frame(pd.DataFrame({"itch_nrs": [2, 3], "pain_nrs": [0, 10]}))
    >>> out["itch_band"].tolist()
    ['mild', 'moderate']
    """
    codes = frame_codes(DEFINITION, frame, partial=partial)
    itch = codes[ITCH_COLUMN]
    return pd.DataFrame(
        {
            ITCH_COLUMN: pd.array(itch, dtype="Float64").astype("Int64"),
            PAIN_COLUMN: pd.array(codes[PAIN_COLUMN], dtype="Float64").astype("Int64"),
            "itch_band": frame_bands(ITCH_BANDS, itch),
        },
        index=frame.index,
    )
