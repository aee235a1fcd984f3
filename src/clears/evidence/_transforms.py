"""Transformations of single proportions for inverse-variance pooling.

Each measure maps a count ``x`` out of ``n`` to an outcome ``y`` and a sampling variance
``v`` (the conventions of ``metafor::escalc``), and back again:

======  =========================================  ==================================
code    outcome ``y``                              sampling variance ``v``
======  =========================================  ==================================
PR      ``p = x/n``                                ``p(1-p)/n``
PLN     ``log(p)``                                 ``1/x - 1/n``
PLO     ``log(p/(1-p))``                           ``1/x + 1/(n-x)``
PFT     ``(asin√(x/(n+1)) + asin√((x+1)/(n+1)))/2``  ``1/(4n+2)``
======  =========================================  ==================================

References
----------
Freeman MF, Tukey JW (1950). Transformations related to the angular and the square root.
Ann Math Stat 21:607-611. doi:10.1214/aoms/1177729756
Miller JJ (1978). The inverse of the Freeman-Tukey double arcsine transformation.
Am Stat 32(4):138. doi:10.1080/00031305.1978.10479283
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
J Stat Softw 36(3):1-48. doi:10.18637/jss.v036.i03
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = [
    "Correction",
    "Measure",
    "Transformed",
    "back_transform",
    "harmonic_mean",
    "ipft",
    "transform",
]

FloatArray = npt.NDArray[np.float64]


class Measure(StrEnum):
    """The scale on which proportions are pooled (metafor's ``measure`` codes)."""

    PLO = "PLO"
    PFT = "PFT"
    PR = "PR"
    PLN = "PLN"


class Correction(StrEnum):
    """Which studies receive the continuity correction (metafor's ``to`` argument).

    ``only0``: studies with 0 or n events; ``all``: every study; ``if0all``: every study
    when any study has 0 or n events; ``none``: never. The Freeman–Tukey transform is
    defined at 0 and n, so it is never corrected.
    """

    only0 = "only0"
    all = "all"
    if0all = "if0all"
    none = "none"


@dataclass(frozen=True, slots=True)
class Transformed:
    """Outcomes and sampling variances of a set of studies on the pooling scale.

    ``corrected`` flags the studies whose counts received the continuity correction.
    """

    yi: FloatArray
    vi: FloatArray
    corrected: npt.NDArray[np.bool_]


def _correction_mask(
    x: FloatArray, n: FloatArray, measure: Measure, to: Correction
) -> npt.NDArray[np.bool_]:
    edge = (x == 0) | (x == n)
    if measure is Measure.PFT or to is Correction.none:
        return np.zeros(edge.shape, dtype=bool)
    if to is Correction.all:
        return np.ones(edge.shape, dtype=bool)
    if to is Correction.if0all:
        return np.full(edge.shape, bool(edge.any()))
    return np.asarray(edge, dtype=bool)


def transform(
    events: npt.ArrayLike,
    n: npt.ArrayLike,
    measure: Measure | str,
    *,
    add: float = 0.5,
    to: Correction | str = Correction.only0,
) -> Transformed:
    """Compute outcomes and sampling variances on the ``measure`` scale.

    Parameters
    ----------
    events, n
        Event counts and sample sizes (0 ≤ events ≤ n, n ≥ 1), already validated.
    measure
        ``PLO``, ``PFT``, ``PR`` or ``PLN``.
    add
        The continuity correction added to the event and non-event counts (so ``n``
        grows by ``2 * add``) of the studies chosen by ``to``.
    to
        Which studies are corrected; see :class:`Correction`.

    Returns
    -------
    Transformed
        ``yi``, ``vi`` and the ``corrected`` flags. Variances that are zero or undefined
        after correction come back as ``nan`` (e.g. ``PLO`` with ``to="none"`` and 0 events).

    Examples
    --------
    Miller (1978) p. 138 gives the double arcsine of 3/11 as 1.1391; metafor's PFT is half
    of Miller's scale:

    >>> t = transform([3], [11], "PFT")
    >>> round(float(t.yi[0]) * 2, 4), round(float(t.vi[0]) * 4, 4)
    (1.1391, 0.087)
    """
    m = Measure(measure)
    corr = Correction(to)
    x = np.asarray(events, dtype=float)
    nn = np.asarray(n, dtype=float)
    mask = _correction_mask(x, nn, m, corr)
    xc = np.where(mask, x + add, x)
    nc = np.where(mask, nn + 2 * add, nn)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = xc / nc
        if m is Measure.PR:
            yi = p
            vi = p * (1 - p) / nc
        elif m is Measure.PLN:
            yi = np.log(p)
            vi = 1 / xc - 1 / nc
        elif m is Measure.PLO:
            yi = np.log(p / (1 - p))
            vi = 1 / xc + 1 / (nc - xc)
        else:
            yi = 0.5 * (np.arcsin(np.sqrt(x / (nn + 1))) + np.arcsin(np.sqrt((x + 1) / (nn + 1))))
            vi = 1 / (4 * nn + 2)
    vi = np.where(np.isfinite(vi) & (vi > 0), vi, np.nan)
    yi = np.where(np.isfinite(yi), yi, np.nan)
    return Transformed(yi=yi.astype(float), vi=vi.astype(float), corrected=mask)


def harmonic_mean(n: npt.ArrayLike) -> float:
    """Return the harmonic mean of sample sizes, ``k / Σ(1/n_i)`` (Miller 1978).

    >>> round(harmonic_mean([11, 17, 21, 6]), 3)  # 4 / (1/11 + 1/17 + 1/21 + 1/6)
    10.988
    """
    nn = np.asarray(n, dtype=float)
    return float(len(nn) / np.sum(1.0 / nn))


def ipft(y: npt.ArrayLike, n: float | npt.ArrayLike) -> FloatArray:
    """Invert the Freeman–Tukey double arcsine (metafor scale) with sample size ``n``.

    Miller (1978): ``p = ½[1 − sgn(cos t)·√(1 − (sin t + (sin t − 1/sin t)/n)²)]`` with
    ``t = 2y``; values beyond the transforms of 0 and 1 are clamped to 0 and 1.

    >>> [round(float(v), 4) for v in ipft(transform([0, 4, 10], [10, 10, 10], "PFT").yi, 10)]
    [0.0, 0.4, 1.0]
    """
    yy = np.asarray(y, dtype=float)
    nn = np.broadcast_to(np.asarray(n, dtype=float), yy.shape)
    t = 2 * yy
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sin(t)
        inner = 1 - (s + (s - 1 / s) / nn) ** 2
        p = 0.5 * (1 - np.sign(np.cos(t)) * np.sqrt(inner))
    lo = 0.5 * (np.arcsin(0.0) + np.arcsin(np.sqrt(1 / (nn + 1))))
    hi = 0.5 * (np.arcsin(np.sqrt(nn / (nn + 1))) + np.arcsin(1.0))
    p = np.where(yy <= lo, 0.0, p)
    p = np.where(yy >= hi, 1.0, p)
    out: FloatArray = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    return out


def back_transform(
    y: npt.ArrayLike, measure: Measure | str, *, n_harmonic: float | None = None
) -> FloatArray:
    """Map values on the pooling scale back to proportions.

    ``PLO``: inverse logit; ``PLN``: exp; ``PR``: identity; ``PFT``: :func:`ipft` at the
    harmonic mean sample size ``n_harmonic`` (required for PFT). Results are clipped to
    [0, 1] (the raw and log scales can leave that range).

    >>> [round(float(v), 4) for v in back_transform([0.0, -1.0], "PLO")]
    [0.5, 0.2689]
    """
    m = Measure(measure)
    yy = np.asarray(y, dtype=float)
    if m is Measure.PLO:
        out = 1 / (1 + np.exp(-yy))
    elif m is Measure.PLN:
        out = np.exp(yy)
    elif m is Measure.PR:
        out = yy.copy()
    else:
        if n_harmonic is None:
            raise ValueError("PFT back-transformation needs n_harmonic")
        out = ipft(yy, n_harmonic)
    result: FloatArray = np.clip(np.asarray(out, dtype=float), 0.0, 1.0)
    return result
