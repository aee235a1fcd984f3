"""Messages that help (issue 22): a long value is echoed cut with its length, one extra cell
on the first data row is one problem that says so, a Latin-1 file names the encoding, the
line and the fix; for cohort folders, REDCap files and the JSON API alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clears._exceptions import ECHOED_CHARACTERS, InputError
from clears.cohort import read
from clears.registry.exports.redcap_flat import read_redcap

TODAY = dt.date(2030, 1, 1)
PATIENTS = "patient_id,centre,sex,birth_year\nP1,BCN,female,1970\nP2,BCN,male,1980\n"
TREATMENTS = "patient_id,drug,start_date,dose_mg_per_day\nP1,lenalidomide,2024-01-01,10\n"
VISITS = "patient_id,visit_date,clasi_a,clasi_d\nP1,2024-01-01,10,2\n"
REDCAP = "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance\n"


def _folder(tmp_path: Path, patients: bytes) -> Path:
    (tmp_path / "patients.csv").write_bytes(patients)
    (tmp_path / "treatments.csv").write_text(TREATMENTS)
    (tmp_path / "visits.csv").write_text(VISITS)
    return tmp_path


def _problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    return [str(p) for p in caught.value.problems]


@pytest.mark.slow
def test_a_long_value_is_echoed_cut_with_its_length(tmp_path: Path) -> None:
    cell = "9" * 5_000_000  # stands for a 200 MB cell: the message must not grow with it
    text = PATIENTS.replace("1970", cell)
    (problem,) = _problems(_folder(tmp_path, text.encode()))
    assert "birth_year" in problem
    assert "5,000,000 characters in all" in problem
    assert len(problem) < 400
    assert "9" * ECHOED_CHARACTERS in problem
    assert "9" * (ECHOED_CHARACTERS + 1) not in problem


def test_one_extra_cell_on_the_first_row_is_one_problem_saying_so(tmp_path: Path) -> None:
    text = PATIENTS.replace("P1,BCN,female,1970", "P1,BCN,female,1970,extra")
    problems = _problems(_folder(tmp_path, text.encode()))
    assert problems == [
        "patients.csv, row 1: (row): has 1 more cell than the header (5 cells; the header "
        "has 4) (line 2 of the file); allowed: a UTF-8 CSV table: a header row, then rows "
        "with one cell per header column"
    ]


def test_a_latin1_file_names_the_encoding_the_line_and_the_fix(tmp_path: Path) -> None:
    text = PATIENTS.replace("P2,BCN", "P2,Bé")
    (problem,) = _problems(_folder(tmp_path, text.encode("latin-1")))
    assert "is not UTF-8 text: byte 0xE9" in problem
    assert "(line 3)" in problem
    assert "Latin-1 / Windows-1252" in problem
    assert "save the file as UTF-8" in problem
    assert "codec" not in problem


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            REDCAP + "P1,visit_1_arm_1,,,x\n" + "P1,visit_2_arm_1,,\n",
            "has 1 more cell than the header (5 cells; the header has 4) (line 2 of the file)",
        ),
        (REDCAP + "P\u00e9,visit_1_arm_1,,\n", "(it looks like Latin-1 / Windows-1252 text)"),
    ],
)
def test_redcap_files_are_read_as_strictly(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "records.csv"
    path.write_bytes(body.encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_redcap(path, centre="BCN", today=TODAY)
    (problem,) = caught.value.problems
    assert expected in problem.message
    assert problem.file == "records.csv"


@pytest.mark.slow
def test_the_meta_studies_file_is_read_as_strictly(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from clears.cli.main import app

    path = tmp_path / "studies.csv"
    path.write_bytes("study,events,n\nAitmehdi,10,20\nCortés,5,10\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["meta", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    (problem,) = result.exception.problems
    assert "(line 3)" in problem.message
    assert "Latin-1 / Windows-1252" in problem.message
    path.write_text("study,events,n\nAitmehdi,10,20,extra\nCortes,5,10\n")
    result = CliRunner().invoke(app, ["meta", str(path)])
    assert isinstance(result.exception, InputError)
    (problem,) = result.exception.problems
    assert problem.row == 1
    assert problem.message.startswith("has 1 more cell than the header")
    path.write_text("study,events,n\nAitmehdi,10,20\nCortes,5,10\n")
    assert CliRunner().invoke(app, ["meta", str(path)]).exit_code == 0
