"""What every request must satisfy before a route sees it: no NUL, numbers a database holds.

PostgreSQL refuses a NUL character (U+0000) in text and holds whole numbers (``INTEGER``
columns, record, job and version numbers) in 32 bits, so such input, stored as sent, ended
in HTTP 500 there while SQLite took it. Here it is refused with 422 naming where it was:

* :func:`refuse_nul`, a dependency of the whole app: the path parameters, the query, the
  fields of a form and every string (keys too) of a JSON body; one check for every route.
* :data:`DB_INT_MIN` and :data:`DB_INT_MAX` bound the numbers of the JSON API's models
  (:mod:`clears.web.schemas`) and its path parameters.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError

__all__ = ["DB_INT_MAX", "DB_INT_MIN", "NUL_MESSAGE", "in_db_range", "nul_locations", "refuse_nul"]

#: The range of a 32-bit ``INTEGER`` (PostgreSQL's, which SQLite's wider one includes).
DB_INT_MIN: Final = -(2**31)
DB_INT_MAX: Final = 2**31 - 1

NUL_MESSAGE: Final = "contains a NUL character (U+0000), which is not allowed"

_NUL: Final = "\x00"
_FORMS: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_locations(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Where a NUL is in ``value`` (JSON: strings, list items, object keys and values).

    Examples
    --------
    >>> list(nul_locations({"values": {"term": "a\\x00", "ok": [1, "b"]}}, ("body",)))
    [('body', 'values', 'term')]
    >>> list(nul_locations({"k\\x00": 1}, ("body",)))
    [('body', 'k\\x00')]
    """
    if isinstance(value, str):
        if _NUL in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            if _NUL in str(key):
                yield (*where, key)
            yield from nul_locations(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_locations(item, (*where, index))


def in_db_range(value: Any) -> Any:
    """``value`` unchanged if it is not a number, or a number a 32-bit integer column
    holds; else :class:`ValueError` saying the range (a pydantic validator).

    Examples
    --------
    >>> in_db_range(2**31 - 1), in_db_range("text"), in_db_range(True)
    (2147483647, 'text', True)
    >>> in_db_range(2**31)
    Traceback (most recent call last):
    ...
    ValueError: is outside the numbers the registry stores (-2147483648 to 2147483647)
    """
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not DB_INT_MIN <= value <= DB_INT_MAX:
        raise ValueError(
            f"is outside the numbers the registry stores ({DB_INT_MIN} to {DB_INT_MAX})"
        )
    return value


async def refuse_nul(request: Request) -> AsyncIterator[None]:
    """Refuse a request with a NUL in a path parameter, the query, a form field or a JSON
    body: 422 naming each place (``path.patient_id``, ``query.q``, ``body.values.term``).

    A form it read is closed when the request is done, whatever answered it: the temporary
    files of an upload refused before its route read them (a role or token scope refused,
    a wrong CSRF token) are not left open."""
    form = None
    try:
        found: list[tuple[str | int, ...]] = [
            ("path", name)
            for name, value in request.path_params.items()
            if isinstance(value, str) and _NUL in value
        ]
        found += [
            ("query", name)
            for name, value in request.query_params.multi_items()
            if _NUL in name or _NUL in value
        ]
        kind = request.headers.get("content-type", "")
        if request.method in ("POST", "PUT", "PATCH") and kind.startswith(_FORMS):
            form = await request.form()
            found += [
                ("body", name)
                for name, value in form.multi_items()
                if _NUL in name or (isinstance(value, str) and _NUL in value)
            ]
        elif request.method in ("POST", "PUT", "PATCH") and "json" in kind:
            raw = await request.body()
            if b"\x00" in raw or b"\\u0000" in raw:  # only then is it worth reading the JSON
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None  # FastAPI reports the broken JSON itself
                found += nul_locations(parsed, ("body",))
        if found:
            raise RequestValidationError(
                [
                    {"type": "value_error", "loc": loc, "msg": NUL_MESSAGE, "input": None}
                    for loc in found
                ]
            )
        yield
    finally:
        if form is not None:
            await form.close()
