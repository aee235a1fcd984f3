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
Gladman DD, Ibañez D, Urowitz MB. Systemic lupus erythematosus disease activity index 2000.
J Rheumatol 2002;29(2):288-291 (SLEDAI-2K, the cohort's ``sledai`` total).
Petri M, et al. Combined oral contraceptives in women with systemic lupus erythematosus.
N Engl J Med 2005;353:2550-2558 (SELENA-SLEDAI, the variant Aitmehdi 2021 Table 1 reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

from clears._cells import is_missing
from clears.cohort import Cohort
from clears.instruments.clasi import SEVERITY_BANDS
from clears.report._labels import severity_label
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
    ("baseline_selena_sle", "SELENA-SLEDAI at baseline, patients with SLE", "median_range"),
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


def _baseline_visits(cohort: Cohort, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the baseline visit (the visit of ``baseline_date``), per row of ``rows``."""
    visits = cohort.visits
    at = visits.dropna(subset=columns, how="all").drop_duplicates(["patient_id", "visit_date"])
    key = rows[["patient_id", "baseline_date"]].rename(columns={"baseline_date": "visit_date"})
    found = key.merge(at[["patient_id", "visit_date", *columns]], how="left")
    return found.set_axis(rows.index)


def _baseline_sledai(cohort: Cohort, rows: pd.DataFrame) -> pd.Series:
    """SLEDAI-2K of the baseline visit (the visits' ``sledai`` total), per row of ``rows``.

    The cohort's ``sledai`` column is the SLEDAI-2K total (docs/cohort-tables.md; derived
    from the descriptors with Gladman 2002's rule when they are all given).
    """
    if "sledai" not in cohort.visits or "baseline_date" not in rows:
        return pd.Series(pd.NA, index=rows.index, dtype="Float64")
    found = _baseline_visits(cohort, rows, ["sledai"])
    return found["sledai"].astype("Float64")


def _baseline_selena(cohort: Cohort, rows: pd.DataFrame) -> pd.Series:
    """SELENA-SLEDAI of the baseline visit, scored from its 24 recorded descriptors.

    SELENA-SLEDAI (Petri 2005) counts rash, alopecia, mucosal ulcers and proteinuria only
    when new or recurrent (code 2), so it can be scored only from descriptors that record
    the onset: a visit with a descriptor missing, or an onset descriptor coded 1 (present,
    onset not recorded), has no SELENA-SLEDAI and counts as missing. Scored by
    :func:`clears.instruments.sledai.score_frame` with ``variant="selena"``.
    """
    from clears.instruments.sledai import DEFINITION, ONSET_DESCRIPTORS, score_frame

    columns = list(DEFINITION.columns)
    missing = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    if "baseline_date" not in rows or not set(columns) <= set(cohort.visits.columns):
        return missing
    found = _baseline_visits(cohort, rows, columns)[columns]
    codes = found.apply(pd.to_numeric, errors="coerce")
    onset = [f.column for f in DEFINITION.fields if f.path in ONSET_DESCRIPTORS]
    scorable = codes.notna().all(axis=1) & ~codes[onset].eq(1).any(axis=1)
    if not scorable.any():
        return missing
    scores = score_frame(codes[scorable].astype("int64"), variant="selena")
    return scores.reindex(rows.index).astype("Float64")


def _boolean_text(values: pd.Series) -> pd.Series:
    """A column of true/false words (a CSV folder's extra column) as a boolean column.

    Extra columns of a cohort folder are read as text, so a simulated cohort written to CSV
    gives ``"true"``/``"false"`` where the simulator held booleans; read with the cohort's
    own spellings (true/false, yes/no, 1/0, any case; blank is missing) they count as the
    booleans they were. A column holding anything else is returned unchanged.
    """
    from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE

    if pd.api.types.is_bool_dtype(values.dtype) or values.isna().all():
        return values
    text = values.astype("string").str.strip().str.lower().mask(lambda t: t == "")
    known = text.isin(BOOLEAN_TRUE | BOOLEAN_FALSE)
    if not bool((known | text.isna()).all()):
        return values
    flags: pd.Series = text.isin(BOOLEAN_TRUE).astype("boolean").mask(text.isna())
    return flags


def table_one_data(cohort: Cohort, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per treated patient with the columns Table 1 describes.

    ``patients`` columns are kept; added: ``age_at_index`` (year of the first dose minus
    ``birth_year``), ``female``, ``active_smoking`` (``smoking == "current"``),
    ``phototype_v_vi``, ``cle_subtype_set`` (the recorded subtypes, sorted, joined by
    `` + ``; categories by frequency), ``baseline_sledai_sle`` (SLEDAI-2K of the baseline
    visit, patients with SLE only), ``baseline_selena_sle`` (SELENA-SLEDAI scored from the
    baseline visit's descriptors when they record the onset, patients with SLE only), and
    from ``outcomes`` ``index_date``, ``baseline_date``, ``baseline_clasi_a``,
    ``baseline_severity`` (labelled with its range, ordered mild < moderate < severe) and
    ``exposure_patient_years``. ``concomitant_*`` columns of true/false words (a CSV
    folder's extra columns) become booleans. Neither input is modified.
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
        with_sle = frame["sle"].astype("boolean").eq(True)
        frame["baseline_sledai_sle"] = _baseline_sledai(cohort, frame).where(with_sle)
        frame["baseline_selena_sle"] = _baseline_selena(cohort, frame).where(with_sle)
    if "baseline_severity" in frame:
        frame["baseline_severity"] = pd.Categorical(
            frame["baseline_severity"].map(severity_label, na_action="ignore"),
            categories=[severity_label(band.name) for band in SEVERITY_BANDS],
        )
    for column in [c for c in frame.columns if c.startswith(_CONCOMITANT)]:
        frame[column] = _boolean_text(frame[column])
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
    notes = list(t1.footnotes)
    if frame.get("baseline_selena_sle", pd.Series(dtype="Float64")).notna().any():
        notes.append(
            "SLEDAI-2K (Gladman 2002) is the visits' recorded total; SELENA-SLEDAI (Petri "
            "2005), which Aitmehdi 2021 reports, is scored from the same visit's descriptors "
            "and counts rash, alopecia, mucosal ulcers and proteinuria only when new or "
            "recurrent."
        )
    elif frame.get("baseline_sledai_sle", pd.Series(dtype="Float64")).notna().any():
        notes.append(
            "SLEDAI-2K (Gladman 2002) is the visits' recorded total. SELENA-SLEDAI, which "
            "Aitmehdi 2021 reports, needs every descriptor with its onset (new or "
            "persistent) recorded, which these visits do not hold."
        )
    table = ReportTable(
        "table1", "Table 1. Patients at the first dose", t1.to_frame(), tuple(notes), "Table 1"
    )
    return Section("cohort", "Patients", text, (table,))
