"""Response by subgroup: proportions with confidence intervals, one row per subgroup level.

Draws the result of :func:`clears.analysis.response_rates` (overall first, then each
subgroup's levels, with ``responders/n`` beside each row); with a ``criteria`` column the
presets are drawn side by side in different colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._results import ResponseRates
from clears.analysis._validation import require_columns
from clears.plots._style import GROUP_COLOURS, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["subgroup_figure"]


def subgroup_figure(
    result: ResponseRates, *, method: str = "exact", title: str | None = None
) -> Figure:
    """Plot response proportions with their CIs by subgroup.

    Parameters
    ----------
    result
        From :func:`clears.analysis.response_rates`; its table needs ``subgroup``,
        ``level``, ``responders``, ``n``, ``proportion`` and
        ``ci_low_<method>``/``ci_high_<method>``.
    method
        Which CI columns to draw (``"exact"``, ``"wilson"``...).
    title
        Figure title; default names the CI method.
    """
    rates = result.table
    low, high = f"ci_low_{method}", f"ci_high_{method}"
    require_columns(
        rates, ["subgroup", "level", "responders", "n", "proportion", low, high], "rates"
    )
    if rates.empty:
        raise InputError(Problem("rates", None, "has no rows", "response_rates output"))
    presets = list(pd.unique(rates["criteria"])) if "criteria" in rates else [None]
    labels = list(dict.fromkeys(zip(rates["subgroup"], rates["level"].astype(str), strict=True)))
    position = {key: len(labels) - 1 - k for k, key in enumerate(labels)}
    fig = new_figure(8, 1.3 + 0.42 * len(labels))
    ax = fig.add_subplot()
    step = 0.6 / max(len(presets), 1)
    for k, preset in enumerate(presets):
        part = rates if preset is None else rates[rates["criteria"] == preset]
        offset = (k - (len(presets) - 1) / 2) * step
        ys = [
            position[(s, str(lv))] + offset
            for s, lv in zip(part["subgroup"], part["level"], strict=True)
        ]
        xs = part["proportion"].to_numpy(dtype=float)
        err_low = xs - part[low].to_numpy(dtype=float)
        err_high = part[high].to_numpy(dtype=float) - xs
        ax.errorbar(
            xs, ys, xerr=[err_low, err_high], fmt="o", capsize=3,
            color=GROUP_COLOURS[k % len(GROUP_COLOURS)],
            label=str(preset) if preset is not None else None,
        )  # fmt: skip
        for y, r, n in zip(ys, part["responders"], part["n"], strict=True):
            ax.annotate(f"{r}/{n}", (1.02, y), xycoords=("axes fraction", "data"),
                        va="center", fontsize="small")  # fmt: skip
    ax.set_yticks([position[key] for key in labels])
    ax.set_yticklabels(
        ["Overall" if s == "overall" else f"{s}: {lv}" for s, lv in labels], fontsize="small"
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"Proportion responding ({method} CI)")
    ax.axvline(
        float(rates.loc[rates["subgroup"] == "overall", "proportion"].iloc[0]),
        color="0.7", linestyle=":", zorder=0,
    )  # fmt: skip
    ax.set_title(title or "Response by subgroup")
    if presets != [None]:
        ax.legend(frameon=False, loc="lower right", fontsize="small")
    return fig
