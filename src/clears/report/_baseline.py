"""Table 1 of the report: the treated patients at the first dose, as the papers print it.

The rows follow Aitmehdi 2021 Table 1 (seed ``000``: female sex, age, active smoking, body
mass index, phototype V-VI, CLE subtypes, SLE and its baseline SLEDAI, antiphospholipid
syndrome, baseline CLASI-A and its severity band, previous systemic lines and thalidomide,
treatments given with the drug), plus exposure; a row is printed only when its column holds
a value. The numbers come from :func:`clears.analysis.table_one`; this module only derives
the patient-level columns it describes.

References
----------
Aitmehdi R, et al. Long-term efficacy and safety outcomes of lenalidomide for cutaneous lupus
erythematosus: a multicenter retrospective observational study of 40 patients. J Am Acad
Dermatol 2021;84(4):1171-1174. doi:10.1016/j.jaad.2020.11.010 (Table 1 layout).
Klein R, et al. Development of the CLASI as a tool to measure the response to therapy in
cutaneous lupus erythematosus. Arch Dermatol 2011;147(2):203-8.
doi:10.1001/archdermatol.2010.435 (severity bands mild 0-9, moderate 10-20, severe 21-70).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

from clears._cells import is_missing
from clears.cohort import Cohort
from clears.instruments.clasi import SEVERITY_BANDS
from clears.report._model import ReportTable, Section
from clears.report._sections import Log, first_preset

if TYPE_CHECKING:
    from clears.analysis import TableOne

__all__ = ["TABLE_ONE_ROWS", "cohort_section", "table_one_data", "table_one_result"]

_Summary = Literal["median_range", "median_iqr", "mean_sd"]

#: Table 1 rows in display order: (column of :func:`table_one_data`, label, summary).
#: ``None`` marks a categorical row (a true/false column prints its ``True`` count only).
TABLE_ONE_ROWS: Final[tuple[tuple[str, str, _Summary | None], ...]] = (
    ("female", "Female sex", None),
    ("age_at_index", "Age at first dose, years", "median_range"),
    ("active_smoking", "Active smoking", None),
    ("bmi", "Body mass index, kg/m²", "median_range"),
    ("phototype_v_vi", "Fitzpatrick phototype V or VI", None),
    ("cle_subtype_set", "CLE subtypes", None),
    ("sle", "Systemic lupus erythematosus", None),
    ("baseline_sledai_sle", "SLEDAI-2K at baseline, patients with SLE", "median_range"),
    ("aps", "Antiphospholipid syndrome", None),
    ("baseline_clasi_a", "CLASI-A at first dose", "median_range"),
    ("baseline_severity", "CLASI-A severity (Klein 2011)", None),
    ("prior_systemic_lines", "Previous lines of systemic treatment", "median_range"),
    ("prior_thalidomide", "Previous thalidomide", None),
    ("exposure_patient_years", "Exposure, patient-years", "median_iqr"),
)

#: Decimals of the continuous rows (others: whole numbers, as Aitmehdi 2021 prints them).
_DECIMALS: Final = {"bmi": 1, "exposure_patient_years": 1}
_CONCOMITANT: Final = "concomitant_"


def _flag(values: pd.Series, true_if: pd.Series) -> pd.Series:
    """``true_if`` as a nullable boolean, missing where ``values`` is missing."""
    flags: pd.Series = true_if.astype("boolean").mask(values.isna())
    return flags


def _subtype_set(text: object) -> object:
    if is_missing(text):
        return pd.NA
    parts = sorted({p.strip() for p in str(text).split(";") if p.strip()})
    return " + ".join(parts) if parts else pd.NA


def _baseline_sledai(cohort: Cohort, rows: pd.DataFrame) -> pd.Series:
    """SLEDAI-2K of the baseline visit (the visit of ``baseline_date``), per row of ``rows``."""
    visits = cohort.visits
    if "sledai" not in visits or "baseline_date" not in rows:
        return pd.Series(pd.NA, index=rows.index, dtype="Float64")
    at = visits.dropna(subset=["sledai"]).drop_duplicates(["patient_id", "visit_date"])
    key = rows[["patient_id", "baseline_date"]].rename(columns={"baseline_date": "visit_date"})
    found = key.merge(at[["patient_id", "visit_date", "sledai"]], how="left")
    return pd.Series(found["sledai"].to_numpy(), index=rows.index).astype("Float64")


def table_one_data(cohort: Cohort, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per treated patient with the columns Table 1 describes.

    ``patients`` columns are kept; added: ``age_at_index`` (year of the first dose minus
    ``birth_year``), ``female``, ``active_smoking`` (``smoking == "current"``),
    ``phototype_v_vi``, ``cle_subtype_set`` (the recorded subtypes, sorted, joined by
    `` + ``; categories by frequency), ``baseline_sledai_sle`` (SLEDAI-2K of the baseline
    visit, patients with SLE only), and from ``outcomes`` ``index_date``, ``baseline_date``,
    ``baseline_clasi_a``, ``baseline_severity`` (ordered mild < moderate < severe) and
    ``exposure_patient_years``. Neither input is modified.
    """
    wanted = ["patient_id", "index_date", "baseline_date", "baseline_clasi_a",
              "baseline_severity", "exposure_patient_years"]  # fmt: skip
    rows = first_preset(outcomes)[[c for c in wanted if c in outcomes]]
    frame = rows.merge(cohort.patients, on="patient_id", how="left").copy()
    if "birth_year" in frame:
        frame["age_at_index"] = frame["index_date"].dt.year - frame["birth_year"].astype("Float64")
    if "sex" in frame:
        frame["female"] = _flag(frame["sex"], frame["sex"].astype("string").eq("female"))
    if "smoking" in frame:
        frame["active_smoking"] = _flag(
            frame["smoking"], frame["smoking"].astype("string").eq("current")
        )
    if "phototype" in frame:
        phototype = pd.to_numeric(frame["phototype"], errors="coerce")
        frame["phototype_v_vi"] = _flag(phototype, phototype.ge(5))
    if "cle_subtypes" in frame:
        sets = frame["cle_subtypes"].map(_subtype_set).astype("string")
        counts = sets.value_counts()
        order = sorted(counts.index, key=lambda s: (-int(counts[s]), str(s)))
        frame["cle_subtype_set"] = pd.Categorical(sets, categories=order)
    if "sle" in frame:
        sledai = _baseline_sledai(cohort, frame)
        frame["baseline_sledai_sle"] = sledai.where(frame["sle"].astype("boolean").eq(True))
    if "baseline_severity" in frame:
        frame["baseline_severity"] = pd.Categorical(
            frame["baseline_severity"], categories=[band.name for band in SEVERITY_BANDS]
        )
    return frame


def _rows(frame: pd.DataFrame) -> list[tuple[str, str, _Summary | None]]:
    rows = list(TABLE_ONE_ROWS)
    at = next(i for i, r in enumerate(rows) if r[0] == "exposure_patient_years")
    extra = [
        (c, c.removeprefix(_CONCOMITANT).replace("_", " ").capitalize() + " with the drug", None)
        for c in frame.columns
        if c.startswith(_CONCOMITANT)
    ]
    rows[at:at] = extra
    return [r for r in rows if r[0] in frame and frame[r[0]].notna().any()]


def table_one_result(frame: pd.DataFrame) -> TableOne:
    """:func:`clears.analysis.table_one` over the rows of :data:`TABLE_ONE_ROWS` present.

    Concomitant-treatment columns (``concomitant_*``, as the simulator writes them) are
    added before exposure. No group, tests or SMDs (one arm); missing counts are shown.
    """
    from clears.analysis import table_one

    rows = _rows(frame)
    return table_one(
        frame,
        variables=[r[0] for r in rows],
        categorical=[r[0] for r in rows if r[2] is None],
        continuous={r[0]: r[2] for r in rows if r[2] is not None},
        labels={r[0]: r[1] for r in rows},
        decimals={r[0]: _DECIMALS.get(r[0], 0) for r in rows},
        tests=False,
        smd=False,
    )


def cohort_section(cohort: Cohort, outcomes: pd.DataFrame, log: Log) -> Section:
    """Table 1: demographics, history and baseline disease of the treated patients."""
    frame = table_one_data(cohort, outcomes)
    t1 = log.run("Table 1", lambda: table_one_result(frame))
    log.method("Table 1", " ".join(t1.footnotes[:2]))
    years = float(frame["exposure_patient_years"].sum())
    centres = frame["centre"].nunique() if "centre" in frame else 0
    text = (
        f"{len(frame)} patients from {centres} centre(s) received {outcomes['drug'].iloc[0]}; "
        f"total exposure {years:.1f} patient-years.",
    )
    table = ReportTable(
        "table1", "Table 1. Patients at the first dose", t1.to_frame(), t1.footnotes
    )
    return Section("cohort", "Patients", text, (table,))
