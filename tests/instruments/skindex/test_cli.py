"""``clears score skindex``, run in this process through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._properties import invoke


def run(tmp_path: Path, *args: str, stdin: str) -> tuple[int, str, str]:
    done = invoke(["score", *args], cwd=tmp_path, stdin=stdin)
    return done.code, done.stdout, done.stderr


def test_the_example_by_hand(tmp_path: Path) -> None:
    # examples/score/skindex.json (hand calculation in test_record.py): symptoms 50,
    # emotions 65 (severe, >= 39), lupus not scored (1 of 3 blank).
    example = Path(__file__).parents[3] / "examples" / "score" / "skindex.json"
    code, out, err = run(tmp_path, "skindex", str(example), stdin="")
    assert code == 0, err
    result = json.loads(out)
    assert result["domains"]["symptoms"] == 50.0
    assert result["domains"]["emotions"] == 65.0
    assert result["domains"]["lupus"] is None
    assert result["severe"]["emotions"] is True


def test_max_missing_option(tmp_path: Path) -> None:
    stdin = json.dumps({"q31": 4, "q32": 4})
    code, out, err = run(tmp_path, "skindex", "-", "--max-missing", "0.5", stdin=stdin)
    assert code == 0, err
    assert json.loads(out)["domains"]["lupus"] == 100.0


def test_text_output_and_bad_input(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "skindex", "-", "-f", "text", stdin="{}")
    assert code == 0, err
    assert "not scored (too many items unanswered)" in out
    code, _, err = run(tmp_path, "skindex", "-", stdin=json.dumps({"q1": 7}))
    assert code == 1
    assert "q1: not an allowed level (got 7)" in err
    assert "Traceback" not in err
