"""Clinical vignettes: short dated histories, each with the expected advice and its source.

Every ``tests/protocol/vignettes/*.toml`` file holds ``[[vignette]]`` tables. A vignette is
written from a source sentence (the paper, the label, the instrument definition), never from
what clears prints; ``source`` quotes or paraphrases that sentence. Format
(``tests/protocol/vignettes/README.md`` has a worked example):

``id``, ``hazard``, ``title``, ``source``, ``as_of`` (ISO date)
    Required. ``hazard`` is the hazard-class number of docs/safety/hazard-analysis.md
    (1-13) or ``"rule"`` for a protocol-rule vignette.
``protocol``
    Optional protocol name (default: the default protocol).
``patient``
    The patients row (``patient_id`` and ``centre`` are filled in).
``treatments``, ``visits``, ``adverse_events``, ``flares``, ``concomitant_medications``
    Lists of rows of those cohort tables (``patient_id`` filled in).
``expect``
    What must hold (every key optional, at least one given):
    ``action`` (a string or a list of allowed actions), ``action_not`` (list),
    ``rule`` / ``rule_not`` (the dose rule id), ``review`` (bool), ``dose_mg_per_day``,
    ``dose_at_most``, ``alerts`` (rule ids that must fire), ``no_alerts`` (must not fire),
    ``alert_levels`` (rule id -> level), ``monitoring`` (monitoring rule id -> status, or
    ``"absent"``), ``monitoring_due`` (rule id -> ISO date of next due), ``eligibility``
    (verdict), ``criteria`` (criterion id -> status), ``response`` (the response category of
    the protocol's criteria preset the dose advice was judged on, ``dose.basis``),
    ``text_contains`` (strings that the
    text of the advice must contain, case-insensitive), ``error`` (``"InputError"``: advice
    must be refused) with ``error_field`` (the field the problem names).

Three other kinds of vignette check what decision support and the papers rest on, with the
same ``id``/``hazard``/``title``/``source`` keys (``as_of`` is then not needed):
``expect.outcomes``
    ``{criteria = "<preset>", <column> = <value>, ...}``: the patient's row of
    :func:`clears.outcomes.derive` under that preset (a value of ``"nan"`` means missing).
``expect.deviations``
    ``{"<visit date>" = true|false, ...}``: whether :func:`clears.protocol.deviations` flags
    the visit of that date (``protocol`` as above).
``lab`` with ``expect.grade`` (or ``expect.error``)
    ``lab = {test, value, unit, lln, lln_unit}`` graded by
    :func:`clears.instruments.ctcae.grade_lab`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from clears._exceptions import InputError
from clears.cohort import DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort
from clears.instruments.ctcae import grade_lab
from clears.outcomes import derive
from clears.protocol import Advice, advise, deviations

FOLDER = Path(__file__).parent / "vignettes"
_PID = "V1"
_ROW_TABLES = ("treatments", "visits", "adverse_events", "flares", "concomitant_medications")
_KEYS = frozenset(
    {
        "id",
        "hazard",
        "title",
        "source",
        "as_of",
        "protocol",
        "patient",
        "expect",
        "lab",
        *_ROW_TABLES,
    }
)
#: Expectations that are not about one day's advice (no ``as_of`` needed).
_OTHER_KINDS = frozenset({"outcomes", "deviations", "grade"})
_EXPECT = frozenset(
    {
        "action",
        "action_not",
        "rule",
        "rule_not",
        "review",
        "dose_mg_per_day",
        "dose_at_most",
        "alerts",
        "no_alerts",
        "alert_levels",
        "monitoring",
        "monitoring_due",
        "eligibility",
        "criteria",
        "response",
        "text_contains",
        "error",
        "error_field",
        *_OTHER_KINDS,
    }
)


def load_vignettes() -> list[tuple[str, dict[str, Any]]]:
    """Every vignette of every file, as ``(file name, vignette)``."""
    out = []
    for path in sorted(FOLDER.glob("*.toml")):
        with path.open("rb") as handle:
            for vignette in tomllib.load(handle).get("vignette", []):
                out.append((path.name, vignette))
    return out


VIGNETTES = load_vignettes()


def _cohort(vignette: dict[str, Any]) -> Cohort:
    frames: dict[str, pd.DataFrame] = {}
    patient = {"patient_id": _PID, "centre": "C1", **vignette.get("patient", {})}
    given: dict[str, list[dict[str, Any]]] = {"patients": [patient]}
    for name in _ROW_TABLES:
        rows = vignette.get(name, [])
        if rows and name not in TABLES:
            pytest.fail(f"vignette {vignette['id']}: {name} is not a cohort table")
        given[name] = [{"patient_id": _PID, **row} for row in rows]
    for name in TABLES:
        frame = pd.DataFrame(given.get(name, []))
        for column in REQUIRED_COLUMNS[name]:
            if column not in frame.columns:
                frame[column] = pd.Series(dtype="object")
        for column in DATE_COLUMNS[name]:
            if column in frame.columns:
                frame[column] = pd.to_datetime(frame[column].replace("", None))
        frames[name] = frame
    return Cohort(source="vignette", **frames)


def _advise(vignette: dict[str, Any]) -> Advice:
    kwargs: dict[str, Any] = {"as_of": dt.date.fromisoformat(vignette["as_of"])}
    if "protocol" in vignette:
        kwargs["protocol"] = vignette["protocol"]
    return advise(_cohort(vignette), _PID, **kwargs)


def _check(advice: Advice, expect: dict[str, Any]) -> list[str]:
    """Return what does not hold (empty when the vignette passes)."""
    wrong: list[str] = []
    dose = advice.dose
    fired = {a.rule: a for a in advice.alerts}
    monitoring = {m.rule: m for m in advice.monitoring}
    if "action" in expect:
        allowed = expect["action"] if isinstance(expect["action"], list) else [expect["action"]]
        if dose.action not in allowed:
            wrong.append(f"action {dose.action!r} not in {allowed}")
    if dose.action in expect.get("action_not", []):
        wrong.append(f"action {dose.action!r} is one of {expect['action_not']}")
    if "rule" in expect and dose.rule != expect["rule"]:
        wrong.append(f"dose rule {dose.rule!r}, expected {expect['rule']!r}")
    if "rule_not" in expect and dose.rule == expect["rule_not"]:
        wrong.append(f"dose rule is {dose.rule!r}")
    if "review" in expect and dose.review is not expect["review"]:
        wrong.append(f"review {dose.review}, expected {expect['review']}")
    if "dose_mg_per_day" in expect and abs(dose.dose_mg_per_day - expect["dose_mg_per_day"]) > 1e-6:
        wrong.append(f"dose {dose.dose_mg_per_day:g} mg/day, expected {expect['dose_mg_per_day']}")
    if "dose_at_most" in expect and dose.dose_mg_per_day > expect["dose_at_most"] + 1e-9:
        wrong.append(f"dose {dose.dose_mg_per_day:g} mg/day above {expect['dose_at_most']}")
    for rule in expect.get("alerts", []):
        if rule not in fired:
            wrong.append(f"alert {rule} did not fire (fired: {sorted(fired)})")
    for rule in expect.get("no_alerts", []):
        if rule in fired:
            wrong.append(f"alert {rule} fired: {fired[rule].message}")
    for rule, level in expect.get("alert_levels", {}).items():
        if rule not in fired or fired[rule].level != level:
            got = fired[rule].level if rule in fired else "absent"
            wrong.append(f"alert {rule} level {got}, expected {level}")
    for rule, status in expect.get("monitoring", {}).items():
        got = monitoring[rule].status if rule in monitoring else "absent"
        if got != status:
            wrong.append(f"monitoring {rule} is {got}, expected {status}")
    for rule, day in expect.get("monitoring_due", {}).items():
        item = monitoring.get(rule)
        got = item.next_due.isoformat() if item is not None and item.next_due else None
        if got != day:
            wrong.append(f"monitoring {rule} next due {got}, expected {day}")
    if "eligibility" in expect and advice.eligibility.verdict != expect["eligibility"]:
        wrong.append(f"eligibility {advice.eligibility.verdict}, expected {expect['eligibility']}")
    criteria = {c.id: c.status for c in advice.eligibility.criteria}
    for cid, status in expect.get("criteria", {}).items():
        if criteria.get(cid, "absent") != status:
            wrong.append(f"criterion {cid} is {criteria.get(cid, 'absent')}, expected {status}")
    if "response" in expect and dose.basis.get("response_category") != expect["response"]:
        got = dose.basis.get("response_category")
        wrong.append(f"response category {got!r}, expected {expect['response']!r}")
    text = advice.to_text().lower()
    for words in expect.get("text_contains", []):
        if words.lower() not in text:
            wrong.append(f"advice text lacks {words!r}")
    return wrong


def _grade(vignette: dict[str, Any]) -> int:
    lab = dict(vignette["lab"])
    result = grade_lab(lab.pop("test"), lab.pop("value"), lab.pop("unit"), **lab)
    return result.grade


def _check_outcomes(vignette: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    wanted = dict(expect)
    preset = wanted.pop("criteria")
    frame = derive(_cohort(vignette), criteria=[preset])
    row = frame.loc[frame["patient_id"] == _PID].iloc[0]
    wrong = []
    for column, value in wanted.items():
        got = row[column]
        missing = bool(pd.isna(got))
        if value == "nan":
            if not missing:
                wrong.append(f"outcome {column} is {got!r}, expected missing")
        elif missing or (
            abs(float(got) - value) > 1e-9
            if isinstance(value, int | float) and not isinstance(value, bool)
            else (str(got.date()) if isinstance(got, pd.Timestamp) else got) != value
        ):
            wrong.append(f"outcome {column} is {got!r}, expected {value!r}")
    return wrong


def _check_deviations(vignette: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    table = deviations(_cohort(vignette), protocol=vignette.get("protocol", "cortes2012"))
    flagged = {row.visit_date.date().isoformat(): bool(row.deviation) for row in table.itertuples()}
    wrong = []
    for day, value in expect.items():
        if day not in flagged:
            wrong.append(f"no deviation row for the visit of {day} (rows: {sorted(flagged)})")
        elif flagged[day] is not value:
            wrong.append(f"visit of {day}: deviation {flagged[day]}, expected {value}")
    return wrong


def test_there_are_at_least_120_vignettes() -> None:
    # Issue 12 ("How it is proven"): at least 120 vignettes.
    assert len(VIGNETTES) >= 120


def test_every_hazard_class_has_vignettes_on_both_sides() -> None:
    # Every class 1-13 of docs/safety/hazard-analysis.md has at least four vignettes.
    counts = {k: sum(1 for _, v in VIGNETTES if v["hazard"] == k) for k in range(1, 14)}
    assert all(n >= 4 for n in counts.values()), counts


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(("file", "vignette"), VIGNETTES, ids=[v["id"] for _, v in VIGNETTES])
def test_vignette(file: str, vignette: dict[str, Any]) -> None:
    unknown = set(vignette) - _KEYS
    assert not unknown, f"{file}: unknown keys {sorted(unknown)}"
    expect = vignette.get("expect", {})
    other = _OTHER_KINDS & set(expect)
    dated = not other and "lab" not in vignette
    required = ("id", "hazard", "title", "source", "expect") + (("as_of",) if dated else ())
    for key in required:
        assert vignette.get(key), f"{file}: vignette lacks {key!r}"
    assert set(expect) <= _EXPECT, f"unknown expectations {sorted(set(expect) - _EXPECT)}"
    where = f"{file} {vignette['id']} ({vignette['title']})"
    if "lab" in vignette:
        if "error" in expect:
            with pytest.raises(InputError) as refused:
                _grade(vignette)
            if "error_field" in expect:
                fields = [p.field for p in refused.value.problems]
                assert expect["error_field"] in fields, f"problems name {fields}"
        else:
            assert _grade(vignette) == expect["grade"], where
        return
    if other:
        wrong = []
        if "outcomes" in expect:
            wrong += _check_outcomes(vignette, expect["outcomes"])
        if "deviations" in expect:
            wrong += _check_deviations(vignette, expect["deviations"])
        assert not wrong, f"{where}:\n  " + "\n  ".join(wrong)
        return
    if "error" in expect:
        with pytest.raises(InputError) as caught:
            _advise(vignette)
        if "error_field" in expect:
            fields = [p.field for p in caught.value.problems]
            assert expect["error_field"] in fields, f"problems name {fields}"
        return
    wrong = _check(_advise(vignette), expect)
    assert not wrong, f"{file} {vignette['id']} ({vignette['title']}):\n  " + "\n  ".join(wrong)


def test_ids_are_unique() -> None:
    ids = [v["id"] for _, v in VIGNETTES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_vignette_names_its_hazard_class() -> None:
    allowed = {*range(1, 14), "rule"}
    bad = [v["id"] for _, v in VIGNETTES if v["hazard"] not in allowed]
    assert not bad
