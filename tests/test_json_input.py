"""The one reader of user JSON (clears._json_input): limits from RFC 7493 section 2.2."""

from __future__ import annotations

from pathlib import Path

import pytest

from clears._exceptions import InputError
from clears._json_input import MAX_DEPTH, MAX_SAFE_INTEGER, parse_json, read_json_file


def _refusal(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_json(text, source="record.json")
    (problem,) = caught.value.problems
    assert problem.file == "record.json"
    return str(problem)


def test_ordinary_json_is_parsed_as_the_standard_library_would() -> None:
    text = '{"a": [1, -2.5, "x[{"], "b": {"c": null, "d": true}}'
    assert parse_json(text, source="r") == {"a": [1, -2.5, "x[{"], "b": {"c": None, "d": True}}


def test_the_depth_limit_is_inclusive() -> None:
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, source="r") is not None
    message = _refusal("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert "nesting limit" in message
    assert f"{MAX_DEPTH + 1} levels" in message


def test_a_hundred_thousand_levels_are_refused_without_recursion() -> None:
    depth = 100_000
    message = _refusal('{"a":' * depth + "1" + "}" * depth)
    assert "nesting limit" in message


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"note": "' + "[" * (MAX_DEPTH * 2) + '\\"]"}'
    assert parse_json(text, source="r") == {"note": "[" * (MAX_DEPTH * 2) + '"]'}


def test_the_safe_integer_range_is_inclusive_at_both_ends() -> None:
    # RFC 7493 section 2.2: integers in [-(2**53)+1, (2**53)-1].
    assert MAX_SAFE_INTEGER == 9007199254740991
    assert parse_json(str(2**53 - 1), source="r") == 2**53 - 1
    assert parse_json(str(-(2**53) + 1), source="r") == -(2**53) + 1
    assert "out of range" in _refusal(str(2**53))
    assert "out of range" in _refusal(str(-(2**53)))


def test_an_integer_of_five_thousand_digits_is_refused_and_shown_short() -> None:
    message = _refusal('{"value": ' + "9" * 5001 + "}")
    assert "out of range" in message
    assert "5001 characters" in message
    assert len(message) < 200


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_constants_are_not_allowed_values(literal: str) -> None:
    # RFC 8259 section 6: NaN and Infinity are not permitted as numbers.
    assert "is not an allowed value" in _refusal(f'{{"value": {literal}}}')


@pytest.mark.parametrize("number", ["1e400", "-1e309"])
def test_a_number_beyond_a_double_is_out_of_range(number: str) -> None:
    assert "out of range" in _refusal(f"[{number}]")


def test_the_largest_double_is_accepted() -> None:
    assert parse_json("1.7976931348623157e308", source="r") == 1.7976931348623157e308


def test_invalid_json_names_line_and_column() -> None:
    assert "line 2, column 1" in _refusal('{"a": 1,\n}')


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(InputError, match="not UTF-8"):
        read_json_file(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_json_file(tmp_path / "absent.json")
    with pytest.raises(InputError, match="cannot be read"):
        read_json_file(tmp_path)
