"""Counting helpers of `clears.analysis.ae_table`: inputs, grade bands, rows, flares, rates."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._rounding import format_percent
from clears.analysis.rates import incidence_rate
from clears.cohort import Cohort
from clears.instruments.ctcae import find_term, validate_grade

__all__ = [
    "band_label",
    "canonical_term",
    "check_bands",
    "event_window",
    "flag",
    "flare_rows",
    "frames_of",
    "incidence_rows",
    "row",
]

_ROMAN: Final = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


def frames_of(source: Cohort | Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame | None]:
    if isinstance(source, Cohort):
        return {
            name: source.table(name)
            for name in ("patients", "treatments", "adverse_events", "flares")
        }
    if not isinstance(source, Mapping):
        raise InputError(
            Problem(
                "cohort_or_frames",
                type(source).__name__,
                "must be a Cohort or a mapping of table name to DataFrame",
            )
        )
    needed = ("patients", "treatments", "adverse_events")
    absent = [name for name in needed if not isinstance(source.get(name), pd.DataFrame)]
    if absent:
        raise InputError([Problem(name, None, "table missing", "a DataFrame") for name in absent])
    return {name: source.get(name) for name in (*needed, "flares")}


def check_bands(grade_bands: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    bands: list[tuple[int, int]] = []
    for band in grade_bands:
        ok = (
            len(band) == 2
            and all(isinstance(g, int) and not isinstance(g, bool) and 1 <= g <= 5 for g in band)
            and band[0] <= band[1]
        )
        if not ok:
            raise InputError(
                Problem(
                    "grade_bands",
                    list(band),
                    "is not a grade band",
                    "(low, high) with 1 <= low <= high <= 5",
                )
            )
        bands.append((int(band[0]), int(band[1])))
    bands.sort()
    for (_, high), (low, _) in itertools.pairwise(bands):
        if low <= high:
            raise InputError(
                Problem(
                    "grade_bands",
                    list(grade_bands),
                    "bands overlap",
                    "disjoint bands such as ((1, 2), (3, 4), (5, 5))",
                )
            )
    if not bands:
        raise InputError(Problem("grade_bands", [], "needs at least one band", "((1, 2), (3, 4))"))
    return bands


def band_label(band: tuple[int, int]) -> str:
    low, high = band
    return _ROMAN[low] if low == high else f"{_ROMAN[low]}–{_ROMAN[high]}"


def flag(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    try:
        values = frame[column].astype("boolean")
    except (TypeError, ValueError):
        raise InputError(
            Problem(column, None, f"must be true/false in {table}", "booleans, blank = missing")
        ) from None
    return values


def canonical_term(text: Any) -> str:
    try:
        return find_term(str(text)).term
    except InputError:
        return str(text).strip()


def row(
    section: str,
    item: str,
    label: str,
    n: int,
    denominator: int,
    digits: int,
    term: str = "",
    band: str = "",
) -> dict[str, Any]:
    percent = format_percent(n, denominator, digits)
    return {
        "section": section,
        "item": item,
        "label": label,
        "term": term,
        "band": band,
        "n": n,
        "denominator": denominator,
        "percent": percent,
        "display": f"{n} ({percent})" if percent else str(n),
    }


def _missing_grade(term: str, grade: int) -> Problem | None:
    """The problem of :func:`validate_grade` when ``grade`` does not exist for ``term``
    (other refusals, such as an unknown term, are left to the term checks)."""
    try:
        validate_grade(term, grade)
    except InputError as error:
        if "does not exist" in error.problems[0].message:
            return error.problems[0]
    return None


def event_window(
    ae: pd.DataFrame,
    index_day: pd.Series,
    cutoff: pd.Timestamp | None,
    bands: list[tuple[int, int]],
) -> tuple[pd.DataFrame, int]:
    """Events of the population inside the window, with integer grades and CTCAE terms."""
    rows = {index: i + 1 for i, index in enumerate(ae.index)}
    grade = pd.to_numeric(ae["grade"], errors="coerce")
    problems = [
        Problem(
            "grade",
            ae.loc[i, "grade"],
            "must be a whole CTCAE grade",
            "1, 2, 3, 4, 5",
            "adverse_events",
            rows[i],
        )
        for i in ae.index[~(grade.isin([1, 2, 3, 4, 5])).to_numpy()]
    ]
    whole = grade.isin([1, 2, 3, 4, 5]).to_numpy()
    terms = [str(t) for t in ae["term"].to_numpy(dtype=object)[whole]]
    grades = [int(g) for g in grade.to_numpy()[whole]]
    # each (term, grade) pair is checked once; its problem, if any, is reported for every row
    refused = {pair: _missing_grade(*pair) for pair in set(zip(terms, grades, strict=True))}
    for i, term, g in zip(ae.index[whole], terms, grades, strict=True):
        found = refused[(term, g)]
        if found is not None:
            problems.append(
                Problem("grade", g, found.message, found.allowed, "adverse_events", rows[i])
            )
    if problems:
        raise InputError(problems)
    onset = pd.to_datetime(ae["onset_date"])
    start = ae["patient_id"].map(index_day)
    inside = start.notna() & (onset >= start)
    if cutoff is not None:
        inside &= onset <= cutoff
    given = ae.loc[inside, "term"]
    canonical = {t: canonical_term(t) for t in given.drop_duplicates()}  # once per term

    def term_of(text: Any) -> str:
        return canonical[text] if text in canonical else canonical_term(text)

    kept = ae[inside.to_numpy()].assign(grade=grade[inside].astype(int), term=given.map(term_of))
    covered = {g for low, high in bands for g in range(low, high + 1)}
    outside = kept[~kept["grade"].isin(covered)]
    if len(outside):
        raise InputError(
            Problem(
                "grade_bands",
                [list(b) for b in bands],
                f"grade(s) {sorted(set(outside['grade']))} of "
                f"{len(outside)} event(s) fall in no band",
                "bands covering every recorded grade, e.g. add (5, 5)",
            )
        )
    return kept, int((~inside).sum())


def flare_rows(
    frames: Mapping[str, pd.DataFrame | None],
    population: list[Any],
    index_day: pd.Series,
    cutoff: pd.Timestamp | None,
    drug: str,
    rows: list[dict[str, Any]],
    d: int,
) -> list[str]:
    patients, flares = frames["patients"], frames["flares"]
    treatments = frames["treatments"]
    if patients is None or treatments is None:  # pragma: no cover - checked by _frames
        return []
    if flares is None or "sle" not in patients:
        return ["SLE flares: not tabulated (no flares table or no patients.sle column)."]
    people = patients[patients["patient_id"].isin(population)]
    sle = flag(people, "sle", "patients")
    with_sle = set(people.loc[sle.eq(True).fillna(False).to_numpy(), "patient_id"])
    without = set(people.loc[sle.eq(False).fillna(False).to_numpy(), "patient_id"])
    date = pd.to_datetime(flares["flare_date"])
    start = flares["patient_id"].map(index_day)
    inside = start.notna() & (date >= start)
    if cutoff is not None:
        inside &= date <= cutoff
    kept = flares[inside.to_numpy()]
    severe = kept["severity"].astype("string").eq("severe").fillna(False).to_numpy(dtype=bool)
    sec = "sle_flares"
    rows.append(
        row(
            sec,
            "sle_flare",
            "Patients with SLE flare (among patients with SLE)",
            len(with_sle & set(kept["patient_id"])),
            len(with_sle),
            d,
        )
    )
    rows.append(
        row(
            sec,
            "sle_flare_severe",
            "Severe SLE flare (among patients with SLE)",
            len(with_sle & set(kept.loc[severe, "patient_id"])),
            len(with_sle),
            d,
        )
    )
    rows.append(
        row(
            sec,
            "flare_without_sle",
            "Flare in patients without SLE at baseline (among isolated CLE)",
            len(without & set(kept["patient_id"])),
            len(without),
            d,
        )
    )
    if "end_reason" in treatments:
        stopped = treatments[
            (treatments["drug"] == drug)
            & treatments["end_reason"]
            .astype("string")
            .eq("sle_flare")
            .fillna(False)
            .to_numpy(dtype=bool)
        ]
        rows.append(
            row(
                sec,
                "sle_flare_discontinuation",
                "SLE flare leading to discontinuation (among all patients)",
                stopped["patient_id"].nunique(),
                len(population),
                d,
            )
        )
    unknown = len(population) - len(with_sle) - len(without)
    return [
        "SLE flares are counted only among patients recorded with SLE (patients.sle true); "
        "flares in patients without SLE are shown separately"
        + (f"; {unknown} patient(s) with unknown SLE status are in neither" if unknown else "")
        + "."
    ]


def incidence_rows(
    events: pd.DataFrame,
    labels: list[str],
    band_of: Any,
    person_years: float,
    per: float,
    confidence: float,
) -> pd.DataFrame:
    if person_years <= 0:
        raise InputError(
            Problem(
                "exposure", person_years, "total exposure must be positive", "> 0 patient-years"
            )
        )
    event_band = events["grade"].map(band_of)
    specs: list[tuple[str, str, str, str, int]] = [
        ("all_events", "All adverse events", "", "", len(events))
    ]
    specs += [
        ("grade_band", "Adverse events by grade", "", lab, int((event_band == lab).sum()))
        for lab in labels
    ]
    if "serious" in events:
        serious = flag(events, "serious", "adverse_events").fillna(False)
        specs.append(("serious", "Serious adverse events", "", "", int(serious.sum())))
    counts = events["term"].value_counts()
    specs += [
        ("term", term, term, "", int(counts[term]))
        for term in sorted(counts.index, key=lambda t: (-counts[t], t))
    ]
    out = []
    for item, label, term, band, k in specs:
        est = incidence_rate(k, person_years, per=per, confidence=confidence)
        out.append(
            {
                "item": item,
                "label": label,
                "term": term,
                "band": band,
                "events": k,
                "person_years": person_years,
                "rate": est.rate,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "per": est.per,
                "method": est.method,
            }
        )
    return pd.DataFrame(out)
