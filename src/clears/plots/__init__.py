"""Figures for cohort reports (matplotlib, imported only when a figure is drawn).

Each module draws one kind of figure and returns a :class:`matplotlib.figure.Figure` built
without ``pyplot`` (no global state, Agg canvas); :func:`to_png` and :func:`to_svg` turn it
into bytes for a report or a file.
"""

from clears.plots._files import write_figure
from clears.plots._style import to_png, to_svg
from clears.plots.forest import forest_figure
from clears.plots.subgroups import subgroup_figure
from clears.plots.survival import km_figure
from clears.plots.swimmer import SwimmerData, swimmer_data, swimmer_figure
from clears.plots.trajectories import (
    assign_timepoints,
    timecourse_summary,
    trajectories_figure,
)

__all__ = [
    "SwimmerData",
    "assign_timepoints",
    "forest_figure",
    "km_figure",
    "subgroup_figure",
    "swimmer_data",
    "swimmer_figure",
    "timecourse_summary",
    "to_png",
    "to_svg",
    "trajectories_figure",
    "write_figure",
]
