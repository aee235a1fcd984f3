"""Item-level instrument columns in visits: checked against the instrument definitions.

Any visits column whose name is the flat ``Field.column`` of a known instrument definition
(:mod:`clears.instruments.clasi`, :mod:`clears.instruments.sledai`, and the core outcome set's
:mod:`~clears.instruments.cla_iga`, :mod:`~clears.instruments.ptga`,
:mod:`~clears.instruments.nrs`, :mod:`~clears.instruments.dlqi` and
:mod:`~clears.instruments.skindex`, listed once in :mod:`clears.instruments.core_set`) is
checked against that item's allowed codes, column by column (vectorised). Nothing here knows
CLASI or SLEDAI items by name: the definitions are the data. When every item of an instrument
is given for a visit, its totals are computed by the instrument's vectorised scorer (CLASI-A
and CLASI-D, Albrecht 2005; the SLEDAI-2K total ``sledai``, Gladman 2002); a given total that
disagrees is a problem, and a missing total is filled in.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import Problem
from clears.cohort._coerce import display_value, is_blank
from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE
from clears.instruments import Field, InstrumentDefinition
from clears.instruments.core_set import CORE_OUTCOMES

__all__ = ["coerce_item", "derive_totals", "instrument_fields", "instrument_modules"]

#: Instrument modules whose item columns may appear in visits, and the totals their
#: vectorised ``score_frame`` derives (empty: items are checked, no total is derived).
#: ``clasi.score_frame`` returns a frame with both totals; ``sledai.score_frame`` returns
#: the SLEDAI-2K total as a Series named ``sledai`` (its default variant).
INSTRUMENTS: Mapping[str, tuple[str, ...]] = {
    "clasi": ("clasi_a", "clasi_d"),
    "sledai": ("sledai",),
    # The core outcome set's simple measures (docs/instruments/core-outcome-set.md): items
    # are checked; their scores are computed by the instruments, not stored as totals.
    **{definition.name: () for definition in CORE_OUTCOMES},
}


def instrument_modules() -> dict[str, ModuleType]:
    """Import the instrument modules that exist, by name (absent ones are skipped)."""
    found: dict[str, ModuleType] = {}
    for name in INSTRUMENTS:
        qualified = f"clears.instruments.{name}"
        try:
            found[name] = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
    return found


def instrument_fields(definitions: Sequence[InstrumentDefinition]) -> dict[str, Field]:
    """Every flat item column of ``definitions``, keyed by column name."""
    fields: dict[str, Field] = {}
    for definition in definitions:
        fields.update(definition.by_column())
    return fields


def _item_numbers(series: pd.Series, *, boolean: bool) -> tuple[npt.NDArray[np.bool_], Any]:
    """Which cells hold a value, and each as a float (NaN when blank or not a number).

    Numeric and boolean columns (Parquet, a simulated cohort) are read as they are; text
    columns (CSV) are stripped, blanks are missing, and boolean items also read the
    true/false words. Columns mixing Python objects take the cell-by-cell path.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return ~np.isnan(values), values
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        text = series.astype("string").str.strip()
        text = text.mask(text == "")
        if boolean:
            lower = text.str.lower()
            text = text.mask(lower.isin(BOOLEAN_TRUE), "1").mask(lower.isin(BOOLEAN_FALSE), "0")
        number = pd.to_numeric(text, errors="coerce").astype("Float64")
        return text.notna().to_numpy(), number.to_numpy(dtype=np.float64, na_value=np.nan)
    cells = series.astype(object).map(
        lambda v: None if is_blank(v) else (v.strip() if isinstance(v, str) else v)
    )
    if boolean:
        words = dict.fromkeys(BOOLEAN_TRUE, 1) | dict.fromkeys(BOOLEAN_FALSE, 0)
        cells = cells.map(lambda v: words.get(v.lower(), v) if isinstance(v, str) else v)
    cells = cells.map(lambda v: int(v) if isinstance(v, bool | np.bool_) else v)
    number = pd.to_numeric(cells, errors="coerce").astype("Float64")
    return cells.notna().to_numpy(), number.to_numpy(dtype=np.float64, na_value=np.nan)


def coerce_item(series: pd.Series, field: Field, *, file: str) -> tuple[pd.Series, list[Problem]]:
    """Check one item column against its allowed codes; return it as ``Int64``.

    Blank values are missing. Text is read as a number; boolean items also take
    true/false, yes/no.

    Examples
    --------
    >>> from clears.instruments import Item, Level
    >>> item = Item("scale", "Scale", (Level(0, "absent"), Level(1, "scale")))
    >>> codes, problems = coerce_item(
    ...     pd.Series(["1", "", "3"]), Field("clasi_ears_scale", "ears.scale", item), file="v"
    ... )
    >>> codes.tolist()
    [1, <NA>, <NA>]
    >>> print(problems[0])
    v, row 3: clasi_ears_scale: is not an allowed level (got '3'); allowed: 0 (absent), 1 (scale)
    """
    item = field.item
    given, values = _item_numbers(series, boolean=item.boolean)
    numeric = ~np.isnan(values)
    not_number = given & ~numeric
    integral = np.zeros(len(series), dtype=bool)
    finite = np.isfinite(values)
    integral[finite] = np.mod(values[finite], 1) == 0
    not_whole = numeric & ~integral
    not_code = integral & ~np.isin(values, np.asarray(item.codes, dtype=np.float64))
    problems: list[Problem] = []
    if (not_number | not_whole | not_code).any():
        raw = series.to_numpy(dtype=object)
        allowed = item.allowed_text()
        for mask, message in (
            (not_number, "expects a number"),
            (not_whole, "expects a whole number"),
            (not_code, "is not an allowed level"),
        ):
            problems += [
                Problem(field.column, display_value(raw[i]), message, allowed, file, int(i) + 1)
                for i in np.flatnonzero(mask)
            ]
    kept = numeric & ~(not_whole | not_code)
    whole = np.where(kept, values, 0).astype(np.int64)
    codes = pd.Series(
        pd.arrays.IntegerArray(whole, ~kept), index=series.index, name=series.name, copy=False
    )
    return codes, sorted(problems, key=lambda p: p.row or 0)


_SCORE_ROWS = 50_000  # visits scored at a time: the item columns are copied per batch only


def _complete_rows(visits: pd.DataFrame, columns: list[str]) -> np.ndarray[Any, Any]:
    """Rows where every item column is given (one column at a time, no copy of the items)."""
    complete = np.ones(len(visits), dtype=bool)
    for column in columns:
        complete &= visits[column].notna().to_numpy()
    return complete


def _scores(
    visits: pd.DataFrame,
    columns: list[str],
    complete: np.ndarray[Any, Any],
    module: ModuleType,
    totals: tuple[str, ...],
) -> dict[str, np.ndarray[Any, Any]]:
    """The totals of the complete rows, scored ``_SCORE_ROWS`` rows at a time."""
    rows = np.flatnonzero(complete)
    parts: dict[str, list[np.ndarray[Any, Any]]] = {total: [] for total in totals}
    for start in range(0, len(rows), _SCORE_ROWS):
        # Column by column: ``iloc`` on the table would first consolidate all its columns.
        batch = rows[start : start + _SCORE_ROWS]
        items = pd.DataFrame({column: visits[column].iloc[batch] for column in columns})
        scored = module.score_frame(items)
        if isinstance(scored, pd.Series):
            scored = scored.to_frame(name=totals[0])
        for total in totals:
            parts[total].append(np.asarray(scored[total], dtype="float64"))
    return {total: np.concatenate(arrays) for total, arrays in parts.items()}


def derive_totals(
    visits: pd.DataFrame, modules: Mapping[str, ModuleType], *, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Compute instrument totals where every item of a visit is given; compare or fill them.

    Returns a new frame (``visits`` is not changed) and one problem per given total that
    disagrees with the total of its items.
    """
    result = visits.copy(deep=False)  # new columns go into the copy only, without copying
    problems: list[Problem] = []
    for name, totals in INSTRUMENTS.items():
        module = modules.get(name)
        if module is None or not totals:
            continue
        columns = list(module.DEFINITION.columns)
        if not set(columns) <= set(visits.columns):
            continue
        complete = _complete_rows(visits, columns)
        if not complete.any():
            continue
        scores = _scores(visits, columns, complete, module, totals)
        for total in totals:
            computed = pd.Series(np.nan, index=visits.index, dtype="float64")
            computed[complete] = scores[total]
            if total in result.columns:
                given = result[total].astype("float64")
                differs = complete & given.notna().to_numpy() & (given != computed).to_numpy()
                problems += [
                    Problem(
                        total,
                        display_value(given.iloc[i]),
                        f"disagrees with the total of the item-level {name.upper()} columns, "
                        f"{computed.iloc[i]:g}",
                        f"{computed.iloc[i]:g} or blank",
                        file,
                        int(i) + 1,
                    )
                    for i in np.flatnonzero(differs)
                ]
                filled = given.where(given.notna(), computed)
            else:
                filled = computed
            if total in result.columns:
                # Replaces the column's array; ``result[total] =`` copied the whole block.
                position = list(result.columns).index(total)
                result.isetitem(position, filled.to_numpy(dtype="float64", na_value=np.nan))
            else:
                result[total] = filled
    return result, problems
