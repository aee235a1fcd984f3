"""Property tests of the commands that read a cohort folder: whatever the folder holds, they
exit 0, 1 or 2 without a traceback, and write nothing when they fail.

Folders are drawn by :func:`tests.cli._properties.cohort_folders`: the example cohort with
rows drawn from the schema, then often a hostile cell or a damaged file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.cli._properties import (
    CohortPlan,
    check_contract,
    cohort_folders,
    database_dump,
    few,
    invoke,
    odd_dates,
)

_FEW = few(12)
_VERY_FEW = few(5)

_PATIENTS = st.sampled_from(["P01", "P02", "p01", "P99", "", "P0'1", "x" * 300])


@pytest.mark.slow  # over a second in --durations
@_FEW
@given(plan=cohort_folders(), today=st.none() | odd_dates, fmt=st.sampled_from(["text", "json"]))
def test_cohort_validate_keeps_the_contract(plan: CohortPlan, today: str | None, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = plan.build(Path(work) / "cohort")
        args = ["cohort", "validate", str(folder), "--format", fmt]
        check_contract(
            invoke([*args, *(["--today", today] if today is not None else [])], cwd=folder)
        )


@pytest.mark.slow  # over a second in --durations
@_FEW
@given(
    plan=cohort_folders(),
    criteria=st.sampled_from(["aitmehdi2021", "cortes2012", "no_such_preset", "missing.toml"]),
    fmt=st.sampled_from(["csv", "json", "xml"]),
    table=st.sampled_from(["outcomes", "summary", "compare"]),
    days=st.sampled_from(["30", "0", "-1", "99999999999", "x"]),
)
def test_outcomes_keeps_the_contract_and_writes_nothing_on_failure(
    plan: CohortPlan, criteria: str, fmt: str, table: str, days: str
) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = plan.build(Path(work) / "cohort")
        out = Path(work) / "outcomes.out"
        args = [
            "outcomes",
            str(folder),
            "--criteria",
            criteria,
            "--format",
            fmt,
            "--table",
            table,
            "--sustained-days",
            days,
            "--out",
            str(out),
        ]
        check_contract(invoke(args, cwd=Path(work)), outputs=[out])


@pytest.mark.slow  # over a second in --durations
@_FEW
@given(
    plan=cohort_folders(),
    patient=_PATIENTS,
    as_of=st.none() | odd_dates,
    mode=st.sampled_from([[], ["--all"], ["--all", "--alerts"], ["--all", "--deviations"]]),
    protocol=st.sampled_from(["cortes2012", "no_such_protocol", "missing.toml"]),
)
def test_advise_keeps_the_contract(
    plan: CohortPlan, patient: str, as_of: str | None, mode: list[str], protocol: str
) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = plan.build(Path(work) / "cohort")
        args = ["advise", str(folder), "--protocol", protocol, *mode]
        if not mode:
            args += ["--patient", patient]
        if as_of is not None:
            args += ["--as-of", as_of]
        check_contract(invoke(args, cwd=Path(work)))


@pytest.mark.slow
@_VERY_FEW
@given(plan=cohort_folders(), xlsx=st.booleans())
def test_report_keeps_the_contract_and_writes_nothing_on_failure(
    plan: CohortPlan, xlsx: bool
) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = plan.build(Path(work) / "cohort")
        html, table = Path(work) / "report.html", Path(work) / "tables.xlsx"
        args = ["report", str(folder), "--out", str(html)]
        if xlsx:
            args += ["--tables-xlsx", str(table)]
        check_contract(invoke(args, cwd=Path(work)), outputs=[html, table])


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry database with every migration applied, copied by each example."""
    path = tmp_path_factory.mktemp("registry") / "template.db"
    done = invoke(["db", "init", "--db", f"sqlite:///{path}"], cwd=path.parent)
    assert done.code == 0, done.stderr
    return path


@pytest.mark.slow
@_VERY_FEW
@given(plan=cohort_folders(), today=st.none() | odd_dates)
def test_import_keeps_the_contract_and_leaves_the_database_unchanged_on_failure(
    migrated: Path, plan: CohortPlan, today: str | None
) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = plan.build(Path(work) / "cohort")
        db = Path(work) / "registry.db"
        db.write_bytes(migrated.read_bytes())
        before = database_dump(db)
        args = ["import", str(folder), "--db", f"sqlite:///{db}"]
        if today is not None:
            args += ["--today", today]
        done = invoke(args, cwd=Path(work))
        check_contract(done)
        if done.code != 0:
            assert database_dump(db) == before
