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
    index = studied.groupby("patient_id")["start_date"].min()
    ongoing = studied["end_date"].isna().groupby(studied["patient_id"]).any()
    last = studied.groupby("patient_id")["end_date"].max().where(~ongoing)
    rows: list[dict[str, Any]] = []
    taking_immunosuppressant = 0
    for _, patient in patients.iterrows():
        pid = patient["patient_id"]
        if pid not in index.index:
            continue
        start = index[pid]
        disease = "sle" if bool(patient.get("sle", False)) else "cle"

        def add(
            name: str, dose: float | None, unit: str | None, pid: str = pid, **dates: Any
        ) -> None:
            rows.append({"patient_id": pid, "drug": name, "dose": dose, "dose_unit": unit, **dates})

        for flag, (name, dose, unit, before) in _BACKGROUND.items():
            if bool(patient.get(flag, False)):
                since = start - pd.Timedelta(days=before)
                add(name, dose, unit, start_date=since, end_date=None, indication=disease)
        if bool(patient.get("concomitant_aspirin", False)):
            end = last[pid]
            add(
                "aspirin",
                100.0,
                "mg/day",
                start_date=start,
                end_date=None if pd.isna(end) else end,
                indication="thromboprophylaxis",
            )
        if bool(patient.get("concomitant_immunosuppressant", False)):
            agent, amount, per = _IMMUNOSUPPRESSANTS[
                taking_immunosuppressant % len(_IMMUNOSUPPRESSANTS)
            ]
            taking_immunosuppressant += 1
            since = start - pd.Timedelta(days=365)
            add(agent, amount, per, start_date=since, end_date=None, indication=disease)
    columns = ["patient_id", "drug", "start_date", "end_date", "dose", "dose_unit", "indication"]
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("start_date", "end_date"):
        frame[name] = pd.to_datetime(frame[name])
    return frame
