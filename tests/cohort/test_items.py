"""Item-level instrument columns in visits: codes from the definitions, CLASI totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from clears.cohort import Cohort, conform, validate
from clears.cohort._items import coerce_item, instrument_modules
from clears.instruments import Field, Item, Level, cla_iga, clasi, dlqi, nrs, skindex, sledai

TODAY = dt.date(2024, 6, 30)
CLASI_COLUMNS = list(clasi.DEFINITION.columns)


def with_visits(frames: dict[str, pd.DataFrame], visits: pd.DataFrame) -> Cohort:
    return Cohort(**(frames | {"visits": visits}))


def clasi_visit(**items: Any) -> pd.DataFrame:
    """One P1 visit with every CLASI item 0 except those given."""
    row: dict[str, Any] = {"patient_id": "P1", "visit_date": "2020-01-06"}
    row |= dict.fromkeys(CLASI_COLUMNS, "0") | {k: str(v) for k, v in items.items()}
    return pd.DataFrame([row])


def test_every_visit_instrument_is_found() -> None:
    # CLASI, SLEDAI-2K and the core outcome set's measures (docs/instruments/core-outcome-set.md).
    expected = {"clasi", "sledai", "cla_iga", "ptga", "nrs", "dlqi", "skindex"}
    assert set(instrument_modules()) == expected


@pytest.mark.parametrize(
    ("column", "good", "bad"),
    [
        # Albrecht 2005 levels (docs/instruments/clasi.md): scalp scarring {0,3,4,5,6}
        ("clasi_scalp_scar", ["0", "3", "6"], ["1", "2", "7"]),
        ("clasi_face_ery", ["0", "3"], ["4", "-1"]),
        ("clasi_face_scale", ["2"], ["3"]),
        ("clasi_alopecia", ["3"], ["4"]),
        ("clasi_face_scar", ["2"], ["3"]),
        # SLEDAI-2K descriptors are present/absent (Gladman 2002); clears codes 0/1
        ("sledai_seizure", ["0", "1", "yes"], ["2"]),
        # Core outcome set (docs/instruments/core-outcome-set.md): CLA-IGA 0-4, NRS 0-10,
        # DLQI 0-3 with 9 = not relevant for items 3-10 only (Finlay's instructions)
        ("cla_iga", ["0", "4"], ["5"]),
        ("itch_nrs", ["0", "10"], ["11", "-1"]),
        ("dlqi_q1", ["0", "3"], ["9", "4"]),
        ("dlqi_q3", ["9"], ["4"]),
        # Skindex-29+3: never (0) ... all the time (4) on every item, the lupus items too
        ("skindex_q1", ["0", "4"], ["5", "-1"]),
        ("skindex_q33", ["2"], ["9"]),
    ],
)
def test_item_codes_checked_from_definitions(
    frames: dict[str, pd.DataFrame], column: str, good: list[str], bad: list[str]
) -> None:
    def visits(values: list[str]) -> pd.DataFrame:
        dates = [f"2020-01-{i + 1:02d}" for i in range(len(values))]
        return pd.DataFrame({"patient_id": "P1", "visit_date": dates, column: values})

    assert validate(with_visits(frames, visits(good)), today=TODAY) == []
    problems = validate(with_visits(frames, visits(bad)), today=TODAY)
    assert [(p.field, p.value, p.message) for p in problems] == [
        (column, value, "is not an allowed level") for value in bad
    ]
    definitions = (clasi, sledai, cla_iga, nrs, dlqi, skindex)
    field = {c: f for d in definitions for c, f in d.DEFINITION.by_column().items()}[column]
    assert {p.allowed for p in problems} == {field.item.allowed_text()}


def test_item_problem_text(frames: dict[str, pd.DataFrame]) -> None:
    visits = pd.DataFrame(
        {"patient_id": ["P1"], "visit_date": ["2020-01-06"], "clasi_scalp_scar": ["2"]}
    )
    (problem,) = validate(with_visits(frames, visits), today=TODAY)
    assert str(problem).startswith(
        "visits, row 1: clasi_scalp_scar: is not an allowed level (got '2'); allowed: 0 ("
    )


SCALE = Item("scale", "Scale", (Level(0, "absent"), Level(1, "scale"), Level(2, "verrucous")))
FLAG = Item("flag", "Flag", (Level(0, "no"), Level(1, "yes")), boolean=True)


@pytest.mark.parametrize(
    ("item", "raw", "expected", "message"),
    [
        (SCALE, ["2", " 1 ", 0, 2.0, "", None], [2, 1, 0, 2, None, None], None),
        (SCALE, ["1.5"], [None], "expects a whole number"),
        (SCALE, ["x"], [None], "expects a number"),
        (SCALE, ["true"], [None], "expects a number"),  # not a boolean item
        (SCALE, [3], [None], "is not an allowed level"),
        (FLAG, ["true", "No", True, "1"], [1, 0, 1, 1], None),
        (FLAG, ["maybe"], [None], "expects a number"),
    ],
)
def test_coerce_item(
    item: Item, raw: list[Any], expected: list[int | None], message: str | None
) -> None:
    codes, problems = coerce_item(
        pd.Series(raw, dtype=object), Field("x_item", "x", item), file="v"
    )
    assert codes.dtype == "Int64"
    assert [None if pd.isna(v) else v for v in codes] == expected
    assert [p.message for p in problems] == ([message] if message else [])


def test_boolean_dtype_column_is_accepted() -> None:
    codes, problems = coerce_item(
        pd.Series([True, False], dtype="boolean"), Field("x_flag", "x", FLAG), file="v"
    )
    assert problems == []
    assert codes.tolist() == [1, 0]


# Worked example (Albrecht 2005 scoring rules, docs/instruments/clasi.md):
# activity = face erythema 3 + face scale 2 + ears erythema 1 + mucous 1 + alopecia 2 = 9;
# damage = dyspigmentation (face 1 + nose 1 = 2, doubled because clasi_dysp_12m = 1 -> 4)
#          + face scarring 2 + scalp scarring 4 = 10.
WORKED = {
    "clasi_face_ery": 3,
    "clasi_face_scale": 2,
    "clasi_ears_ery": 1,
    "clasi_mucous": 1,
    "clasi_alopecia": 2,
    "clasi_face_dysp": 1,
    "clasi_nose_dysp": 1,
    "clasi_dysp_12m": 1,
    "clasi_face_scar": 2,
    "clasi_scalp_scar": 4,
}


@pytest.mark.slow
def test_totals_filled_from_complete_items(frames: dict[str, pd.DataFrame]) -> None:
    cohort = conform(with_visits(frames, clasi_visit(**WORKED)), today=TODAY)
    assert cohort.visits[["clasi_a", "clasi_d"]].iloc[0].tolist() == [9.0, 10.0]


@pytest.mark.slow
def test_dyspigmentation_not_doubled_under_12_months(frames: dict[str, pd.DataFrame]) -> None:
    visit = clasi_visit(**(WORKED | {"clasi_dysp_12m": 0}))
    # damage = 2 (not doubled) + 2 + 4 = 8
    assert conform(with_visits(frames, visit), today=TODAY).visits["clasi_d"].iloc[0] == 8


@pytest.mark.slow
def test_given_total_that_matches_is_fine(frames: dict[str, pd.DataFrame]) -> None:
    visit = clasi_visit(**WORKED).assign(clasi_a="9", clasi_d="10")
    assert validate(with_visits(frames, visit), today=TODAY) == []


@pytest.mark.parametrize(
    ("total", "given", "computed"), [("clasi_a", "8", 9), ("clasi_d", "11", 10)]
)
def test_given_total_that_disagrees(
    frames: dict[str, pd.DataFrame], total: str, given: str, computed: int
) -> None:
    visit = clasi_visit(**WORKED).assign(clasi_a="9", clasi_d="10").assign(**{total: given})
    (problem,) = validate(with_visits(frames, visit), today=TODAY)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "visits",
        1,
        total,
        float(given),
    )
    assert problem.message == (
        f"disagrees with the total of the item-level CLASI columns, {computed}"
    )
    assert problem.allowed == f"{computed} or blank"


def test_partial_items_are_checked_but_not_totalled(frames: dict[str, pd.DataFrame]) -> None:
    visit = clasi_visit(**WORKED).assign(clasi_a="30").assign(clasi_face_ery="")
    cohort = conform(with_visits(frames, visit), today=TODAY)
    assert cohort.visits["clasi_a"].iloc[0] == 30  # kept: items incomplete
    assert "clasi_d" not in cohort.visits.columns  # nothing to fill it from


def test_only_complete_rows_are_filled(frames: dict[str, pd.DataFrame]) -> None:
    visits = pd.concat(
        [clasi_visit(**WORKED), clasi_visit(clasi_face_ery="").assign(visit_date="2020-02-03")],
        ignore_index=True,
    ).assign(clasi_a=["", "7"])
    cohort = conform(with_visits(frames, visits), today=TODAY)
    assert cohort.visits["clasi_a"].tolist() == [9.0, 7.0]


def test_bad_item_is_reported_and_not_totalled(frames: dict[str, pd.DataFrame]) -> None:
    visit = clasi_visit(**WORKED).assign(clasi_scalp_scar="2", clasi_a="1")
    problems = validate(with_visits(frames, visit), today=TODAY)
    assert [p.field for p in problems] == ["clasi_scalp_scar"]
