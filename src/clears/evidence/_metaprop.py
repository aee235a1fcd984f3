"""Meta-analysis of single proportions: ``metaprop`` and ``leave_one_out``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clears._exceptions import ConvergenceError, InputError, Problem, StatisticalWarning
from clears.evidence._glmm import fit_glmm, glmm_heterogeneity
from clears.evidence._result import MetaPropResult, SubgroupTest
from clears.evidence._rma import heterogeneity, pool
from clears.evidence._tau2 import Tau2Method
from clears.evidence._transforms import (
    Correction,
    Measure,
    back_transform,
    harmonic_mean,
    transform,
)
from clears.evidence._validate import validate_counts

__all__ = ["FT_WARNING", "Q_TESTS", "Method", "leave_one_out", "metaprop"]

FT_WARNING = (
    "Freeman-Tukey double arcsine results are back-transformed with the harmonic mean of "
    "the sample sizes (Miller 1978); with unequal sample sizes this can be seriously "
    "misleading and the back-transformed estimate can fall outside the study range "
    "(Schwarzer et al. 2019, Res Synth Methods 10:476-483, doi:10.1002/jrsm.1348). "
    "Prefer measure PLO with method GLMM."
)

Q_TESTS = {
    False: "Cochran's Q on the pooling scale (metafor rma QE)",
    True: "Wald-type and likelihood-ratio tests of the logistic model (metafor rma.glmm "
    "QE.Wld, QE.LRT)",
}

I2_DEFINITION = (
    "I2 = 100 tau2/(tau2 + s2), s2 the typical within-study variance "
    "(k-1) sum(w)/((sum w)^2 - sum(w^2)) (Higgins & Thompson 2002; metafor); "
    "equal-effects model: 100 max(0, Q-(k-1))/Q"
)


class Method(StrEnum):
    """How the studies are pooled: an inverse-variance τ² estimator or the GLMM."""

    EE = "EE"
    DL = "DL"
    PM = "PM"
    ML = "ML"
    REML = "REML"
    GLMM = "GLMM"


@dataclass(frozen=True, slots=True)
class _Group:
    row: dict[str, Any]
    weights: np.ndarray[Any, np.dtype[np.float64]] | None
    method: Method
    note: str | None


def _clopper_pearson(x: int, n: int, confidence: float) -> tuple[float, float]:
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def _fit(
    events: np.ndarray[Any, np.dtype[np.float64]],
    n: np.ndarray[Any, np.dtype[np.float64]],
    yi: np.ndarray[Any, np.dtype[np.float64]],
    vi: np.ndarray[Any, np.dtype[np.float64]],
    method: Method,
    confidence: float,
    nodes: int,
) -> tuple[dict[str, float], np.ndarray[Any, np.dtype[np.float64]] | None]:
    if method is Method.GLMM:
        g = fit_glmm(events, n, nodes=nodes)
        crit = float(stats.norm.ppf(0.5 + confidence / 2))
        half_pi = crit * float(np.sqrt(g.se**2 + g.tau2))
        het = heterogeneity(yi, vi, g.tau2, random=True)
        fit = {
            "estimate_t": g.estimate,
            "se_t": g.se,
            "z": g.estimate / g.se,
            "ci_low_t": g.estimate - crit * g.se,
            "ci_high_t": g.estimate + crit * g.se,
            "pi_low_t": g.estimate - half_pi,
            "pi_high_t": g.estimate + half_pi,
            "tau2": g.tau2,
        }
        weights = None
    else:
        p = pool(yi, vi, Tau2Method(method.value), confidence=confidence)
        het = p.heterogeneity
        fit = {
            "estimate_t": p.estimate,
            "se_t": p.se,
            "z": p.z,
            "ci_low_t": p.ci_low,
            "ci_high_t": p.ci_high,
            "pi_low_t": p.pi_low,
            "pi_high_t": p.pi_high,
            "tau2": p.tau2,
        }
        weights = p.weights
    fit["p_value"] = float(2 * stats.norm.sf(abs(fit["z"])))
    fit.update({"i2": het.i2, "h2": het.h2, "q": het.q, "q_df": het.q_df, "q_p": het.q_p})
    fit.update({"q_lrt": float("nan"), "q_lrt_p": float("nan")})
    if method is Method.GLMM:
        # rma.glmm(measure="PLO") tests heterogeneity with the logistic model itself
        # (QE.Wld and QE.LRT), not with a Q on continuity-corrected logits.
        tests = glmm_heterogeneity(events, n)
        if tests is None:
            fit.update({"q": float("nan"), "q_df": 0, "q_p": float("nan")})
        else:
            fit.update({"q": tests.wald, "q_df": tests.df, "q_p": tests.wald_p})
            fit.update({"q_lrt": tests.lrt, "q_lrt_p": tests.lrt_p})
    return fit, weights


def _pool_group(
    frame: pd.DataFrame,
    label: str,
    measure: Measure,
    method: Method,
    fallback: Method | None,
    confidence: float,
    add: float,
    to: Correction,
    nodes: int,
) -> _Group:
    events = frame["events"].to_numpy(dtype=float)
    n = frame["n"].to_numpy(dtype=float)
    t = transform(events, n, Measure.PLO if method is Method.GLMM else measure, add=add, to=to)
    used, note = method, None
    try:
        fit, weights = _fit(events, n, t.yi, t.vi, method, confidence, nodes)
    except ConvergenceError as exc:
        if fallback is None:
            raise ConvergenceError(
                f"{label}: {exc}. Re-run with fallback=... (CLI --fallback) to use another "
                "estimator, or choose another method."
            ) from exc
        used = fallback
        note = f"{label}: {method.value} did not converge ({exc}); fell back to {fallback.value}"
        warnings.warn(note, StatisticalWarning, stacklevel=4)
        t = transform(events, n, Measure.PLO if used is Method.GLMM else measure, add=add, to=to)
        fit, weights = _fit(events, n, t.yi, t.vi, used, confidence, nodes)
    scale = Measure.PLO if used is Method.GLMM else measure
    nh = harmonic_mean(n)
    back = {
        key: float(back_transform([fit[f"{key}_t"]], scale, n_harmonic=nh)[0])
        for key in ("ci_low", "ci_high", "pi_low", "pi_high")
    }
    row = {
        "group": label,
        "k": len(frame),
        "events": int(events.sum()),
        "n": int(n.sum()),
        "estimate": float(back_transform([fit["estimate_t"]], scale, n_harmonic=nh)[0]),
        **back,
        **fit,
        "method": used.value,
        "q_test": Q_TESTS[used is Method.GLMM],
    }
    if len(frame) < 2:
        single = f"{label}: one study, so no test of heterogeneity and no tau2 to estimate"
        note = single if note is None else f"{note}; {single}"
    return _Group(row=row, weights=weights, method=used, note=note)


def _parse(value: Any, enum: type[StrEnum], field: str) -> Any:
    try:
        return enum(str(value).upper() if enum is not Correction else str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InputError(Problem(field, value, "unknown option", allowed)) from None


def metaprop(
    data: pd.DataFrame,
    *,
    measure: Measure | str = Measure.PLO,
    method: Method | str = Method.REML,
    subgroup: str | None = None,
    study: str = "study",
    events: str = "events",
    n: str = "n",
    add: float = 0.5,
    to: Correction | str = Correction.only0,
    confidence: float = 0.95,
    fallback: Method | str | None = None,
    glmm_nodes: int = 7,
    file: str | None = None,
) -> MetaPropResult:
    """Pool single proportions (e.g. response rates) across studies.

    Parameters
    ----------
    data
        One row per study with a label, an event count and a sample size (the table is
        not modified).
    measure
        Pooling scale: ``PLO`` (logit, default), ``PFT`` (Freeman–Tukey double arcsine),
        ``PR`` (raw) or ``PLN`` (log). Ignored by ``GLMM`` (always logit).
    method
        ``REML`` (default), ``DL``, ``PM``, ``ML``, ``EE`` (common effect) or ``GLMM``
        (binomial–normal model, exact likelihood, no continuity correction).
    subgroup
        Optional column; each subgroup is pooled separately (own τ²) and a test for
        subgroup differences is reported.
    study, events, n
        Column names.
    add, to
        Continuity correction, from 0 to 1 (default 0.5 to studies with 0 or n events;
        see :class:`~clears.evidence.Correction`).
    confidence
        Confidence level, 0 < confidence < 1.
    fallback
        Estimator to use when ``method`` does not converge; by default a non-converging
        estimator raises :class:`~clears.ConvergenceError`.
    glmm_nodes
        Adaptive Gauss–Hermite nodes per study for the GLMM.
    file
        Name of the source file, quoted in error messages.

    Returns
    -------
    MetaPropResult

    Warns
    -----
    StatisticalWarning
        For ``PFT`` (harmonic-mean back-transformation; Schwarzer et al. 2019), when a
        continuity correction was applied, for fewer than 2 studies, and on fallback.

    References
    ----------
    Schwarzer G, Chemaitelly H, Abu-Raddad LJ, Rücker G (2019). Seriously misleading
    results using inverse of Freeman-Tukey double arcsine transformation in meta-analysis
    of single proportions. Res Synth Methods 10:476-483. doi:10.1002/jrsm.1348

    Examples
    --------
    >>> df = pd.DataFrame({"study": ["a", "b", "c"], "events": [12, 5, 17], "n": [14, 9, 40]})
    >>> res = metaprop(df, measure="PLO", method="DL")
    >>> round(res.overall["estimate"], 3), res.method
    (0.604, 'DL')
    """
    meas = _parse(measure, Measure, "measure")
    meth = _parse(method, Method, "method")
    corr = _parse(to, Correction, "to")
    fb = None if fallback is None else _parse(fallback, Method, "fallback")
    problems = []
    if not 0 < confidence < 1:
        problems.append(Problem("confidence", confidence, "out of range", "0 < confidence < 1"))
    if not 0 <= add <= 1:
        # Conventional corrections are 0.5 (or 1); larger ones overflowed the transforms.
        problems.append(Problem("add", add, "out of range", "a number from 0 to 1 (usually 0.5)"))
    if glmm_nodes < 1:
        problems.append(Problem("glmm_nodes", glmm_nodes, "too few nodes", "integer ≥ 1"))
    if problems:
        raise InputError(problems)
    groups = (subgroup,) if subgroup else ()
    clean = validate_counts(data, study=study, events=events, n=n, groups=groups, file=file)
    scale = Measure.PLO if meth is Method.GLMM else meas
    notes: list[str] = []
    if scale is Measure.PFT:
        warnings.warn(FT_WARNING, StatisticalWarning, stacklevel=2)
        notes.append(FT_WARNING)
    t = transform(clean["events"], clean["n"], scale, add=add, to=corr)
    if meth is not Method.GLMM and t.corrected.any():
        names = ", ".join(clean.loc[t.corrected, "study"])
        msg = f"continuity correction {add} added to {names} (0 or all events; to={corr.value})"
        warnings.warn(msg, StatisticalWarning, stacklevel=2)
        notes.append(msg)
    bad = ~np.isfinite(t.vi)
    if meth is not Method.GLMM and bad.any():
        raise InputError(
            [
                Problem(
                    events,
                    int(clean["events"].iloc[int(i)]),
                    "undefined on this scale without a continuity correction",
                    "to=only0, or method GLMM",
                    file,
                    int(i) + 1,
                )
                for i in np.flatnonzero(bad)
            ]
        )
    if len(clean) < 2:
        warnings.warn("a single study: nothing is pooled", StatisticalWarning, stacklevel=2)
    args = (scale, meth, fb, confidence, add, corr, glmm_nodes)
    overall = _pool_group(clean, "overall", *args)
    rows = [overall.row]
    studies = clean.copy()
    studies["weight"] = overall.weights if overall.weights is not None else np.nan
    sub_test = None
    if subgroup:
        fitted = []
        for value, part in clean.groupby(subgroup, sort=False):
            g = _pool_group(part, str(value), *args)
            fitted.append(g)
            rows.append(g.row)
            if g.weights is not None:
                studies.loc[part.index, "weight_in_subgroup"] = g.weights
        theta = np.array([g.row["estimate_t"] for g in fitted])
        se = np.array([g.row["se_t"] for g in fitted])
        if len(fitted) >= 2:
            w = 1 / se**2
            qb = float(np.sum(w * (theta - np.sum(w * theta) / np.sum(w)) ** 2))
            df = len(fitted) - 1
            sub_test = SubgroupTest(subgroup, qb, df, float(stats.chi2.sf(qb, df)))
        notes.extend(g.note for g in fitted if g.note)
    if overall.note:
        notes.append(overall.note)
    pairs = zip(clean["events"], clean["n"], strict=True)
    cis = [_clopper_pearson(int(x), int(m), confidence) for x, m in pairs]
    studies.insert(3, "proportion", clean["events"] / clean["n"])
    studies.insert(4, "ci_low", [c[0] for c in cis])
    studies.insert(5, "ci_high", [c[1] for c in cis])
    studies.insert(6, "yi", t.yi)
    studies.insert(7, "vi", t.vi)
    studies.insert(8, "corrected", t.corrected)
    summary = pd.DataFrame(rows)
    return MetaPropResult(
        summary=summary,
        studies=studies.reset_index(drop=True),
        measure=scale.value,
        method=overall.method.value,
        method_requested=meth.value,
        confidence=confidence,
        subgroup=subgroup,
        subgroup_test=sub_test,
        notes=tuple(notes),
        settings={
            "add": add,
            "to": corr.value,
            "fallback": None if fb is None else fb.value,
            "glmm_nodes": glmm_nodes,
            "ci_test": "z (normal quantiles)",
            "prediction_interval": "estimate +/- z sqrt(se^2 + tau2) (metafor predict)",
            "i2_definition": I2_DEFINITION,
            "back_transformation": {
                "PLO": "inverse logit",
                "PLN": "exp",
                "PR": "identity (truncated to [0, 1])",
                "PFT": "Miller (1978) inverse at the harmonic mean n",
            }[scale.value],
        },
    )


def leave_one_out(data: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """Re-run :func:`metaprop` leaving out each study in turn (overall pooling only).

    Takes the same keyword arguments as :func:`metaprop` (``subgroup`` is ignored).
    Returns one row per omitted study: ``omitted``, ``k``, ``estimate``, ``ci_low``,
    ``ci_high``, ``pi_low``, ``pi_high``, ``tau2``, ``i2``, ``q``, ``q_p``, ``method``.
    Warnings raised by the refits are the caller's to handle.

    >>> df = pd.DataFrame({"study": ["a", "b", "c"], "events": [12, 5, 17], "n": [14, 9, 40]})
    >>> leave_one_out(df, method="DL")["omitted"].tolist()
    ['a', 'b', 'c']
    """
    kwargs.pop("subgroup", None)
    label = kwargs.get("study", "study")
    rows = []
    for position in range(len(data)):
        part = data.drop(index=data.index[position])
        res = metaprop(part, **kwargs)
        o = res.overall
        rows.append(
            {
                "omitted": str(data.iloc[position][label]),
                **{
                    k: o[k]
                    for k in (
                        "k",
                        "estimate",
                        "ci_low",
                        "ci_high",
                        "pi_low",
                        "pi_high",
                        "tau2",
                        "i2",
                        "q",
                        "q_p",
                        "method",
                    )
                },
            }
        )
    return pd.DataFrame(rows)
