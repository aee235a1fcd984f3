"""The analyses behind the report's response, time-course and time-to-event sections.

Every function takes the cohort, the derived outcomes and a :class:`Log`, and returns one
:class:`~clears.report.Section`; the ``method`` of every result it uses goes into the log,
which becomes the report's methods text.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd

from clears._exceptions import StatisticalWarning
from clears.analysis import format_percent
from clears.cohort import Cohort
from clears.criteria import Preset
from clears.report._labels import (
    humanise,
    level_label,
    outcome_label,
    preset_labels,
    subgroup_label,
)
from clears.report._model import ReportFigure, ReportTable, Section

__all__ = [
    "Log",
    "first_preset",
    "response_section",
    "swimmer_section",
    "time_to_event_section",
    "timecourse_section",
]

_T = TypeVar("_T")

#: The time origin of each Kaplan–Meier figure (docs/outcomes.md: time to complete response
#: from the first dose; time to relapse from the withdrawal or dose reduction it followed,
#: else from the response).
_KM_AXES = {
    "complete": "Days since the first dose",
    "relapse": "Days since the withdrawal, dose reduction or response",
}
_RESPONDERS = ("complete", "partial")


class Log:
    """Methods (topic -> descriptions, in first-seen order) and warnings of one report.

    It also carries the report's criteria presets, so every section prints a preset by its
    human label (:func:`clears.report._labels.preset_labels`), never by ``name@version``.
    """

    def __init__(self, presets: Sequence[Preset] = ()) -> None:
        self.methods: dict[str, list[str]] = {}
        self.warnings: list[str] = []
        self.presets: dict[str, Preset] = {p.label: p for p in presets}
        self.labels: dict[str, str] = preset_labels(presets)

    def preset(self, key: str) -> str:
        """The human label of the preset ``name@version`` (the key itself if unknown)."""
        return self.labels.get(key, key)

    def preset_column(self, frame: pd.DataFrame) -> pd.Series:
        """Each row's preset (``criteria`` and ``criteria_version``) by its human label."""
        keys = frame["criteria"].astype(str) + "@" + frame["criteria_version"].astype(str)
        labels: pd.Series = keys.map(self.preset)
        return labels

    def method(self, topic: str, text: str) -> None:
        """Record that ``text`` (a result's ``method``) was used for ``topic``."""
        seen = self.methods.setdefault(topic, [])
        if text not in seen:
            seen.append(text)

    @contextmanager
    def watch(self, what: str) -> Iterator[None]:
        """Collect :class:`StatisticalWarning` raised inside, labelled with ``what``."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StatisticalWarning)
            yield
        for w in caught:
            if issubclass(w.category, StatisticalWarning):
                self.warnings.append(f"{what}: {w.message}")
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def run(self, what: str, call: Callable[[], _T]) -> _T:
        """Call ``call`` inside :meth:`watch`."""
        with self.watch(what):
            return call()


def _png(fig: Any) -> bytes:
    from clears.plots import to_png

    return to_png(fig)


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.{digits}f}"


def _ci(low: Any, high: Any, digits: int = 1, scale: float = 1.0) -> str:
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return "–"
    return f"{float(low) * scale:.{digits}f}–{float(high) * scale:.{digits}f}"


def _cis(frame: pd.DataFrame, low: str, high: str, digits: int, scale: float = 1.0) -> list[str]:
    pairs = zip(frame[low], frame[high], strict=True)
    return [_ci(lo, hi, digits, scale) for lo, hi in pairs]


def _median(value: Any, events: int) -> str:
    """A Kaplan–Meier median in days, or why there is none.

    The curve never reaching 0.5 means the median is not reached (R prints ``NA``); with no
    event at all there is nothing to estimate.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not reached" if events else "no event"
    return f"{float(value):.0f}"


def _median_ci(low: Any, high: Any) -> str:
    """The median's confidence limits in days; a limit the band never reaches is said so.

    R's ``print(survfit)`` prints ``NA`` for a limit whose confidence band never crosses
    0.5 (Brookmeyer and Crowley 1982 interval read from the band); a reader sees "not
    reached", as for the median itself.
    """

    def limit(value: Any) -> str:
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        return "not reached" if missing else f"{float(value):.0f}"

    if all(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return "–"
    return f"{limit(low)} to {limit(high)}"


def first_preset(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The rows of the first preset (patient-level facts are the same under every preset)."""
    rows: pd.DataFrame = outcomes[outcomes["criteria"] == outcomes["criteria"].iloc[0]]
    return rows


def _undefined(key: str, preset: Preset | None) -> bool:
    """True when ``key`` is a response level the preset does not define (or no assessment)."""
    from clears.criteria import CATEGORIES

    prefix, _, category = key.partition(":")
    if preset is None or prefix not in ("best_response", "response_at_assessment"):
        return False
    if prefix == "response_at_assessment" and preset.response.assessment_week is None:
        return True
    return category in CATEGORIES[2:] and category not in preset.response.levels


def _summary_table(outcomes: pd.DataFrame, log: Log) -> ReportTable:
    from clears.outcomes import summarise

    summary = summarise(outcomes)
    summary["label"] = summary["criteria"] + "@" + summary["criteria_version"]
    undefined = [
        _undefined(str(key), log.presets.get(str(label)))
        for key, label in zip(summary["outcome"], summary["label"], strict=True)
    ]
    cells = summary.assign(
        cell=[
            "not defined"
            if skip
            else (f"{n}/{d} ({format_percent(int(n), int(d))} %)" if d else f"{n}/0")
            for n, d, skip in zip(summary["n"], summary["denominator"], undefined, strict=True)
        ],
        label=summary["label"].map(log.preset),
    )
    wide = cells.pivot_table(index="outcome", columns="label", values="cell", aggfunc="first")
    order = list(dict.fromkeys(summary["outcome"]))
    columns = list(dict.fromkeys(cells["label"]))
    wide = wide.reindex(index=order, columns=columns).fillna("not defined").reset_index()
    wide["outcome"] = wide["outcome"].map(outcome_label)
    wide = wide.rename(columns={"outcome": "Outcome"})
    wide.columns.name = None
    notes = (
        "n/denominator (%). Response categories use the evaluable patients as denominator; "
        "relapse uses the patients who reached the response level the criteria name for "
        "relapse; SLE flares use the patients with SLE and a new SLE diagnosis those with "
        "isolated CLE (no SLE at the first dose). An SLE flare needs SLE: a patient with "
        "isolated CLE who is later diagnosed with SLE counts as a new SLE diagnosis, not as "
        "a flare. SLE flares are the recorded flares and the SLEDAI rises the criteria's "
        "flare rule calls a flare (SELENA flare index, or the SLEDAI change the source "
        "defines), so they can exceed Table 2's recorded flares.",
        "Not defined: the criteria have no such response level, or no assessment week.",
    )
    return ReportTable("outcomes", "Outcomes under each set of criteria", wide, notes, "Outcomes")


def response_section(cohort: Cohort, outcomes: pd.DataFrame, log: Log) -> Section:
    """Best response per preset with exact and Wilson CIs, by subgroup; CR by SLE status."""
    from clears.analysis import fisher_exact, response_rates
    from clears.plots import subgroup_figure

    data = outcomes[outcomes["evaluable"]].merge(
        cohort.patients[["patient_id", "sle"]]
        if "sle" in cohort.patients
        else outcomes[["patient_id"]].drop_duplicates(),
        on="patient_id",
        how="left",
    )
    data["label"] = log.preset_column(data)
    by = [c for c in ("baseline_severity", "sle") if c in data and data[c].notna().any()]
    tables, figures = [_summary_table(outcomes, log)], []
    if data.empty:
        reasons = outcomes["not_evaluable_reason"].dropna().value_counts().sort_index()
        why = (
            ", ".join(f"{humanise(str(reason)).lower()} ({n})" for reason, n in reasons.items())
            or "none recorded"
        )
        return Section(
            "response",
            "Response",
            (
                "No patient is evaluable for response yet under any preset, so no response "
                f"proportions are shown. Reasons (patient x preset): {why}.",
            ),
            tuple(tables),
        )
    for name, success in (("complete or partial", _RESPONDERS), ("complete", ("complete",))):
        result = log.run(
            f"response ({name})",
            lambda s=success: response_rates(  # type: ignore[misc]
                data, outcome="best_response", success=list(s), by=by, criteria="label"
            ),
        )
        log.method("Response proportions", result.method)
        rates = result.table
        shown = pd.DataFrame(
            {
                "Criteria": rates["criteria"],
                "Subgroup": rates["subgroup"].map(subgroup_label),
                "Level": [
                    level_label(str(g), v)
                    for g, v in zip(rates["subgroup"], rates["level"], strict=True)
                ],
                "Responders/n": rates["responders"].astype(str) + "/" + rates["n"].astype(str),
                "%": rates["percent"],
                "95% CI exact, %": _cis(rates, "ci_low_exact", "ci_high_exact", 0, 100),
                "95% CI Wilson, %": _cis(rates, "ci_low_wilson", "ci_high_wilson", 0, 100),
            }
        )
        key = "response_any" if name != "complete" else "response_cr"
        sheet = "Complete response" if name == "complete" else "Complete or partial"
        tables.append(ReportTable(key, f"Best response: {name}", shown, (result.method,), sheet))
        if name != "complete":
            shown_rates = rates.assign(
                subgroup=[
                    g if g == "overall" else subgroup_label(str(g)) for g in rates["subgroup"]
                ],
                level=[
                    level_label(str(g), v)
                    for g, v in zip(rates["subgroup"], rates["level"], strict=True)
                ],
            )
            fig = subgroup_figure(
                dataclasses.replace(result, table=shown_rates),
                title="Best response: complete or partial, by subgroup",
            )
            figures.append(
                ReportFigure("subgroups", "Response by subgroup", result.method, _png(fig))
            )
    paragraphs: list[str] = []
    if "sle" in data and data["sle"].dropna().nunique() == 2:
        for label, part in data.groupby("label", sort=True):
            part = part[part["sle"].notna()]
            cr = part["best_response"] == "complete"
            sle = part["sle"].astype(bool)
            counts = [[int((cr & sle).sum()), int((~cr & sle).sum())],
                      [int((cr & ~sle).sum()), int((~cr & ~sle).sum())]]  # fmt: skip
            if (
                min(sum(r) for r in counts) == 0
                or min(counts[0][j] + counts[1][j] for j in range(2)) == 0
            ):
                continue
            res = log.run(f"CR by SLE ({label})", lambda c=counts: fisher_exact(c))  # type: ignore[misc]
            log.method("Group comparisons", res.method)
            log.method(
                "Group comparisons",
                "The odds ratio's interval is the exact conditional interval (Cornfield 1956), "
                "as R fisher.test reports it",
            )
            paragraphs.append(
                f"{label}: complete response in {counts[0][0]}/{sum(counts[0])} patients with "
                f"SLE and {counts[1][0]}/{sum(counts[1])} without; {_odds_ratio(res)}."
            )
    return Section("response", "Response", tuple(paragraphs), tuple(tables), tuple(figures))


def _odds_ratio(res: Any) -> str:
    """Fisher's test as R's ``fisher.test`` prints it: conditional MLE OR, exact CI, p.

    The odds ratio is of complete response with SLE against without (the first row of the
    2 x 2 table against the second); 0 and infinity are written as such (a zero cell).
    """

    def number(value: float) -> str:
        if math.isinf(value):
            return "infinity"
        return f"{value:.3g}"

    level = f"{res.confidence * 100:g}%"
    return (
        f"odds ratio of complete response with SLE vs without {number(res.estimate)} "
        f"(conditional maximum-likelihood estimate; {level} CI {number(res.ci_low)} to "
        f"{number(res.ci_high)}, exact), Fisher's exact test (two-sided) p = {res.p_value:.3g}"
    )


def timecourse_section(
    cohort: Cohort,
    outcomes: pd.DataFrame,
    log: Log,
    options: Mapping[str, Any] | None = None,
) -> Section:
    """CLASI-A and CLASI-D over time (figure and mean ± SEM table), at the plan's ``weeks``
    within ``window_weeks`` (default: :data:`clears.plots.DEFAULT_WEEKS`, ±2 weeks)."""
    from clears.plots import assign_timepoints, timecourse_summary, trajectories_figure
    from clears.plots.trajectories import DEFAULT_WEEKS, timecourse_method

    chosen = options or {}
    weeks = chosen.get("weeks", DEFAULT_WEEKS)
    window = float(chosen.get("window_weeks", 2.0))
    index = first_preset(outcomes)[["patient_id", "index_date"]]
    scores = [s for s in ("clasi_a", "clasi_d") if s in cohort.visits]
    method = timecourse_method(window)
    log.method("CLASI over time", method)
    assigned = assign_timepoints(
        cohort.visits, index, weeks=weeks, window_weeks=window, scores=scores
    )
    summary = timecourse_summary(assigned)
    shown = pd.DataFrame(
        {
            "Score": summary["score"].map({"clasi_a": "CLASI-A", "clasi_d": "CLASI-D"}),
            "Week": summary["week"].map(lambda w: f"{w:g}"),
            "n": summary["n"].astype(str),
            "Mean": summary["mean"].map(_num),
            "SD": summary["sd"].map(_num),
            "SEM": summary["sem"].map(_num),
        }
    )
    fig = trajectories_figure(
        cohort.visits, index, weeks=weeks, window_weeks=window, assigned=assigned
    )
    return Section(
        "timecourse",
        "CLASI over time",
        (),
        (ReportTable("clasi_time", "CLASI at nominal weeks", shown, (method,), "CLASI over time"),),
        (ReportFigure("trajectories", "CLASI-A and CLASI-D over time", method, _png(fig)),),
    )


def time_to_event_section(cohort: Cohort, outcomes: pd.DataFrame, log: Log) -> Section:
    """Kaplan–Meier time to complete response per preset; time to relapse; medians."""
    from clears.analysis import kaplan_meier
    from clears.plots import km_figure

    data = outcomes.assign(label=log.preset_column(outcomes))
    specs = [
        ("complete", data.dropna(subset=["time_to_complete_days"]), "time_to_complete_days",
         "complete_event", "Time to complete response", True),
        ("relapse", data[data["relapse_at_risk"].fillna(False).astype(bool)].dropna(
            subset=["time_to_relapse_days", "relapse"]), "time_to_relapse_days", "relapse",
         "Time to relapse (from withdrawal, dose reduction or response)", False),
    ]  # fmt: skip
    medians, figures = [], []
    for key, part, duration, event, title, cumulative in specs:
        if part.empty:
            continue
        frame = part.assign(**{event: part[event].astype(bool).astype(int)})
        km = log.run(
            title, lambda f=frame, d=duration, e=event: kaplan_meier(  # type: ignore[misc]
                f, duration=d, event=e, group="label")
        )  # fmt: skip
        log.method("Time to event", km.method)
        fig = km_figure(km, cumulative=cumulative, title=title, xlabel=_KM_AXES[key])
        figures.append(ReportFigure(f"km_{key}", title, km.method, _png(fig)))
        for row in km.medians.to_dict("records"):
            medians.append(
                {
                    "Outcome": title,
                    "Criteria": str(row["group"]),
                    "n": str(row["n"]),
                    "Events": str(row["events"]),
                    "Median, days": _median(row["median"], int(row["events"])),
                    "95% CI, days": _median_ci(row["ci_low"], row["ci_high"]),
                }
            )
    tables = (
        (ReportTable("medians", "Median times (Kaplan–Meier)", pd.DataFrame(medians),
                     tuple(log.methods.get("Time to event", [])), "Median times"),)
        if medians else ()
    )  # fmt: skip
    return Section("time_to_event", "Time to response and relapse", (), tables, tuple(figures))


def swimmer_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, *, max_patients: int = 60
) -> Section:
    """Swimmer plot under the first preset, at most ``max_patients`` lanes."""
    from clears.plots import swimmer_data, swimmer_figure

    rows = first_preset(outcomes)
    span = (rows["follow_up_end"] - rows["index_date"]).dt.days
    kept = rows.assign(span=span).sort_values(["span", "patient_id"], ascending=[False, True])
    kept = kept.head(max_patients)
    data = swimmer_data(cohort, outcomes[outcomes["patient_id"].isin(kept["patient_id"])])
    caption = (
        f"Dose periods coloured by dose; first partial and complete response and relapse "
        f"under the {log.preset(str(data.criteria))}; adverse events by CTCAE grade; "
        "arrows: treatment ongoing."
    )
    if len(rows) > max_patients:
        caption += f" The {max_patients} patients with the longest follow-up of {len(rows)}."
    log.method("Swimmer plot", caption)
    fig = swimmer_figure(
        data, title=f"Treatment courses and outcomes ({log.preset(str(data.criteria))})"
    )
    return Section(
        "swimmer", "Treatment courses", (),
        figures=(ReportFigure("swimmer", "Treatment courses", caption, _png(fig)),),
    )  # fmt: skip
