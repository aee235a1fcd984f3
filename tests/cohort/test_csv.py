"""Strict CSV reading: a damaged file is refused, naming file, row and line, never read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from clears import InputError
from clears.cohort import read
from clears.cohort._csv import read_csv

TODAY = dt.date(2024, 6, 30)
HEADER = "patient_id,centre,sex,sle\n"


def _problems(folder: Path) -> list[tuple[str | None, int | None, str, str]]:
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    return [(p.file, p.row, p.field, p.message) for p in caught.value.problems]


def test_short_row_is_refused_not_read_as_blanks(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + "P1,BCN,female,yes\nP2,LYO\n")
    # Data row 2 is line 3 of the file (line 1 is the header).
    assert _problems(folder) == [
        (
            "patients.csv",
            2,
            "(row)",
            "has 2 fewer cells than the header (2 cells; the header has 4) (line 3 of the file)",
        )
    ]


def test_file_cut_mid_row_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + "P1,BCN,female,yes\nP2,LYO,ma")
    assert _problems(folder) == [
        (
            "patients.csv",
            2,
            "(row)",
            "has 1 fewer cell than the header (3 cells; the header has 4) (line 3 of the file)",
        )
    ]


def test_extra_cell_beyond_the_header_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + "P1,BCN,female,yes,zz\nP2,LYO,male,no\n")
    assert _problems(folder) == [
        (
            "patients.csv",
            1,
            "(row)",
            "has 1 more cell than the header (5 cells; the header has 4) (line 2 of the file)",
        )
    ]


def test_every_ragged_row_is_listed(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + "P1\nP2,LYO,male,no\n\nP3,X,male,no,1\n")
    # The blank line 4 is skipped, so P3 is data row 3 on line 5.
    assert [(row, message) for _, row, _, message in _problems(folder)] == [
        (1, "has 3 fewer cells than the header (1 cell; the header has 4) (line 2 of the file)"),
        (3, "has 1 more cell than the header (5 cells; the header has 4) (line 5 of the file)"),
    ]


def test_quoted_field_open_at_end_of_file(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + 'P1,BCN,female,yes\nP2,"LYO,male,no\n')
    ((file, row, _, message),) = _problems(folder)
    assert (file, row) == ("patients.csv", 2)
    assert message == "a quoted field opened on line 3 is still open at the end of the file"


def test_text_after_a_closing_quote_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients=HEADER + 'P1,"BCN"x,female,yes\n')
    ((file, row, _, message),) = _problems(folder)
    assert (file, row) == ("patients.csv", 1)
    assert message.startswith("line 2 is not valid CSV")


def test_quoted_fields_with_commas_and_line_breaks_are_read(
    folder_of: Callable[..., Path],
) -> None:
    folder = folder_of(patients=HEADER + 'P1,"BCN, Sant Pau",female,yes\nP2,"LY\nO",male,no\n')
    assert read(folder, today=TODAY).patients["centre"].tolist() == ["BCN, Sant Pau", "LY\nO"]


def test_row_of_a_record_after_a_multi_line_field(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(HEADER + 'P1,"B\nC\nN",female,yes\nP2,LYO\n', encoding="utf-8")
    (problem,) = read_csv(path)  # type: ignore[misc]
    # P1 spans lines 2-4, so P2 (data row 2) is on line 5.
    assert problem.row == 2
    assert (
        problem.message
        == "has 2 fewer cells than the header (2 cells; the header has 4) (line 5 of the file)"
    )


def test_folder_named_like_a_table_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares=None)
    (folder / "flares.csv").mkdir()
    assert _problems(folder) == [("flares.csv", None, "(file)", "is a folder, not a file")]


def test_empty_file_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares="")
    assert _problems(folder) == [
        ("flares.csv", None, "(file)", "is empty (0 bytes); write at least the header")
    ]


def test_file_of_blank_lines_has_no_header(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares="\n\n")
    assert _problems(folder) == [
        ("flares.csv", None, "(file)", "has no header row (only blank lines)")
    ]


def test_not_utf8_names_the_byte_offset(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    head = HEADER.encode() + b"P1,B"
    (folder / "patients.csv").write_bytes(head + "\u00e9,female,yes\n".encode("latin-1"))
    ((file, row, _, message),) = _problems(folder)
    assert (file, row) == ("patients.csv", None)
    # Latin-1 'é' is the single byte 0xE9, right after the header and "P1,B".
    assert message == (
        f"is not UTF-8 text: byte 0xE9 at byte offset {len(head)} (line 2) is not valid UTF-8 "
        "(it looks like Latin-1 / Windows-1252 text); save the file as UTF-8 (in a "
        "spreadsheet: Save As, 'CSV UTF-8')"
    )


def test_byte_offset_counts_the_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "flares.csv"
    path.write_bytes(b"\xef\xbb\xbfpatient_id\xff\n")
    (problem,) = read_csv(path)  # type: ignore[misc]
    assert "byte 0xFF at byte offset 13 (line 1)" in problem.message  # 3 (BOM) + 10


def test_blank_column_name_is_refused(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients="patient_id,centre, ,sle\nP1,BCN,x,yes\n")
    assert _problems(folder) == [
        ("patients.csv", None, "(column 3)", "column 3 of the header has a blank name")
    ]


def test_repeated_column_is_kept_for_validation_to_refuse(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(visits="patient_id,visit_date,anc,anc\nP1,2020-01-06,1.2,3\n")
    assert ("visits.csv", None, "anc", "column appears 2 times") in _problems(folder)


def test_cells_are_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text("patient_id,code\nP1,007\nP2, 1e3 \n", encoding="utf-8")
    frame = read_csv(path)
    assert not isinstance(frame, list)
    assert frame["code"].tolist() == ["007", " 1e3 "]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "flares.csv"
    path.write_text("patient_id,flare_date,severity\r\n", encoding="utf-8")
    frame = read_csv(path)
    assert not isinstance(frame, list)
    assert list(frame.columns) == ["patient_id", "flare_date", "severity"]
    assert frame.empty


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "P1,BCN,female,yes\nP2,LYO,,\n",
        HEADER + "P1,BCN,female,yes\r\nP2,LYO,male,no\r\n\r\n",
        HEADER + "\nP1, BCN ,female,yes\n\nP2,LYO,male,no",  # blank lines, no final newline
        "patient_id,centre,anc,anc\nP1,BCN,1,2\n",  # a repeated name is kept as given
        HEADER + "P1,B'CN,x;y,\u00e9\n",
    ],
)
def test_quote_free_files_read_the_same_by_both_paths(text: str) -> None:
    from clears.cohort._csv import _strict, _without_quotes

    fast = _without_quotes(text)
    assert fast is not None  # these take the fast path
    strict = _strict(text, "patients.csv")
    assert not isinstance(strict, list)
    pd.testing.assert_frame_equal(fast, strict)


@pytest.mark.parametrize(
    "text",
    [
        HEADER + 'P1,"BCN",female,yes\n',  # a quote: the csv module reads it
        HEADER + "P1,BCN\n",  # ragged
        HEADER,  # header only
        "patient_id\nP1\n  \n",  # one column: a blank-looking line is a row for csv
        "patient_id,,sle\nP1,x,yes\n",  # blank header name
    ],
)
def test_other_files_take_the_strict_path(text: str) -> None:
    from clears.cohort._csv import _without_quotes

    assert _without_quotes(text) is None
