"""Parsing JSON a user hands to clears, refusing what would exhaust or mislead the parser.

Python's :func:`json.loads` accepts three things clears must not:

* nesting deep enough to exhaust the interpreter's recursion limit (``[[[[…]]]]`` 100,000
  levels deep raises :class:`RecursionError`, a crash rather than a message);
* integers with thousands of digits (above 4,300 digits :func:`int` raises
  :class:`ValueError`; below that they reach the scorers as exact integers no
  measurement has);
* the non-standard literals ``NaN``, ``Infinity`` and ``-Infinity``, and numbers such as
  ``1e400`` that overflow to infinity.

:func:`parse_json` refuses all of them with one :class:`~clears._exceptions.InputError`
naming the source and the problem. The rules follow I-JSON (RFC 7493, section 2.2): a
number must be representable as an IEEE 754 double, and an integer must lie in the range
where doubles are exact, ``-(2**53 - 1)`` to ``2**53 - 1``.

References
----------
.. [1] Bray T. The I-JSON Message Format. RFC 7493, 2015, section 2.2.
.. [2] Bray T. The JavaScript Object Notation (JSON) Data Interchange Format. RFC 8259,
   2017, section 6 (NaN and Infinity are not JSON numbers).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any, NoReturn

from clears._exceptions import InputError, Problem

__all__ = ["MAX_DEPTH", "MAX_SAFE_INTEGER", "parse_json", "read_json_file", "short_text"]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted (an instrument record needs three)."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer magnitude accepted (RFC 7493, section 2.2)."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SHOWN = 40


class _RefusedError(Exception):
    """A number the parse hooks refuse; carries the problem's message and allowed values."""

    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed


def short_text(text: str) -> str:
    """``text`` when short, else its start, end and length: how a refused value is shown.

    Examples
    --------
    >>> short_text("9" * 5001)
    '999999999999…9999 (5001 characters)'
    """
    if len(text) <= _SHOWN:
        return text
    return f"{text[:12]}…{text[-4:]} ({len(text)} characters)"


def _depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text``, brackets inside strings ignored."""
    structure = _STRING.sub("", text)
    steps = (1 if m.group() in "[{" else -1 for m in _BRACKET.finditer(structure))
    return max(itertools.accumulate(steps, initial=0))


def _integer(text: str) -> int:
    # The length test comes first: int() of thousands of digits is slow, then refused.
    if len(text.lstrip("-")) > len(str(MAX_SAFE_INTEGER)) or abs(int(text)) > MAX_SAFE_INTEGER:
        raise _RefusedError(
            f"number {short_text(text)} is out of range",
            f"integers from {-MAX_SAFE_INTEGER} to {MAX_SAFE_INTEGER}",
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedError(
            f"number {short_text(text)} is out of range",
            "numbers a 64-bit float holds (magnitude below 1.8e308)",
        )
    return value


def _constant(text: str) -> NoReturn:
    raise _RefusedError(
        f"{text} is not an allowed value", "JSON numbers (NaN and Infinity are not)"
    )


def parse_json(text: str, *, source: str) -> Any:
    """Parse JSON text from an untrusted ``source`` (a file name, or ``stdin``).

    Parameters
    ----------
    text
        The JSON document.
    source
        Where it came from; every problem names it.

    Returns
    -------
    Any
        The parsed value (dicts, lists, str, int, float, bool, None).

    Raises
    ------
    InputError
        Invalid JSON; nesting deeper than :data:`MAX_DEPTH`; an integer beyond
        :data:`MAX_SAFE_INTEGER`; a number that overflows a double; ``NaN`` or
        ``Infinity``.

    Examples
    --------
    >>> parse_json('{"value": 2.5}', source="lab.json")
    {'value': 2.5}
    >>> try:
    ...     parse_json('{"value": NaN}', source="lab.json")
    ... except InputError as err:
    ...     print(err)
    lab.json: JSON: NaN is not an allowed value; allowed: JSON numbers (NaN and Infinity are not)
    """
    depth = _depth(text)
    if depth > MAX_DEPTH:
        raise InputError(
            Problem(
                "JSON",
                None,
                f"nested {depth} levels deep, beyond the nesting limit",
                f"at most {MAX_DEPTH} levels of arrays and objects",
                source,
            )
        )
    try:
        return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except _RefusedError as refused:
        raise InputError(Problem("JSON", None, refused.message, refused.allowed, source)) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                "JSON",
                None,
                f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                None,
                source,
            )
        ) from None
    except RecursionError:  # pragma: no cover - the depth check refuses this first
        raise InputError(
            Problem("JSON", None, "nested beyond the nesting limit", None, source)
        ) from None


def read_json_file(path: Path) -> Any:
    """Read and parse a UTF-8 JSON file with :func:`parse_json`.

    Raises
    ------
    InputError
        The file is missing, unreadable, not UTF-8, or its JSON is refused.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem("FILE", source, "no such file")) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem("FILE", None, f"not UTF-8 text (byte {exc.start})", "UTF-8 JSON", source)
        ) from None
    except OSError as exc:
        raise InputError(Problem("FILE", source, f"cannot be read: {exc.strerror}")) from None
    return parse_json(text, source=source)
