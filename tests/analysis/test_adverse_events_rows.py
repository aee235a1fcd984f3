"""Row by row through :func:`clears.analysis.ae_table`: a grade that does not exist for its
term is reported at every row that has it, and each spelling of a term counts as that term."""

from __future__ import annotations

import pandas as pd
import pytest

from clears import InputError
from clears.analysis.adverse_events import ae_table

START = pd.Timestamp("2020-01-01")


def _frames(events: list[tuple[str, str, int]]) -> dict[str, pd.DataFrame]:
    ids = sorted({pid for pid, _, _ in events} | {"P09"})
    return {
        "patients": pd.DataFrame({"patient_id": ids, "centre": "A", "sle": False}),
        "treatments": pd.DataFrame(
            {
                "patient_id": ids,
                "drug": "lenalidomide",
                "start_date": START,
                "dose_mg_per_day": 10.0,
                "end_date": START + pd.Timedelta(days=365),
            }
        ),
        "adverse_events": pd.DataFrame(
            {
                "patient_id": [pid for pid, _, _ in events],
                "onset_date": START + pd.Timedelta(days=10),
                "term": [term for _, term, _ in events],
                "grade": [grade for _, _, grade in events],
            }
        ),
    }


def test_a_grade_missing_for_its_term_is_reported_at_every_row() -> None:
    # CTCAE v5.0: arterial thromboembolism has grades 3-5 only; fatigue has 1-3
    events = [
        ("P01", "Arterial thromboembolism", 1),
        ("P02", "Fatigue", 2),
        ("P03", "Arterial thromboembolism", 1),
        ("P04", "Fatigue", 4),
        ("P05", "arterial thromboembolism", 2),
    ]
    with pytest.raises(InputError) as info:
        ae_table(_frames(events))
    found = [(p.row, p.value, p.file) for p in info.value.problems]
    assert found == [(1, 1, "adverse_events"), (3, 1, "adverse_events"),
                     (4, 4, "adverse_events"), (5, 2, "adverse_events")]  # fmt: skip
    assert all("does not exist" in p.message for p in info.value.problems)
    assert info.value.problems[0].allowed == "3, 4, 5"
    assert info.value.problems[2].allowed == "1, 2, 3"


def test_each_spelling_of_a_term_counts_as_the_term() -> None:
    events = [("P01", "Fatigue", 1), ("P02", "fatigue", 2), ("P03", " FATIGUE ", 1)]
    table = ae_table(_frames(events)).table
    rows = table[table["term"] == "Fatigue"]
    assert not rows.empty
    assert int(rows["n"].max()) == 3  # three patients with fatigue, however spelled
    assert set(table["term"]) - {"", "Fatigue"} == set()
