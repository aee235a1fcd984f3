"""Write a cohort to a folder of CSV or Parquet files that :func:`clears.cohort.read` reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from clears._cells import is_missing
from clears._formula import neutralise_frame
from clears.cohort._model import REQUIRED_COLUMNS, TABLES, Cohort

__all__ = ["write"]

#: Rows rendered as text and written at a time.
_CSV_ROWS = 50_000


def _ordered(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    required = [name for name in REQUIRED_COLUMNS[table] if name in frame.columns]
    rest = [name for name in frame.columns if name not in required]
    return frame[required + rest]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Render dates as YYYY-MM-DD and booleans as true/false; missing values as blanks."""
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            text = series.dt.strftime("%Y-%m-%d")
            columns[name] = text.where(series.notna(), None).astype(object)
        elif pd.api.types.is_bool_dtype(series.dtype):
            columns[name] = series.astype(object).map(
                lambda v: None if is_missing(v) else ("true" if v else "false")
            )
        else:
            columns[name] = series
    return pd.DataFrame(columns, index=frame.index)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV, rendering and writing ``_CSV_ROWS`` rows at a time.

    Only one batch is ever held as text, so the rendered table is never in memory at once;
    the file is the same as one ``to_csv`` of the whole table. Text cells that a spreadsheet
    would run as a formula are escaped (:func:`clears._formula.neutralise`); the reader
    undoes the escape.
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(frame), 1), _CSV_ROWS):
            part = neutralise_frame(_as_text(frame.iloc[start : start + _CSV_ROWS]))
            part.to_csv(handle, index=False, header=start == 0, lineterminator="\n")


def write(cohort: Cohort, path: str | Path, *, format: Literal["csv", "parquet"] = "csv") -> Path:
    """Write the six tables of ``cohort`` into the folder ``path`` (created if needed).

    Parameters
    ----------
    cohort
        A cohort as returned by :func:`clears.cohort.read` or :func:`clears.cohort.conform`.
    path
        Target folder; existing files of the same names are replaced.
    format
        ``"csv"`` (UTF-8, ISO dates, ``true``/``false``, blank for missing, text cells
        starting with ``= + - @``, tab or CR escaped with a leading ``'``) or ``"parquet"``
        (values as they are).

    Returns
    -------
    Path
        The folder written. Columns are in a stable order (required first, then the others
        as they are in the cohort), so ``read(write(cohort, p))`` gives back the same tables.
    """
    if format not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        frame = _ordered(table, cohort.table(table)).reset_index(drop=True)
        if format == "csv":
            _write_csv(frame, folder / f"{table}.csv")
        else:
            frame.to_parquet(folder / f"{table}.parquet", index=False)
    return folder
