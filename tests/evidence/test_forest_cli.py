"""The ``clears meta`` command (its forest plot file and its output)."""

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "meta"
DF = pd.DataFrame(
    {"study": list("abcd"), "events": [3, 6, 10, 1], "n": [11, 17, 21, 6], "drug": list("xxyy")}
)


@pytest.mark.slow
def test_cli_json_from_csv(tmp_path: Path) -> None:
    plot = tmp_path / "f.png"
    result = CliRunner().invoke(
        app,
        ["meta", str(EXAMPLES / "synthetic_by_drug.csv"), "--measure", "PLO", "--method", "REML",
         "--subgroup", "drug", "--format", "json", "--plot", str(plot)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low",
                "pi_high", "method", "measure", "studies"):  # fmt: skip
        assert key in payload
    assert payload["method"] == "REML"
    assert len(payload["studies"]) == 5
    assert payload["subgroup_test"]["df"] == 1
    assert plot.stat().st_size > 5000


@pytest.mark.slow
def test_cli_bundled_lists_exclusions() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = CliRunner().invoke(
            app, ["meta", "--bundled", "--outcome", "cr", "--subgroup", "drug", "--method", "GLMM"]
        )
    assert result.exit_code == 0, result.output
    assert "Excluded from pooling" in result.stdout
    assert "okon_52wk" in result.stdout
    assert "lenalidomide:" in result.stdout


@pytest.mark.slow
def test_cli_leave_one_out_text() -> None:
    result = CliRunner().invoke(
        app, ["meta", str(EXAMPLES / "synthetic_by_drug.csv"), "--method", "DL", "--leave-one-out"]
    )
    assert result.exit_code == 0, result.output
    assert "without Centre A" in result.stdout


def test_cli_rejects_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("study,events,n\na,5,3\n")
    result = CliRunner().invoke(app, ["meta", str(bad)])
    assert isinstance(result.exception, InputError)
    assert "exceeds n" in str(result.exception)
    result = CliRunner().invoke(app, ["meta"])
    assert isinstance(result.exception, InputError)


def test_cli_confidence_and_its_older_name_agree() -> None:
    csv = str(EXAMPLES / "synthetic_by_drug.csv")
    payloads = []
    for option in ("--confidence", "--level"):
        result = CliRunner().invoke(app, ["meta", csv, "--format", "json", option, "0.9"])
        assert result.exit_code == 0, result.output
        payloads.append(json.loads(result.stdout))
    assert payloads[0]["confidence"] == 0.9
    assert payloads[0] == payloads[1]
