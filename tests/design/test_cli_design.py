"""``clears design simon|power``: printed numbers are the library's; rejections name fields."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tests._cli import clears

from clears.design import power_single_arm, power_two_arm, simon_two_stage


def _flat(text: str) -> str:
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def _table(out: str) -> pd.DataFrame:
    lines = [line for line in out.splitlines() if line and not line.startswith("method:")]
    return pd.read_csv(io.StringIO("\n".join(lines)), sep=r"\s+")


@pytest.mark.slow
def test_simon_prints_the_library_design(monkeypatch, capsys):
    code = clears(monkeypatch, "design", "simon", "--p0", "0.1", "--p1", "0.3", "--nmax", "40")
    out = capsys.readouterr().out
    assert code == 0
    assert out == simon_two_stage(0.1, 0.3, alpha=0.05, beta=0.2, nmax=40).to_text() + "\n"
    # Simon 1989 Table 1 (p0 0.10, p1 0.30, alpha 0.05, beta 0.20): optimal 1/10, 5/29,
    # EN(p0) 15.0; minimax 1/15, 5/25, EN(p0) 19.5. Two decimals: EN = n1 + (1 - PET)(n - n1)
    # with PET = scipy.stats.binom.cdf(1, 10, 0.1) = 0.7361: 10 + 0.2639 * 19 = 15.01;
    # binom.cdf(1, 15, 0.1) = 0.5490: 15 + 0.4510 * 10 = 19.51.
    optimal, minimax = out.splitlines()[2].split(), out.splitlines()[3].split()
    assert optimal[:4] == ["optimal", "1/10", "5/29", "15.01"]
    assert minimax[:4] == ["minimax", "1/15", "5/25", "19.51"]


@pytest.mark.slow
def test_two_arm_power_matches_library_and_exact_enumeration(monkeypatch, capsys):
    code = clears(monkeypatch, "design", "power", "--control", "0.2", "--treatment", "0.7",
                  "--sizes", "12,20", "--n-sim", "3000", "--seed", "4")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    printed = _table(out)
    lib = power_two_arm(0.2, 0.7, [12, 20], rng=np.random.default_rng(4), n_sim=3000)
    pd.testing.assert_frame_equal(printed, lib.frame.round(4), check_dtype=False)
    # Exact power at n = 12 by enumeration with scipy.stats.fisher_exact (two-sided, 0.05).
    k = np.arange(13)
    pc, pt = stats.binom.pmf(k, 12, 0.2), stats.binom.pmf(k, 12, 0.7)
    exact = sum(pc[a] * pt[b] for a in k for b in k
                if stats.fisher_exact([[a, 12 - a], [b, 12 - b]]).pvalue <= 0.05)  # fmt: skip
    assert printed.loc[0, "exact_power"] == pytest.approx(exact, abs=5e-5)
    assert "two-sided Fisher exact test" in out
    assert "3000 trials per size" in out


def test_single_arm_power_critical_value(monkeypatch, capsys):
    code = clears(monkeypatch, "design", "power", "--p0", "0.1", "--treatment", "0.3",
                  "--sizes", "25", "--n-sim", "2000")  # fmt: skip
    printed = _table(capsys.readouterr().out)
    assert code == 0
    lib = power_single_arm(0.1, 0.3, [25], rng=np.random.default_rng(1), n_sim=2000)
    pd.testing.assert_frame_equal(printed, lib.frame.round(4), check_dtype=False)
    # scipy.stats.binom.sf(5, 25, 0.1) = 0.0334 <= 0.05 < binom.sf(4, 25, 0.1) = 0.0980,
    # so reject when more than 5 respond; power binom.sf(5, 25, 0.3) = 0.8065.
    assert printed.loc[0, "critical"] == 5
    assert printed.loc[0, "exact_power"] == pytest.approx(stats.binom.sf(5, 25, 0.3), abs=5e-5)


def test_power_with_a_virtual_cohort_arm(monkeypatch, capsys):
    code = clears(monkeypatch, "design", "power", "--control", "0.1", "--treatment",
                  "cortes2012:12", "--sizes", "10", "--n-sim", "200")  # fmt: skip
    printed = _table(capsys.readouterr().out)
    assert code == 0
    assert printed["exact_power"].isna().all()  # no exact power for a sampler arm
    assert 0 <= printed.loc[0, "power"] <= 1


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["simon", "--p0", "1.5", "--p1", "0.3"], ["p0: must be a probability", "0 < value < 1"]),
        (["simon", "--p0", "0.3", "--p1", "0.2"], ["p1: must exceed p0", "a rate above 0.3"]),
        (["simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.7"], ["alpha:", "0 < value < 0.5"]),
        (["power", "--control", "1.2", "--treatment", "0.5"], ["control: must be a probability"]),
        (["power", "--control", "0.2", "--treatment", "-0.1"], ["treatment: must be a prob"]),
        (["power", "--p0", "0", "--treatment", "0.5"], ["p0: must be a probability"]),
    ],
)
def test_bad_rates_exit_1_naming_the_field(monkeypatch, capsys, args, needles):
    assert clears(monkeypatch, "design", *args, "--sizes" if args[0] == "power" else "--nmax",
                  "10") == 1  # fmt: skip
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, err


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--control", "0.2", "--treatment", "abc"], ["'--treatment'", "'abc'", "cortes2012"]),
        (["--control", "0.2", "--treatment", "nope:12"], ["'--treatment'", "WEEK 1-520"]),
        (["--control", "0.2", "--treatment", "0.5", "--sizes", "10,a"], ["'--sizes'", "10,20"]),
        (["--control", "0.2", "--p0", "0.1", "--treatment", "0.5"], ["exactly one of"]),
        (["--treatment", "0.5"], ["exactly one of"]),
    ],
)
def test_bad_power_options_exit_2(monkeypatch, capsys, args, needles):
    assert clears(monkeypatch, "design", "power", *args) == 2
    err = _flat(capsys.readouterr().err)
    for needle in needles:
        assert needle in err, err
