"""Simon two-stage designs for a single-arm phase II trial with a binary endpoint.

A design ``r1/n1, r/n`` enrols ``n1`` patients; the trial stops for futility when ``r1`` or
fewer respond. Otherwise ``n - n1`` more are enrolled and the treatment is declared worth
further study when more than ``r`` of all ``n`` respond. With ``X1 ~ Bin(n1, p)`` and
``X2 ~ Bin(n - n1, p)`` independent,

* early termination: ``PET(p) = P(X1 <= r1)``;
* rejection of H0 (declaring activity): ``sum_{x1 > r1} P(X1 = x1) P(X2 > r - x1)``;
* expected sample size: ``EN(p) = n1 + (1 - PET(p)) (n - n1)``.

Among designs with rejection probability at most ``alpha`` under ``p0`` and at least
``1 - beta`` under ``p1``, the *optimal* design minimises ``EN(p0)`` and the *minimax*
design minimises ``n`` (ties broken by the smaller ``EN(p0)``). The search is exact and
exhaustive over ``n <= nmax``, every ``n1 < n``, every ``r1`` and every ``r``.

References
----------
Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials
1989;10(1):1-10. doi:10.1016/0197-2456(89)90015-9.
The conventions (stop if ``<= r1``; promising if ``> r``) are those of R
``clinfun::ph2simon(pu, pa, ep1, ep2, nmax)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears._exceptions import InputError, NotFoundError, Problem

__all__ = ["METHOD", "SimonDesign", "SimonResult", "operating_characteristics", "simon_two_stage"]

#: Method label carried by every result.
METHOD: Final = "Simon two-stage design, exact binomial search (Simon 1989)"
REFERENCE: Final = (
    "Simon R. Optimal two-stage designs for phase II clinical trials. "
    "Control Clin Trials 1989;10(1):1-10. doi:10.1016/0197-2456(89)90015-9"
)
_TOL: Final = 1e-12

Float = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SimonDesign:
    """One two-stage design and its operating characteristics.

    Attributes
    ----------
    kind
        ``"optimal"`` or ``"minimax"``.
    r1, n1, r, n
        Stop after stage 1 when ``<= r1`` of ``n1`` respond; promising when ``> r`` of ``n``.
    en0, pet0
        Expected sample size and probability of early termination under ``p0``.
    alpha_actual, power_actual
        Exact rejection probabilities under ``p0`` and ``p1``.
    """

    kind: str
    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float
    alpha_actual: float
    power_actual: float

    def to_dict(self) -> dict[str, Any]:
        """The design as a plain dictionary."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SimonResult:
    """Optimal and minimax designs for one set of requirements."""

    p0: float
    p1: float
    alpha: float
    beta: float
    nmax: int
    optimal: SimonDesign
    minimax: SimonDesign
    method: str = METHOD
    reference: str = REFERENCE

    def summary(self) -> pd.DataFrame:
        """One row per design (optimal, minimax) with the requirements and the method."""
        rows = [d.to_dict() for d in (self.optimal, self.minimax)]
        frame = pd.DataFrame(rows)
        return frame.assign(
            p0=self.p0, p1=self.p1, alpha=self.alpha, beta=self.beta, method=self.method
        )

    def to_text(self) -> str:
        """A short printable table."""
        lines = [
            f"Simon two-stage design: p0={self.p0:g}, p1={self.p1:g}, "
            f"alpha={self.alpha:g}, beta={self.beta:g} (nmax {self.nmax})",
            f"{'design':<8} {'r1/n1':>7} {'r/n':>7} {'EN(p0)':>7} {'PET(p0)':>8} "
            f"{'alpha':>7} {'power':>7}",
        ]
        for d in (self.optimal, self.minimax):
            lines.append(
                f"{d.kind:<8} {f'{d.r1}/{d.n1}':>7} {f'{d.r}/{d.n}':>7} {d.en0:>7.2f} "
                f"{d.pet0:>8.3f} {d.alpha_actual:>7.4f} {d.power_actual:>7.4f}"
            )
        lines.append(f"Stop after stage 1 if <= r1 respond; promising if > r of n. {self.method}.")
        return "\n".join(lines)


def _check(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> None:
    problems: list[Problem] = []
    for name, value in (("p0", p0), ("p1", p1)):
        if not 0 < value < 1:
            problems.append(Problem(name, value, "must be a probability", "0 < value < 1"))
    if not problems and p1 <= p0:
        problems.append(Problem("p1", p1, "must exceed p0", f"a rate above {p0:g}"))
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not 0 < value < 0.5:
            problems.append(Problem(name, value, "is not a usable error rate", "0 < value < 0.5"))
    if isinstance(nmax, bool) or not isinstance(nmax, int) or not 2 <= nmax <= 500:
        problems.append(Problem("nmax", nmax, "is not a usable maximum", "an integer 2-500"))
    if problems:
        raise InputError(problems)


def _tables(m_max: int, p: float) -> tuple[Float, Float]:
    """``pmf[m, x] = P(Bin(m, p) = x)`` and ``sf[m, k] = P(Bin(m, p) > k)``, m, x, k <= m_max.

    Computed once per rate, so the exhaustive search indexes arrays instead of calling
    scipy for every ``(n1, n)``.
    """
    m = np.arange(m_max + 1)[:, None]
    x = np.arange(m_max + 1)[None, :]
    pmf = np.asarray(stats.binom.pmf(x, m, p), dtype=np.float64)
    sf = np.asarray(stats.binom.sf(x, m, p), dtype=np.float64)
    return pmf, sf


def _reject_table(n1: int, n: int, pmf: Float, sf: Float) -> Float:
    """``R[r1, r]``: rejection probability for every ``r1 in 0..n1``, ``r in 0..n``."""
    n2 = n - n1
    x1 = np.arange(n1 + 1)
    k = np.arange(n + 1)[None, :] - x1[:, None]
    # P(X2 > k): 1 for k < 0; sf already gives 0 for k >= n2.
    tail = np.where(k < 0, 1.0, sf[n2, np.clip(k, 0, None)])
    contrib = pmf[n1, : n1 + 1][:, None] * tail
    # R[r1, r] = sum over x1 > r1: reverse cumulative sum shifted by one.
    suffix = np.cumsum(contrib[::-1], axis=0)[::-1]
    out = np.zeros((n1 + 1, n + 1))
    out[:-1] = suffix[1:]
    return out


def operating_characteristics(r1: int, n1: int, r: int, n: int, p: float) -> dict[str, float]:
    """Exact rejection probability, early termination and expected size of a design at ``p``.

    Examples
    --------
    Simon (1989, Table 1), p0 = 0.10: the optimal design 1/10, 5/29 has PET(p0) 0.74 and
    EN(p0) 15.0.

    >>> oc = operating_characteristics(1, 10, 5, 29, 0.10)
    >>> round(oc["pet"], 2), round(oc["en"], 1)
    (0.74, 15.0)
    """
    if not 0 <= r1 < n1 < n or not r1 <= r < n:
        raise InputError(
            Problem(
                "design",
                f"{r1}/{n1}, {r}/{n}",
                "is not a two-stage design",
                "0 <= r1 < n1 < n and r1 <= r < n",
            )
        )
    pet = float(stats.binom.cdf(r1, n1, p))
    reject = float(_reject_table(n1, n, *_tables(n, p))[r1, r])
    return {"reject": reject, "pet": pet, "en": n1 + (1 - pet) * (n - n1)}


def _best_for_n(
    n: int, h0: tuple[Float, Float], h1: tuple[Float, Float], alpha: float, beta: float
) -> tuple[float, int, int, int, float, float, float] | None:
    """Smallest EN(p0) design with total ``n``: (en0, r1, n1, r, pet0, alpha, power).

    ``h0``, ``h1``: the binomial tables (:func:`_tables`) under ``p0`` and ``p1``.
    """
    best: tuple[float, int, int, int, float, float, float] | None = None
    pmf0 = h0[0]
    for n1 in range(1, n):
        r0 = _reject_table(n1, n, *h0)
        ra = _reject_table(n1, n, *h1)
        ok = (r0 <= alpha + _TOL) & (ra >= 1 - beta - _TOL)
        ok &= np.arange(n + 1)[None, :] >= np.arange(n1 + 1)[:, None]
        ok[:, n] = False
        rows = np.flatnonzero(ok.any(axis=1))
        if rows.size == 0:
            continue
        pet = np.cumsum(pmf0[n1, : n1 + 1])[rows]
        en = n1 + (1 - pet) * (n - n1)
        k = int(np.argmin(en))
        r1 = int(rows[k])
        r = int(np.flatnonzero(ok[r1])[0])
        candidate = (float(en[k]), r1, n1, r, float(pet[k]), float(r0[r1, r]), float(ra[r1, r]))
        if best is None or candidate[0] < best[0] - _TOL:
            best = candidate
    return best


def simon_two_stage(
    p0: float, p1: float, *, alpha: float = 0.05, beta: float = 0.20, nmax: int = 100
) -> SimonResult:
    """Find Simon's optimal and minimax two-stage designs by exact search.

    Parameters
    ----------
    p0
        Response rate that is not worth pursuing (H0).
    p1
        Response rate that would be promising (H1); must exceed ``p0``.
    alpha
        Largest allowed probability of declaring activity under ``p0``.
    beta
        Largest allowed probability of rejecting the treatment under ``p1``.
    nmax
        Largest total sample size searched (2-500).

    Returns
    -------
    SimonResult
        ``optimal`` (smallest EN(p0)) and ``minimax`` (smallest n, then smallest EN(p0)).
        For a given (r1, n1, n) the smallest ``r`` meeting ``alpha`` is reported.

    Raises
    ------
    InputError
        Rates outside (0, 1), ``p1 <= p0``, error rates outside (0, 0.5), bad ``nmax``.
    NotFoundError
        No design with ``n <= nmax`` meets both error rates.

    References
    ----------
    Simon R. Control Clin Trials 1989;10(1):1-10. doi:10.1016/0197-2456(89)90015-9.

    Examples
    --------
    Simon (1989, Table 1) for p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20: optimal
    1/10, 5/29 (EN 15.0); minimax 1/15, 5/25 (EN 19.5).

    >>> res = simon_two_stage(0.10, 0.30, alpha=0.05, beta=0.20, nmax=40)
    >>> o, m = res.optimal, res.minimax
    >>> (o.r1, o.n1, o.r, o.n, round(o.en0, 1)), (m.r1, m.n1, m.r, m.n, round(m.en0, 1))
    ((1, 10, 5, 29, 15.0), (1, 15, 5, 25, 19.5))
    """
    _check(p0, p1, alpha, beta, nmax)
    per_n: dict[int, tuple[float, int, int, int, float, float, float]] = {}
    h0, h1 = _tables(nmax, p0), _tables(nmax, p1)
    for n in range(2, nmax + 1):
        found = _best_for_n(n, h0, h1, alpha, beta)
        if found is not None:
            per_n[n] = found
    if not per_n:
        raise NotFoundError(
            f"no Simon two-stage design with n <= {nmax} meets alpha={alpha:g} and "
            f"beta={beta:g} for p0={p0:g}, p1={p1:g}; raise nmax"
        )

    def design(kind: str, n: int) -> SimonDesign:
        en0, r1, n1, r, pet0, a, pw = per_n[n]
        return SimonDesign(kind, r1, n1, r, n, en0, pet0, a, pw)

    n_opt = min(per_n, key=lambda k: (round(per_n[k][0], 10), k))
    n_mm = min(per_n)
    return SimonResult(
        p0, p1, alpha, beta, nmax, optimal=design("optimal", n_opt), minimax=design("minimax", n_mm)
    )
