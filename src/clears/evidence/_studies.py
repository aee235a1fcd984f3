"""The bundled table of published lenalidomide and thalidomide series in CLE.

``clears/data/studies.csv`` holds one row per study and drug, compiled from the seed papers
and public abstracts (their figures: ``docs/reference/published-figures.md``). Every row carries its
``source`` (DOI/PMID/URL); counts that are plain arithmetic on published numbers are listed
in ``derived_counts``; internal inconsistencies of a report are in ``inconsistencies``.
Cohort overlaps share an ``overlap_group``; a row with ``pool_default = no`` is left out of
pooling unless asked for, with its ``exclusion_reason``. Nothing is imputed: a blank count
is "not reported".
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pandas as pd

from clears._exceptions import InputError, Problem
from clears._json_input import MAX_SAFE_INTEGER, short_text
from clears.evidence._validate import validate_counts

__all__ = ["COUNT_COLUMNS", "OUTCOMES", "REQUIRED_COLUMNS", "pooling_table", "studies"]

REQUIRED_COLUMNS = ("study_id", "drug", "n_treated", "n_evaluable", "source")
COUNT_COLUMNS = (
    "n_treated",
    "n_evaluable",
    "n_cr",
    "n_pr",
    "n_any_response",
    "relapse_n",
    "relapse_denominator",
    "ae_discontinuation_n",
    "thrombosis_n",
    "neuropathy_n",
    "sle_flare_n",
)
OUTCOMES = {
    "cr": "n_cr",
    "any": "n_any_response",
    "ae_withdrawal": "ae_discontinuation_n",
    "neuropathy": "neuropathy_n",
    "thrombosis": "thrombosis_n",
    "relapse": "relapse_n",
}
"""Outcome codes: complete response, any response (partial or better), withdrawal for
adverse events, peripheral neuropathy, thrombosis (each over the evaluable patients,
``n_treated`` when ``n_evaluable`` is not reported) and relapse (over
``relapse_denominator``, the patients at risk as each paper reports them). A study that
does not report an outcome is left out for it, never counted as zero; these are the
outcomes Chasset et al. (2018, J Am Acad Dermatol 78:342-350, doi:10.1016/j.jaad.2017.09.059)
pooled for thalidomide."""

_DRUGS = ("lenalidomide", "thalidomide")


def _read(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<table>"
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False), str(source)
    except FileNotFoundError:
        raise InputError(Problem("FILE", str(source), "no such file")) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(Problem("FILE", str(source), f"not a readable CSV: {exc}")) from None
    except OSError as exc:
        raise InputError(Problem("FILE", str(source), f"cannot be read: {exc.strerror}")) from None


def _check(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(c, None, "column is missing", ", ".join(REQUIRED_COLUMNS), name)
                for c in missing
            ]
        )
    problems: list[Problem] = []
    out = frame.copy()
    for col in COUNT_COLUMNS:
        if col not in out.columns:
            out[col] = ""
        values: list[object] = []
        for row, raw in enumerate(out[col].astype(str), start=1):
            text = raw.strip()
            if text in ("", "nan", "<NA>"):
                values.append(pd.NA)
            elif text.isascii() and text.isdigit() and len(text) > len(str(MAX_SAFE_INTEGER)):
                problems.append(
                    Problem(col, short_text(raw), "number out of range",
                            f"blank or integer from 0 to {MAX_SAFE_INTEGER}", name, row)
                )  # fmt: skip
                values.append(pd.NA)
            elif text.isascii() and text.isdigit() and int(text) <= MAX_SAFE_INTEGER:
                values.append(int(text))
            elif text.isascii() and text.isdigit():
                problems.append(
                    Problem(col, raw, "number out of range",
                            f"blank or integer from 0 to {MAX_SAFE_INTEGER}", name, row)
                )  # fmt: skip
                values.append(pd.NA)
            else:
                problems.append(Problem(col, raw, "not a count", "blank or integer ≥ 0", name, row))
                values.append(pd.NA)
        out[col] = pd.Series(values, index=out.index, dtype="Int64")
    for row, drug in enumerate(out["drug"], start=1):
        if str(drug) not in _DRUGS:
            problems.append(Problem("drug", drug, "unknown drug", ", ".join(_DRUGS), name, row))
    for row, sid in enumerate(out["study_id"], start=1):
        if not str(sid).strip():
            problems.append(Problem("study_id", sid, "missing", "a unique identifier", name, row))
    dups = out.duplicated(subset=["study_id", "drug"], keep=False)
    for row in [i + 1 for i, d in enumerate(dups) if d]:
        problems.append(
            Problem("study_id", out["study_id"].iloc[row - 1], "duplicated with the same drug",
                    "one row per study and drug", name, row)
        )  # fmt: skip
    if problems:
        raise InputError(problems)
    for col in ("overlap_group", "exclusion_reason", "inconsistencies", "derived_counts"):
        if col not in out.columns:
            out[col] = ""
    if "pool_default" not in out.columns:
        out["pool_default"] = "yes"
    return out


def studies(extra: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the bundled study table, optionally with the user's own rows appended.

    Parameters
    ----------
    extra
        A CSV path or DataFrame in the same format (at least ``study_id, drug, n_treated,
        n_evaluable, source``; the count columns listed in :data:`COUNT_COLUMNS`). Added
        rows are marked ``origin = "user"``.

    Returns
    -------
    pandas.DataFrame
        Counts as nullable integers (blank = not reported); ``origin`` is ``bundled`` or
        ``user``.

    Raises
    ------
    InputError
        Missing columns, non-integer counts, unknown drugs, duplicated study/drug rows.

    Examples
    --------
    >>> table = studies()
    >>> int(table.loc[table["study_id"] == "cortes2012", "n_cr"].iloc[0])
    12
    """
    path = resources.files("clears").joinpath("data/studies.csv")
    with resources.as_file(path) as real:
        raw = pd.read_csv(real, dtype=str, keep_default_na=False)
    raw["origin"] = "bundled"
    if extra is None:
        return _check(raw, "studies.csv")
    frame, name = _read(extra)
    _check(frame, name)
    user = frame.astype(str).replace({"nan": "", "<NA>": "", "None": ""})
    user["origin"] = "user"
    combined = pd.concat([raw, user], ignore_index=True)
    combined = combined.astype(str).replace({"nan": ""})
    return _check(combined, name)


def pooling_table(
    outcome: str,
    *,
    table: pd.DataFrame | None = None,
    include: Iterable[str] = (),
    drugs: Iterable[str] = _DRUGS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the study table into rows to pool for ``outcome`` and rows left out, with why.

    Parameters
    ----------
    outcome
        A code of :data:`OUTCOMES` (``cr``, ``any``, ``ae_withdrawal``, ``neuropathy``,
        ``thrombosis``, ``relapse``).
    table
        A table from :func:`studies` (default: the bundled one).
    include
        ``study_id`` values to pool even though ``pool_default`` is ``no``.
    drugs
        Drugs to keep.

    Returns
    -------
    (included, excluded)
        ``included`` has ``study, events, n, drug, population, denominator``;
        ``excluded`` has ``study, drug, reason``.

    >>> inc, exc = pooling_table("cr")
    >>> "okon_52wk" in set(exc["study"])
    True
    """
    if outcome not in OUTCOMES:
        raise InputError(Problem("outcome", outcome, "unknown outcome", ", ".join(OUTCOMES)))
    tab = studies() if table is None else table
    forced = set(include)
    unknown = forced - set(tab["study_id"])
    if unknown:
        raise InputError(
            [Problem("include", u, "no such study_id", "a study_id of the table") for u in unknown]
        )
    keep_drugs = set(drugs)
    col = OUTCOMES[outcome]
    included, excluded = [], []
    for _, row in tab.iterrows():
        sid, drug = str(row["study_id"]), str(row["drug"])
        if drug not in keep_drugs:
            continue
        if str(row["pool_default"]).strip().lower() == "no" and sid not in forced:
            excluded.append({"study": sid, "drug": drug, "reason": str(row["exclusion_reason"])})
            continue
        denominator = "n_evaluable"
        size = row["n_evaluable"]
        if outcome == "relapse":
            size, denominator = row["relapse_denominator"], "relapse_denominator"
        elif pd.isna(size):
            size, denominator = row["n_treated"], "n_treated (n_evaluable not reported)"
        if pd.isna(row[col]) or pd.isna(size):
            missing = col if pd.isna(row[col]) else denominator
            excluded.append({"study": sid, "drug": drug, "reason": f"{missing} not reported"})
            continue
        included.append(
            {
                "study": sid,
                "events": int(row[col]),
                "n": int(size),
                "drug": drug,
                "population": str(row.get("population", "")),
                "denominator": denominator,
            }
        )
    inc = pd.DataFrame(
        included, columns=["study", "events", "n", "drug", "population", "denominator"]
    )
    if len(inc):
        validate_counts(inc, study="study", events="events", n="n", groups=("drug",))
    return inc, pd.DataFrame(excluded, columns=["study", "drug", "reason"])
