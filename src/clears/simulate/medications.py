"""Concomitant medications of a virtual cohort, from the concomitant treatments drawn at baseline.

The baseline draws which patients take each concomitant treatment (the preset's
``baseline.concomitant`` shares: Aitmehdi 2021, Table 1, hydroxychloroquine 35/40 (88 %),
low-dose aspirin 35/40 (88 %) "added to prevent thromboembolic risk", oral glucocorticoids
13/40, immunosuppressants 8/40). This module turns those flags into
``concomitant_medications`` rows without drawing anything: the same generator state gives the
same other tables as before, and the same medications.

Dates and doses (assumptions where the papers give none):

* hydroxychloroquine 400 mg/day, started 365 days before the index date and ongoing
  (refractory CLE: at least 3 months of antimalarials before lenalidomide, Cortés-Hernández
  2012 eligibility);
* aspirin 100 mg/day for thromboprophylaxis, from the index date to the end of the last
  period of the studied drug (ongoing when that period is);
* prednisone 5 mg/day, from 180 days before the index date, ongoing (Cortés-Hernández 2012:
  "stable prednisone (< 10 mg/day) ... for at least 30 days before the inclusion");
* immunosuppressants in the proportions of Aitmehdi 2021's footnote (methotrexate 2,
  mycophenolate mofetil 3, azathioprine 2, low-dose interleukin 2 1, of 8), assigned in turn
  by patient order: methotrexate 15 mg/week, mycophenolate 2000 mg/day, azathioprine
  100 mg/day, interleukin 2 as ``other``; from 365 days before the index date, ongoing.

Topical calcineurin inhibitors are not systemic medications and are not written.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["medication_rows"]

#: Immunosuppressants in turn (Aitmehdi 2021, Table 1 footnote: MTX 2, MMF 3, AZA 2, IL-2 1).
_IMMUNOSUPPRESSANTS: Final[tuple[tuple[str, float | None, str | None], ...]] = (
    ("methotrexate", 15.0, "mg/week"),
    ("mycophenolate", 2000.0, "mg/day"),
    ("azathioprine", 100.0, "mg/day"),
    ("mycophenolate", 2000.0, "mg/day"),
    ("methotrexate", 15.0, "mg/week"),
    ("mycophenolate", 2000.0, "mg/day"),
    ("azathioprine", 100.0, "mg/day"),
    ("other", None, None),
)

#: Baseline flag → (drug, dose, unit, days before the index date it started).
_BACKGROUND: Final = {
    "concomitant_hydroxychloroquine": ("hydroxychloroquine", 400.0, "mg/day", 365),
    "concomitant_oral_glucocorticoid": ("prednisone", 5.0, "mg/day", 180),
}


def medication_rows(patients: pd.DataFrame, treatments: pd.DataFrame, drug: str) -> pd.DataFrame:
    """The ``concomitant_medications`` rows of simulated patients.

    Parameters
    ----------
    patients
        Simulated patients with the boolean ``concomitant_<treatment>`` columns of the
        baseline and ``sle``.
    treatments
        Their treatment periods (``start_date``, ``end_date``; blank end = ongoing).
    drug
        The studied drug (its first start is the index date).

    Returns
    -------
    pandas.DataFrame
        ``patient_id``, ``drug``, ``start_date``, ``end_date``, ``dose``, ``dose_unit``,
        ``indication``; patients in order, then background, aspirin, immunosuppressant.
    """
    studied = treatments[treatments["drug"] == drug]
    by_patient = studied.groupby("patient_id")
    index = by_patient["start_date"].min()
    ongoing = studied["end_date"].isna().groupby(studied["patient_id"]).any()
    last = by_patient["end_date"].max().where(~ongoing)
    treated = patients[patients["patient_id"].isin(index.index)].reset_index(drop=True)
    pid = treated["patient_id"]
    start = pid.map(index)
    disease = np.where(_flag(treated, "sle"), "sle", "cle")
    parts: list[dict[str, np.ndarray]] = []

    def add(taking: np.ndarray, **columns: Any) -> None:
        """The rows of the patients ``taking`` a drug, in patient order, after earlier kinds."""
        order = np.flatnonzero(taking)
        part = {"order": order, "kind": np.full(len(order), len(parts))}
        for name, value in columns.items():
            if isinstance(value, np.ndarray | pd.Series):
                part[name] = np.asarray(value)[taking]
            else:  # one value for every row (None and NaT included)
                part[name] = np.full(len(order), value, dtype=object)
        parts.append(part)

    for flag, (name, dose, unit, before) in _BACKGROUND.items():
        add(
            _flag(treated, flag),
            patient_id=pid,
            drug=name,
            start_date=start - pd.Timedelta(days=before),
            end_date=pd.NaT,
            dose=dose,
            dose_unit=unit,
            indication=disease,
        )
    aspirin = _flag(treated, "concomitant_aspirin")
    add(
        aspirin,
        patient_id=pid,
        drug="aspirin",
        start_date=start,
        end_date=pid.map(last),
        dose=100.0,
        dose_unit="mg/day",
        indication="thromboprophylaxis",
    )
    taking = _flag(treated, "concomitant_immunosuppressant")
    turn = (np.cumsum(taking) - 1) % len(_IMMUNOSUPPRESSANTS)
    agents = pd.DataFrame(_IMMUNOSUPPRESSANTS, columns=["drug", "dose", "dose_unit"]).iloc[turn]
    add(
        taking,
        patient_id=pid,
        drug=agents["drug"].to_numpy(),
        start_date=start - pd.Timedelta(days=365),
        end_date=pd.NaT,
        dose=agents["dose"].to_numpy(dtype=object),
        dose_unit=agents["dose_unit"].to_numpy(dtype=object),
        indication=disease,
    )
    columns = ["patient_id", "drug", "start_date", "end_date", "dose", "dose_unit", "indication"]
    joined = {name: np.concatenate([part[name] for part in parts]) for name in ("order", "kind")}
    ranked = np.lexsort((joined["kind"], joined["order"]))
    frame = pd.DataFrame(
        {
            name: np.concatenate([part[name].astype(object) for part in parts])[ranked]
            for name in columns
        }
    )
    for name in ("start_date", "end_date"):
        frame[name] = pd.to_datetime(frame[name])
    frame["dose"] = frame["dose"].astype(float)
    return frame


def _flag(patients: pd.DataFrame, name: str) -> np.ndarray:
    """A boolean baseline column as an array (absent or blank = False)."""
    if name not in patients.columns:
        return np.zeros(len(patients), dtype=bool)
    return patients[name].fillna(False).astype(bool).to_numpy()
