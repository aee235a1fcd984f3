"""CLA-IGA fixtures from the brief of the core outcome set (Guo 2021,
doi:10.1136/lupus-2021-000529), NOT from clears' own definition: one grade 0-4, clear,
almost clear, mild, moderate, severe."""

from __future__ import annotations

from clears.instruments import cla_iga

GRADES = {0: "clear", 1: "almost clear", 2: "mild", 3: "moderate", 4: "severe"}


def test_one_grade_column_with_five_levels() -> None:
    assert cla_iga.DEFINITION.columns == ("cla_iga",)
    assert {lv.code: lv.label for lv in cla_iga.GRADE.levels} == GRADES


def test_reference_is_the_core_outcome_set_and_says_validation_is_unverified() -> None:
    assert cla_iga.REFERENCE.doi == "10.1136/lupus-2021-000529"
    assert "not verified" in (cla_iga.REFERENCE.note or "")
