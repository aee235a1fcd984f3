"""REDCap flat records: write an exported cohort as a REDCap import file, and read one back.

The records match the clears REDCap data dictionary (:mod:`clears.instruments.redcap`): one
longitudinal project with the forms ``clasi``, ``sledai`` and the repeating form
``adverse_event``. Field names are the dictionary's (the item columns of the cohort
``visits`` table; ``ae_*`` for adverse events); CTCAE terms are written as their term keys
(``other`` plus ``ae_term_other`` for a term clears does not list), yes/no as ``1``/``0``,
dates as ``YYYY-MM-DD``.

Event naming (documented in ``docs/registry.md``):

* one row per visit, event ``visit_<n>_arm_1`` with ``n`` = 1, 2, ... the visit's rank by
  date within the patient; ``clasi_date`` holds the visit date when the visit has CLASI data
  or no SLEDAI data, ``sledai_date`` when it has SLEDAI data;
* one row per adverse event, event ``adverse_events_arm_1``, ``redcap_repeat_instrument``
  ``adverse_event`` and ``redcap_repeat_instance`` 1, 2, ... by onset date.

What REDCap does not hold is not written: treatments, flares, concomitant medications,
laboratory values, patient characteristics and the AE ``related``/``outcome`` columns. The
calculated text fields ``clasi_severity`` and ``sledai_selena`` are derived and left to
REDCap (and ignored when read back); the totals ``clasi_a``, ``clasi_d``, ``sledai`` are
written as a REDCap export does.

References
----------
.. [1] REDCap data import: longitudinal projects identify rows by ``redcap_event_name``;
   repeating instruments by ``redcap_repeat_instrument`` and ``redcap_repeat_instance``
   (REDCap Data Import Tool instructions).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from clears._cells import is_missing
from clears._exceptions import InputError, Problem
from clears._formula import neutralise_frame, restore_frame
from clears.cohort import REQUIRED_COLUMNS, Cohort, conform
from clears.cohort._csv import read_csv
from clears.instruments import clasi, ctcae, sledai
from clears.instruments.core_set import CORE_OUTCOMES
from clears.instruments.redcap import dictionary_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from clears.registry._actor import Actor
    from clears.registry.importer import ImportSummary

__all__ = [
    "AE_EVENT",
    "AE_FIELDS",
    "FILE_NAME",
    "KEY_COLUMNS",
    "import_redcap",
    "read_redcap",
    "redcap_columns",
    "redcap_records",
    "write_redcap",
]

#: The identifying columns of every REDCap flat record, first in the file.
KEY_COLUMNS: Final = (
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
)
#: Event of the repeating adverse-event form.
AE_EVENT: Final = "adverse_events_arm_1"
#: The file written into the export folder.
FILE_NAME: Final = "redcap_records.csv"
#: Cohort ``adverse_events`` column of each ``adverse_event`` field.
AE_FIELDS: Final = {
    "ae_onset_date": "onset_date",
    "ae_grade": "grade",
    "ae_serious": "serious",
    "ae_action": "action",
    "ae_end_date": "end_date",
}
_DERIVED: Final = frozenset({"record_id", "clasi_severity", "sledai_selena"})
_VISIT_EVENT: Final = re.compile(r"^visit_([1-9][0-9]*)_arm_1$")
_CLASI: Final = (*tuple(f.column for f in clasi.DEFINITION.fields), "clasi_a", "clasi_d")
_SLEDAI: Final = (*tuple(f.column for f in sledai.DEFINITION.fields), "sledai")
#: The core outcome set's items (REDCap form ``core_outcomes``), dated by ``clasi_date``.
_OUTCOMES: Final = tuple(f.column for d in CORE_OUTCOMES for f in d.fields)


def redcap_columns() -> tuple[str, ...]:
    """The columns of a clears REDCap flat file: the keys, then dictionary fields in order.

    Examples
    --------
    >>> columns = redcap_columns()
    >>> columns[:5], "clasi_severity" in columns
    (('record_id', 'redcap_event_name', 'redcap_repeat_instrument', 'redcap_repeat_instance', 'clasi_date'), False)
    """  # noqa: E501
    fields = [row["Variable / Field Name"] for row in dictionary_rows()]
    return KEY_COLUMNS + tuple(name for name in fields if name not in _DERIVED)


def _text(value: Any) -> str:
    """A cell as REDCap writes it: blank, ISO date, 1/0, whole numbers without ``.0``."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).removesuffix(".0") if isinstance(value, float) else str(value)


def _present(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    cols = [name for name in names if name in frame.columns]
    if not cols:
        return pd.Series(False, index=frame.index)
    return frame[cols].notna().any(axis=1)


def _visit_rows(visits: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = visits.sort_values(["patient_id", "visit_date"], kind="stable")
    out = pd.DataFrame(index=frame.index, columns=list(columns), dtype=object).fillna("")
    out["record_id"] = frame["patient_id"].astype(str)
    rank = frame.groupby("patient_id", sort=False).cumcount() + 1
    out["redcap_event_name"] = "visit_" + rank.astype(str) + "_arm_1"
    has_clasi, has_sledai = _present(frame, _CLASI), _present(frame, _SLEDAI)
    dates = frame["visit_date"].map(_text)
    out["clasi_date"] = dates.where(has_clasi | ~has_sledai, "")
    out["sledai_date"] = dates.where(has_sledai, "")
    for name in (*_CLASI, *_SLEDAI, *_OUTCOMES):
        if name in frame.columns:
            out[name] = frame[name].map(_text)
    return out


def _term_codes(terms: pd.Series) -> tuple[list[str], list[str]]:
    codes, others = [], []
    for term in terms.astype(str):
        try:
            codes.append(ctcae.find_term(term).key)
            others.append("")
        except InputError:
            codes.append("other")
            others.append(term)
    return codes, others


def _ae_rows(events: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = events.sort_values(["patient_id", "onset_date"], kind="stable")
    out = pd.DataFrame(index=frame.index, columns=list(columns), dtype=object).fillna("")
    out["record_id"] = frame["patient_id"].astype(str)
    out["redcap_event_name"] = AE_EVENT
    out["redcap_repeat_instrument"] = "adverse_event"
    out["redcap_repeat_instance"] = (frame.groupby("patient_id").cumcount() + 1).astype(str)
    out["ae_term"], out["ae_term_other"] = _term_codes(frame["term"])
    for field, name in AE_FIELDS.items():
        if name in frame.columns:
            out[field] = frame[name].map(_text)
    return out


def redcap_records(cohort: Cohort) -> pd.DataFrame:
    """The cohort's visits and adverse events as REDCap flat records (all cells text).

    Rows are grouped by patient (in ``patients`` order), visits first, then adverse events.
    """
    columns = redcap_columns()
    parts = [_visit_rows(cohort.visits, columns), _ae_rows(cohort.adverse_events, columns)]
    records = pd.concat(parts, ignore_index=True)
    order = {pid: i for i, pid in enumerate(cohort.patients["patient_id"].astype(str))}
    position = records["record_id"].map(order)
    kind = (records["redcap_repeat_instrument"] != "").astype(int)
    records = records.assign(_p=position, _k=kind).sort_values(["_p", "_k"], kind="stable")
    return records.drop(columns=["_p", "_k"]).reset_index(drop=True)


def write_redcap(cohort: Cohort, out: str | Path) -> Path:
    """Write :func:`redcap_records` to ``out/redcap_records.csv`` and return its path.

    Cells a spreadsheet would run as a formula are escaped
    (:func:`clears._formula.neutralise`); :func:`read_redcap` undoes the escape.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    neutralise_frame(redcap_records(cohort)).to_csv(path, index=False, lineterminator="\n")
    return path


def _blank_none(value: str) -> str | None:
    return value or None


def _column_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    known = set(redcap_columns()) | _DERIVED
    allowed = "the clears REDCap dictionary fields (see clears.instruments.redcap)"
    problems = [
        Problem(name, None, "is not a field of the clears REDCap dictionary", allowed, file)
        for name in frame.columns
        if name not in known and not name.endswith("_complete")
    ]
    problems += [
        Problem(name, None, "column is missing", "a REDCap flat export with this column", file)
        for name in KEY_COLUMNS[:2]
        if name not in frame.columns
    ]
    return problems


def _split(frame: pd.DataFrame, file: str) -> tuple[list[int], list[int], list[Problem]]:
    """Row positions of visit events and of adverse-event instances, and bad rows."""
    visits, events, problems = [], [], []
    instrument = frame.get("redcap_repeat_instrument", pd.Series("", index=frame.index))
    for i, (rid, event, repeat) in enumerate(
        zip(frame["record_id"], frame["redcap_event_name"], instrument, strict=True)
    ):
        if not rid:
            problems.append(Problem("record_id", rid, "is blank", "a patient_id", file, i + 1))
        if repeat == "adverse_event" and event == AE_EVENT:
            events.append(i)
        elif not repeat and _VISIT_EVENT.match(event):
            visits.append(i)
        else:
            problems.append(
                Problem(
                    "redcap_event_name",
                    f"{event}/{repeat}" if repeat else event,
                    "is not a clears event",
                    f"visit_<n>_arm_1 (no repeat instrument), or {AE_EVENT} with "
                    "repeat instrument adverse_event",
                    file,
                    i + 1,
                )
            )
    return visits, events, problems


def _visits(frame: pd.DataFrame, rows: list[int], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    part = frame.iloc[rows]
    clasi_date = part.get("clasi_date", pd.Series("", index=part.index))
    sledai_date = part.get("sledai_date", pd.Series("", index=part.index))
    problems = []
    for i, a, b in zip(rows, clasi_date, sledai_date, strict=True):
        if a and b and a != b:
            problems.append(
                Problem(
                    "sledai_date", b, f"differs from clasi_date {a}", "the same date", file, i + 1
                )
            )
        if not a and not b:
            problems.append(
                Problem("clasi_date", "", "is blank (and so is sledai_date)", "a date", file, i + 1)
            )
    out = pd.DataFrame(
        {
            "patient_id": part["record_id"],
            "visit_date": clasi_date.where(clasi_date != "", sledai_date),
        }
    )
    for name in (*_CLASI, *_SLEDAI, *_OUTCOMES):
        if name in part.columns and (part[name] != "").any():
            out[name] = part[name].map(_blank_none)
    return out.reset_index(drop=True), problems


def _events(frame: pd.DataFrame, rows: list[int], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    part = frame.iloc[rows]
    problems = []
    terms = []
    for i, code, other in zip(
        rows, part.get("ae_term", ""), part.get("ae_term_other", ""), strict=False
    ):
        if code == "other" and other:
            terms.append(other)
        elif code in ctcae.TERMS:
            terms.append(ctcae.TERMS[code].term)
        else:
            problems.append(
                Problem(
                    "ae_term",
                    code,
                    "is not a term code of the dictionary"
                    if code != "other"
                    else "needs ae_term_other",
                    ", ".join([*ctcae.TERMS, "other (with ae_term_other)"]),
                    file,
                    i + 1,
                )
            )
            terms.append(code)
    out = pd.DataFrame({"patient_id": part["record_id"].to_numpy(), "term": terms})
    for field, name in AE_FIELDS.items():
        if field in part.columns and (part[field] != "").any():
            out[name] = part[field].map(_blank_none).to_numpy()
    for name in REQUIRED_COLUMNS["adverse_events"]:
        if name not in out.columns:
            out[name] = None
    return out, problems


def read_redcap(
    source: str | Path | pd.DataFrame, *, centre: str, today: dt.date | None = None
) -> Cohort:
    """Read REDCap flat records (as written by :func:`write_redcap`) as a validated cohort.

    Every ``record_id`` becomes a patient of ``centre``; visits come from the visit events,
    adverse events from the ``adverse_event`` instances. Treatments and flares are empty.

    Raises
    ------
    InputError
        Every problem, each with the file, the 1-based data row of the REDCap file and the
        REDCap field name.
    """
    if isinstance(source, pd.DataFrame):
        frame, file = source.astype(str).replace({"nan": "", "<NA>": "", "None": ""}), "records"
    else:
        file = Path(source).name
        # The cohort's strict reader: a ragged row, a file that is not UTF-8 and the like
        # are one problem each, named with the line (not a shifted table, nor a codec error).
        read = read_csv(Path(source))
        if isinstance(read, list):
            raise InputError(read)
        frame = restore_frame(read)
    problems = _column_problems(frame, file)
    if problems:
        raise InputError(problems)
    frame = frame.reset_index(drop=True)
    visit_rows, event_rows, problems = _split(frame, file)
    visits, found = _visits(frame, visit_rows, file)
    problems += found
    events, found = _events(frame, event_rows, file)
    problems += found
    if problems:
        raise InputError(problems)
    ids = list(dict.fromkeys(frame["record_id"]))
    raw = {
        "patients": pd.DataFrame({"patient_id": ids, "centre": [centre] * len(ids)}),
        "treatments": pd.DataFrame(columns=list(REQUIRED_COLUMNS["treatments"])),
        "visits": visits,
        "adverse_events": events,
        "flares": pd.DataFrame(columns=list(REQUIRED_COLUMNS["flares"])),
    }
    origin = {"visits": visit_rows, "adverse_events": event_rows}
    try:
        return conform(
            Cohort(
                **raw, source=str(source) if not isinstance(source, pd.DataFrame) else "records"
            ),
            today=today,
        )
    except InputError as exc:
        raise InputError([_located(p, origin, file) for p in exc.problems]) from None


def _located(problem: Problem, origin: dict[str, list[int]], file: str) -> Problem:
    """A cohort problem restated with the REDCap file, row and field name."""
    table = problem.file or ""
    fields = {"visit_date": "clasi_date", "term": "ae_term"} | {v: k for k, v in AE_FIELDS.items()}
    row = problem.row
    if table in origin and row is not None:
        row = origin[table][row - 1] + 1
    field = fields.get(problem.field, problem.field) if table in origin else problem.field
    return Problem(field, problem.value, problem.message, problem.allowed, file, row)


def import_redcap(
    source: str | Path,
    *,
    centre: str,
    actor: Actor,
    url: str | None = None,
    session: Session | None = None,
    today: dt.date | None = None,
) -> ImportSummary:
    """Read a REDCap flat export and import it into the registry, all or nothing.

    Every problem of the file (row and REDCap field) is listed before anything is written;
    then :func:`clears.registry.importer.import_cohort` writes it in one transaction (a
    patient already registered is refused the same way).
    """
    from clears.registry.importer import import_cohort

    cohort = read_redcap(source, centre=centre, today=today)
    return import_cohort(cohort, actor=actor, url=url, session=session, today=today)
