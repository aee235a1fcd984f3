"""``clears score clasi`` end to end, through the real entry point (exit codes included)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from tests._cli import clears_subprocess

#: Every test here starts the command in a child process.
pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "clasi.json"
PARTIAL_EXAMPLE = EXAMPLE.with_name("clasi_partial.json")


run = functools.partial(clears_subprocess, "score", "clasi")


def test_json_output_for_the_bundled_example() -> None:
    done = run(str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # Worked in clasi/test_record.test_bundled_example: activity 17, damage 12, moderate.
    assert (out["activity"], out["damage"], out["severity"]) == (17, 12, "moderate")
    assert out["reference"]["doi"] == "10.1111/j.0022-202X.2005.23889.x"


def test_text_output_from_stdin() -> None:
    done = run("-", "--format", "text", stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert "activity 17/70, damage 12/56, severity moderate" in done.stdout
    assert "Nose (incl. malar area)" in done.stdout


def test_bad_input_exits_1_naming_the_field() -> None:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    payload["areas"]["scalp"]["scarring"] = 1
    payload["alopecia"] = 7
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "areas.scalp.scarring: the scalp has no per-area scarring" in done.stderr
    assert "alopecia: not an allowed level (got 7)" in done.stderr


def test_missing_items_need_partial() -> None:
    done = run(str(PARTIAL_EXAMPLE))
    assert done.returncode == 1, done.stderr
    assert "is missing" in done.stderr
    done = run(str(PARTIAL_EXAMPLE), "--partial")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # Face erythema 2 + scale 1 + ears erythema 1 = 4 activity; ears dyspigmentation 1 = 1.
    assert (out["activity"], out["damage"], out["partial"]) == (4, 1, True)
    # 56 items - 6 given = 50 missing.
    assert len(out["missing"]) == 50


def test_usage_error_exits_2() -> None:
    done = run("--format", "xml", str(EXAMPLE))
    assert done.returncode == 2, done.stderr
