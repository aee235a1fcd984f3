"""The site fields from the command line: the REDCap dictionary with the site's forms."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests._cli import clears

from clears.instruments import redcap

EXAMPLE = Path(__file__).parents[2] / "examples" / "site_fields" / "braunstein.toml"


def test_the_dictionary_gets_the_site_forms_after_the_instruments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dictionary.csv"
    code = clears(
        monkeypatch, "instruments", "redcap", "--out", str(out), "--site-fields", str(EXAMPLE)
    )
    assert code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    instruments = len(redcap.dictionary_rows())
    # Six fields declared in the example file, after every instrument row.
    assert len(rows) == instruments + 6
    site = rows[instruments:]
    assert [r["Form Name"] for r in site] == ["site_patients"] * 2 + ["site_visits"] * 3 + [
        "site_adverse_events"
    ]
    names = [r["Variable / Field Name"] for r in rows]
    assert len(names) == len(set(names))  # REDCap variable names are unique in a project
    assert f"wrote {instruments + 6} fields" in capsys.readouterr().out


def test_a_bad_file_exits_1_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text('[[visits]]\nname = "x"\nlabel = "X"\ntype = "real"\n', encoding="utf-8")
    code = clears(
        monkeypatch,
        "instruments",
        "redcap",
        "--out",
        str(tmp_path / "d.csv"),
        "--site-fields",
        str(bad),
    )
    assert code == 1
    assert "visits[1].type" in capsys.readouterr().err
    assert not (tmp_path / "d.csv").exists()
