"""Which fields a record needs before its form can be marked complete, as declared data.

One declaration (:data:`REQUIRED_FIELDS`) drives the refusal of "complete" (listing what is
missing), the patient's missing-data report and the centre's counts; the rules are read
from the definitions that already state them, never restated:

- **visits**: the visit date; every CLASI item of every area, the mucous membrane, hair-loss,
  alopecia and scalp-scarring items (Albrecht 2005: the CLASI is scored item by item, each
  absent finding as 0; the protocol scores it at every visit, Cortés-Hernández 2012,
  ``monitoring.clasi`` of :mod:`clears.protocol._monitoring`), except "dyspigmentation
  usually lasts 12 months", which only applies when dyspigmentation is present; every
  SLEDAI-2K descriptor (Gladman 2002, scored at every visit: ``monitoring.sledai``); and
  the blood counts the safety rules read at every visit (ANC, WBC, platelets, haemoglobin,
  :data:`clears.protocol._thresholds.LINES`; monthly counts after the first 8 weeks in
  Cortés-Hernández 2012 and the lenalidomide label, when visits are monthly);
- **patients** (the baseline row): sex, year of birth, CLE subtypes and whether the patient
  has SLE, the characteristics Table 1 of the seed series reports (Cortés-Hernández 2012);
- **adverse events**: onset, term and grade, and seriousness, relatedness, action taken
  and outcome, the elements of an adverse-event report (ICH E2A §III.B; CTCAE v5.0 grades);
- **flares**: date, severity and the source of the severity (SFI, SLEDAI change, clinician);
- **treatments** and **concomitant medications**: their required cohort columns, and for a
  medication its dose and unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from clears.cohort import REQUIRED_COLUMNS
from clears.instruments import clasi, sledai
from clears.protocol._thresholds import LINES

__all__ = ["REQUIRED_FIELDS", "missing_fields"]

#: The CLASI item that qualifies dyspigmentation, asked only when some is present.
_CONDITIONAL: Final = frozenset({"clasi_dysp_12m"})


def _cohort_required(table: str) -> tuple[str, ...]:
    return tuple(c for c in REQUIRED_COLUMNS[table] if c not in ("patient_id", "centre"))


#: For each table, the fields a complete form has, in form order.
REQUIRED_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "patients": ("sex", "birth_year", "cle_subtypes", "sle"),
        "treatments": _cohort_required("treatments"),
        "visits": (
            *_cohort_required("visits"),
            *(c for c in clasi.DEFINITION.columns if c not in _CONDITIONAL),
            *sledai.DEFINITION.columns,
            *LINES,
        ),
        "adverse_events": (
            *_cohort_required("adverse_events"),
            "serious",
            "related",
            "action",
            "outcome",
        ),
        "flares": (*_cohort_required("flares"), "source"),
        "concomitant_medications": (
            *_cohort_required("concomitant_medications"),
            "dose",
            "dose_unit",
        ),
    }
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_fields(table: str, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The required fields of ``table`` that ``values`` leaves blank, in form order.

    Examples
    --------
    >>> missing_fields("flares", {"flare_date": "2024-01-02", "severity": "mild"})
    ('source',)
    """
    return tuple(name for name in REQUIRED_FIELDS[table] if _blank(values.get(name)))
