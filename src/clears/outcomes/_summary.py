"""Cohort summary (counts and proportions per preset) and side-by-side comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clears.criteria import CATEGORIES

__all__ = ["compare", "summarise"]

#: (outcome, column restricting the denominator or None for every recorded value). SLE
#: flares are counted among patients with SLE, as Aitmehdi 2021 Table 2 does: "Patients
#: with SLE flare (among 26 with SLE) 8 (31)", "Severe SLE flare 4 (15)" (4/26).
_FLAGS = (
    ("relapse", "relapse_at_risk"),
    ("sustained_dose_reduction", None),
    ("stopped_in_cr_without_relapse", None),
    ("discontinued", None),
    ("sle_flare", "sle_at_index"),
    ("sle_flare_severe", "sle_at_index"),
)


def _row(label: tuple[str, str], outcome: str, count: int, denom: int) -> dict[str, object]:
    return {
        "criteria": label[0],
        "criteria_version": label[1],
        "outcome": outcome,
        "n": count,
        "denominator": denom,
        "proportion": count / denom if denom else np.nan,
    }


def summarise(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Counts and proportions per preset, one row per preset × outcome.

    Columns: ``criteria``, ``criteria_version``, ``outcome``, ``n``, ``denominator``,
    ``proportion`` (``n / denominator``; NaN when the denominator is 0).

    Outcomes: ``patients``; ``evaluable`` (denominator: patients); ``best_response:<cat>``
    and ``response_at_assessment:<cat>`` for each category (denominator: evaluable; the
    not-evaluable row uses all patients); ``relapse`` (denominator: patients who reached
    the preset's response level for relapse); ``sustained_dose_reduction``,
    ``stopped_in_cr_without_relapse``, ``discontinued`` (denominator: patients with the
    value recorded); ``sle_flare``, ``sle_flare_severe`` (denominator: patients with SLE,
    ``sle_at_index`` true; Aitmehdi 2021 Table 2, "among 26 with SLE"); ``new_sle``
    (denominator: patients with isolated CLE, ``sle_at_index`` false; Table 2, "among
    patients with isolated CLE (n = 14)").

    Examples
    --------
    See ``tests/outcomes/test_summary.py``.
    """
    rows: list[dict[str, object]] = []
    for label, g in outcomes.groupby(["criteria", "criteria_version"], sort=True):
        key = (str(label[0]), str(label[1]))
        n = len(g)
        ev = int(g["evaluable"].sum())
        rows.append(_row(key, "patients", n, n))
        rows.append(_row(key, "evaluable", ev, n))
        for column in ("best_response", "response_at_assessment"):
            values = g[column]
            if column == "response_at_assessment" and values.isna().all():
                continue
            for cat in CATEGORIES:
                count = int((values == cat).sum())
                rows.append(_row(key, f"{column}:{cat}", count, n if cat == CATEGORIES[0] else ev))
        for flag, risk in _FLAGS:
            values = g[flag]
            known = values.notna() if risk is None else g[risk].fillna(False).astype(bool)
            known &= values.notna()
            if not known.any():
                continue
            rows.append(_row(key, flag, int(values[known].astype(bool).sum()), int(known.sum())))
        iso = g["new_sle"].notna()
        if iso.any():
            rows.append(
                _row(key, "new_sle", int(g.loc[iso, "new_sle"].astype(bool).sum()), int(iso.sum()))
            )
    return pd.DataFrame(rows)


def compare(outcomes: pd.DataFrame, column: str = "best_response") -> pd.DataFrame:
    """Side by side: one row per patient, one column per preset, and whether they agree.

    Parameters
    ----------
    outcomes
        The frame from :func:`clears.outcomes.derive`.
    column
        The outcome to compare (default ``best_response``).

    Returns
    -------
    pandas.DataFrame
        ``patient_id``, one column per ``criteria@version`` holding ``column``, and
        ``agree`` (True when every preset gives the same value).
    """
    label = outcomes["criteria"].astype(str) + "@" + outcomes["criteria_version"].astype(str)
    wide = pd.DataFrame({"patient_id": pd.unique(outcomes["patient_id"])})
    wide = wide.sort_values("patient_id", ignore_index=True)
    presets = list(pd.unique(label))
    for preset in presets:
        values = outcomes.loc[label == preset].set_index("patient_id")[column]
        wide[preset] = wide["patient_id"].map(values).astype(object)
    first = wide[presets[0]] if presets else pd.Series(dtype=object)
    agree = pd.Series(True, index=wide.index)
    for preset in presets[1:]:
        same = (wide[preset] == first) | (wide[preset].isna() & first.isna())
        agree &= same.astype(bool)
    wide["agree"] = agree
    return wide
