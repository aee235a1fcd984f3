"""Calibration report: published figures against a large simulated cohort.

A large cohort is simulated under a preset and run through the outcome engine
(:func:`clears.outcomes.derive`, with the preset's own criteria). For every published
figure, the simulated 95 % interval is the 2.5-97.5 % range of the same statistic over
``n_boot`` simulated studies of the *published* size, resampled from the simulated
patients: a prediction interval for what the study would report if the model were true.
A published figure outside its interval flags a miscalibrated parameter.

Known contradictions between and within the papers (docs/reference/published-figures.md) are
listed in :data:`CONTRADICTIONS` and printed with the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears.simulate.presets import SimulationPreset, get_preset

__all__ = [
    "CONTRADICTIONS",
    "TARGETS",
    "ResponseSampler",
    "Target",
    "calibrate",
    "response_sampler",
]

Frame = pd.DataFrame
Stat = Callable[[Frame], "tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]"]


@dataclass(frozen=True)
class Target:
    """One published figure: what it is, its value, the denominator and where it is printed."""

    name: str
    published: float
    n: int
    kind: str  # "proportion" over the rows ``select`` picks, "median" of ``value``, "rate"
    select: str
    value: str
    source: str


def _t(name: str, num: float, n: int, kind: str, select: str, value: str, src: str) -> Target:
    return Target(name, num, n, kind, select, value, src)


_A: Final = "Aitmehdi 2021, doi:10.1016/j.jaad.2020.11.014"
_C: Final = "Cortés-Hernández 2012, doi:10.1186/ar4111"
_RESP = "best_response"
#: Published figures per preset. ``select``: which patients form the denominator;
#: ``value``: the column (a boolean for proportions, a number for medians and rates).
TARGETS: Final[dict[str, tuple[Target, ...]]] = {
    "aitmehdi2021": (
        _t(
            "minimal response or better",
            39 / 40,
            40,
            "proportion",
            "all",
            "minimal+",
            _A + ", text",
        ),
        _t(
            "partial response or better",
            35 / 40,
            40,
            "proportion",
            "all",
            "partial+",
            _A + ", text",
        ),
        _t(
            "complete response", 17 / 40, 40, "proportion", "all", "complete", _A + ", text (17/40)"
        ),
        _t(
            "CR, mild or moderate",
            17 / 33,
            33,
            "proportion",
            "mild|moderate",
            "complete",
            _A + ", text",
        ),
        _t("CR, severe", 0 / 7, 7, "proportion", "severe", "complete", _A + ", text"),
        _t("PR or better, mild", 10 / 12, 12, "proportion", "mild", "partial+", _A + ", text"),
        _t(
            "PR or better, moderate",
            19 / 21,
            21,
            "proportion",
            "moderate",
            "partial+",
            _A + ", text",
        ),
        _t("PR or better, severe", 6 / 7, 7, "proportion", "severe", "partial+", _A + ", text"),
        _t("relapse or worsening", 21 / 39, 39, "proportion", "at_risk", "relapse", _A + ", text"),
        _t(
            "sustained dose reduction", 22 / 40, 40, "proportion", "all", "sustained", _A + ", text"
        ),
        _t(
            "stopped in CR without relapse",
            3 / 40,
            40,
            "proportion",
            "all",
            "stopped_cr",
            _A + ", text",
        ),
        _t(
            "time to PR, median days",
            91.0,
            35,
            "median",
            "partial_event",
            "time_to_partial_days",
            _A + ", text: 3 months",
        ),
        _t(
            "minimum effective dose, median mg/day",
            2.5,
            22,
            "median",
            "has_med",
            "min_effective_dose_mg_per_day",
            _A + ", text",
        ),
        _t(
            "permanent discontinuation for AE",
            4 / 40,
            40,
            "proportion",
            "all",
            "ae_stop",
            _A + ", text",
        ),
        _t("SLE flare among SLE", 8 / 26, 26, "proportion", "sle", "sle_flare", _A + ", Table 2"),
        _t(
            "arterial events per patient-year",
            3 / 93,
            40,
            "rate",
            "all",
            "Arterial thromboembolism",
            _A + ", Table 2 / 93 PY",
        ),
        _t(
            "asthenia per patient-year",
            9 / 93,
            40,
            "rate",
            "all",
            "Fatigue",
            _A + ", Table 2 / 93 PY",
        ),
        _t(
            "neutropenia per patient-year",
            3 / 93,
            40,
            "rate",
            "all",
            "Neutrophil count decreased",
            _A + ", Table 2 / 93 PY",
        ),
    ),
    "cortes2012": (
        _t(
            "complete response",
            12 / 14,
            14,
            "proportion",
            "evaluable",
            "complete",
            _C + ", Results",
        ),
        _t(
            "partial response or better",
            14 / 14,
            14,
            "proportion",
            "evaluable",
            "partial+",
            _C + ", Results",
        ),
        _t("relapse after CR", 9 / 12, 12, "proportion", "at_risk", "relapse", _C + ", Results"),
        _t(
            "time to CR (DLE/SCLE), median days",
            42.0,
            10,
            "median",
            "cr_not_lep",
            "time_to_complete_days",
            _C + ", Results: 6 weeks",
        ),
        _t("AE discontinuation", 1 / 15, 15, "proportion", "all", "ae_stop", _C + ", Results"),
        _t(
            "stopped in CR without relapse",
            2 / 14,
            14,
            "proportion",
            "evaluable",
            "stopped_cr",
            _C + ", Results: only two patients obtained a sustained remission after withdrawing",
        ),
    ),
}

#: Where the papers contradict each other or themselves (docs/reference/published-figures.md).
CONTRADICTIONS: Final = (
    "Aitmehdi 2021 prints CR as '17/35 (43 %)'; 43 % is 17/40 "
    "(docs/reference/published-figures.md, A6). "
    "The target uses 17/40.",
    "Aitmehdi 2021 Table 1 prints oral glucocorticoids '13 (30)'; 13/40 is 32.5 % (A7).",
    "Aitmehdi smokers: HR 3.17 with a *lower* CR rate; the HR direction is ambiguous (A3). The "
    "preset halves the CR probability of current smokers.",
    "Cortés-Hernández 2012: 6 vs 7 SLE patients (C4); mean vs median follow-up (C5).",
    "CR rates differ between the series: 86 % (Cortés, trial, taper protocol, CLASI-A 11) vs "
    "43 % (Aitmehdi, retrospective, 88 % thalidomide failures, 17 % severe); each preset is "
    "calibrated to its own paper.",
    "Relapse: Cortés counts relapse after CR on taper/withdrawal (9/12); Aitmehdi counts relapse "
    "or worsening after any response (21/39); the figures are not comparable.",
)


def _columns(outcomes: Frame, cohort: Any) -> Frame:
    o = outcomes.reset_index(drop=True)
    best = o[_RESP].astype(str)
    ae = cohort.adverse_events
    counts = {
        term: o["patient_id"].map(ae.loc[ae["term"] == term, "patient_id"].value_counts())
        .fillna(0).to_numpy()
        for term in ae["term"].unique()
    }  # fmt: skip
    sle = cohort.patients.set_index("patient_id")["sle"]
    subtypes = cohort.patients.set_index("patient_id")["cle_subtypes"].astype(str)
    med = o["min_effective_dose_mg_per_day"].astype(float)
    data = {
        "all": np.ones(len(o), dtype=bool),
        "evaluable": o["evaluable"].astype(bool).to_numpy(),
        "minimal+": best.isin(["minimal", "partial", "complete"]).to_numpy(),
        "partial+": best.isin(["partial", "complete"]).to_numpy(),
        "complete": (best == "complete").to_numpy(),
        "mild|moderate": o["baseline_severity"].isin(["mild", "moderate"]).to_numpy(),
        "at_risk": o["relapse_at_risk"].fillna(False).astype(bool).to_numpy(),
        "relapse": o["relapse"].fillna(False).astype(bool).to_numpy(),
        "sustained": o["sustained_dose_reduction"].fillna(False).astype(bool).to_numpy(),
        "stopped_cr": o["stopped_in_cr_without_relapse"].fillna(False).astype(bool).to_numpy(),
        "partial_event": o["partial_event"].fillna(False).astype(bool).to_numpy(),
        "has_med": med.notna().to_numpy(),
        "ae_stop": (o["discontinuation_reason"].astype(str) == "adverse_event").to_numpy(),
        "sle": o["patient_id"].map(sle).astype(bool).to_numpy(),
        "sle_flare": o["sle_flare"].fillna(False).astype(bool).to_numpy(),
        "cr_not_lep": ((best == "complete") & ~o["patient_id"].map(subtypes).str.contains("LEP"))
        .to_numpy(),
        "exposure": o["exposure_patient_years"].astype(float).to_numpy(),
    }  # fmt: skip
    for band in ("mild", "moderate", "severe"):
        data[band] = (o["baseline_severity"] == band).to_numpy()
    for col in ("time_to_partial_days", "time_to_complete_days", "min_effective_dose_mg_per_day"):
        data[col] = o[col].astype(float).to_numpy()
    return pd.DataFrame(data | counts)


def _interval(t: Target, cols: Frame, rng: np.random.Generator, n_boot: int) -> tuple[float, ...]:
    pool = cols.loc[cols[t.select].astype(bool)]
    if pool.empty or (t.value not in pool and t.kind == "rate"):
        return (0.0, 0.0, 0.0) if t.kind == "rate" else (np.nan, np.nan, np.nan)
    pick = rng.integers(0, len(pool), size=(n_boot, t.n))
    values = pool[t.value].to_numpy(dtype=float)
    if t.kind == "proportion":
        stat = values[pick].mean(axis=1)
        point = values.mean()
    elif t.kind == "median":
        stat = np.median(values[pick], axis=1)
        point = float(np.median(values))
    else:
        exposure = pool["exposure"].to_numpy(dtype=float)
        stat = values[pick].sum(axis=1) / exposure[pick].sum(axis=1)
        point = values.sum() / exposure.sum()
    lo, hi = np.percentile(stat, [2.5, 97.5])
    return float(point), float(lo), float(hi)


def calibrate(
    preset: str | SimulationPreset,
    *,
    n: int = 2000,
    rng: np.random.Generator,
    n_boot: int = 2000,
) -> pd.DataFrame:
    """Published vs simulated figures for a preset, with the simulated 95 % interval.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: ``figure``, ``published``, ``n_published``,
        ``simulated`` (over the whole simulated cohort), ``low``/``high`` (95 % interval of
        the statistic in simulated studies of the published size), ``inside``, ``source``,
        ``method``. ``attrs["contradictions"]`` lists the known contradictions.
    """
    from clears.outcomes import derive
    from clears.simulate.generate import simulate

    p = preset if isinstance(preset, SimulationPreset) else get_preset(preset)
    cohort = simulate(p, n, rng)
    outcomes = derive(cohort, criteria=[p.params["criteria"]])
    cols = _columns(outcomes, cohort)
    rows = []
    for t in TARGETS[p.name]:
        point, lo, hi = _interval(t, cols, rng, n_boot)
        rows.append(
            {
                "figure": t.name,
                "published": t.published,
                "n_published": t.n,
                "simulated": point,
                "low": lo,
                "high": hi,
                "inside": bool(lo - 1e-12 <= t.published <= hi + 1e-12),
                "source": t.source,
            }
        )
    frame = pd.DataFrame(rows).assign(
        method=f"{n} simulated patients, outcomes by clears.outcomes.derive "
        f"(criteria {p.params['criteria']}); 95 % interval over {n_boot} resampled studies "
        "of the published size"
    )
    frame.attrs["contradictions"] = list(CONTRADICTIONS)
    return frame


@dataclass(frozen=True)
class ResponseSampler:
    """Complete response (CLASI-A 0) reached by ``week``, for ``n`` simulated patients.

    Calling ``sampler(n, rng)`` runs the vectorised baseline and disease model only (no
    dose history), so that power simulations of thousands of trials stay fast. Relapse
    before ``week`` is ignored. ``label`` names the preset and the endpoint.
    """

    preset: SimulationPreset
    week: int

    @property
    def label(self) -> str:
        """What the sampler draws, e.g. ``"cortes2012 CR by week 12"``."""
        return f"{self.preset.name} CR by week {self.week}"

    def __call__(self, n: int, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
        """The endpoint of ``n`` new simulated patients (True: complete response)."""
        from clears.simulate.baseline import draw_baseline
        from clears.simulate.disease import COMPLETE, draw_course

        base = draw_baseline(self.preset, n, rng)
        c = draw_course(self.preset, base.clasi_a0, base.band, base.subtypes, base.smoker, rng)
        hit: npt.NDArray[np.bool_] = (c.category == COMPLETE) & (c.plateau_day <= 7 * self.week)
        return hit


def response_sampler(preset: str | SimulationPreset, week: int) -> ResponseSampler:
    """A sampler ``(n, rng) -> bool`` of complete response (CLASI-A 0) reached by ``week``.

    Examples
    --------
    >>> import numpy as np
    >>> sampler = response_sampler("cortes2012", 12)
    >>> sampler.label, sampler(5, np.random.default_rng(0)).shape
    ('cortes2012 CR by week 12', (5,))
    """
    p = preset if isinstance(preset, SimulationPreset) else get_preset(preset)
    return ResponseSampler(p, week)
