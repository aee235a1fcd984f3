"""PatientData.medications: concomitant medications cut at the as-of date like other rows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from clears.protocol._patient import patient_data


def _medication(
    drug: str, start: str, end: str | None = None, **extra: object
) -> dict[str, object]:
    return {"patient_id": "P1", "drug": drug, "start_date": start, "end_date": end, **extra}


def test_medications_started_after_as_of_are_dropped_and_later_ends_cleared(
    b: SimpleNamespace,
) -> None:
    cohort = b.cohort(
        patients=[b.patient(reproductive_potential_date="2023-12-01")],
        concomitant_medications=[
            _medication("hydroxychloroquine", "2020-01-01", dose=400, dose_unit="mg/day"),
            _medication("aspirin", "2024-01-01", "2024-06-30", indication="thromboprophylaxis"),
            _medication("prednisone", "2023-01-01", "2023-12-31", dose=5, dose_unit="mg/day"),
            _medication("enoxaparin", "2024-02-01"),  # after as_of: not yet known
            {"patient_id": "P2", "drug": "aspirin", "start_date": "2020-01-01"},
        ],
    )
    data = patient_data(cohort, "P1", dt.date(2024, 1, 31))
    assert [m["drug"] for m in data.medications] == [
        "hydroxychloroquine",
        "prednisone",
        "aspirin",
    ]  # sorted by start_date
    aspirin = data.medications[2]
    assert aspirin["start_date"] == dt.date(2024, 1, 1)
    assert aspirin["end_date"] is None  # ends after as_of: on that day it was running
    assert data.medications[1]["end_date"] == dt.date(2023, 12, 31)  # ended before as_of
    assert data.medications[0]["dose"] == 400
    assert data.value("reproductive_potential_date") == dt.date(2023, 12, 1)
    # A medication starting on the as-of day itself counts; the day before it does not.
    assert [m["drug"] for m in data.at(dt.date(2023, 12, 31)).medications] == [
        "hydroxychloroquine",
        "prednisone",
    ]
    on_day = patient_data(cohort, "P1", dt.date(2024, 2, 1))
    assert "enoxaparin" in [m["drug"] for m in on_day.medications]


def test_cohort_without_medications_gives_none(b: SimpleNamespace) -> None:
    data = patient_data(b.cohort(patients=[b.patient()]), "P1", dt.date(2024, 1, 31))
    assert data.medications == ()
