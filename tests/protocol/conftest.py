"""Builders for tiny synthetic cohorts used by the protocol tests (no real patients)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from clears.cohort import DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort
from clears.protocol import Advice, advise
from clears.protocol._load import DEFAULT_PROTOCOL


def make_cohort(**tables: Sequence[Mapping[str, Any]]) -> Cohort:
    """Build a Cohort from lists of row dicts; missing tables are empty, dates parsed."""
    frames = {}
    for name in TABLES:
        rows = list(tables.get(name, ()))
        frame = pd.DataFrame(rows)
        for column in REQUIRED_COLUMNS[name]:
            if column not in frame.columns:
                frame[column] = pd.Series(dtype="object")
        for column in DATE_COLUMNS[name]:
            if column in frame.columns:
                frame[column] = pd.to_datetime(frame[column])
        if len(frame):
            frame["patient_id"] = frame["patient_id"].astype(str)
        frames[name] = frame
    return Cohort(source="synthetic", **frames)


def patient(**extra: Any) -> dict[str, Any]:
    """A patients row for P1 (female, born 1980, SLE-free) with overrides."""
    row: dict[str, Any] = {"patient_id": "P1", "centre": "C1", "sex": "F", "birth_year": 1980}
    row.update(extra)
    return row


def period(start: str, mg: float, end: str | None = None, **extra: Any) -> dict[str, Any]:
    """A lenalidomide treatment period of P1."""
    row: dict[str, Any] = {
        "patient_id": "P1",
        "drug": "lenalidomide",
        "start_date": start,
        "end_date": end,
        "dose_mg_per_day": mg,
    }
    row.update(extra)
    return row


def visit(day: str, **values: Any) -> dict[str, Any]:
    """A visit of P1."""
    return {"patient_id": "P1", "visit_date": day, **values}


def advise_p1(
    treatments: Sequence[Mapping[str, Any]],
    visits: Sequence[Mapping[str, Any]],
    as_of: str,
    *,
    flares: Sequence[Mapping[str, Any]] = (),
    adverse_events: Sequence[Mapping[str, Any]] = (),
    protocol: str = DEFAULT_PROTOCOL,
    **extra: Any,
) -> Advice:
    """Advice for P1 on ``as_of`` (ISO date); ``extra`` overrides P1's patients row."""
    cohort = make_cohort(
        patients=[patient(**extra)],
        treatments=treatments,
        visits=visits,
        flares=flares,
        adverse_events=adverse_events,
    )
    return advise(cohort, "P1", as_of=dt.date.fromisoformat(as_of), protocol=protocol)


@pytest.fixture
def b() -> SimpleNamespace:
    """The builders: ``b.cohort``, ``b.patient``, ``b.period``, ``b.visit``, ``b.advise``."""
    return SimpleNamespace(
        cohort=make_cohort, patient=patient, period=period, visit=visit, advise=advise_p1
    )
