"""One patient's cohort rows as of a date, as plain Python records.

Decision support must use only what was known on the day it advises. :func:`patient_data`
is the single place that cuts the cohort at ``as_of``: rows dated after it are dropped, and a
treatment period still running on ``as_of`` has its ``end_date`` and ``end_reason`` cleared
(on that day nobody knew when or why it would end). Every other module of
:mod:`clears.protocol` reads only the :class:`PatientData` this returns. An optional column
of :data:`clears.cohort.SCHEMA` that the cohort lacks (cohorts built in memory often omit
them) reads as present and blank (:func:`clears.cohort.with_optional_columns`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from clears._exceptions import InputError, NotFoundError, Problem
from clears.cohort import DATE_COLUMNS, SCHEMA, Cohort, with_optional_columns
from clears.cohort._coerce import choice_key, is_blank
from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE

__all__ = [
    "INTERRUPTION_MAX_DAYS",
    "PREGNANCY_RESULTS",
    "PatientData",
    "Row",
    "as_date",
    "flag",
    "is_missing",
    "number",
    "patient_data",
    "pregnancy_result",
]

Row = Mapping[str, Any]

#: Longest dose interruption, in days: a course ended for an adverse event and not restarted
#: within 12 weeks (three 28-day cycles of the label's monitoring) is a discontinuation, not a
#: hold. The sources give no limit (the label holds "until" counts recover; Cortés-Hernández
#: 2012 discontinued for toxicity), so this is a project decision that keeps a hold from
#: generating reminders for years (docs/safety/hazard-analysis.md, hazard 8).
INTERRUPTION_MAX_DAYS = 84

#: ``sex`` spellings read as female and as male.
_FEMALE = frozenset({"f", "female", "woman"})
_MALE = frozenset({"m", "male", "man"})


def is_missing(value: object) -> bool:
    """Return True for None, NaN, NaT, pandas NA and blank strings (:func:`is_blank`)."""
    return is_blank(value)


def flag(value: object) -> bool | None:
    """Read a yes/no cell: booleans, 0/1, the cohort's ``true``/``yes`` spellings; None when blank.

    Pregnancy tests are not yes/no cells: :func:`pregnancy_result` reads them.

    Examples
    --------
    >>> flag("Yes"), flag(0), flag(""), flag("positive")
    (True, False, None, None)
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in BOOLEAN_TRUE:
        return True
    if text in BOOLEAN_FALSE:
        return False
    return None


#: The allowed ``visits.pregnancy_test`` results, read from :data:`clears.cohort.SCHEMA`.
PREGNANCY_RESULTS: tuple[str, ...] = next(
    c.options for c in SCHEMA["visits"] if c.name == "pregnancy_test"
)


def pregnancy_result(value: object, visit_date: object = None) -> str | None:
    """Read a ``pregnancy_test`` cell: ``positive``, ``negative`` or ``not_done``; None when blank.

    Spelled as a cohort choice (any case; spaces and hyphens read as ``_``). The cohort reader
    checks files, but cohorts built in memory reach decision support unchecked, so anything
    else (``pos``, ``true``, ``1``...) is refused rather than guessed.

    Raises
    ------
    InputError
        A value outside :data:`PREGNANCY_RESULTS` (field ``pregnancy_test``).
    """
    if is_missing(value):
        return None
    key = choice_key(str(value)) if not isinstance(value, bool | int | float) else None
    if key in PREGNANCY_RESULTS:
        return key
    when = f" (visit of {as_date(visit_date)})" if visit_date is not None else ""
    raise InputError(
        [
            Problem(
                "pregnancy_test",
                value,
                f"is not a pregnancy test result{when}",
                ", ".join(PREGNANCY_RESULTS) + " (blank: no test recorded)",
                "visits",
            )
        ]
    )


def number(value: object) -> float | None:
    """Read a numeric cell as float; None when blank or not a number."""
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def as_date(value: object) -> dt.date | None:
    """Read a date cell (date, datetime, Timestamp or ISO string); None when blank."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class PatientData:
    """One patient's rows dated on or before ``as_of``, sorted by date.

    Attributes
    ----------
    patient_id, as_of
        Who and on which day.
    patient
        The ``patients`` row as a mapping (empty values are kept as they are).
    periods
        Treatment periods of the studied drug that started on or before ``as_of``; each row has
        ``start_date`` and ``end_date`` as :class:`datetime.date` (``end_date`` None when still
        running on ``as_of``).
    other_treatments
        Periods of other drugs (e.g. previous thalidomide), cut the same way.
    visits, adverse_events, flares
        Rows dated on or before ``as_of``.
    drug
        The studied drug.
    medications
        ``concomitant_medications`` rows started on or before ``as_of``, sorted by
        ``start_date``; ``start_date``/``end_date`` are :class:`datetime.date` and an end
        after ``as_of`` is cleared (None: still running on ``as_of``). Classes and
        prednisone equivalents: :func:`clears.cohort.medication_class`,
        :func:`clears.cohort.prednisone_equivalent`.
    """

    patient_id: str
    as_of: dt.date
    patient: Row
    periods: tuple[Row, ...]
    other_treatments: tuple[Row, ...]
    visits: tuple[Row, ...]
    adverse_events: tuple[Row, ...]
    flares: tuple[Row, ...]
    drug: str
    medications: tuple[Row, ...] = ()

    def value(self, column: str) -> object:
        """Return a ``patients`` column, None when absent."""
        return self.patient.get(column)

    def latest(self, column: str) -> tuple[dt.date, Any] | None:
        """Return ``(visit_date, value)`` of the latest visit with a value in ``column``."""
        for row in reversed(self.visits):
            if not is_missing(row.get(column)):
                return row["visit_date"], row[column]
        return None

    def at(self, day: dt.date) -> PatientData:
        """Return the same patient cut at an earlier ``day`` (rows after it dropped)."""

        def keep(rows: tuple[Row, ...], column: str) -> tuple[Row, ...]:
            return tuple(_clip(r, day) for r in rows if r[column] <= day)

        return PatientData(
            patient_id=self.patient_id,
            as_of=day,
            patient=self.patient,
            periods=keep(self.periods, "start_date"),
            other_treatments=keep(self.other_treatments, "start_date"),
            visits=keep(self.visits, "visit_date"),
            adverse_events=keep(self.adverse_events, "onset_date"),
            flares=keep(self.flares, "flare_date"),
            drug=self.drug,
            medications=keep(self.medications, "start_date"),
        )

    @property
    def female(self) -> bool | None:
        """Whether the ``sex`` cell reads female (True) or male (False); None otherwise."""
        sex = str(self.value("sex") or "").strip().lower()
        if sex in _FEMALE:
            return True
        return False if sex in _MALE else None

    @property
    def index_date(self) -> dt.date | None:
        """Start of the first period of the studied drug (docs/outcomes.md), or None."""
        return self.periods[0]["start_date"] if self.periods else None

    @property
    def current_period(self) -> Row | None:
        """The period running on ``as_of`` (no end date, or ending after it), or None."""
        if self.periods and self.periods[-1]["end_date"] is None:
            return self.periods[-1]
        return None

    @property
    def interrupted(self) -> bool:
        """Whether the course is held for an adverse event on ``as_of`` (a dose interruption).

        The last period of the studied drug ended with ``end_reason = adverse_event`` at most
        :data:`INTERRUPTION_MAX_DAYS` days before ``as_of`` and nothing runs since. Monitoring
        goes on during an interruption (the label keeps blood counts and pregnancy tests
        "during dose interruptions"); a hold never followed by a restart is read as a
        discontinuation after that, so its reminders end (hazard 8, stale data).
        """
        if not self.periods or self.current_period is not None:
            return False
        last = self.periods[-1]
        return (
            last.get("end_reason") == "adverse_event"
            and (self.as_of - last["end_date"]).days <= INTERRUPTION_MAX_DAYS
        )


def _join_dose_changes(periods: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join a period that ends the day before the next period of the same drug starts.

    A dose change is recorded either with the old period ending on the day the new one
    starts or, reading ``end_date`` as the last day at the dose, on the day before
    (docs/cohort-tables.md, "Dose periods"). The second way would leave the patient off drug
    for one day that never happened, which breaks contiguity, "days on this regimen" and the
    dose a relapse occurred on; the old period's end becomes the next start, as the outcome
    engine reads it. Only periods started on or before the as-of date are given, so nothing
    after it is used. The rows are copied, never changed.
    """
    out = [dict(row) for row in periods]
    by_drug: dict[str, list[dict[str, Any]]] = {}
    for row in out:
        by_drug.setdefault(str(row.get("drug", "")).strip().lower(), []).append(row)
    for rows in by_drug.values():
        rows.sort(key=lambda r: r["start_date"])
        for earlier, later in itertools.pairwise(rows):
            end = earlier.get("end_date")
            if end is not None and (later["start_date"] - end).days == 1:
                earlier["end_date"] = later["start_date"]
    return out


def _clip(row: Row, day: dt.date) -> Row:
    """Clear what was not yet known on ``day``: an end date after it, and the end reason."""
    end = row.get("end_date")
    if end is None or end <= day:
        return row
    clipped = dict(row)
    clipped["end_date"] = None
    for column in ("end_reason", "outcome"):
        if column in clipped:
            clipped[column] = None
    return clipped


def _records(
    frame: pd.DataFrame, patient_id: str, date_columns: Sequence[str]
) -> list[dict[str, Any]]:
    rows = frame.loc[frame["patient_id"].astype(str) == patient_id]
    names = [str(k) for k in rows.columns]
    out: list[dict[str, Any]] = []
    # One object array instead of to_dict("records"), which builds a Series per column
    # (20x slower on the wide visits table); the values are the same once blanks read None.
    for values in rows.to_numpy(dtype=object):
        record = {k: (None if is_missing(v) else v) for k, v in zip(names, values, strict=True)}
        for column in date_columns:
            if column in record:
                record[column] = as_date(record[column])
        out.append(record)
    return out


def patient_data(
    cohort: Cohort, patient_id: str, as_of: dt.date, *, drug: str = "lenalidomide"
) -> PatientData:
    """Cut one patient's cohort rows at ``as_of``.

    Parameters
    ----------
    cohort
        The cohort tables (never modified); absent optional columns read as blank.
    patient_id
        Which patient.
    as_of
        The day of the advice; rows dated after it are ignored.
    drug
        The studied drug (case-insensitive match on ``treatments.drug``).

    Raises
    ------
    NotFoundError
        When ``patient_id`` is not in ``cohort.patients``.
    InputError
        When a dated row has an unreadable date.
    """
    pid = str(patient_id)
    cohort = with_optional_columns(cohort)  # the same cohort when nothing is missing
    patients = _records(cohort.patients, pid, DATE_COLUMNS["patients"])
    if not patients:
        known = ", ".join(sorted(cohort.patients["patient_id"].astype(str))[:10])
        raise NotFoundError(f"patient {pid!r} is not in the cohort (first ids: {known})")
    problems: list[Problem] = []

    def dated(
        table: str, frame: pd.DataFrame, column: str, extra: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        rows = _records(frame, pid, (column, *extra))
        for row in rows:
            if row.get(column) is None:
                problems.append(Problem(column, None, "a date is required", "ISO 8601 date", table))
        kept = [r for r in rows if r.get(column) is not None and r[column] <= as_of]
        return sorted(kept, key=lambda r: r[column])

    treatments = dated("treatments", cohort.treatments, "start_date", ("end_date",))
    visits = dated("visits", cohort.visits, "visit_date")
    for row in visits:
        try:
            row["pregnancy_test"] = pregnancy_result(row.get("pregnancy_test"), row["visit_date"])
        except InputError as error:
            problems.extend(error.problems)
    adverse = dated("adverse_events", cohort.adverse_events, "onset_date", ("end_date",))
    flares = dated("flares", cohort.flares, "flare_date")
    medications = dated(
        "concomitant_medications", cohort.concomitant_medications, "start_date", ("end_date",)
    )
    if problems:
        raise InputError(problems)
    clipped_treatments = [_clip(r, as_of) for r in _join_dose_changes(treatments)]
    clipped_adverse = [_clip(r, as_of) for r in adverse]
    studied = [
        r for r in clipped_treatments if str(r.get("drug", "")).strip().lower() == drug.lower()
    ]
    others = [
        r for r in clipped_treatments if str(r.get("drug", "")).strip().lower() != drug.lower()
    ]
    return PatientData(
        patient_id=pid,
        as_of=as_of,
        patient=patients[0],
        periods=tuple(studied),
        other_treatments=tuple(others),
        visits=tuple(visits),
        adverse_events=tuple(clipped_adverse),
        flares=tuple(flares),
        drug=drug,
        medications=tuple(_clip(r, as_of) for r in medications),
    )
