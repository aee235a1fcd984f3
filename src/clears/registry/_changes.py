"""What an update changes: the changed values typed, and visit totals that follow items.

Split from :mod:`clears.registry._records` (the service core), which applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from clears._cells import plain_value
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item, instrument_modules
from clears.cohort._schema import schema_of
from clears.registry._models import item_fields

__all__ = ["follow_items", "python", "typed_changes"]


def python(value: object) -> Any:
    """A pandas/numpy cell as a plain Python value (``None`` for every kind of missing)."""
    plain = plain_value(value)
    return plain.date() if isinstance(plain, pd.Timestamp) else plain


def typed_changes(table: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Each changed value parsed as its column would be (unparsable ones as given, for the
    validation to report)."""
    known = schema_of(table)
    items = {f.column: f for f in item_fields()} if table == "visits" else {}
    typed: dict[str, Any] = {}
    for name, value in changes.items():
        series = pd.Series([value], dtype=object)
        if name in known:
            parsed, found = coerce_column(series, known[name], required=False, file=table)
        elif name in items:
            parsed, found = coerce_item(series, items[name], file=table)
        else:
            typed[name] = value
            continue
        typed[name] = value if found else python(parsed.iloc[0])
    return typed


#: Totals an instrument's items determine once every item is given (``clears.cohort``).
_TOTALS: Mapping[str, tuple[str, ...]] = {
    "clasi_a": ("clasi",),
    "clasi_d": ("clasi",),
    "sledai": ("sledai",),
}


def follow_items(
    before: Mapping[str, Any], merged: dict[str, Any], changed: Mapping[str, Any]
) -> dict[str, Any]:
    """A visit's stored total that the edit did not set follows the items again.

    When the items of the instrument are all given the total is derived from them (a total
    the edit sets is checked against them instead). A total that was derived (every item
    was given) is cleared when the edit leaves items blank: it no longer follows from them.
    A total typed for a visit with some items only stays as it was typed.
    """
    modules = instrument_modules()
    result = dict(merged)
    for total, (name,) in _TOTALS.items():
        module = modules.get(name)
        if module is None or total in changed:
            continue
        columns = module.DEFINITION.columns
        complete = all(result.get(column) is not None for column in columns)
        derived = all(before.get(column) is not None for column in columns)
        if complete or derived:
            result.pop(total, None)
    return result
