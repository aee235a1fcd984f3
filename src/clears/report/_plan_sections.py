"""Sections only analysis plans ask for: response by severity band, baseline SLEDAI by SLE flare.

Aitmehdi 2021 (doi:10.1016/j.jaad.2020.11.014) reports complete response "significantly
more frequent in patients with mild and moderate compared with severe activity (17/33, 51%
versus 0/7, 0% p=0.01)" and a baseline SELENA-SLEDAI "significantly higher for SLE patients
with than without flares (p=0.005)". Each statistic here is a
:class:`~clears.analysis.ComparisonResult` whose ``method`` names the test; the method goes
into the report's methods text and into the comparison table's ``Method`` column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from clears._exceptions import ConvergenceError, InputError
from clears.analysis import ComparisonResult, format_percent
from clears.cohort import Cohort
from clears.report._labels import level_label, severity_label, subgroup_label
from clears.report._model import ReportTable, Section
from clears.report._sections import Log, _median, _median_ci

__all__ = [
    "complete_response_by_section",
    "cr_by_severity",
    "cr_time_by",
    "response_by_severity_section",
    "sledai_by_flare",
    "sledai_by_flare_section",
]

_BANDS: Final = ("mild", "moderate", "severe")
_SCORE_LABELS: Final = {"sledai_2k": "SLEDAI-2K", "selena": "SELENA-SLEDAI"}


def _p(value: float) -> str:
    """A statistic or p-value to 3 significant figures; "–" when undefined (NaN)."""
    return "–" if math.isnan(value) else f"{value:.3g}"


def _number(value: float) -> str:
    """An odds ratio or its limit to 3 significant figures; infinity written as such."""
    return "infinity" if math.isinf(value) else _p(value)


def _count(n: int, d: int) -> str:
    return f"{n}/{d} ({format_percent(n, d)} %)" if d else "0/0"


def cr_by_severity(
    outcomes: pd.DataFrame, *, versus: str = "severe"
) -> tuple[list[list[int]], ComparisonResult]:
    """Fisher's exact test of complete response, the other bands against ``versus``.

    ``outcomes`` are rows of one preset; evaluable rows with a baseline severity band count.
    The 2 x 2 table is ``[[CR, not CR] in the other bands, [CR, not CR] in versus]``; the
    result is :func:`clears.analysis.fisher_exact`'s (two-sided; conditional MLE odds ratio
    of complete response in the other bands against ``versus``).

    Raises
    ------
    InputError
        A row or column of the table is empty (no patient in a group, or no one or everyone
        in complete response): the test is undefined.
    """
    from clears.analysis import fisher_exact

    rows = outcomes[outcomes["evaluable"].fillna(False).astype(bool)]
    rows = rows[rows["baseline_severity"].notna()]
    cr = rows["best_response"] == "complete"
    band = rows["baseline_severity"] == versus
    table = [[int((cr & ~band).sum()), int((~cr & ~band).sum())],
             [int((cr & band).sum()), int((~cr & band).sum())]]  # fmt: skip
    return table, fisher_exact(table)


def response_by_severity_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, options: Mapping[str, Any]
) -> Section:
    """Partial-or-better and complete response by baseline severity band; Fisher's test of CR."""
    versus = str(options.get("versus", "severe"))
    others = " and ".join(b for b in _BANDS if b != versus)
    rows, tests, paragraphs = [], [], []
    labelled = outcomes.assign(label=log.preset_column(outcomes))
    for label, part in labelled.groupby("label", sort=False):
        evaluable = part[part["evaluable"].fillna(False).astype(bool)]
        for band in _BANDS:
            group = evaluable[evaluable["baseline_severity"] == band]
            responders = int(group["best_response"].isin(["complete", "partial"]).sum())
            complete = int((group["best_response"] == "complete").sum())
            rows.append(
                {
                    "Criteria": str(label),
                    "Baseline severity": severity_label(band),
                    "n": str(len(group)),
                    "Complete or partial": _count(responders, len(group)),
                    "Complete": _count(complete, len(group)),
                }
            )
        try:
            table, res = log.run(
                f"CR by severity ({label})",
                lambda p=part: cr_by_severity(p, versus=versus),  # type: ignore[misc]
            )
        except InputError:
            paragraphs.append(
                f"{label}: Fisher's exact test of complete response, {others} against "
                f"{versus}, is undefined (a group or outcome without patients)."
            )
            continue
        log.method("Group comparisons", res.method)
        tests.append(
            {
                "Criteria": str(label),
                "Comparison": f"Complete response, {others} vs {versus}",
                "Counts": f"{table[0][0]}/{sum(table[0])} vs {table[1][0]}/{sum(table[1])}",
                "Method": res.method,
                "Odds ratio (95% CI)": f"{_number(res.estimate)} ({_number(res.ci_low)} to "
                f"{_number(res.ci_high)})",
                "p": _p(res.p_value),
            }
        )
    tables = [
        ReportTable(
            "response_severity",
            "Best response by baseline severity (Klein 2011 bands)",
            pd.DataFrame(rows),
            ("n/evaluable patients of the band (%).",),
            "Response by severity",
        )
    ]
    if tests:
        tables.append(
            ReportTable(
                "response_severity_test",
                "Complete response by baseline severity: Fisher's exact test",
                pd.DataFrame(tests),
                (
                    "Two-sided; the odds ratio (conditional maximum-likelihood estimate, exact "
                    "CI, as R fisher.test) is of complete response, the other bands against "
                    "the named one.",
                ),
                "CR by severity test",
            )
        )
    return Section(
        "response_by_severity",
        "Response by baseline severity",
        tuple(paragraphs),
        tuple(tables),
    )


def sledai_by_flare(
    frame: pd.DataFrame, *, score: str = "baseline_sledai"
) -> tuple[pd.Series, pd.Series, ComparisonResult]:
    """Mann–Whitney U test of the baseline score in patients with vs without an SLE flare.

    ``frame`` has one row per patient with ``sle_flare`` and the ``score`` column; rows
    missing either are left out. ``x`` is the patients with a flare (U is theirs).

    Raises
    ------
    InputError
        A group without a value.
    """
    from clears.analysis import mann_whitney

    known = frame[frame["sle_flare"].notna() & frame[score].notna()]
    flare = known["sle_flare"].astype(bool)
    x = known.loc[flare, score].astype(float)
    y = known.loc[~flare, score].astype(float)
    return x, y, mann_whitney(x.to_numpy(), y.to_numpy())


def _median_range(values: pd.Series) -> str:
    if values.empty:
        return "–"
    return f"{values.median():g} ({values.min():g}-{values.max():g})"


def sledai_by_flare_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, options: Mapping[str, Any]
) -> Section:
    """Baseline SLEDAI of the patients with SLE at the first dose, with vs without an SLE flare."""
    from clears.report._baseline import _baseline_selena, _baseline_sledai

    score = str(options.get("score", "sledai_2k"))
    name = _SCORE_LABELS[score]
    sle = outcomes[outcomes["sle_at_index"].astype("boolean").fillna(False).astype(bool)]
    reader = _baseline_selena if score == "selena" else _baseline_sledai
    frame = sle.assign(baseline_sledai=reader(cohort, sle), label=log.preset_column(sle))
    rows, tests, paragraphs = [], [], []
    for label, part in frame.groupby("label", sort=False):
        flare = part["sle_flare"].astype("boolean")
        for title, group in (("SLE flare", flare == True), ("No SLE flare", flare == False)):  # noqa: E712
            values = part.loc[group.fillna(False).astype(bool), "baseline_sledai"].dropna()
            rows.append(
                {
                    "Criteria": str(label),
                    "Group": title,
                    "n": str(len(values)),
                    f"Baseline {name}, median (range)": _median_range(values.astype(float)),
                }
            )
        try:
            _x, _y, res = log.run(
                f"{name} by SLE flare ({label})",
                lambda p=part: sledai_by_flare(p),  # type: ignore[misc]
            )
        except InputError:
            paragraphs.append(
                f"{label}: the Mann-Whitney U test needs a baseline {name} in patients with "
                "and without an SLE flare."
            )
            continue
        log.method("Group comparisons", res.method)
        tests.append(
            {
                "Criteria": str(label),
                "Comparison": f"Baseline {name}, SLE flare vs none",
                "Method": res.method,
                "U": f"{res.statistic:g}",
                "p": _p(res.p_value),
            }
        )
    if not rows:
        paragraphs.append("No patient had SLE at the first dose.")
    tables = []
    if rows:
        tables.append(
            ReportTable(
                "sledai_flare",
                f"Baseline {name} in patients with SLE, with and without an SLE flare",
                pd.DataFrame(rows),
                ("Patients with SLE at the first dose; the flare rule is the preset's.",),
                "SLEDAI by flare",
            )
        )
    if tests:
        tables.append(
            ReportTable(
                "sledai_flare_test",
                f"Baseline {name} by SLE flare: Mann-Whitney U test",
                pd.DataFrame(tests),
                (
                    "U of the patients with a flare; exact, or the normal approximation "
                    "with ties, as R wilcox.test chooses.",
                ),
                "SLEDAI by flare test",
            )
        )
    return Section(
        "sledai_by_flare", "Baseline SLEDAI and SLE flares", tuple(paragraphs), tuple(tables)
    )


def _level_text(value: Any) -> str:
    """A level of a grouping column as text (``True`` for a true value, as pandas prints)."""
    return str(bool(value)) if isinstance(value, bool | np.bool_) else str(value)


def _group_label(by: str, group: str, versus: Any) -> str:
    """A group of :func:`cr_time_by` as a reader reads it (``Smoking: current``)."""
    if versus is not None and group != _level_text(versus):
        return f"{subgroup_label(by)}: other than {level_label(by, _level_text(versus))}"
    return f"{subgroup_label(by)}: {level_label(by, group)}"


def cr_time_by(
    frame: pd.DataFrame, *, by: str, versus: Any = None
) -> tuple[pd.DataFrame, ComparisonResult]:
    """Log-rank test of time to complete response across the groups of column ``by``.

    ``frame`` has ``time_to_complete_days``, ``complete_event`` and ``by``; rows missing
    any are left out. With ``versus`` the groups are the patients whose ``by`` is
    ``versus`` and the others (Aitmehdi 2021: active smokers vs former and never smokers);
    without it, the column's levels as recorded. Returns the rows used (with ``group`` and
    the 0/1 ``event``) and :func:`clears.analysis.log_rank`'s result.

    Raises
    ------
    InputError
        Fewer than two groups.
    """
    from clears.analysis import log_rank

    used = frame.dropna(subset=["time_to_complete_days", "complete_event", by])
    if versus is None:
        group = used[by].map(_level_text)
    else:
        hit = used[by].map(_level_text) == _level_text(versus)
        group = hit.map({True: _level_text(versus), False: f"not {_level_text(versus)}"})
        group = group.astype(str)
    used = used.assign(group=group, event=used["complete_event"].astype(bool).astype(int))
    result = log_rank(used, duration="time_to_complete_days", event="event", group="group")
    return used, result


def _hazard_ratio(used: pd.DataFrame, versus: Any, log: Log, what: str) -> str:
    """Cox HR of complete response, the ``versus`` group against the others, as printed."""
    from clears.analysis import cox_ph

    if versus is None:
        return "–"
    data = used.assign(in_group=used["group"] == _level_text(versus))
    if data.groupby("in_group")["event"].sum().reindex([True, False], fill_value=0).min() == 0:
        return "not estimable (a group without a complete response)"
    try:
        fit = log.run(
            what,
            lambda: cox_ph(data, duration="time_to_complete_days", event="event",
                           covariates=["in_group"]),
        )  # fmt: skip
    except InputError as exc:
        return "not estimable (" + "; ".join(p.message for p in exc.problems) + ")"
    except ConvergenceError:
        return "not estimable (the Cox model did not converge)"
    log.method("Time to event", fit.method)
    row = fit.summary.iloc[0]
    return f"{row['hazard_ratio']:.3g} ({row['ci_low']:.3g} to {row['ci_high']:.3g})"


def complete_response_by_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, options: Mapping[str, Any]
) -> Section:
    """Time to complete response by a patient characteristic: KM medians, log-rank, Cox HR."""
    from clears.analysis import kaplan_meier

    by, versus = str(options.get("by", "smoking")), options.get("versus")
    data = outcomes
    if by not in outcomes and by in cohort.patients:
        data = outcomes.merge(cohort.patients[["patient_id", by]], on="patient_id", how="left")
    data = data.assign(label=log.preset_column(data))
    rows, tests, paragraphs = [], [], []
    for label, part in data.groupby("label", sort=False):
        if by not in part or part[by].isna().all():
            paragraphs.append(f"{label}: no patient has {subgroup_label(by).lower()} recorded.")
            continue
        try:
            used, res = log.run(
                f"complete response by {by} ({label})",
                lambda p=part: cr_time_by(p, by=by, versus=versus),  # type: ignore[misc]
            )
        except InputError:
            paragraphs.append(
                f"{label}: the log-rank test needs two groups of {subgroup_label(by).lower()}."
            )
            continue
        km = log.run(
            f"complete response by {by} ({label})",
            lambda u=used: kaplan_meier(  # type: ignore[misc]
                u, duration="time_to_complete_days", event="event", group="group"
            ),
        )
        log.method("Time to event", km.method)
        log.method("Group comparisons", res.method)
        for row in km.medians.to_dict("records"):
            rows.append(
                {
                    "Criteria": str(label),
                    "Group": _group_label(by, str(row["group"]), versus),
                    "n": str(row["n"]),
                    "Complete responses": str(row["events"]),
                    "Median, days": _median(row["median"], int(row["events"])),
                    "95% CI, days": _median_ci(row["ci_low"], row["ci_high"]),
                }
            )
        hr = _hazard_ratio(used, versus, log, f"Cox model of complete response ({label})")
        tests.append(
            {
                "Criteria": str(label),
                "Comparison": f"Time to complete response by {subgroup_label(by).lower()}"
                + (
                    f", {level_label(by, _level_text(versus))} vs the others"
                    if versus is not None
                    else ""
                ),
                "Method": res.method,
                "Chi-squared": _p(res.statistic),
                "p": _p(res.p_value),
                "Hazard ratio (95% CI)": hr,
            }
        )
    tables = []
    if rows:
        tables.append(
            ReportTable(
                "cr_by_group",
                f"Time to complete response by {subgroup_label(by).lower()} (Kaplan–Meier)",
                pd.DataFrame(rows),
                ("Days from the first dose; patients without a complete response censored.",),
                "CR by subgroup",
            )
        )
    if tests:
        tables.append(
            ReportTable(
                "cr_by_group_test",
                f"Time to complete response by {subgroup_label(by).lower()}: log-rank test",
                pd.DataFrame(tests),
                (
                    "Hazard ratio of complete response, the named group against the others "
                    "(Cox model, Efron ties, Wald CI).",
                ),
                "CR by subgroup test",
            )
        )
    return Section(
        "complete_response_by",
        "Time to complete response by subgroup",
        tuple(paragraphs),
        tuple(tables),
    )
