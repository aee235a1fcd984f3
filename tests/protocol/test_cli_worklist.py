"""``clears advise --all --alerts``: the safety worklist from a cohort folder or the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._cli import clears

AS_OF = "2024-01-09"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """F1 (BCN) with a performed positive pregnancy test; M1 (LYO) a man on 5 mg/day."""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "patients.csv").write_text(
        "patient_id,centre,sex,birth_year,smoking,reproductive_potential\n"
        "F1,BCN,female,1990,never,true\nM1,LYO,male,1970,never,\n",
        encoding="utf-8",
    )
    (cohort / "treatments.csv").write_text(
        "patient_id,drug,start_date,dose_mg_per_day,end_date,regimen\n"
        "F1,lenalidomide,2024-01-01,5,,5 mg daily\nM1,lenalidomide,2024-01-01,5,,5 mg daily\n",
        encoding="utf-8",
    )
    (cohort / "visits.csv").write_text(
        "patient_id,visit_date,clasi_a,anc,platelets,wbc,hb,pregnancy_test\n"
        "F1,2024-01-01,10,3.0,200,6.0,13.0,negative\n"
        "F1,2024-01-08,8,3.0,200,6.0,13.0,positive\n"
        "M1,2024-01-01,10,3.0,200,6.0,13.0,\n",
        encoding="utf-8",
    )
    return cohort


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    payload: dict[str, object] = json.loads(capsys.readouterr().out)
    return payload


@pytest.mark.slow
def test_json_worklist_puts_the_stop_first(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "advise", str(folder), "--all", "--alerts", "--as-of", AS_OF) == 0
    payload = _json(capsys)
    assert payload["as_of"] == AS_OF
    assert payload["n_screened"] == 2
    patients = payload["patients"]
    assert isinstance(patients, list)
    first = patients[0]
    # lenalidomide label, boxed warning (embryo-fetal toxicity): a positive test stops it
    assert (first["patient_id"], first["centre"], first["level"]) == ("F1", "BCN", "stop")
    assert first["dose"]["action"] == "stop"
    assert all(a["level"] != "info" for p in patients for a in p["alerts"])


@pytest.mark.slow
def test_text_worklist_and_centre_filter(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["advise", str(folder), "--all", "--alerts", "--as-of", AS_OF, "--format", "text"]
    assert clears(monkeypatch, *args, "--centre", "LYO") == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Safety worklist as of {AS_OF}")
    assert "F1" not in text
    assert clears(monkeypatch, *args, "--centre", "BCN", "--centre", "LYO") == 0
    assert "[STOP] F1 (BCN)" in capsys.readouterr().out


def test_unknown_centre_is_bad_input(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = clears(
        monkeypatch, "advise", str(folder), "--all", "--alerts", "--as-of", AS_OF, "--centre", "XX"
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "centre" in err
    assert "XX" in err
    assert "BCN, LYO" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--alerts"],  # needs --all
        ["--patient", "F1", "--alerts"],
        ["--all", "--alerts", "--deviations"],
        ["--all", "--centre", "BCN"],  # --centre belongs to the worklist
    ],
)
def test_usage_errors_exit_2(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    assert clears(monkeypatch, "advise", str(folder), *args) == 2


def test_folder_and_db_together_or_neither_is_a_usage_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert clears(monkeypatch, "advise", "--all", "--alerts") == 2
    assert clears(monkeypatch, "advise", str(folder), "--db", url, "--all", "--alerts") == 2


@pytest.mark.slow  # over a second in --durations
def test_worklist_from_the_registry_matches_the_folder(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    assert clears(monkeypatch, "db", "init", "--db", url) == 0
    assert clears(monkeypatch, "import", str(folder), "--db", url) == 0
    capsys.readouterr()
    base = ["advise", "--all", "--alerts", "--as-of", AS_OF]
    assert clears(monkeypatch, *base, "--db", url) == 0
    from_db = _json(capsys)
    assert clears(monkeypatch, *base, str(folder)) == 0
    from_folder = _json(capsys)
    assert from_db["patients"] == from_folder["patients"]
    assert clears(monkeypatch, *base, "--db", url, "--centre", "LYO") == 0
    only = _json(capsys)
    assert only["n_screened"] == 1
