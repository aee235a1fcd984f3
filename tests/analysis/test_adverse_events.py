"""Tests of clears.analysis.adverse_events: Aitmehdi 2021 Table 2 shape, grades, flares, rates."""

import json

import pandas as pd
import pytest
from statsmodels.stats.rates import confint_poisson

from clears import InputError
from clears.analysis.adverse_events import ae_table, exposure_years
from clears.cohort import Cohort

START = pd.Timestamp("2015-01-01")


def _aitmehdi_frames() -> dict[str, pd.DataFrame]:
    """40 synthetic patients with the counts of Aitmehdi 2021 Table 2 (seed 000)."""
    ids = [f"p{i:02d}" for i in range(40)]
    patients = pd.DataFrame({"patient_id": ids, "centre": "A", "sle": [i < 26 for i in range(40)]})
    end_reason = [None] * 40
    end_reason[0] = "sle_flare"  # 1 SLE flare leading to discontinuation
    treatments = pd.DataFrame(
        {
            "patient_id": ids,
            "drug": "lenalidomide",
            "start_date": START,
            "dose_mg_per_day": 5.0,
            "end_date": START + pd.Timedelta(days=700),
            "end_reason": end_reason,
        }
    )
    day = START + pd.Timedelta(days=30)
    ae = []
    # 3 cardiovascular (arterial) and 2 cancers, grade III/IV, leading to discontinuation
    for pid, term, grade, action in [
        ("p01", "Arterial thromboembolism", 3, "withdrawn"),
        ("p02", "Arterial thromboembolism", 4, "withdrawn"),
        ("p03", "Arterial thromboembolism", 3, "interrupted"),
        ("p04", "Cancer", 3, "withdrawn"),
        ("p05", "Cancer", 3, "withdrawn"),
    ]:
        ae.append((pid, day, term, grade, True, action))
    ae += [(f"p{10 + i}", day, "Neutrophil count decreased", 2, False, "none") for i in range(3)]
    ae += [(f"p{20 + i}", day, "Asthenia", 1, False, "none") for i in range(9)]
    adverse = pd.DataFrame(
        ae, columns=["patient_id", "onset_date", "term", "grade", "serious", "action"]
    )
    # 8 of the 26 SLE patients flare, 4 severely; 1 patient without SLE (p30) flares
    flares = pd.DataFrame(
        {
            "patient_id": [f"p{i:02d}" for i in range(8)] + ["p30"],
            "flare_date": day,
            "severity": ["severe"] * 4 + ["mild"] * 4 + ["mild"],
        }
    )
    return {
        "patients": patients,
        "treatments": treatments,
        "adverse_events": adverse,
        "flares": flares,
    }


def _get(out: object, item: str, term: str = "", band: str = "") -> pd.Series:
    table = out.table  # type: ignore[attr-defined]
    rows = table[(table["item"] == item) & (table["term"] == term) & (table["band"] == band)]
    assert len(rows) == 1, (item, term, band)
    return rows.iloc[0]


def test_aitmehdi_table_2() -> None:
    out = ae_table(_aitmehdi_frames())
    # Aitmehdi 2021 Table 2, percentages rounded half up (docs/reference/published-figures.md A8)
    assert _get(out, "max_grade", band="III–IV")["display"] == "5 (13)"  # 12.5 -> 13
    assert _get(out, "term", "Arterial thromboembolism", "III–IV")["display"] == "3 (8)"  # 7.5
    assert _get(out, "term", "Cancer", "III–IV")["display"] == "2 (5)"
    assert _get(out, "term", "Neutrophil count decreased", "I–II")["display"] == "3 (8)"
    assert _get(out, "term", "Asthenia", "I–II")["display"] == "9 (23)"  # 22.5 -> 23
    assert _get(out, "interrupted_or_withdrawn")["display"] == "5 (13)"
    assert _get(out, "withdrawn")["display"] == "4 (10)"  # text: 4 (10%) permanent
    assert _get(out, "serious")["n"] == 5
    flare = _get(out, "sle_flare")
    assert (flare["n"], flare["denominator"], flare["display"]) == (8, 26, "8 (31)")  # 30.8
    assert _get(out, "sle_flare_severe")["display"] == "4 (15)"  # 15.4
    assert _get(out, "sle_flare_discontinuation")["display"] == "1 (3)"  # 2.5 -> 3
    assert _get(out, "flare_without_sle")["display"] == "1 (7)"  # 1/14 = 7.1
    assert out.n_patients == 40
    assert out.ctcae_version == "CTCAE v5.0"


def test_one_decimal_as_printed() -> None:
    out = ae_table(_aitmehdi_frames(), percent_digits=1)
    # Aitmehdi 2021 Table 2 prints "5 (12.5)" and "1 (2.5)"
    assert _get(out, "max_grade", band="III–IV")["display"] == "5 (12.5)"
    assert _get(out, "sle_flare_discontinuation")["display"] == "1 (2.5)"


def test_maximum_grade_per_patient_counts_once() -> None:
    frames = _aitmehdi_frames()
    extra = pd.DataFrame(
        {
            "patient_id": ["p39", "p39"],
            "onset_date": [START + pd.Timedelta(days=5), START + pd.Timedelta(days=60)],
            "term": ["neutrophil_count_decreased", "Neutrophil count decreased"],
            "grade": [2, 3],
            "serious": [False, False],
            "action": ["none", "none"],
        }
    )
    frames["adverse_events"] = pd.concat([frames["adverse_events"], extra], ignore_index=True)
    out = ae_table(frames)
    # p39: grade 2 then grade 3 of the same term -> once, in III-IV; I-II stays 3
    assert _get(out, "term", "Neutrophil count decreased", "III–IV")["n"] == 1
    assert _get(out, "term", "Neutrophil count decreased", "I–II")["n"] == 3
    assert _get(out, "max_grade", band="III–IV")["n"] == 6
    # the incidence counts events: 3 + 2 neutropenia events
    inc = out.incidence.set_index("label")
    assert inc.loc["Neutrophil count decreased", "events"] == 5


def test_flares_counted_only_among_sle() -> None:
    frames = _aitmehdi_frames()
    frames["flares"] = pd.DataFrame(
        {
            "patient_id": ["p30", "p31"],
            "flare_date": START + pd.Timedelta(days=9),
            "severity": "severe",
        }
    )
    out = ae_table(frames)
    assert (_get(out, "sle_flare")["n"], _get(out, "sle_flare")["denominator"]) == (0, 26)
    assert _get(out, "sle_flare_severe")["n"] == 0
    assert _get(out, "flare_without_sle")["n"] == 2


def test_unknown_sle_status_is_in_neither_denominator() -> None:
    frames = _aitmehdi_frames()
    frames["patients"] = frames["patients"].astype({"sle": "boolean"})
    frames["patients"].loc[0, "sle"] = pd.NA
    out = ae_table(frames)
    assert _get(out, "sle_flare")["denominator"] == 25
    assert _get(out, "flare_without_sle")["denominator"] == 14
    assert any("unknown SLE status" in note for note in out.footnotes)


def test_incidence_matches_statsmodels() -> None:
    frames = _aitmehdi_frames()
    exposure = dict.fromkeys(frames["patients"]["patient_id"], 93 / 40)
    out = ae_table(frames, exposure=exposure)
    assert out.person_years == pytest.approx(93)
    rows = out.incidence.set_index("label")
    for label, events in [("Arterial thromboembolism", 3), ("All adverse events", 17)]:
        # statsmodels.stats.rates.confint_poisson(k, 93, method="exact-c") * 100
        low, high = confint_poisson(events, 93, method="exact-c")
        assert rows.loc[label, "events"] == events
        assert rows.loc[label, "ci_low"] == pytest.approx(low * 100, rel=1e-9)
        assert rows.loc[label, "ci_high"] == pytest.approx(high * 100, rel=1e-9)
    # docs/reference/published-figures.md A5: 3 arterial events in 93 PY -> 3.23 (0.67-9.43) per 100
    # PY
    arterial = rows.loc["Arterial thromboembolism"]
    assert (round(arterial["rate"], 2), round(arterial["ci_low"], 2)) == (3.23, 0.67)
    grade34 = out.incidence[out.incidence["band"] == "III–IV"].iloc[0]
    # docs/reference/published-figures.md A5: 5 grade III/IV events -> 5.38 (1.75-12.55)
    assert (round(grade34["rate"], 2), round(grade34["ci_high"], 2)) == (5.38, 12.55)


def test_exposure_from_treatments_by_default() -> None:
    out = ae_table(_aitmehdi_frames())
    # 40 patients x 700 days / 365.25
    assert out.person_years == pytest.approx(40 * 700 / 365.25)


def test_exposure_years_worked_example() -> None:
    treatments = pd.DataFrame(
        {
            "patient_id": ["a", "a", "b", "c"],
            "drug": ["lenalidomide", "lenalidomide", "lenalidomide", "thalidomide"],
            "start_date": pd.to_datetime(["2020-01-01", "2020-03-01", "2020-06-01", "2020-01-01"]),
            "end_date": pd.to_datetime(["2020-02-01", None, "2021-06-01", "2020-02-01"]),
        }
    )
    years = exposure_years(treatments, data_cutoff="2020-12-31")
    # a: 31 days + (2020-03-01 -> 2020-12-31) 305 days = 336; b: cut at the cut-off, 213 days
    assert years["a"] == pytest.approx(336 / 365.25)
    assert years["b"] == pytest.approx(213 / 365.25)
    assert "c" not in years.index


def test_window_excludes_events_before_index_and_after_cutoff() -> None:
    frames = _aitmehdi_frames()
    extra = pd.DataFrame(
        {
            "patient_id": ["p39", "p38"],
            "onset_date": [START - pd.Timedelta(days=1), START + pd.Timedelta(days=400)],
            "term": ["Fatigue", "Fatigue"],
            "grade": [3, 3],
        }
    )
    frames["adverse_events"] = pd.concat([frames["adverse_events"], extra], ignore_index=True)
    out = ae_table(frames, data_cutoff=START + pd.Timedelta(days=365))
    assert "Fatigue" not in set(out.table["term"])
    assert any("2 event(s) outside this window" in note for note in out.footnotes)
    assert ae_table(frames).table["term"].eq("Fatigue").any()


def test_grade_five_needs_a_band() -> None:
    frames = _aitmehdi_frames()
    frames["adverse_events"].loc[0, "grade"] = 5
    with pytest.raises(InputError) as info:
        ae_table(frames)
    assert info.value.problems[0].field == "grade_bands"
    assert "fall in no band" in info.value.problems[0].message
    out = ae_table(frames, grade_bands=((1, 2), (3, 4), (5, 5)))
    assert _get(out, "term", "Arterial thromboembolism", "V")["n"] == 1


def test_cohort_object_and_no_mutation() -> None:
    frames = _aitmehdi_frames()
    before = {name: frame.copy() for name, frame in frames.items()}
    cohort = Cohort(
        patients=frames["patients"],
        treatments=frames["treatments"],
        visits=pd.DataFrame({"patient_id": [], "visit_date": []}),
        adverse_events=frames["adverse_events"],
        flares=frames["flares"],
    )
    out = ae_table(cohort)
    assert _get(out, "sle_flare")["n"] == 8
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, before[name])
    assert "CTCAE v5.0" in out.to_text()
    json.dumps(out.to_dict(), default=str)
    assert out.to_frame().iloc[0]["n (%)"] == "17 (43)"  # 17 patients with an event, 42.5


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda f: f["adverse_events"].assign(grade=6), "grade", "whole CTCAE grade"),
        (lambda f: f["adverse_events"].assign(grade="x"), "grade", "whole CTCAE grade"),
        (
            lambda f: f["adverse_events"].assign(grade=1),  # arterial thromboembolism has no 1
            "grade",
            "does not exist",
        ),
    ],
)
def test_rejects_bad_grades(change: object, field: str, message: str) -> None:
    frames = _aitmehdi_frames()
    frames["adverse_events"] = change(frames)  # type: ignore[operator]
    with pytest.raises(InputError) as info:
        ae_table(frames)
    problem = info.value.problems[0]
    assert (problem.field, problem.file, problem.row) == (field, "adverse_events", 1)
    assert message in problem.message


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"grade_bands": ((1, 3), (3, 4))}, "grade_bands", "overlap"),
        ({"grade_bands": ((2, 1),)}, "grade_bands", "not a grade band"),
        ({"grade_bands": ((0, 2),)}, "grade_bands", "not a grade band"),
        ({"grade_bands": ()}, "grade_bands", "at least one band"),
        ({"drug": "thalidomide"}, "drug", "no patient"),
        ({"exposure": {"p00": 1.0}}, "exposure", "every patient"),
    ],
)
def test_rejections(kwargs: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        ae_table(_aitmehdi_frames(), **kwargs)  # type: ignore[arg-type]
    assert info.value.problems[0].field == field
    assert message in info.value.problems[0].message


def test_rejects_missing_tables_and_bad_periods() -> None:
    with pytest.raises(InputError, match="table missing"):
        ae_table({"patients": pd.DataFrame()})
    frames = _aitmehdi_frames()
    frames["treatments"].loc[0, "end_date"] = pd.NaT
    with pytest.raises(InputError, match="ongoing period needs data_cutoff"):
        ae_table(frames)
    frames = _aitmehdi_frames()
    frames["treatments"] = pd.concat(
        [frames["treatments"], frames["treatments"].iloc[[0]]], ignore_index=True
    )
    with pytest.raises(InputError, match="overlaps an earlier lenalidomide period"):
        ae_table(frames)
