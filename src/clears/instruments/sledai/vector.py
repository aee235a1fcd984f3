"""Vectorised SLEDAI-2K / SELENA-SLEDAI: a frame of flat ``sledai_*`` columns to totals.

Reads the same declaration as the single-record path (:data:`sledai.DEFINITION`): the
columns, each descriptor's allowed codes and weight, and the onset-sensitive descriptors.

References
----------
Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29(2):288-291. PMID 11838846 (SLEDAI-2K).
Petri M et al. N Engl J Med 2005;353:2550-2558 (SELENA-SLEDAI).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments.sledai.definition import (
    DEFINITION,
    ONSET_DESCRIPTORS,
    WEIGHTS,
    check_variant,
)

__all__ = ["score_frame"]


def score_frame(frame: pd.DataFrame, *, variant: str = "sledai2k") -> pd.Series:
    """Score many assessments held in the flat ``sledai_*`` columns of ``frame``.

    Descriptor columns hold booleans or codes 0/1 (0/1/2/3 for the four onset
    descriptors, see :mod:`clears.instruments.sledai`). A row with any missing descriptor gets a
    missing total. Values outside the allowed codes, and code 1 of an onset descriptor
    under SELENA-SLEDAI, raise :class:`~clears.InputError` naming column and row
    (1-based). ``frame`` is not modified.

    Returns
    -------
    pandas.Series
        Nullable integer totals named ``sledai``, on the index of ``frame``.

    Examples
    --------
    >>> row = dict.fromkeys(DEFINITION.columns, 0) | {"sledai_rash": 3, "sledai_fever": 1}
    >>> score_frame(pd.DataFrame([row]), variant="selena").tolist()
    [1]
    """
    check_variant(variant)
    missing = [c for c in DEFINITION.columns if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(c, None, "column is missing", "a SLEDAI descriptor column") for c in missing
        )
    total = np.zeros(len(frame), dtype=np.int64)
    absent = np.zeros(len(frame), dtype=bool)
    problems: list[Problem] = []
    for fld in DEFINITION.fields:
        raw = frame[fld.column]
        codes = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        is_na = raw.isna().to_numpy()
        bad = ~is_na & ~np.isin(codes, fld.item.codes)
        if variant == "selena" and fld.path in ONSET_DESCRIPTORS:
            bad |= codes == 1
        for pos in np.flatnonzero(bad):
            problems.append(
                Problem(
                    fld.column,
                    raw.iloc[pos],
                    "not an allowed code",
                    fld.item.allowed_text(),
                    row=int(pos) + 1,
                )
            )
        absent |= is_na
        counted = codes == 2 if variant == "selena" and fld.path in ONSET_DESCRIPTORS else codes > 0
        total += np.where(counted, WEIGHTS[fld.path], 0)
    if problems:
        raise InputError(problems)
    result = pd.Series(total, index=frame.index, name="sledai", dtype="Int64")
    return result.mask(pd.Series(absent, index=frame.index))
