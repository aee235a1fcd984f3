"""Single-record CLA-IGA: every grade labelled, rejections naming field and allowed values."""

from __future__ import annotations

import pytest
from tests.instruments.cla_iga.test_definition import GRADES

from clears import InputError
from clears.instruments import cla_iga
from clears.instruments.cla_iga import ClaIgaInput


@pytest.mark.parametrize(("grade", "label"), sorted(GRADES.items()))
def test_every_grade_has_its_label(grade: int, label: str) -> None:
    result = cla_iga.score(ClaIgaInput(grade=grade))
    assert (result.grade, result.label) == (grade, label)
    assert cla_iga.score_mapping({"grade": grade}).label == label


@pytest.mark.parametrize("value", [-1, 5, 2.5, "2", True])
def test_bad_grades_are_refused_naming_field_and_allowed(value: object) -> None:
    with pytest.raises(InputError) as exc:
        cla_iga.score_mapping({"grade": value})
    assert str(exc.value).startswith("grade: ")
    assert "allowed: 0 (clear), 1 (almost clear), 2 (mild), 3 (moderate), 4 (severe)" in str(
        exc.value
    )


def test_missing_grade_needs_partial() -> None:
    with pytest.raises(InputError, match="grade: is missing"):
        cla_iga.score(ClaIgaInput())
    result = cla_iga.score(ClaIgaInput(), partial=True)
    assert (result.grade, result.label, result.partial) == (None, None, True)
    assert "not recorded" in result.to_text()


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InputError, match="iga: unknown field; allowed: grade"):
        cla_iga.score_mapping({"grade": 1, "iga": 1})


def test_result_renders() -> None:
    result = cla_iga.score(ClaIgaInput(grade=3))
    assert result.to_dict()["label"] == "moderate"
    assert result.to_dict()["reference"]["doi"] == "10.1136/lupus-2021-000529"
    assert "3 (moderate)" in result.to_text()
