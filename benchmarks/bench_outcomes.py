"""Benchmark: derive all outcomes under five presets for a large synthetic cohort.

Run: ``.venv/bin/python benchmarks/bench_outcomes.py [--patients 100000] [--baseline 2000]``

Builds a synthetic cohort (no patient data) of N patients × 24 visits with 1-4 dose periods
each, then times :func:`clears.outcomes.derive` under the five bundled presets and reports
the wall time and the peak traced memory. The baseline is a straightforward per-patient
``groupby().apply()`` implementation of the same rules (kept below); it is timed on a
subsample of patients, checked to give the same answers there, and its per-patient time is
scaled to the full cohort for the speed ratio (stated as such in the output).

Checked columns: best response, exposure, time to each response level, relapse, the number
of relapses (every relapse, with a new response between two), time to relapse (from the
withdrawal or the reduced dose in force, else the response) and the minimum effective dose
(per response episode). The baseline judges a visit on the dose in force before any period
that starts on the visit day, as ``derive`` does (docs/outcomes.md, "Dose at a visit"):
until issue 12 it used the period starting that day, and so missed a relapse seen on the
day the drug was restarted (patient S000623 of the 100,000-patient cohort, cortes2012;
tests/outcomes/test_relapse_dating.py).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from clears.cohort import Cohort
from clears.criteria import CATEGORIES, Preset, get, rank_response
from clears.outcomes import derive

PRESETS = ("aitmehdi2021", "cortes2012", "braunstein2012", "klein2011", "clasi50")
VISITS = 24
SETTINGS = {"baseline_window_days": 30, "sustained_days": 180, "course_gap_days": 28}


def synthetic_cohort(n: int, rng: np.random.Generator) -> Cohort:
    """N patients, 24 visits each (one at baseline), 1-4 dose periods each."""
    ids = np.array([f"S{i:06d}" for i in range(n)], dtype=object)
    index = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    # Visits: baseline 0-20 days before index, then roughly every 30 days with jitter.
    offsets = np.cumsum(rng.integers(20, 40, (n, VISITS)), axis=1) - rng.integers(0, 21, (n, 1))
    offsets[:, 0] = -rng.integers(0, 21, n)
    base = rng.integers(0, 45, n).astype(float)
    rate = rng.uniform(0.0, 0.25, n)
    trend = base[:, None] * np.exp(-rate[:, None] * np.arange(VISITS)[None, :])
    bump = (rng.random((n, VISITS)) < 0.08) * rng.integers(2, 12, (n, VISITS))
    clasi = np.clip(np.round(trend + bump + rng.normal(0, 1.5, (n, VISITS))), 0, 70)
    clasi[rng.random((n, VISITS)) < 0.03] = np.nan
    clasi[:, 0] = base
    visits = pd.DataFrame(
        {
            "patient_id": np.repeat(ids, VISITS),
            "visit_date": np.repeat(index.to_numpy(), VISITS)
            + pd.to_timedelta(offsets.ravel(), unit="D").to_numpy(),
            "clasi_a": clasi.ravel(),
        }
    )
    # Dose periods: start 10 or 5 mg, then step down; gaps sometimes; last one may be ongoing.
    k = rng.integers(1, 5, n)
    pid = np.repeat(np.arange(n), k)
    first = np.r_[True, pid[1:] != pid[:-1]]
    length = rng.integers(30, 300, len(pid))
    gap = np.where(first, 0, np.where(rng.random(len(pid)) < 0.2, rng.integers(1, 90, len(pid)), 0))
    span = length + gap
    cum = np.cumsum(span)
    seg_start = np.repeat(cum[first] - span[first], k)
    start_off = cum - span - seg_start + gap
    end_off = start_off + length
    last = np.r_[pid[1:] != pid[:-1], True]
    ongoing = last & (rng.random(len(pid)) < 0.4)
    step = np.cumsum(~first) - np.repeat(np.cumsum(~first)[first], k)
    dose = np.choose(np.minimum(step, 3), [10.0, 5.0, 2.5, 0.7])
    dose = np.where(first & (rng.random(len(pid)) < 0.7), 5.0, dose)
    start = index.to_numpy()[pid] + pd.to_timedelta(start_off, unit="D").to_numpy()
    end = index.to_numpy()[pid] + pd.to_timedelta(end_off, unit="D").to_numpy()
    reasons = np.array(["taper", "complete_response", "inefficacy", "adverse_event"], dtype=object)
    treatments = pd.DataFrame(
        {
            "patient_id": ids[pid],
            "drug": "lenalidomide",
            "start_date": start,
            "end_date": pd.Series(end).where(~ongoing),
            "dose_mg_per_day": dose,
            "end_reason": np.where(ongoing, None, reasons[rng.integers(0, 4, len(pid))]),
        }
    )
    patients = pd.DataFrame({"patient_id": ids, "centre": "X", "sle": rng.random(n) < 0.6})
    flare_pat = rng.choice(n, n // 5, replace=False)
    flares = pd.DataFrame(
        {
            "patient_id": ids[flare_pat],
            "flare_date": index.to_numpy()[flare_pat]
            + pd.to_timedelta(rng.integers(1, 600, len(flare_pat)), unit="D").to_numpy(),
            "severity": np.where(rng.random(len(flare_pat)) < 0.3, "severe", "mild"),
        }
    )
    empty_ae = pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("patient_id", "onset_date", "term", "grade")}
    )
    empty_ae["onset_date"] = pd.to_datetime(empty_ae["onset_date"])
    return Cohort(patients, treatments, visits, empty_ae, flares, source="synthetic")


# --- Baseline: the same rules, one patient at a time ------------------------------------


def _per_patient(
    g: pd.DataFrame, tr: pd.DataFrame, fu_end: pd.Timestamp, preset: Preset
) -> dict[str, object]:
    """Core outcomes for one patient, written plainly (no vectorisation)."""
    index = tr["start_date"].min()
    ends = tr["end_date"].fillna(max(fu_end, index))
    window = SETTINGS["baseline_window_days"]
    v = g.dropna(subset=["clasi_a"]).sort_values(["visit_date", "clasi_a"])
    rel = (v["visit_date"] - index).dt.days
    pre = v[(rel <= 0) & (rel >= -window)]
    result: dict[str, object] = {"exposure_days": float((ends - tr["start_date"]).dt.days.sum())}
    if pre.empty:
        result["best_response"] = "not_evaluable"
        return result
    base = float(pre["clasi_a"].iloc[-1])
    last_end = ends.max()
    fu = v[(rel > 0) & (v["visit_date"] <= last_end)]
    ranks = [int(rank_response(base, x, preset)) for x in fu["clasi_a"]]
    rule = preset.response
    ok = not np.isnan(base) and not (rule.uses_percent and base == 0)
    ok = ok and not (rule.baseline_min is not None and base < rule.baseline_min)
    if not ok or not ranks:
        result["best_response"] = "not_evaluable"
        return result
    result["best_response"] = CATEGORIES[max(ranks) + 1]
    fu_rel = (fu["visit_date"] - index).dt.days.tolist()
    for level, r in (("minimal", 1), ("partial", 2), ("complete", 3)):
        if level not in rule.levels:
            result[f"time_to_{level}_days"] = np.nan
            continue
        hits = [d for d, x in zip(fu_rel, ranks, strict=True) if x >= r]
        result[f"time_to_{level}_days"] = float(hits[0]) if hits else float(fu_rel[-1])
    all_rel = (v["visit_date"] - index).dt.days.tolist()
    scores = v["clasi_a"].tolist()
    dates = v["visit_date"].tolist()
    in_fu = [d > 0 and when <= last_end for d, when in zip(all_rel, dates, strict=True)]
    all_ranks = [
        int(rank_response(base, x, preset)) if ok else -1
        for x, ok in zip(scores, in_fu, strict=True)
    ]
    # (start, end, dose, end for exposure); an ongoing period never ends for dosing.
    open_ends = tr["end_date"].fillna(pd.Timestamp.max)
    periods = sorted(
        zip(tr["start_date"], open_ends, tr["dose_mg_per_day"].astype(float), ends, strict=True),
        key=lambda p: p[0],
    )

    def judged(day: pd.Timestamp) -> pd.Timestamp:
        # A period starting on the visit day has not acted yet: judge the day before.
        return day - pd.Timedelta(days=1) if any(p[0] == day for p in periods) else day

    def dose_on(day: pd.Timestamp) -> float:
        d = judged(day)
        on = [p for p in periods if p[0] <= d < p[1]]
        return on[0][2] if on else 0.0

    episodes: list[tuple[float, float]] = []  # (start day, judged relapse day or inf)
    if preset.relapse is not None:
        rule = preset.relapse
        r_after = {"minimal": 1, "partial": 2, "complete": 3}[rule.after]
        hits = [d for d, x in zip(fu_rel, ranks, strict=True) if x >= r_after]

        def threshold(score: float, low: float) -> bool:
            return (rule.min_score is None or score >= rule.min_score) and (
                rule.min_rise is None or score - low >= rule.min_rise
            )

        count, first, t0 = 0, None, None
        if hits:
            t0 = float(hits[0])
            start, nadir, d0, open_ = t0, np.inf, np.nan, True
            relapse_day, relapse_nadir = np.nan, np.nan
            for d, sc, when, rank in zip(all_rel, scores, dates, all_ranks, strict=True):
                if d < t0:
                    continue
                if open_:
                    nadir = min(nadir, sc)
                    if d == start:
                        d0 = dose_on(when)
                        continue
                    dose = dose_on(when)
                    meets = threshold(sc, nadir)
                    if rule.setting == "withdrawal":
                        meets = meets and dose == 0
                    elif rule.setting == "taper_or_withdrawal":
                        meets = meets and (dose == 0 or dose < d0)
                    if meets:
                        count += 1
                        stop = float((judged(when) - index).days)
                        episodes.append((start, stop))
                        if first is None:
                            first = (d, when, dose, d0)
                        open_, relapse_day, relapse_nadir = False, d, nadir
                elif d > relapse_day and rank >= r_after and not threshold(sc, relapse_nadir):
                    open_, start, nadir, d0 = True, float(d), sc, dose_on(when)
            if open_:
                episodes.append((start, np.inf))
        result["relapse"] = count > 0
        result["n_relapses"] = count
        if t0 is not None:
            # Time from the withdrawal or the reduced dose in force (else the response) to
            # the first relapse, or to the last visit since the response when censored.
            since = [(d, w) for d, w in zip(all_rel, dates, strict=True) if d >= t0]
            d_end, when, d0_first = (first[0], first[1], first[3]) if first else (*since[-1], None)
            if d0_first is None:
                d0_first = dose_on(dates[all_rel.index(int(t0))])
            jd, dose = judged(when), dose_on(when)
            origin = index + pd.Timedelta(days=t0)
            positive = [p for p in periods if p[2] > 0]
            if dose == 0:
                before = [p[1] for p in positive if p[0] <= jd]
                origin = max(before) if before else origin
            elif dose < d0_first:
                cur = next(p for p in positive if p[0] <= jd < p[1])
                begin = cur[0]
                while any(p[1] == begin and p[2] == cur[2] for p in positive):
                    begin = next(p[0] for p in positive if p[1] == begin and p[2] == cur[2])
                origin = begin
            result["time_to_relapse_days"] = float(d_end - (origin - index).days)
    # Minimum effective dose: the lowest dose of a block of contiguous equal-dose periods
    # kept sustained_days inside one response episode, its relapse not judged on it.
    lowest = {"minimal": 1, "partial": 2, "complete": 3}[preset.response.levels[0]]
    first_low = [d for d, x in zip(fu_rel, ranks, strict=True) if x >= lowest]
    if first_low:
        if episodes:
            episodes[0] = (min(episodes[0][0], float(first_low[0])), episodes[0][1])
        else:
            episodes = [(float(first_low[0]), np.inf)]
    blocks: list[list[float]] = []
    for st, _, ds, en in periods:
        a, b = float((st - index).days), float((en - index).days)
        if blocks and blocks[-1][1] == a and blocks[-1][2] == ds:
            blocks[-1][1] = b
        else:
            blocks.append([a, b, ds])
    held = [
        ds
        for a, b, ds in blocks
        if ds > 0
        and any(b - max(a, e0) >= SETTINGS["sustained_days"] and e1 >= b for e0, e1 in episodes)
    ]
    result["min_effective_dose_mg_per_day"] = min(held) if held else np.nan
    return result


def baseline_derive(cohort: Cohort, presets: list[Preset]) -> pd.DataFrame:
    """Per-patient ``groupby().apply()`` implementation of the core rules."""
    tr_all = cohort.treatments
    last_dates = (
        pd.concat(
            [
                cohort.visits[["patient_id", "visit_date"]].rename(columns={"visit_date": "d"}),
                tr_all[["patient_id", "start_date"]].rename(columns={"start_date": "d"}),
                tr_all[["patient_id", "end_date"]].rename(columns={"end_date": "d"}),
                cohort.flares[["patient_id", "flare_date"]].rename(columns={"flare_date": "d"}),
            ]
        )
        .groupby("patient_id")["d"]
        .max()
    )
    by_patient = dict(tuple(tr_all.groupby("patient_id")))
    frames = []
    for preset in presets:
        rows = cohort.visits.groupby("patient_id").apply(
            lambda g, p=preset: _per_patient(g, by_patient[g.name], last_dates[g.name], p),
            include_groups=False,
        )
        frame = pd.DataFrame(rows.tolist(), index=rows.index)
        frames.append(frame.assign(criteria=preset.name))
    return pd.concat(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000, help="baseline subsample")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    cohort = synthetic_cohort(args.patients, rng)
    presets = [get(name) for name in PRESETS]
    print(
        f"cohort: {args.patients:,} patients, {len(cohort.visits):,} visits, "
        f"{len(cohort.treatments):,} dose periods; presets: {', '.join(PRESETS)}"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    out = derive(cohort, presets, **SETTINGS)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"derive (vectorised): {elapsed:.2f} s, {len(out):,} rows; peak RSS of the process "
        f"{rss_after / 1024:.0f} MiB (peak grew by {(rss_after - rss_before) / 1024:.0f} MiB "
        "during derive)"
    )
    # A second, traced call for the allocation peak (tracing slows numpy ~4x, so it is
    # not the timed call).
    tracemalloc.start()
    derive(cohort, presets, **SETTINGS)  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"derive peak traced allocation (second call): {peak / 2**20:.0f} MiB")

    ids = cohort.patients["patient_id"].iloc[: args.baseline]
    sub = Cohort(
        cohort.patients[cohort.patients["patient_id"].isin(ids)],
        cohort.treatments[cohort.treatments["patient_id"].isin(ids)],
        cohort.visits[cohort.visits["patient_id"].isin(ids)],
        cohort.adverse_events,
        cohort.flares[cohort.flares["patient_id"].isin(ids)],
    )
    t0 = time.perf_counter()
    slow = baseline_derive(sub, presets)
    slow_elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = derive(sub, presets, **SETTINGS)  # type: ignore[arg-type]
    fast_sub = time.perf_counter() - t0
    fast_idx = fast.set_index(["criteria", "patient_id"])
    slow_idx = slow.reset_index().set_index(["criteria", "patient_id"])
    for column in (
        "best_response",
        "exposure_days",
        "time_to_minimal_days",
        "time_to_partial_days",
        "time_to_complete_days",
        "relapse",
        "n_relapses",
        "time_to_relapse_days",
        "min_effective_dose_mg_per_day",
    ):
        a = fast_idx[column].reindex(slow_idx.index)
        b = slow_idx[column]
        if column in ("time_to_minimal_days", "time_to_partial_days", "time_to_complete_days"):
            evaluable = slow_idx["best_response"] != "not_evaluable"
            a, b = a[evaluable], b[evaluable]
        if column in ("relapse", "n_relapses", "time_to_relapse_days"):
            known = b.notna() & (slow_idx["best_response"] != "not_evaluable")
            a, b = a[known], b[known]
            if column == "relapse":
                a, b = a.astype(bool), b.astype(bool)
        if column == "min_effective_dose_mg_per_day":
            evaluable = slow_idx["best_response"] != "not_evaluable"
            a, b = a[evaluable], b[evaluable]
        left, right = a.astype(object).to_numpy(), b.astype(object).to_numpy()
        left[pd.isna(left)] = -1
        right[pd.isna(right)] = -1
        same = left == right
        assert same.all(), f"{column}: {int((~same).sum())} rows differ from the baseline"
    per_patient = slow_elapsed / args.baseline
    scaled = per_patient * args.patients
    print(
        f"baseline groupby().apply(): {slow_elapsed:.2f} s for {args.baseline:,} patients "
        f"(same answers as derive on them); scaled to {args.patients:,}: {scaled:.0f} s"
    )
    print(
        f"derive on the same {args.baseline:,} patients: {fast_sub:.3f} s "
        f"(ratio on the subsample {slow_elapsed / fast_sub:.0f}x)"
    )
    print(f"speed ratio at full size (scaled baseline / measured derive): {scaled / elapsed:.0f}x")


if __name__ == "__main__":
    main()
