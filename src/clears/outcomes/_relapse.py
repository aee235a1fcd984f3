"""Cutaneous relapses after a response, as the preset defines them: every relapse, not one.

Sources. Cortés-Hernández 2012 (Arthritis Res Ther 2012;14(6):R265, doi:10.1186/ar4111)
defines "a cutaneous relapse ... as a new CLASI ≥ 4 in those who previously achieved CR",
reports that "Five patients had at least two relapses when reducing dose and received two
cycles of treatment", and times relapses from the change of treatment: "relapse occurred
in 75% of patients within 2 to 8 weeks after tapering dosage or withdrawing medication".
Aitmehdi 2021 (J Am Acad Dermatol 2021;84(4):1171-1174, doi:10.1016/j.jaad.2020.11.014)
recorded the "Occurrence of relapse, doses at which they occurred".

Episodes. A *response episode* starts at the patient's first visit at the rule's ``after``
level. Within an episode the first later visit that meets the threshold (CLASI-A at least
``min_score`` and/or at least ``min_rise`` above the lowest CLASI-A since the episode
started) in the allowed setting is a relapse and ends the episode: ``any``;
``taper_or_withdrawal`` (dose at the visit lower than at the visit that started the
episode, or off drug); ``withdrawal`` (off drug). A new episode starts at the first later
follow-up visit that is again at the ``after`` level and no longer meets the threshold
against the nadir before the relapse (under Cortés 2012: a new complete response); the
nadir restarts there. Every relapse is kept (:attr:`Relapse.all_day`), so a second relapse
on a dose that "held" after the first one is seen by the dosing outcomes.

Dose at a visit: the dose the patient was exposed to up to it (a period that starts on the
visit day is not yet in force; :attr:`clears.outcomes._timeline.Timeline.v_dose`).

Time to relapse (``time``) runs, as the papers measure it, from the change the relapse
followed: the withdrawal day (end of the last dose block before an off-drug relapse) or the
start of the reduced dose in force at the relapse (its block of contiguous equal-dose
periods); a relapse on the response dose or higher (possible only under setting ``any``)
is timed from the response. Patients who responded and did not relapse are censored at
their last visit with a CLASI-A, from the origin the same rule gives at that visit.
``time_from_response`` keeps the time from the first response.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.criteria import Preset, RelapseRule
from clears.outcomes._exposure import Exposure
from clears.outcomes._group import first_true, group_max, segmented_cummin
from clears.outcomes._response import LEVELS, Response
from clears.outcomes._timeline import Codes, Timeline, dose_blocks

__all__ = ["ORIGINS", "Relapse", "relapse", "stopped_in_cr_without_relapse"]

Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

#: Values of ``relapse_time_origin``: what ``time_to_relapse_days`` is counted from.
ORIGINS = ("withdrawal", "dose_reduction", "response")


@dataclass(frozen=True)
class Relapse:
    """Per patient relapse results; row arrays (``all_*``, ``episode_*``) sorted by patient.

    Attributes
    ----------
    defined
        The preset has a relapse rule.
    at_risk, event, count
        Reached the rule's response level; relapsed at least once; number of relapses.
    day, dose, setting
        The first relapse: days from index (NaN if none), dose at it, where it happened.
    time, origin
        Days from ``origin`` (:data:`ORIGINS`) to the first relapse or to censoring.
    time_from_response
        Days from the first response to the first relapse or to censoring.
    all_code, all_day, all_judged
        Every relapse: patient, days from index, and the day (day number) whose dose the
        relapse visit was judged on.
    episode_code, episode_start, episode_stop_judged
        Response episodes: patient, start (days from index) and the judged day number of
        the relapse that ended it (``inf`` while open).
    """

    defined: bool
    at_risk: Bool
    event: Bool
    count: npt.NDArray[np.int64]
    day: Float
    dose: Float
    setting: npt.NDArray[np.object_]
    time: Float
    origin: npt.NDArray[np.object_]
    time_from_response: Float
    all_code: Codes
    all_day: Float
    all_judged: Float
    episode_code: Codes
    episode_start: Float
    episode_stop_judged: Float


def _threshold(rule: RelapseRule, score: Float, nadir: Float) -> Bool:
    ok = np.ones(len(score), dtype=bool)
    if rule.min_score is not None:
        ok &= score >= rule.min_score
    if rule.min_rise is not None:
        ok &= (score - nadir) >= rule.min_rise
    return ok


def _ints(parts: list[Codes]) -> Codes:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _floats(parts: list[Float]) -> Float:
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)


def _first_row(mask: Bool, code: Codes) -> npt.NDArray[np.int64]:
    """Position of the first True row of each patient (rows sorted by patient)."""
    rows = np.flatnonzero(mask)
    _, first = np.unique(code[rows], return_index=True)
    return rows[first]


def _origin(tl: Timeline, rows: npt.NDArray[np.int64], resp_dose: Float) -> tuple[Float, Float]:
    """Origin day number and kind (0 withdrawal, 1 reduction, 2 response) at visit rows.

    ``resp_dose`` is the dose at the response, one per row. Off drug the origin is the end
    of the last positive-dose block before the judged day; on a lower dose, the start of
    the block in force; otherwise NaN (the caller uses the response).
    """
    code, judged, dose = tl.v_code[rows], tl.v_judged[rows], tl.v_dose[rows]
    b = dose_blocks(tl)
    keep = b.dose > 0
    b_code, b_start, b_end = b.code[keep], b.start[keep], b.end[keep]
    kind = np.full(len(rows), 2.0)
    day = np.full(len(rows), np.nan)
    if len(b_code) == 0 or len(rows) == 0:
        return day, kind
    big = 1e6  # day numbers stay far below 1e6
    pos = np.searchsorted(b_code * big + b_start, code * big + judged, side="right") - 1
    pos_c = np.clip(pos, 0, None)
    found = (pos >= 0) & (b_code[pos_c] == code)
    off = found & (dose == 0)
    lower = found & (dose > 0) & (dose < resp_dose)
    day[off] = b_end[pos_c][off]
    day[lower] = b_start[pos_c][lower]
    kind[off] = 0.0
    kind[lower] = 1.0
    return day, kind


def relapse(tl: Timeline, resp: Response, preset: Preset) -> Relapse:
    """Find every relapse of each patient under ``preset``, and time the first one."""
    n = tl.n
    rule = preset.relapse
    nan = np.full(n, np.nan)
    if rule is None:
        none = np.full(n, None, dtype=object)
        no = np.zeros(n, dtype=bool)
        empty_c, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return Relapse(
            False, no, no, np.zeros(n, np.int64), nan, nan, none, nan, none, nan,
            empty_c, empty_f, empty_f, empty_c, empty_f, empty_f,
        )  # fmt: skip
    rel = tl.v_day - tl.index_day[tl.v_code]
    r_after = dict(LEVELS)[rule.after]
    first_resp = resp.first_day[rule.after]
    at_risk = ~np.isnan(first_resp)
    start = first_resp.copy()
    all_code: list[Codes] = []
    all_day: list[Float] = []
    all_judged: list[Float] = []
    ep_code: list[Codes] = []
    ep_start: list[Float] = []
    ep_stop: list[Float] = []
    first_row = np.full(n, -1, dtype=np.int64)
    resp_dose0 = np.full(n, np.nan)
    round_no = 0
    while True:
        active = ~np.isnan(start)
        if not active.any():
            break
        sel = np.flatnonzero(active[tl.v_code])
        c, d, s, dose = tl.v_code[sel], rel[sel], tl.v_clasi[sel], tl.v_dose[sel]
        st = start[c]
        since = d >= st
        nadir = segmented_cummin(c, np.where(since, s, np.nan))
        resp_dose = np.full(n, np.nan)
        at_start = since & (d == st)
        resp_dose[c[at_start]] = dose[at_start]
        meets = since & (d > st) & _threshold(rule, s, nadir)
        if rule.setting == "withdrawal":
            meets &= dose == 0
        elif rule.setting == "taper_or_withdrawal":
            meets &= (dose == 0) | (dose < resp_dose[c])
        hit = _first_row(meets, c)
        pc = c[hit]
        opened = np.flatnonzero(active)
        stop = np.full(n, np.inf)
        stop[pc] = tl.v_judged[sel[hit]]
        ep_code.append(opened)
        ep_start.append(start[opened])
        ep_stop.append(stop[opened])
        all_code.append(pc)
        all_day.append(d[hit])
        all_judged.append(tl.v_judged[sel[hit]])
        if round_no == 0:
            first_row[pc] = sel[hit]
            resp_dose0 = resp_dose
        # A new episode: back at the rule's level and below the threshold against the
        # nadir before the relapse.
        r_day, r_nadir = np.full(n, np.nan), np.full(n, np.nan)
        r_day[pc], r_nadir[pc] = d[hit], nadir[hit]
        rank = resp.visit_rank[sel]
        back = (d > r_day[c]) & (rank >= r_after) & ~_threshold(rule, s, r_nadir[c])
        start = first_true(c, d, back, n)
        round_no += 1

    a_code, a_day, a_judged = _ints(all_code), _floats(all_day), _floats(all_judged)
    order = np.lexsort((a_day, a_code))
    e_code, e_start, e_stop = _ints(ep_code), _floats(ep_start), _floats(ep_stop)
    e_order = np.lexsort((e_start, e_code))
    count = np.bincount(a_code, minlength=n).astype(np.int64)
    event = count > 0
    day = np.full(n, np.nan)
    dose = np.full(n, np.nan)
    has = first_row >= 0
    day[has] = rel[first_row[has]]
    dose[has] = tl.v_dose[first_row[has]]
    setting = np.full(n, None, dtype=object)
    setting[event] = "on_treatment"
    setting[event & (dose < resp_dose0)] = "after_dose_reduction"
    setting[event & (dose == 0)] = "after_withdrawal"
    # Censoring row: the last visit since the first response.
    since0 = rel >= first_resp[tl.v_code]
    last = group_max(tl.v_code[since0], rel[since0], n)
    is_last = since0 & (rel == last[tl.v_code])
    # Same-day ties: the last row (rows are sorted by day, then score).
    at = group_max(tl.v_code[is_last], np.flatnonzero(is_last).astype(np.float64), n)
    last_row = np.where(np.isfinite(at), at, -1).astype(np.int64)
    row = np.where(has, first_row, last_row)
    with_row = at_risk & (row >= 0)
    o_day, o_kind = _origin(tl, row[with_row], resp_dose0[with_row])
    origin_day = first_resp + tl.index_day  # the response, unless withdrawal/reduction
    kind = np.full(n, 2.0)
    found = ~np.isnan(o_day)
    idx = np.flatnonzero(with_row)
    origin_day[idx[found]] = o_day[found]
    kind[idx[found]] = o_kind[found]
    end_day = np.where(has, day, last) + tl.index_day
    time = np.where(at_risk, end_day - origin_day, np.nan)
    origin = np.full(n, None, dtype=object)
    origin[at_risk] = np.array(ORIGINS, dtype=object)[kind[at_risk].astype(np.int64)]
    from_response = np.where(at_risk, np.where(has, day, last) - first_resp, np.nan)
    return Relapse(
        True, at_risk, event, count, day, dose, setting, time, origin, from_response,
        a_code[order], a_day[order], a_judged[order],
        e_code[e_order], e_start[e_order], e_stop[e_order],
    )  # fmt: skip


def stopped_in_cr_without_relapse(
    tl: Timeline, resp: Response, rel: Relapse, expo: Exposure
) -> Bool:
    """Discontinued because of a complete response, in CR at the stop, no relapse after it.

    Aitmehdi 2021: "Three (8%) patients were able to discontinue lenalidomide because of CR
    without relapse". Read as: the last dose period ended with ``end_reason`` =
    ``complete_response``; the last follow-up visit on or before that end date is a
    complete response under the preset; and no relapse is dated on or after it (the
    patient is off drug from the end date). Relapses before a later new CR do not count.
    """
    n = tl.n
    rel_day = tl.v_day - tl.index_day[tl.v_code]
    stop = expo.stop_day
    upto = resp.follow_up & (rel_day <= stop[tl.v_code])  # False where stop is NaN
    last = group_max(tl.v_code[upto], np.flatnonzero(upto).astype(np.float64), n)
    seen = np.isfinite(last)
    in_cr = np.zeros(n, dtype=bool)
    in_cr[seen] = resp.visit_rank[last[seen].astype(np.int64)] >= dict(LEVELS)["complete"]
    because: Bool = expo.discontinued & np.equal(expo.reason, "complete_response").astype(bool)
    latest = group_max(rel.all_code, rel.all_day, n)
    relapsed_after: Bool = latest >= stop
    return because & in_cr & ~relapsed_after
