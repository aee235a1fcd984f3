"""Evaluate data-quality rules over the cohort tables, vectorised with pandas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clears.cohort import Cohort
from clears.quality._rules import Rule

__all__ = ["FINDING_COLUMNS", "QualityResult", "evaluate"]

FINDING_COLUMNS = (
    "centre",
    "patient_id",
    "table",
    "record",
    "field",
    "value",
    "rule_id",
    "severity",
    "message",
)


@dataclass(frozen=True)
class QualityResult:
    """Findings (one row per finding, :data:`FINDING_COLUMNS`) and counts per rule and centre."""

    findings: pd.DataFrame

    @property
    def counts(self) -> pd.DataFrame:
        """Findings per centre, rule and severity (columns centre, rule_id, severity, n)."""
        keys = ["centre", "rule_id", "severity"]
        return self.findings.groupby(keys, dropna=False).size().reset_index(name="n")

    @property
    def has_errors(self) -> bool:
        """Whether any finding is of severity ``error``."""
        return bool((self.findings["severity"] == "error").any())


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _equals(series: pd.Series, value: Any) -> pd.Series:
    if isinstance(value, int | float):
        numeric = pd.to_numeric(series.astype("object").map(_as_number), errors="coerce")
        return (numeric == float(value)).fillna(False).astype(bool)
    return (series.astype("string") == str(value)).fillna(False).astype(bool)


def _as_number(value: Any) -> Any:
    if value is True:
        return 1.0
    if value is False:
        return 0.0
    return value


def _mask(rule: Rule, frame: pd.DataFrame, cohort: Cohort) -> tuple[pd.Series, pd.Series]:
    p = rule.params
    if rule.kind == "range":
        values = pd.to_numeric(_col(frame, p["field"]), errors="coerce")
        mask = ((values < p["min"]) | (values > p["max"])).fillna(False).astype(bool)
        if "when_field" in p:
            mask &= _equals(_col(frame, p["when_field"]), p["when_equals"])
        return mask, values
    if rule.kind == "required_when":
        when_table = p.get("when_table", rule.table)
        if when_table == rule.table:
            when = _col(frame, p["when_field"])
        else:
            other = getattr(cohort, when_table)
            lookup = _col(other, p["when_field"]).set_axis(other["patient_id"])
            when = frame["patient_id"].map(lookup.to_dict())
        if "when_equals" in p:
            condition = _equals(when, p["when_equals"])
        elif "when_min" in p:
            numeric = pd.to_numeric(when, errors="coerce")
            condition = (numeric >= p["when_min"]).fillna(False).astype(bool)
        else:
            condition = when.notna()
        value = _col(frame, p["field"])
        missing = value.isna() | value.isin(list(p.get("not_recorded", ())))
        return (condition & missing).astype(bool), when
    if rule.kind == "conflict":
        mask = _equals(_col(frame, p["field"]), p["field_equals"])
        for name in p["other_fields"]:
            mask &= _equals(_col(frame, name), p["others_all_equal"])
        return mask, _col(frame, p["field"])
    if rule.kind == "without_nearby":
        return _without_nearby(rule, frame, cohort)
    # visit_after_treatment
    periods = cohort.treatments
    last = periods.sort_values("start_date").groupby("patient_id").tail(1)
    open_or_reason = _col(last, "end_date").isna() | _col(last, "end_reason").notna()
    ended = _col(last.loc[~open_or_reason], "end_date").set_axis(
        last.loc[~open_or_reason, "patient_id"]
    )
    end = frame["patient_id"].map(ended.to_dict())
    limit = pd.to_datetime(end) + pd.DateOffset(months=int(p["months"]))
    mask = (frame["visit_date"] > limit).fillna(False).astype(bool)
    return mask, frame["visit_date"]


def _lowered(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.lower()


def _without_nearby(rule: Rule, frame: pd.DataFrame, cohort: Cohort) -> tuple[pd.Series, pd.Series]:
    """Rows meeting the rule's condition with no row of ``other_table`` of the same patient
    dated from ``days_before`` before to ``days_after`` after the row's date (any of
    ``other_date_fields``; only rows whose ``other_field`` is one of ``other_equals_any``,
    compared without case). A row without its date is not judged."""
    p = rule.params
    value = _col(frame, p["field"])
    if "equals_any" in p:
        condition = _lowered(value).isin([v.lower() for v in p["equals_any"]]).fillna(False)
    else:
        numeric = pd.to_numeric(value, errors="coerce")
        condition = numeric < p["below"] if "below" in p else numeric > p["above"]
    when = pd.to_datetime(_col(frame, p["date_field"]), errors="coerce")
    condition = (condition & when.notna()).fillna(False).astype(bool)
    position = np.flatnonzero(condition.to_numpy())
    if not len(position):
        return condition, when
    candidates = pd.DataFrame(
        {
            "at": position,
            "patient_id": frame["patient_id"].to_numpy()[position],
            "when": when.to_numpy()[position],
        }
    )
    other = getattr(cohort, p["other_table"])
    other = other.loc[other["patient_id"].isin(set(candidates["patient_id"]))]
    if "other_field" in p:
        wanted = [v.lower() for v in p["other_equals_any"]]
        other = other.loc[_lowered(_col(other, p["other_field"])).isin(wanted).fillna(False)]
    dates = pd.concat(
        [
            pd.DataFrame(
                {
                    "patient_id": other["patient_id"].to_numpy(),
                    "date": pd.to_datetime(_col(other, name), errors="coerce").to_numpy(),
                }
            )
            for name in p["other_date_fields"]
        ],
        ignore_index=True,
    ).dropna()
    pairs = candidates.merge(dates, on="patient_id", how="inner")
    start = pairs["when"] - pd.Timedelta(days=p["days_before"])
    end = pairs["when"] + pd.Timedelta(days=p["days_after"])
    near = set(pairs.loc[(pairs["date"] >= start) & (pairs["date"] <= end), "at"].tolist())
    hit = np.zeros(len(frame), dtype=bool)
    hit[[at for at in position if at not in near]] = True
    return pd.Series(hit, index=frame.index), when


def _message(rule: Rule, value: Any, when_value: Any) -> str:
    fields = {k: v for k, v in rule.params.items() if isinstance(v, int | float | str)}
    shown = value.date().isoformat() if isinstance(value, pd.Timestamp) else value
    when = when_value.date().isoformat() if isinstance(when_value, pd.Timestamp) else when_value
    return rule.message.format(**{**fields, "value": shown, "when_value": when})


def evaluate(cohort: Cohort, rules: Sequence[Rule]) -> QualityResult:
    """Apply every rule to the cohort; nothing passed in is changed.

    A missing value never breaks a range rule (there is nothing to judge); it breaks a
    ``required_when`` rule when the condition holds. A ``required_when`` rule may name
    values that count as not recorded (``not_recorded``, e.g. ``["not_done"]``). Records
    are named by their table's 1-based row (``row 3``), as the cohort readers count rows.

    Parameters
    ----------
    cohort
        A validated cohort (:func:`clears.cohort.read` or the registry's export).
    rules
        The rules to apply (:func:`clears.quality.bundled_rules`, merged with a user file).

    Returns
    -------
    QualityResult
        One row per finding, sorted by centre, patient, table and record.
    """
    centres = cohort.patients.set_index("patient_id")["centre"].to_dict()
    parts: list[pd.DataFrame] = []
    for rule in rules:
        frame = getattr(cohort, rule.table)
        if frame.empty:
            continue
        mask, context = _mask(rule, frame, cohort)
        if not mask.any():
            continue
        field = str(rule.params.get("field", "visit_date"))
        # only the columns a finding shows: a visits row has hundreds of item columns
        hits = frame.loc[mask, [c for c in ("patient_id", field) if c in frame.columns]]
        values = _col(hits, field) if field in hits.columns else context.loc[mask]
        when = context.loc[mask]
        rows = [f"row {i + 1}" for i in frame.index.get_indexer(hits.index)]
        parts.append(
            pd.DataFrame(
                {
                    "centre": hits["patient_id"].map(centres).astype("object"),
                    "patient_id": hits["patient_id"].astype("object"),
                    "table": rule.table,
                    "record": rows,
                    "field": field,
                    "value": [None if pd.isna(v) else v for v in values.tolist()],
                    "rule_id": rule.id,
                    "severity": rule.severity,
                    "message": [
                        _message(rule, v, w)
                        for v, w in zip(values.tolist(), when.tolist(), strict=True)
                    ],
                }
            )
        )
    if not parts:
        return QualityResult(pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS}))
    found = pd.DataFrame(
        {c: [v for part in parts for v in part[c].tolist()] for c in FINDING_COLUMNS},
        dtype="object",
    )
    found = found.sort_values(["centre", "patient_id", "table", "record", "rule_id"], kind="stable")
    return QualityResult(found.reset_index(drop=True))
