"""Disease model: latent CLASI-A trajectories on treatment, and their item-level CLASI.

Each patient gets a best-response category (complete, partial, minimal, none) whose
probability depends on the baseline severity band (Klein 2011) and smoking, a plateau score
consistent with that category, and a time to plateau that is log-normal and longer in lupus
profundus. CLASI-A falls from baseline ``A0`` to the plateau ``P`` over ``T`` days as

    A(t) = P + ceil((A0 - P) * (1 - t / T) ** shape)   for 0 <= t < T,   A(t) = P after,

so the integer score reaches 0 exactly at ``T`` in complete responders and never in the
others. A relapse adds a bump of at least 4 points that recovers over a few weeks.
Item-level CLASI is built by switching on a patient-specific sequence of item points: the
first ``A`` activity points give the items of a visit with CLASI-A ``A`` (so the CLASI
scorer returns exactly ``A``); damage points accumulate slowly and never go back.

References
----------
Albrecht J, et al. J Invest Dermatol 2005;125(5):889-894 (CLASI items and maxima).
Klein R, et al. Arch Dermatol 2011;147(2):203-208 (severity bands).
Cortés-Hernández J, et al. Arthritis Res Ther 2012;14(6):R265 (speed of response, subtypes).
Aitmehdi R, et al. J Am Acad Dermatol 2021;84(4):1171-1174 (response by severity, smoking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears.instruments.clasi.definition import AREA_CODES, AREAS, DOUBLING_COLUMN
from clears.simulate.presets import SimulationPreset

__all__ = [
    "ACTIVITY_COLUMNS",
    "DAMAGE_COLUMNS",
    "Course",
    "clasi_at",
    "draw_course",
    "item_orders",
    "items_for",
]

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

COMPLETE, PARTIAL, MINIMAL, NONE = 3, 2, 1, 0

# Area preference per subtype (lower = more often involved): DLE favours the head, SCLE
# the sun-exposed trunk and arms, LEP the fatty areas; a project reading of the usual
# distribution, used only to make item-level records plausible.
_PREFERENCE: Final = {
    "DLE": ("nose_malar", "rest_of_face", "ears", "scalp", "v_neck", "arms", "hands"),
    "SCLE": ("v_neck", "arms", "back_buttocks", "chest", "posterior_neck_shoulders"),
    "LEP": ("arms", "rest_of_face", "legs", "back_buttocks", "chest"),
    "LET": ("rest_of_face", "back_buttocks", "chest", "v_neck", "arms"),
}

#: Activity item columns of the CLASI (13 areas x erythema, scale; then patient items).
ACTIVITY_COLUMNS: Final = (
    *(f"clasi_{AREA_CODES[a]}_{f}" for a in AREAS for f in ("ery", "scale")),
    "clasi_alopecia",
    "clasi_hair_loss",
    "clasi_mucous",
)
#: Damage item columns (dyspigmentation, scarring; scalp scarring; the doubling flag).
DAMAGE_COLUMNS: Final = (
    tuple(f"clasi_{AREA_CODES[a]}_dysp" for a in AREAS)
    + tuple(f"clasi_{AREA_CODES[a]}_scar" for a in AREAS if a != "scalp")
    + ("clasi_scalp_scar", DOUBLING_COLUMN)
)
_A_INDEX: Final = {c: i for i, c in enumerate(ACTIVITY_COLUMNS)}
_D_INDEX: Final = {c: i for i, c in enumerate(DAMAGE_COLUMNS)}


@dataclass(frozen=True)
class Course:
    """Per patient: best-response category (0-3), plateau score, days to plateau, shape."""

    category: Int
    plateau: Int
    plateau_day: Float
    shape: float


def _probabilities(preset: SimulationPreset, band: Any, smoker: Any) -> tuple[Float, Float, Float]:
    r = preset.section("response")
    share = float(preset.section("baseline")["smoking_current"])
    ratio = float(r["smoker_complete_ratio"])
    base = np.array([r["complete"][b] for b in band], dtype=float)
    nonsmoker = base / (share * ratio + (1 - share))
    cr = np.where(smoker, nonsmoker * ratio, nonsmoker)
    pr = np.array([r["partial_or_better"][b] for b in band], dtype=float)
    cr = np.minimum(cr, pr)
    minimal = np.maximum(pr, float(r["minimal_or_better"]))
    return cr, pr, minimal


def draw_course(
    preset: SimulationPreset,
    a0: Int,
    band: Any,
    subtypes: Any,
    smoker: Any,
    rng: np.random.Generator,
) -> Course:
    """Draw every patient's response category, plateau and time to plateau (vectorised)."""
    r = preset.section("response")
    n = len(a0)
    cr, pr, minimal = _probabilities(preset, band, smoker)
    u = rng.random(n)
    category = np.select([u < cr, u < pr, u < minimal], [COMPLETE, PARTIAL, MINIMAL], NONE)
    half = a0 // 2
    minimal_hi = np.maximum(a0 - 4, np.floor(0.8 * a0).astype(np.int64))
    v = rng.random(n)
    partial = 1 + np.floor(v * np.maximum(half, 1)).astype(np.int64)
    lo = half + 1
    mid = lo + np.floor(v * np.maximum(minimal_hi - lo + 1, 1)).astype(np.int64)
    none = np.minimum(minimal_hi + 1 + np.floor(v * 3).astype(np.int64), a0)
    plateau = np.select(
        [category == COMPLETE, category == PARTIAL, category == MINIMAL],
        [np.zeros(n, dtype=np.int64), np.minimum(partial, half), np.minimum(mid, minimal_hi)],
        none,
    ).astype(np.int64)
    profundus = np.array(["LEP" in str(s).split(";") for s in subtypes], dtype=bool)
    weeks = float(r["plateau_weeks_median"]) * np.exp(
        rng.normal(0.0, float(r["plateau_weeks_sigma"]), n)
    )
    weeks = np.where(profundus, weeks * float(r["profundus_slowdown"]), weeks)
    return Course(category, plateau, np.maximum(7.0, np.round(weeks * 7)), float(r["shape"]))


def clasi_at(a0: Any, plateau: Any, plateau_day: Any, shape: float, day: Any) -> Int:
    """CLASI-A on ``day`` (days from the index date) of the base trajectory (broadcasts).

    Examples
    --------
    Cortés-Hernández 2012: CLASI-A 11 at baseline, 4.13 on average at week 2 with CR at a
    median of 6 weeks; with shape 2.4, 11 * (1 - 14/42) ** 2.4 = 4.16, rounded up to 5.

    >>> clasi_at(11, 0, 42, 2.4, [0, 14, 41, 42, 90]).tolist()
    [11, 5, 1, 0, 0]
    """
    t = np.asarray(day, dtype=float)
    frac = np.clip(1.0 - t / np.asarray(plateau_day, dtype=float), 0.0, 1.0) ** shape
    drop = np.asarray(a0) - np.asarray(plateau)
    value = np.asarray(plateau) + np.ceil(np.round(drop * frac, 9))
    result: Int = np.where(t <= 0, a0, value).astype(np.int64)
    return result


def item_orders(
    subtypes: Any, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per patient: activity point order, damage point order and damage point values.

    Activity: 70 points (each area's erythema 3 and scale 2, then alopecia 3, hair loss 1
    and mucosa 1 after the scalp); damage: 38 points (dyspigmentation and scarring per area,
    the scalp scarring quadrant item as one 3-point step so it only takes 0 or 3).
    """
    n = len(subtypes)
    act = np.zeros((n, 70), dtype=np.int64)
    dmg = np.zeros((n, 38), dtype=np.int64)
    val = np.ones((n, 38), dtype=np.int64)
    for i, joined in enumerate(subtypes):
        rank = dict.fromkeys(AREAS, 20.0)
        for s in str(joined).split(";"):
            for k, area in enumerate(_PREFERENCE.get(s, ())):
                rank[area] = min(rank[area], float(k))
        noise = rng.random(len(AREAS)) * 3.0
        order = sorted(AREAS, key=lambda a: rank[a] + noise[AREAS.index(a)])
        points: list[int] = []
        damage: list[tuple[int, int]] = []
        for area in order:
            code = AREA_CODES[area]
            ery, scale = _A_INDEX[f"clasi_{code}_ery"], _A_INDEX[f"clasi_{code}_scale"]
            points += [ery, ery, scale, ery, scale]
            if area == "scalp":
                points += [_A_INDEX["clasi_alopecia"]] * 3 + [_A_INDEX["clasi_hair_loss"]]
                damage += [(_D_INDEX["clasi_scalp_dysp"], 1), (_D_INDEX["clasi_scalp_scar"], 3)]
            else:
                damage += [(_D_INDEX[f"clasi_{code}_dysp"], 1), (_D_INDEX[f"clasi_{code}_scar"], 1)]
                damage += [(_D_INDEX[f"clasi_{code}_scar"], 1)]
        points.append(_A_INDEX["clasi_mucous"])
        act[i] = points
        dmg[i] = [d[0] for d in damage]
        val[i] = [d[1] for d in damage]
    return act, dmg, val


def _switched_on(order: Int, points: Int, values: Int, width: int) -> npt.NDArray[np.int8]:
    """Per row, the sum of ``values`` of the first ``points`` entries of ``order`` by column."""
    m, k = order.shape
    on = np.arange(k)[None, :] < np.asarray(points)[:, None]
    flat = (np.arange(m)[:, None] * width + order)[on]
    counts = np.bincount(flat, weights=np.broadcast_to(values, (m, k))[on], minlength=m * width)
    return counts.reshape(m, width).astype(np.int8)


def items_for(
    order: Int,
    damage_order: Int,
    damage_value: Int,
    activity: Int,
    damage_points: Int,
    doubled: Any,
) -> pd.DataFrame:
    """Item-level CLASI for visits: the first ``activity`` / ``damage_points`` points on.

    ``order`` etc. are per-visit rows (the patient's orders repeated for each visit).
    """
    a = _switched_on(order, activity, np.ones_like(order), len(ACTIVITY_COLUMNS))
    d = _switched_on(damage_order, damage_points, damage_value, len(DAMAGE_COLUMNS))
    d[:, _D_INDEX[DOUBLING_COLUMN]] = np.asarray(doubled, dtype=np.int64)
    columns = [*ACTIVITY_COLUMNS, *DAMAGE_COLUMNS]
    return pd.DataFrame(np.concatenate([a, d], axis=1), columns=columns)
