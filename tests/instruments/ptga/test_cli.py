"""``clears score ptga`` on examples/score/ptga.json: the patient's 0-10 rating, as given."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._properties import invoke

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "ptga.json"


def _score(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = invoke(["score", *args], cwd=tmp_path)
    return done.code, done.stdout, done.stderr


def test_the_example_gives_the_rating_as_given(tmp_path: Path) -> None:
    code, out, err = _score(tmp_path, "ptga", str(EXAMPLE))
    assert code == 0, err
    assert json.loads(out)["rating"] == 4
