"""``advise()``: dose, monitoring, alerts and eligibility for one patient on one day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from clears.cohort import Cohort
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, dose_facts, protocol_dose, withhold
from clears.protocol._eligibility import Eligibility, screen
from clears.protocol._load import DEFAULT_PROTOCOL, load_protocol
from clears.protocol._monitoring import MonitoringItem, monitoring_schedule
from clears.protocol._patient import PatientData, patient_data
from clears.protocol._safety import Alert, safety
from clears.protocol._sources import CTCAE_VERSION
from clears.protocol._stale import apply_stale_visit

__all__ = ["Advice", "advise", "advise_data"]


@dataclass(frozen=True)
class Advice:
    """Decision support for one patient as of one date.

    Attributes
    ----------
    patient_id, as_of
        Who and which day; only rows dated on or before ``as_of`` were read.
    protocol
        ``name version`` of the protocol used.
    dose
        The dose advice (action, mg/day, regimen, rule, explanation, reference).
    monitoring, alerts
        Monitoring items and safety/label alerts, each with ``rule`` and ``reference``.
    eligibility
        The Cortés-Hernández 2012 screen.
    ctcae_version
        The CTCAE version used to grade laboratory toxicity.
    """

    patient_id: str
    as_of: dt.date
    protocol: str
    dose: DoseAdvice
    monitoring: tuple[MonitoringItem, ...]
    alerts: tuple[Alert, ...]
    eligibility: Eligibility
    ctcae_version: str = CTCAE_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Return the advice as a JSON-ready mapping."""
        return {
            "patient_id": self.patient_id,
            "as_of": self.as_of.isoformat(),
            "protocol": self.protocol,
            "ctcae_version": self.ctcae_version,
            "dose": self.dose.to_dict(),
            "monitoring": [m.to_dict() for m in self.monitoring],
            "alerts": [a.to_dict() for a in self.alerts],
            "eligibility": self.eligibility.to_dict(),
        }

    def to_text(self) -> str:
        """Return the advice as plain text for the terminal."""
        d = self.dose
        lines = [
            f"Patient {self.patient_id} as of {self.as_of.isoformat()} "
            f"(protocol {self.protocol}; {self.ctcae_version})",
            "",
            f"DOSE: {d.action.upper()} -> {d.regimen} ({d.dose_mg_per_day:.3g} mg/day; "
            f"now {d.current_mg_per_day:.3g} mg/day)" + ("  [review]" if d.review else ""),
            f"  rule {d.rule}: {d.explanation}",
            f"  reference: {d.reference}",
        ]
        if d.extrapolated:
            lines.append(
                "  note: applies a label rule from another indication (off-label extrapolation)"
            )
        lines += ["", "MONITORING:"]
        for m in self.monitoring:
            due = m.next_due.isoformat() if m.next_due else "-"
            last = m.last_done.isoformat() if m.last_done else "never"
            lines.append(
                f"  [{m.status}] {m.test}: next {due} (last {last}); {m.schedule}  ({m.rule})"
            )
        lines += ["", "ALERTS:"]
        for a in self.alerts:
            lines.append(f"  [{a.level}] {a.message}  ({a.rule})")
        e = self.eligibility
        lines += [
            "",
            f"ELIGIBILITY (Cortés-Hernández 2012, screened on {e.screened_on.isoformat()}): "
            f"{e.verdict}",
        ]
        for c in e.criteria:
            lines.append(f"  [{c.status}] {c.text}  ({c.id})")
        return "\n".join(lines) + "\n"


def advise_data(data: PatientData, protocol: ProtocolDefinition) -> Advice:
    """Advise from an already-cut :class:`PatientData` (see :func:`advise`)."""
    facts = dose_facts(data, protocol)
    dose = protocol_dose(data, protocol)
    eligibility = screen(data, protocol.thresholds)
    if not data.periods and eligibility.verdict != "eligible":
        failed = [c.id for c in eligibility.criteria if c.status == "not_met"]
        if failed:
            dose = withhold(
                dose,
                action="hold",
                regimen="not started",
                rule="eligibility.not_met",
                reference=eligibility.reference,
                explanation="Do not start: eligibility criteria not met ("
                + ", ".join(failed)
                + ").",
            )
        else:
            dose = replace(
                dose,
                review=True,
                explanation=dose.explanation + " Some eligibility "
                "criteria could not be checked (unknown); complete them before starting.",
            )
    monitoring = monitoring_schedule(data, protocol, facts)
    dose = apply_stale_visit(data, protocol, dose, monitoring)
    dose, alerts = safety(data, protocol, dose)
    return Advice(
        patient_id=data.patient_id,
        as_of=data.as_of,
        protocol=f"{protocol.name} {protocol.version}",
        dose=dose,
        monitoring=monitoring,
        alerts=alerts,
        eligibility=eligibility,
    )


def advise(
    cohort: Cohort,
    patient_id: str,
    *,
    as_of: dt.date | None = None,
    protocol: str | ProtocolDefinition = DEFAULT_PROTOCOL,
) -> Advice:
    """Advise on one patient at one date: dose action, monitoring, alerts and eligibility.

    Parameters
    ----------
    cohort
        The cohort tables (never modified). An optional column of
        :data:`clears.cohort.SCHEMA` that a table lacks reads as present and blank.
    patient_id
        The patient to advise on.
    as_of
        The day of the advice (default: today). Rows dated after it are ignored.
    protocol
        A bundled protocol name (``cortes2012``, the default; ``cortes2012_label_holds``, the
        same with the label's cytopenia hold and resume; ``okon_braunstein``), a path
        to a TOML/YAML protocol file, or a :class:`ProtocolDefinition`.

    Returns
    -------
    Advice
        With ``dose`` (action, dose_mg_per_day, regimen, rule, explanation, reference),
        ``monitoring``, ``alerts`` and ``eligibility``.

    Raises
    ------
    NotFoundError
        ``patient_id`` is not in the cohort, or an unknown bundled protocol.
    InputError
        A dated row of the patient without a readable date, or an invalid protocol file.

    References
    ----------
    Cortés-Hernández J, et al. Arthritis Res Ther 2012;14(6):R265, doi:10.1186/ar4111.
    """
    definition = protocol if isinstance(protocol, ProtocolDefinition) else load_protocol(protocol)
    day = as_of or dt.date.today()
    return advise_data(patient_data(cohort, patient_id, day, drug=definition.drug), definition)
