"""``clears score dlqi``, run in this process through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_the_example_has_one_item_not_relevant_and_one_unanswered(tmp_path: Path) -> None:
    # examples/score/dlqi.json: q1-q9 = 3, 2, 1, 0, not relevant (9, scores 0), 1, 3, 2, 1 and
    # q10 unanswered, scored 0 (Finlay: one unanswered item scores 0): 13, which Hongbo 2005
    # reads as a very large effect (11-20).
    example = Path(__file__).parents[3] / "examples" / "score" / "dlqi.json"
    code, out, err = run(tmp_path, "dlqi", str(example), stdin="")
    assert code == 0, err
    result = json.loads(out)
    assert (result["total"], result["band"], result["imputed"]) == (13, "very large effect", True)
    assert (result["unanswered"], result["not_relevant"]) == (["q10"], ["q5"])


def test_bad_input_exits_1_naming_the_field(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "dlqi", "-", stdin=json.dumps({"q1": 9}))
    assert code == 1
    assert "q1: not an allowed level (got 9)" in err
    assert "Traceback" not in err
