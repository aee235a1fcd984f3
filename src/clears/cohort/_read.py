"""Read a cohort from a folder of CSV or Parquet files, validating everything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from clears._exceptions import InputError, Problem
from clears._formula import restore_frame
from clears.cohort._csv import read_csv
from clears.cohort._folder import folder_problems
from clears.cohort._model import REQUIRED_COLUMNS, TABLES, Cohort
from clears.cohort._notices import OnWarning, notify
from clears.cohort._validate import conform

__all__ = ["OPTIONAL_TABLES", "read"]

#: Tables that may be absent from a folder (read as empty tables with the required columns);
#: a cohort-tables v1 folder has no ``concomitant_medications`` and reads as v2 without any.
OPTIONAL_TABLES = ("adverse_events", "flares", "concomitant_medications")

_SUFFIXES = (".csv", ".parquet")


def _unescaped(read: pd.DataFrame | list[Problem]) -> pd.DataFrame | list[Problem]:
    """Undo the formula escape the CSV writer puts on text cells (:mod:`clears._formula`)."""
    return read if isinstance(read, list) else restore_frame(read)


def _read_one(path: Path) -> pd.DataFrame | list[Problem]:
    """Read one file: CSV strictly as text cells (:func:`read_csv`), Parquet as typed."""
    if path.suffix == ".csv":
        return _unescaped(read_csv(path, compact=True))
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        return [Problem("(file)", None, f"cannot be read: {exc}", "a Parquet table", path.name)]


def _locate(folder: Path, table: str) -> tuple[Path | None, list[Problem]]:
    candidates = [folder / f"{table}{suffix}" for suffix in _SUFFIXES]
    odd = [path for path in candidates if path.exists() and not path.is_file()]
    if odd:
        return None, [
            Problem(
                "(file)",
                None,
                "is a folder, not a file" if path.is_dir() else "is not a regular file",
                f"a {path.suffix[1:].upper()} file",
                path.name,
            )
            for path in odd
        ]
    found = [path for path in candidates if path.is_file()]
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        message = f"both {names} exist; keep one"
        return None, [Problem("(file)", None, message, "one file per table", found[0].name)]
    if not found and table not in OPTIONAL_TABLES:
        names = " or ".join(f"{table}{suffix}" for suffix in _SUFFIXES)
        return None, [Problem("(file)", None, f"is missing from {folder}", names, table)]
    return (found[0] if found else None), []


def read(
    path: str | Path, *, today: dt.date | None = None, on_warning: OnWarning | None = None
) -> Cohort:
    """Read and validate a cohort folder.

    Parameters
    ----------
    path
        A folder holding ``patients``, ``treatments`` and ``visits`` (required) and
        ``adverse_events``, ``flares`` and ``concomitant_medications`` (optional), each as
        ``<table>.csv`` or ``<table>.parquet``. CSV files are UTF-8 with a header row and
        exactly one cell per header column in every row (``clears.cohort._csv``).
    today
        Dates after this day are problems; default: the current date.
    on_warning
        Called with each warning of the cohort (a file named like a table beside it, another
        CSV file, ``clears.cohort._folder``; and those of :func:`clears.cohort.conform`);
        without it each is issued as a :class:`~clears.cohort.CohortWarning`.

    Returns
    -------
    Cohort
        Typed tables (see ``docs/cohort-tables.md``): required columns first, extra columns
        kept, absent optional tables empty, and CLASI-A/CLASI-D filled in from complete
        item-level CLASI where the total was blank.

    Raises
    ------
    InputError
        Listing every problem in every file at once, each with file, 1-based data row,
        column, value and what is allowed.

    Examples
    --------
    >>> from pathlib import Path
    >>> import clears.cohort
    >>> folder = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
    >>> cohort = clears.cohort.read(folder, today=dt.date(2025, 1, 1))
    >>> cohort.n_patients
    6
    """
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(Problem("COHORT", str(path), "is not a folder", "a cohort folder"))
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    problems, noticed = folder_problems(folder, TABLES)
    notify(noticed, on_warning)
    for table in TABLES:
        located, found = _locate(folder, table)
        problems += found
        files[table] = located.name if located else f"{table}.csv"
        frame = _read_one(located) if located else None
        if isinstance(frame, list):
            problems += frame
            frame = None
        if frame is None:
            frame = pd.DataFrame(
                {name: pd.Series([], dtype=object) for name in REQUIRED_COLUMNS[table]}
            )
        frames[table] = frame
    if problems:
        raise InputError(problems)
    cohort = Cohort(**frames, source=str(folder))
    return conform(cohort, today=today, files=files, on_warning=on_warning)
