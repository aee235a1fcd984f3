"""Single-record CLASI: worked examples, edges, properties, rejections, partial scoring, output.

Expected totals are worked by hand from Albrecht 2005 (doi:10.1111/j.0022-202X.2005.23889.x)
with the arithmetic beside them; bands from Klein 2011 (doi:10.1001/archdermatol.2010.435).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.instruments.clasi.test_definition import (
    AREA_CODE,
    ITEMS,
    area_features,
    expected_totals,
    payload_from_columns,
    records,
    zero_payload,
)

from clears import InputError
from clears.instruments import clasi
from clears.instruments.clasi import AreaInput, ClasiInput

EXAMPLE = Path(__file__).parents[3] / "examples" / "score" / "clasi.json"


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def maximum_payload(*, doubled: bool = True) -> dict[str, Any]:
    payload = zero_payload()
    for area in AREA_CODE:
        payload["areas"][area] = {"erythema": 3, "scale": 2, "dyspigmentation": 1}
        if area != "scalp":
            payload["areas"][area]["scarring"] = 2
    payload.update(
        mucous_membrane=1,
        recent_hair_loss=1,
        alopecia=3,
        scalp_scarring=6,
        dyspigmentation_lasts_12_months=doubled,
    )
    return payload


# --- worked examples -----------------------------------------------------------------------


def test_bundled_example() -> None:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = clasi.score_mapping(payload)
    # Activity: scalp 1+1, nose 2+1, face 1+0, v-neck 2+0, arms 3+2 = 13 over areas;
    #           + mucous 1 + hair loss 1 + alopecia 2 = 17 -> moderate (Klein 2011: 10-20).
    # Damage:   dyspigmentation scalp 1 + nose 1 + arms 1 = 3, lasts >= 12 months -> x2 = 6;
    #           scarring nose 1 + arms 2 = 3; scalp scarring 3 -> 6 + 3 + 3 = 12.
    assert (result.activity, result.damage, result.severity) == (17, 12, "moderate")
    assert result.dyspigmentation_sum == 3
    assert result.dyspigmentation_score == 6
    assert result.dyspigmentation_doubled is True
    assert not result.partial
    assert result.missing == ()
    arms = next(a for a in result.areas if a.area == "arms")
    # Arms: activity 3 + 2 = 5; damage before doubling 1 + 2 = 3.
    assert (arms.activity, arms.damage_before_doubling) == (5, 3)


def test_all_zero() -> None:
    result = clasi.score_mapping(zero_payload())
    assert (result.activity, result.damage, result.severity) == (0, 0, "mild")


def test_maxima_70_and_56() -> None:
    # Activity 13 x (3 + 2) + 1 + 1 + 3 = 70 (LILAC abstract, NEJM 2022: range 0-70).
    # Damage 13 x 1 x 2 + 12 x 2 + 6 = 56 (Yuki 2021 citing Albrecht 2005: range 0-56).
    result = clasi.score_mapping(maximum_payload())
    assert (result.activity, result.damage, result.severity) == (70, 56, "severe")


def test_maximum_damage_without_doubling_is_43() -> None:
    # 13 x 1 + 12 x 2 + 6 = 43 (docs/instruments/clasi.md, "Scores").
    result = clasi.score_mapping(maximum_payload(doubled=False))
    assert result.damage == 43
    assert result.dyspigmentation_doubled is False


def test_doubling_applies_to_the_sum_not_per_area() -> None:
    payload = zero_payload()
    payload["areas"]["ears"]["dyspigmentation"] = 1
    payload["areas"]["feet"]["dyspigmentation"] = 1
    payload["dyspigmentation_lasts_12_months"] = True
    # (1 + 1) x 2 = 4.
    assert clasi.score_mapping(payload).damage == 4
    payload["dyspigmentation_lasts_12_months"] = False
    # 1 + 1 = 2.
    assert clasi.score_mapping(payload).damage == 2


def test_duration_accepts_0_and_1_as_well_as_booleans() -> None:
    payload = zero_payload()
    payload["areas"]["ears"]["dyspigmentation"] = 1
    payload["dyspigmentation_lasts_12_months"] = 1
    assert clasi.score_mapping(payload).damage == 2  # 1 x 2
    payload["dyspigmentation_lasts_12_months"] = 0
    assert clasi.score_mapping(payload).damage == 1  # 1 x 1


# --- severity band edges (Klein 2011: mild 0-9, moderate 10-20, severe 21-70) ------------


def activity_payload(total: int) -> dict[str, Any]:
    """A complete record whose CLASI-A is ``total``, filling erythema area by area."""
    payload = zero_payload()
    remaining = total
    for area in AREA_CODE:
        step = min(3, remaining)
        payload["areas"][area]["erythema"] = step
        remaining -= step
    assert remaining == 0
    return payload


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "mild"), (9, "mild"), (10, "moderate"), (20, "moderate"), (21, "severe"), (39, "severe")],
)
def test_band_edges_through_scoring(total: int, band: str) -> None:
    result = clasi.score_mapping(activity_payload(total))
    assert (result.activity, result.severity) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "mild"), (9, "mild"), (10, "moderate"), (20, "moderate"), (21, "severe"), (70, "severe")],
)
def test_severity_function_edges(total: int, band: str) -> None:
    assert clasi.severity(total) == band


@pytest.mark.parametrize("bad", [-1, 71, 9.5, True, "10"])
def test_severity_rejects(bad: Any) -> None:
    with pytest.raises(InputError, match="clasi_a"):
        clasi.severity(bad)


# --- properties ------------------------------------------------------------------------------


@pytest.mark.slow
@given(records(), st.data())
def test_incrementing_any_item_changes_the_right_total_by_the_right_amount(
    flat: dict[str, int | None], data: st.DataObject
) -> None:
    column = data.draw(st.sampled_from(list(ITEMS)))
    codes = ITEMS[column][1]
    here = codes.index(flat[column])  # type: ignore[arg-type]
    if here == len(codes) - 1:
        return
    before = clasi.score_mapping(payload_from_columns(flat))
    bumped = {**flat, column: codes[here + 1]}
    after = clasi.score_mapping(payload_from_columns(bumped))
    step = codes[here + 1] - codes[here]
    role = ITEMS[column][2]
    dysp_sum = sum(v or 0 for c, v in flat.items() if ITEMS[c][2] == "P")
    factor = 2 if flat["clasi_dysp_12m"] == 1 else 1
    expected = {
        "A": (step, 0),  # activity items add their code
        "D": (0, step),  # scarring items add their code to damage
        "P": (0, step * factor),  # dyspigmentation counts twice when it lasts >= 12 months
        "X": (0, dysp_sum),  # doubling adds the dyspigmentation sum once more
    }[role]
    assert (after.activity - before.activity, after.damage - before.damage) == expected


@pytest.mark.slow
@given(records())
def test_totals_match_an_independent_computation(flat: dict[str, int | None]) -> None:
    result = clasi.score_mapping(payload_from_columns(flat))
    assert (result.activity, result.damage) == expected_totals(flat)
    assert 0 <= result.activity <= 70
    assert 0 <= result.damage <= 56


@pytest.mark.slow
@given(records())
def test_typed_and_json_paths_agree(flat: dict[str, int | None]) -> None:
    typed = clasi.score(ClasiInput.from_columns(flat))
    assert typed == clasi.score_mapping(payload_from_columns(flat))
    assert ClasiInput.from_columns(flat).to_columns() == {
        c: (bool(v) if c == "clasi_dysp_12m" else v) for c, v in flat.items()
    }


def test_input_is_not_mutated() -> None:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    before = copy.deepcopy(payload)
    clasi.score_mapping(payload)
    assert payload == before


# --- rejections -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("areas.ears.erythema", 4),
        ("areas.ears.erythema", -1),
        ("areas.ears.scale", 3),
        ("areas.ears.dyspigmentation", 2),
        ("areas.ears.scarring", 3),
        ("mucous_membrane", 2),
        ("recent_hair_loss", 2),
        ("alopecia", 4),
        ("scalp_scarring", 1),
        ("scalp_scarring", 2),
        ("scalp_scarring", 7),
        ("dyspigmentation_lasts_12_months", 2),
        ("areas.ears.erythema", 1.5),
        ("areas.ears.erythema", "1"),
        ("areas.ears.erythema", True),
        ("alopecia", False),
    ],
)
def test_rejects_values_outside_the_levels(path: str, value: Any) -> None:
    payload = zero_payload()
    target: dict[str, Any] = payload
    *parents, leaf = path.split(".")
    for key in parents:
        target = target[key]
    target[leaf] = value
    with pytest.raises(InputError) as exc:
        clasi.score_mapping(payload)
    (problem,) = exc.value.problems
    assert problem.field == path
    assert problem.value == value
    assert problem.allowed  # names what is allowed


def test_bool_where_number_expected_says_so() -> None:
    payload = zero_payload()
    payload["areas"]["arms"]["erythema"] = True
    with pytest.raises(InputError, match=r"areas\.arms\.erythema: expects a number, not true"):
        clasi.score_mapping(payload)


def test_scalp_scarring_level_1_message_lists_allowed_codes() -> None:
    payload = zero_payload()
    payload["scalp_scarring"] = 1
    with pytest.raises(InputError) as exc:
        clasi.score_mapping(payload)
    assert "0 (absent), 3 (in one quadrant)" in problems_of(exc)[0]


@pytest.mark.parametrize("value", [0, 1, 2])
def test_rejects_scalp_per_area_scarring(value: int) -> None:
    payload = zero_payload()
    payload["areas"]["scalp"]["scarring"] = value
    with pytest.raises(InputError) as exc:
        clasi.score_mapping(payload)
    assert problems_of(exc) == [
        f"areas.scalp.scarring: the scalp has no per-area scarring; use scalp_scarring"
        f" (got {value})"
    ]


def test_rejects_unknown_area_and_keys_all_at_once() -> None:
    payload = zero_payload()
    payload["areas"]["torso"] = {"erythema": 1}
    payload["areas"]["arms"]["oedema"] = 1
    payload["comment"] = "x"
    payload["alopecia"] = 9
    with pytest.raises(InputError) as exc:
        clasi.score_mapping(payload)
    fields = sorted(p.field for p in exc.value.problems)
    assert fields == ["alopecia", "areas.arms.oedema", "areas.torso", "comment"]
    torso = next(p for p in exc.value.problems if p.field == "areas.torso")
    assert torso.message == "unknown field"
    assert "nose_malar" in (torso.allowed or "")


def test_rejects_non_objects() -> None:
    with pytest.raises(InputError, match="expects a JSON object"):
        clasi.score_mapping([1, 2])  # type: ignore[arg-type]
    payload = zero_payload()
    payload["areas"]["arms"] = 3
    with pytest.raises(InputError, match=r"areas\.arms: expects a JSON object"):
        clasi.score_mapping(payload)
    payload["areas"] = []
    with pytest.raises(InputError, match=r"areas: expects a JSON object"):
        clasi.score_mapping(payload)


def test_missing_items_are_an_error_without_partial() -> None:
    payload = zero_payload()
    del payload["areas"]["legs"]["scale"]
    del payload["areas"]["feet"]
    del payload["alopecia"]
    with pytest.raises(InputError) as exc:
        clasi.score_mapping(payload)
    fields = [p.field for p in exc.value.problems]
    # A wholly missing area is one problem, not four.
    assert fields == ["areas.feet", "areas.legs.scale", "alopecia"]
    assert all("is missing" in p.message and "partial" in p.message for p in exc.value.problems)


def test_typed_input_rejections() -> None:
    record = ClasiInput(
        areas={"scalp": AreaInput(0, 0, 0, scarring=1), "torso": AreaInput(1, 0, 0, 0)},
        alopecia=5,
    )
    with pytest.raises(InputError) as exc:
        clasi.score(record, partial=True)
    assert sorted(p.field for p in exc.value.problems) == [
        "alopecia",
        "areas.scalp.scarring",
        "areas.torso",
    ]
    with pytest.raises(InputError, match="expects an AreaInput"):
        clasi.score(ClasiInput(areas={"arms": {"erythema": 1}}), partial=True)  # type: ignore[dict-item]


# --- partial scoring -------------------------------------------------------------------------


def test_partial_scores_the_items_given_and_lists_the_rest() -> None:
    payload = {"areas": {"arms": {"erythema": 3, "scale": 2, "dyspigmentation": 1}}}
    result = clasi.score_mapping(payload, partial=True)
    # Activity 3 + 2 = 5; damage 1 (duration not recorded -> not doubled).
    assert (result.activity, result.damage) == (5, 1)
    assert result.partial is True
    # 56 items - 3 given = 53 missing, in declaration order.
    assert len(result.missing) == 53
    assert result.missing[0] == "areas.scalp.erythema"
    assert "areas.arms.scarring" in result.missing
    assert "dyspigmentation_lasts_12_months" in result.missing
    assert result.dyspigmentation_lasts_12_months is None
    assert result.to_dict()["missing"] == list(result.missing)


def test_partial_with_null_values() -> None:
    payload = zero_payload()
    payload["alopecia"] = None
    result = clasi.score_mapping(payload, partial=True)
    assert result.missing == ("alopecia",)
    assert result.alopecia is None


def test_partial_flag_is_false_when_nothing_is_missing() -> None:
    result = clasi.score_mapping(zero_payload(), partial=True)
    assert result.partial is False
    assert result.missing == ()


def test_partial_still_rejects_bad_values() -> None:
    with pytest.raises(InputError, match="alopecia"):
        clasi.score_mapping({"alopecia": 4}, partial=True)


# --- output ----------------------------------------------------------------------------------


def test_to_dict_shape_and_json() -> None:
    result = clasi.score_mapping(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    out = result.to_dict()
    json.dumps(out)  # JSON-ready
    assert {"activity", "damage", "severity", "working", "reference", "method"} <= set(out)
    assert out["reference"]["doi"] == "10.1111/j.0022-202X.2005.23889.x"
    assert out["severity_reference"]["doi"] == "10.1001/archdermatol.2010.435"
    working = out["working"]
    assert [a["area"] for a in working["areas"]] == list(AREA_CODE)
    assert working["areas"][0]["scarring"] is None  # the scalp
    # Example: dyspigmentation 3 summed, doubled -> 6; area activity 13; scarring 1 + 2 = 3.
    assert working["dyspigmentation_sum"] == 3
    assert working["dyspigmentation_doubled"] is True
    assert working["dyspigmentation_score"] == 6
    assert working["area_activity"] == 13
    assert working["scarring_sum"] == 3
    assert working["scalp_scarring"] == 3
    assert working["mucous_membrane"] == 1


def test_to_text_has_a_row_per_area() -> None:
    text = clasi.score_mapping(json.loads(EXAMPLE.read_text(encoding="utf-8"))).to_text()
    assert "activity 17/70, damage 12/56, severity moderate" in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----")) + 1
    rows = lines[start : start + 13]
    assert [row[:5] for row in rows][:3] == ["Scalp", "Ears ", "Nose "]
    assert lines[start + 13] == ""  # exactly 13 area rows
    assert rows[0].split()[-2:] == ["n/a", "1"]  # scalp: no per-area scarring; damage 1
    # Arms: erythema 3, scale 2, activity 5, dyspigmentation 1, scarring 2, damage 3.
    assert rows[9].split()[-6:] == ["3", "2", "5", "1", "2", "3"]
    assert "doi:10.1111/j.0022-202X.2005.23889.x" in text
    assert "PARTIAL" not in text


def test_to_text_flags_partial() -> None:
    text = clasi.score_mapping({"alopecia": 1}, partial=True).to_text()
    assert "PARTIAL: 55 items missing" in text


def test_every_area_feature_is_reported() -> None:
    for area in AREA_CODE:
        assert len(area_features(area)) == (3 if area == "scalp" else 4)
