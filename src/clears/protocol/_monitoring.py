"""The monitoring schedule: what is due or overdue on the as-of date, with dates.

Blood counts: weekly for the first 8 weeks of a course, then monthly (Cortés-Hernández 2012,
Shah 2009, MDS label; intervals from the protocol's ``monitoring`` table). Pregnancy tests for
females of reproductive potential: two negative tests before the first dose, weekly for the
first 4 weeks, then every 4 weeks, or every 2 weeks with irregular cycles (lenalidomide label,
REMS), and for 4 weeks after stopping (:mod:`clears.protocol._pregnancy`). CLASI at each visit and
SLEDAI-2K with a urinalysis at each visit for every patient, with or without SLE (visits monthly
for 6 months, then every 3 months in Cortés-Hernández 2012; seed 003: progression to SLE with
renal involvement in a patient with isolated CLE); anti-dsDNA, C3 and C4 at baseline and after
the course (Cortés-Hernández 2012). Nerve conduction studies with known thalidomide neuropathy
or new neurological symptoms (Cortés-Hernández 2012).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from clears.instruments.sledai import DEFINITION as SLEDAI_DEFINITION
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseFacts
from clears.protocol._patient import PatientData, flag, is_missing
from clears.protocol._pregnancy import (
    PREGNANCY_INTERVALS,
    pregnancy_test_plan,
    reproductive_potential,
)
from clears.protocol._sources import (
    BRAUNSTEIN2012,
    CORTES2012,
    LABEL_PREGNANCY,
    SHAH2009,
    SMPC_PPP,
)

__all__ = ["PREGNANCY_INTERVALS", "MonitoringItem", "monitoring_schedule"]

#: Words in an adverse-event term that count as new neurological symptoms.
_NEURO_WORDS: Final = ("neuropath", "paraesthesia", "paresthesia", "numbness", "tingling")
#: A count or test at most this many days before the start counts as the pre-start one.
_PRESTART_WINDOW_DAYS: Final = 14

#: SLEDAI-2K columns: the total and every descriptor column of the instrument definition.
_SLEDAI_COLUMNS: Final = ("sledai", *(f.column for f in SLEDAI_DEFINITION.fields))
#: The SLEDAI-2K renal descriptors (Gladman 2002): a visit that records any of them had a
#: urinalysis (casts, haematuria, proteinuria, pyuria are read from the urine).
_RENAL_DESCRIPTORS: Final = ("urinary_casts", "hematuria", "proteinuria", "pyuria")
_URINALYSIS_COLUMNS: Final = tuple(
    f.column for f in SLEDAI_DEFINITION.fields if f.path in _RENAL_DESCRIPTORS
)
#: Immunology as Cortés-Hernández 2012 measured it: anti-dsDNA and complement (C3, C4).
_IMMUNOLOGY_COLUMNS: Final = ("anti_dsdna", "c3", "c4")
_SYSTEMIC_REFERENCE: Final = (
    f"{CORTES2012} (Methods: 'Exacerbations of systemic disease during follow-up were "
    f"evaluated by the SLEDAI score'); {BRAUNSTEIN2012} (progression to SLE with renal "
    "involvement in a patient with isolated CLE after starting lenalidomide)"
)
#: Assessments at every visit, for every patient (with or without SLE): (rule, test,
#: columns that record it, reference).
_ASSESSMENTS: Final = (
    ("monitoring.clasi", "CLASI", ("clasi_a",), str(CORTES2012)),
    ("monitoring.sledai", "SLEDAI-2K", _SLEDAI_COLUMNS, _SYSTEMIC_REFERENCE),
    (
        "monitoring.urinalysis",
        "urinalysis (SLEDAI-2K renal descriptors: casts, haematuria, proteinuria, pyuria)",
        _URINALYSIS_COLUMNS,
        _SYSTEMIC_REFERENCE,
    ),
)


@dataclass(frozen=True)
class MonitoringItem:
    """One monitoring item: ``status`` is overdue, due, scheduled, done or conditional."""

    rule: str
    test: str
    schedule: str
    last_done: dt.date | None
    next_due: dt.date | None
    status: str
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """Return the item as a JSON-ready mapping."""
        return {
            "rule": self.rule,
            "test": self.test,
            "schedule": self.schedule,
            "last_done": self.last_done.isoformat() if self.last_done else None,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "status": self.status,
            "reference": self.reference,
        }


def _status(next_due: dt.date, as_of: dt.date) -> str:
    if as_of > next_due:
        return "overdue"
    return "due" if as_of == next_due else "scheduled"


def _last(data: PatientData, columns: Sequence[str]) -> dt.date | None:
    for row in reversed(data.visits):
        if any(not is_missing(row.get(c)) for c in columns):
            day: dt.date = row["visit_date"]
            return day
    return None


def _periodic(
    data: PatientData,
    anchor: dt.date | None,
    columns: Sequence[str],
    intervals: tuple[int, int, int],
) -> tuple[dt.date | None, dt.date]:
    """Return (last done, next due) for a test repeated every intervals[0] days during the first
    intervals[1] days after ``anchor`` and every intervals[2] days after that."""
    last = _last(data, columns)
    if anchor is None:
        return last, data.as_of
    window = anchor - dt.timedelta(days=_PRESTART_WINDOW_DAYS)
    if last is None or last < window:
        return last, anchor
    early, length, late = intervals
    step = early if (last - anchor).days < length else late
    return last, max(last + dt.timedelta(days=step), anchor)


def _item(
    rule: str,
    test: str,
    schedule: str,
    last: dt.date | None,
    due: dt.date,
    as_of: dt.date,
    reference: str,
) -> MonitoringItem:
    return MonitoringItem(rule, test, schedule, last, due, _status(due, as_of), reference)


def _pre_start(
    rule: str, test: str, schedule: str, data: PatientData, columns: Sequence[str], reference: str
) -> MonitoringItem:
    last = _last(data, columns)
    recent = last is not None and (data.as_of - last).days <= _PRESTART_WINDOW_DAYS
    return MonitoringItem(
        rule,
        test,
        schedule,
        last,
        None if recent else data.as_of,
        "done" if recent else "due",
        reference,
    )


def _female_of_potential(data: PatientData) -> bool:
    """Pregnancy tests are due: recorded of potential, or nothing recorded below the age where
    potential is implausible (:func:`clears.protocol._pregnancy.reproductive_potential`)."""
    return reproductive_potential(data).tests_due


def monitoring_schedule(
    data: PatientData, protocol: ProtocolDefinition, facts: DoseFacts
) -> tuple[MonitoringItem, ...]:
    """Return the monitoring items that apply to the patient on ``data.as_of``.

    A course is "active" while a period runs or while it is held for an adverse event; the
    blood-count and pregnancy-test clocks restart at the start of each course
    (``facts.cycle_start``). A test dated up to 14 days before the start counts as the
    pre-start one.
    """
    as_of, items = data.as_of, []
    active = data.current_period is not None or data.interrupted
    started = bool(data.periods)
    early, length, late = protocol.blood_count_interval_days
    blood_words = (
        f"every {early} days for the first {length} days of a course, then every {late} days"
    )
    blood_ref = f"{CORTES2012}; {SHAH2009}"
    labs = ("anc", "wbc", "platelets")
    if not started:
        items.append(
            _pre_start(
                "monitoring.blood_counts",
                "full blood count",
                "before start; then " + blood_words,
                data,
                labs,
                blood_ref,
            )
        )
    elif active:
        last, due = _periodic(data, facts.cycle_start, labs, protocol.blood_count_interval_days)
        items.append(
            _item(
                "monitoring.blood_counts",
                "full blood count",
                blood_words,
                last,
                due,
                as_of,
                blood_ref,
            )
        )
    plan = pregnancy_test_plan(data, facts.cycle_start) if _female_of_potential(data) else None
    if plan is not None:  # also after stopping: 4 weeks of tests (not ended with the course)
        items.append(
            MonitoringItem(
                "monitoring.pregnancy_test",
                "pregnancy test (≥ 50 mIU/mL)",
                plan.schedule,
                plan.last_done,
                plan.next_due,
                plan.status,
                f"{LABEL_PREGNANCY}; {SMPC_PPP}",
            )
        )
    v_early, v_length, v_late = protocol.visit_interval_days
    visit_words = (
        f"each visit: every {v_early} days for the first {v_length} days, then every {v_late} days"
    )
    index = data.index_date
    for rule, test, columns, reference in _ASSESSMENTS:
        if not started:
            items.append(
                _pre_start(rule, test, "at baseline; then " + visit_words, data, columns, reference)
            )
        elif active:  # visit reminders end when the treatment ends (issue 12, hazard 8)
            last, due = _periodic(data, index, columns, protocol.visit_interval_days)
            items.append(_item(rule, test, visit_words, last, due, as_of, reference))
    items.append(_immunology(data, active))
    items.extend(_nerve_conduction(data))
    return tuple(items)


def _immunology(data: PatientData, active: bool) -> MonitoringItem:
    """Anti-dsDNA, C3 and C4 at baseline and after the course, as Cortés-Hernández 2012.

    Cortés 2012 Methods: "At baseline measurements of full blood counts and immunological
    parameters (anti-dsDNA, complement ...) were performed"; Figure 3 compares "baseline and
    after completing the course of treatment". Before the start (or on treatment without a
    value dated at most 14 days before the start) the baseline is due; afterwards, and once
    the course has ended (reminders end with the treatment), the item is conditional: repeat
    after completing the course.
    """
    rule, test = "monitoring.immunology", "anti-dsDNA, C3 and C4"
    ref = str(CORTES2012)
    words = "at baseline and after completing the course of treatment"
    index = data.index_date
    if index is None:
        return _pre_start(rule, test, words, data, _IMMUNOLOGY_COLUMNS, ref)
    baseline = None
    for row in data.visits:
        near = (index - row["visit_date"]).days <= _PRESTART_WINDOW_DAYS
        if near and any(not is_missing(row.get(c)) for c in _IMMUNOLOGY_COLUMNS):
            baseline = row["visit_date"]
            break
    last = _last(data, _IMMUNOLOGY_COLUMNS)
    if baseline is None and active:
        return _item(rule, test, words, last, index, data.as_of, ref)
    return MonitoringItem(rule, test, words, last, None, "conditional", ref)


def _nerve_conduction(data: PatientData) -> list[MonitoringItem]:
    known = flag(data.value("thalidomide_neuropathy")) is True
    last = None
    for row in reversed(data.visits):
        if flag(row.get("nerve_conduction")) is True:
            last = row["visit_date"]
            break
    symptoms = [
        r["onset_date"]
        for r in data.adverse_events
        if any(w in str(r.get("term", "")).lower() for w in _NEURO_WORDS)
        and (last is None or r["onset_date"] > last)
    ]
    ref = str(CORTES2012)
    test = "nerve conduction study"
    if symptoms:
        return [
            _item(
                "monitoring.nerve_conduction",
                test,
                "when new neurological symptoms appear",
                last,
                symptoms[0],
                data.as_of,
                ref,
            )
        ]
    if not known:
        return []
    if last is None:
        baseline_due = data.index_date or data.as_of
        return [
            _item(
                "monitoring.nerve_conduction",
                test,
                "at baseline with known thalidomide neuropathy",
                None,
                baseline_due,
                data.as_of,
                ref,
            )
        ]
    return [
        MonitoringItem(
            "monitoring.nerve_conduction",
            test,
            "repeat when new neurological symptoms appear and at the end of treatment",
            last,
            None,
            "conditional",
            ref,
        )
    ]
