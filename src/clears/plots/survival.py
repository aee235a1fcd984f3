"""Kaplan–Meier curves with their confidence bands and a numbers-at-risk table beneath.

Draws a :class:`clears.analysis.KaplanMeierResult` as it is: the curve, Greenwood CI band
and censoring marks come from ``result.table``; the numbers at risk come from
``result.at_risk(times)`` (patients with follow-up ≥ t, R ``summary(fit, times=)``). With
``cumulative=True`` the curve is 1 − S (the proportion who reached the event, e.g. a
complete response), the usual way to show time to response.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.plots._style import GROUP_COLOURS, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from clears.analysis import KaplanMeierResult

__all__ = ["at_risk_times", "km_figure"]

_STEPS = (7, 14, 28, 30, 60, 90, 180, 365, 730)


def at_risk_times(longest: float, *, ticks: int = 6) -> list[float]:
    """Evenly spaced times from 0 covering ``longest`` with at most ``ticks + 1`` marks.

    The step is the smallest of 7, 14, 28, 30, 60, 90, 180, 365 or 730 days that needs at
    most ``ticks`` steps (the last step is used for longer follow-up).

    Examples
    --------
    >>> at_risk_times(400)   # 400 / 90 = 4.4 steps of 90 days, 60 would need 7
    [0.0, 90.0, 180.0, 270.0, 360.0]
    """
    if not (math.isfinite(longest) and longest >= 0):
        raise InputError(Problem("longest", longest, "must be a finite number >= 0", ">= 0"))
    step = next((s for s in _STEPS if longest / s <= ticks), _STEPS[-1])
    return [float(t) for t in np.arange(0.0, longest + 1e-9, step)]


def _step_curve(part: pd.DataFrame, column: str, start: float) -> tuple[Any, Any]:
    times = np.concatenate([[0.0], part["time"].to_numpy(dtype=float)])
    values = np.concatenate([[start], part[column].to_numpy(dtype=float)])
    return times, values


def km_figure(
    result: KaplanMeierResult,
    *,
    times: Sequence[float] | None = None,
    cumulative: bool = False,
    xlabel: str = "Days since the first dose",
    ylabel: str | None = None,
    title: str | None = None,
    band: bool = True,
) -> Figure:
    """Draw Kaplan–Meier curves (or 1 − S) with CI bands and a numbers-at-risk table.

    Parameters
    ----------
    result
        From :func:`clears.analysis.kaplan_meier`.
    times
        Times of the at-risk table and x ticks; default :func:`at_risk_times` of the
        longest follow-up.
    cumulative
        Draw 1 − S and its band (proportion with the event).
    xlabel, ylabel, title
        Labels (``ylabel`` defaults to "Probability without event" or "Cumulative
        proportion with event").
    band
        Shade the confidence band.
    """
    table = result.table
    if table.empty:
        raise InputError(Problem("result", None, "has no curve to draw", "a fitted estimate"))
    groups = list(result.durations) or list(pd.unique(table["group"]))
    longest = max((float(np.max(d)) for d in result.durations.values() if len(d)), default=0.0)
    longest = max(longest, float(table["time"].max()))
    marks = list(times) if times is not None else at_risk_times(longest)
    fig = new_figure(8, 4.2 + 0.25 * len(groups))
    grid = fig.add_gridspec(2, 1, height_ratios=[4, 0.6 + 0.3 * len(groups)])
    ax = fig.add_subplot(grid[0])
    risk_ax = fig.add_subplot(grid[1], sharex=ax)
    for k, group in enumerate(groups):
        colour = GROUP_COLOURS[k % len(GROUP_COLOURS)]
        part = table[table["group"] == group].sort_values("time")
        t, s = _step_curve(part, "survival", 1.0)
        _, lo = _step_curve(part, "ci_low", 1.0)
        _, hi = _step_curve(part, "ci_high", 1.0)
        if cumulative:
            s, lo, hi = 1.0 - s, 1.0 - hi, 1.0 - lo
        label = "all patients" if group == "all" and len(groups) == 1 else str(group)
        ax.step(t, s, where="post", color=colour, label=label)
        if band:
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
        censored = part[part["n_censor"] > 0]
        if not censored.empty:
            y = censored["survival"].to_numpy(dtype=float)
            ax.plot(
                censored["time"],
                1.0 - y if cumulative else y,
                linestyle="none",
                marker="|",
                markersize=8,
                color=colour,
            )
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(
        ylabel
        or ("Cumulative proportion with event" if cumulative else "Probability without event")
    )
    ax.set_xticks(marks)
    ax.tick_params(labelbottom=False)
    if title:
        ax.set_title(title)
    if len(groups) > 1:
        ax.legend(frameon=False, loc="best")
    risk = result.at_risk(marks)
    risk_ax.set_xlabel(xlabel)
    risk_ax.set_yticks(range(len(groups)))
    risk_ax.set_yticklabels([str(g) for g in groups][::-1] if len(groups) > 1 else ["At risk"])
    risk_ax.set_ylim(-0.6, len(groups) - 0.4)
    for k, group in enumerate(groups):
        row = risk[risk["group"] == group]
        for t_mark, n in zip(row["time"], row["n_risk"], strict=True):
            risk_ax.text(t_mark, len(groups) - 1 - k, str(n), ha="center", va="center")
    risk_ax.set_title("Number at risk", fontsize="small", loc="left")
    for side in ("top", "right", "left"):
        risk_ax.spines[side].set_visible(False)
    risk_ax.tick_params(axis="y", length=0)
    ax.set_xlim(left=-0.02 * max(longest, 1.0), right=max(longest, marks[-1]) * 1.03 + 1e-9)
    return fig
