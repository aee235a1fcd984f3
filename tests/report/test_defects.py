"""Defects the report had, each pinned by a test that failed before its fix.

- concomitant-treatment rows of Table 1 printed twice (false and true) when the cohort came
  from a CSV folder, whose extra columns are text;
- the baseline SLEDAI row was labelled SLEDAI-2K whichever variant the numbers were; the
  variant Aitmehdi 2021 reports, SELENA-SLEDAI, is scored from the descriptors;
- Table 2 printed "flare in patients without SLE 0 (0)" beside the outcome summary's new SLE
  count: a flare needs SLE, new SLE among isolated CLE is its own outcome;
- the Fisher test sentence named an odds ratio it did not print.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clears.cohort import Cohort, read, write
from clears.report import Report, build_report
from clears.simulate import simulate

from .conftest import EXAMPLE

DAY = dt.date(2024, 1, 2)


def _table(report: Report, key: str) -> pd.DataFrame:
    return next(t for t in report.tables() if t.key == key).frame


def _footnotes(report: Report, key: str) -> tuple[str, ...]:
    return next(t for t in report.tables() if t.key == key).footnotes


@pytest.fixture(scope="module")
def simulated() -> Cohort:
    return simulate("aitmehdi2021", 40, np.random.default_rng(1))


@pytest.fixture(scope="module")
def simulated_report(simulated: Cohort) -> Report:
    return build_report(simulated, criteria=["aitmehdi2021"], today=DAY)


# --- concomitant treatments from a CSV folder --------------------------------------------


@pytest.mark.slow  # two reports
def test_concomitant_rows_from_a_csv_folder_are_the_in_memory_rows(
    simulated: Cohort, simulated_report: Report, tmp_path: Path
) -> None:
    write(simulated, tmp_path / "cohort")
    # the folder holds the words, as any CSV would
    text = (tmp_path / "cohort" / "patients.csv").read_text(encoding="utf-8")
    assert "concomitant_aspirin" in text.splitlines()[0]
    from_csv = build_report(read(tmp_path / "cohort"), criteria=["aitmehdi2021"], today=DAY)
    printed = _table(from_csv, "table1")
    for column in [c for c in simulated.patients if str(c).startswith("concomitant_")]:
        label = str(column).removeprefix("concomitant_").replace("_", " ").capitalize()
        rows = printed[printed["Variable"].str.startswith(f"{label} with the drug")]
        # one row, the count of patients taking it (the simulator's booleans), no false/true
        taking = int(simulated.patients[column].astype(bool).sum())
        assert len(rows) == 1, column
        assert rows["Overall"].iloc[0].startswith(f"{taking} ("), column
    assert not printed["Variable"].str.strip().isin(["true", "false", "True", "False"]).any()
    pd.testing.assert_frame_equal(printed, _table(simulated_report, "table1"))


# --- SELENA-SLEDAI ---------------------------------------------------------------------

_DESCRIPTORS = (
    "seizure", "psychosis", "obs", "visual_disturbance", "cranial", "lupus_headache", "cva",
    "vasculitis", "arthritis", "myositis", "urinary_casts", "hematuria", "proteinuria",
    "pyuria", "rash", "alopecia", "mucosal_ulcers", "pleurisy", "pericarditis",
    "low_complement", "dna", "fever", "thrombocytopenia", "leukopenia",
)  # fmt: skip


def _with_descriptors(cohort: Cohort, coded: dict[tuple[str, str], dict[str, int]]) -> Cohort:
    """``cohort`` whose visits hold all 24 SLEDAI descriptors: 0 on the visits named in
    ``coded`` (patient, date) apart from the codes given, blank on every other visit."""
    visits = cohort.visits.copy()
    for name in _DESCRIPTORS:
        visits[f"sledai_{name}"] = pd.array([pd.NA] * len(visits), dtype="Int64")
    for (patient, date), codes in coded.items():
        at = (visits["patient_id"] == patient) & (visits["visit_date"] == pd.Timestamp(date))
        assert int(at.sum()) == 1, (patient, date)
        for name in _DESCRIPTORS:
            visits.loc[at, f"sledai_{name}"] = codes.get(name, 0)
    return dataclasses.replace(cohort, visits=visits)


@pytest.mark.slow  # a report
def test_selena_sledai_is_scored_from_the_descriptors_and_labelled_so() -> None:
    # examples/cohort: the patients with SLE are P02 (baseline 2019-02-04, SLEDAI-2K total 8)
    # and P04 (2020-01-13, total 12). Descriptors chosen to give those SLEDAI-2K totals with
    # Gladman 2002's weights (rash 2, alopecia 2, anti-dsDNA 2, low complement 2, arthritis 4,
    # proteinuria 4). SELENA-SLEDAI (Petri 2005) counts rash, alopecia, mucosal ulcers and
    # proteinuria only when new or recurrent (code 2), not persistent (code 3):
    #   P02: rash persistent (0) + alopecia new (2) + dsDNA (2) + complement (2) = 6
    #   P04: arthritis (4) + rash new (2) + proteinuria persistent (0) + dsDNA (2) = 8
    # median (6 + 8) / 2 = 7, range 6-8; the four patients without SLE are missing.
    cohort = _with_descriptors(
        read(EXAMPLE),
        {
            ("P02", "2019-02-04"): {"rash": 3, "alopecia": 2, "dna": 1, "low_complement": 1},
            ("P04", "2020-01-13"): {"arthritis": 1, "rash": 2, "proteinuria": 3, "dna": 1},
        },
    )
    report = build_report(cohort, criteria=["aitmehdi2021"], today=DAY)
    frame = _table(report, "table1").set_index("Variable")
    selena = frame.loc["SELENA-SLEDAI at baseline, patients with SLE, median (range)"]
    assert (selena["Overall"], selena["Missing"]) == ("7 (6–8)", "4")
    sledai2k = frame.loc["SLEDAI-2K at baseline, patients with SLE, median (range)"]
    assert (sledai2k["Overall"], sledai2k["Missing"]) == ("10 (8–12)", "4")
    assert any("SELENA-SLEDAI (Petri 2005)" in note for note in _footnotes(report, "table1"))


@pytest.mark.slow  # a report
def test_selena_sledai_needs_the_onset_of_every_onset_descriptor() -> None:
    # P04's rash coded 1 (present, onset not recorded) cannot be scored under SELENA-SLEDAI,
    # so P04 counts as missing: only P02's 6 remains.
    cohort = _with_descriptors(
        read(EXAMPLE),
        {
            ("P02", "2019-02-04"): {"rash": 3, "alopecia": 2, "dna": 1, "low_complement": 1},
            ("P04", "2020-01-13"): {"arthritis": 1, "rash": 1, "proteinuria": 3, "dna": 1},
        },
    )
    frame = _table(build_report(cohort, criteria=["aitmehdi2021"], today=DAY), "table1")
    row = frame.set_index("Variable").loc[
        "SELENA-SLEDAI at baseline, patients with SLE, median (range)"
    ]
    assert (row["Overall"], row["Missing"]) == ("6 (6–6)", "5")


def test_totals_without_descriptors_stay_sledai_2k_and_say_so(example_report: Report) -> None:
    variables = _table(example_report, "table1")["Variable"]
    assert variables.str.startswith("SLEDAI-2K at baseline").any()
    assert not variables.str.startswith("SELENA-SLEDAI").any()
    assert any("SLEDAI-2K (Gladman 2002)" in n for n in _footnotes(example_report, "table1"))


# --- Table 2: SLE flares and new SLE ------------------------------------------------------


def _new_sle_by_hand(cohort: Cohort) -> tuple[int, int]:
    """Patients without SLE at the first lenalidomide dose, and those with an SLE onset
    date after it (Aitmehdi 2021 Table 2: new SLE among patients with isolated CLE)."""
    first = (
        cohort.treatments[cohort.treatments["drug"] == "lenalidomide"]
        .groupby("patient_id")["start_date"]
        .min()
    )
    patients = cohort.patients.set_index("patient_id")
    isolated = patients[patients["sle"].astype("boolean").eq(False).fillna(False)]
    isolated = isolated[isolated.index.isin(first.index)]
    onset = pd.to_datetime(isolated["sle_onset_date"])
    return int((onset > first.reindex(isolated.index)).sum()), len(isolated)


@pytest.mark.slow  # a report
def test_table_two_counts_new_sle_among_isolated_cle_as_the_summary_does(
    simulated: Cohort, simulated_report: Report
) -> None:
    n, d = _new_sle_by_hand(simulated)
    assert n > 0  # the case the contradiction showed: new SLE, no "flare" without SLE
    items = _table(simulated_report, "ae_table").set_index("Item")["n (%)"]
    label = "New SLE diagnosis (among patients with isolated CLE)"
    assert items[label] == f"{n} ({round(100 * n / d)})"
    assert not items.index.str.contains("without SLE at baseline").any()
    summary = _table(simulated_report, "outcomes").set_index("Outcome")
    assert summary.loc[label].iloc[0].startswith(f"{n}/{d} ")
    # the flare rows stay among patients with SLE
    assert (
        items.index.get_loc(label)
        == items.index.get_loc("Severe SLE flare (among patients with SLE)") + 1
    )


@pytest.mark.slow  # a report
def test_a_flare_recorded_without_sle_is_named_not_counted(simulated: Cohort) -> None:
    patients = simulated.patients
    cle_only = str(patients.loc[patients["sle"].astype(bool).eq(False), "patient_id"].iloc[0])
    start = simulated.treatments.loc[
        simulated.treatments["patient_id"] == cle_only, "start_date"
    ].min()
    extra = pd.DataFrame(
        {"patient_id": [cle_only], "flare_date": [start + pd.Timedelta(days=60)]}
    ).astype({"patient_id": simulated.flares["patient_id"].dtype})
    flares = pd.concat([simulated.flares, extra], ignore_index=True)
    changed = dataclasses.replace(simulated, flares=flares)
    before = _table(build_report(simulated, criteria=["aitmehdi2021"], today=DAY), "ae_table")
    after_report = build_report(changed, criteria=["aitmehdi2021"], today=DAY)
    after = _table(after_report, "ae_table")
    pd.testing.assert_frame_equal(before, after)  # not an SLE flare: no count changes
    notes = " ".join(_footnotes(after_report, "ae_table"))
    assert "1 patient(s) without SLE at the first dose have a flare recorded" in notes


# --- Fisher's exact test -----------------------------------------------------------------


@pytest.mark.slow
def test_fisher_sentence_prints_the_odds_ratio_it_names(simulated_report: Report) -> None:
    paragraph = next(p for p in simulated_report.sections[1].paragraphs if "Fisher" in p)
    # complete response: 12/31 with SLE, 5/9 without (the simulated cohort, seed 1)
    assert "12/31 patients with SLE and 5/9 without" in paragraph
    # R 4.x: fisher.test(matrix(c(12, 5, 19, 4), nrow = 2)) -> odds ratio 0.5142193,
    # 95 percent confidence interval 0.08363742 2.92939601, p-value = 0.4561
    assert "odds ratio of complete response with SLE vs without 0.514" in paragraph
    assert "95% CI 0.0836 to 2.93" in paragraph
    assert "p = 0.456" in paragraph


# --- Kaplan–Meier medians and limits not reached ------------------------------------------


def test_median_limits_not_reached_are_said_so(simulated_report: Report) -> None:
    medians = _table(simulated_report, "medians").set_index("Outcome")
    # R 4.x, survival: print(survfit(Surv(time, event) ~ 1)) on the same patients
    # (time_to_relapse_days / relapse and time_to_complete_days / complete_event):
    #   relapse  n 39, events 22, median 78, 0.95LCL 51, 0.95UCL NA
    #   complete n 40, events 17, median NA, 0.95LCL 364, 0.95UCL NA
    relapse = medians.loc["Time to relapse (from withdrawal, dose reduction or response)"]
    assert (relapse["n"], relapse["Events"], relapse["Median, days"]) == ("39", "22", "78")
    assert relapse["95% CI, days"] == "51 to not reached"
    complete = medians.loc["Time to complete response"]
    assert (complete["n"], complete["Events"]) == ("40", "17")
    assert complete["Median, days"] == "not reached"
    assert complete["95% CI, days"] == "364 to not reached"


@pytest.mark.slow  # a report
def test_time_to_relapse_figure_names_its_time_origin(
    simulated: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clears.plots

    drawn: dict[str, str] = {}
    original = clears.plots.km_figure

    def recording(result: object, **kwargs: object) -> object:
        drawn[str(kwargs["title"])] = str(kwargs.get("xlabel"))
        return original(result, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(clears.plots, "km_figure", recording)
    build_report(simulated, criteria=["aitmehdi2021"], today=DAY)
    # docs/outcomes.md: time to relapse runs from the withdrawal or dose reduction it
    # followed, else from the response; time to complete response from the first dose
    relapse = "Time to relapse (from withdrawal, dose reduction or response)"
    assert drawn[relapse] == "Days since the withdrawal, dose reduction or response"
    assert drawn["Time to complete response"] == "Days since the first dose"
