"""The adverse-event table: patients with events by CTCAE term and maximum grade, SLE flares.

The shape is that of Aitmehdi 2021 Table 2 (seed ``000``): *n* (%) of patients with at least
one event, by CTCAE v5.0 term and maximum grade band (I–II, III–IV), serious events, events
leading to interruption or withdrawal of the drug, and SLE flares counted among patients with
SLE only; plus event incidence per 100 patient-years with exact Poisson confidence intervals
(:func:`clears.analysis.incidence_rate`).

Counting rules:

* a patient counts **once per term**, in the band of their **highest** grade for that term
  (grade 2 then grade 3 neutropenia counts once, in III–IV); the "any term" rows use the
  highest grade over all terms;
* events count from the index date (start of the first period of ``drug``) to
  ``data_cutoff`` when given; the population is every patient with a period of ``drug``;
* incidence counts every event (not patients) over the summed exposure.

References
----------
Aitmehdi R, et al. Long-term efficacy and safety outcomes of lenalidomide for cutaneous lupus
erythematosus: a multicenter retrospective observational study of 40 patients. J Am Acad
Dermatol 2021;84(4):1171-1174. doi:10.1016/j.jaad.2020.11.010 (Table 2 layout).
National Cancer Institute. CTCAE v5.0, 27 November 2017 (terms and grades).
ICH E2A. Clinical safety data management: definitions and standards for expedited reporting,
1994 (serious adverse event).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._ae_counts import (
    band_label,
    check_bands,
    event_window,
    flag,
    flare_rows,
    frames_of,
    incidence_rows,
    row,
)
from clears.analysis._exposure import DAYS_PER_YEAR, exposure_by_patient, exposure_years
from clears.analysis._rounding import ROUNDING_RULE
from clears.cohort import Cohort
from clears.instruments.ctcae import VERSION

__all__ = ["DAYS_PER_YEAR", "AeTable", "ae_table", "exposure_years"]


@dataclass(frozen=True)
class AeTable:
    """An adverse-event table and its incidence rates.

    Attributes
    ----------
    table
        Tidy rows: ``section`` (``adverse_events``, ``sle_flares``), ``item`` (a stable key:
        ``any_event``, ``max_grade``, ``term``, ``serious``, ``interrupted``, ``withdrawn``,
        ``interrupted_or_withdrawn``, ``sle_flare``, ``sle_flare_severe``,
        ``flare_without_sle``, ``sle_flare_discontinuation``), ``label``, ``term`` (CTCAE
        term text, ``""`` if none), ``band`` (``"I–II"``... or ``""``), ``n`` patients,
        ``denominator``, ``percent`` (rounded half up) and ``display`` (``n (%)``).
    incidence
        Events per ``per`` patient-years: ``item``, ``label``, ``term``, ``band``,
        ``events``, ``person_years``, ``rate``, ``ci_low``, ``ci_high``, ``per``, ``method``.
    footnotes
        Counting rules, CTCAE version, denominators, rounding rule, CI method, exposure.
    n_patients, person_years
        The population size and its summed exposure.
    ctcae_version
        ``"CTCAE v5.0"``.
    """

    table: pd.DataFrame
    incidence: pd.DataFrame
    footnotes: tuple[str, ...]
    n_patients: int
    person_years: float
    ctcae_version: str = VERSION

    def to_frame(self) -> pd.DataFrame:
        """Return the table as printed: ``Item`` and ``n (%)``."""
        names = []
        for rec in self.table.to_dict("records"):
            name = rec["label"] if not rec["term"] else f"   {rec['term']}"
            names.append(f"{name} (grade {rec['band']})" if rec["band"] else name)
        return pd.DataFrame({"Item": names, "n (%)": self.table["display"].tolist()})

    def to_text(self) -> str:
        """Return the table, the incidence rates and the footnotes as text."""
        rates = self.incidence.assign(
            rate=self.incidence["rate"].round(2),
            ci=[
                f"{lo:.2f}-{hi:.2f}" for lo, hi in self.incidence[["ci_low", "ci_high"]].to_numpy()
            ],
        )[["label", "term", "band", "events", "rate", "ci"]]
        notes = "\n".join(f"[{i}] {n}" for i, n in enumerate(self.footnotes, start=1))
        return (
            f"{self.to_frame().to_string(index=False, justify='left')}\n\n"
            f"Incidence per {self.incidence['per'].iloc[0]:g} patient-years "
            f"({self.person_years:.2f} patient-years)\n"
            f"{rates.to_string(index=False, justify='left')}\n\n{notes}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "ctcae_version": self.ctcae_version,
            "n_patients": self.n_patients,
            "person_years": self.person_years,
            "rows": self.table.to_dict("records"),
            "incidence": self.incidence.to_dict("records"),
            "footnotes": list(self.footnotes),
        }


def ae_table(
    cohort_or_frames: Cohort | Mapping[str, pd.DataFrame],
    *,
    grade_bands: Sequence[Sequence[int]] = ((1, 2), (3, 4)),
    drug: str = "lenalidomide",
    data_cutoff: pd.Timestamp | str | None = None,
    exposure: Mapping[str, float] | pd.Series | None = None,
    per: float = 100.0,
    confidence: float = 0.95,
    percent_digits: int = 0,
) -> AeTable:
    """Patients with adverse events and SLE flares on ``drug``, with incidence rates.

    Parameters
    ----------
    cohort_or_frames
        A :class:`~clears.cohort.Cohort`, or a mapping with ``patients``, ``treatments``,
        ``adverse_events`` and optionally ``flares`` DataFrames (cohort-table columns).
    grade_bands
        Disjoint ``(low, high)`` CTCAE grade bands; they must cover every recorded grade.
    drug
        The drug whose patients form the population; the index date is the start of the
        first period.
    data_cutoff
        Last day counted: events and flares after it are left out; ongoing periods run
        to it. Needed when a period is ongoing and ``exposure`` is not given.
    exposure
        Patient-years per patient (for example ``clears.outcomes.derive(...)``'s
        ``exposure_patient_years`` by ``patient_id``); default :func:`exposure_years`.
    per, confidence
        Incidence per this many patient-years, and the level of its exact interval.
    percent_digits
        Decimals of the percentages (rounded half up).

    Returns
    -------
    AeTable
        ``.table``, ``.incidence``, ``.footnotes``, ``.to_frame()``, ``.to_text()``.

    Raises
    ------
    InputError
        Missing tables or columns, no patient on ``drug``, a grade outside 1-5 or in no
        band, overlapping bands, exposure missing for a patient.

    Examples
    --------
    >>> frames = {
    ...     "patients": pd.DataFrame({"patient_id": ["p1", "p2"], "centre": ["A", "A"]}),
    ...     "treatments": pd.DataFrame({"patient_id": ["p1", "p2"], "drug": ["lenalidomide"] * 2,
    ...         "start_date": pd.to_datetime(["2020-01-01"] * 2), "dose_mg_per_day": [5.0, 5.0],
    ...         "end_date": pd.to_datetime(["2021-01-01", "2022-01-01"])}),
    ...     "adverse_events": pd.DataFrame({"patient_id": ["p1", "p1"],
    ...         "onset_date": pd.to_datetime(["2020-02-01", "2020-03-01"]),
    ...         "term": ["Neutrophil count decreased"] * 2, "grade": [2, 3]})}
    >>> out = ae_table(frames)
    >>> out.table.query("item == 'term'")[["term", "band", "display"]].to_numpy().tolist()
    [['Neutrophil count decreased', 'I–II', '0 (0)'], ['Neutrophil count decreased', 'III–IV', '1 (50)']]
    """  # noqa: E501
    frames = frames_of(cohort_or_frames)
    bands = check_bands(grade_bands)
    patients, treatments, ae = frames["patients"], frames["treatments"], frames["adverse_events"]
    if patients is None or treatments is None or ae is None:  # pragma: no cover - _frames
        raise InputError(Problem("cohort_or_frames", None, "tables missing"))
    cutoff = None if data_cutoff is None else pd.Timestamp(data_cutoff)
    on_drug = treatments[treatments["drug"] == drug]
    index_day = pd.to_datetime(on_drug["start_date"]).groupby(on_drug["patient_id"]).min()
    population = [p for p in patients["patient_id"] if p in index_day.index]
    if not population:
        raise InputError(
            Problem(
                "drug",
                drug,
                "no patient has a treatment period of this drug",
                ", ".join(sorted(map(str, set(treatments["drug"])))),
            )
        )
    n = len(population)
    events, n_outside = event_window(ae, index_day, cutoff, bands)
    labels = [band_label(b) for b in bands]

    def band_of(grade: int) -> str:
        return next(lab for (lo, hi), lab in zip(bands, labels, strict=True) if lo <= grade <= hi)

    d = percent_digits
    sec = "adverse_events"
    rows = [
        row(
            sec,
            "any_event",
            "Patients with >= 1 adverse event",
            events["patient_id"].nunique(),
            n,
            d,
        )
    ]
    worst = events.groupby("patient_id")["grade"].max().map(band_of)
    rows += [
        row(sec, "max_grade", "Maximum grade, any term", int((worst == lab).sum()), n, d, band=lab)
        for lab in labels
    ]
    per_term = events.groupby(["term", "patient_id"])["grade"].max().map(band_of)
    ranking = events.groupby("term")["patient_id"].nunique()
    for term in sorted(ranking.index, key=lambda t: (-ranking[t], t)):
        term_bands = per_term.loc[term]
        rows += [
            row(sec, "term", term, int((term_bands == lab).sum()), n, d, term=term, band=lab)
            for lab in labels
        ]
    if "serious" in events:
        serious = flag(events, "serious", "adverse_events").fillna(False)
        rows.append(
            row(
                sec,
                "serious",
                "Patients with >= 1 serious adverse event",
                events.loc[serious.to_numpy(), "patient_id"].nunique(),
                n,
                d,
            )
        )
    if "action" in events:
        action = events["action"].astype("string")
        for item, label, values in (
            ("interrupted", "Adverse event leading to temporary interruption", ("interrupted",)),
            ("withdrawn", "Adverse event leading to permanent withdrawal", ("withdrawn",)),
            (
                "interrupted_or_withdrawn",
                "Adverse event leading to interruption or withdrawal",
                ("interrupted", "withdrawn"),
            ),
        ):
            chosen = action.isin(values).fillna(False).to_numpy(dtype=bool)
            rows.append(row(sec, item, label, events.loc[chosen, "patient_id"].nunique(), n, d))
    notes = flare_rows(frames, population, index_day, cutoff, drug, rows, d)
    patient_years = exposure_by_patient(exposure, treatments, drug, cutoff, population)
    person_years = float(patient_years.sum())
    incidence = incidence_rows(events, labels, band_of, person_years, per, confidence)
    footnotes = (
        f"Terms and grades: {VERSION}; a term not in clears' CTCAE list is shown as recorded.",
        "Each patient counts once per term, in the band of the highest grade recorded for "
        "that term; 'any term' rows use the highest grade over all terms.",
        f"Population: the {n} patient(s) with a {drug} period; events from the start of the "
        "first period"
        + (f" to {cutoff.date()}" if cutoff is not None else "")
        + f" ({n_outside} event(s) outside this window left out).",
        f"Percentages of the row's denominator, {d} decimal(s); {ROUNDING_RULE}.",
        "Serious: ICH E2A definition as recorded in the serious column.",
        *notes,
        f"Incidence: all events (not patients) per {per:g} patient-years of exposure "
        f"({person_years:.2f}); {confidence:.0%} CI "
        f"{incidence['method'].iloc[0] if len(incidence) else ''}.",
    )
    return AeTable(pd.DataFrame(rows), incidence, footnotes, n, person_years)
