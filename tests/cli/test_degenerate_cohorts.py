"""Degenerate cohorts: a header-only cohort, one without treatments, one missing a required
column; ``cohort validate``, ``outcomes`` and ``report`` refuse clearly or say why a result is
empty, never a traceback. Also: cohort warnings reach the user in every command that reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests._cli import clears

EXAMPLE = Path(__file__).parents[2] / "examples" / "cohort"
TABLES = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)


def _copy(tmp_path: Path, name: str, *, header_only: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / name
    shutil.copytree(EXAMPLE, folder)
    for table in header_only:
        path = folder / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def header_only(tmp_path: Path) -> Path:
    return _copy(tmp_path, "empty", header_only=TABLES)


@pytest.fixture
def untreated(tmp_path: Path) -> Path:
    """What a registry filled only by ``clears import-redcap`` exports: no treatment rows."""
    return _copy(tmp_path, "untreated", header_only=("treatments",))


@pytest.mark.slow
def test_header_only_cohort_is_valid_and_empty(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], header_only: Path
) -> None:
    code = clears(monkeypatch, "cohort", "validate", str(header_only), "--today", "2025-01-01")
    assert (code, capsys.readouterr().err) == (0, "")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("header_only", "The cohort has no patients, so there are no outcomes."),
        (
            "untreated",
            # examples/cohort has 6 patients (P01-P06).
            "None of the cohort's 6 patients has a lenalidomide treatment period (the "
            "treatments table has no rows), so there are no outcomes.",
        ),
    ],
)
def test_outcomes_of_a_cohort_without_treated_patients_say_why(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    fixture: str,
    reason: str,
) -> None:
    folder: Path = request.getfixturevalue(fixture)
    assert clears(monkeypatch, "outcomes", str(folder), "--format", "json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["outcomes"] == []
    assert err == f"note: {reason}\n"


@pytest.mark.slow
def test_outcomes_of_other_drug_only_say_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy(tmp_path, "thalidomide")
    path = folder / "treatments.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(rows).replace("lenalidomide", "thalidomide") + "\n", "utf-8")
    assert clears(monkeypatch, "outcomes", str(folder)) == 0
    periods = len(rows) - 1
    assert capsys.readouterr().err == (
        f"note: None of the cohort's 6 patients has a lenalidomide treatment period (none of "
        f"its {periods} treatment periods is of lenalidomide), so there are no outcomes.\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["header_only", "untreated"])
def test_report_of_a_cohort_without_treated_patients_says_why_in_each_section(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fixture: str,
) -> None:
    folder: Path = request.getfixturevalue(fixture)
    out = tmp_path / "report.html"
    assert clears(monkeypatch, "report", str(folder), "--out", str(out)) == 0
    capsys.readouterr()
    html = out.read_text(encoding="utf-8")
    expected = "no outcomes." if fixture == "header_only" else "treatments table has no rows"
    # One empty-section sentence per section: Patients, Response, CLASI over time, time to
    # event, treatment courses, safety.
    assert html.count(expected) == 6


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [("cohort", "validate"), ("outcomes",), ("report", "--out", "r.html")]
)
def test_missing_required_column_is_a_refusal_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: tuple[str, ...],
) -> None:
    folder = _copy(tmp_path, "no_dose")
    path = folder / "treatments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index("dose_mg_per_day")
    dropped = [",".join(c for i, c in enumerate(line.split(",")) if i != column) for line in lines]
    path.write_text("\n".join(dropped) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = (
        [*command[:2], str(folder), *command[2:]]
        if command[0] == "cohort"
        else [command[0], str(folder), *command[1:]]
    )
    assert clears(monkeypatch, *args) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "treatments.csv: dose_mg_per_day: required column is missing" in out + err
    assert not (tmp_path / "r.html").exists()


def _with_warning(tmp_path: Path, *, untreated: bool = True) -> Path:
    folder = _copy(tmp_path, "warned", header_only=("treatments",) if untreated else ())
    path = folder / "visits.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    widened = [lines[0] + ",visit_dat3"] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(widened) + "\n", encoding="utf-8")
    return folder


WARNING = (
    "visits.csv: visit_dat3: is not a known column but looks like visit_date (also in this "
    "file); it is kept as an extra column and read by nothing"
)


@pytest.mark.slow  # over a second in --durations
def test_cohort_validate_prints_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _with_warning(tmp_path)
    assert clears(monkeypatch, "cohort", "validate", str(folder), "--today", "2025-01-01") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "1 warning(s):"
    assert lines[2].startswith(f"  - {WARNING}")
    assert clears(monkeypatch, "cohort", "validate", str(folder), "-f", "json") == 0
    (warning,) = json.loads(capsys.readouterr().out)["warnings"]
    assert (warning["file"], warning["field"]) == ("visits.csv", "visit_dat3")


@pytest.mark.slow
@pytest.mark.parametrize("command", [("outcomes",), ("report", "--out", "r.html")])
def test_outcomes_and_report_print_warnings(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: tuple[str, ...],
) -> None:
    folder = _with_warning(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert clears(monkeypatch, command[0], str(folder), *command[1:]) == 0
    assert f"warning: {WARNING}" in capsys.readouterr().err


@pytest.mark.slow
def test_import_prints_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _with_warning(tmp_path, untreated=False)
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    assert clears(monkeypatch, "db", "init", "--db", url) == 0
    capsys.readouterr()
    assert clears(monkeypatch, "import", str(folder), "--db", url, "--today", "2025-01-01") == 0
    out, err = capsys.readouterr()
    assert out.startswith("imported ")
    assert f"warning: {WARNING}" in err


@pytest.mark.slow  # over a second in --durations
def test_report_from_a_registry_without_treatments_says_why(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    untreated: Path,
) -> None:
    # A registry filled without treatment periods (as by clears import-redcap).
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    assert clears(monkeypatch, "db", "init", "--db", url) == 0
    assert clears(monkeypatch, "import", str(untreated), "--db", url, "--today", "2025-01-01") == 0
    out = tmp_path / "report.html"
    assert clears(monkeypatch, "report", "--db", url, "--out", str(out)) == 0
    capsys.readouterr()
    assert out.read_text(encoding="utf-8").count("treatments table has no rows") == 6


@pytest.mark.slow
def test_cohort_validate_prints_warnings_beside_problems(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _with_warning(tmp_path)
    (folder / "flares.csv").write_text("patient_id,flare_date,severity\nP01,2020-01-06,x\n")
    assert clears(monkeypatch, "cohort", "validate", str(folder), "--today", "2025-01-01") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"1 problem(s) in {folder}:"
    assert lines[1].startswith("  - flares.csv, row 1: severity:")
    assert lines[2:4] == [
        "1 warning(s):",
        f"  - {WARNING} (got 'visit_dat3'); allowed: "
        + ("rename the column to visit_date, or give it a name unlike any known column"),
    ]
