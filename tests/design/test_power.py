"""Power by simulation: Fisher p-values against scipy, simulated against exact power."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from clears._exceptions import InputError
from clears.design.power import (
    exact_power_single_arm,
    exact_power_two_arm,
    fisher_pvalues,
    power_single_arm,
    power_two_arm,
)


@pytest.mark.parametrize(("n1", "n2"), [(6, 6), (7, 9), (12, 5)])
def test_fisher_pvalues_match_scipy(n1, n2):
    table = fisher_pvalues(n1, n2)
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            # scipy.stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue, two-sided
            expected = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
            assert table[x1, x2] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_exact_two_arm_power_by_direct_enumeration():
    # Independent check: enumerate outcomes and call scipy.stats.fisher_exact on each.
    n, pc, pt = 8, 0.2, 0.8
    total = 0.0
    for xc in range(n + 1):
        for xt in range(n + 1):
            if stats.fisher_exact([[xc, n - xc], [xt, n - xt]]).pvalue <= 0.05:
                total += stats.binom.pmf(xc, n, pc) * stats.binom.pmf(xt, n, pt)
    assert exact_power_two_arm(pc, pt, n, 0.05) == pytest.approx(total, rel=1e-12)


def test_single_arm_exact_power_against_binomial():
    # n = 25, p0 = 0.1: P(X > 5 | 0.1) = scipy.stats.binom.sf(5, 25, 0.1) = 0.033 <= 0.05,
    # P(X > 4 | 0.1) = 0.098 > 0.05, so reject when X > 5; power = binom.sf(5, 25, 0.3).
    assert stats.binom.sf(5, 25, 0.1) <= 0.05 < stats.binom.sf(4, 25, 0.1)
    assert exact_power_single_arm(0.1, 0.3, 25, 0.05) == pytest.approx(stats.binom.sf(5, 25, 0.3))


def test_simulated_two_arm_power_brackets_exact():
    curve = power_two_arm(0.3, 0.7, [10, 20, 30], rng=np.random.default_rng(11), n_sim=4000)
    f = curve.frame
    assert list(f["n"]) == [10, 20, 30]
    # Exact values are computed by enumeration (checked above against scipy).
    inside = (f["ci_low"] <= f["exact_power"]) & (f["exact_power"] <= f["ci_high"])
    assert inside.all()
    assert f["power"].is_monotonic_increasing
    assert curve.method.startswith("two-sided Fisher")


def test_simulated_single_arm_power_brackets_exact():
    curve = power_single_arm(0.2, 0.45, [15, 30], rng=np.random.default_rng(5), n_sim=4000)
    f = curve.frame
    assert ((f["ci_low"] <= f["exact_power"]) & (f["exact_power"] <= f["ci_high"])).all()


def test_null_rates_keep_the_size():
    curve = power_two_arm(0.4, 0.4, [25], rng=np.random.default_rng(3), n_sim=4000)
    assert curve.frame.loc[0, "power"] < 0.065  # Fisher is conservative: size <= 0.05


def test_sampler_arm_used_and_seed_reproducible():
    def sampler(n, rng):
        return rng.random(n) < 0.6

    a = power_two_arm(0.2, sampler, [20], rng=np.random.default_rng(9), n_sim=500)
    b = power_two_arm(0.2, sampler, [20], rng=np.random.default_rng(9), n_sim=500)
    assert a.frame.equals(b.frame)
    assert np.isnan(a.frame.loc[0, "exact_power"])
    assert a.arms["treatment"] == "sampler"


def test_every_input_changes_power():
    def run(**kw):
        args = {"control": 0.3, "treatment": 0.6, "sizes": [30], "alpha": 0.05}
        args.update(kw)
        return power_two_arm(
            args["control"], args["treatment"], args["sizes"],
            rng=np.random.default_rng(1), alpha=args["alpha"], n_sim=2000,
        ).frame.loc[0, "power"]  # fmt: skip

    base = run()
    assert run(control=0.2) != base
    assert run(treatment=0.7) != base
    assert run(sizes=[40]) != base
    assert run(alpha=0.1) != base


@pytest.mark.slow  # over a second in --durations
def test_smallest_n_and_plot(tmp_path):
    curve = power_two_arm(0.1, 0.6, [5, 10, 20, 40], rng=np.random.default_rng(4), n_sim=1000)
    assert curve.smallest_n(0.8) in (10, 20)
    out = tmp_path / "power.png"
    curve.plot(out)
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sizes": []}, "sizes"),
        ({"sizes": [0]}, "sizes"),
        ({"alpha": 0.7}, "alpha"),
        ({"n_sim": 0}, "n_sim"),
        ({"treatment": 1.5}, "treatment"),
    ],
)
def test_rejections(kwargs, field):
    args = {"control": 0.3, "treatment": 0.6, "sizes": [10], "alpha": 0.05, "n_sim": 10}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        power_two_arm(
            args["control"], args["treatment"], args["sizes"],
            rng=np.random.default_rng(0), alpha=args["alpha"], n_sim=args["n_sim"],
        )  # fmt: skip
    assert info.value.problems[0].field == field
