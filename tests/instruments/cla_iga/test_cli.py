"""``clears score cla-iga`` on examples/score/cla_iga.json: grade 1 is "almost clear"
(the grade labels of docs/instruments/core-outcome-set.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._properties import invoke

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "cla_iga.json"


def _score(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = invoke(["score", *args], cwd=tmp_path)
    return done.code, done.stdout, done.stderr


def test_the_example_grade_has_its_label(tmp_path: Path) -> None:
    code, out, err = _score(tmp_path, "cla-iga", str(EXAMPLE))
    assert code == 0, err
    result = json.loads(out)
    assert (result["grade"], result["label"]) == (1, "almost clear")
