"""The per-patient table of a small trial: ``per_patient``.

Cortés-Hernández 2012 (doi:10.1186/ar4111) prints one row per patient (Table 2): subtype,
CLASI activity and damage at baseline and at best, lenalidomide dose, response, time to
response, relapse and when it came (after withdrawal or during a dose reduction), and the
maintenance dose. Every cell here is read from the outcome frame
(:func:`clears.outcomes.derive`) or the patient's own rows; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from clears._cells import is_missing
from clears.cohort import Cohort
from clears.report._change_sections import paired_values
from clears.report._labels import CATEGORY_LABELS, humanise
from clears.report._model import ReportTable, Section
from clears.report._sections import Log, first_preset

__all__ = ["per_patient_section", "per_patient_table"]

#: How a relapse setting of the outcome frame is printed.
_SETTINGS: Final = {
    "after_withdrawal": "after withdrawal",
    "after_dose_reduction": "after dose reduction",
    "on_treatment": "on the response dose",
}


def _number(value: Any, digits: int = 0) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):.{digits}f}"


def _weeks(days: Any) -> str:
    if is_missing(days):
        return "–"
    return f"{float(days) / 7:.0f}"


def _response_time(row: pd.Series) -> str:
    """Weeks to complete response when reached, else to partial response, else "–"."""
    for level in ("complete", "partial"):
        if _yes(row.get(f"{level}_event")):
            return f"{_weeks(row.get(f'time_to_{level}_days'))} ({level})"
    return "–"


def _yes(value: Any) -> bool:
    """A yes/no cell of the outcome frame (bool, numpy bool or missing) as a bool."""
    return not is_missing(value) and bool(value)


def _relapse(row: pd.Series) -> tuple[str, str]:
    if not _yes(row.get("relapse")):
        return ("no" if _yes(row.get("relapse_at_risk")) else "–"), "–"
    setting = _SETTINGS.get(str(row.get("relapse_setting")), str(row.get("relapse_setting")))
    return f"yes, {setting}", _weeks(row.get("time_to_relapse_days"))


def per_patient_table(cohort: Cohort, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One printed row per patient of the first preset of ``outcomes`` (see module)."""
    rows = first_preset(outcomes).sort_values("patient_id")
    index = rows[["patient_id", "index_date"]]
    damage = paired_values(cohort.visits, index, "clasi_d", "end").set_index("patient_id")
    visits = cohort.visits.merge(index, on="patient_id")
    during = visits[visits["visit_date"] >= visits["index_date"]]
    lowest = pd.Series(dtype=float)
    if "clasi_a" in during:
        scores = pd.to_numeric(during["clasi_a"], errors="coerce")
        lowest = scores.groupby(during["patient_id"]).min()
    patients = cohort.patients.set_index("patient_id")
    periods = cohort.treatments.merge(index, on="patient_id")
    periods = periods[periods["start_date"] >= periods["index_date"]].sort_values("start_date")
    first_dose = periods.groupby("patient_id")["dose_mg_per_day"].first()
    highest = periods.groupby("patient_id")["dose_mg_per_day"].max()
    last = periods.groupby("patient_id").tail(1).set_index("patient_id")
    out = []
    for _, row in rows.iterrows():
        pid = row["patient_id"]
        relapse, relapse_weeks = _relapse(row)
        ongoing = pid in last.index and pd.isna(last.loc[pid].get("end_date"))
        subtypes = patients["cle_subtypes"].get(pid) if "cle_subtypes" in patients else None
        out.append(
            {
                "Patient": str(pid),
                "Subtype": "–" if subtypes is None or pd.isna(subtypes) else str(subtypes),
                "CLASI-A baseline": _number(row.get("baseline_clasi_a")),
                "CLASI-A lowest": _number(lowest.get(pid)),
                "CLASI-D baseline": _number(damage["baseline"].get(pid)),
                "CLASI-D last": _number(damage["later"].get(pid)),
                "Starting dose (mg/day)": _number(first_dose.get(pid), 1),
                "Highest dose (mg/day)": _number(highest.get(pid), 1),
                "Best response": CATEGORY_LABELS.get(
                    str(row.get("best_response")), humanise(str(row.get("best_response")))
                ),
                "Weeks to response": _response_time(row),
                "Relapse": relapse,
                "Weeks to relapse": relapse_weeks,
                "Maintenance (mg/day)": (
                    _number(last.loc[pid, "dose_mg_per_day"], 2) if ongoing else "stopped"
                ),
            }
        )
    return pd.DataFrame(out, dtype=str)


def per_patient_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, _options: Mapping[str, Any]
) -> Section:
    """The per-patient table (see module), under the section's preset."""
    first = first_preset(outcomes).iloc[0]
    key = f"{first['criteria']}@{first['criteria_version']}"
    notes = (
        f"Response under {log.preset(key)}; weeks since the first dose (time to complete "
        "response when reached, else to partial response); relapse weeks since the "
        "withdrawal or dose reduction it followed, else since the response; CLASI-D last: "
        "the last visit after the first dose; maintenance: the dose of a period still "
        "ongoing at the end of follow-up.",
    )
    table = ReportTable("per_patient", "Patients one by one", per_patient_table(cohort, outcomes),
                        notes, "Per patient")  # fmt: skip
    return Section("per_patient", "Patients one by one", (), (table,))
