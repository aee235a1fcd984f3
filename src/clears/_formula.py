"""Formula injection: text cells a spreadsheet would run as a formula are written escaped.

A spreadsheet opening a CSV or XLSX file reads a cell that starts with ``=``, ``+``, ``-``
or ``@`` as a formula, and a leading tab or carriage return can hide such a start. A
free-text value typed into clears (an adverse-event term, a regimen, a comment) could
therefore run a formula on the computer of whoever opens an export. Following the OWASP
advice, every text cell that starts with one of those six characters is written with a
single quote in front of it; a text cell that already starts with a single quote gets one
more, so that the escape can always be undone.

The rule applies to text only: numbers, dates and booleans are written as they are, so
``-5`` in a numeric column stays the number -5 while ``-5`` typed as a free-text value is
written ``'-5``. Readers of clears' own CSV formats (cohort tables, REDCap flat records)
undo the escape with :func:`restore`, so ``restore(neutralise(text)) == text`` for every
text.

References
----------
.. [1] OWASP Foundation. CSV Injection.
   https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd

__all__ = [
    "ESCAPE",
    "TRIGGERS",
    "neutralise",
    "neutralise_frame",
    "restore",
    "restore_frame",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")

#: The character put in front of an escaped cell.
ESCAPE: Final = "'"

_ESCAPED_STARTS: Final = (*TRIGGERS, ESCAPE)


def neutralise(text: str) -> str:
    """``text`` with a single quote in front when it starts with a trigger or a quote.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-5"), neutralise("Fatigue"), neutralise("'quoted")
    ("'-5", 'Fatigue', "''quoted")
    """
    return ESCAPE + text if text.startswith(_ESCAPED_STARTS) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise`: drop the quote put in front of a trigger or a quote.

    Examples
    --------
    >>> restore("'-5"), restore("''quoted"), restore("'plain"), restore("-5")
    ('-5', "'quoted", "'plain", '-5')
    """
    if text.startswith(ESCAPE) and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text


def _text_column(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)


def _mapped(
    frame: pd.DataFrame, function: Callable[[str], str], starts: tuple[str, ...]
) -> pd.DataFrame:
    """``frame`` with ``function`` applied to the text cells (and names) that begin with
    one of ``starts``; only the columns that change are copied."""
    out = frame.copy(deep=False)
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if isinstance(series.dtype, pd.CategoricalDtype):
            # A compact text column (clears.cohort._csv): change its categories only.
            if any(isinstance(v, str) and v.startswith(starts) for v in series.cat.categories):
                out.isetitem(position, series.map(function).array)
            continue
        if not _text_column(series):
            continue
        cells = (isinstance(v, str) and v.startswith(starts) for v in series.array)
        hit = np.fromiter(cells, dtype=bool, count=len(series))
        if hit.any():
            changed = series.copy()
            changed[hit] = series[hit].map(function)
            out.isetitem(position, changed.array)
    out.columns = pd.Index([function(str(name)) for name in out.columns])
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised (numeric columns untouched).

    Column names are the header's text cells and are neutralised too.

    Examples
    --------
    >>> frame = pd.DataFrame({"term": ["=1+1", "Rash"], "dose": [-5.0, 10.0]})
    >>> neutralise_frame(frame).to_dict(orient="list")
    {'term': ["'=1+1", 'Rash'], 'dose': [-5.0, 10.0]}
    """
    return _mapped(frame, neutralise, _ESCAPED_STARTS)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` read from CSV text with :func:`restore` applied to every cell."""
    return _mapped(frame, restore, (ESCAPE,))
