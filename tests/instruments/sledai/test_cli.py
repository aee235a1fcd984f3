"""``clears score sledai`` end to end (exit 0 with a score; exit 1 naming the field).

Expected scores are the published weights (Gladman 2002; docs/instruments/sledai.md)
added by hand for examples/score/sledai.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._cli import clears

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "sledai.json"


def test_example_scores_under_sledai2k(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "score", "sledai", str(EXAMPLE)) == 0
    data = json.loads(capsys.readouterr().out)
    # arthritis 4 + rash (persistent) 2 + alopecia (new) 2 + low complement 2 + DNA 2 = 12
    assert (data["score"], data["variant"], data["instrument"]) == (12, "sledai2k", "SLEDAI-2K")
    assert data["interpretation"]["band"] == "high"  # > 10


def test_example_scores_under_selena(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "score", "sledai", str(EXAMPLE), "--variant", "selena") == 0
    data = json.loads(capsys.readouterr().out)
    # the persistent rash no longer counts: 12 - 2 = 10
    assert (data["score"], data["instrument"]) == (10, "SELENA-SLEDAI")
    assert [d["key"] for d in data["not_counted"]] == ["rash"]


def test_text_format(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert clears(monkeypatch, "score", "sledai", str(EXAMPLE), "--format", "text") == 0
    out = capsys.readouterr().out
    assert out.startswith("SLEDAI-2K: 12 / 105 (window 10 days)")
    assert "working: 4 + 2 + 2 + 2 + 2 = 12" in out


def test_bad_input_exits_1_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    record["fever"] = "yes"
    del record["cva"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record), encoding="utf-8")
    assert clears(monkeypatch, "score", "sledai", str(bad)) == 1
    err = capsys.readouterr().err
    assert "fever: not an allowed value (got 'yes'); allowed: true or false" in err
    assert "cva: is missing" in err


def test_selena_bare_true_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = json.loads(EXAMPLE.read_text(encoding="utf-8")) | {"rash": True}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record), encoding="utf-8")
    assert clears(monkeypatch, "score", "sledai", str(bad), "--variant", "selena") == 1
    assert "rash: SELENA-SLEDAI needs to know" in capsys.readouterr().err


def test_unknown_variant_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clears(monkeypatch, "score", "sledai", str(EXAMPLE), "--variant", "bilag") == 2
