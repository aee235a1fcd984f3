"""``clears dq run`` on a cohort folder: report, formats and exit status."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clears.cli.main import app, run


@pytest.mark.slow
def test_example_cohort_error_exits_1() -> None:
    # examples/cohort: one warning (P02, treatments row 4, blank end_reason) and one error
    # (P02, a woman of reproductive potential, visits row 6: pregnancy test not done).
    result = CliRunner().invoke(app, ["dq", "run", "examples/cohort", "--format", "json"])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.output)
    assert [(r["patient_id"], r["rule_id"], r["severity"]) for r in rows] == [
        ("P02", "end-reason-required", "warning"),
        ("P02", "pregnancy-test-required", "error"),
    ]


@pytest.mark.slow
def test_warnings_only_exit_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dq", "run", str(_warning_only(tmp_path)), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["patient_id"], r["rule_id"]) for r in rows] == [("P02", "end-reason-required")]


@pytest.mark.slow
def test_error_finding_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    shutil.copytree("examples/cohort", folder)
    path = folder / "visits.csv"
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("anc")] = "45"  # above the 30 x10^9/L of anc-plausible
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = CliRunner().invoke(app, ["dq", "run", str(folder)])
    assert result.exit_code == 1, result.output
    assert "anc-plausible (error): 1" in result.output


def test_neither_cohort_nor_db_is_usage_error() -> None:
    result = CliRunner().invoke(app, ["dq", "run"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_sqlite_registry_gives_the_same_finding(tmp_path: Path) -> None:
    # The example cohort imported into a SQLite registry: the same warning and error, exit 1.
    url = f"sqlite:///{tmp_path / 'dq.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["db", "init", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["import", "examples/cohort", "--db", url]).exit_code == 0
    result = runner.invoke(app, ["dq", "run", "--db", url, "--format", "json"])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.output)
    assert [(r["centre"], r["patient_id"], r["rule_id"]) for r in rows] == [
        ("BCN", "P02", "end-reason-required"),
        ("BCN", "P02", "pregnancy-test-required"),
    ]


def _warning_only(tmp_path: Path) -> Path:
    """A copy of examples/cohort whose only finding is the end-reason warning: P02's
    pregnancy test of 2019-06-24 (visits row 6, not done there) recorded negative."""
    return _cohort_with(tmp_path, "visits", 6, "pregnancy_test", "negative", base="examples/cohort")


def _cohort_with(
    tmp_path: Path, table: str, row: int, column: str, value: str, *, base: str | None = None
) -> Path:
    """A copy of examples/cohort with one cell of ``table`` (1-based data ``row``) replaced;
    unless ``base`` is given, the copy of :func:`_warning_only`."""
    folder = tmp_path / "cohort"
    if base is None:
        tmp_path = tmp_path / "base"
        shutil.copytree(_warning_only(tmp_path), folder)
    else:
        shutil.copytree(base, folder)
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    lines[row][lines[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
    return folder


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str, str]:
    # The installed entry point (clears.cli.main:run), which turns bad input into exit 1.
    monkeypatch.setattr(sys, "argv", ["clears", *args])
    try:
        run()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


_WBC_RULE = """
[[rule]]
id = "wbc-plausible"
title = "White cell count plausible"
severity = "error"
kind = "range"
table = "visits"
field = "wbc"
unit = "x10^9/L"
min = 1
max = 50
message = "WBC {value} x10^9/L is outside {min}-{max}"
source = "local laboratory reference range"
"""


@pytest.mark.slow
def test_rules_file_adds_a_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # visits row 1 (P01, 2019-01-14) wbc set to 60, above the added rule's max of 50 (and inside
    # the schema's 0-500, so the cohort still reads); the bundled warning (P02) stays.
    folder = _cohort_with(tmp_path, "visits", 1, "wbc", "60")
    rules = tmp_path / "site.toml"
    rules.write_text(_WBC_RULE, "utf-8")
    code, out, err = _run(
        ["dq", "run", str(folder), "--rules", str(rules), "--format", "json"], monkeypatch, capsys
    )
    assert code == 1, err  # the added rule is an error
    found = [(r["patient_id"], r["record"], r["rule_id"], r["severity"]) for r in json.loads(out)]
    assert found == [
        ("P01", "row 1", "wbc-plausible", "error"),
        ("P02", "row 4", "end-reason-required", "warning"),
    ]


_ANC_OVERRIDE = """
[[rule]]
id = "anc-plausible"
title = "Neutrophil count plausible (our laboratory)"
severity = "warning"
kind = "range"
table = "visits"
field = "anc"
unit = "x10^9/L"
min = 0.2
max = 25
message = "ANC {value} is outside {min}-{max}"
source = "local laboratory reference range"
"""


@pytest.mark.slow
def test_rules_file_overrides_a_bundled_rule_by_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # anc 28 at visits row 1: inside the bundled 0.1-30 but above the override's 25; the
    # override is a warning, so there is no error and the exit status is 0 (docs/quality.md).
    folder = _cohort_with(tmp_path, "visits", 1, "anc", "28")
    rules = tmp_path / "site.toml"
    rules.write_text(_ANC_OVERRIDE, "utf-8")
    code, out, err = _run(
        ["dq", "run", str(folder), "--rules", str(rules), "--format", "json"], monkeypatch, capsys
    )
    assert code == 0, err
    anc = [r for r in json.loads(out) if r["rule_id"] == "anc-plausible"]
    assert [(r["record"], r["severity"], r["message"]) for r in anc] == [
        ("row 1", "warning", "ANC 28.0 is outside 0.2-25")
    ]
    # Without the file the same cohort has no anc finding: 28 is inside the bundled range.
    code, out, err = _run(["dq", "run", str(folder), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert "anc-plausible" not in [r["rule_id"] for r in json.loads(out)]


@pytest.mark.slow
def test_rules_file_disables_a_bundled_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # The copy's only finding is end-reason-required (P02): disabled, none is left.
    folder = _warning_only(tmp_path)
    rules = tmp_path / "site.toml"
    rules.write_text('disable = ["end-reason-required"]\n', "utf-8")
    code, out, err = _run(["dq", "run", str(folder), "--rules", str(rules)], monkeypatch, capsys)
    assert code == 0, err
    assert out == "no findings\n"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a misspelt field: the rule is refused, naming the columns allowed
        (("field", '"neutrophils"'), ["rule x", "field", "neutrophils", "a column of visits"]),
        (("severity", '"fatal"'), ["rule x", "severity", "fatal", "error, warning"]),
        (("kind", '"sql"'), ["rule x", "kind", "sql", "range, required_when"]),
        (("min", '"low"'), ["rule x", "min", "low", "a number"]),
    ],
)
def test_bad_rules_file_exits_1_naming_file_rule_field_allowed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    change: tuple[str, str],
    expected: list[str],
) -> None:
    keys = {
        "id": '"x"', "title": '"t"', "severity": '"error"', "kind": '"range"',
        "table": '"visits"', "field": '"anc"', "min": "0", "max": "1",
        "message": '"m"', "source": '"s"',
    }  # fmt: skip
    keys[change[0]] = change[1]
    rules = tmp_path / "bad_rules.toml"
    rules.write_text("[[rule]]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()), "utf-8")
    code, out, err = _run(
        ["dq", "run", "examples/cohort", "--rules", str(rules)], monkeypatch, capsys
    )
    assert code == 1
    assert out == ""  # no report from a rules file that was refused
    assert str(rules) in err
    for text in expected:
        assert text in err


def test_bad_rules_file_reports_every_problem_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # Two rules, each with one problem placed on purpose, and a disable naming no rule: all
    # three are reported in one run ("every problem at once", docs/quality.md).
    rules = tmp_path / "bad_rules.toml"
    rules.write_text(
        'disable = ["bmi-plausibel"]\n'
        + _WBC_RULE.replace('"wbc"', '"wbcc"')
        + _ANC_OVERRIDE.replace('severity = "warning"', 'severity = "info"'),
        "utf-8",
    )
    code, _, err = _run(
        ["dq", "run", "examples/cohort", "--rules", str(rules)], monkeypatch, capsys
    )
    assert code == 1
    assert f"{rules}, rule wbc-plausible: field" in err
    assert "wbcc" in err
    assert f"{rules}, rule anc-plausible: severity" in err
    assert "info" in err
    assert f"{rules}: disable" in err
    assert "bmi-plausibel" in err


def test_disable_of_an_unknown_id_exits_1_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    rules = tmp_path / "site.toml"
    rules.write_text('disable = ["bmi-plausibel"]\n', "utf-8")  # misspelt bmi-plausible
    code, _, err = _run(
        ["dq", "run", "examples/cohort", "--rules", str(rules)], monkeypatch, capsys
    )
    assert code == 1
    assert "disable" in err
    assert "bmi-plausibel" in err
    assert "bmi-plausible" in err  # the allowed ids are listed


def test_unreadable_rules_file_exits_1_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    rules = tmp_path / "broken.toml"
    rules.write_text("[[rule]\nid = \n", "utf-8")  # not TOML
    code, _, err = _run(
        ["dq", "run", "examples/cohort", "--rules", str(rules)], monkeypatch, capsys
    )
    assert code == 1
    assert str(rules) in err
    assert "readable TOML" in err


_SLEDAI_RULE = """
[[rule]]
id = "dsdna-when-sledai-dna"
title = "Anti-dsDNA titre recorded when the SLEDAI-2K DNA binding item is present"
severity = "warning"
kind = "required_when"
table = "visits"
field = "anti_dsdna"
when_field = "sledai_dna"
when_min = 1
message = "SLEDAI-2K dsDNA item {when_value} without an anti-dsDNA titre"
source = "Gladman 2002, J Rheumatol 29:288-91"
"""


@pytest.mark.slow
def test_rule_on_a_sledai_item_same_from_folder_and_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # visits row 4 (P02, 2019-02-04) has sledai_dna 1; its anti_dsdna (85) blanked on purpose
    # makes it the rule's one finding. The registry's narrow read must fetch both columns.
    folder = _cohort_with(tmp_path, "visits", 4, "anti_dsdna", "")
    rules = tmp_path / "site.toml"
    rules.write_text(_SLEDAI_RULE, "utf-8")
    url = f"sqlite:///{tmp_path / 'dq.db'}"
    assert _run(["db", "init", "--db", url], monkeypatch, capsys)[0] == 0
    assert _run(["import", str(folder), "--db", url], monkeypatch, capsys)[0] == 0
    for source in ([str(folder)], ["--db", url]):
        args = ["dq", "run", *source, "--rules", str(rules), "--format", "json"]
        code, out, err = _run(args, monkeypatch, capsys)
        assert code == 0, err
        rows = [r for r in json.loads(out) if r["rule_id"] == "dsdna-when-sledai-dna"]
        assert [(r["patient_id"], r["record"]) for r in rows] == [("P02", "row 4")], source
