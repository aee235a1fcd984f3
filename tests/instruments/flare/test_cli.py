"""``clears score flare`` end to end, with its options.

Expected classes follow the published rules (SFI: ARD table [S], docs/instruments/flare.md
"Rules"; Cortés-Hernández 2012 Methods: change > 3 mild, > 12 severe), applied by hand to
examples/score/flare.json (SLEDAI 4 -> 8, change 4).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._cli import clears

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "flare.json"


def test_example_under_sfi(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "score", "flare", str(EXAMPLE)) == 0
    data = json.loads(capsys.readouterr().out)
    # change 4 >= 3; prednisone 15 mg <= 0.5 x 62 = 31 mg; HCQ; arthritis; PGA +1.1 to 1.9
    assert data["flare"] == "mild_moderate"
    assert data["readings"] == {"mild": "ge3", "severe": "to"}
    assert {c["level"] for c in data["criteria"]} == {"mild_moderate"}


def test_example_under_cortes2012(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "score", "flare", str(EXAMPLE), "--rule", "cortes2012") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["flare"], data["rule"]) == ("mild", "cortes2012")  # change 4 > 3
    assert data["readings"] == {"mild": "gt3", "severe": "change"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), "severe"),  # 0 -> 13: change 13 >= 3 to > 12
        (("--severe-reading", "change"), "severe"),  # change 13 > 12
        (("--rule", "cortes2012"), "severe"),
    ],
)
def test_options_from_stdin(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    expected: str,
) -> None:
    payload = json.dumps({"previous": {"sledai": 0}, "current": {"sledai": 13}})
    assert clears(monkeypatch, "score", "flare", "-", *options, stdin=payload) == 0
    assert json.loads(capsys.readouterr().out)["flare"] == expected


@pytest.mark.slow
def test_severe_and_mild_readings_change_the_class(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = json.dumps({"previous": {"sledai": 5}, "current": {"sledai": 14}})  # change 9
    assert clears(monkeypatch, "score", "flare", "-", stdin=payload) == 0
    assert json.loads(capsys.readouterr().out)["flare"] == "severe"  # to 14 > 12
    args = ("score", "flare", "-", "--severe-reading", "change")
    assert clears(monkeypatch, *args, stdin=payload) == 0
    assert json.loads(capsys.readouterr().out)["flare"] == "mild_moderate"  # 9 <= 12
    payload = json.dumps({"previous": {"sledai": 5}, "current": {"sledai": 8}})  # change 3
    assert clears(monkeypatch, "score", "flare", "-", "--mild-reading", "gt3", stdin=payload) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["flare"], data["readings"]["mild"]) == ("none", "gt3")


def test_text_format(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert clears(monkeypatch, "score", "flare", str(EXAMPLE), "-f", "text") == 0
    out = capsys.readouterr().out
    assert out.startswith("Flare (sfi): mild_moderate")
    assert "readings: mild ge3, severe to" in out


def test_bad_input_exits_1_naming_fields(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = json.dumps(
        {"previous": {"sledai": 4}, "current": {"sledai": 200}, "new_drugs": ["aspirin"]}
    )
    assert clears(monkeypatch, "score", "flare", "-", stdin=payload) == 1
    err = capsys.readouterr().err
    assert "current.sledai: out of range (got 200); allowed: 0 to 105" in err
    assert "new_drugs[0]: unknown value (got 'aspirin')" in err


def test_missing_weight_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del record["weight_kg"]
    assert clears(monkeypatch, "score", "flare", "-", stdin=json.dumps(record)) == 1
    assert "weight_kg: is needed when prednisone increased" in capsys.readouterr().err
