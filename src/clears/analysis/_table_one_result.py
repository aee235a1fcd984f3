"""The :class:`TableOne` result of :func:`clears.analysis.table_one` and its rendering.

:meth:`TableOne.to_frame` prints one text column per displayed column (p-values to three
decimals or ``<0.001``, SMDs to three decimals, both rounded half up with
:func:`~clears.analysis.round_half_up`); :meth:`TableOne.to_text` adds the footnotes and
:meth:`TableOne.to_dict` gives the tidy rows with missing values as ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from clears._cells import is_missing
from clears.analysis._rounding import round_half_up

__all__ = ["OVERALL", "TableOne"]

OVERALL: Final = "Overall"


@dataclass(frozen=True)
class TableOne:
    """A Table 1 and the footnotes that say how it was made.

    Attributes
    ----------
    table
        Tidy, one row per variable or level: ``variable``, ``label``, ``level`` (``""`` on
        a variable's own row, the level as text on level rows), ``summary`` (``n (%)``,
        ``median (range)``...), ``Overall``, one column per group (printed cells), then, as
        requested, ``test`` (short test name), ``p_value``, ``smd`` and ``missing``. The
        first row, ``n``, counts the patients per column.
    group
        The grouping column, or ``None``.
    groups
        Group column names, in order.
    footnotes
        Summaries used, tests (full method names), the SMD formula, the rounding rule,
        and anything fragile (sparse tables, tests not computable).
    """

    table: pd.DataFrame
    group: str | None
    groups: tuple[str, ...]
    footnotes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """Return the table as printed: one text column per displayed column."""
        rows = []
        for rec in self.table.to_dict("records"):
            level = rec["level"]
            if rec["variable"] == "n":
                name = "n"
            elif level in ("", "True"):
                name = f"{rec['label']}, {rec['summary']}"
            else:
                name = f"   {level}"
            row = {"Variable": name, OVERALL: rec[OVERALL]}
            row.update({g: rec[g] for g in self.groups})
            if "test" in rec:
                row["Test"] = rec["test"]
                row["p"] = _format_p(rec["p_value"])
            if "smd" in rec:
                row["SMD"] = "" if _nan(rec["smd"]) else str(round_half_up(rec["smd"], 3))
            if "missing" in rec:
                row["Missing"] = "" if _nan(rec["missing"]) else str(rec["missing"])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_text(self) -> str:
        """Return the table as fixed-width text followed by its footnotes."""
        frame = self.to_frame()
        body = frame.to_string(index=False, justify="left")
        notes = "\n".join(f"[{i}] {note}" for i, note in enumerate(self.footnotes, start=1))
        return f"{body}\n\n{notes}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: ``group``, ``groups``, ``rows``, ``footnotes``."""
        rows = [
            {key: (None if _nan(value) else value) for key, value in rec.items()}
            for rec in self.table.to_dict("records")
        ]
        return {
            "group": self.group,
            "groups": list(self.groups),
            "rows": rows,
            "footnotes": list(self.footnotes),
        }


def _nan(value: Any) -> bool:
    return is_missing(value)


def _format_p(p: Any) -> str:
    if _nan(p):
        return ""
    return "<0.001" if p < 0.001 else str(round_half_up(float(p), 3))
