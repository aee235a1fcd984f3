"""What a report holds: sections of paragraphs, tables and figures, and its methods."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Report", "ReportFigure", "ReportTable", "Section"]


@dataclass(frozen=True)
class ReportTable:
    """A table as printed: every cell already text, with its footnotes.

    Attributes
    ----------
    key
        Short identifier (HTML anchors, tests).
    title
        Caption.
    frame
        The cells (strings); column names are the header.
    footnotes
        How it was made (methods, rounding, fragile results).
    sheet
        Its XLSX worksheet name as a reader sees it (≤ 31 characters, e.g. ``Table 1``);
        empty: the key with its underscores as spaces.
    """

    key: str
    title: str
    frame: pd.DataFrame
    footnotes: tuple[str, ...] = ()
    sheet: str = ""


@dataclass(frozen=True)
class ReportFigure:
    """A figure rendered as PNG bytes, with its caption."""

    key: str
    title: str
    caption: str
    png: bytes = field(repr=False)


@dataclass(frozen=True)
class Section:
    """One section: its caption (from the analysis plan), paragraphs, tables, figures."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    figures: tuple[ReportFigure, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Report:
    """A study report ready to render.

    Attributes
    ----------
    title
        Document title.
    facts
        Label -> value pairs printed under the title (cohort source, patients, drug,
        presets, CTCAE version, clears version, date).
    sections
        The body, in order.
    methods
        Methods paragraphs, each generated from the ``method`` of a result.
    warnings
        Statistical warnings raised while the analyses ran (fragile results).
    """

    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    methods: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def tables(self) -> Iterator[ReportTable]:
        """Every table of every section, in order."""
        for section in self.sections:
            yield from section.tables

    def figures(self) -> Iterator[ReportFigure]:
        """Every figure of every section, in order."""
        for section in self.sections:
            yield from section.figures
