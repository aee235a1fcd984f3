"""Forest plot of a meta-analysis of proportions (matplotlib, imported on use).

Draws a :class:`clears.evidence.MetaPropResult` (read through :class:`PooledProportions`,
the attributes drawn, so this layer does not import the evidence layer): study proportions
with their Clopper–Pearson CIs, subgroup and overall diamonds and the prediction interval.
The figure is built with :class:`matplotlib.figure.Figure` directly, without ``pyplot``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PooledProportions", "forest_figure"]


class PooledProportions(Protocol):
    """What the forest plot reads of a meta-analysis result."""

    @property
    def summary(self) -> pd.DataFrame:
        """One row per pooled set (``group``: "overall" or the subgroup value)."""

    @property
    def studies(self) -> pd.DataFrame:
        """One row per study."""

    @property
    def subgroup(self) -> str | None:
        """The subgroup column, if any."""

    @property
    def confidence(self) -> float:
        """The level of the intervals."""

    @property
    def measure(self) -> str:
        """The pooling scale."""

    @property
    def method(self) -> str:
        """The estimator used."""


def _diamond(ax: Any, y: float, row: Any, colour: str) -> None:
    xs = [row["ci_low"], row["estimate"], row["ci_high"], row["estimate"]]
    ys = [y, y + 0.3, y, y - 0.3]
    ax.fill(xs, ys, color=colour, zorder=3)


def forest_figure(result: PooledProportions, *, title: str | None = None) -> Figure:
    """Draw study proportions with Clopper–Pearson CIs, subgroup and overall diamonds.

    Squares are sized by the study weight (by sample size for the GLMM, which has no
    weights); the overall row carries the prediction interval as a bar beneath the
    diamond.

    Parameters
    ----------
    result
        A :class:`clears.evidence.MetaPropResult`.
    title
        Optional title (default: measure, method and confidence).

    Returns
    -------
    matplotlib.figure.Figure
        The figure; :func:`clears.plots.write_figure` saves it as PNG, SVG or PDF.
    """
    from matplotlib.figure import Figure

    studies = result.studies
    summary = result.summary.set_index("group")
    sub = result.subgroup
    blocks: list[tuple[str | None, Any]] = (
        [(str(g), part) for g, part in studies.groupby(sub, sort=False)]
        if sub
        else [(None, studies)]
    )
    n_rows = len(studies) + (2 * len(blocks) if sub else 0) + 3
    fig = Figure(figsize=(9.0, 0.32 * n_rows + 1.2))
    fig.set_facecolor("white")
    ax = fig.add_subplot()
    y = float(n_rows)
    labels: list[tuple[float, str, str]] = []
    size_basis = (
        studies["weight"].to_numpy(dtype=float)
        if studies["weight"].notna().all()
        else 100 * studies["n"].to_numpy(dtype=float) / studies["n"].sum()
    )
    scale = 180 / max(float(np.nanmax(size_basis)), 1e-9)
    pct = f"{round(result.confidence * 100)}%"
    for group, part in blocks:
        if group is not None:
            labels.append((y, f"{sub} = {group}", ""))
            y -= 1
        for idx, s in part.iterrows():
            ax.plot([s["ci_low"], s["ci_high"]], [y, y], color="black", lw=1)
            ax.scatter(
                [s["proportion"]], [y], marker="s", s=20 + scale * size_basis[idx], color="0.3"
            )
            w = "" if np.isnan(s["weight"]) else f"  {s['weight']:.1f}%"
            labels.append(
                (
                    y,
                    f"  {s['study']} ({s['events']}/{s['n']})",
                    f"{s['proportion']:.2f} [{s['ci_low']:.2f}, {s['ci_high']:.2f}]{w}",
                )
            )
            y -= 1
        if group is not None:
            row = summary.loc[group]
            _diamond(ax, y, row, "tab:blue")
            labels.append(
                (
                    y,
                    f"  Subgroup {group}: I² {row['i2']:.0f}%",
                    f"{row['estimate']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]",
                )
            )
            y -= 1.5
    overall: Any = summary.loc["overall"]
    _diamond(ax, y, overall, "tab:red")
    ax.plot([overall["pi_low"], overall["pi_high"]], [y - 0.55, y - 0.55], color="tab:red", lw=2)
    labels.append(
        (
            y,
            f"Overall ({result.method}): I² {overall['i2']:.0f}%, τ² {overall['tau2']:.3f}",
            f"{overall['estimate']:.2f} [{overall['ci_low']:.2f}, {overall['ci_high']:.2f}]",
        )
    )
    labels.append(
        (
            y - 0.55,
            "  Prediction interval",
            f"[{overall['pi_low']:.2f}, {overall['pi_high']:.2f}]",
        )
    )
    for ypos, left, right in labels:
        ax.text(
            -0.05,
            ypos,
            left,
            ha="right",
            va="center",
            fontsize=8,
            transform=ax.get_yaxis_transform(),
        )
        ax.text(
            1.05,
            ypos,
            right,
            ha="left",
            va="center",
            fontsize=8,
            transform=ax.get_yaxis_transform(),
        )
    ax.axvline(float(overall["estimate"]), color="tab:red", ls=":", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(y - 1.5, n_rows + 0.5)
    ax.set_yticks([])
    ax.set_xlabel(f"Proportion ({pct} CI; studies: Clopper–Pearson)")
    ax.set_title(title or f"{result.measure} scale, {result.method}, {pct} CI")
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    fig.subplots_adjust(left=0.38, right=0.68)
    return fig
