"""File names of a cohort folder: a table saved under another name is refused, not dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from clears import InputError, Problem
from clears.cohort import CohortWarning, read

TODAY = dt.date(2024, 6, 30)
EVENTS = "patient_id,onset_date,term,grade\nP1,2020-02-10,Fatigue,1\n"


def _refusals(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    return list(caught.value.problems)


@pytest.mark.parametrize("name", ["adverse_event.csv", "Adverse_Events.CSV", "adverse-events.csv"])
def test_a_misnamed_optional_table_is_refused(folder_of: Callable[..., Path], name: str) -> None:
    folder = folder_of(adverse_events=None)
    (folder / name).write_text(EVENTS, encoding="utf-8")
    (problem,) = _refusals(folder)
    assert (problem.file, problem.field) == (name, "(file)")
    suffix = Path(name).suffix.lower()
    assert problem.message == (
        f"looks like the adverse_events table: did you mean adverse_events{suffix}? as named, "
        "it is not read"
    )
    assert problem.allowed == f"rename it to adverse_events{suffix}"


def test_a_table_saved_as_a_spreadsheet_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares=None)
    (folder / "flares.xlsx").write_bytes(b"PK\x03\x04")
    (problem,) = _refusals(folder)
    assert problem.file == "flares.xlsx"
    assert problem.message.startswith("looks like the flares table but is not CSV or Parquet")
    assert problem.allowed == "save it as flares.csv (UTF-8) or flares.parquet"


def test_a_misnamed_required_table_says_both(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(visits=None)
    (folder / "visit.csv").write_text("patient_id,visit_date\nP1,2020-01-06\n", encoding="utf-8")
    found = {(p.file, p.message.split(":")[0]) for p in _refusals(folder)}
    assert found == {
        ("visits", f"is missing from {folder}"),
        ("visit.csv", "looks like the visits table"),
    }


def test_a_look_alike_beside_its_table_is_a_warning(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    (folder / "lab_export.csv").write_text(EVENTS, encoding="utf-8")  # like no table
    (folder / "adverse_event.csv").write_text(EVENTS, encoding="utf-8")
    seen: list[Problem] = []
    cohort = read(folder, today=TODAY, on_warning=seen.append)
    assert len(cohort.adverse_events) == 1  # from adverse_events.csv
    assert [(p.file, p.message) for p in seen] == [
        (
            "adverse_event.csv",
            "looks like the adverse_events table: did you mean adverse_events.csv? "
            "adverse_events is read from its own file, so this one is not read",
        ),
        ("lab_export.csv", "is not a cohort table; it is not read"),
    ]


def test_other_files_are_left_alone(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    (folder / "README.md").write_text("notes", encoding="utf-8")
    (folder / ".hidden.csv").write_text("x\n", encoding="utf-8")
    (folder / "scans").mkdir()
    read(folder, today=TODAY)  # no warning (pytest turns warnings into errors)


def test_without_a_callback_folder_warnings_are_issued(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    (folder / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.warns(CohortWarning, match="extra.csv: \\(file\\): is not a cohort table"):
        read(folder, today=TODAY)
