"""Check the header of one cohort table: repeated, missing and look-alike column names.

A column the schema does not know is kept as an extra column and read by nothing. So a known
column written slightly differently (``ANC``, ``anc (cells/uL)``, `` anc``, ``platelet``)
would hide its values from decision support and the analyses without a word: a neutrophil
count that is present in the file would be read as missing. The harm decides the severity:

* **error**: an unknown column whose name *normalises* to a known one (letter case, spaces,
  punctuation and a unit in brackets ignored), or is within a small edit distance of a known
  column that the file does not have. A known column's values would be hidden; the message
  says "did you mean ...?" and the file must be fixed (rename the column, converting the
  values to the canonical unit if the bracketed unit differs).
* **warning**: an unknown column within a small edit distance of a known column that the file
  *also* has (``visit_date2`` beside ``visit_date``). Nothing known is hidden, so the column
  is kept as an extra column and the user is told.

A column that appears more than once is an error (which copy holds the value?), and so is a
missing required column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from typing import Final

from clears._exceptions import Problem

__all__ = ["LOOKALIKE_CUTOFF", "column_key", "header_problems"]

#: ``difflib`` similarity ratio from which an unknown column name counts as a look-alike of a
#: known one: 2·matches/(len(a)+len(b)) ≥ 0.85, e.g. one letter added or dropped in a name of
#: six or more letters (``platelet`` for ``platelets``: 16/17 = 0.94), or one letter changed in
#: a name of seven or more (``visit_dat3`` for ``visit_date``: 18/20 = 0.9).
LOOKALIKE_CUTOFF: Final = 0.85

_BRACKETED: Final = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_NOT_ALNUM: Final = re.compile(r"[^0-9a-z]")


def column_key(name: str) -> str:
    """The key under which two column names are the same column.

    Letter case, white space, punctuation and a unit in brackets are ignored.

    Examples
    --------
    >>> [column_key(n) for n in ("anc", "ANC", " anc", "anc (cells/uL)", "A.N.C. [x10^9/L]")]
    ['anc', 'anc', 'anc', 'anc', 'anc']
    >>> column_key("visit date") == column_key("visit_date")
    True
    """
    return _NOT_ALNUM.sub("", _BRACKETED.sub("", name).casefold())


def _repeated(names: list[str], file: str) -> list[Problem]:
    return [
        Problem(name, None, f"column appears {names.count(name)} times", "each column once", file)
        for name in sorted(set(names))
        if names.count(name) > 1
    ]


def header_problems(
    names: list[str],
    *,
    known: Collection[str],
    required: tuple[str, ...],
    file: str,
    units: Mapping[str, str] | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """Return the errors and the warnings of one table's header.

    Parameters
    ----------
    names
        The column names, as in the file (repeats kept).
    known
        Every column name the table knows (schema columns; for ``visits`` also the
        instrument item columns).
    required
        The required columns.
    file
        The file named in every problem.
    units
        Canonical unit per known numeric column, named in the look-alike message.

    Returns
    -------
    tuple of (list of Problem, list of Problem)
        Errors (repeated columns, missing required columns, look-alikes that would hide a
        known column) and warnings (look-alikes of a known column that is also present).

    Examples
    --------
    >>> errors, warnings = header_problems(
    ...     ["patient_id", "visit_date", "ANC"], known=["patient_id", "visit_date", "anc"],
    ...     required=("patient_id", "visit_date"), file="visits.csv")
    >>> print(errors[0].message)
    is not a known column but looks like anc: did you mean anc? As written, its values would be kept as an unknown extra column and read by nothing
    """  # noqa: E501
    units = units or {}
    errors = _repeated(names, file)
    errors += [
        Problem(name, None, "required column is missing", f"columns {', '.join(required)}", file)
        for name in required
        if name not in names
    ]
    warnings: list[Problem] = []
    present = set(names)
    by_key = {column_key(name): name for name in known}
    for name in dict.fromkeys(names):
        if name in known:
            continue
        same = by_key.get(column_key(name))
        close = difflib.get_close_matches(name.strip().casefold(), known, 1, LOOKALIKE_CUTOFF)
        match = same or (close[0] if close else None)
        if match is None:
            continue
        unit = f" (values in {units[match]})" if units.get(match) else ""
        allowed = f"rename the column to {match}{unit}, or give it a name unlike any known column"
        if same is not None or match not in present:
            also = f"; the file also has {match}" if match in present else ""
            message = (
                f"is not a known column but looks like {match}: did you mean {match}? As "
                f"written, its values would be kept as an unknown extra column and read by "
                f"nothing{also}"
            )
            errors.append(Problem(name, name, message, allowed, file))  # value: spaces shown
        else:
            message = (
                f"is not a known column but looks like {match} (also in this file); it is kept "
                "as an extra column and read by nothing"
            )
            warnings.append(Problem(name, name, message, allowed, file))
    return errors, warnings
