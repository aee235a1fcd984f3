"""No recent visit: advice from an old assessment asks to see the patient instead.

Cortés-Hernández 2012 (Methods): "Patients were followed-up monthly for the first 6 months
and every three months afterwards ... At each visit ... the CLASI score, response to therapy,
and occurrence of side effects were evaluated." The dose rules judge response on the latest
CLASI-A; when that assessment is older than the protocol's visit interval allows, continuing or
changing the dose would rest on stale data. The allowed age is the protocol's own visit
schedule (``[monitoring] visit_interval_days``, read through the CLASI item of
:func:`clears.protocol._monitoring.monitoring_schedule`, so the reminder and this rule agree
on when the visit was due) plus ``[monitoring] visit_grace_days``. One exception: when the
last CLASI-A is the baseline (on or before the first dose, up to 30 days before it), the first
follow-up visit is due one early visit interval after the first dose, not after the baseline
visit ("followed-up monthly" counts from the start of treatment).

While a course runs, a CLASI-A visit overdue by more than the grace turns a ``continue``,
``increase``, ``decrease`` or ``taper`` into ``review`` ("no recent visit — see the patient")
with ``review=True``; the dose stays the one in effect until the patient is seen. Safety rules
run after this one and still hold or stop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, regimen_label
from clears.protocol._monitoring import MonitoringItem
from clears.protocol._patient import PatientData
from clears.protocol._sources import CORTES2012

__all__ = ["NO_RECENT_VISIT", "apply_stale_visit", "visit_overdue_since"]

#: Rule id of the advice given when the last visit is too old.
NO_RECENT_VISIT: Final = "protocol.no_recent_visit"
#: Rule-table actions that rest on the latest assessment.
_JUDGED: Final = frozenset({"continue", "increase", "decrease", "taper"})
_VISIT_ITEM: Final = "monitoring.clasi"


def _visit_due(
    due: dt.date, last: dt.date | None, data: PatientData, protocol: ProtocolDefinition
) -> dt.date:
    index = data.index_date
    if index is not None and (last is None or last <= index):
        return max(due, index + dt.timedelta(days=protocol.visit_interval_days[0]))
    return due


def visit_overdue_since(
    monitoring: Sequence[MonitoringItem], data: PatientData, protocol: ProtocolDefinition
) -> tuple[dt.date, dt.date] | None:
    """``(visit due, last acceptable day)`` of the next CLASI visit, or None.

    The last acceptable day is the due date plus ``visit_grace_days``. None when the schedule
    has no dated CLASI visit (not started, or treatment ended).
    """
    for item in monitoring:
        if item.rule == _VISIT_ITEM and item.next_due is not None:
            due = _visit_due(item.next_due, item.last_done, data, protocol)
            return due, due + dt.timedelta(days=protocol.visit_grace_days)
    return None


def apply_stale_visit(
    data: PatientData,
    protocol: ProtocolDefinition,
    advice: DoseAdvice,
    monitoring: Sequence[MonitoringItem],
) -> DoseAdvice:
    """Replace advice that rests on a too-old CLASI-A visit by ``review`` (see module doc)."""
    current = data.current_period
    found = visit_overdue_since(monitoring, data, protocol)
    if current is None or found is None or advice.action not in _JUDGED:
        return advice
    due, limit = found
    if data.as_of <= limit:
        return advice
    item = next(m for m in monitoring if m.rule == _VISIT_ITEM)
    last = item.last_done.isoformat() if item.last_done else "none since the start"
    basis = {
        **advice.basis,
        "last_visit_date": item.last_done,
        "visit_due": due,
        "visit_grace_days": protocol.visit_grace_days,
        "last_acceptable_day": limit,
        "withheld_action": advice.action,
    }
    return replace(
        advice,
        action="review",
        dose_mg_per_day=advice.current_mg_per_day,
        regimen=regimen_label(current),
        rule=NO_RECENT_VISIT,
        reference=str(CORTES2012),
        review=True,
        explanation=(
            f"No recent visit — see the patient. The last CLASI-A visit ({last}) was due to be "
            f"followed by one on {due.isoformat()}, and the {protocol.visit_grace_days}-day grace "
            f"ended on {limit.isoformat()}: a '{advice.action}' decision would rest on stale "
            "data. Assess CLASI-A (and the visit's labs) before any dose decision."
        ),
        basis=basis,
    )
