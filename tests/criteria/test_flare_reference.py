"""Each preset's SLE flare rule names the visit its SLEDAI change is measured from, once."""

from __future__ import annotations

from clears.criteria import PRESETS
from clears.instruments.flare import REFERENCE_VISITS, RULES


def test_cortes_flare_change_is_from_baseline() -> None:
    # Cortés-Hernández 2012, Methods: "a mild flare was defined as a change in SLEDAI score
    # greater than 3 and a severe flare by a change in SLEDAI greater than 12" (from baseline).
    assert PRESETS["cortes2012"].flare_rule == "cortes2012"
    assert RULES["cortes2012"].reference_visit == "baseline"


def test_sfi_change_is_from_the_previous_visit() -> None:
    # SELENA flare index (Petri 2005): each visit is compared with the previous one.
    assert PRESETS["aitmehdi2021"].flare_rule == "sfi"
    assert RULES["sfi"].reference_visit == "previous"


def test_every_rule_named_by_a_preset_declares_a_known_reference_visit() -> None:
    for preset in PRESETS.values():
        if preset.flare_rule is not None:
            assert RULES[preset.flare_rule].reference_visit in REFERENCE_VISITS
