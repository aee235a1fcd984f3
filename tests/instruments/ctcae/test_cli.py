"""``clears score ctcae`` end to end, through the real entry point (exit codes included)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from tests._cli import clears_subprocess

#: Every test here starts the command in a child process.
pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "ctcae.json"


run = functools.partial(clears_subprocess, "score", "ctcae")


def test_json_output_for_the_bundled_example() -> None:
    done = run(str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # 900/mm3 = 0.9 x10^9/L, in <1000–500/mm3 (CTCAE v5.0, Neutrophil count decreased
    # row): grade 3.
    assert (out["grade"], out["term"], out["version"]) == (
        3,
        "Neutrophil count decreased",
        "CTCAE v5.0",
    )
    assert (out["canonical_value"], out["canonical_unit"]) == (0.9, "10^9/L")
    assert out["rule"] == "numeric_band"


def test_text_output_from_stdin() -> None:
    payload = {"test": "hemoglobin", "value": 95, "unit": "g/L", "lln": 120, "lln_unit": "g/L"}
    done = run("-", "--format", "text", stdin=json.dumps(payload))
    assert done.returncode == 0, done.stderr
    # 95 g/L in <100–80 g/L (CTCAE v5.0, Anemia row): grade 2.
    assert done.stdout.startswith("CTCAE v5.0: Anemia (Blood and lymphatic system disorders)")
    assert "Grade 2: Hgb <10.0–8.0 g/dL" in done.stdout


def test_overlap_case_is_explained_in_the_output() -> None:
    payload = {"test": "neutrophils", "value": 1.45, "unit": "10^9/L", "lln": 1.4}
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["grade"], out["rule"]) == (0, "at_or_above_lln")
    assert "lln_overlap" in out["flags"]


def test_bad_input_exits_1_naming_the_fields() -> None:
    payload = {"test": "platelets", "value": 150_000, "unit": "10^9/L", "llm": 150}
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "llm: unknown field" in done.stderr
    assert "allowed: test, value, unit, lln, lln_unit, transfusion_indicated" in done.stderr
    assert "value: is not a plausible platelets value in 10^9/L" in done.stderr
    assert "did you mean /mm3?" in done.stderr


def test_unknown_unit_exits_1_listing_the_units() -> None:
    payload = {"test": "hemoglobin", "value": 9.5, "unit": "mg/dL", "lln": 12}
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 1
    assert "unit: not a haemoglobin concentration unit (got 'mg/dL')" in done.stderr
    assert "allowed: g/dL, g/L, mmol/L" in done.stderr


def test_missing_lln_exits_1() -> None:
    done = run("-", stdin=json.dumps({"test": "wbc", "value": 3.5, "unit": "10^9/L"}))
    assert done.returncode == 1
    assert "lln: is required to grade wbc ≥ 3.0 10^9/L" in done.stderr


def test_bare_lln_is_in_the_canonical_unit() -> None:
    # An lln without lln_unit is in 10^9/L (docs/instruments/ctcae.md): 900/mm3 =
    # 0.9 x10^9/L against LLN 1.8 x10^9/L is in <1000–500/mm3 (CTCAE v5.0, Neutrophil
    # count decreased row): grade 3, where a raw comparison (900 >= 1.8) would say grade 0.
    payload = {"test": "neutrophils", "value": 900, "unit": "cells/uL", "lln": 1.8}
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["grade"], out["lln_unit"], out["canonical_lln"]) == (3, "10^9/L", 1.8)


def test_lln_in_the_value_unit_without_lln_unit_exits_1() -> None:
    # 1800 read in the canonical 10^9/L is outside the accepted neutrophil LLN range
    # (1 to 3 x10^9/L, docs/instruments/ctcae.md): refused, naming the unit that fits.
    payload = {"test": "neutrophils", "value": 900, "unit": "cells/uL", "lln": 1800}
    done = run("-", stdin=json.dumps(payload))
    assert done.returncode == 1
    assert "lln: is not a plausible lower limit of normal for neutrophils" in done.stderr
    assert "an lln without lln_unit is in the canonical unit 10^9/L" in done.stderr
    assert "give lln_unit /mm3 if that is its unit (got 1800)" in done.stderr
    assert "allowed: 1 to 3 10^9/L (= 1000 to 3000 /mm3)" in done.stderr
