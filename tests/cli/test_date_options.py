"""Date options (``--today``, ``--as-of``) take YYYY-MM-DD; anything else is a usage error
(exit code 2, docs of ``clears.cli.main``) naming the option, never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest
from tests._cli import clears

from clears.cli._io import iso_date


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["import", "no-such-folder", "--today", "2024-13-01"], "--today"),
        (["import-redcap", "no-such.csv", "--centre", "BCN", "--today", "01/01/2025"], "--today"),
        (["cohort", "validate", "no-such-folder", "--today", "2024-02-30"], "--today"),
        (["advise", "no-such-folder", "--patient", "P1", "--as-of", "29/01/2024"], "--as-of"),
    ],
)
def test_a_bad_date_is_a_usage_error_naming_the_option(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    option: str,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the error box must not wrap the message
    assert clears(monkeypatch, *args) == 2
    err = capsys.readouterr().err
    assert option in err
    assert "is not an ISO date (YYYY-MM-DD)" in err


def test_iso_date_reads_the_day_and_leaves_an_absent_option_absent() -> None:
    # 2024 is a leap year: 29 February exists (datetime.date(2024, 2, 29)).
    assert iso_date("2024-02-29", option="--today") == dt.date(2024, 2, 29)
    assert iso_date(None, option="--today") is None
