"""``clears score nrs`` on examples/score/nrs.json: itch 7 and pain 3, as given.

Itch NRS bands of Reich 2012 (docs/instruments/core-outcome-set.md): 7-8 is severe, so an
itch of 7 is "severe"; pain has no bands.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._properties import invoke

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "nrs.json"


def _score(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = invoke(["score", *args], cwd=tmp_path)
    return done.code, done.stdout, done.stderr


def test_the_example_gives_each_rating_and_the_itch_band(tmp_path: Path) -> None:
    code, out, err = _score(tmp_path, "nrs", str(EXAMPLE))
    assert code == 0, err
    result = json.loads(out)
    assert (result["itch"], result["itch_band"], result["pain"]) == (7, "severe", 3)
    assert "pain_band" not in result
