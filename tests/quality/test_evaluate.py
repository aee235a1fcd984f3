"""The bundled data-quality rules on hand-built cohorts whose violations are placed on purpose."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from tests.quality._example import example_cohort

import clears.cohort
from clears import InputError
from clears.quality import bundled_rules, evaluate, load_rules, merge_rules


def _cohort() -> clears.cohort.Cohort:
    return example_cohort()


def _rule_ids(cohort: clears.cohort.Cohort) -> list[str]:
    return evaluate(cohort, bundled_rules()).findings["rule_id"].tolist()


@pytest.mark.slow
def test_example_cohort_has_only_the_known_gaps() -> None:
    # examples/cohort/treatments.csv row 4 (P02) ends 2019-03-04 with a blank end_reason;
    # visits.csv row 6 (P02, a woman of reproductive potential, 2019-06-24) has its
    # pregnancy test not done, which is no test.
    found = evaluate(_cohort(), bundled_rules()).findings
    assert found[["patient_id", "rule_id", "record"]].values.tolist() == [
        ["P02", "end-reason-required", "row 4"],
        ["P02", "pregnancy-test-required", "row 6"],
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.09, True), (0.1, False), (30.0, False), (30.1, True), (None, False)],
)
def test_anc_range_both_sides_and_missing(value: float | None, expected: bool) -> None:
    # Rule anc-plausible: 0.1-30 x10^9/L inclusive (src/clears/data/quality/rules.toml).
    cohort = _cohort()
    visits = cohort.visits.copy()
    visits.loc[0, "anc"] = value
    ids = _rule_ids(dataclasses.replace(cohort, visits=visits))
    assert ("anc-plausible" in ids) is expected


def test_lenalidomide_dose_rule_ignores_other_drugs() -> None:
    cohort = _cohort()
    periods = cohort.treatments.copy()
    periods.loc[0, "dose_mg_per_day"] = 20.0  # above 10 mg/day (Cortés-Hernández 2012)
    found = evaluate(dataclasses.replace(cohort, treatments=periods), bundled_rules()).findings
    drug = cohort.treatments.loc[0, "drug"]
    assert ("lenalidomide-dose-range" in found["rule_id"].tolist()) is (drug == "lenalidomide")


def test_pregnancy_test_required_for_reproductive_potential() -> None:
    cohort = _cohort()
    patients = cohort.patients.copy()
    patients["reproductive_potential"] = pd.array([True] * len(patients), dtype="boolean")
    visits = cohort.visits.copy()
    visits["pregnancy_test"] = pd.array([pd.NA] * len(visits), dtype="string")
    visits.loc[0, "pregnancy_test"] = "negative"
    changed = dataclasses.replace(cohort, patients=patients, visits=visits)
    found = evaluate(changed, bundled_rules()).findings
    assert (found["rule_id"] == "pregnancy-test-required").sum() == len(visits) - 1


def test_disable_and_override_by_id(tmp_path: object) -> None:
    text = (
        'disable = ["end-reason-required"]\n'
        '[[rule]]\nid = "anc-plausible"\ntitle = "t"\nseverity = "warning"\n'
        'kind = "range"\ntable = "visits"\nfield = "anc"\nmin = 5\nmax = 6\n'
        'message = "anc {value}"\nsource = "local"\n'
    )
    extra, disable = load_rules("user.toml", text=text)
    rules = merge_rules(bundled_rules(), extra, disable)
    found = evaluate(_cohort(), rules).findings
    assert "end-reason-required" not in found["rule_id"].tolist()
    assert set(found.loc[found["rule_id"] == "anc-plausible", "severity"]) == {"warning"}


@pytest.mark.parametrize(
    ("line", "field", "allowed"),
    [
        ('kind = "sql"', "kind", "range"),
        ('severity = "fatal"', "severity", "error, warning"),
        ('table = "labs"', "table", "patients"),
        ('field = "neutrophils"', "field", "a column of visits"),
    ],
)
def test_user_file_errors_name_field_and_allowed(line: str, field: str, allowed: str) -> None:
    base = {
        "id": '"x"', "title": '"t"', "severity": '"error"', "kind": '"range"',
        "table": '"visits"', "field": '"anc"', "min": "0", "max": "1",
        "message": '"m"', "source": '"s"',
    }  # fmt: skip
    key = line.split(" = ")[0]
    base[key] = line.split(" = ")[1]
    text = "[[rule]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items())
    with pytest.raises(InputError) as info:
        load_rules("user.toml", text=text)
    message = str(info.value)
    assert "user.toml, rule x" in message
    assert field in message
    assert allowed in message


def test_optional_columns_left_out_are_blank_not_an_error() -> None:
    # One patient's registry read leaves out optional columns none of their rows fill
    # (no period ended: no end_date, end_reason); every rule then judges them as blank.
    cohort = _cohort()
    treatments = cohort.treatments.drop(columns=["end_date", "end_reason"])
    ids = _rule_ids(dataclasses.replace(cohort, treatments=treatments))
    assert "visit-long-after-treatment" not in ids
    assert "end-reason-required" not in ids
