"""The safety worklist: every patient whose situation fires a safety rule today, most urgent first.

The worklist runs :func:`clears.protocol.advise` for every patient of a cohort on one day and
keeps the patients with at least one alert above ``info`` (stop, hold, action, review, in the
order of :data:`clears.protocol._alert.ALERT_LEVELS`) or an overdue monitoring item. Alerts are
read generically, by level: a rule added to the safety pipeline appears here without any
change to this module. Standing ``info`` alerts (off-label use, known neuropathy) are left out,
since every patient on lenalidomide for CLE carries them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from clears._exceptions import ClearsError, InputError, Problem
from clears.cohort import TABLES, Cohort, with_optional_columns
from clears.protocol._advise import advise_data
from clears.protocol._alert import ALERT_LEVELS, Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._load import DEFAULT_PROTOCOL, load_protocol
from clears.protocol._monitoring import MonitoringItem
from clears.protocol._patient import patient_data

__all__ = [
    "NO_ADVICE_RULE",
    "SAFETY_LEVELS",
    "WORKLIST_COLUMNS",
    "WORKLIST_LEVELS",
    "Worklist",
    "WorklistRow",
    "alert_date",
    "make_row",
    "sort_rows",
    "split_by_patient",
    "worklist",
    "worklist_row",
]

#: Alert levels that put a patient on the worklist (every level but ``info``).
SAFETY_LEVELS: Final = tuple(level for level in ALERT_LEVELS if level != "info")
#: Worklist levels, most urgent first: the alert levels, then overdue monitoring alone.
WORKLIST_LEVELS: Final = (*SAFETY_LEVELS, "overdue")
#: Columns of :meth:`Worklist.to_frame`, in order.
WORKLIST_COLUMNS: Final = (
    "patient_id",
    "centre",
    "level",
    "since",
    "days_waiting",
    "alerts",
    "overdue",
    "dose_action",
    "dose_regimen",
    "dose_mg_per_day",
)
#: Rule id of the row listed when a patient's records cannot be advised on at all.
NO_ADVICE_RULE: Final = "worklist.no_advice"


@dataclass(frozen=True)
class WorklistRow:
    """One patient of the worklist.

    Attributes
    ----------
    patient_id, centre
        Who and where.
    level
        The most urgent level: an alert level of :data:`WORKLIST_LEVELS`, or ``overdue``
        when only monitoring is overdue.
    alerts
        The patient's alerts above ``info``, most urgent first.
    overdue
        The monitoring items whose due date has passed.
    dose_action, dose_regimen, dose_mg_per_day
        The advised dose after the safety rules.
    since
        The earliest date the patient has been waiting from: the earliest due date of an
        overdue item or :func:`alert_date` of an alert (None when nothing is dated).
    days_waiting
        Days from ``since`` to the as-of date (0 when ``since`` is None).
    """

    patient_id: str
    centre: str
    level: str
    alerts: tuple[Alert, ...]
    overdue: tuple[MonitoringItem, ...]
    dose_action: str
    dose_regimen: str
    dose_mg_per_day: float
    since: dt.date | None
    days_waiting: int

    def sort_key(self) -> tuple[int, int, str]:
        """Most urgent level first, then the longest wait, then the patient id."""
        return (WORKLIST_LEVELS.index(self.level), -self.days_waiting, self.patient_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a JSON-ready mapping."""
        return {
            "patient_id": self.patient_id,
            "centre": self.centre,
            "level": self.level,
            "since": self.since.isoformat() if self.since else None,
            "days_waiting": self.days_waiting,
            "alerts": [
                {"rule": a.rule, "level": a.level, "message": a.message, "reference": a.reference}
                for a in self.alerts
            ],
            "overdue": [m.to_dict() for m in self.overdue],
            "dose": {
                "action": self.dose_action,
                "regimen": self.dose_regimen,
                "dose_mg_per_day": self.dose_mg_per_day,
            },
        }


@dataclass(frozen=True)
class Worklist:
    """The safety worklist of a cohort on one day.

    Attributes
    ----------
    as_of
        The day; only rows dated on or before it were read.
    protocol
        ``name version`` of the protocol used.
    rows
        One :class:`WorklistRow` per patient needing attention, most urgent first.
    n_screened
        Number of patients screened (the denominator).
    """

    as_of: dt.date
    protocol: str
    rows: tuple[WorklistRow, ...]
    n_screened: int

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[WorklistRow]:
        return iter(self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per patient with the columns of :data:`WORKLIST_COLUMNS`; ``alerts`` and
        ``overdue`` are ``; ``-joined ``[level] rule`` and ``test (due date)`` texts."""
        records = [
            {
                "patient_id": r.patient_id,
                "centre": r.centre,
                "level": r.level,
                "since": r.since,
                "days_waiting": r.days_waiting,
                "alerts": "; ".join(f"[{a.level}] {a.rule}" for a in r.alerts),
                "overdue": "; ".join(
                    f"{m.test} ({m.next_due.isoformat() if m.next_due else '-'})" for m in r.overdue
                ),
                "dose_action": r.dose_action,
                "dose_regimen": r.dose_regimen,
                "dose_mg_per_day": r.dose_mg_per_day,
            }
            for r in self.rows
        ]
        return pd.DataFrame(records, columns=list(WORKLIST_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """Return the worklist as a JSON-ready mapping."""
        return {
            "as_of": self.as_of.isoformat(),
            "protocol": self.protocol,
            "n_screened": self.n_screened,
            "n_listed": len(self.rows),
            "patients": [r.to_dict() for r in self.rows],
        }

    def to_text(self) -> str:
        """Return the worklist as plain text for the terminal."""
        lines = [
            f"Safety worklist as of {self.as_of.isoformat()} (protocol {self.protocol}): "
            f"{len(self.rows)} of {self.n_screened} patients need attention"
        ]
        for r in self.rows:
            since = f", since {r.since.isoformat()}" if r.since else ""
            lines.append("")
            lines.append(
                f"[{r.level.upper()}] {r.patient_id} ({r.centre}){since}: dose "
                f"{r.dose_action.upper()} -> {r.dose_regimen}"
            )
            for a in r.alerts:
                lines.append(f"  [{a.level}] {a.message}  ({a.rule})")
            for m in r.overdue:
                due = m.next_due.isoformat() if m.next_due else "-"
                lines.append(f"  [overdue] {m.test}: due {due}  ({m.rule})")
        return "\n".join(lines) + "\n"


def _as_day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def alert_date(alert: Alert, as_of: dt.date) -> dt.date | None:
    """The day an alert's situation arose: the latest date its ``data`` names (a date, an
    ISO date text, or a list of them) up to ``as_of``; None when it names none.

    The latest, because an alert's data may also name earlier context (the last test done
    before the one now overdue): the alert is about the newest fact.
    """
    days: list[dt.date] = []
    for value in alert.data.values():
        for item in value if isinstance(value, list | tuple) else (value,):
            day = _as_day(item)
            if day is not None and day <= as_of:
                days.append(day)
    return max(days) if days else None


def make_row(
    *,
    patient_id: str,
    centre: str,
    as_of: dt.date,
    alerts: Iterable[Alert],
    monitoring: Iterable[MonitoringItem],
    dose: tuple[str, str, float],
) -> WorklistRow | None:
    """Build the worklist row from one patient's advice parts; None when nothing fires."""
    rank = {level: i for i, level in enumerate(SAFETY_LEVELS)}
    kept = sorted((a for a in alerts if a.level in rank), key=lambda a: rank[a.level])
    overdue = tuple(m for m in monitoring if m.status == "overdue")
    if not kept and not overdue:
        return None
    dates = [m.next_due for m in overdue if m.next_due is not None]
    dates += [d for d in (alert_date(a, as_of) for a in kept) if d is not None]
    since = min(dates) if dates else None
    action, regimen, mg = dose
    return WorklistRow(
        patient_id=patient_id,
        centre=centre,
        level=kept[0].level if kept else "overdue",
        alerts=tuple(kept),
        overdue=overdue,
        dose_action=action,
        dose_regimen=regimen,
        dose_mg_per_day=mg,
        since=since,
        days_waiting=(as_of - since).days if since else 0,
    )


def worklist_row(
    cohort: Cohort, patient_id: str, *, as_of: dt.date, protocol: ProtocolDefinition
) -> WorklistRow | None:
    """The worklist row of one patient on ``as_of``, or None when nothing fires.

    A patient whose records cannot be advised on (an unreadable date, say) is listed at
    ``review`` with a ``worklist.no_advice`` alert naming the problem: a record that
    decision support cannot read needs a person, not silence.
    """
    rows = cohort.patients.loc[cohort.patients["patient_id"].astype(str) == patient_id]
    centre = "" if rows.empty else str(rows["centre"].iloc[0])
    try:
        data = patient_data(cohort, patient_id, as_of, drug=protocol.drug)
        advice = advise_data(data, protocol)
    except ClearsError as exc:
        failure = Alert(
            NO_ADVICE_RULE,
            "review",
            f"Decision support could not be given: {exc}",
            "clears.protocol.advise",
        )
        return make_row(
            patient_id=patient_id,
            centre=centre,
            as_of=as_of,
            alerts=[failure],
            monitoring=[],
            dose=("none", "no advice", 0.0),
        )
    d = advice.dose
    return make_row(
        patient_id=patient_id,
        centre=centre,
        as_of=as_of,
        alerts=advice.alerts,
        monitoring=advice.monitoring,
        dose=(d.action, d.regimen, d.dose_mg_per_day),
    )


def split_by_patient(cohort: Cohort, *, block: int = 1000) -> Iterator[tuple[str, Cohort]]:
    """Yield ``(patient_id, cohort of that patient alone)`` in ``patients`` order.

    One group-by per table, so that advising every patient costs time in proportion to the
    cohort, not to its square. Patients are taken ``block`` at a time: their rows become one
    object block per table (a patient's rows are then one array take instead of one per
    typed column, half the time), while memory stays that of ``block`` patients.
    """
    tables = {table: cohort.table(table) for table in TABLES}
    indices = {
        table: frame.groupby(frame["patient_id"].astype(str)).indices
        for table, frame in tables.items()
    }
    ids = list(cohort.patients["patient_id"].astype(str))
    empty = np.empty(0, dtype=np.intp)
    for first in range(0, len(ids), block):
        chunk = ids[first : first + block]
        local: dict[str, tuple[pd.DataFrame, dict[str, np.ndarray]]] = {}
        for table, frame in tables.items():
            parts = [indices[table].get(pid, empty) for pid in chunk]
            taken = frame.iloc[np.concatenate(parts) if parts else empty].astype(object)
            bounds = np.cumsum([0] + [len(p) for p in parts])
            local[table] = (
                taken,
                {pid: np.arange(bounds[k], bounds[k + 1]) for k, pid in enumerate(chunk)},
            )
        for pid in chunk:
            frames = {table: taken.iloc[where[pid]] for table, (taken, where) in local.items()}
            yield pid, Cohort(**frames, source=cohort.source)


def sort_rows(rows: Iterable[WorklistRow]) -> tuple[WorklistRow, ...]:
    """Most urgent level first, then the longest wait, then the patient id."""
    return tuple(sorted(rows, key=WorklistRow.sort_key))


def _selected(cohort: Cohort, centres: Iterable[str] | None) -> Cohort:
    if centres is None:
        return cohort
    wanted = sorted(set(centres))
    known = sorted(set(cohort.patients["centre"].astype(str)))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InputError(
            [
                Problem(
                    "centre",
                    code,
                    "no patient of the cohort is at this centre",
                    ", ".join(known) or "none",
                )
                for code in unknown
            ]
        )
    keep = set(
        cohort.patients.loc[
            cohort.patients["centre"].astype(str).isin(wanted), "patient_id"
        ].astype(str)
    )
    frames = {}
    for table in TABLES:
        frame = cohort.table(table)
        frames[table] = frame.loc[frame["patient_id"].astype(str).isin(keep)].reset_index(drop=True)
    return Cohort(**frames, source=cohort.source)


def worklist(
    cohort: Cohort,
    *,
    as_of: dt.date | None = None,
    protocol: str | ProtocolDefinition = DEFAULT_PROTOCOL,
    centres: Iterable[str] | None = None,
) -> Worklist:
    """List every patient whose situation fires a safety rule on ``as_of``, most urgent first.

    Parameters
    ----------
    cohort
        The cohort tables (never modified); absent optional columns read as blank.
    as_of
        The day (default: today). Rows dated after it are ignored.
    protocol
        A bundled protocol name, a protocol file path or a :class:`ProtocolDefinition`.
    centres
        Keep only the patients of these centre codes (default: every centre).

    Returns
    -------
    Worklist
        One row per patient with at least one alert of level stop, hold, action or review
        (:data:`WORKLIST_LEVELS`), or an overdue monitoring item; sorted by the most urgent
        level, then by the days waiting (since the earliest overdue due date or alert date;
        longest first), then by patient id.

    Raises
    ------
    InputError
        A centre code of ``centres`` that no patient of the cohort belongs to.

    References
    ----------
    Alert levels and their order: :data:`clears.protocol._alert.ALERT_LEVELS`; the rules
    and their sources are those of :func:`clears.protocol.advise`.
    """
    definition = protocol if isinstance(protocol, ProtocolDefinition) else load_protocol(protocol)
    day = as_of or dt.date.today()
    chosen = with_optional_columns(_selected(cohort, centres))
    rows = []
    for pid, alone in split_by_patient(chosen):
        row = worklist_row(alone, pid, as_of=day, protocol=definition)
        if row is not None:
            rows.append(row)
    return Worklist(
        as_of=day,
        protocol=f"{definition.name} {definition.version}",
        rows=sort_rows(rows),
        n_screened=chosen.n_patients,
    )
