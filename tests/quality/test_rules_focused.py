"""Focused cases of the bundled rules: both ends of the dose range, required-when rules with
their condition met, not met and unknown, and range rules on missing or non-numeric values.

Every cohort here is the example cohort (``examples/cohort``) with one cell changed on purpose;
each expectation follows from the rule's declaration in ``src/clears/data/quality/rules.toml``
and the source it cites, never from a previous run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest
from tests.quality._example import example_cohort

from clears._exceptions import InputError
from clears.quality import bundled_rules, evaluate, load_rules


def _findings(table: str, row: int, changes: dict[str, Any], rules: Any = None) -> pd.DataFrame:
    cohort = example_cohort()
    frame = getattr(cohort, table).copy()
    for column, value in changes.items():
        frame[column] = frame[column].astype("object")
        frame.loc[row, column] = value
    changed = dataclasses.replace(cohort, **{table: frame})
    return evaluate(changed, bundled_rules() if rules is None else rules).findings


def _hit(found: pd.DataFrame, rule: str, table: str, row: int) -> bool:
    # Records are named by the table's 1-based row (docs/quality.md).
    mask = (found["rule_id"] == rule) & (found["table"] == table)
    return bool((found.loc[mask, "record"] == f"row {row + 1}").any())


# --- lenalidomide-dose-range: 2.5-10 mg/day inclusive, lenalidomide periods only ------------
# Cortés-Hernández 2012 (doi:10.1186/ar4111): 5-10 mg/day, tapered to 5 mg on alternate days,
# which the schema records as an average 2.5 mg/day (docs/cohort-tables.md).
# examples/cohort/treatments.csv row 2 (index 1) is a P01 lenalidomide period at 5 mg/day.


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (2.5, False),  # the alternate-day taper, the lower end itself: inside
        (10.0, False),  # the top CLE dose: inside
        (2.4, True),  # just under 2.5
        (10.5, True),  # just over 10
        (None, False),  # missing: nothing to judge (docs/quality.md)
    ],
)
def test_lenalidomide_dose_both_ends(dose: float | None, expected: bool) -> None:
    found = _findings("treatments", 1, {"dose_mg_per_day": dose})
    assert _hit(found, "lenalidomide-dose-range", "treatments", 1) is expected


def test_lenalidomide_dose_message_names_value_and_range() -> None:
    found = _findings("treatments", 1, {"dose_mg_per_day": 15.0})
    row = found.loc[found["rule_id"] == "lenalidomide-dose-range"]
    assert row["severity"].tolist() == ["warning"]
    assert row["value"].tolist() == [15.0]
    assert "15.0 mg/day is outside 2.5-10 mg/day" in row["message"].iloc[0]


def test_thalidomide_dose_outside_the_lenalidomide_range_is_not_a_finding() -> None:
    # treatments row 1 (index 0) is thalidomide 100 mg/day: the rule is limited by
    # when_field drug = lenalidomide, so 1 mg/day of thalidomide is not judged either.
    assert not _hit(
        _findings("treatments", 0, {"dose_mg_per_day": 1.0}),
        "lenalidomide-dose-range",
        "treatments",
        0,
    )


# --- end-reason-required: a period with end_date names its end_reason ----------------------
# Discontinuation reasons are a derived outcome (docs/outcomes.md).


@pytest.mark.parametrize(
    ("end_date", "end_reason", "expected"),
    [
        (pd.Timestamp("2019-03-11"), "taper", False),  # ended, reason given
        (pd.Timestamp("2019-03-11"), None, True),  # ended, reason blank: the finding
        (None, None, False),  # ongoing period: the condition (an end_date) does not hold
        (None, "taper", False),  # ongoing, a reason given anyway: nothing required
    ],
)
def test_end_reason_required(end_date: Any, end_reason: str | None, expected: bool) -> None:
    found = _findings("treatments", 1, {"end_date": end_date, "end_reason": end_reason})
    assert _hit(found, "end-reason-required", "treatments", 1) is expected
    # treatments row 4 (P02, ended 2019-03-04, blank reason) is untouched and stays a finding.
    assert _hit(found, "end-reason-required", "treatments", 3)


def test_end_reason_message_names_the_end_date() -> None:
    found = _findings("treatments", 1, {"end_reason": None})
    row = found.loc[(found["rule_id"] == "end-reason-required") & (found["record"] == "row 2")]
    assert row["message"].tolist() == ["treatment period ended 2019-03-11 without an end_reason"]


# --- pregnancy-test-required: every visit of a woman of reproductive potential ---------------
# Lenalidomide pregnancy prevention programme (US REMS, EU SmPC; docs/reference/lenalidomide.md).
# examples/cohort: P02 has reproductive_potential yes, P01 no, P03 (male) blank. visits row 4
# (index 3) is P02's first visit, row 1 (index 0) P01's, row 7 (index 6) P03's.


def _pregnancy(visit_row: int, patient: str, potential: Any, test: Any) -> bool:
    cohort = example_cohort()
    patients = cohort.patients.copy()
    patients["reproductive_potential"] = patients["reproductive_potential"].astype("object")
    patients.loc[patients["patient_id"] == patient, "reproductive_potential"] = potential
    visits = cohort.visits.copy()
    visits["pregnancy_test"] = visits["pregnancy_test"].astype("object")
    visits.loc[visit_row, "pregnancy_test"] = test
    assert visits.loc[visit_row, "patient_id"] == patient
    changed = dataclasses.replace(cohort, patients=patients, visits=visits)
    found = evaluate(changed, bundled_rules()).findings
    return _hit(found, "pregnancy-test-required", "visits", visit_row)


def test_pregnancy_test_present_is_not_a_finding() -> None:
    assert not _pregnancy(3, "P02", True, "negative")


def test_pregnancy_test_absent_for_reproductive_potential_is_an_error() -> None:
    assert _pregnancy(3, "P02", True, None)
    found = _findings("visits", 3, {"pregnancy_test": None})
    row = found.loc[(found["rule_id"] == "pregnancy-test-required") & (found["record"] == "row 4")]
    assert row["severity"].tolist() == ["error"]  # declared error: exposure in pregnancy
    assert row["patient_id"].tolist() == ["P02"]


def test_a_pregnancy_test_not_done_is_no_test() -> None:
    # A test that was not done leaves the woman of potential untested (REMS / EU SmPC:
    # a negative test before each prescription); "not_done" is counted as not recorded.
    assert _pregnancy(3, "P02", True, "not_done")
    assert not _pregnancy(3, "P02", False, "not_done")


def test_pregnancy_test_absent_without_reproductive_potential_is_not_a_finding() -> None:
    # P01 is recorded as not of reproductive potential (natural menopause): nothing required.
    assert not _pregnancy(0, "P01", False, None)


def test_pregnancy_test_absent_with_reproductive_potential_unknown_is_not_a_finding() -> None:
    # The rule's condition is reproductive_potential = true; a blank value does not meet it
    # ("it breaks a required_when rule when its condition holds", docs/quality.md).
    assert not _pregnancy(6, "P03", None, None)
    assert not _pregnancy(0, "P01", None, None)


def _potential_finding(patient: str, sex: Any, potential: Any) -> bool:
    cohort = example_cohort()
    patients = cohort.patients.copy()
    for column, value in (("sex", sex), ("reproductive_potential", potential)):
        patients[column] = patients[column].astype("object")
        patients.loc[patients["patient_id"] == patient, column] = value
    found = evaluate(dataclasses.replace(cohort, patients=patients), bundled_rules()).findings
    hits = found.loc[found["rule_id"] == "reproductive-potential-recorded", "patient_id"]
    return patient in hits.tolist()


@pytest.mark.parametrize(
    ("sex", "potential", "expected"),
    [
        ("female", None, True),  # a blank hides whether pregnancy tests are due
        ("female", True, False),
        ("female", False, False),
        ("male", None, False),  # the programme's tests are for women
    ],
)
def test_reproductive_potential_is_required_for_every_woman(
    sex: str, potential: Any, expected: bool
) -> None:
    # That blank is what keeps the pregnancy-test rule above from firing, so it has its own.
    assert _potential_finding("P01", sex, potential) is expected


# --- ae-grade-serious and the when_min path -------------------------------------------------
# ICH E2A: life-threatening (CTCAE grade 4) and fatal (grade 5) events are serious.
# adverse_events row 1 (index 0) is a P02 grade 2 event marked serious = no.


@pytest.mark.parametrize(
    ("grade", "serious", "expected"),
    [
        (5, None, True),  # fatal, serious blank
        (5, True, False),
        (4, True, False),
        (3, None, False),  # below when_min = 4
        (None, None, False),  # grade unknown: the condition is not known to hold
    ],
)
def test_serious_required_from_grade_4_through_5(grade: Any, serious: Any, expected: bool) -> None:
    found = _findings("adverse_events", 0, {"grade": grade, "serious": serious})
    assert _hit(found, "ae-grade-serious", "adverse_events", 0) is expected


_WHEN_MIN_RULE = """
[[rule]]
id = "dsdna-when-sledai-dna"
title = "Anti-dsDNA titre recorded when the SLEDAI-2K DNA binding item is present"
severity = "warning"
kind = "required_when"
table = "visits"
field = "anti_dsdna"
when_field = "sledai_dna"
when_min = 1
message = "SLEDAI-2K dsDNA item {when_value} without an anti-dsDNA titre"
source = "Gladman 2002, J Rheumatol 29:288-91 (increased DNA binding, an item scored 0 or 1)"
"""


@pytest.mark.parametrize(
    ("item", "titre", "expected"),
    [
        (1, None, True),  # item present (at when_min), titre blank: the finding
        (1, 85.0, False),  # titre given
        (0, None, False),  # under when_min: nothing required
        (None, None, False),  # item unknown: the condition is not known to hold
    ],
)
def test_when_min_on_a_user_rule(item: Any, titre: Any, expected: bool) -> None:
    # visits row 1 (index 0): P01's first visit, sledai_dna 0 and a blank anti_dsdna. The
    # rule names a SLEDAI-2K item column of visits (docs/cohort-tables.md), which a rules
    # file may read like a CLASI item column.
    rules, _ = load_rules("user.toml", text=_WHEN_MIN_RULE)
    found = _findings("visits", 0, {"sledai_dna": item, "anti_dsdna": titre}, rules=rules)
    assert _hit(found, "dsdna-when-sledai-dna", "visits", 0) is expected
    if expected:
        row = found.loc[found["rule_id"] == "dsdna-when-sledai-dna"]
        assert row["message"].tolist() == ["SLEDAI-2K dsDNA item 1 without an anti-dsDNA titre"]


_WHEN_MIN_OTHER_TABLE = """
[[rule]]
id = "bmi-pregnancy"
title = "t"
severity = "warning"
kind = "required_when"
table = "visits"
field = "hb"
when_table = "patients"
when_field = "bmi"
when_min = 40
message = "m"
source = "a hand-built rule over a patient-level condition"
"""


def test_when_min_over_a_patient_level_condition() -> None:
    # P02's bmi set to 40 (at when_min) and its first visit's hb blanked: one finding there;
    # P01 (bmi 23.4, under 40) with a blank hb is not one.
    rules, _ = load_rules("user.toml", text=_WHEN_MIN_OTHER_TABLE)
    cohort = example_cohort()
    patients = cohort.patients.copy()
    patients.loc[patients["patient_id"] == "P02", "bmi"] = 40.0
    visits = cohort.visits.copy()
    visits.loc[[0, 3], "hb"] = pd.NA
    found = evaluate(dataclasses.replace(cohort, patients=patients, visits=visits), rules).findings
    assert found[["patient_id", "record"]].values.tolist() == [["P02", "row 4"]]


# --- range rules on missing and non-numeric values -------------------------------------------
# The only not_done-style value of the cohort tables is pregnancy_test's not_done
# (docs/cohort-tables.md); the range fields are numbers. A missing value, or a text such as
# "not_done" reaching a range field, is nothing to judge and must not read as out of range.

_RANGES = [
    ("visits", 0, "anc", "anc-plausible"),
    ("visits", 0, "platelets", "platelets-plausible"),
    ("visits", 0, "hb", "hb-plausible"),
    ("patients", 0, "bmi", "bmi-plausible"),
    ("treatments", 1, "dose_mg_per_day", "lenalidomide-dose-range"),
]


@pytest.mark.parametrize(("table", "row", "field", "rule"), _RANGES)
@pytest.mark.parametrize("value", [None, "not_done", ""])
def test_range_rule_skips_missing_and_not_done(
    table: str, row: int, field: str, rule: str, value: Any
) -> None:
    found = _findings(table, row, {field: value})
    assert not (found["rule_id"] == rule).any()


@pytest.mark.parametrize(("table", "row", "field", "rule"), _RANGES)
def test_range_rule_still_fires_on_the_same_row(
    table: str, row: int, field: str, rule: str
) -> None:
    # The same cell at 1000000 is above every rule's max: the row above is checked, not skipped.
    assert _hit(_findings(table, row, {field: 1_000_000.0}), rule, table, row)


# --- without_nearby: a record that should have a companion record close in time -----------
# examples/cohort: P02's periods start 2019-02-04 and 2019-03-04 and end 2019-03-04 and
# 2019-06-24; P02's adverse events (index 0) "Peripheral sensory neuropathy" 2019-06-10,
# action withdrawn, and (index 1) "Neutrophil count decreased" 2019-04-01. P02's visits are
# rows 3-5 (2019-02-04, 2019-03-04, 2019-06-24); P01's first visit is row 0 and P01 has no
# adverse event. The rules' windows are in src/clears/data/quality/rules.toml.


def _two(
    table: str, row: int, changes: dict[str, Any], other: str, o_row: int, o_changes: Any
) -> pd.DataFrame:
    cohort = example_cohort()
    frames = {}
    for name, at, values in ((table, row, changes), (other, o_row, o_changes)):
        frame = frames.get(name, getattr(cohort, name)).copy()
        for column, value in values.items():
            frame[column] = frame[column].astype("object")
            frame.loc[at, column] = value
        frames[name] = frame
    return evaluate(dataclasses.replace(cohort, **frames), bundled_rules()).findings


@pytest.mark.parametrize(
    ("onset", "action", "expected"),
    [
        ("2019-06-10", "withdrawn", False),  # the period ends 14 days later
        ("2019-04-25", "withdrawn", False),  # 2019-06-24 is day 60: the window's last day
        ("2019-04-24", "withdrawn", True),  # day 61: no period starts or ends in 60 days
        ("2019-06-24", "dose_reduced", False),  # the same day counts (days_before = 0)
        ("2019-06-25", "interrupted", True),  # the day after the last change: none after
        ("2019-04-24", "none", False),  # no dose action: nothing to show
        ("2019-04-24", None, False),  # no action recorded: another rule's business
    ],
)
def test_ae_action_needs_a_period_change_within_60_days(
    onset: str, action: str | None, expected: bool
) -> None:
    changes = {"onset_date": pd.Timestamp(onset), "action": action}
    found = _findings("adverse_events", 0, changes)
    assert _hit(found, "ae-action-without-dose-change", "adverse_events", 0) is expected


def test_ae_action_message_names_the_date_the_action_and_the_window() -> None:
    found = _findings("adverse_events", 0, {"onset_date": pd.Timestamp("2019-04-24")})
    row = found.loc[found["rule_id"] == "ae-action-without-dose-change"]
    assert row["value"].tolist() == ["withdrawn"]
    assert row["message"].iloc[0] == (
        "adverse event of 2019-04-24 says the dose was withdrawn, but no treatment period "
        "starts or ends within 60 days"
    )


@pytest.mark.parametrize(
    ("row", "anc", "expected"),
    [
        (0, 0.99, True),  # CTCAE grade 3 (< 1.0) and P01 has no adverse event at all
        (0, 1.0, False),  # 1.0 is grade 2 (< 1.5-1.0): the rule starts below it
        (0, 0.4, True),  # grade 4
        (0, None, False),  # no count: nothing to judge
        (4, 0.9, False),  # 2019-03-04: the neutropenia AE of 2019-04-01 is 28 days later
        (3, 0.9, True),  # 2019-02-04: that AE is 56 days later, outside +-30 days
        (5, 0.9, True),  # 2019-06-24: that AE was 84 days before
    ],
)
def test_grade3_neutrophil_count_needs_a_neutropenia_event(
    row: int, anc: float | None, expected: bool
) -> None:
    found = _findings("visits", row, {"anc": anc})
    assert _hit(found, "neutropenia-grade3-without-ae", "visits", row) is expected


def test_the_event_term_is_compared_without_case_and_other_terms_do_not_count() -> None:
    lower = _two("visits", 4, {"anc": 0.9}, "adverse_events", 1, {"term": "neutropenia"})
    assert not _hit(lower, "neutropenia-grade3-without-ae", "visits", 4)
    other = _two("visits", 4, {"anc": 0.9}, "adverse_events", 1, {"term": "Diarrhea"})
    assert _hit(other, "neutropenia-grade3-without-ae", "visits", 4)


@pytest.mark.parametrize(("platelets", "expected"), [(49.0, True), (50.0, False), (24.0, True)])
def test_grade3_platelet_count_needs_a_thrombocytopenia_event(
    platelets: float, expected: bool
) -> None:
    # CTCAE v5.0 platelet count decreased: grade 3 < 50-25, grade 4 < 25 x10^9/L.
    found = _findings("visits", 0, {"platelets": platelets})
    assert _hit(found, "thrombocytopenia-grade3-without-ae", "visits", 0) is expected


def test_a_visit_without_a_date_is_not_judged() -> None:
    found = _findings("visits", 0, {"anc": 0.5, "visit_date": None})
    assert not _hit(found, "neutropenia-grade3-without-ae", "visits", 0)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"below": 1, "above": 2}, "exactly one of below, above, equals_any"),
        ({}, "exactly one of below, above, equals_any"),
        ({"below": 1, "other_table": "nope"}, "patients, treatments"),
        ({"below": 1, "other_date_fields": ["when"]}, "a column of adverse_events"),
        ({"below": 1, "other_field": "term"}, "other_field and other_equals_any together"),
        ({"below": "low"}, "a number"),
    ],
)
def test_a_without_nearby_rule_is_checked_key_by_key(rule: dict[str, Any], problem: str) -> None:
    base = {
        "id": "x",
        "title": "x",
        "severity": "warning",
        "kind": "without_nearby",
        "table": "visits",
        "message": "m",
        "source": "s",
        "field": "anc",
        "date_field": "visit_date",
        "other_table": "adverse_events",
        "other_date_fields": ["onset_date"],
        "days_before": 1,
        "days_after": 1,
    }
    lines = [f"{k} = {v!r}".replace("'", '"') for k, v in {**base, **rule}.items()]
    with pytest.raises(InputError) as caught:
        load_rules("site.toml", text="[[rule]]\n" + "\n".join(lines))
    assert problem in str(caught.value)
