"""Retrospective protocol check: where what was done differed from what the protocol says.

For every visit of every patient the protocol is run on the state *entering* the visit (the
treatment periods as they stood before any change made that day), and its advice is compared
with the dose actually in effect the day after the visit. The result is a registry quality
report, one row per visit.

Advice and practice are compared as *regimens*, not as rounded daily doses: a regimen is
``mg`` per dose times ``doses_per_week`` (:class:`~clears.protocol._definition.Regimen`). Each
side is matched to a regimen of the protocol (by its ``regimen`` text, else by its daily dose
within :data:`DOSE_TOLERANCE_MG_PER_DAY`); two sides that are the same regimen never deviate,
however the registry rounded the daily dose ("5 mg three times weekly" is 15/7 = 2.142857
mg/day, usually recorded as 2.14). Sides that match no regimen are compared by daily dose
within the same tolerance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from clears.cohort import Cohort, with_optional_columns
from clears.protocol._advise import advise_data
from clears.protocol._definition import ProtocolDefinition, Regimen
from clears.protocol._dose import DOSE_TOLERANCE_MG_PER_DAY, match_regimen, regimen_label
from clears.protocol._load import DEFAULT_PROTOCOL, load_protocol
from clears.protocol._patient import PatientData, number, patient_data

__all__ = ["DEVIATION_COLUMNS", "DOSE_TOLERANCE_MG_PER_DAY", "deviations", "is_deviation"]

#: Columns of the :func:`deviations` table, in order.
DEVIATION_COLUMNS = (
    "patient_id",
    "visit_date",
    "advised_action",
    "advised_mg_per_day",
    "advised_regimen",
    "actual_mg_per_day",
    "actual_regimen",
    "deviation",
    "rule",
    "reference",
    "protocol",
)


def _entering(data: PatientData, day: dt.date) -> PatientData:
    """The state before any treatment change made on ``day``.

    A period that starts on ``day`` was decided at the visit and is dropped. A period that
    ends on ``day``, or on the day before when a new period starts on ``day`` (``end_date``
    is the last day at a dose, so a dose changed at the visit leaves the old period ending
    the day before), was still running when the patient came in and is reopened.
    """
    cut = data.at(day)
    changed_today = any(p["start_date"] == day for p in cut.periods)
    eve = day - dt.timedelta(days=1)
    periods = []
    for period in cut.periods:
        if period["start_date"] == day:
            continue
        if period["end_date"] == day or (changed_today and period["end_date"] == eve):
            period = {**period, "end_date": None, "end_reason": None}
        periods.append(period)
    return replace(cut, periods=tuple(periods))


def _actual(
    data: PatientData, day: dt.date, protocol: ProtocolDefinition
) -> tuple[float, str, Regimen | None]:
    for period in reversed(data.periods):
        end = period["end_date"]
        if period["start_date"] <= day and (end is None or end >= day):
            matched = match_regimen(period, protocol, tolerance=DOSE_TOLERANCE_MG_PER_DAY)
            return (
                number(period.get("dose_mg_per_day")) or 0.0,
                regimen_label(period),
                None if matched is None else protocol.regimen(matched),
            )
    return 0.0, "none", None


def _advised(words: str, protocol: ProtocolDefinition) -> Regimen | None:
    """The protocol regimen an advice names in words (its label or id), if any."""
    matched = match_regimen({"regimen": words}, protocol)
    return None if matched is None else protocol.regimen(matched)


def is_deviation(
    advised: tuple[float, Regimen | None], actual: tuple[float, Regimen | None]
) -> bool:
    """Whether what was done differs from what was advised, each as ``(mg/day, regimen)``.

    Two regimens are the same when their mg per dose and doses per week agree (within
    :data:`DOSE_TOLERANCE_MG_PER_DAY` and 1e-6 doses); otherwise the daily doses are compared
    within :data:`DOSE_TOLERANCE_MG_PER_DAY`.

    Examples
    --------
    >>> tiw = Regimen("5tiw", "5 mg three times weekly", 5, 3)
    >>> is_deviation((15 / 7, tiw), (2.14, tiw)), is_deviation((15 / 7, None), (2.5, None))
    (False, True)
    """
    (advised_mg, advised_regimen), (actual_mg, actual_regimen) = advised, actual
    if advised_regimen is not None and actual_regimen is not None:
        return not (
            abs(advised_regimen.mg - actual_regimen.mg) < DOSE_TOLERANCE_MG_PER_DAY
            and abs(advised_regimen.doses_per_week - actual_regimen.doses_per_week) < 1e-6
        )
    return abs(advised_mg - actual_mg) >= DOSE_TOLERANCE_MG_PER_DAY


def deviations(
    cohort: Cohort,
    *,
    protocol: str | ProtocolDefinition = DEFAULT_PROTOCOL,
    only_deviations: bool = False,
    lag_days: int = 1,
) -> pd.DataFrame:
    """Run the protocol over every visit of every patient and compare with what was done.

    Parameters
    ----------
    cohort
        The cohort tables (never modified); absent optional columns read as blank.
    protocol
        A bundled protocol name, a protocol file path or a :class:`ProtocolDefinition`.
    only_deviations
        Keep only the visits where the dose differed.
    lag_days
        The dose "actually given" is the one in effect this many days after the visit.

    Returns
    -------
    pandas.DataFrame
        One row per patient visit with the columns of :data:`DEVIATION_COLUMNS`:
        the advised action, dose (mg/day) and regimen, the actual dose and regimen,
        ``deviation`` (True when the regimens differ; see :func:`is_deviation`), and the
        rule, reference and protocol of the advice.
    """
    definition = protocol if isinstance(protocol, ProtocolDefinition) else load_protocol(protocol)
    # Complete the optional columns once, not once per patient (absent reads as blank).
    cohort = with_optional_columns(cohort)
    rows = []
    last_day = dt.date.max - dt.timedelta(days=1)
    for pid in cohort.patients["patient_id"].astype(str):
        full = patient_data(cohort, pid, last_day, drug=definition.drug)
        for day in sorted({v["visit_date"] for v in full.visits}):
            advice = advise_data(_entering(full, day), definition).dose
            actual_mg, actual_words, actual_regimen = _actual(
                full, day + dt.timedelta(days=lag_days), definition
            )
            advised = (advice.dose_mg_per_day, _advised(advice.regimen, definition))
            rows.append(
                {
                    "patient_id": pid,
                    "visit_date": pd.Timestamp(day),
                    "advised_action": advice.action,
                    "advised_mg_per_day": round(advice.dose_mg_per_day, 4),
                    "advised_regimen": advice.regimen,
                    "actual_mg_per_day": actual_mg,
                    "actual_regimen": actual_words,
                    "deviation": is_deviation(advised, (actual_mg, actual_regimen)),
                    "rule": advice.rule,
                    "reference": advice.reference,
                    "protocol": f"{definition.name} {definition.version}",
                }
            )
    table = pd.DataFrame(rows, columns=list(DEVIATION_COLUMNS))
    if only_deviations:
        table = table.loc[table["deviation"]].reset_index(drop=True)
    return table
