"""Baseline vs a later time (``score_change``) and the per-patient table (``per_patient``),
and the bundled ``cortes2012`` plan that uses them.

Expected p-values come from scipy's own tests called here on the values placed by hand
(scipy.stats.ttest_rel, ttest_ind with equal_var=False, mannwhitneyu), never from clears.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clears import InputError
from clears.report import build_report
from clears.report._change_sections import paired_values, score_change_section
from clears.report._sections import Log
from clears.report.plans import parse_plan
from clears.simulate import simulate

DAY0 = pd.Timestamp("2020-01-06")


def _visits(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "visit_date": [DAY0 + pd.Timedelta(days=r[1]) for r in rows],
            "clasi_a": [r[2] for r in rows],
        }
    )


INDEX = pd.DataFrame({"patient_id": ["a", "b", "c"], "index_date": [DAY0] * 3})


def test_values_are_the_visits_nearest_the_weeks_within_the_window() -> None:
    visits = _visits(
        [("a", 0, 10), ("a", 13, 6), ("a", 20, 5),  # day 13 is nearer week 2 than day 20
         ("b", -3, 8), ("b", 28, 2),  # no visit within 1 week of week 2 (day 28 is week 4)
         ("c", 15, 4)]  # no baseline visit
    )  # fmt: skip
    got = paired_values(visits, INDEX, "clasi_a", 2, window_weeks=1).set_index("patient_id")
    assert got.loc["a"].tolist() == [10.0, 6.0]
    assert got.loc["b", "baseline"] == 8.0
    assert np.isnan(got.loc["b", "later"])
    assert np.isnan(got.loc["c", "baseline"])
    assert got.loc["c", "later"] == 4.0
    end = paired_values(visits, INDEX, "clasi_a", "end").set_index("patient_id")
    assert end["later"].tolist() == [5.0, 2.0, 4.0]  # each patient's last visit after day 0


def test_each_test_is_scipys_on_the_right_patients() -> None:
    base = [10.0, 8.0, 12.0, 7.0, 15.0]
    week2 = [6.0, 5.0, 4.0, 7.5, 9.0]
    rows = [(f"p{i}", 0, b) for i, b in enumerate(base)]
    rows += [(f"p{i}", 14, w) for i, w in enumerate(week2[:4])]  # p4 has no week-2 visit
    rows += [("q", 14, 3.0)]  # q has only a week-2 visit
    visits = _visits(rows)
    ids = [f"p{i}" for i in range(5)] + ["q"]
    index = pd.DataFrame({"patient_id": ids, "index_date": [DAY0] * 6})
    outcomes = index.assign(criteria="cortes2012", criteria_version="1")
    cohort = simulate("cortes2012", 1, np.random.default_rng(0))
    cohort = type(cohort)(**{**cohort.__dict__, "visits": visits})
    options = {"measures": ("clasi_a",), "at": 2.0, "tests": ("paired_t", "welch", "mann_whitney")}
    frame = score_change_section(cohort, outcomes, Log(), options).tables[0].frame
    paired = stats.ttest_rel(base[:4], week2[:4]).pvalue  # the 4 patients with both
    welch = stats.ttest_ind(base, [*week2[:4], 3.0], equal_var=False).pvalue  # 5 vs 5 values
    mw = stats.mannwhitneyu(base, [*week2[:4], 3.0], alternative="two-sided").pvalue
    assert frame["Paired t, p"].iloc[0] == f"{paired:.3g}"
    assert frame["Welch t, p"].iloc[0] == f"{welch:.3g}"
    assert frame["Mann–Whitney U, p"].iloc[0] == f"{mw:.3g}"
    assert (
        frame["Baseline, mean ± SD"].iloc[0]
        == f"{np.mean(base):.2f} ± {np.std(base, ddof=1):.2f} (n = 5)"
    )


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"weeks": [2, 4]}, "not increasing weeks from 0"),
        ({"weeks": [0, 4, 4]}, "not increasing weeks from 0"),
        ({"window_weeks": 0}, "a number of weeks, 0 to 26"),
        ({"measures": ["clasi_x"]}, "clasi_a, clasi_d, sledai, anti_dsdna, c3, c4"),
        ({"at": "start"}, 'weeks after the first dose, or "end"'),
        ({"at": 0}, 'weeks after the first dose, or "end"'),
        ({"tests": ["wilcoxon"]}, "paired_t, welch, mann_whitney"),
    ],
)
def test_bad_options_are_refused_naming_what_is_allowed(
    section: dict[str, Any], message: str
) -> None:
    kind = "timecourse" if set(section) <= {"weeks", "window_weeks"} else "score_change"
    with pytest.raises(InputError) as caught:
        parse_plan({"name": "mine", "sections": [{"kind": kind, **section}]})
    assert message in str(caught.value)


def test_a_kind_other_than_score_change_still_appears_once() -> None:
    with pytest.raises(InputError, match="appears twice"):
        parse_plan({"name": "mine", "sections": [{"kind": "response"}, {"kind": "response"}]})
    twice = parse_plan(
        {"name": "mine", "sections": [{"kind": "score_change"}, {"kind": "score_change"}]}
    )
    assert [s.kind for s in twice.sections] == ["score_change", "score_change"]


@pytest.fixture(scope="module")
def cortes_report() -> tuple[Any, Any]:
    cohort = simulate("cortes2012", 15, np.random.default_rng(1))
    return cohort, build_report(cohort, plan="cortes2012", today=dt.date(2024, 1, 2))


@pytest.mark.slow
def test_the_cortes2012_plan_has_the_papers_sections_in_order(
    cortes_report: tuple[Any, Any],
) -> None:
    cohort, report = cortes_report
    # the plan's order (src/clears/data/plans/cortes2012.toml), repeated kinds numbered
    assert [s.key for s in report.sections] == [
        "cohort", "per_patient", "response", "timecourse", "score_change", "score_change_2",
        "time_to_event", "score_change_3", "safety",
    ]  # fmt: skip
    tables = {t.key: t for t in report.tables()}
    per = tables["per_patient"].frame
    assert per["Patient"].tolist() == sorted(cohort.patients["patient_id"])
    week2 = tables["change_2_clasi_a"].frame
    # every simulated patient has the week-2 visit the Results report (extra_days = [14])
    assert week2["Week 2, mean ± SD"].iloc[0].endswith("(n = 15)")
    serology = tables["change_end_anti_dsdna_c3_c4"].frame
    assert serology["Measure"].tolist() == ["Anti-dsDNA (IU/mL)", "C3 (g/L)", "C4 (g/L)"]
    assert "Welch two-sample t test" in " ".join(tables["change_2_clasi_a"].footnotes)
