"""derive(flare_severe_reading=...) and ``clears outcomes --flare-severe-reading`` at 12/13.

SELENA flare index (Petri M, et al. N Engl J Med 2005;353:2550-2558, SLEDAI criteria):
mild/moderate is an increase ≥ 3; severe is an increase to more than 12 ("to" reading) or,
in the other reading, an increase of more than 12 ("change"). Cortés-Hernández 2012
(doi:10.1186/ar4111): increase > 3 mild, > 12 severe, whatever the reading.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clears import InputError
from clears.cli.main import app
from clears.outcomes import derive

from ._build import cohort, period, visit

# patient: (SLEDAI before, SLEDAI after); the rise is the difference.
PAIRS = {"A": (10, 12), "B": (10, 13), "C": (1, 13), "D": (0, 13)}


def _rows() -> list[dict[str, object]]:
    rows = []
    for pid, (before, after) in PAIRS.items():
        rows.append({**visit(pid, "2020-01-01", 10), "sledai": before})
        rows.append({**visit(pid, "2020-03-01", 8), "sledai": after})
    return rows


C = cohort([period(pid, "2020-01-01", None, 5) for pid in PAIRS], _rows())


def _severe(preset: str, reading: str | None) -> dict[str, bool]:
    out = derive(C, [preset], flare_severe_reading=reading)
    return {
        str(k): bool(v) for k, v in zip(out["patient_id"], out["sle_flare_severe"], strict=True)
    }


def test_sfi_to_reading_is_the_total_above_12() -> None:
    # A: 10 -> 12 rise 2 (< 3, no flare; and 12 is not > 12). B: 10 -> 13 rise 3 to 13 > 12:
    # severe. C: 1 -> 13 rise 12 to 13: severe. D: 0 -> 13: severe.
    expected = {"A": False, "B": True, "C": True, "D": True}
    assert _severe("aitmehdi2021", "to") == expected
    assert _severe("aitmehdi2021", None) == expected  # the SFI's own reading is "to"


def test_sfi_change_reading_is_the_rise_above_12() -> None:
    # B: rise 3 is not > 12 (mild/moderate); C: rise 12 is not > 12; D: rise 13 > 12: severe.
    assert _severe("aitmehdi2021", "change") == {"A": False, "B": False, "C": False, "D": True}
    out = derive(C, ["aitmehdi2021"], flare_severe_reading="change").set_index("patient_id")
    assert bool(out.loc["B", "sle_flare"])  # still a mild/moderate flare (rise 3 >= 3)
    assert not bool(out.loc["A", "sle_flare"])


def test_cortes_rule_ignores_the_reading() -> None:
    # Cortés 2012: severe when the change is > 12: D only (C's 12 is not > 12).
    for reading in (None, "to", "change"):
        assert _severe("cortes2012", reading) == {"A": False, "B": False, "C": False, "D": True}


def test_unknown_reading_is_rejected() -> None:
    with pytest.raises(InputError) as caught:
        derive(C, ["aitmehdi2021"], flare_severe_reading="above")
    problem = caught.value.problems[0]
    assert problem.field == "flare_severe_reading"
    assert problem.value == "above"
    assert "to, change" in str(problem.allowed)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "patients.csv").write_text("patient_id,centre\nB,X\n", encoding="utf-8")
    (tmp_path / "treatments.csv").write_text(
        "patient_id,drug,start_date,dose_mg_per_day\nB,lenalidomide,2020-01-01,5\n",
        encoding="utf-8",
    )
    (tmp_path / "visits.csv").write_text(
        "patient_id,visit_date,clasi_a,sledai\nB,2020-01-01,10,10\nB,2020-03-01,8,13\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize(("reading", "severe"), [("to", True), ("change", False), (None, True)])
def test_cli_option(folder: Path, reading: str | None, severe: bool) -> None:
    # B: 10 -> 13 under the SFI: severe by "to" (13 > 12), not by "change" (3 <= 12).
    extra = [] if reading is None else ["--flare-severe-reading", reading]
    out = folder / "out.csv"
    result = CliRunner().invoke(
        app, ["outcomes", str(folder), "-c", "aitmehdi2021", "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert bool(row["sle_flare_severe"]) is severe


def test_cli_rejects_an_unknown_reading(folder: Path) -> None:
    result = CliRunner().invoke(app, ["outcomes", str(folder), "--flare-severe-reading", "x"])
    assert result.exit_code != 0
    assert "to" in result.output
    assert "change" in result.output
