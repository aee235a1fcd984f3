"""SLEDAI-2K and SELENA-SLEDAI scoring.

Expected weights come from the published table, NOT from clears: Gladman 2002
(J Rheumatol 29:288-291) as tabled in docs/instruments/sledai.md, "Scoring" (8 items of
8, 6 of 4, 7 of 2, 3 of 1; maximum 64 + 24 + 14 + 3 = 105). The SELENA-SLEDAI rule (rash,
alopecia, mucosal ulcers, proteinuria only when new or recurrent) is from Gladman 2002's
abstract and docs/instruments/sledai.md. Bands: Ann Rheum Dis table [S]
(0; 1-4; 5-10; > 10).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import sledai

PUBLISHED_WEIGHTS = {
    "seizure": 8,
    "psychosis": 8,
    "organic_brain_syndrome": 8,
    "visual_disturbance": 8,
    "cranial_nerve_disorder": 8,
    "lupus_headache": 8,
    "cva": 8,
    "vasculitis": 8,
    "arthritis": 4,
    "myositis": 4,
    "urinary_casts": 4,
    "hematuria": 4,
    "proteinuria": 4,
    "pyuria": 4,
    "rash": 2,
    "alopecia": 2,
    "mucosal_ulcers": 2,
    "pleurisy": 2,
    "pericarditis": 2,
    "low_complement": 2,
    "increased_dna_binding": 2,
    "fever": 1,
    "thrombocytopenia": 1,
    "leukopenia": 1,
}
FOUR = ("rash", "alopecia", "mucosal_ulcers", "proteinuria")
SHORT = {
    "organic_brain_syndrome": "sledai_obs",
    "cranial_nerve_disorder": "sledai_cranial",
    "increased_dna_binding": "sledai_dna",
}


def payload(**present: Any) -> dict[str, Any]:
    """All 24 descriptors absent except those given."""
    return dict.fromkeys(PUBLISHED_WEIGHTS, False) | present


# --- the definition as data -------------------------------------------------------------


def test_weights_match_the_published_table() -> None:
    assert dict(sledai.WEIGHTS) == PUBLISHED_WEIGHTS


def test_maximum_is_105() -> None:
    # 8*8 + 6*4 + 7*2 + 3*1 = 64 + 24 + 14 + 3 = 105 (Gladman 2002; ARD table range 0-105)
    assert sum(sledai.WEIGHTS.values()) == 105 == sledai.MAXIMUM
    result = sledai.score_mapping(dict.fromkeys(PUBLISHED_WEIGHTS, True))
    assert result.score == 105
    assert result.band == "high"


def test_definition_declares_24_boolean_items_with_label_definition_and_weight() -> None:
    fields = sledai.DEFINITION.fields
    assert [f.path for f in fields] == list(PUBLISHED_WEIGHTS)
    for f in fields:
        assert f.item.boolean
        assert f.item.label
        assert f"Weight {PUBLISHED_WEIGHTS[f.path]}." in f.item.description
        assert len(f.column) <= 26
        assert f.column == SHORT.get(f.path, f"sledai_{f.path}")
    assert "Gladman" in sledai.DEFINITION.reference.citation


def test_typed_input_has_exactly_the_descriptors() -> None:
    names = [n for n in sledai.SledaiInput.__dataclass_fields__ if n != "window_days"]
    assert names == list(PUBLISHED_WEIGHTS)


# --- worked examples ----------------------------------------------------------------------


def test_worked_example() -> None:
    # arthritis 4 + rash 2 + low complement 2 + increased DNA binding 2 = 10 -> moderate (5-10)
    result = sledai.score_mapping(
        payload(arthritis=True, rash=True, low_complement=True, increased_dna_binding=True)
    )
    assert result.score == 10
    assert result.working == "4 + 2 + 2 + 2 = 10"
    assert result.band == "moderate"
    assert [(d.key, d.weight) for d in result.descriptors_scored] == [
        ("arthritis", 4),
        ("rash", 2),
        ("low_complement", 2),
        ("increased_dna_binding", 2),
    ]


def test_nothing_present_scores_zero() -> None:
    result = sledai.score_mapping(payload())
    assert (result.score, result.band, result.working) == (0, "none", "0 = 0")


@pytest.mark.parametrize(
    ("present", "expected_score", "expected_band"),
    [
        ({"fever": True}, 1, "mild"),  # 1: lowest of 1-4
        ({"arthritis": True}, 4, "mild"),  # 4: highest of 1-4
        ({"arthritis": True, "fever": True}, 5, "moderate"),  # 4 + 1 = 5
        ({"arthritis": True, "hematuria": True, "rash": True}, 10, "moderate"),  # 4+4+2
        ({"arthritis": True, "hematuria": True, "rash": True, "fever": True}, 11, "high"),
    ],
)
def test_band_edges(present: dict[str, bool], expected_score: int, expected_band: str) -> None:
    result = sledai.score_mapping(payload(**present))
    assert (result.score, result.band) == (expected_score, expected_band)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    base=st.fixed_dictionaries({k: st.booleans() for k in PUBLISHED_WEIGHTS}),
    key=st.sampled_from(list(PUBLISHED_WEIGHTS)),
    variant=st.sampled_from(["sledai2k", "selena"]),
)
def test_every_descriptor_changes_the_score_by_its_weight(
    base: dict[str, bool], key: str, variant: str
) -> None:
    def as_input(values: dict[str, bool]) -> dict[str, Any]:
        # SELENA needs the onset of the four; "new" counts under both variants
        return {k: ("new" if v and k in FOUR else v) for k, v in values.items()}

    off = sledai.score_mapping(as_input(base | {key: False}), variant=variant).score
    on = sledai.score_mapping(as_input(base | {key: True}), variant=variant).score
    assert on - off == PUBLISHED_WEIGHTS[key]


# --- SELENA-SLEDAI versus SLEDAI-2K -------------------------------------------------------


@pytest.mark.parametrize("key", FOUR)
def test_persistent_counts_under_sledai2k_only(key: str) -> None:
    given_ = payload(**{key: "persistent"})
    assert sledai.score_mapping(given_).score == PUBLISHED_WEIGHTS[key]
    selena = sledai.score_mapping(given_, variant="selena")
    assert selena.score == 0
    assert [d.key for d in selena.not_counted] == [key]
    assert "not counted" in selena.to_text()


@pytest.mark.parametrize("key", FOUR)
@pytest.mark.parametrize("onset", ["new", "recurrent"])
def test_new_or_recurrent_counts_under_both(key: str, onset: str) -> None:
    for variant in sledai.VARIANTS:
        result = sledai.score_mapping(payload(**{key: onset}), variant=variant)
        assert result.score == PUBLISHED_WEIGHTS[key]
        assert result.descriptors_scored[0].status == "new_or_recurrent"


@pytest.mark.parametrize("key", FOUR)
def test_selena_refuses_a_bare_true_for_the_four(key: str) -> None:
    with pytest.raises(InputError) as err:
        sledai.score_mapping(payload(**{key: True}), variant="selena")
    (problem,) = err.value.problems
    assert problem.field == key
    assert "new or recurrent" in problem.message


def test_onset_words_are_refused_for_other_descriptors() -> None:
    with pytest.raises(InputError) as err:
        sledai.score_mapping(payload(arthritis="new"))
    assert err.value.problems[0].field == "arthritis"
    assert err.value.problems[0].allowed == "true or false"


# --- result content -----------------------------------------------------------------------


def test_result_names_variant_window_references_and_band_source() -> None:
    result = sledai.score_mapping(payload(rash="new") | {"window_days": 30}, variant="selena")
    data = result.to_dict()
    assert data["instrument"] == "SELENA-SLEDAI"
    assert data["variant"] == "selena"
    assert data["window_days"] == 30
    assert data["window_reference"]["doi"] == "10.1177/0961203309346505"  # Touma 2010
    assert "Gladman" in data["reference"]["citation"]
    assert "Petri" in data["variant_reference"]["citation"]
    assert data["interpretation"]["convention"] is True
    assert data["interpretation"]["band"] == "mild"
    assert data["interpretation"]["range"] == "1-4"
    assert data["descriptors_scored"] == [
        {"key": "rash", "label": "Rash", "weight": 2, "status": "new_or_recurrent"}
    ]
    text = result.to_text()
    assert "SELENA-SLEDAI: 2 / 105 (window 30 days)" in text
    assert "[S]" in text


def test_default_window_is_10_days_and_sledai2k() -> None:
    data = sledai.score_mapping(payload()).to_dict()
    assert (data["window_days"], data["variant"], data["instrument"]) == (
        10,
        "sledai2k",
        "SLEDAI-2K",
    )
    assert data["variant_reference"] is None


def test_typed_path_equals_mapping_path() -> None:
    values = payload(seizure=True, proteinuria="persistent", leukopenia=True)
    typed = sledai.score(sledai.SledaiInput(**values))
    # seizure 8 + proteinuria 4 + leukopenia 1 = 13
    assert typed == sledai.score_mapping(values)
    assert typed.score == 13


# --- rejections ---------------------------------------------------------------------------


def test_missing_keys_are_all_listed() -> None:
    given_ = payload()
    del given_["seizure"], given_["leukopenia"]
    with pytest.raises(InputError) as err:
        sledai.score_mapping(given_)
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("seizure", "is missing"),
        ("leukopenia", "is missing"),
    ]


def test_unknown_key_is_refused() -> None:
    with pytest.raises(InputError) as err:
        sledai.score_mapping(payload() | {"rash_new": True})
    (problem,) = err.value.problems
    assert (problem.field, problem.message) == ("rash_new", "unknown field")
    assert "seizure" in (problem.allowed or "")


@pytest.mark.parametrize("bad", [1, 0, "yes", None, 1.0, []])
def test_non_boolean_values_are_refused_naming_field_value_and_allowed(bad: object) -> None:
    with pytest.raises(InputError) as err:
        sledai.score_mapping(payload(fever=bad))
    (problem,) = err.value.problems
    assert problem.field == "fever"
    assert problem.value == bad
    assert problem.allowed == "true or false"


def test_all_problems_are_reported_at_once() -> None:
    given_ = payload(fever=2, rash="sometimes") | {"window_days": 14, "extra": 1}
    del given_["cva"]
    with pytest.raises(InputError) as err:
        sledai.score_mapping(given_)
    fields = sorted(p.field for p in err.value.problems)
    assert fields == ["cva", "extra", "fever", "rash", "window_days"]


@pytest.mark.parametrize("window", [7, 28, True, "10"])
def test_window_other_than_10_or_30_is_refused(window: object) -> None:
    with pytest.raises(InputError, match="window_days"):
        sledai.score_mapping(payload() | {"window_days": window})


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(InputError, match="variant: unknown variant"):
        sledai.score_mapping(payload(), variant="sledai")


def test_payload_must_be_an_object() -> None:
    with pytest.raises(InputError, match="expects a JSON object"):
        sledai.score_mapping([1, 2])  # type: ignore[arg-type]


def test_typed_input_refuses_bad_values() -> None:
    with pytest.raises(InputError) as err:
        sledai.SledaiInput(**payload(fever=1, rash="old"), window_days=20)
    assert sorted(p.field for p in err.value.problems) == ["fever", "rash", "window_days"]


def test_typed_input_refuses_bare_true_under_selena() -> None:
    record = sledai.SledaiInput(**payload(alopecia=True))
    assert sledai.score(record).score == 2  # SLEDAI-2K: alopecia 2
    with pytest.raises(InputError, match="alopecia"):
        sledai.score(record, variant="selena")
