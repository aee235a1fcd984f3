"""CSV tables written a batch of rows at a time: the same bytes whatever the batch size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import clears.cohort
from clears.cohort import _write

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


@pytest.mark.slow
@pytest.mark.parametrize("rows", [1, 2, 5])
def test_batch_size_does_not_change_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)
    # reference: one batch larger than every table of the example (16 visits at most)
    monkeypatch.setattr(_write, "_CSV_ROWS", 1_000)
    whole = _files(clears.cohort.write(cohort, tmp_path / "whole"))
    monkeypatch.setattr(_write, "_CSV_ROWS", rows)
    assert _files(clears.cohort.write(cohort, tmp_path / "batched")) == whole


@pytest.mark.slow  # over a second in --durations
def test_header_once_and_every_row_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_write, "_CSV_ROWS", 2)
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)
    folder = clears.cohort.write(cohort, tmp_path)
    lines = (folder / "visits.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("patient_id,visit_date,")
    assert sum(line.startswith("patient_id,") for line in lines) == 1
    assert len(lines) == 1 + 16  # the example's visits.csv has 16 data rows
    again = clears.cohort.read(folder, today=TODAY)
    pd.testing.assert_frame_equal(again.visits, cohort.visits)


@pytest.mark.slow  # over a second in --durations
def test_an_empty_table_is_written_as_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_write, "_CSV_ROWS", 2)
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)
    empty = clears.cohort.Cohort(
        cohort.patients,
        cohort.treatments,
        cohort.visits,
        cohort.adverse_events.iloc[0:0],
        cohort.flares.iloc[0:0],
    )
    folder = clears.cohort.write(empty, tmp_path)
    # the example's flares.csv has the extra column "source" after the required ones
    header = "patient_id,flare_date,severity,source\n"
    assert (folder / "flares.csv").read_text(encoding="utf-8") == header
