"""The report's safety section: the adverse-event table and incidence per 100 patient-years.

Both tables are printed from one :func:`clears.analysis.ae_table` result (Aitmehdi 2021
Table 2 layout: patients by CTCAE term and maximum grade band, serious events, interruption
or withdrawal, SLE flares among patients with SLE; every event per 100 patient-years with
exact Poisson intervals). Exposure is the outcome engine's ``exposure_patient_years``, so the
rates use the same patient-years as the rest of the report. The footnotes are the result's
own; the methods text takes its counting rule and its CI method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from clears.cohort import Cohort
from clears.report._model import ReportTable, Section
from clears.report._sections import Log, first_preset

if TYPE_CHECKING:
    from clears.analysis import AeTable

__all__ = ["GRADE_BANDS", "ae_result", "incidence_frame", "safety_section"]

#: CTCAE grade bands of Aitmehdi 2021 Table 2 (I-II, III-IV); grade V is added as its own
#: band only when a grade 5 event is recorded (ae_table refuses a grade in no band).
GRADE_BANDS: Final = ((1, 2), (3, 4))


def _bands(cohort: Cohort) -> tuple[tuple[int, int], ...]:
    grades = pd.to_numeric(cohort.adverse_events["grade"], errors="coerce")
    return (*GRADE_BANDS, (5, 5)) if bool(grades.eq(5).any()) else GRADE_BANDS


def ae_result(cohort: Cohort, outcomes: pd.DataFrame) -> AeTable:
    """:func:`clears.analysis.ae_table` of the report: the studied drug, derived exposure.

    Grade bands are :data:`GRADE_BANDS`, plus ``(5, 5)`` when a grade 5 event is recorded;
    exposure per patient is ``outcomes``' ``exposure_patient_years``.
    """
    from clears.analysis import ae_table

    treated = first_preset(outcomes)
    exposure = pd.Series(
        treated["exposure_patient_years"].to_numpy(dtype=float),
        index=treated["patient_id"].astype(str).to_numpy(),
    )
    return ae_table(
        cohort,
        grade_bands=_bands(cohort),
        drug=str(outcomes["drug"].iloc[0]),
        exposure=exposure,
    )


def _item(label: str, term: str, band: str) -> str:
    name = f"   {term}" if term else label
    return f"{name} (grade {band})" if band else name


def incidence_frame(result: AeTable) -> pd.DataFrame:
    """The incidence rows as printed: item, events, rate and exact CI to two decimals."""
    inc = result.incidence
    per = f"{float(inc['per'].iloc[0]):g}" if len(inc) else "100"
    return pd.DataFrame(
        {
            "Item": [
                _item(str(lab), str(term), str(band))
                for lab, term, band in zip(inc["label"], inc["term"], inc["band"], strict=True)
            ],
            "Events": inc["events"].astype(int).astype(str),
            f"Rate per {per} patient-years": inc["rate"].map(lambda v: f"{v:.2f}"),
            "95% CI": [
                f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(inc["ci_low"], inc["ci_high"], strict=True)
            ],
        }
    )


_FLARE_NOTE: Final = "SLE flares are counted only among patients"


def _table_two(result: AeTable, outcomes: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Table 2 as printed, with new SLE in isolated CLE where a flare row would contradict it.

    A flare is a worsening of SLE, so it needs SLE (Petri 2005; Aitmehdi 2021 Table 2 counts
    flares "among patients with SLE"); in a patient with isolated CLE the outcome is a new
    SLE diagnosis, which Aitmehdi 2021 Table 2 reports "among patients with isolated CLE".
    ``ae_table``'s row of flare records in patients without SLE is therefore left out of the
    table: in its place is the new SLE diagnosis of :func:`clears.outcomes.derive`
    (``new_sle``: an SLE onset date after the first dose, up to the end of follow-up), the
    number the outcome summary prints, and a footnote counts any flare record of a patient
    without SLE, which is not an SLE flare.
    """
    from clears.analysis import format_percent

    rows = result.table
    shown = result.to_frame()
    keep = (rows["item"] != "flare_without_sle").to_numpy()
    without = rows.loc[rows["item"] == "flare_without_sle", "n"]
    frame = shown[keep].reset_index(drop=True)
    if not (rows["section"] == "sle_flares").any():
        return frame, list(result.footnotes)
    notes = [note for note in result.footnotes if not note.startswith(_FLARE_NOTE)]
    at = next((i for i, n in enumerate(notes) if n.startswith("Incidence")), len(notes))
    flare_note = (
        "SLE flares are counted among the patients with SLE at the first dose; a flare needs "
        "SLE, so in patients with isolated CLE the outcome counted is a new SLE diagnosis "
        "(an SLE onset date after the first dose), as in the outcome summary. The flare "
        "rows count the flares recorded in the flares table with their recorded severity; "
        "the outcome summary also counts SLEDAI rises under each criteria's flare rule, so "
        "its flare counts can be higher."
    )
    if len(without) and int(without.iloc[0]) > 0:
        flare_note += (
            f" {int(without.iloc[0])} patient(s) without SLE at the first dose have a flare "
            "recorded; those records are not SLE flares and are not counted."
        )
    notes.insert(at, flare_note)
    first = first_preset(outcomes)
    if "new_sle" in first and first["new_sle"].notna().any():
        known = first["new_sle"].dropna().astype(bool)
        n, d = int(known.sum()), len(known)
        label = "New SLE diagnosis (among patients with isolated CLE)"
        line = pd.DataFrame({"Item": [label], "n (%)": [f"{n} ({format_percent(n, d)})"]})
        after = int(np.flatnonzero((rows["item"] == "sle_flare_severe").to_numpy()[keep])[0])
        frame = pd.concat(
            [frame.iloc[: after + 1], line, frame.iloc[after + 1 :]], ignore_index=True
        )
    return frame, notes


def safety_section(cohort: Cohort, outcomes: pd.DataFrame, log: Log) -> Section:
    """Adverse events and SLE flares (Table 2 layout); incidence per 100 patient-years."""
    result = log.run("adverse events", lambda: ae_result(cohort, outcomes))
    log.method("Adverse events", result.footnotes[1])
    inc = result.incidence
    methods = tuple(dict.fromkeys(str(m) for m in inc["method"]))
    for method in methods:
        log.method("Incidence rates", method)
    drug = str(outcomes["drug"].iloc[0])
    frame, notes = _table_two(result, outcomes)
    table = ReportTable(
        "ae_table",
        f"Table 2. Adverse events and SLE flares during {drug}",
        frame,
        tuple(notes),
        "Table 2",
    )
    rates = ReportTable(
        "ae_rates",
        "Adverse events per 100 patient-years",
        incidence_frame(result),
        (*methods, f"{result.person_years:.2f} patient-years of exposure."),
        "Adverse events per 100 PY",
    )
    events = int(inc.loc[inc["item"] == "all_events", "events"].sum())
    with_event = int(result.table.loc[result.table["item"] == "any_event", "n"].sum())
    text = (
        f"{events} adverse events in {with_event} of {result.n_patients} patients over "
        f"{result.person_years:.1f} patient-years ({result.ctcae_version}).",
    )
    return Section("safety", "Safety", text, (table, rates))
