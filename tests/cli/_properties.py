"""Shared pieces of the command-line property tests (``tests/cli/test_properties*.py``).

* :func:`invoke` runs ``clears ARGS`` in this process, in a given working folder, with the
  environment's registry and users-file variables unset and warnings shown as the
  installed command shows them (not turned into errors as pytest does). Any exception other
  than the command's own exit escapes: that is a crash.
* :func:`check_contract` is the contract every command keeps whatever it is given: exit
  code 0, 1 or 2; no Python traceback on either stream; on failure, none of the named
  output paths exists.
* :func:`cohort_folders` draws cohort folders: the bundled example cohort plus rows drawn
  from the schema (:data:`clears.cohort.SCHEMA`), then, often, a corruption: a hostile
  cell, a missing or unreadable file, a dropped column.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sqlite3
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from clears.cli.main import run
from clears.cohort import DOSE_MAXIMUM, REQUIRED_COLUMNS, SCHEMA, Column, Kind
from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE

__all__ = [
    "EXAMPLE_COHORT",
    "HOSTILE_TEXT",
    "CohortPlan",
    "Outcome",
    "check_contract",
    "cohort_folders",
    "database_dump",
    "few",
    "invoke",
    "mostly",
    "odd_dates",
]

EXAMPLE_COHORT = Path(__file__).resolve().parents[2] / "examples" / "cohort"

#: Cell values that have broken parsers elsewhere: formula starts, numbers out of range,
#: non-ASCII digits, control characters, impossible dates, very long text.
HOSTILE_TEXT: tuple[str, ...] = (
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "-1e309",
    "9" * 5000,
    "-" + "9" * 30,
    "１２",
    "²",
    "٣",
    "0x1F",
    "1,5",
    "1_000",
    "True",
    "2020-02-30",
    "0000-01-01",
    "9999-12-31",
    "20200101",
    "2020-1-1",
    "=1+1",
    "+1",
    "-5",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    '"quoted"',
    "a\nb",
    "\x00",
    "\ufeff",
    "x" * 5000,
    ";;;",
    "DLE;;SCLE",
)

#: Values given to ``--today`` and ``--as-of``.
odd_dates = st.sampled_from(
    ["2025-01-01", "1900-01-01", "2999-12-31", "2020-02-30", "yesterday", "", "10000-01-01"]
)


def few(examples: int) -> settings:
    """Hypothesis settings of a property test: ``examples`` examples, no deadline.

    ``CLEARS_PROPERTY_SCALE=10`` multiplies the examples, for a deeper search run by hand.
    """
    scale = int(os.environ.get("CLEARS_PROPERTY_SCALE", "1"))
    return settings(
        max_examples=examples * scale,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def mostly(good: Iterable[str], odd: Iterable[str]) -> st.SearchStrategy[str]:
    """One of ``good`` three times in four, else one of ``odd`` (so that runs still succeed)."""
    usual = st.sampled_from(list(good))
    return st.one_of(usual, usual, usual, st.sampled_from(list(odd)))


@dataclass(frozen=True)
class Outcome:
    """What a command did: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", newline="")


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")


def invoke(args: Iterable[str], *, cwd: Path, stdin: str = "") -> Outcome:
    """Run ``clears *args`` in this process, in folder ``cwd``; crashes propagate."""
    import pytest

    out, err = _stream(), _stream()
    code: int
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("default")
        patch.chdir(cwd)
        for variable in ("CLEARS_DB_URL", "CLEARS_USERS_FILE", "CLEARS_HOST", "CLEARS_PORT"):
            patch.delenv(variable, raising=False)
        patch.setattr(sys, "argv", ["clears", *args])
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        try:
            run()
            code = 0
        except SystemExit as done:
            status = done.code
            code = 0 if status is None else status if isinstance(status, int) else 1
    return Outcome(code, _text(out), _text(err))


def check_contract(outcome: Outcome, *, outputs: Iterable[Path] = ()) -> None:
    """Assert the contract of every command (see the module docstring)."""
    shown = (
        f"exit {outcome.code}\nstdout: {outcome.stdout[-2000:]}\nstderr: {outcome.stderr[-2000:]}"
    )
    event(f"exit {outcome.code}")
    assert outcome.code in (0, 1, 2), shown
    assert "Traceback" not in outcome.stdout, shown
    assert "Traceback" not in outcome.stderr, shown
    if outcome.code != 0:
        written = [str(path) for path in outputs if path.exists()]
        assert written == [], f"written on failure: {written}\n{shown}"


def database_dump(path: Path) -> list[str]:
    """Every statement that rebuilds the SQLite database at ``path`` (empty if absent)."""
    if not path.exists():
        return []
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


_EXISTING = ("P01", "P02", "P03", "P04", "P05", "P06")  # the example cohort's patients
_NEW = ("P07", "P08", "P09")


def _valid_value(column: Column) -> st.SearchStrategy[str]:
    """Text of a valid cell of ``column`` (one column at a time: no cross-table checks)."""
    if column.kind is Kind.identifier:
        return st.sampled_from(_EXISTING)
    if column.kind is Kind.date:
        return st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31)).map(str)
    if column.kind is Kind.boolean:
        return st.sampled_from([*sorted(BOOLEAN_TRUE | BOOLEAN_FALSE), ""])
    if column.kind in (Kind.integer, Kind.number):
        low = 0 if column.minimum is None else column.minimum
        # The one unbounded-above column is the dose; its bound depends on the drug.
        high = min(DOSE_MAXIMUM.values()) if column.maximum is None else column.maximum
        if column.kind is Kind.integer:
            return st.integers(int(low), int(high)).map(str)
        return st.floats(low, high, allow_nan=False).map(lambda v: f"{v:.3g}")
    if column.kind is Kind.choice:
        return st.sampled_from(column.options)
    if column.kind is Kind.choices:
        return st.lists(st.sampled_from(column.options), min_size=1, max_size=3, unique=True).map(
            ";".join
        )
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)


@st.composite
def _rows(draw: st.DrawFn, table: str, new: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows valid on their own: new patients, one drug period each, events of anyone.

    End dates are left out so that no period or event ends before it starts.
    """
    columns = SCHEMA[table]
    required = set(REQUIRED_COLUMNS[table])
    optional = [c for c in columns if c.name not in required and c.name != "end_date"]
    chosen = draw(st.lists(st.sampled_from(optional), max_size=4, unique=True)) if optional else []
    used = [c for c in columns if c.name in required] + chosen
    if table in ("patients", "treatments"):
        owners = list(new)
    else:
        owners = draw(st.lists(st.sampled_from(_EXISTING + new), max_size=3))
    rows = [{c.name: draw(_valid_value(c)) for c in used} for _ in owners]
    for row, owner in zip(rows, owners, strict=True):
        row["patient_id"] = owner
    return rows


_FILE_DAMAGE = (
    "delete",
    "empty",
    "header_only",
    "binary",
    "latin1",
    "drop_required_column",
    "duplicate_header",
    "folder_in_its_place",
    "parquet_too",
)


def _damage(folder: Path, table: str, how: str) -> None:
    path = folder / f"{table}.csv"
    if how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "header_only":
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    elif how == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 20)
    elif how == "latin1":
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.replace("P01", "Pé1").encode("latin-1", errors="replace"))
    elif how == "drop_required_column":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.drop(columns=[REQUIRED_COLUMNS[table][-1]]).to_csv(path, index=False)
    elif how == "duplicate_header":
        lines = path.read_text(encoding="utf-8").splitlines()
        first = lines[0].split(",")[0]
        path.write_text(
            "\n".join([f"{lines[0]},{first}"] + [f"{line}," for line in lines[1:]]) + "\n",
            encoding="utf-8",
        )
    elif how == "folder_in_its_place":
        path.unlink()
        path.mkdir()
    elif how == "parquet_too":
        (folder / f"{table}.parquet").write_bytes(b"PAR1 not really")


@dataclass(frozen=True)
class CohortPlan:
    """What :func:`cohort_folders` drew: added rows, a corrupted cell, a damaged file."""

    rows: dict[str, list[dict[str, str]]]
    cell: tuple[str, int, str, str] | None
    damage: tuple[str, str] | None

    def build(self, folder: Path) -> Path:
        """Write the cohort into ``folder`` (created) and return it."""
        shutil.copytree(EXAMPLE_COHORT, folder)
        for table, rows in self.rows.items():
            if not rows and self.cell is None:
                continue
            path = folder / f"{table}.csv"
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame = pd.concat([frame, pd.DataFrame(rows, dtype=str)], ignore_index=True)
            frame = frame.fillna("")
            if self.cell is not None and self.cell[0] == table and len(frame):
                _, row, column, value = self.cell
                frame.loc[row % len(frame), column] = value
            frame.to_csv(path, index=False)
        if self.damage is not None:
            _damage(folder, *self.damage)
        return folder


_TABLES = ("patients", "treatments", "visits", "adverse_events", "flares")


@st.composite
def cohort_folders(draw: st.DrawFn, *, damaged: bool = True) -> CohortPlan:
    """Plans of cohort folders: valid schema rows added, then maybe one cell or file damaged."""
    new = tuple(draw(st.lists(st.sampled_from(_NEW), max_size=3, unique=True)))
    rows = {table: draw(_rows(table, new)) for table in _TABLES}
    cell: tuple[str, int, str, str] | None = None
    damage: tuple[str, str] | None = None
    if damaged and draw(st.booleans()):
        table = draw(st.sampled_from(_TABLES))
        column = draw(st.sampled_from([c.name for c in SCHEMA[table]]))
        value = draw(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8))
        cell = (table, draw(st.integers(0, 50)), column, value)
    if damaged and draw(st.integers(0, 3)) == 0:
        damage = (draw(st.sampled_from(_TABLES)), draw(st.sampled_from(_FILE_DAMAGE)))
    return CohortPlan(rows, cell, damage)
