"""A site-fields file is checked in full: every wrong declaration is named with the allowed
values; a valid one declares cohort columns; values are parsed by those columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from clears._exceptions import InputError
from clears.cohort import (
    Kind,
    check_site_values,
    load_site_fields,
    parse_site_fields,
    site_dictionary_rows,
    site_text,
    site_typed,
)
from clears.instruments.redcap import HEADER

EXAMPLE = Path(__file__).parents[2] / "examples" / "site_fields" / "braunstein.toml"


def _problems(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    with pytest.raises(InputError) as caught:
        parse_site_fields(document, file="site.toml")
    assert all(p.file == "site.toml" for p in caught.value.problems)
    return [(p.field, p.message, p.allowed) for p in caught.value.problems]


def _one(**entry: Any) -> dict[str, Any]:
    return {"visits": [{"name": "ifn_score", "label": "IFN score", **entry}]}


def test_unknown_type_is_refused_naming_the_types() -> None:
    [(field, message, allowed)] = _problems(_one(type="float"))
    assert field == "visits[1].type"
    assert "not a known type" in message
    assert allowed == "number, integer, date, choice, yes_no, text"


@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("visits", "anc"),
        ("visits", "clasi_scalp_ery"),
        ("patients", "sle_onset_date"),
        ("adverse_events", "grade"),
        ("visits", "patient_id"),
        ("flares", "version"),
    ],
)
def test_a_built_in_column_name_is_refused(table: str, name: str) -> None:
    [(field, message, _)] = _problems({table: [{"name": name, "label": "x", "type": "text"}]})
    assert field == f"{table}[1].name"
    assert "built-in column" in message


def test_min_above_max_is_refused() -> None:
    [(field, message, allowed)] = _problems(_one(type="number", min=10, max=1))
    assert field == "visits[1].max"
    assert "below min" in message
    assert allowed == "max ≥ min"


def test_a_name_declared_twice_even_in_two_tables_is_refused() -> None:
    document = {
        "visits": [{"name": "anti_ro", "label": "a", "type": "yes_no"}],
        "patients": [{"name": "anti_ro", "label": "b", "type": "yes_no"}],
    }
    [(field, message, _)] = _problems(document)
    assert field == "patients[1].name"
    assert "already declared (in visits[1])" in message


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        ([{"code": "Selena", "label": "SELENA"}], "no valid code"),
        ([{"code": "a b", "label": "x"}], "no valid code"),
        ([{"code": "a", "label": "x"}, {"code": "a", "label": "y"}], "given twice"),
        ([{"code": "a", "label": " "}], "has no label"),
        ([], "non-empty array"),
    ],
)
def test_bad_choices_are_refused(choices: list[dict[str, str]], words: str) -> None:
    found = _problems(_one(type="choice", choices=choices))
    assert [(f, words in m) for f, m, _ in found] == [("visits[1].choices", True)]


def test_every_problem_is_reported_at_once() -> None:
    document = {
        "visit": [],
        "visits": [
            {"name": "Bad Name", "label": "", "type": "number", "unit": 3, "colour": "red"},
            {"name": "variant", "label": "v", "type": "choice"},
            {"name": "note", "label": "n", "type": "text", "min": 1, "centres": []},
        ],
    }
    fields = {field for field, _, _ in _problems(document)}
    assert fields == {
        "visit",
        "visits[1].colour",
        "visits[1].name",
        "visits[1].label",
        "visits[1].unit",
        "visits[2].choices",
        "visits[3].min",
        "visits[3].centres",
    }


def test_the_file_is_read_and_its_problems_name_it(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[[flares]]\nname = "x"\nlabel = "X"\ntype = "colour"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_site_fields(path)
    assert caught.value.problems[0].file == str(path)


def test_the_worked_example_declares_cohort_columns() -> None:
    fields = load_site_fields(EXAMPLE)
    score = next(f for f in fields.fields if f.name == "ifn_signature_score")
    assert (score.table, score.column.kind, score.column.minimum, score.column.maximum) == (
        "visits",
        Kind.number,
        0.0,
        100.0,
    )
    variant = fields.find("visits", "sledai_variant")
    assert variant is not None
    assert variant.column.options == ("sledai_2k", "selena")
    # A field limited to BCN applies to BCN's records only.
    assert [f.name for f in fields.of("visits", "LYO")] == ["ifn_signature_score", "sledai_variant"]
    assert "skin_biopsy_count" in [f.name for f in fields.of("visits", "BCN")]


def test_values_are_parsed_by_their_column_and_refused_with_the_allowed_values() -> None:
    fields = load_site_fields(EXAMPLE)
    texts = check_site_values(
        fields,
        table="visits",
        centre="BCN",
        values={"ifn_signature_score": "12.5", "sledai_variant": "SELENA", "skin_biopsy_count": 2},
        stored={},
        adding=True,
    )
    assert texts == {
        "ifn_signature_score": "12.5",
        "sledai_variant": "selena",
        "skin_biopsy_count": "2",
    }
    with pytest.raises(InputError) as caught:
        check_site_values(
            fields,
            table="visits",
            centre="LYO",
            values={"ifn_signature_score": "120", "skin_biopsy_count": "1"},
            stored={},
            adding=True,
        )
    found = {p.field: (p.message, p.allowed) for p in caught.value.problems}
    assert found["site_fields.ifn_signature_score"] == (
        "is out of range",
        "a number from 0 to 100 score",
    )
    # Declared for BCN only: at LYO it is not a field at all.
    assert "not a site field" in found["site_fields.skin_biopsy_count"][0]


def test_required_fields_must_be_given_and_removed_fields_cannot_change() -> None:
    fields = parse_site_fields(
        {"flares": [{"name": "trigger", "label": "T", "type": "text", "required": True}]},
        file="s.toml",
    )
    with pytest.raises(InputError, match=r"site_fields\.trigger: is required"):
        check_site_values(fields, table="flares", centre="BCN", values={}, stored={}, adding=True)
    with pytest.raises(InputError, match="is required"):
        check_site_values(
            fields,
            table="flares",
            centre="BCN",
            values={"trigger": ""},
            stored={"trigger": "x"},
            adding=False,
        )
    # A record stored before the field was declared may be edited without it.
    assert (
        check_site_values(
            fields, table="flares", centre="BCN", values={"trigger": ""}, stored={}, adding=False
        )
        == {}
    )
    with pytest.raises(InputError, match="no longer declared"):
        check_site_values(
            fields,
            table="flares",
            centre="BCN",
            values={"old": "x"},
            stored={"old": "y"},
            adding=False,
        )


def test_stored_text_reads_back_as_the_typed_value() -> None:
    fields = load_site_fields(EXAMPLE)
    cases = [
        ("patients", "cle_diagnosis_date", dt.date(2019, 4, 2), "2019-04-02"),
        ("patients", "anti_ro", True, "true"),
        ("visits", "ifn_signature_score", 0.1, "0.1"),
        ("visits", "skin_biopsy_count", 3, "3"),
    ]
    for table, name, value, text in cases:
        field = fields.find(table, name)
        assert field is not None
        assert site_text(field, value) == text
        assert site_typed(field, text) == value


def test_redcap_rows_carry_type_validation_range_choices_and_required() -> None:
    # REDCap data dictionary conventions: docs/instruments/redcap.md (validation types
    # number, integer, date_ymd; dropdown choices "code, label | code, label"; "y").
    document = {
        "visits": [
            {
                "name": "ifn_score",
                "label": "IFN score",
                "type": "number",
                "unit": "score",
                "min": 0,
                "max": 100,
                "required": True,
            },
            {
                "name": "variant",
                "label": "Variant",
                "type": "choice",
                "choices": [
                    {"code": "sledai_2k", "label": "SLEDAI-2K"},
                    {"code": "selena", "label": "SELENA-SLEDAI"},
                ],
            },
        ],
        "patients": [
            {"name": "dx_date", "label": "Diagnosis", "type": "date"},
            {"name": "anti_ro", "label": "Anti-Ro", "type": "yes_no"},
        ],
    }
    rows = {
        r["Variable / Field Name"]: r
        for r in site_dictionary_rows(parse_site_fields(document, file="s.toml"))
    }
    assert all(list(r) == list(HEADER) for r in rows.values())
    score = rows["ifn_score"]
    assert (
        score["Form Name"],
        score["Field Type"],
        score["Text Validation Type OR Show Slider Number"],
        score["Text Validation Min"],
        score["Text Validation Max"],
        score["Required Field?"],
        score["Field Note"],
    ) == ("site_visits", "text", "number", "0", "100", "y", "score")
    variant = rows["variant"]
    assert (variant["Field Type"], variant["Choices, Calculations, OR Slider Labels"]) == (
        "dropdown",
        "sledai_2k, SLEDAI-2K | selena, SELENA-SLEDAI",
    )
    assert rows["dx_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert rows["anti_ro"]["Field Type"] == "yesno"
    assert rows["variant"]["Required Field?"] == ""
