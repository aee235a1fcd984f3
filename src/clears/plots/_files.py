"""Write a figure to a file whose type follows the suffix (PNG, SVG or PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from clears._exceptions import InputError, Problem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "write_figure"]

#: The file types a figure may be written as.
FIGURE_FORMATS: Final = (".png", ".svg", ".pdf")


def write_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save ``fig`` to ``path`` (``.png``, ``.svg`` or ``.pdf``) and return the path.

    Raises
    ------
    InputError
        Another suffix; nothing is written.
    """
    out = Path(path)
    if out.suffix.lower() not in FIGURE_FORMATS:
        raise InputError(
            Problem("plot", str(out), "unsupported file type", ", ".join(FIGURE_FORMATS))
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    return out
