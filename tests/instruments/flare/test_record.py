"""Flare rules between two visits.

Expected classes follow the published definitions, NOT clears' output:
- SFI (Petri 1999; Buyon 2005) as printed in the Ann Rheum Dis table "Features, caveats
  and pitfalls of main indices used in SLE" [S], docs/instruments/flare.md "Rules":
  mild/moderate = SLEDAI change >= 3 (not to > 12), prednisone increase not to
  > 0.5 mg/kg/day, new NSAID/hydroxychloroquine, PGA increase >= 1.0 not to > 2.5;
  severe = SLEDAI to > 12, prednisone to > 0.5 mg/kg/day, new cyclophosphamide/
  azathioprine/methotrexate, hospitalisation, PGA to > 2.5. Severe if any severe criterion.
- Cortés-Hernández 2012 (Arthritis Res Ther 14:R265, Methods, full text): change
  > 3 mild, change > 12 severe.
"""

from __future__ import annotations

from typing import Any

import pytest

from clears import InputError
from clears.instruments import flare, sledai
from clears.instruments.flare import FlareInput, Pair


def sfi(previous: int = 0, current: int = 0, **kwargs: Any) -> flare.FlareResult:
    return flare.classify(FlareInput(previous, current, **kwargs))


# --- SLEDAI score criteria ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "sfi_class", "cortes_class"),
    [
        (2, "none", "none"),  # below both thresholds
        (3, "mild_moderate", "none"),  # SFI >= 3 fires; Cortés > 3 does not
        (4, "mild_moderate", "mild"),  # both fire
    ],
)
def test_mild_threshold_both_sides(change: int, sfi_class: str, cortes_class: str) -> None:
    record = FlareInput(previous_sledai=2, current_sledai=2 + change)
    assert flare.classify(record).flare == sfi_class
    assert flare.classify(record, rule="cortes2012").flare == cortes_class


def test_mild_reading_overrides_the_rules_own() -> None:
    record = FlareInput(previous_sledai=2, current_sledai=5)  # change 3
    assert flare.classify(record, mild_reading="gt3").flare == "none"  # 3 > 3 is false
    assert flare.classify(record, rule="cortes2012", mild_reading="ge3").flare == "mild"
    result = flare.classify(record, rule="cortes2012", mild_reading="ge3")
    assert result.readings["mild"] == "ge3"
    assert result.criteria[0].reading == "increase ≥ 3"


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (8, 12, "mild_moderate"),  # change 4 to 12: not to > 12
        (8, 13, "severe"),  # change 5 to 13 > 12
        (11, 13, "none"),  # to 13 but change 2 is not a qualifying increase (>= 3)
        (13, 13, "none"),  # above 12 without any increase
    ],
)
def test_severe_to_reading_absolute_12_13(previous: int, current: int, expected: str) -> None:
    result = sfi(previous, current)
    assert result.flare == expected
    assert result.readings == {"mild": "ge3", "severe": "to"}
    if expected == "severe":
        assert result.criteria[0].reading == "increase ≥ 3 to > 12"


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (0, 12, "mild_moderate"),  # change 12: not > 12
        (0, 13, "severe"),  # change 13 > 12
        (8, 13, "mild_moderate"),  # change 5: "to 13" does not matter under "change"
    ],
)
def test_severe_change_reading_12_13(previous: int, current: int, expected: str) -> None:
    record = FlareInput(previous_sledai=previous, current_sledai=current)
    result = flare.classify(record, severe_reading="change")
    assert result.flare == expected
    assert result.readings["severe"] == "change"


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [(0, 12, "mild"), (0, 13, "severe"), (8, 13, "mild"), (1, 4, "none")],
)
def test_cortes2012_uses_change_greater_than_12(previous: int, current: int, expected: str) -> None:
    # Cortés-Hernández 2012: change > 12 severe, > 3 mild (8 -> 13 is a change of 5)
    result = flare.classify(FlareInput(previous, current), rule="cortes2012")
    assert result.flare == expected
    assert result.readings == {"mild": "gt3", "severe": "change"}
    assert result.reference.doi == "10.1186/ar4111"


def test_cortes2012_says_severe_reading_does_not_apply() -> None:
    result = flare.classify(FlareInput(0, 13), rule="cortes2012", severe_reading="to")
    assert result.readings["severe"] == "change"
    assert "severe_reading applies to the SFI only; cortes2012 defines change > 12" in result.notes
    result = flare.score_mapping(
        {"previous": {"sledai": 0}, "current": {"sledai": 13}}, rule="cortes2012"
    )
    assert result.flare == "severe"


def test_cortes2012_ignores_clinical_criteria_and_says_so() -> None:
    record = FlareInput(0, 0, hospitalised=True, new_drugs=("methotrexate",))
    result = flare.classify(record, rule="cortes2012")
    assert result.flare == "none"
    assert any("ignored" in n for n in result.notes)
    assert flare.classify(record).flare == "severe"


# --- SFI clinical, medication and PGA criteria -------------------------------------------


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (30, "mild_moderate"),  # 30 mg / 60 kg = 0.5 mg/kg/day exactly: not > 0.5
        (31, "severe"),  # 31 / 60 = 0.517 > 0.5
    ],
)
def test_prednisone_at_exactly_half_mg_per_kg(dose: float, expected: str) -> None:
    result = sfi(prednisone_mg_per_day=Pair(10, dose), weight_kg=60)
    assert result.flare == expected
    (criterion,) = result.criteria
    assert criterion.name == "prednisone"
    assert "0.5 mg/kg/day = 30 mg/day at 60 kg" in criterion.detail


def test_prednisone_not_increased_fires_nothing_and_needs_no_weight() -> None:
    assert sfi(prednisone_mg_per_day=Pair(40, 40)).flare == "none"
    assert sfi(prednisone_mg_per_day=Pair(40, 20)).flare == "none"


def test_prednisone_increase_needs_weight() -> None:
    with pytest.raises(InputError) as err:
        FlareInput(0, 0, prednisone_mg_per_day=Pair(5, 10))
    (problem,) = err.value.problems
    assert problem.field == "weight_kg"
    assert "prednisone increased" in problem.message


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (0.5, 1.4, "none"),  # +0.9 < 1.0
        (0.5, 1.5, "mild_moderate"),  # +1.0
        (1.5, 2.5, "mild_moderate"),  # +1.0 to 2.5: not > 2.5
        (1.6, 2.6, "severe"),  # +1.0 to 2.6 > 2.5
        (2.0, 2.6, "none"),  # to 2.6 but +0.6 is no qualifying increase
    ],
)
def test_pga_edges(previous: float, current: float, expected: str) -> None:
    assert sfi(pga=Pair(previous, current)).flare == expected


@pytest.mark.parametrize(
    ("drugs", "count_mmf", "expected"),
    [
        (("nsaid",), False, "mild_moderate"),
        (("hydroxychloroquine",), False, "mild_moderate"),
        (("cyclophosphamide",), False, "severe"),
        (("azathioprine",), False, "severe"),
        (("methotrexate",), False, "severe"),
        (("mycophenolate",), False, "none"),  # classic SFI: not listed
        (("mycophenolate",), True, "severe"),  # later versions list it (option)
        (("nsaid", "azathioprine"), False, "severe"),  # any severe criterion wins
    ],
)
def test_new_drugs(drugs: tuple[str, ...], count_mmf: bool, expected: str) -> None:
    result = sfi(new_drugs=drugs, count_mycophenolate=count_mmf)
    assert result.flare == expected
    if drugs == ("mycophenolate",) and not count_mmf:
        assert any("mycophenolate" in n for n in result.notes)


def test_hospitalisation_is_severe() -> None:
    result = sfi(hospitalised=True)
    assert result.flare == "severe"
    assert [c.name for c in result.criteria] == ["hospitalisation"]


@pytest.mark.parametrize("sign", flare.MILD_MANIFESTATIONS)
def test_new_or_worse_mild_manifestation(sign: str) -> None:
    assert sfi(new_or_worse=(sign,)).flare == "mild_moderate"


def test_severe_manifestation_needs_treatment_or_admission() -> None:
    alone = sfi(new_or_worse=("nephritis",))
    assert alone.flare == "none"
    assert any("nephritis" in n for n in alone.notes)
    # 10 -> 20 mg doubles the dose; 20 mg is below 0.5 mg/kg (30 mg at 60 kg)
    doubled = sfi(new_or_worse=("nephritis",), prednisone_mg_per_day=Pair(10, 20), weight_kg=60)
    assert doubled.flare == "severe"
    names = {c.name: c.level for c in doubled.criteria}
    assert names == {"prednisone": "mild_moderate", "severe_manifestation": "severe"}
    # 10 -> 19 mg is not a doubling
    assert sfi(new_or_worse=("nephritis",), prednisone_mg_per_day=Pair(10, 19), weight_kg=60)\
        .flare == "mild_moderate"  # fmt: skip


def test_all_criteria_that_fired_are_listed_with_readings_and_reference() -> None:
    result = sfi(
        2,
        6,
        prednisone_mg_per_day=Pair(5, 20),
        weight_kg=60,
        new_drugs=("hydroxychloroquine",),
        pga=Pair(0.5, 1.8),
        new_or_worse=("arthritis",),
    )
    assert result.flare == "mild_moderate"
    data = result.to_dict()
    assert [c["name"] for c in data["criteria"]] == [
        "sledai",
        "prednisone",
        "mild_manifestation",
        "new_drug",
        "pga",
    ]
    assert all(c["reading"] and "Petri" in c["reference"] for c in data["criteria"])
    assert data["sledai"] == {"previous": 2, "current": 6, "change": 4}
    assert data["rule"] == "sfi"
    assert data["readings"] == {"mild": "ge3", "severe": "to"}
    assert "Thanou" in " ".join(data["notes"])
    text = result.to_text()
    assert "Flare (sfi): mild_moderate" in text
    assert "readings: mild ge3, severe to" in text


# --- the JSON payload ---------------------------------------------------------------------


def test_payload_with_item_level_visits() -> None:
    absent: dict[str, Any] = dict.fromkeys(sledai.WEIGHTS, False)
    payload = {
        "previous": absent | {"rash": "persistent"},
        "current": absent | {"rash": "persistent", "arthritis": True},
    }
    # SFI scores SELENA-SLEDAI by default: persistent rash 0; 0 -> 4 (arthritis), change 4
    result = flare.score_mapping(payload)
    assert (result.previous_sledai, result.current_sledai, result.flare) == (0, 4, "mild_moderate")
    # Cortés-Hernández used SLEDAI-2K: rash counts, 2 -> 6, change 4 > 3
    result = flare.score_mapping(payload, rule="cortes2012")
    assert (result.previous_sledai, result.current_sledai, result.flare) == (2, 6, "mild")


def test_payload_item_level_problems_are_prefixed_by_visit() -> None:
    absent: dict[str, Any] = dict.fromkeys(sledai.WEIGHTS, False)
    payload = {"previous": {"sledai": 0}, "current": absent | {"rash": True}}
    with pytest.raises(InputError) as err:
        flare.score_mapping(payload)  # SELENA needs the onset of the rash
    assert [p.field for p in err.value.problems] == ["current.rash"]
    result = flare.score_mapping(payload | {"sledai_variant": "sledai2k"})
    assert result.current_sledai == 2


def test_payload_rejections_are_all_reported() -> None:
    payload = {
        "previous": {"sledai": 106},
        "current": {"sledai": 2.5, "extra": 1},
        "pga": {"previous": 3.5, "current": 1},
        "new_drugs": ["aspirin"],
        "new_or_worse": "arthritis",
        "hospitalised": "no",
        "weight_kg": 0,
        "note": "x",
    }
    with pytest.raises(InputError) as err:
        flare.score_mapping(payload)
    fields = sorted(p.field for p in err.value.problems)
    assert fields == [
        "current.extra",
        "current.sledai",
        "hospitalised",
        "new_drugs[0]",
        "new_or_worse",
        "note",
        "pga.previous",
        "previous.sledai",
        "weight_kg",
    ]
    by_field = {p.field: p for p in err.value.problems}
    assert by_field["previous.sledai"].allowed == "0 to 105"
    assert "azathioprine" in (by_field["new_drugs[0]"].allowed or "")


def test_payload_missing_visits_and_pair_halves() -> None:
    with pytest.raises(InputError) as err:
        flare.score_mapping({"pga": {"previous": 1}})
    assert sorted(p.field for p in err.value.problems) == ["current", "pga.current", "previous"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"rule": "bilag"}, "rule"),
        ({"severe_reading": "absolute"}, "severe_reading"),
        ({"mild_reading": "ge4"}, "mild_reading"),
    ],
)
def test_unknown_options_are_refused(options: dict[str, str], field: str) -> None:
    payload = {"previous": {"sledai": 0}, "current": {"sledai": 0}}
    with pytest.raises(InputError) as err:
        flare.score_mapping(payload, **options)
    assert err.value.problems[0].field == field


def test_starting_prednisone_from_zero_counts_as_doubling() -> None:
    # 0 -> 10 mg: a start is read as doubling (docs/instruments/flare.md, decision 3);
    # 10 mg is below 0.5 mg/kg at 60 kg (30 mg), so the prednisone criterion is mild
    result = sfi(new_or_worse=("myositis",), prednisone_mg_per_day=Pair(0, 10), weight_kg=60)
    assert result.flare == "severe"
    assert "prednisone doubled" in result.criteria[-1].reading
