"""Values of site-defined fields: checked on the way in, stored as text, typed on the way out.

A value is parsed by its field's :class:`clears.cohort.Column` exactly as a built-in column
of a cohort file (:func:`clears.cohort._coerce.coerce_column`), so a site field refuses what
a built-in column of the same kind refuses, with the same words. It is stored as its
canonical text (ISO dates, ``true``/``false``, the number as Python writes it) and read back
typed by the field; a value whose field is no longer declared is read back as stored text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from clears._cells import plain_value
from clears._exceptions import InputError, Problem
from clears.cohort._coerce import coerce_column, is_blank
from clears.cohort._schema import Kind
from clears.cohort._site_fields import SiteField, SiteFields

__all__ = ["check_site_values", "site_text", "site_typed"]


def site_text(field: SiteField, value: Any) -> str:
    """The stored text of a typed value of ``field``.

    Examples
    --------
    >>> from clears.cohort._site_fields import parse_site_fields
    >>> f = parse_site_fields({"visits": [{"name": "x", "label": "X", "type": "number"}]},
    ...     file="s.toml").fields[0]
    >>> site_text(f, 12.0), site_text(f, 0.5), site_text(f, 1e22)
    ('12', '0.5', '1e+22')
    """
    kind = field.column.kind
    if kind is Kind.date:
        day = value.date() if isinstance(value, pd.Timestamp) else value
        return str(day.isoformat())
    if kind is Kind.boolean:
        return "true" if value else "false"
    if kind is Kind.integer:
        return str(int(value))
    if kind is Kind.number:
        text = repr(float(value))  # the shortest text that reads back as the same number
        return text.removesuffix(".0")
    return str(value)


def site_typed(field: SiteField | None, text: str) -> Any:
    """A stored text read back as the value of ``field`` (as text when it is not declared).

    Examples
    --------
    >>> from clears.cohort._site_fields import parse_site_fields
    >>> f = parse_site_fields({"patients": [{"name": "onset", "label": "O", "type": "date"}]},
    ...     file="s.toml").fields[0]
    >>> site_typed(f, "2019-04-02"), site_typed(None, "kept")
    (datetime.date(2019, 4, 2), 'kept')
    """
    if field is None:
        return text
    kind = field.column.kind
    if kind is Kind.date:
        return dt.date.fromisoformat(text)
    if kind is Kind.boolean:
        return text == "true"
    if kind is Kind.integer:
        return int(text)
    if kind is Kind.number:
        return float(text)
    return text


def _typed(field: SiteField, value: Any, file: str) -> tuple[Any, list[Problem]]:
    typed, found = coerce_column(
        pd.Series([value], dtype=object), field.column, required=False, file=file
    )
    cell = plain_value(typed.iloc[0])
    return cell, [Problem(p.field, p.value, p.message, p.allowed, file) for p in found]


def check_site_values(
    declared: SiteFields,
    *,
    table: str,
    centre: str,
    values: Mapping[str, Any],
    stored: Mapping[str, str],
    adding: bool,
) -> dict[str, str | None]:
    """The texts to store for the site values an add or an edit gives (``None`` clears one).

    ``values`` maps field names to what was given (blank clears a field); ``stored`` is what
    the record holds now. A required field must be given when a record is added and may not
    be cleared later (a record stored before the field was declared may stay without it);
    a field no longer declared keeps its stored value and refuses changes.

    Raises
    ------
    InputError
        Every problem: a name not declared for ``table`` and ``centre`` (with the declared
        ones), a value its field refuses (with the allowed values), a missing required value.
    """
    fields = {f.name: f for f in declared.of(table, centre)}
    allowed = ", ".join(fields) or "none: no site field is declared for this table and centre"
    problems: list[Problem] = []
    result: dict[str, str | None] = {}
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            message = (
                "is no longer declared; its stored value is kept and cannot be changed"
                if name in stored
                else "is not a site field of this table and centre"
            )
            problems.append(Problem(f"site_fields.{name}", value, message, allowed, table))
            continue
        if is_blank(value):
            if field.required and (adding or name in stored):
                problems.append(
                    Problem(
                        f"site_fields.{name}",
                        None,
                        "is required",
                        field.column.allowed_text(),
                        table,
                    )
                )
            elif name in stored:
                result[name] = None
            continue
        typed, found = _typed(field, value, table)
        problems += [
            Problem(f"site_fields.{p.field}", p.value, p.message, p.allowed, table) for p in found
        ]
        if not found and typed is not None:
            result[name] = site_text(field, typed)
    if adding:
        problems += [
            Problem(f"site_fields.{f.name}", None, "is required", f.column.allowed_text(), table)
            for f in fields.values()
            if f.required and f.name not in values
        ]
    if problems:
        raise InputError(problems)
    return {n: t for n, t in result.items() if t != stored.get(n)}
