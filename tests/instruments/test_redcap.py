"""The REDCap data dictionary: format rules and calculated totals that agree with clears.

The format rules come from the REDCap data dictionary documentation (18 columns in order;
``record_id`` first; forms contiguous; names lower case, starting with a letter, at most 26
characters; choices ``code, label | ...``). The calculated fields are checked by evaluating
the REDCap expressions on random records and comparing them with clears' own scorers.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clears.cli.main import app
from clears.instruments import cla_iga, clasi, dlqi, nrs, ptga, redcap, skindex, sledai
from clears.instruments.clasi import definition as clasi_def

ROWS = redcap.dictionary_rows()
BY_NAME = {row["Variable / Field Name"]: row for row in ROWS}
CALC = "Choices, Calculations, OR Slider Labels"


def test_header_is_the_18_redcap_columns_in_order() -> None:
    assert len(redcap.HEADER) == 18
    assert redcap.HEADER[0] == "Variable / Field Name"
    assert redcap.HEADER[-1] == "Field Annotation"
    assert all(tuple(row) == redcap.HEADER for row in ROWS)


def test_record_id_first_and_names_valid_and_unique() -> None:
    names = [row["Variable / Field Name"] for row in ROWS]
    assert names[0] == "record_id"
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,25}", name), name


def test_forms_are_contiguous() -> None:
    forms = [row["Form Name"] for row in ROWS]
    seen: list[str] = []
    for form in forms:
        if not seen or seen[-1] != form:
            assert form not in seen, f"form {form} is split"
            seen.append(form)
    assert seen == ["clasi", "sledai", "core_outcomes", "adverse_event"]


def test_every_instrument_field_is_in_the_dictionary_with_its_codes() -> None:
    core = (cla_iga.DEFINITION, ptga.DEFINITION, nrs.DEFINITION, dlqi.DEFINITION)
    for definition in (clasi_def.DEFINITION, sledai.DEFINITION, *core):
        for field in definition.fields:
            row = BY_NAME[field.column]
            if row["Field Type"] == "yesno":
                assert field.item.codes == (0, 1)
                continue
            assert row["Field Type"] == "radio"
            codes = [int(choice.split(",")[0]) for choice in row[CALC].split(" | ")]
            assert tuple(codes) == field.item.codes
    # The scalp has no per-area scarring item; scalp scarring has codes 0, 3, 4, 5, 6.
    assert "clasi_scalp_scar" in BY_NAME
    assert BY_NAME["clasi_scalp_scar"][CALC].startswith("0, ")
    assert [c.split(",")[0] for c in BY_NAME["clasi_scalp_scar"][CALC].split(" | ")] == [
        "0",
        "3",
        "4",
        "5",
        "6",
    ]


def _evaluate(expression: str, values: dict[str, int]) -> float:
    """Evaluate a REDCap calculation with the record's raw values (a small interpreter)."""

    def field(match: re.Match[str]) -> str:
        return repr(str(values[match.group(1)]))

    python = re.sub(r"\[([a-z0-9_]+)\]", field, expression)
    python = python.replace("if(", "_if(").replace("sum(", "_sum(")
    python = re.sub(r"(?<![<>=!])=(?!=)", "==", python)
    namespace: dict[str, Any] = {
        "_if": lambda cond, a, b: a if cond else b,
        "_sum": lambda *args: sum(float(a) for a in args),
    }
    return float(eval(python, namespace))  # test-only evaluation of our own expressions


clasi_records = st.fixed_dictionaries(
    {f.column: st.sampled_from(f.item.codes) for f in clasi_def.DEFINITION.fields}
)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=200)
@given(clasi_records)
def test_clasi_calculated_totals_equal_the_clears_scorer(values: dict[str, int]) -> None:
    import pandas as pd

    frame_result = clasi.score_frame(pd.DataFrame([values]))
    activity = _evaluate(BY_NAME["clasi_a"][CALC], values)
    damage = _evaluate(BY_NAME["clasi_d"][CALC], values)
    assert activity == frame_result["clasi_a"].iloc[0]
    assert damage == frame_result["clasi_d"].iloc[0]


_ONSET_FIELDS = [f for f in sledai.DEFINITION.fields if f.path in sledai.ONSET_DESCRIPTORS]
sledai_records = st.fixed_dictionaries(
    {f.column: st.sampled_from(f.item.codes) for f in sledai.DEFINITION.fields}
)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=200)
@given(sledai_records)
def test_sledai_calculated_totals_equal_the_clears_scorer(values: dict[str, int]) -> None:
    import pandas as pd

    frame = pd.DataFrame([values])
    # Code 1 of an onset descriptor (onset not recorded) cannot be scored under SELENA-SLEDAI:
    # clears refuses it, while the REDCap calculation simply does not count it.
    onset_unknown = any(values[f.column] == 1 for f in _ONSET_FIELDS)
    for variant, column in (("sledai2k", "sledai"), ("selena", "sledai_selena")):
        if variant == "selena" and onset_unknown:
            continue
        expected = sledai.score_frame(frame, variant=variant)
        got = _evaluate(BY_NAME[column][CALC], values)
        assert got == float(expected.iloc[0]), variant


def test_cli_writes_the_dictionary(tmp_path: Path) -> None:
    out = tmp_path / "dictionary.csv"
    result = CliRunner().invoke(app, ["instruments", "redcap", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    assert tuple(header) == redcap.HEADER
    assert len(body) == len(ROWS)
    assert f"wrote {len(ROWS)} fields" in result.output


def test_the_core_outcome_set_form_has_its_items_and_no_dlqi_wording() -> None:
    rows = [r for r in redcap.dictionary_rows() if r["Form Name"] == "core_outcomes"]
    # The core outcome set of Guo 2021 in form order, written out here, not read from clears.
    core = (cla_iga, ptga, nrs, dlqi, skindex)
    expected = [c for d in core for c in d.DEFINITION.columns]
    assert [r["Variable / Field Name"] for r in rows] == expected
    dlqi_rows = [r for r in rows if r["Variable / Field Name"].startswith("dlqi_")]
    # Labels are the short neutral ones: no question of the copyright form.
    assert all("?" not in r["Field Label"] for r in dlqi_rows)
    assert "copyright" in dlqi_rows[0]["Field Note"]
    assert BY_NAME["dlqi_q3"][CALC].endswith("9, not relevant, scores 0")


def test_the_core_outcome_set_form_has_the_33_skindex_items_and_no_skindex_wording() -> None:
    rows = [r for r in ROWS if r["Variable / Field Name"].startswith("skindex_")]
    assert [r["Variable / Field Name"] for r in rows] == [f"skindex_q{n}" for n in range(1, 34)]
    assert {r["Form Name"] for r in rows} == {"core_outcomes"}
    assert rows[0]["Section Header"].startswith("Skindex-29+3")
    assert "copyright" in rows[0]["Field Note"]
    # Five answers, never (0) to all the time (4) (Chren 1997), on every item.
    answers = "0, never | 1, rarely | 2, sometimes | 3, often | 4, all the time"
    assert all(r[CALC] == answers for r in rows)
    assert all("?" not in r["Field Label"] for r in rows)
