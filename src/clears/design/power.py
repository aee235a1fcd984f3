"""Power by simulation for trials with a binary endpoint (complete response at week N).

Two designs are covered, each over a grid of sample sizes:

* a two-arm trial (lenalidomide vs thalidomide, or vs placebo) analysed with the two-sided
  Fisher exact test;
* a single-arm trial tested against a fixed rate with the one-sided exact binomial test.

Each arm's response is either a fixed probability or a *sampler*: a function
``sampler(n, rng) -> bool array`` giving the endpoint of ``n`` simulated patients (for
example :func:`clears.simulate.calibration.response_sampler`, which runs the virtual-cohort
disease model). Trials are simulated all at once (vectorised); the test is read from a
rejection table computed once per sample size, so 10,000 trials cost one table look-up each.
When both arms are fixed probabilities, the exact power (enumeration of all outcomes) is
reported next to the simulated one.

References
----------
Fisher RA. Statistical Methods for Research Workers, 1925 (exact test; two-sided p-value as
the sum of table probabilities not larger than the observed one, as in R ``fisher.test``).
Clopper CJ, Pearson ES. Biometrika 1934;26(4):404-413 (Monte Carlo interval of the power).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears._exceptions import InputError, Problem

__all__ = [
    "PowerCurve",
    "Sampler",
    "exact_power_single_arm",
    "exact_power_two_arm",
    "fisher_pvalues",
    "power_single_arm",
    "power_two_arm",
]

#: ``sampler(n, rng)`` returns the binary endpoint of ``n`` simulated patients.
Sampler = Callable[[int, np.random.Generator], npt.NDArray[np.bool_]]
Arm = float | Sampler

#: Relative tolerance when comparing table probabilities (R ``fisher.test`` uses 1 + 1e-7).
_RELATIVE: Final = 1 + 1e-7
TWO_ARM_METHOD: Final = "two-sided Fisher exact test; power by Monte Carlo simulation"
SINGLE_ARM_METHOD: Final = "one-sided exact binomial test; power by Monte Carlo simulation"


@dataclass(frozen=True)
class PowerCurve:
    """Simulated power over a grid of sample sizes.

    Attributes
    ----------
    frame
        One row per sample size: ``n`` (per arm for two-arm trials), ``power``, ``mc_se``
        (Monte Carlo standard error), ``ci_low``/``ci_high`` (Clopper-Pearson 95 % interval
        of the simulated power), ``exact_power`` (NaN when an arm is a sampler) and, for
        single-arm trials, ``critical`` (reject when more than this many respond).
    design, method
        What was simulated and how it was tested.
    n_sim, alpha
        Simulated trials per sample size, significance level.
    """

    frame: pd.DataFrame
    design: str
    method: str
    n_sim: int
    alpha: float
    arms: dict[str, str] = field(default_factory=dict)

    def smallest_n(self, target: float = 0.8) -> int | None:
        """Smallest simulated size whose power reaches ``target`` (None if none does)."""
        hit = self.frame.loc[self.frame["power"] >= target, "n"]
        return None if hit.empty else int(hit.min())

    def plot(self, path: str | Path | None = None, *, target: float = 0.8) -> Any:
        """Plot the power curve (matplotlib imported here); save it when ``path`` is given."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        f = self.frame
        ax.fill_between(f["n"], f["ci_low"], f["ci_high"], alpha=0.25, label="95 % MC interval")
        ax.plot(f["n"], f["power"], marker="o", label="simulated power")
        if f["exact_power"].notna().any():
            ax.plot(f["n"], f["exact_power"], linestyle="--", label="exact power")
        ax.axhline(target, color="grey", linewidth=0.8)
        ax.set_xlabel("patients per arm" if self.design == "two-arm" else "patients")
        ax.set_ylabel("power")
        ax.set_ylim(0, 1)
        ax.set_title(f"{self.design}: {', '.join(f'{k}={v}' for k, v in self.arms.items())}")
        ax.legend(loc="lower right", fontsize=8)
        fig.text(0.01, 0.01, f"{self.method}; {self.n_sim} trials per size", fontsize=6)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
            plt.close(fig)
        return fig


def _check(sizes: Sequence[int], alpha: float, n_sim: int, rates: dict[str, Arm]) -> list[int]:
    problems: list[Problem] = []
    grid = list(sizes)
    if not grid or any(isinstance(n, bool) or not isinstance(n, int | np.integer) for n in grid):
        problems.append(Problem("sizes", grid, "must be whole numbers", "a list like 20 30 40"))
    elif any(n < 1 or n > 5000 for n in grid):
        problems.append(Problem("sizes", grid, "out of range", "1-5000 patients"))
    if not 0 < alpha < 0.5:
        problems.append(Problem("alpha", alpha, "is not a usable significance level", "0-0.5"))
    if isinstance(n_sim, bool) or not isinstance(n_sim, int) or not 1 <= n_sim <= 10_000_000:
        problems.append(Problem("n_sim", n_sim, "is not a usable number of trials", "1-10^7"))
    for name, arm in rates.items():
        if not callable(arm) and not 0 <= float(arm) <= 1:
            problems.append(Problem(name, arm, "must be a probability", "0 to 1, or a sampler"))
    if problems:
        raise InputError(problems)
    return sorted({int(n) for n in grid})


def fisher_pvalues(n1: int, n2: int) -> npt.NDArray[np.float64]:
    """Two-sided Fisher exact p-value of every table ``x1/n1`` vs ``x2/n2``.

    ``P[x1, x2]``: given the total ``s = x1 + x2``, ``x1`` is hypergeometric; the p-value
    sums the probabilities of the tables no more probable than the observed one.

    Examples
    --------
    >>> from scipy.stats import fisher_exact
    >>> p = fisher_pvalues(10, 12)
    >>> bool(np.isclose(p[7, 2], fisher_exact([[7, 3], [2, 10]]).pvalue))
    True
    """
    out = np.ones((n1 + 1, n2 + 1))
    for s in range(n1 + n2 + 1):
        lo, hi = max(0, s - n2), min(n1, s)
        x = np.arange(lo, hi + 1)
        pmf = stats.hypergeom.pmf(x, n1 + n2, s, n1)
        smaller = pmf[None, :] <= pmf[:, None] * _RELATIVE
        out[x, s - x] = np.minimum(1.0, (smaller * pmf[None, :]).sum(axis=1))
    return out


def exact_power_two_arm(p_control: float, p_treatment: float, n: int, alpha: float) -> float:
    """Exact power of the two-sided Fisher test with ``n`` patients per arm.

    Examples
    --------
    With equal rates the power is the size of the test, which is at most ``alpha``.

    >>> exact_power_two_arm(0.4, 0.4, 20, 0.05) <= 0.05
    True
    """
    reject = fisher_pvalues(n, n) <= alpha
    k = np.arange(n + 1)
    joint = np.outer(stats.binom.pmf(k, n, p_control), stats.binom.pmf(k, n, p_treatment))
    return float((joint * reject).sum())


def _critical(n: int, p0: float, alpha: float) -> int:
    """Smallest ``c`` with ``P(X > c | p0) <= alpha`` (reject when more than ``c`` respond)."""
    c = np.arange(-1, n + 1)
    ok = stats.binom.sf(c, n, p0) <= alpha
    return int(c[np.argmax(ok)])


def exact_power_single_arm(p0: float, p1: float, n: int, alpha: float) -> float:
    """Exact power of the one-sided exact binomial test of ``p <= p0`` at ``p = p1``.

    Examples
    --------
    >>> round(exact_power_single_arm(0.1, 0.3, 25, 0.05), 3)  # reject if X > 5 of 25
    0.807
    """
    return float(stats.binom.sf(_critical(n, p0, alpha), n, p1))


def _counts(arm: Arm, n: int, n_sim: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    if callable(arm):
        outcome = np.asarray(arm(n * n_sim, rng), dtype=bool)
        counts: npt.NDArray[np.int64] = outcome.reshape(n_sim, n).sum(axis=1).astype(np.int64)
        return counts
    drawn: npt.NDArray[np.int64] = rng.binomial(n, float(arm), size=n_sim).astype(np.int64)
    return drawn


def _row(n: int, hits: int, n_sim: int, exact: float) -> dict[str, float]:
    power = hits / n_sim
    ci = stats.binomtest(hits, n_sim).proportion_ci(method="exact")
    return {
        "n": n,
        "power": power,
        "mc_se": float(np.sqrt(power * (1 - power) / n_sim)),
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "exact_power": exact,
    }


def _label(arm: Arm) -> str:
    return getattr(arm, "label", "sampler") if callable(arm) else f"{float(arm):g}"


def power_two_arm(
    control: Arm,
    treatment: Arm,
    sizes: Sequence[int],
    *,
    rng: np.random.Generator,
    alpha: float = 0.05,
    n_sim: int = 10_000,
) -> PowerCurve:
    """Simulated power of a two-arm trial (equal arms) on a binary endpoint.

    Parameters
    ----------
    control, treatment
        Response probability of each arm, or a sampler ``(n, rng) -> bool array``.
    sizes
        Patients per arm to simulate.
    rng
        The random generator (never a global seed).
    alpha
        Two-sided significance level of the Fisher exact test.
    n_sim
        Trials simulated per size.

    Returns
    -------
    PowerCurve
        ``frame`` has one row per size (see :class:`PowerCurve`).

    Examples
    --------
    >>> curve = power_two_arm(0.2, 0.7, [20], rng=np.random.default_rng(1), n_sim=2000)
    >>> row = curve.frame.iloc[0]
    >>> bool(row["ci_low"] <= row["exact_power"] <= row["ci_high"])
    True
    """
    grid = _check(sizes, alpha, n_sim, {"control": control, "treatment": treatment})
    rows = []
    for n in grid:
        reject = fisher_pvalues(n, n) <= alpha
        xc = _counts(control, n, n_sim, rng)
        xt = _counts(treatment, n, n_sim, rng)
        hits = int(reject[xc, xt].sum())
        exact = (
            np.nan
            if callable(control) or callable(treatment)
            else exact_power_two_arm(float(control), float(treatment), n, alpha)
        )
        rows.append(_row(n, hits, n_sim, exact))
    arms = {"control": _label(control), "treatment": _label(treatment)}
    return PowerCurve(pd.DataFrame(rows), "two-arm", TWO_ARM_METHOD, n_sim, alpha, arms)


def power_single_arm(
    p0: float,
    treatment: Arm,
    sizes: Sequence[int],
    *,
    rng: np.random.Generator,
    alpha: float = 0.05,
    n_sim: int = 10_000,
) -> PowerCurve:
    """Simulated power of a single-arm trial against the fixed rate ``p0`` (one-sided).

    Reject H0 ``p <= p0`` when more than ``critical`` patients respond, ``critical`` being
    the smallest count with ``P(X > critical | p0) <= alpha``.

    Examples
    --------
    >>> curve = power_single_arm(0.1, 0.3, [25], rng=np.random.default_rng(2), n_sim=4000)
    >>> int(curve.frame.loc[0, "critical"]), round(float(curve.frame.loc[0, "exact_power"]), 3)
    (5, 0.807)
    """
    grid = _check(sizes, alpha, n_sim, {"p0": p0, "treatment": treatment})
    if not 0 < p0 < 1:
        raise InputError(Problem("p0", p0, "must be a probability strictly inside", "0-1"))
    rows = []
    for n in grid:
        crit = _critical(n, p0, alpha)
        x = _counts(treatment, n, n_sim, rng)
        exact = (
            np.nan
            if callable(treatment)
            else exact_power_single_arm(p0, float(treatment), n, alpha)
        )
        rows.append(_row(n, int((x > crit).sum()), n_sim, exact) | {"critical": crit})
    arms = {"p0": f"{p0:g}", "treatment": _label(treatment)}
    return PowerCurve(pd.DataFrame(rows), "single-arm", SINGLE_ARM_METHOD, n_sim, alpha, arms)
