"""Reading a TOML file a user hands to clears (a criteria preset, an analysis plan).

:func:`read_toml` returns the parsed document, or raises one
:class:`~clears._exceptions.InputError` on the field ``path`` that says whether the file
could not be read (with the system's reason) or is not valid TOML (with the parser's line
and column), so every loader of user files words these failures the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from clears._exceptions import InputError, Problem

__all__ = ["read_toml"]


def read_toml(path: str | Path) -> dict[str, Any]:
    """The TOML document in the file at ``path``.

    Raises
    ------
    InputError
        The file cannot be read, or is not valid TOML.

    Examples
    --------
    >>> read_toml("no/such/file.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: path: cannot be read: No such file or directory ...
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem("path", str(p), f"cannot be read: {exc.strerror}")) from None
    except UnicodeDecodeError as exc:
        raise InputError(Problem("path", str(p), f"is not UTF-8 text: {exc.reason}")) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Problem("path", str(p), f"is not valid TOML: {exc}")) from None
