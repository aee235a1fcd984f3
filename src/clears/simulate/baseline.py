"""Baseline characteristics of virtual patients, drawn from a preset's published marginals.

Marginals come from the papers' Table 1 (see the preset file for the figure behind each
number); characteristics are drawn independently except where a dependency is published
(APS and SLEDAI only in SLE; thalidomide stop reason only after thalidomide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears.instruments.clasi import SEVERITY_BANDS
from clears.simulate.presets import SimulationPreset

__all__ = ["Baseline", "draw_baseline"]

Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Baseline:
    """The patients table and the latent per-patient arrays the disease model reads."""

    patients: pd.DataFrame
    clasi_a0: Int
    band: npt.NDArray[np.str_]  # mild / moderate / severe (Klein 2011)
    subtypes: npt.NDArray[np.object_]  # ';'-joined CLE subtypes
    smoker: Bool
    sle: Bool
    sledai0: Int
    clasi_d0: Int
    index_day: Int  # days after the preset's first index date


def _bounded(rng: np.random.Generator, n: int, median: float, lo: float, hi: float) -> Any:
    """Log-normal around ``median`` whose 2.5-97.5 % span is the published range, clipped."""
    sigma = max(np.log(hi / median), np.log(median / lo)) / 1.96
    return np.clip(median * np.exp(rng.normal(0.0, sigma, n)), lo, hi)


def _clasi(rng: np.random.Generator, n: int, b: dict[str, Any]) -> tuple[Int, Any]:
    low, mid, high = SEVERITY_BANDS  # Klein 2011: mild 0-9, moderate 10-20, severe 21-70
    bands = np.array([band.name for band in SEVERITY_BANDS])
    probs = np.array([b[f"clasi_{band}"] for band in bands], dtype=float)
    band = bands[rng.choice(3, size=n, p=probs / probs.sum())]
    lo, hi = int(b["clasi_min"]), int(b["clasi_max"])
    mild = rng.integers(min(lo, low.high), low.high + 1, size=n)
    # Skewed towards the low end within moderate and severe, as the published medians
    # (12 with 53 % moderate) require.
    extra = np.minimum(np.floor(rng.exponential(4.0, n)), mid.high - mid.low)
    moderate = mid.low + extra.astype(np.int64)
    severe = high.low + np.floor(rng.exponential(6.0, n)).astype(np.int64)
    a0 = np.where(band == low.name, mild, np.where(band == mid.name, moderate, severe))
    return np.clip(a0, lo, max(hi, high.low)).astype(np.int64), band


def draw_baseline(preset: SimulationPreset, n: int, rng: np.random.Generator) -> Baseline:
    """Draw ``n`` patients' baseline characteristics (the ``patients`` table and latents)."""
    b = preset.section("baseline")
    ids = np.array([f"{preset.name[:3].upper()}{i + 1:05d}" for i in range(n)])
    centres = np.array(preset.params["centres"])[rng.integers(0, len(preset.params["centres"]), n)]
    female = rng.random(n) < b["female"]
    age = np.round(_bounded(rng, n, b["age_median"], b["age_min"], b["age_max"])).astype(int)
    u = rng.random(n)
    former = u < b["smoking_current"] + (1 - b["smoking_current"]) * b["smoking_former_among_rest"]
    smoking = np.where(u < b["smoking_current"], "current", np.where(former, "former", "never"))
    bmi = np.round(_bounded(rng, n, b["bmi_median"], b["bmi_min"], b["bmi_max"]), 1)
    dark = rng.random(n) < b["phototype_5_6"]
    phototype = np.where(dark, rng.integers(5, 7, n), rng.integers(1, 5, n))
    labels = [row[0] for row in b["subtypes"]]
    weights = np.array([row[1] for row in b["subtypes"]], dtype=float)
    subtypes = np.array(labels, dtype=object)[rng.choice(len(labels), n, p=weights / weights.sum())]
    sle = rng.random(n) < b["sle"]
    aps = sle & (rng.random(n) < b["aps"] / max(b["sle"], 1e-9))
    thal: Bool = rng.random(n) < float(b["prior_thalidomide"])
    stop = np.where(rng.random(n) < b["thalidomide_stop_inefficacy"], "inefficacy", "adverse_event")
    neuro: Bool = thal & (rng.random(n) < float(b["thalidomide_neuropathy"]))
    lines = np.round(
        _bounded(rng, n, b["prior_lines_median"], b["prior_lines_min"], b["prior_lines_max"])
    ).astype(int)
    a0, band = _clasi(rng, n, b)
    sledai0 = np.where(
        sle,
        np.round(_bounded(rng, n, b["sledai_median"], b["sledai_min"], b["sledai_max"])),
        0,
    ).astype(np.int64)
    d0 = rng.poisson(b["clasi_d_mean"], n).astype(np.int64)
    index_day = np.sort(rng.integers(0, int(preset.params["accrual_days"]) + 1, n))
    index = pd.Timestamp(preset.params["first_index_date"]) + pd.to_timedelta(index_day, unit="D")
    patients = pd.DataFrame(
        {
            "patient_id": ids,
            "centre": centres,
            "sex": np.where(female, "female", "male"),
            "birth_year": index.year.to_numpy() - age,
            "smoking": smoking,
            "bmi": bmi,
            "phototype": phototype,
            "cle_subtypes": subtypes,
            "sle": sle,
            "aps": aps,
            "cv_risk": rng.random(n) < b["cv_risk"],
            "prior_thalidomide": thal,
            "thalidomide_stop_reason": pd.Series(
                [str(r) if t else None for r, t in zip(stop.tolist(), thal.tolist(), strict=True)],
                dtype=object,
            ),
            "thalidomide_neuropathy": pd.array(
                [
                    bool(x) if t else None
                    for x, t in zip(neuro.tolist(), thal.tolist(), strict=True)
                ],
                dtype="boolean",
            ),
            "prior_systemic_lines": lines,
        }
    )
    # Reproductive potential is recorded, never left for decision support to guess: women
    # under 50 at the index date as menstruating (of potential), older women as in natural
    # menopause, assessed at the index date; the same age split as the simulated pregnancy
    # tests. Synthetic assumptions, no random draw (other columns stay the same per seed).
    young_woman = female & (age < 50)
    patients["reproductive_potential"] = pd.array(
        [
            bool(y) if f else None
            for y, f in zip(young_woman.tolist(), female.tolist(), strict=True)
        ],
        dtype="boolean",
    )
    patients["reproductive_potential_basis"] = pd.Series(
        [
            ("menstruating" if y else "natural_menopause") if f else None
            for y, f in zip(young_woman.tolist(), female.tolist(), strict=True)
        ],
        dtype=object,
    )
    assessed = pd.Series(index.normalize())
    patients["reproductive_potential_date"] = assessed.mask(~female)
    for drug, share in b["concomitant"]:
        patients[f"concomitant_{drug}"] = rng.random(n) < share
    return Baseline(
        patients,
        a0,
        band,
        subtypes,
        smoking == "current",
        sle,
        sledai0,
        d0,
        index_day.astype(np.int64),
    )
