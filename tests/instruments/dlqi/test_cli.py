"""``clears score dlqi|nrs|ptga|cla-iga``, run in this process through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli._properties import invoke


def run(tmp_path: Path, *args: str, stdin: str) -> tuple[int, str, str]:
    done = invoke(["score", *args], cwd=tmp_path, stdin=stdin)
    return done.code, done.stdout, done.stderr


def test_dlqi_json_output(tmp_path: Path) -> None:
    # Finlay: all ten items 3 = 30, "extremely large effect" (Hongbo 2005).
    stdin = json.dumps({f"q{n}": 3 for n in range(1, 11)})
    code, out, err = run(tmp_path, "dlqi", "-", stdin=stdin)
    assert code == 0, err
    result = json.loads(out)
    assert (result["total"], result["band"]) == (30, "extremely large effect")


def test_dlqi_text_output_with_two_unanswered(tmp_path: Path) -> None:
    stdin = json.dumps({f"q{n}": 1 for n in range(1, 9)})
    code, out, err = run(tmp_path, "dlqi", "-", "--format", "text", stdin=stdin)
    assert code == 0, err
    assert "not scored (2 items unanswered)" in out


@pytest.mark.parametrize(
    ("command", "payload", "key", "expected"),
    [
        ("nrs", {"itch": 7, "pain": 3}, "itch_band", "severe"),
        ("ptga", {"rating": 4}, "rating", 4),
        ("cla-iga", {"grade": 1}, "label", "almost clear"),
    ],
)
def test_the_simple_measures(
    tmp_path: Path, command: str, payload: dict[str, int], key: str, expected: object
) -> None:
    code, out, err = run(tmp_path, command, "-", stdin=json.dumps(payload))
    assert code == 0, err
    assert json.loads(out)[key] == expected


def test_bad_input_exits_1_naming_the_field(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "dlqi", "-", stdin=json.dumps({"q1": 9}))
    assert code == 1
    assert "q1: not an allowed level (got 9)" in err
    assert "Traceback" not in err
