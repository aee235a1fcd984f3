"""Validate a cohort: parse every column, then check each table and the tables together.

:func:`validate` lists every problem of a cohort held in memory; :func:`conform` returns the
canonical, typed cohort (and raises one :class:`~clears.InputError` listing every problem).
:func:`clears.cohort.read` is :func:`conform` applied to the tables of a folder, so a cohort
built by the simulator or the registry is judged exactly as one read from files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort._coerce import coerce_column, is_blank
from clears.cohort._columns import header_problems
from clears.cohort._cross_checks import check_cross
from clears.cohort._csv import expand
from clears.cohort._items import coerce_item, derive_totals, instrument_fields, instrument_modules
from clears.cohort._model import REQUIRED_COLUMNS, TABLES, Cohort
from clears.cohort._notices import OnWarning, notify
from clears.cohort._problem_patients import name_patients
from clears.cohort._schema import schema_of
from clears.cohort._table_checks import check_table, dose_without_unit
from clears.instruments import Field

__all__ = ["conform", "validate"]


def _keep_extra(series: pd.Series) -> pd.Series:
    """An unknown column: text stays text (blank read as missing); anything else as given."""
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        values = series.astype(object)
        if all(isinstance(v, str) or is_blank(v) for v in values):
            return values.map(lambda v: None if is_blank(v) else v).astype("string")
    return series


def _coerce_table(
    table: str, frame: pd.DataFrame, items: Mapping[str, Field], file: str
) -> tuple[pd.DataFrame | None, list[Problem], list[Problem]]:
    """Type one table; ``None`` instead of the frame when its header is unusable."""
    required = REQUIRED_COLUMNS[table]
    known = schema_of(table)
    names = [str(name) for name in frame.columns]
    known_names = [*known, *(items if table == "visits" else ())]
    units = {name: column.unit for name, column in known.items()}
    problems, warnings = header_problems(
        names, known=known_names, required=required, file=file, units=units
    )
    if problems:
        return None, problems, warnings
    columns: dict[str, pd.Series] = {}
    for name in names:
        series = expand(frame[name].reset_index(drop=True))
        if name in known:
            columns[name], found = coerce_column(
                series, known[name], required=name in required, file=file
            )
            problems += found
        elif table == "visits" and name in items:
            columns[name], found = coerce_item(series, items[name], file=file)
            problems += found
        else:
            columns[name] = _keep_extra(series)
    order = [n for n in required if n in columns] + [n for n in names if n not in required]
    # The typed columns are new objects: the frame takes them as they are (no second copy).
    typed = pd.DataFrame(
        {n: columns[n] for n in order}, index=pd.RangeIndex(len(frame)), copy=False
    )
    return typed, problems, warnings


def _check(
    cohort: Cohort, today: dt.date | None, files: Mapping[str, str] | None
) -> tuple[Cohort, list[Problem], list[Problem]]:
    """Return the typed cohort, its problems and its warnings.

    A table whose header is unusable (a repeated, missing or look-alike column) is returned
    as given and skips the row checks; the checks across tables are then skipped too (they
    would report rows of the other tables against a table that could not be read).
    """
    today = dt.date.today() if today is None else today
    names = {table: table for table in TABLES} | dict(files or {})
    modules = instrument_modules()
    items = instrument_fields([module.DEFINITION for module in modules.values()])
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    unusable = False
    for table in TABLES:
        frame = cohort.table(table)
        if not isinstance(frame, pd.DataFrame):
            problems.append(
                Problem(table, None, f"is a {type(frame).__name__}", "a DataFrame", names[table])
            )
            frame = pd.DataFrame({name: [] for name in REQUIRED_COLUMNS[table]})
        typed, found, noted = _coerce_table(table, frame, items, names[table])
        problems += found
        warnings += noted
        if typed is None:
            unusable = True
            tables[table] = frame.reset_index(drop=True)
            continue
        problems += check_table(table, typed, today=today, file=names[table])
        if table == "concomitant_medications" and len(typed) == len(frame):
            problems += dose_without_unit(typed, frame, names[table])
        tables[table] = typed
    if not unusable:
        tables["visits"], found = derive_totals(tables["visits"], modules, file=names["visits"])
        problems += found
        problems += check_cross(tables, names)
    problems = name_patients(problems, tables, names)  # each row's patient id in its message
    position = {names[table]: i for i, table in enumerate(TABLES)}

    def order(problem: Problem) -> tuple[int, int, str]:
        return (position.get(problem.file or "", 99), problem.row or 0, problem.field)

    conformed = Cohort(**tables, source=cohort.source)
    return conformed, sorted(problems, key=order), sorted(warnings, key=order)


def validate(
    cohort: Cohort, *, today: dt.date | None = None, files: Mapping[str, str] | None = None
) -> list[Problem]:
    """List every problem of a cohort, without raising.

    Parameters
    ----------
    cohort
        The six tables, as read or as built in memory (text, typed or mixed values).
    today
        Dates after this day are problems; default: the current date.
    files
        Name to report for each table (default: the table name).

    Returns
    -------
    list of Problem
        Each with ``file`` (table), ``row`` (1-based position in the table, ``None`` for a
        whole-table problem), ``patient`` (the row's patient id, when it has one),
        ``field`` (column), ``value``, ``message`` and ``allowed``; sorted by table, row and
        column. Empty when the cohort is valid. Warnings (findings that do not stop the
        cohort, ``clears.cohort._notices``) are not listed here: :func:`conform` reports them.

    Examples
    --------
    >>> import pandas as pd
    >>> from clears.cohort import Cohort
    >>> cohort = Cohort(
    ...     patients=pd.DataFrame({"patient_id": ["P1"], "centre": ["BCN"]}),
    ...     treatments=pd.DataFrame({"patient_id": ["P2"], "drug": ["lenalidomide"],
    ...                              "start_date": ["2020-01-06"], "dose_mg_per_day": [5]}),
    ...     visits=pd.DataFrame({"patient_id": ["P1"], "visit_date": ["2020-13-01"]}),
    ...     adverse_events=pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"]),
    ...     flares=pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    ... )
    >>> for problem in validate(cohort, today=dt.date(2024, 1, 1)):
    ...     print(problem)
    treatments, row 1: patient_id: is not in patients (got 'P2'); allowed: a patient_id listed in patients; patient: P2
    visits, row 1: visit_date: is not a calendar date (got '2020-13-01'); allowed: an ISO 8601 date YYYY-MM-DD; patient: P1
    """  # noqa: E501
    return _check(cohort, today, files)[1]


def conform(
    cohort: Cohort,
    *,
    today: dt.date | None = None,
    files: Mapping[str, str] | None = None,
    on_warning: OnWarning | None = None,
) -> Cohort:
    """Return the cohort with canonical types and derived totals, or raise on any problem.

    Columns are parsed to their canonical types (see ``docs/cohort-tables.md``), required
    columns come first, rows are renumbered from 0, and CLASI-A/CLASI-D are filled in from
    complete item-level CLASI. New frames are returned; ``cohort`` is not changed.

    Parameters
    ----------
    cohort, today, files
        As for :func:`validate`.
    on_warning
        Called with each warning (a finding that does not refuse the cohort), before any
        problem is raised; without it each is issued as a :class:`~clears.cohort.CohortWarning`.

    Raises
    ------
    InputError
        Listing every problem :func:`validate` finds.
    """
    conformed, problems, warnings = _check(cohort, today, files)
    notify(warnings, on_warning)
    if problems:
        raise InputError(problems)
    return conformed
