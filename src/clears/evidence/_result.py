"""The result of a meta-analysis of proportions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clears._cells import plain_value

__all__ = ["MetaPropResult", "SubgroupTest"]


def _clean(value: Any) -> Any:
    """A cell as JSON: :func:`plain_value`, and ``None`` for an infinite number too."""
    value = plain_value(value)
    return None if isinstance(value, float) and math.isinf(value) else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _q_text(row: Any) -> str:
    """The heterogeneity test(s) of one summary row, as metafor names them."""
    if int(row["q_df"]) < 1 or pd.isna(row["q"]):
        return "no heterogeneity test (one study)"
    if "q_lrt" in row and not pd.isna(row["q_lrt"]):
        return (
            f"Wald-type QE={row['q']:.2f} (df={row['q_df']}, p={row['q_p']:.3g}), "
            f"LRT QE={row['q_lrt']:.2f} (df={row['q_df']}, p={row['q_lrt_p']:.3g})"
        )
    return f"Q={row['q']:.2f} (df={row['q_df']}, p={row['q_p']:.3g})"


@dataclass(frozen=True, slots=True)
class SubgroupTest:
    """Test for subgroup differences: Q between subgroups on G − 1 df.

    ``Q_b = Σ_g (θ̂_g − θ̄)² / SE_g²`` with θ̄ the inverse-variance mean of the subgroup
    estimates θ̂_g, each from its own model with its own τ² (the default of
    ``meta::metaprop(subgroup=)`` and of fitting ``metafor::rma`` per subgroup, then
    ``rma(method="EE")`` on the estimates).
    """

    variable: str
    q: float
    df: int
    p_value: float


@dataclass(frozen=True, slots=True)
class MetaPropResult:
    """A pooled proportion with heterogeneity, per-study rows and subgroup results.

    Attributes
    ----------
    summary
        One row per pooled set: ``group`` ("overall" or the subgroup value), ``k``,
        ``events``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``pi_low``,
        ``pi_high`` (proportions), ``estimate_t``, ``se_t`` (pooling scale), ``z``, ``p_value``,
        ``tau2``, ``i2`` (percent), ``h2``, ``q``, ``q_df``, ``q_p``, ``method``, ``q_test``.
        For the GLMM, ``q``/``q_p`` are metafor's Wald-type test ``QE.Wld`` and
        ``q_lrt``/``q_lrt_p`` its likelihood-ratio test ``QE.LRT`` (blank for other
        methods); with one study there is no test (``q`` blank, ``q_df`` 0).
    studies
        One row per study: ``study``, ``events``, ``n``, ``proportion``, ``ci_low``,
        ``ci_high`` (Clopper–Pearson), ``yi``, ``vi`` (pooling scale), ``corrected``
        (continuity correction applied), ``weight`` (percent of its own pooled set; blank
        for the GLMM, which has no study weights), plus the subgroup column if any.
    measure, method
        The transformation and the estimator actually used (after any fallback).
    method_requested
        The estimator asked for.
    notes
        Plain-language caveats (continuity corrections, fallbacks, back-transformation).
    """

    summary: pd.DataFrame
    studies: pd.DataFrame
    measure: str
    method: str
    method_requested: str
    confidence: float
    subgroup: str | None = None
    subgroup_test: SubgroupTest | None = None
    notes: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> dict[str, Any]:
        """The overall row of :attr:`summary` as a mapping."""
        row = self.summary.loc[self.summary["group"] == "overall"].iloc[0]
        return {str(k): _clean(v) for k, v in row.items()}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (overall figures at the top level)."""
        overall = self.overall
        out: dict[str, Any] = {
            key: overall[key]
            for key in (
                "estimate",
                "ci_low",
                "ci_high",
                "pi_low",
                "pi_high",
                "tau2",
                "i2",
                "h2",
                "q",
                "q_df",
                "q_p",
                "q_lrt",
                "q_lrt_p",
                "q_test",
                "k",
                "events",
                "n",
                "estimate_t",
                "se_t",
                "z",
                "p_value",
            )
        }
        out.update(
            {
                "measure": self.measure,
                "method": self.method,
                "method_requested": self.method_requested,
                "confidence": self.confidence,
                "study_ci_method": "Clopper-Pearson (exact)",
                "i2_definition": self.settings.get("i2_definition"),
                "settings": self.settings,
                "subgroup": self.subgroup,
                "subgroups": _records(self.summary.loc[self.summary["group"] != "overall"]),
                "subgroup_test": None
                if self.subgroup_test is None
                else {
                    "variable": self.subgroup_test.variable,
                    "q": _clean(self.subgroup_test.q),
                    "df": self.subgroup_test.df,
                    "p_value": _clean(self.subgroup_test.p_value),
                },
                "studies": _records(self.studies),
                "notes": list(self.notes),
            }
        )
        return out

    def to_text(self) -> str:
        """Return a short human-readable report."""
        pct = f"{round(self.confidence * 100)}%"
        lines = [f"Meta-analysis of proportions ({self.measure}, {self.method})"]
        for _, row in self.summary.iterrows():
            lines.append(
                f"  {row['group']}: k={row['k']}, {row['estimate']:.3f} "
                f"[{pct} CI {row['ci_low']:.3f}, {row['ci_high']:.3f}], "
                f"PI {row['pi_low']:.3f}-{row['pi_high']:.3f}, tau2={row['tau2']:.4f}, "
                f"I2={row['i2']:.1f}%, {_q_text(row)}"
            )
        if self.subgroup_test is not None:
            t = self.subgroup_test
            lines.append(
                f"  Test for subgroup differences ({t.variable}): Q={t.q:.2f}, df={t.df}, "
                f"p={t.p_value:.3g}"
            )
        lines.append("  Studies (Clopper-Pearson CI):")
        for _, s in self.studies.iterrows():
            w = "" if pd.isna(s["weight"]) else f", weight {s['weight']:.1f}%"
            lines.append(
                f"    {s['study']}: {s['events']}/{s['n']} = {s['proportion']:.3f} "
                f"[{s['ci_low']:.3f}, {s['ci_high']:.3f}]{w}"
            )
        lines.extend(f"  Note: {note}" for note in self.notes)
        return "\n".join(lines) + "\n"
