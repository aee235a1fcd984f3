"""SDTM-shaped DM, EX, LB, AE and CM tables (CSV) from an exported cohort.

*SDTM-shaped*, not SDTM-conformant: the variable names and the controlled terms below follow
the CDISC SDTM Implementation Guide, but there is no define.xml, no trial design domains,
no MedDRA coding and no conformance check. The mapping, variable by variable, is in
``docs/registry.md`` ("SDTM-shaped tables"); in short:

* ``DM``: one row per patient. ``SUBJID`` = ``patient_id``, ``SITEID`` = ``centre``,
  ``USUBJID`` = ``STUDYID-SITEID-SUBJID``, ``SEX`` F/M/U, ``BRTHDTC`` the birth year,
  ``RFSTDTC``/``RFENDTC`` the first start and last end of a drug period.
* ``EX``: one row per constant-dose period. ``EXDOSE`` is the mean daily dose in mg with
  ``EXDOSFRQ`` ``QD``; the regimen as written (e.g. "5 mg alternate days") is ``EXDOSRGM``.
* ``LB``: one row per laboratory value of a visit (:data:`LAB_TESTS`), original and standard
  results in the cohort's canonical unit; ``LBTOXGR`` is the CTCAE v5.0 grade from
  :func:`clears.instruments.ctcae.vector.grade_labs` where it does not need the local LLN
  (values below the grade-1 lower bound), blank otherwise and for tests CTCAE does not grade.
* ``AE``: one row per adverse event. ``AETERM`` = ``AEDECOD`` = the CTCAE v5.0 term,
  ``AETOXGR`` the grade, ``AESER``/``AEREL`` Y/N, ``AEACN`` and ``AEOUT`` in SDTM
  controlled terminology.
* ``CM``: one row per concomitant medication period. ``CMTRT`` the drug name of the
  vocabulary (no WHODrug coding), ``CMCLAS`` its class (:func:`clears.cohort.medication_class`),
  ``CMINDC`` the indication, ``CMDOSE``/``CMDOSU``/``CMDOSFRQ`` from ``dose`` and
  ``dose_unit`` (:data:`CM_DOSE_UNITS`), ``CMSTDTC``/``CMENDTC`` the dates and ``CMONGO``
  ``Y`` when no end date is recorded.

References
----------
.. [1] CDISC. Study Data Tabulation Model Implementation Guide: Human Clinical Trials,
   version 3.4, 2021 (DM, EX, LB, AE and CM domains).
.. [2] CDISC Controlled Terminology (ACN, OUT, SEX, NY, FREQ code lists).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from clears._formula import neutralise_frame
from clears.cohort import Cohort, medication_class
from clears.instruments.ctcae import LAB_TESTS as CTCAE_LABS
from clears.instruments.ctcae import grade_labs

__all__ = ["AEACN", "AEOUT", "CM_DOSE_UNITS", "LAB_TESTS", "sdtm_tables", "write_sdtm"]

#: Cohort ``dose_unit`` → (CMDOSU, CMDOSFRQ): CDISC UNIT and FREQ code lists (``QD`` daily,
#: ``ONCE`` a single dose); the FREQ list is extensible and ``EVERY WEEK`` is written as such.
CM_DOSE_UNITS: Final = {
    "mg/day": ("mg", "QD"),
    "mg/week": ("mg", "EVERY WEEK"),
    "mg": ("mg", "ONCE"),
    "IU/day": ("IU", "QD"),
    "mg/kg/day": ("mg/kg", "QD"),
}

#: Cohort visit column → (LBTESTCD, LBTEST, unit) in SDTM controlled terminology.
_SDTM_LABS: Final = {
    "anc": ("NEUT", "Neutrophils", "10^9/L"),
    "wbc": ("WBC", "Leukocytes", "10^9/L"),
    "platelets": ("PLAT", "Platelets", "10^9/L"),
    "hb": ("HGB", "Hemoglobin", "g/dL"),
    "anti_dsdna": ("DSDNAAB", "Double-Stranded DNA Antibody", "IU/mL"),
    "c3": ("C3", "Complement C3", "g/L"),
    "c4": ("C4", "Complement C4", "g/L"),
    "creatinine_clearance": ("CREATCLR", "Creatinine Clearance", "mL/min"),
}

#: Cohort visit column → CTCAE test grading it, read from the CTCAE lab definitions.
_CTCAE_BY_COLUMN: Final = {
    lab.cohort_column: lab.key for lab in CTCAE_LABS.values() if lab.cohort_column is not None
}

#: Cohort visit column → (LBTESTCD, LBTEST, unit, CTCAE test graded or ``None``).
LAB_TESTS: Final[dict[str, tuple[str, str, str, str | None]]] = {
    column: (code, test, unit, _CTCAE_BY_COLUMN.get(column))
    for column, (code, test, unit) in _SDTM_LABS.items()
}

#: Cohort ``action`` → SDTM AEACN (CDISC code list ACN).
AEACN: Final = {
    "none": "DOSE NOT CHANGED",
    "dose_reduced": "DOSE REDUCED",
    "interrupted": "DRUG INTERRUPTED",
    "withdrawn": "DRUG WITHDRAWN",
}

#: Cohort ``outcome`` → SDTM AEOUT (CDISC code list OUT).
AEOUT: Final = {
    "resolved": "RECOVERED/RESOLVED",
    "resolving": "RECOVERING/RESOLVING",
    "not_resolved": "NOT RECOVERED/NOT RESOLVED",
    "resolved_with_sequelae": "RECOVERED/RESOLVED WITH SEQUELAE",
    "fatal": "FATAL",
    "unknown": "UNKNOWN",
}

_SEX: Final = {"female": "F", "male": "M"}


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), "")


def _yes_no(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if pd.isna(v) else ("Y" if v else "N")).astype(object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)


def _usubjid(frame: pd.DataFrame, study: str, sites: pd.Series) -> pd.Series:
    pid = frame["patient_id"].astype(str)
    return study + "-" + pid.map(sites).astype(str) + "-" + pid


def _seq(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("patient_id", sort=False).cumcount() + 1


def _dm(cohort: Cohort, study: str, sites: pd.Series) -> pd.DataFrame:
    patients = cohort.patients
    periods = cohort.treatments
    starts = periods.groupby("patient_id")["start_date"].min()
    ends = _column(periods, "end_date").groupby(periods["patient_id"]).max()
    pid = patients["patient_id"].astype(str)
    year = _column(patients, "birth_year")
    return pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "DM",
            "USUBJID": _usubjid(patients, study, sites),
            "SUBJID": pid,
            "RFSTDTC": _dates(pid.map(starts)),
            "RFENDTC": _dates(pid.map(ends)),
            "SITEID": patients["centre"].astype(str),
            "BRTHDTC": year.map(lambda v: "" if pd.isna(v) else f"{int(v):04d}"),
            "SEX": _column(patients, "sex").map(
                lambda v: _SEX.get(v, "U") if isinstance(v, str) else "U"
            ),
        }
    )


def _ex(cohort: Cohort, study: str, sites: pd.Series) -> pd.DataFrame:
    periods = cohort.treatments
    return pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "EX",
            "USUBJID": _usubjid(periods, study, sites),
            "EXSEQ": _seq(periods),
            "EXTRT": periods["drug"].astype(str).str.upper(),
            "EXDOSE": periods["dose_mg_per_day"].astype(float),
            "EXDOSU": "mg",
            "EXDOSFRQ": "QD",
            "EXDOSRGM": _column(periods, "regimen").fillna("").astype(object),
            "EXSTDTC": _dates(periods["start_date"]),
            "EXENDTC": _dates(_column(periods, "end_date")),
        },
        index=periods.index,
    )


def _lb(cohort: Cohort, study: str, sites: pd.Series) -> pd.DataFrame:
    visits = cohort.visits
    parts = []
    for column, (code, test, unit, graded) in LAB_TESTS.items():
        if column not in visits.columns:
            continue
        rows = visits[visits[column].notna()]
        values = rows[column].astype(float).to_numpy()
        grades: list[Any] = [""] * len(rows)
        if graded is not None and len(rows):
            found = grade_labs(graded, values, unit)
            grades = [int(g) if g >= 0 else "" for g in found]
        parts.append(
            pd.DataFrame(
                {
                    "USUBJID": _usubjid(rows, study, sites),
                    "LBTESTCD": code,
                    "LBTEST": test,
                    "LBORRES": [f"{v:g}" for v in values],
                    "LBORRESU": unit,
                    "LBSTRESN": values,
                    "LBSTRESU": unit,
                    "LBTOXGR": grades,
                    "LBDTC": _dates(rows["visit_date"]),
                    "_order": rows.index,
                }
            )
        )
    if not parts:
        columns = ["STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST", "LBORRES",
                   "LBORRESU", "LBSTRESN", "LBSTRESU", "LBTOXGR", "LBDTC"]  # fmt: skip
        return pd.DataFrame(columns=columns)
    lb = pd.concat(parts, ignore_index=True).sort_values(["_order"], kind="stable")
    lb = lb.drop(columns="_order").reset_index(drop=True)
    lb.insert(0, "STUDYID", study)
    lb.insert(1, "DOMAIN", "LB")
    lb.insert(3, "LBSEQ", lb.groupby("USUBJID", sort=False).cumcount() + 1)
    return lb


def _ae(cohort: Cohort, study: str, sites: pd.Series) -> pd.DataFrame:
    events = cohort.adverse_events
    return pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "AE",
            "USUBJID": _usubjid(events, study, sites),
            "AESEQ": _seq(events),
            "AETERM": events["term"].astype(str),
            "AEDECOD": events["term"].astype(str),
            "AETOXGR": events["grade"].astype(int),
            "AESER": _yes_no(_column(events, "serious")),
            "AEREL": _yes_no(_column(events, "related")),
            "AEACN": _column(events, "action").map(AEACN).fillna("").astype(object),
            "AESTDTC": _dates(events["onset_date"]),
            "AEENDTC": _dates(_column(events, "end_date")),
            "AEOUT": _column(events, "outcome").map(AEOUT).fillna("").astype(object),
        },
        index=events.index,
    )


def _cm(cohort: Cohort, study: str, sites: pd.Series) -> pd.DataFrame:
    meds = cohort.concomitant_medications
    drugs = meds["drug"].astype(str)
    units = _column(meds, "dose_unit")
    ends = _column(meds, "end_date")
    return pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "CM",
            "USUBJID": _usubjid(meds, study, sites),
            "CMSEQ": _seq(meds),
            "CMTRT": drugs.str.upper(),
            "CMCLAS": drugs.map(medication_class).str.upper(),
            "CMINDC": _column(meds, "indication").fillna("").astype(object),
            "CMDOSE": _column(meds, "dose").astype(float),
            "CMDOSU": units.map(lambda u: CM_DOSE_UNITS[u][0] if u in CM_DOSE_UNITS else ""),
            "CMDOSFRQ": units.map(lambda u: CM_DOSE_UNITS[u][1] if u in CM_DOSE_UNITS else ""),
            "CMSTDTC": _dates(meds["start_date"]),
            "CMENDTC": _dates(ends),
            "CMONGO": ends.map(lambda v: "Y" if pd.isna(v) else "N").astype(object),
        },
        index=meds.index,
    )


def sdtm_tables(cohort: Cohort, *, study: str = "CLEARS") -> dict[str, pd.DataFrame]:
    """The DM, EX, LB, AE and CM tables of ``cohort`` (``STUDYID`` = ``study``).

    Examples
    --------
    >>> import pandas as pd
    >>> from clears.cohort import Cohort, medication_class
    >>> ae = pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"])
    >>> cohort = Cohort(
    ...     pd.DataFrame({"patient_id": ["P1"], "centre": ["BCN"], "sex": ["female"]}),
    ...     pd.DataFrame({"patient_id": ["P1"], "drug": ["lenalidomide"],
    ...                   "start_date": pd.to_datetime(["2020-01-06"]),
    ...                   "dose_mg_per_day": [5.0], "end_date": [pd.NaT]}),
    ...     pd.DataFrame({"patient_id": ["P1"], "visit_date": pd.to_datetime(["2020-02-03"]),
    ...                   "anc": [0.8]}),
    ...     ae, pd.DataFrame(columns=["patient_id"]))
    >>> tables = sdtm_tables(cohort)  # CTCAE v5.0 neutrophils: grade 3 is 0.5 <= x < 1.0
    >>> tables["DM"].loc[0, ["USUBJID", "SEX", "RFSTDTC"]].tolist()
    ['CLEARS-BCN-P1', 'F', '2020-01-06']
    >>> [str(v) for v in tables["LB"].loc[0, ["LBTESTCD", "LBSTRESN", "LBTOXGR"]]]
    ['NEUT', '0.8', '3']
    """
    patients = cohort.patients
    sites = pd.Series(
        patients["centre"].astype(str).to_numpy(), index=patients["patient_id"].astype(str)
    )
    return {
        "DM": _dm(cohort, study, sites),
        "EX": _ex(cohort, study, sites).reset_index(drop=True),
        "LB": _lb(cohort, study, sites),
        "AE": _ae(cohort, study, sites).reset_index(drop=True),
        "CM": _cm(cohort, study, sites).reset_index(drop=True),
    }


def write_sdtm(cohort: Cohort, out: str | Path, *, study: str = "CLEARS") -> Path:
    """Write ``dm.csv``, ``ex.csv``, ``lb.csv``, ``ae.csv`` and ``cm.csv`` into ``out``.

    Text cells a spreadsheet would run as a formula are escaped
    (:func:`clears._formula.neutralise`); numeric columns are written as they are.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for domain, frame in sdtm_tables(cohort, study=study).items():
        safe = neutralise_frame(frame)
        safe.to_csv(folder / f"{domain.lower()}.csv", index=False, lineterminator="\n")
    return folder
