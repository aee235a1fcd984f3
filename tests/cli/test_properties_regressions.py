"""Inputs that once crashed a command (a traceback instead of a message), one test each.

Each runs the command as a user does (a child process) and expects exit 1 with one line that
names the file and the problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._cli import clears_subprocess

_HUGE = "9" * 5001  # more digits than int() converts by default (4,300)


def _only_problem(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("  - ")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("instrument", ["clasi", "sledai", "flare", "ctcae"])
def test_score_refuses_json_nested_100000_deep(tmp_path: Path, instrument: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    done = clears_subprocess("score", instrument, str(path))
    assert done.returncode == 1
    line = _only_problem(done.stderr)
    assert str(path) in line
    assert "nesting limit" in line


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("instrument", ["clasi", "ctcae"])
def test_score_refuses_an_integer_of_5001_digits(instrument: str) -> None:
    done = clears_subprocess("score", instrument, "-", stdin='{"value": ' + _HUGE + "}")
    assert done.returncode == 1
    line = _only_problem(done.stderr)
    assert "stdin" in line
    assert "out of range" in line
    assert len(line) < 300


@pytest.mark.slow  # over a second in --durations
def test_score_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"test": "hémoglobine"}'.encode("latin-1"))
    done = clears_subprocess("score", "ctcae", str(path))
    assert done.returncode == 1
    assert "not UTF-8" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("literal", ["NaN", "Infinity"])
def test_score_refuses_nan_and_infinity(literal: str) -> None:
    record = '{"test": "neutrophils", "value": ' + literal + ', "unit": "10^9/L"}'
    done = clears_subprocess("score", "ctcae", "-", stdin=record)
    assert done.returncode == 1
    assert "not an allowed value" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("column", ["events", "n"])
def test_meta_refuses_a_count_of_5001_digits(tmp_path: Path, column: str) -> None:
    counts = {"events": "3", "n": "10"} | {column: _HUGE}
    path = tmp_path / "studies.csv"
    path.write_text(f"study,events,n\nA,{counts['events']},{counts['n']}\nB,3,10\n")
    done = clears_subprocess("meta", str(path))
    assert done.returncode == 1
    line = _only_problem(done.stderr)
    assert str(path) in line
    assert f"{column}: number out of range" in line
    assert len(line) < 300


@pytest.mark.slow  # over a second in --durations
def test_meta_refuses_a_count_beyond_a_64_bit_integer(tmp_path: Path) -> None:
    # 10**30 parses as a float that equals an integer; casting it to int64 overflowed.
    path = tmp_path / "studies.csv"
    path.write_text(f"study,events,n\nA,3,{10**30}\nB,3,10\n")
    done = clears_subprocess("meta", str(path))
    assert done.returncode == 1
    assert "n: number out of range" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
def test_meta_still_reads_a_negative_count_as_negative(tmp_path: Path) -> None:
    path = tmp_path / "studies.csv"
    path.write_text("study,events,n\nA,-1,10\nB,3,10\n")
    done = clears_subprocess("meta", str(path))
    assert done.returncode == 1
    assert "events: negative" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
def test_meta_extra_refuses_a_huge_count(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "study_id,drug,n_treated,n_evaluable,source,n_cr,n_any_response\n"
        f"x1,lenalidomide,10,{10**22},own series,1,2\n"
    )
    done = clears_subprocess("meta", "--bundled", "--extra", str(path))
    assert done.returncode == 1
    assert "n_evaluable: number out of range" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("option", [[], ["--bundled", "--extra"]])
def test_meta_refuses_a_folder_given_as_the_csv(tmp_path: Path, option: list[str]) -> None:
    done = clears_subprocess("meta", *option, str(tmp_path))
    assert done.returncode == 1
    assert "cannot be read" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("add", ["1e100", "1e308", "inf", "1.5"])
def test_meta_refuses_a_continuity_correction_beyond_1(tmp_path: Path, add: str) -> None:
    # 1e100 overflowed the logit transform; 1e308 divided by zero.
    path = tmp_path / "studies.csv"
    path.write_text("study,events,n\nA,0,10\nB,0,12\nC,0,5\n")
    done = clears_subprocess("meta", str(path), "--add", add, "--to", "all")
    assert done.returncode == 1
    assert "add: out of range" in _only_problem(done.stderr)


@pytest.mark.slow  # over a second in --durations
def test_meta_accepts_a_correction_of_1(tmp_path: Path) -> None:
    path = tmp_path / "studies.csv"
    path.write_text("study,events,n\nA,0,10\nB,0,12\nC,0,5\n")
    assert clears_subprocess("meta", str(path), "--add", "1", "--to", "all").returncode == 0


@pytest.mark.slow  # over a second in --durations
def test_meta_leave_one_out_prints_an_undefined_i2_as_not_available(tmp_path: Path) -> None:
    # GLMM without a continuity correction has no Q (and so no I2) once a study with 0 or
    # all events is left in: the text output formatted None and crashed.
    path = tmp_path / "studies.csv"
    path.write_text("study,events,n\nA,0,10\nB,3,12\nC,12,12\n")
    done = clears_subprocess("meta", str(path), "--leave-one-out", "--method", "GLMM", "--add", "0")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("  without ")]
    assert len(lines) == 3
    assert any(line.endswith("I2=n/a") for line in lines)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--n", "2", "--seed", "-1", "--out", "{out}"],
        ["design", "power", "--treatment", "0.5", "--p0", "0.2", "--seed", "-1"],
        ["demo", "--n", "2", "--seed", "-1", "--out", "{out}"],
    ],
)
def test_a_negative_seed_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    # numpy.random.default_rng(-1) raised "expected non-negative integer".
    out = tmp_path / "out"
    done = clears_subprocess(*(arg.format(out=out) for arg in args))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "--seed" in done.stderr
    assert not out.exists()


@pytest.mark.slow  # over a second in --durations
def test_design_power_refuses_a_plot_that_is_not_png_before_simulating(tmp_path: Path) -> None:
    # matplotlib raised "Format 'txt' is not supported" after the whole simulation.
    plot = tmp_path / "power.txt"
    done = clears_subprocess(
        "design", "power", "--treatment", "0.5", "--p0", "0.2", "--n-sim", "20",
        "--plot", str(plot),
    )  # fmt: skip
    assert done.returncode == 2
    assert "not a .png file" in done.stderr
    assert not plot.exists()
