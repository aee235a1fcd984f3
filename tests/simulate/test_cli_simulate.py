"""``clears simulate``: a valid cohort folder, byte-identical per seed, option rejections."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._cli import clears

TABLES = ("patients", "treatments", "visits", "adverse_events", "flares")


def _flat(text: str) -> str:
    """Error text without the terminal box drawing and line wrapping."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


@pytest.mark.slow  # over a second in --durations
def test_writes_a_folder_that_cohort_validate_accepts(monkeypatch, capsys, tmp_path):
    out = tmp_path / "cohort"
    code = clears(monkeypatch, "simulate", "--preset", "cortes2012", "--n", "20", "--seed",
                  "3", "--out", str(out))  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "wrote 20 simulated patients (simulated:cortes2012)" in capsys.readouterr().out
    assert all((out / f"{t}.csv").is_file() for t in TABLES)
    assert clears(monkeypatch, "cohort", "validate", str(out)) == 0, capsys.readouterr()


def _run(monkeypatch, folder: Path, seed: str) -> dict[str, bytes]:
    code = clears(monkeypatch, "simulate", "--n", "15", "--seed", seed, "--out", str(folder))
    assert code == 0
    return {t: (folder / f"{t}.csv").read_bytes() for t in TABLES}


@pytest.mark.slow  # over a second in --durations
def test_same_seed_byte_identical_other_seed_differs(monkeypatch, capsys, tmp_path):
    a = _run(monkeypatch, tmp_path / "a", "11")
    b = _run(monkeypatch, tmp_path / "b", "11")
    c = _run(monkeypatch, tmp_path / "c", "12")
    assert a == b
    assert a["visits"] != c["visits"]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--preset", "nope"], ["'--preset'", "'nope'", "aitmehdi2021, cortes2012"]),
        (["--n", "0"], ["'--n'", "1 to 100000"]),
        (["--n", "100001"], ["'--n'", "1 to 100000"]),
        (["--n", "many"], ["'--n'", "integer"]),
        ([], ["'--out'", "--calibration"]),
    ],
)
def test_bad_options_exit_2_naming_option_and_allowed(monkeypatch, capsys, tmp_path, args,
                                                       needles):  # fmt: skip
    extra = ["--out", str(tmp_path / "x")] if args else []
    assert clears(monkeypatch, "simulate", *args, *extra) == 2
    err = _flat(capsys.readouterr().err)
    for needle in needles:
        assert needle in err, err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_calibration_report_prints_figures_method_and_contradictions(monkeypatch, capsys):
    code = clears(monkeypatch, "simulate", "--preset", "cortes2012", "--n", "150",
                  "--calibration")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    # Cortés-Hernández 2012 Results: 9/12 relapse after complete response = 0.75.
    assert "relapse after CR" in out
    assert "0.75" in out
    assert "method: 150 simulated patients" in out
    assert "contradictions" in out
