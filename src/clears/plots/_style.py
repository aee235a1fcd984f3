"""The shared look of clears figures and their conversion to PNG or SVG bytes.

Figures are made with :class:`matplotlib.figure.Figure` directly, never through ``pyplot``,
so drawing keeps no global state and needs no display (the Agg canvas renders them).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ACTIVITY_COLOUR",
    "DAMAGE_COLOUR",
    "GRADE_COLOURS",
    "GROUP_COLOURS",
    "new_figure",
    "to_png",
    "to_svg",
]

#: CLASI-A and CLASI-D series (Cortés-Hernández 2012 Figure 2 draws ● for A and ■ for D).
ACTIVITY_COLOUR: Final = "#1f4e79"
DAMAGE_COLOUR: Final = "#b03a2e"

#: One colour per curve or preset, in order (colour-blind-safe Okabe–Ito palette).
GROUP_COLOURS: Final = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: CTCAE grade 1..5 marker colours (light to dark).
GRADE_COLOURS: Final = {1: "#fdd49e", 2: "#fc8d59", 3: "#d7301f", 4: "#7f0000", 5: "#000000"}


def new_figure(width: float, height: float) -> Figure:
    """Return an empty figure of ``width`` x ``height`` inches with constrained layout."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig.set_facecolor("white")
    return fig


def to_png(fig: Figure, *, dpi: int = 120) -> bytes:
    """Render ``fig`` as PNG bytes (no timestamp or software tag, so equal figures match)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def to_svg(fig: Figure) -> bytes:
    """Render ``fig`` as SVG bytes (no date stamp)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
