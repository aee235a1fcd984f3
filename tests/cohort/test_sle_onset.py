"""``sle_onset_date`` (read by outcomes as new SLE) is declared and validated like any date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from tests._cli import clears

from clears import InputError
from clears.cohort import read

TODAY = dt.date(2024, 6, 30)


def _patients(onset: str) -> str:
    return f"patient_id,centre,sle,sle_onset_date\nP1,BCN,no,{onset}\nP2,LYO,no,\n"


def test_a_day_first_date_is_refused(folder_of: Callable[..., Path]) -> None:
    with pytest.raises(InputError) as caught:
        read(folder_of(patients=_patients("31/03/2009")), today=TODAY)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "patients.csv",
        1,
        "sle_onset_date",
        "31/03/2009",
    )
    assert problem.message == "is not an ISO 8601 date"


def test_a_future_onset_is_refused(folder_of: Callable[..., Path]) -> None:
    # After "today" it would be counted as new SLE that has not happened.
    with pytest.raises(InputError) as caught:
        read(folder_of(patients=_patients("2024-07-01")), today=TODAY)
    (problem,) = caught.value.problems
    assert problem.field == "sle_onset_date"
    assert problem.message.startswith("is in the future")
    read(folder_of(patients=_patients("2024-06-30")), today=TODAY)  # the day itself is fine


@pytest.mark.slow
def test_outcomes_refuses_instead_of_crashing(
    folder_of: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = folder_of(patients=_patients("31/03/2009"))
    assert clears(monkeypatch, "outcomes", str(folder)) == 1
    err = capsys.readouterr().err
    assert "patients.csv, row 1: sle_onset_date: is not an ISO 8601 date" in err
    assert "Traceback" not in err
