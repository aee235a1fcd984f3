"""Virtual cohorts: schema validity, determinism, item-level consistency, presets."""

from __future__ import annotations

import numpy as np
import pytest

from clears._exceptions import InputError, NotFoundError
from clears.cohort import validate, write
from clears.instruments.clasi import score_frame
from clears.simulate import PRESETS, get_preset, simulate
from clears.simulate.disease import clasi_at


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_simulated_cohort_passes_validate(preset):
    cohort = simulate(preset, 60, np.random.default_rng(4))
    assert validate(cohort) == []
    assert cohort.n_patients == 60


@pytest.mark.slow  # over a second in --durations
def test_same_seed_byte_identical(tmp_path):
    for k in ("a", "b"):
        write(simulate("aitmehdi2021", 25, np.random.default_rng(1)), tmp_path / k)
    for name in ("patients", "treatments", "visits", "adverse_events", "flares"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes()
    other = simulate("aitmehdi2021", 25, np.random.default_rng(2))
    first = simulate("aitmehdi2021", 25, np.random.default_rng(1))
    assert not other.visits["clasi_a"].equals(first.visits["clasi_a"])


@pytest.mark.slow
def test_items_reproduce_totals_and_scalp_scarring_levels():
    v = simulate("cortes2012", 40, np.random.default_rng(8)).visits
    items = v[[c for c in v.columns if c.startswith("clasi_") and c not in ("clasi_a", "clasi_d")]]
    scored = score_frame(items.astype("int64"))
    assert (scored["clasi_a"].to_numpy() == v["clasi_a"].to_numpy()).all()
    assert set(v["clasi_scalp_scar"].unique()) <= {0, 3, 4, 5, 6}
    # damage never goes down within a patient
    assert (v.groupby("patient_id")["clasi_d"].diff().dropna() >= 0).all()


def test_trajectory_reaches_zero_only_in_complete_responders():
    # A(t) = P + ceil((A0 - P)(1 - t/T)^shape): 20 -> 0 at T = 42 when P = 0;
    # with P = 6 it stays at 6 after T.
    assert clasi_at(20, 0, 42, 2.4, [42]).tolist() == [0]
    assert clasi_at(20, 6, 42, 2.4, [41, 42, 400]).tolist() == [7, 6, 6]


@pytest.mark.slow
def test_dosing_follows_the_seed_protocol():
    t = simulate("cortes2012", 80, np.random.default_rng(3)).treatments
    first = t.sort_values("start_date").groupby("patient_id").head(1)
    assert (first["dose_mg_per_day"] == 5).all()  # Cortés 2012: 5 mg/day start
    assert set(t["dose_mg_per_day"]) <= {10.0, 5.0, 2.5, 2.14}


def test_rejections():
    with pytest.raises(InputError, match="number of patients"):
        simulate("cortes2012", 0, np.random.default_rng(0))
    with pytest.raises(NotFoundError, match="unknown simulation preset"):
        get_preset("nope")


def test_items_switch_on_the_first_points_of_each_order():
    # Reference: walk each visit's order point by point (the definition in disease.py).
    from clears.instruments.clasi.definition import DOUBLING_COLUMN
    from clears.simulate.disease import ACTIVITY_COLUMNS, DAMAGE_COLUMNS, item_orders, items_for

    rng = np.random.default_rng(5)
    act, dmg, val = item_orders(np.array(["DLE", "SCLE;LEP", "LET"]), rng)
    who = np.array([0, 0, 1, 2, 2, 1])
    activity = np.array([0, 70, 13, 1, 40, 69])
    damage = np.array([38, 0, 5, 17, 1, 30])
    doubled = np.array([True, False, True, False, False, True])
    frame = items_for(act[who], dmg[who], val[who], activity, damage, doubled)
    for row, patient in enumerate(who):
        expected = dict.fromkeys([*ACTIVITY_COLUMNS, *DAMAGE_COLUMNS], 0)
        for k in range(activity[row]):
            expected[ACTIVITY_COLUMNS[act[patient, k]]] += 1
        for k in range(damage[row]):
            expected[DAMAGE_COLUMNS[dmg[patient, k]]] += int(val[patient, k])
        expected[DOUBLING_COLUMN] = int(doubled[row])
        assert frame.iloc[row].to_dict() == expected
