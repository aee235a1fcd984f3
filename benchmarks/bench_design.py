"""Benchmark: one power estimate from 10,000 simulated two-arm trials of 60 patients.

Run: ``.venv/bin/python benchmarks/bench_design.py [--trials 10000] [--per-arm 30]
[--loop-trials 200]``

Each trial has two arms of ``--per-arm`` patients (60 patients per trial by default) whose
endpoint, complete response (CLASI-A 0) by week 12, comes from the virtual-cohort disease
model (:func:`clears.simulate.response_sampler`): the control arm under the aitmehdi2021
preset, the treatment arm under cortes2012. The trials are analysed with the two-sided Fisher
exact test at alpha 0.05 by :func:`clears.design.power_two_arm`, which draws every patient of
every trial in one vectorised call per arm and reads each trial's verdict from a rejection
table computed once.

The baseline simulates the trials one by one, as a straightforward script would: draw the
two arms of one trial, call ``scipy.stats.fisher_exact``, repeat. It is timed on
``--loop-trials`` trials and its per-trial time scaled to ``--trials`` (stated as such in the
output); both powers are printed so the two methods can be seen to agree within Monte Carlo
error. Wall time is measured without tracing; the peak traced memory (tracemalloc) of the
vectorised estimate comes from a second, traced run with the same seed.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
from scipy import stats

from clears.design import power_two_arm
from clears.simulate import response_sampler

ALPHA = 0.05


def vectorised(trials: int, per_arm: int, seed: int) -> float:
    """Power from ``trials`` trials simulated at once (clears.design.power_two_arm)."""
    control = response_sampler("aitmehdi2021", 12)
    treatment = response_sampler("cortes2012", 12)
    curve = power_two_arm(
        control, treatment, [per_arm], rng=np.random.default_rng(seed), alpha=ALPHA, n_sim=trials
    )
    return float(curve.frame.loc[0, "power"])


def one_by_one(trials: int, per_arm: int, seed: int) -> float:
    """Power from ``trials`` trials simulated and tested one at a time."""
    control = response_sampler("aitmehdi2021", 12)
    treatment = response_sampler("cortes2012", 12)
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        xc = int(control(per_arm, rng).sum())
        xt = int(treatment(per_arm, rng).sum())
        table = [[xc, per_arm - xc], [xt, per_arm - xt]]
        hits += stats.fisher_exact(table).pvalue <= ALPHA
    return hits / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--per-arm", type=int, default=30)
    parser.add_argument("--loop-trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    vectorised(10, args.per_arm, args.seed)  # warm imports and preset loading
    start = time.perf_counter()
    power = vectorised(args.trials, args.per_arm, args.seed)
    fast = time.perf_counter() - start

    tracemalloc.start()
    vectorised(args.trials, args.per_arm, args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    start = time.perf_counter()
    loop_power = one_by_one(args.loop_trials, args.per_arm, args.seed)
    loop = time.perf_counter() - start
    loop_scaled = loop / args.loop_trials * args.trials

    se = np.sqrt(power * (1 - power) / args.trials)
    loop_se = np.sqrt(loop_power * (1 - loop_power) / args.loop_trials)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    patients = args.trials * 2 * args.per_arm
    print(f"trials: {args.trials:,} x {2 * args.per_arm} patients ({patients:,} simulated)")
    print(f"{'method':<34} {'time (s)':>10} {'power':>8} {'MC SE':>7}")
    print(f"{'vectorised (power_two_arm)':<34} {fast:>10.2f} {power:>8.4f} {se:>7.4f}")
    print(
        f"{f'one by one, {args.loop_trials} trials measured':<34} {loop:>10.2f} "
        f"{loop_power:>8.4f} {loop_se:>7.4f}"
    )
    print(f"{'one by one, scaled to all trials':<34} {loop_scaled:>10.1f}")
    print(f"speed ratio (scaled loop / vectorised): {loop_scaled / fast:.0f}x")
    print(f"peak traced memory, vectorised: {peak / 2**20:.0f} MiB; max RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
