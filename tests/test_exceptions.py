"""The exception tree and the problem messages users read."""

import pytest

import clears
from clears import ClearsError, InputError, NotFoundError, Problem


def test_tree() -> None:
    for exc in (
        clears.InputError,
        clears.ScoringError,
        clears.NotFoundError,
        clears.ConflictError,
        clears.ConvergenceError,
    ):
        assert issubclass(exc, ClearsError)
    assert issubclass(InputError, ValueError)
    assert issubclass(NotFoundError, LookupError)
    assert issubclass(clears.StatisticalWarning, UserWarning)


def test_problem_message_names_file_row_field_value_and_allowed() -> None:
    p = Problem("clasi_a", 71, "out of range", "0 to 70", file="visits.csv", row=3)
    assert str(p) == "visits.csv, row 3: clasi_a: out of range (got 71); allowed: 0 to 70"
    assert p.to_dict()["row"] == 3


def test_input_error_lists_every_problem() -> None:
    err = InputError([Problem("a", 1, "bad"), Problem("b", 2, "worse")])
    assert len(err.problems) == 2
    assert str(err).splitlines() == ["a: bad (got 1)", "b: worse (got 2)"]


def test_input_error_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        InputError([])
