"""An exported cohort as one HL7 FHIR R4B ``Bundle`` (type ``collection``), as JSON.

Resources, all built from the cohort tables and validated with ``fhir.resources.R4B``:

* ``Patient``: the pseudonymous ``patient_id`` as an identifier (system
  :data:`PATIENT_SYSTEM`), ``gender`` and the birth year; no names, addresses or contacts.
* ``Condition``: one per CLE subtype (``cle_subtypes``) and one for SLE when ``sle`` is true
  or ``sle_onset_date`` records an SLE diagnosis (a CLE-only patient who developed SLE),
  with ``onsetDateTime`` that date; code text ``"Cutaneous lupus erythematosus,
  <subtype>"`` / ``"Systemic lupus erythematosus"``.
* ``MedicationStatement``: one per constant-dose period, with ``effectivePeriod``, the
  regimen (or ``"<dose> mg/day"``) as dosage text and ``doseQuantity`` in UCUM ``mg/d``;
  and one per concomitant medication (cohort tables v2), ``category`` text ``"concomitant"``,
  the drug coded in :data:`MEDICATION_CODES`, ``reasonCode`` text the indication and
  ``doseQuantity`` in the UCUM unit of :data:`UCUM_DOSE_UNITS`.
* ``Observation``: per visit, ``"CLASI activity"`` and ``"CLASI damage"`` (``valueInteger``
  the total; one ``component`` per item that contributes to it, code text = the item's
  column name) and ``"SLEDAI-2K"`` likewise, when the visit has the total.
* ``AdverseEvent``: ``event`` text the CTCAE v5.0 term (coded with its clears term key when
  known), ``seriousness``, ``date`` the onset, and the grade in the extension
  :data:`GRADE_EXTENSION` (``valueInteger``).

Full URLs are ``urn:uuid:`` UUIDs derived (UUID 5) from the patient and the row, so the same
registry gives the same bundle.

References
----------
.. [1] HL7 FHIR Release 4B (4.3.0), https://hl7.org/fhir/R4B/ (Bundle, Patient, Condition,
   MedicationStatement, Observation, AdverseEvent).
.. [2] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   v5.0, 2017.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, cast

import pandas as pd

from clears._cells import is_missing
from clears.cohort import Cohort
from clears.instruments import ctcae, sledai
from clears.instruments.clasi import definition as clasi_def

__all__ = [
    "CLEARS_CODES",
    "FILE_NAME",
    "GRADE_EXTENSION",
    "MEDICATION_CODES",
    "PATIENT_SYSTEM",
    "UCUM_DOSE_UNITS",
    "bundle_dict",
    "write_fhir",
]

#: Extension holding the CTCAE v5.0 grade of an AdverseEvent (a clears-namespace URN: FHIR
#: R4B has no core element for the grade).
GRADE_EXTENSION: Final = "urn:clears:fhir:StructureDefinition:ctcae-v5-grade"
#: Identifier system of the pseudonymous patient identifier.
PATIENT_SYSTEM: Final = "urn:clears:patient-id"
#: Code system of clears codes (CTCAE term keys, item column names).
CLEARS_CODES: Final = "urn:clears:code"
#: The file written into the export folder.
FILE_NAME: Final = "bundle.json"
#: Code system of the concomitant-medication vocabulary (``clears.cohort.MEDICATIONS``).
MEDICATION_CODES: Final = "urn:clears:medication"
#: Cohort ``dose_unit`` → UCUM code (https://ucum.org: ``d`` day, ``wk`` week, ``[iU]``).
UCUM_DOSE_UNITS: Final = {
    "mg/day": "mg/d",
    "mg/week": "mg/wk",
    "mg": "mg",
    "IU/day": "[iU]/d",
    "mg/kg/day": "mg/kg/d",
}

_NAMESPACE: Final = uuid.UUID("6f2d0c4e-2b1a-5c1e-9a53-434c45415253")
_GENDER: Final = {"female": "female", "male": "male"}
_ROLE_OF_ITEM: Final = {
    field.column: clasi_def.ROLES[field.item.name] for field in clasi_def.DEFINITION.fields
}
_ACTIVITY: Final = tuple(c for c, role in _ROLE_OF_ITEM.items() if role is clasi_def.Role.activity)
_DAMAGE: Final = tuple(
    c for c, role in _ROLE_OF_ITEM.items() if role is not clasi_def.Role.activity
)
_SLEDAI_ITEMS: Final = tuple(field.column for field in sledai.DEFINITION.fields)


def _date(value: Any) -> str | None:
    return None if is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _url(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts))}"


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def _patient(row: pd.Series) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": PATIENT_SYSTEM, "value": str(row["patient_id"])}],
    }
    sex = row.get("sex")
    if not is_missing(sex):
        resource["gender"] = _GENDER.get(str(sex), "other")
    year = row.get("birth_year")
    if not is_missing(year):
        resource["birthDate"] = f"{int(cast(Any, year)):04d}"
    return resource


def _conditions(row: pd.Series, subject: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    subtypes = row.get("cle_subtypes")
    if not is_missing(subtypes):
        for subtype in str(subtypes).split(";"):
            if subtype:
                yield (
                    subtype,
                    {
                        "resourceType": "Condition",
                        "code": _text(f"Cutaneous lupus erythematosus, {subtype}"),
                        "subject": subject,
                    },
                )
    sle = row.get("sle")
    onset = _date(row.get("sle_onset_date"))
    if onset or (not is_missing(sle) and bool(sle)):
        condition: dict[str, Any] = {
            "resourceType": "Condition",
            "code": _text("Systemic lupus erythematosus"),
            "subject": subject,
        }
        if onset:
            condition["onsetDateTime"] = onset
        yield "SLE", condition


def _medication(row: pd.Series, subject: dict[str, str]) -> dict[str, Any]:
    dose = float(row["dose_mg_per_day"])
    regimen = row.get("regimen")
    period = {"start": _date(row["start_date"])}
    end = _date(row.get("end_date"))
    if end:
        period["end"] = end
    return {
        "resourceType": "MedicationStatement",
        "status": "completed" if end else "active",
        "medicationCodeableConcept": _text(str(row["drug"])),
        "subject": subject,
        "effectivePeriod": period,
        "dosage": [
            {
                "text": str(regimen) if not is_missing(regimen) else f"{dose:g} mg/day",
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose,
                            "unit": "mg/day",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg/d",
                        }
                    }
                ],
            }
        ],
    }


def _concomitant(row: pd.Series, subject: dict[str, str]) -> dict[str, Any]:
    drug = str(row["drug"])
    period = {"start": _date(row["start_date"])}
    end = _date(row.get("end_date"))
    if end:
        period["end"] = end
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "completed" if end else "active",
        "category": _text("concomitant"),
        "medicationCodeableConcept": {
            "coding": [{"system": MEDICATION_CODES, "code": drug}],
            "text": drug,
        },
        "subject": subject,
        "effectivePeriod": period,
    }
    indication = row.get("indication")
    if not is_missing(indication):
        resource["reasonCode"] = [_text(str(indication))]
    dose, unit = row.get("dose"), row.get("dose_unit")
    if not is_missing(dose) and not is_missing(unit):
        quantity = {
            "value": float(cast(Any, dose)),
            "unit": str(unit),
            "system": "http://unitsofmeasure.org",
            "code": UCUM_DOSE_UNITS[str(unit)],
        }
        resource["dosage"] = [
            {
                "text": f"{float(cast(Any, dose)):g} {unit}",
                "doseAndRate": [{"doseQuantity": quantity}],
            }
        ]
    return resource


def _observation(
    row: pd.Series, subject: dict[str, str], name: str, total: str, items: tuple[str, ...]
) -> dict[str, Any] | None:
    value = row.get(total)
    if is_missing(value):
        return None
    components = [
        {
            "code": {"coding": [{"system": CLEARS_CODES, "code": item}], "text": item},
            "valueInteger": int(row[item]),
        }
        for item in items
        if item in row.index and not is_missing(row[item])
    ]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": _text(name),
        "subject": subject,
        "effectiveDateTime": _date(row["visit_date"]),
        "valueInteger": int(cast(Any, value)),
    }
    if components:
        resource["component"] = components
    return resource


def _adverse_event(row: pd.Series, subject: dict[str, str]) -> dict[str, Any]:
    term = str(row["term"])
    event: dict[str, Any] = {"text": term}
    try:
        key = ctcae.find_term(term).key
        event["coding"] = [{"system": CLEARS_CODES, "code": key, "display": term}]
    except ValueError:
        pass
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "extension": [{"url": GRADE_EXTENSION, "valueInteger": int(row["grade"])}],
        "actuality": "actual",
        "event": event,
        "subject": subject,
        "date": _date(row["onset_date"]),
    }
    serious = row.get("serious")
    if not is_missing(serious):
        resource["seriousness"] = _text("serious" if serious else "non-serious")
    return resource


def bundle_dict(cohort: Cohort) -> dict[str, Any]:
    """The cohort as a FHIR R4B ``Bundle`` (a JSON-ready dict; validate with fhir.resources).

    Examples
    --------
    >>> import pandas as pd
    >>> from clears.cohort import Cohort
    >>> none = {t: pd.DataFrame(columns=["patient_id"]) for t in
    ...         ("treatments", "visits", "adverse_events", "flares")}
    >>> cohort = Cohort(pd.DataFrame({"patient_id": ["P1"], "centre": ["BCN"]}), **none)
    >>> bundle = bundle_dict(cohort)
    >>> bundle["type"], bundle["entry"][0]["resource"]["identifier"][0]["value"]
    ('collection', 'P1')
    """
    entries: list[dict[str, Any]] = []

    def add(url: str, resource: dict[str, Any]) -> None:
        entries.append({"fullUrl": url, "resource": resource})

    by_patient = {
        table: dict(tuple(cohort.table(table).groupby("patient_id", sort=False)))
        for table in ("treatments", "visits", "adverse_events", "concomitant_medications")
    }
    for _, patient in cohort.patients.iterrows():
        pid = str(patient["patient_id"])
        own = _url(pid, "Patient")
        subject = {"reference": own}
        add(own, _patient(patient))
        for name, condition in _conditions(patient, subject):
            add(_url(pid, "Condition", name), condition)
        empty = pd.DataFrame()
        for i, (_, row) in enumerate(by_patient["treatments"].get(pid, empty).iterrows()):
            add(_url(pid, "MedicationStatement", i), _medication(row, subject))
        for i, (_, row) in enumerate(by_patient["visits"].get(pid, empty).iterrows()):
            for name, total, items in (
                ("CLASI activity", "clasi_a", _ACTIVITY),
                ("CLASI damage", "clasi_d", _DAMAGE),
                ("SLEDAI-2K", "sledai", _SLEDAI_ITEMS),
            ):
                observation = _observation(row, subject, name, total, items)
                if observation is not None:
                    add(_url(pid, "Observation", i, total), observation)
        for i, (_, row) in enumerate(by_patient["adverse_events"].get(pid, empty).iterrows()):
            add(_url(pid, "AdverseEvent", i), _adverse_event(row, subject))
        medications = by_patient["concomitant_medications"].get(pid, empty)
        for i, (_, row) in enumerate(medications.iterrows()):
            add(_url(pid, "ConcomitantMedication", i), _concomitant(row, subject))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_fhir(cohort: Cohort, out: str | Path) -> Path:
    """Validate the bundle with ``fhir.resources.R4B`` and write ``out/bundle.json``."""
    from fhir.resources.R4B.bundle import Bundle

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    bundle = Bundle.model_validate(bundle_dict(cohort))
    path = folder / FILE_NAME
    text = json.dumps(json.loads(bundle.model_dump_json(exclude_none=True)), indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return path
