"""Vectorised CLA-IGA: a frame with the ``cla_iga`` column in, grades and labels out.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

import pandas as pd

from clears.instruments._base import Band, frame_bands, frame_codes
from clears.instruments.cla_iga.definition import COLUMN, DEFINITION, GRADE

__all__ = ["score_frame"]

# Each grade is its own "band", so the labels come out as an ordered categorical.
_LABELS = tuple(Band(level.label, level.code, level.code) for level in GRADE.levels)


def score_frame(frame: pd.DataFrame, *, partial: bool = False) -> pd.DataFrame:
    """Check every row's CLA-IGA grade and label it.

    Parameters
    ----------
    frame
        One row per visit with the column ``cla_iga`` (0-4); other columns are ignored.
    partial
        Allow an absent column or missing grades (they give missing outputs).

    Returns
    -------
    pandas.DataFrame
        Same index, with ``cla_iga`` (nullable Int64) and ``cla_iga_label`` (ordered
        categorical clear < almost clear < mild < moderate < severe).

    Raises
    ------
    InputError
        Rows (1-based) of grades not a number, outside 0-4 or (unless ``partial``) missing.

    Examples
    --------
    >>> score_frame(pd.DataFrame({"cla_iga": [0, 3]}))["cla_iga_label"].tolist()
    ['clear', 'moderate']
    """
    grades = frame_codes(DEFINITION, frame, partial=partial)[COLUMN]
    return pd.DataFrame(
        {
            COLUMN: pd.array(grades, dtype="Float64").astype("Int64"),
            f"{COLUMN}_label": frame_bands(_LABELS, grades),
        },
        index=frame.index,
    )
