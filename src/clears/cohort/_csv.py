"""Read one cohort CSV file strictly: every row has exactly the header's cells, or nothing.

A CSV file that is damaged must never be read as data with blanks in it. A row with fewer
cells than the header (a ragged row, or a file cut off in the middle of a row) would give
its missing cells as blank values, and a row with more cells would shift or lose values;
both are refused, naming the file, the data row and the line of the file. So are a quoted
field still open at the end of the file, an empty (0-byte) file, a file that is not UTF-8
(naming the byte offset and line of the first undecodable byte) and a header with a blank
column name. Blank lines are skipped; the first non-blank line is the header. A UTF-8 byte
order mark is allowed. Every cell is kept as text, exactly as written (nothing inferred).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api.types import union_categoricals

from clears._exceptions import Problem

__all__ = ["expand", "read_csv"]

# A non-blank line: the text between the record ends csv and pandas read (\r\n, \r, \n).
_LINE = re.compile(r"[^\r\n]+")
_BARE_CR = re.compile(r"\r(?!\n)")  # a line ended by \r alone (old Mac files)
_CSV = "a UTF-8 CSV table: a header row, then rows with one cell per header column"


def _decode(data: bytes, name: str) -> str | Problem:
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        line = body[: exc.start].count(b"\n") + 1
        byte = body[exc.start]
        message = (
            f"is not UTF-8 text: byte 0x{byte:02X} at byte offset {offset} (line {line}) "
            f"is not valid UTF-8{_legacy_hint(body)}; save the file as UTF-8 (in a "
            "spreadsheet: Save As, 'CSV UTF-8')"
        )
        return Problem("(file)", None, message, _CSV, name)


def _legacy_hint(body: bytes) -> str:
    """Say so when the bytes read as Windows-1252 (Latin-1 and its superset), the usual
    encoding of a file a spreadsheet saved as plain "CSV".

    Examples
    --------
    >>> _legacy_hint("formé".encode("latin-1"))
    ' (it looks like Latin-1 / Windows-1252 text)'
    >>> _legacy_hint(bytes([0x81, 0x8D]))  # undefined in Windows-1252
    ''
    """
    try:
        body.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " (it looks like Latin-1 / Windows-1252 text)"


def _blank_names(header: list[str], name: str) -> list[Problem]:
    return [
        Problem(
            f"(column {position})",
            None,
            f"column {position} of the header has a blank name",
            "a name for every column of the header",
            name,
        )
        for position, column in enumerate(header, start=1)
        if not column.strip()
    ]


def read_csv(path: Path, *, compact: bool = False) -> pd.DataFrame | list[Problem]:
    """Read one cohort CSV file as text cells, or list why it cannot be read.

    Parameters
    ----------
    path
        The file; its name is the ``file`` of every problem.
    compact
        Give a quote-free file's columns as ``category`` columns of the same text, parsed
        in chunks (a fraction of the memory of one ``object`` pointer per cell, for large
        cohorts); :func:`expand` turns one back into text.

    Returns
    -------
    pandas.DataFrame or list of Problem
        One ``object`` column of text per header name (duplicate names kept, for validation
        to report), one row per data row; or the problems (never both). A ragged row is a
        problem with ``row`` the 1-based data row and the line of the file in the message.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "flares.csv").write_text("patient_id,flare_date,severity\\nP1,2020-01-06\\n")
    >>> read_csv(folder / "flares.csv")[0].message
    'has 1 fewer cell than the header (2 cells; the header has 3) (line 2 of the file)'
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem("(file)", None, f"cannot be read: {exc.strerror or exc}", _CSV, name)]
    if not data.removeprefix(codecs.BOM_UTF8):
        return [
            Problem("(file)", None, "is empty (0 bytes); write at least the header", _CSV, name)
        ]
    text = _decode(data, name)
    if isinstance(text, Problem):
        return [text]
    fast = _without_quotes(text, data.removeprefix(codecs.BOM_UTF8), compact=compact)
    return fast if fast is not None else _strict(text, name)


def _without_quotes(
    text: str, data: bytes | None = None, *, compact: bool = False
) -> pd.DataFrame | None:
    """The table of a text without any quote whose every line has the header's cells.

    Such a text needs no CSV state machine: its records are its lines and its cells are
    split at commas, so this line check proves it has no problem, and pandas' C parser
    builds the frame (several times faster than :mod:`csv`). Any other text gives ``None``
    and is read by :func:`_strict`, which gives the same frame or names every problem.

    ``data``, the file's UTF-8 bytes without a byte order mark, is what pandas parses when
    given (less memory than parsing ``text``). Lines are checked one at a time and the
    frame is pandas' own (no list of lines, no copy), so a large file is not held twice.
    """
    if '"' in text or "\x00" in text or _BARE_CR.search(text):
        # pandas' C parser drops what follows a NUL in a cell, and shifts the cells of a
        # row that starts with an empty cell after a blank line ended by a bare \r.
        return None
    header_line: str | None = None
    count, width = 0, -1
    for match in _LINE.finditer(text):
        line = match.group()
        commas = line.count(",")
        if header_line is None:
            header_line, width = line, commas
        elif commas != width:
            return None  # ragged
        count += 1
    if header_line is None or count < 2 or width == 0:
        return None  # header only, or one column (pandas skips blank-looking lines)
    header = header_line.split(",")
    if any(not column.strip() for column in header):
        return None
    options: dict[str, Any] = {
        "header": 0,  # pandas' names are replaced by ``header`` (it renames duplicates)
        "dtype": str,
        "na_filter": False,
        "keep_default_na": False,
        "quoting": csv.QUOTE_NONE,
        "skip_blank_lines": True,
        "encoding": "utf-8",
    }
    source = io.BytesIO(data) if data is not None else io.StringIO(text)
    raw = _compact(source, options) if compact else pd.read_csv(source, **options)
    if raw.shape != (count - 1, len(header)):
        return None
    frame = raw if compact else raw.astype(object, copy=False)
    frame.columns = pd.Index(header, dtype=object)
    return frame


_CHUNK_ROWS = 50_000


def _compact(source: io.BytesIO | io.StringIO, options: dict[str, Any]) -> pd.DataFrame:
    """Parse ``source`` in chunks, keeping each column as a ``category`` of its text."""
    parts: list[list[pd.Categorical]] = []
    for chunk in pd.read_csv(source, chunksize=_CHUNK_ROWS, **options):
        parts.append([pd.Categorical(chunk.iloc[:, i]) for i in range(chunk.shape[1])])
    if not parts:
        return pd.DataFrame()  # no data row: the caller's shape check gives the strict path
    columns = [union_categoricals([part[i] for part in parts]) for i in range(len(parts[0]))]
    return pd.DataFrame(dict(enumerate(columns)), copy=False)


def expand(series: pd.Series) -> pd.Series:
    """The text of a column :func:`read_csv` gave compact (``category``); others as given."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object)
    return series


def _difference(cells: int, width: int) -> str:
    """How a row's cell count differs from the header's, in words.

    Examples
    --------
    >>> _difference(25, 24)
    'has 1 more cell than the header (25 cells; the header has 24)'
    >>> _difference(2, 4)
    'has 2 fewer cells than the header (2 cells; the header has 4)'
    """
    gap = abs(cells - width)
    side = "more" if cells > width else "fewer"
    noun = "cell" if gap == 1 else "cells"
    return f"has {gap} {side} {noun} than the header ({_cells(cells)}; the header has {width})"


def _cells(count: int) -> str:
    """``1 cell``, ``2 cells``."""
    return f"{count} cell{'' if count == 1 else 's'}"


def _strict(text: str, name: str) -> pd.DataFrame | list[Problem]:
    """Read ``text`` record by record with :mod:`csv` (strict quoting), listing problems."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    problems: list[Problem] = []
    start = 1  # the line of the file the next record starts on
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells:
                continue  # a blank line
            if header is None:
                header = cells
                problems += _blank_names(header, name)
                continue
            rows.append(cells)
            if len(cells) != len(header):
                message = f"{_difference(len(cells), len(header))} (line {line} of the file)"
                problems.append(Problem("(row)", None, message, _CSV, name, len(rows)))
    except csv.Error as exc:
        if "end of data" in str(exc):
            what = f"a quoted field opened on line {start} is still open at the end of the file"
        else:
            what = f"line {reader.line_num} is not valid CSV ({exc})"
        row = len(rows) + 1 if header is not None else None
        problems.append(Problem("(file)", None, what, _CSV, name, row))
    if header is None:
        if problems:
            return problems
        return [Problem("(file)", None, "has no header row (only blank lines)", _CSV, name)]
    if problems:
        return problems
    return pd.DataFrame(rows, columns=header, dtype=object)
