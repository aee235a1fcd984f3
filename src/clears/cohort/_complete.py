"""Add the optional columns a cohort lacks, blank and typed per :data:`SCHEMA`.

A cohort read from files has every column its files have; a cohort built in memory (the web
app, a notebook, a test) often omits optional ones. The analyses treat an absent optional
column exactly like a present, blank one; :func:`with_optional_columns` makes that true once,
at an entry point, so no downstream code has to ask whether a column exists.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import pandas as pd

from clears.cohort._coerce import _DTYPES
from clears.cohort._model import REQUIRED_COLUMNS, TABLES, Cohort
from clears.cohort._schema import SCHEMA

__all__ = ["with_optional_columns"]


def _blank(frame: pd.DataFrame, kind_dtype: str) -> pd.Series:
    return pd.Series(index=frame.index, dtype=cast(Any, kind_dtype))


def with_optional_columns(cohort: Cohort) -> Cohort:
    """Return ``cohort`` with every missing optional column of :data:`SCHEMA` added, blank.

    Added columns take the canonical dtype of their kind (the dtype :func:`clears.cohort.read`
    gives them): text and choices ``string``, dates ``datetime64[ns]``, booleans ``boolean``,
    whole numbers ``Int64``, numbers ``float64``; every value missing. Columns already present
    (known or not) and required columns are left as they are; a missing *required* column is
    not added (that is a validation problem, :func:`clears.cohort.validate`). The input cohort
    is not modified; when nothing is missing it is returned as is.

    Examples
    --------
    >>> import pandas as pd
    >>> from clears.cohort import REQUIRED_COLUMNS, Cohort
    >>> empty = {t: pd.DataFrame(columns=list(REQUIRED_COLUMNS[t])) for t in REQUIRED_COLUMNS}
    >>> full = with_optional_columns(Cohort(**empty))
    >>> str(full.treatments["end_date"].dtype), str(full.visits["clasi_a"].dtype)
    ('datetime64[ns]', 'float64')
    >>> "end_date" in empty["treatments"].columns
    False
    """
    changes: dict[str, Any] = {}  # table name -> completed frame
    for table in TABLES:
        frame = cohort.table(table)
        missing = [
            column
            for column in SCHEMA[table]
            if column.name not in frame.columns and column.name not in REQUIRED_COLUMNS[table]
        ]
        if missing:
            added = {column.name: _blank(frame, _DTYPES[column.kind]) for column in missing}
            changes[table] = frame.assign(**added)
    return replace(cohort, **changes) if changes else cohort
