"""Forest plot files and the ``clears meta`` command."""

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app
from clears.evidence import forest_plot, metaprop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "meta"
DF = pd.DataFrame(
    {"study": list("abcd"), "events": [3, 6, 10, 1], "n": [11, 17, 21, 6], "drug": list("xxyy")}
)


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")])
def test_forest_plot_writes_a_real_image(tmp_path: Path, suffix: str, magic: bytes) -> None:
    res = metaprop(DF, method="REML", subgroup="drug")
    out = forest_plot(res, tmp_path / f"forest{suffix}")
    data = out.read_bytes()
    assert data.startswith(magic)
    assert len(data) > 5000
    with pytest.raises(InputError, match="unsupported file type"):
        forest_plot(res, tmp_path / "forest.jpg")


def test_forest_plot_for_glmm(tmp_path: Path) -> None:
    out = forest_plot(metaprop(DF, method="GLMM"), tmp_path / "g.png")
    assert out.stat().st_size > 5000


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
