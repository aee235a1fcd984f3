"""Column names that look like known ones: refused when they would hide a known column."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from clears import InputError, Problem
from clears.cohort import SCHEMA, CohortWarning, read
from clears.cohort._columns import LOOKALIKE_CUTOFF, column_key, header_problems
from clears.cohort._items import instrument_fields, instrument_modules

TODAY = dt.date(2024, 6, 30)
VISITS = "patient_id,visit_date,{}\nP1,2020-01-06,1.2\n"


def _refusals(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    return list(caught.value.problems)


@pytest.mark.parametrize(
    "name", ["ANC", "Anc", " anc", "anc ", "anc (cells/uL)", "A.N.C. [x10^9/L]"]
)
def test_a_known_column_spelled_differently_is_refused(
    folder_of: Callable[..., Path], name: str
) -> None:
    header = f'"{name}"' if "," in name else name
    (problem,) = _refusals(folder_of(visits=VISITS.format(header)))
    assert (problem.file, problem.row, problem.field) == ("visits.csv", None, name)
    assert "did you mean anc?" in problem.message
    assert problem.allowed is not None
    assert "rename the column to anc (values in ×10⁹/L)" in problem.allowed


def test_a_near_miss_of_an_absent_known_column_is_refused(folder_of: Callable[..., Path]) -> None:
    (problem,) = _refusals(folder_of(visits=VISITS.format("platelet")))
    assert problem.field == "platelet"
    assert "did you mean platelets?" in problem.message


def test_a_look_alike_beside_its_known_column_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(visits="patient_id,visit_date,anc,ANC\nP1,2020-01-06,1.2,1.5\n")
    (problem,) = _refusals(folder)
    assert problem.field == "ANC"
    assert problem.message.endswith("; the file also has anc")


def test_an_item_column_spelled_differently_is_refused(folder_of: Callable[..., Path]) -> None:
    (problem,) = _refusals(folder_of(visits=VISITS.format("CLASI_FACE_ERY")))
    assert "did you mean clasi_face_ery?" in problem.message


def test_a_repeated_column_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(visits="patient_id,visit_date,anc,anc\nP1,2020-01-06,1.2,3\n")
    (problem,) = _refusals(folder)
    assert (problem.field, problem.message) == ("anc", "column appears 2 times")


def test_a_near_miss_beside_its_known_column_is_a_warning(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(
        visits="patient_id,visit_date,visit_dat3\nP1,2020-01-06,x\nP1,2020-03-02,\nP2,2021-05-03,\n"
    )
    seen: list[Problem] = []
    cohort = read(folder, today=TODAY, on_warning=seen.append)
    assert "visit_dat3" in cohort.visits.columns  # kept as an extra column
    (problem,) = seen
    assert (problem.file, problem.field) == ("visits.csv", "visit_dat3")
    assert problem.message.startswith("is not a known column but looks like visit_date (also in")


def test_without_a_callback_the_warning_is_issued(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(
        visits="patient_id,visit_date,visit_dat3\nP1,2020-01-06,x\nP1,2020-03-02,\nP2,2021-05-03,\n"
    )
    with pytest.warns(CohortWarning, match="visit_dat3: is not a known column") as caught:
        read(folder, today=TODAY)
    assert isinstance(caught[0].message, CohortWarning)
    assert caught[0].message.problem.field == "visit_dat3"


def test_unlike_extra_columns_are_kept_quietly(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients="patient_id,centre,study_arm,note\nP1,BCN,A,x\nP2,LYO,B,\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(read(folder, today=TODAY).patients.columns)[2:] == ["study_arm", "note"]


def test_no_two_known_columns_share_a_key() -> None:
    # Otherwise a look-alike could not say which known column it resembles.
    items = list(instrument_fields([m.DEFINITION for m in instrument_modules().values()]))
    for table, columns in SCHEMA.items():
        names = [c.name for c in columns] + (items if table == "visits" else [])
        keys = [column_key(name) for name in names]
        assert len(set(keys)) == len(keys), table


def test_no_known_column_is_a_look_alike_of_another() -> None:
    # A known column of a table is never refused for resembling another of the same table.
    for table, columns in SCHEMA.items():
        names = [c.name for c in columns]
        errors, found = header_problems(names, known=names, required=(), file=table)
        assert (errors, found) == ([], []), table


def test_cutoff_edges() -> None:
    known = ["platelets"]
    # difflib ratio 2*M/T: 'platelet' 16/17 = 0.94 is a look-alike; 'plat' 8/13 = 0.62 is not.
    assert header_problems(["platelet"], known=known, required=(), file="v")[0]
    assert not header_problems(["plat"], known=known, required=(), file="v")[0]
    assert 8 / 13 < LOOKALIKE_CUTOFF <= 16 / 17


def test_the_message_shows_the_name_as_written(folder_of: Callable[..., Path]) -> None:
    # A leading space is invisible in "visits.csv:  anc:"; the quoted value shows it.
    (problem,) = _refusals(folder_of(visits=VISITS.format(" anc")))
    assert problem.value == " anc"
    assert "(got ' anc')" in str(problem)
