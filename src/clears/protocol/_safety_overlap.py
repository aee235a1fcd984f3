"""Safety rule: no lenalidomide start while thalidomide (or another IMiD) is still running.

Thalidomide and lenalidomide are both immunomodulatory imide drugs (IMiDs) with the same
boxed hazards (embryo-fetal toxicity, venous and arterial thromboembolism: LABEL_BOXED).
Aitmehdi 2021 treated 35/40 patients after thalidomide (Table 1), and Cortés-Hernández 2012
enrolled patients after thalidomide failure: lenalidomide follows thalidomide, it is never
added to it. A thalidomide (or other IMiD) period running on the as-of day therefore turns a
START or RESTART into a hold for the clinician's review, naming the overlapping drug and its
start; while lenalidomide already runs, the overlap asks for review.

Which drugs are IMiDs is read from the cohort's medication vocabulary
(:data:`clears.cohort.MEDICATIONS`, class ``imid``), never restated here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Final

from clears.cohort import MEDICATIONS, medication_class
from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import STARTS, DoseAdvice, withhold
from clears.protocol._patient import PatientData, Row
from clears.protocol._sources import AITMEHDI2021, CORTES2012, LABEL_BOXED

__all__ = ["IMID_CLASS", "Overlap", "apply_overlap", "imid_overlaps"]

#: The vocabulary class whose drugs overlap with the studied drug.
IMID_CLASS: Final = "imid"


@dataclass(frozen=True)
class Overlap:
    """One IMiD period running on the as-of day: the drug, its start and the table it is in."""

    drug: str
    start_date: dt.date
    table: str

    def to_dict(self) -> dict[str, str]:
        """Return the overlap as a JSON-ready mapping."""
        return {"drug": self.drug, "start_date": self.start_date.isoformat(), "table": self.table}


def _is_imid(drug: object, studied: str) -> bool:
    name = str(drug or "").strip().lower()
    if not name or name == studied.lower():
        return False
    entry = MEDICATIONS.get(name.replace(" ", "_").replace("-", "_"))
    return entry is not None and entry.drug_class == IMID_CLASS


def _running(row: Row, day: dt.date) -> bool:
    end = row.get("end_date")
    start: dt.date = row["start_date"]
    return start <= day and (end is None or end >= day)


def imid_overlaps(data: PatientData) -> list[Overlap]:
    """Return the IMiD periods (other than the studied drug) running on ``data.as_of``.

    A period runs on a day from its ``start_date`` to its ``end_date`` inclusive (blank end:
    still running). Both the ``treatments`` table (periods of other drugs) and the
    ``concomitant_medications`` table (class ``imid``) are read.

    Returns
    -------
    list of Overlap
        Each overlapping period, oldest first.
    """
    day = data.as_of
    found: list[Overlap] = []
    for row in data.other_treatments:
        if _is_imid(row.get("drug"), data.drug) and _running(row, day):
            found.append(Overlap(str(row["drug"]).strip().lower(), row["start_date"], "treatments"))
    for row in data.medications:
        drug = str(row.get("drug") or "").strip().lower()
        if drug == data.drug.lower() or not _running(row, day):
            continue
        if medication_class(drug) == IMID_CLASS:
            found.append(Overlap(drug, row["start_date"], "concomitant_medications"))
    return sorted(found, key=lambda o: o.start_date)


def apply_overlap(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Hold a START/RESTART of the studied drug while another IMiD period is running.

    Sources: LABEL_BOXED (the IMiD boxed warning), Cortés-Hernández 2012 and Aitmehdi 2021
    (lenalidomide given after thalidomide, never with it). On treatment, an overlap asks for
    review without changing the dose.
    """
    overlaps = imid_overlaps(data)
    if not overlaps:
        return advice
    names = "; ".join(f"{o.drug} since {o.start_date.isoformat()}" for o in overlaps)
    ref = f"{LABEL_BOXED}; {CORTES2012}; {AITMEHDI2021}"
    info: dict[str, object] = {"overlaps": [o.to_dict() for o in overlaps]}
    on_drug = data.current_period is not None
    alerts.append(
        Alert(
            "safety.imid_overlap",
            "review" if on_drug else "hold",
            f"Drug overlap: {names} is still running on {data.as_of.isoformat()}. "
            f"Do not {'combine' if on_drug else 'start'} {data.drug} with another IMiD; "
            "end the other IMiD first and review.",
            ref,
            info,
        )
    )
    if advice.action not in STARTS:
        return replace(advice, review=True)
    return withhold(
        advice,
        action="hold",
        regimen="not started (IMiD overlap)",
        rule="safety.imid_overlap",
        reference=ref,
        explanation=f"Do not {advice.action} {data.drug}: {names} is still running "
        "(overlapping IMiD periods); review.",
        basis=info,
    )
