"""De-identify an exported cohort before it is written in any format.

Three steps, applied to every table of the cohort (see ``docs/registry.md``, "De-identified
exports"):

1. **Columns dropped**: every column the cohort schema does not know (extra columns are free
   text, e.g. a ``comment`` or a ``referral_route``) and the known free-text columns listed
   in :data:`FREE_TEXT_DROPPED`. Coded values, numbers and dates stay. Site-defined fields
   (``site_fields``, :class:`clears.cohort.SiteFields`) are kept when they are numbers,
   whole numbers, dates (shifted as in step 3), choices or yes/no; ``text`` ones are free
   text and dropped, as are the values of fields no longer declared.
2. **Pseudonyms replaced**: ``patient_id`` becomes ``SHA-256(salt ‖ 0x1F ‖ patient_id)`` in
   hexadecimal. The salt is given (``--salt``) or drawn with :mod:`secrets`; it is never
   written into the export, so without it the hashes cannot be linked back to the registry.
3. **Dates shifted**: all the dates of one patient move by one offset drawn uniformly from
   :data:`OFFSET_DAYS` with a :class:`numpy.random.Generator`, so intervals within a patient
   (time to response, exposure, AE onset after start) are exactly preserved while calendar
   dates are not. ``birth_year`` is kept as a year (the HIPAA Safe Harbor method allows the
   year of birth; an age above 89 is the exception, and is capped at 90 years before the
   patient's first shifted date year).

References
----------
.. [1] U.S. Department of Health and Human Services. Guidance regarding methods for
   de-identification of protected health information in accordance with the HIPAA Privacy
   Rule (Safe Harbor, 45 CFR 164.514(b)(2)), 2012.
.. [2] Hripcsak G, et al. Preserving temporal relations in clinical data while maintaining
   privacy. J Am Med Inform Assoc 2016;23(6):1040-5. doi:10.1093/jamia/ocw001 (per-patient
   date shifting).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from clears.cohort import DATE_COLUMNS, SCHEMA, TABLES, Cohort, Kind, SiteFields
from clears.registry._models import item_fields

__all__ = [
    "FREE_TEXT_DROPPED",
    "METHOD",
    "OFFSET_DAYS",
    "Deidentified",
    "deidentify",
    "pseudonym",
]

#: Inclusive range of the per-patient date offset, in days (always earlier, never zero).
OFFSET_DAYS: Final = (-364, -1)

#: Known text columns that are free text and are dropped (the others are kept: ``centre``
#: is a site code and ``term`` a CTCAE term).
FREE_TEXT_DROPPED: Final = tuple(
    column.name
    for table in TABLES
    for column in SCHEMA[table]
    if column.kind is Kind.text and column.name not in ("patient_id", "centre", "term")
)

#: Oldest age kept as such (Safe Harbor: ages over 89 are aggregated as 90 or older).
_MAX_AGE: Final = 90

#: Name of the method, written with every de-identified export.
METHOD: Final = (
    "clears de-identification v1: extra and free-text columns dropped; patient_id replaced "
    "by salted SHA-256; dates shifted per patient by one offset in -364..-1 days; "
    "birth_year capped at 90 years of age (HIPAA Safe Harbor)"
)


@dataclass(frozen=True, slots=True)
class Deidentified:
    """A de-identified cohort and what was done to it (the salt is deliberately absent)."""

    cohort: Cohort
    dropped: dict[str, tuple[str, ...]]
    method: str = METHOD


def pseudonym(patient_id: str, salt: str) -> str:
    """The de-identified identifier of ``patient_id``: SHA-256 of salt, 0x1F, id (hex).

    Examples
    --------
    >>> import hashlib
    >>> pseudonym("P01", "s") == hashlib.sha256(b"s\\x1fP01").hexdigest()
    True
    """
    return hashlib.sha256(f"{salt}\x1f{patient_id}".encode()).hexdigest()


def _kept_columns(
    table: str, frame: pd.DataFrame, site: SiteFields
) -> tuple[list[str], tuple[str, ...]]:
    known = {column.name for column in SCHEMA[table]}
    if table == "visits":
        known |= {field.column for field in item_fields()}
    known |= {f.name for f in site.of(table) if f.column.kind is not Kind.text}
    keep = [name for name in frame.columns if name in known and name not in FREE_TEXT_DROPPED]
    dropped = tuple(name for name in frame.columns if name not in keep)
    return keep, dropped


def deidentify(
    cohort: Cohort,
    *,
    rng: np.random.Generator,
    salt: str | None = None,
    site_fields: SiteFields | None = None,
) -> Deidentified:
    """Return a de-identified copy of ``cohort`` (the input is not changed).

    Parameters
    ----------
    cohort
        An exported (validated) cohort.
    rng
        Draws the per-patient date offsets; seed it per export.
    salt
        Secret mixed into the identifier hashes; default: 32 random bytes from
        :mod:`secrets`, forgotten after the call.
    site_fields
        The declared site-defined fields: those that are not free text are kept, their
        dates shifted (default: none, every site column is dropped).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clears.cohort import Cohort
    >>> empty = {c: pd.DataFrame(columns=["patient_id"]) for c in
    ...          ("treatments", "adverse_events", "flares")}
    >>> cohort = Cohort(
    ...     patients=pd.DataFrame({"patient_id": ["P1"], "centre": ["BCN"], "note": ["x"]}),
    ...     visits=pd.DataFrame({"patient_id": ["P1", "P1"],
    ...                          "visit_date": pd.to_datetime(["2020-01-01", "2020-03-01"])}),
    ...     **empty)
    >>> out = deidentify(cohort, rng=np.random.default_rng(1), salt="s").cohort
    >>> out.patients.columns.tolist()
    ['patient_id', 'centre']
    >>> int(out.visits["visit_date"].diff().iloc[1].days)  # 31 + 29 days (2020 is a leap year)
    60
    """
    secret = salt if salt is not None else secrets.token_hex(32)
    ids = cohort.patients["patient_id"].astype(str)
    low, high = OFFSET_DAYS
    offsets = pd.Series(rng.integers(low, high + 1, len(ids)), index=ids.to_numpy(), dtype="int64")
    mapping = {pid: pseudonym(pid, secret) for pid in ids}
    frames: dict[str, pd.DataFrame] = {}
    dropped: dict[str, tuple[str, ...]] = {}
    site = site_fields or SiteFields()
    for table in TABLES:
        frame = cohort.table(table)
        keep, dropped[table] = _kept_columns(table, frame, site)
        out = frame[keep].copy()
        owners = frame["patient_id"].astype(str)
        shift = pd.to_timedelta(owners.map(offsets).fillna(0).to_numpy(), unit="D")
        site_dates = [f.name for f in site.of(table) if f.column.kind is Kind.date]
        for name in (*DATE_COLUMNS[table], *site_dates):
            if name in out.columns:
                out[name] = pd.to_datetime(out[name]) + shift
        out["patient_id"] = owners.map(mapping).astype(out["patient_id"].dtype)
        frames[table] = out
    frames["patients"] = _cap_birth_year(frames["patients"], frames)
    source = f"{cohort.source} (de-identified)" if cohort.source else "de-identified"
    return Deidentified(Cohort(**frames, source=source), dropped)


def _cap_birth_year(patients: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Birth years more than 90 years before the patient's first date become that year."""
    if "birth_year" not in patients.columns:
        return patients
    firsts = [
        frame.groupby("patient_id")[name].min()
        for table, frame in frames.items()
        for name in DATE_COLUMNS[table]
        if name in frame.columns and len(frame)
    ]
    if not firsts:
        return patients
    first = pd.concat(firsts, axis=1).min(axis=1)
    floor = patients["patient_id"].map(first.dt.year - _MAX_AGE)
    out = patients.copy()
    years = out["birth_year"]
    capped = years.where(~(years < floor), floor)
    out["birth_year"] = capped.astype(years.dtype)
    return out
