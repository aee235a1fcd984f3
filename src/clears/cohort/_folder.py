"""Check the file names of a cohort folder: a table saved under another name is not dropped.

The reader opens ``<table>.csv`` or ``<table>.parquet`` and nothing else, and an optional
table that is absent reads as empty. So ``adverse_event.csv``, ``Adverse_Events.CSV`` or
``adverse_events.xlsx`` would silently become "no adverse events". A file whose name, without
its extension, looks like a table's (the same after ignoring letter case and punctuation, or
within a small edit distance, as for columns: ``clears.cohort._columns``) is therefore

* an **error** when that table's own file is absent (its rows would be dropped): "did you
  mean adverse_events.csv?", or, for another format (``.xlsx``, ``.tsv``...), "save it as
  CSV (UTF-8) or Parquet";
* a **warning** when the table's own file is there too (nothing is dropped, but the file is
  not read).

Any other ``.csv`` or ``.parquet`` file is a warning ("is not a cohort table; it is not
read"). Other files (a README, hidden files) are left alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from clears._exceptions import Problem
from clears.cohort._columns import LOOKALIKE_CUTOFF, column_key

__all__ = ["folder_problems"]

_TABLE_SUFFIXES: Final = (".csv", ".parquet")
#: Formats a table is often saved in by mistake (spreadsheets, other delimiters, JSON).
_OTHER_FORMATS: Final = (".xlsx", ".xls", ".xlsm", ".ods", ".tsv", ".txt", ".json")
_ALLOWED: Final = "cohort tables named <table>.csv or <table>.parquet"


def _table_like(stem: str, tables: Sequence[str]) -> str | None:
    by_key = {column_key(table): table for table in tables}
    same = by_key.get(column_key(stem))
    if same is not None:
        return same
    close = difflib.get_close_matches(stem.strip().casefold(), tables, 1, LOOKALIKE_CUTOFF)
    return close[0] if close else None


def folder_problems(folder: Path, tables: Sequence[str]) -> tuple[list[Problem], list[Problem]]:
    """Return the errors and warnings about the file names of ``folder``.

    Parameters
    ----------
    folder
        The cohort folder.
    tables
        The table names (:data:`clears.cohort.TABLES`).

    Returns
    -------
    tuple of (list of Problem, list of Problem)
        Errors (a file that looks like an absent table's) and warnings (a file that looks
        like a present table's, or another CSV or Parquet file), each naming the file.
    """
    expected = {f"{table}{suffix}" for table in tables for suffix in _TABLE_SUFFIXES}
    present = {
        table
        for table in tables
        if any((folder / f"{table}{suffix}").exists() for suffix in _TABLE_SUFFIXES)
    }
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        suffix = path.suffix.lower()
        if name in expected or name.startswith(".") or not path.is_file():
            continue
        if suffix not in (*_TABLE_SUFFIXES, *_OTHER_FORMATS):
            continue
        table = _table_like(path.stem, tables)
        if table is None:
            if suffix in _TABLE_SUFFIXES:
                message = "is not a cohort table; it is not read"
                warnings.append(Problem("(file)", None, message, _ALLOWED, name))
            continue
        if suffix in _OTHER_FORMATS:
            what = f"looks like the {table} table but is not CSV or Parquet;"
            fix = f"save it as {table}.csv (UTF-8) or {table}.parquet"
        else:
            what = f"looks like the {table} table: did you mean {table}{suffix}?"
            fix = f"rename it to {table}{suffix}"
        if table in present:
            message = f"{what} {table} is read from its own file, so this one is not read"
            warnings.append(Problem("(file)", None, message, fix, name))
        else:
            errors.append(Problem("(file)", None, f"{what} as named, it is not read", fix, name))
    return errors, warnings
