"""The cohort-table schema as data: every known column, its type, unit and allowed values.

The required columns come from :data:`clears.cohort.REQUIRED_COLUMNS` (docs/cohort-tables.md,
the v1 contract); this module adds the known optional columns, the enumerations and the
plausibility ranges. Ranges are *plausibility* limits in the canonical unit of each quantity
(cells ×10⁹/L, g/dL, g/L, mL/min, mg/day): they exist to catch unit mix-ups (platelets given
per µL, haemoglobin in g/L) and typing errors, not to define normal values. Columns not listed
here are kept as they are (text when read from CSV).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from clears.cohort._ids import ID_ALLOWED, ID_MAX_LENGTH
from clears.cohort._medications import DOSE_UNITS, INDICATIONS, MEDICATIONS

__all__ = [
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "CODE_MAX_LENGTH",
    "DOSE_MAXIMUM",
    "MAX_LENGTH",
    "REPRODUCTIVE_POTENTIAL_BASES",
    "SCHEMA",
    "TEXT_MAX_LENGTH",
    "Column",
    "Kind",
    "schema_of",
]


class Kind(StrEnum):
    """How the values of a column are parsed and checked."""

    text = "text"  # free text; required ones must not be blank
    identifier = "identifier"  # a record identifier from the safe alphabet (``_ids``)
    date = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    boolean = "boolean"  # true/false, yes/no, 1/0 (any case); blank is missing
    integer = "integer"  # whole number within [minimum, maximum]
    number = "number"  # real number within [minimum, maximum]
    choice = "choice"  # one of ``values`` (any case; spaces and hyphens read as "_")
    choices = "choices"  # ';'-separated list of ``values``


#: Longest value of a text-like column by kind, in characters (the registry stores text in
#: ``VARCHAR(200)`` and codes in ``VARCHAR(64)``; PostgreSQL refuses longer values, so they
#: are refused at validation, naming the column, the length and the limit).
TEXT_MAX_LENGTH: Final = 200
CODE_MAX_LENGTH: Final = ID_MAX_LENGTH
MAX_LENGTH: Final = MappingProxyType(
    {
        Kind.text: TEXT_MAX_LENGTH,
        Kind.identifier: ID_MAX_LENGTH,
        Kind.choice: CODE_MAX_LENGTH,
        Kind.choices: TEXT_MAX_LENGTH,
    }
)


@dataclass(frozen=True, slots=True)
class Column:
    """One known column of a cohort table.

    Parameters
    ----------
    name
        Column name, exactly as in the file header.
    kind
        How values are parsed and checked.
    description
        What the column holds, for the schema documentation.
    unit
        Canonical unit of a numeric column ("" when dimensionless).
    minimum, maximum
        Inclusive plausibility range of a numeric column.
    options
        Allowed values of a ``choice``/``choices`` column, in their canonical spelling.
    source
        Where the allowed values or the range come from.
    max_length
        Longest value, in characters, of a text-like column (text, identifier, choice,
        choices); by default :data:`MAX_LENGTH` of its kind, ``None`` for other kinds. It is
        the one limit: validation refuses a longer value and the registry's ``String(n)``
        column has this ``n``.
    """

    name: str
    kind: Kind
    description: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()
    source: str = ""
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.max_length is None and self.kind in MAX_LENGTH:
            object.__setattr__(self, "max_length", MAX_LENGTH[self.kind])

    def allowed_text(self) -> str:
        """Describe the allowed values in words, for problem messages."""
        if self.kind in (Kind.choice, Kind.choices):
            text = ", ".join(self.options)
            return f"one or more of {text}, separated by ';'" if self.kind is Kind.choices else text
        if self.kind is Kind.date:
            return "an ISO 8601 date YYYY-MM-DD"
        if self.kind is Kind.boolean:
            return "true/false, yes/no or 1/0 (blank = missing)"
        if self.kind in (Kind.integer, Kind.number):
            what = "a whole number" if self.kind is Kind.integer else "a number"
            unit = f" {self.unit}" if self.unit else ""
            if self.minimum is not None and self.maximum is not None:
                return f"{what} from {self.minimum:g} to {self.maximum:g}{unit}"
            if self.minimum is not None:
                return f"{what} ≥ {self.minimum:g}{unit}"
            return what
        if self.kind is Kind.identifier:
            return ID_ALLOWED
        return f"any non-blank text of at most {self.max_length} characters"


#: Spellings read as true and false by boolean columns (compared lower-case).
BOOLEAN_TRUE: Final = frozenset({"true", "yes", "1", "t", "y"})
BOOLEAN_FALSE: Final = frozenset({"false", "no", "0", "f", "n"})

_DRUGS: Final = ("lenalidomide", "thalidomide", "other")

#: Why a drug period ended (docs/cohort-tables.md, ``treatments``; the reasons the seed series
#: report: Cortés-Hernández 2012, Aitmehdi 2021).
_END_REASONS: Final = (
    "taper",
    "complete_response",
    "inefficacy",
    "adverse_event",
    "pregnancy",
    "patient_choice",
    "sle_flare",
    "other",
)

#: CLE subtypes (Gilliam classification as used by the seed series): discoid (DLE),
#: subacute (SCLE), acute (ACLE), tumidus (LET), profundus/panniculitis (LEP), chilblain
#: (CHLE), and other.
_CLE_SUBTYPES: Final = ("DLE", "SCLE", "ACLE", "LET", "LEP", "CHLE", "other")

#: Action taken with the study drug (CDISC SDTM AEACN, simplified to four codes).
_AE_ACTIONS: Final = ("none", "dose_reduced", "interrupted", "withdrawn")

#: Outcome of an adverse event (CDISC SDTM AEOUT controlled terminology, snake-cased).
_AE_OUTCOMES: Final = (
    "resolved",
    "resolving",
    "not_resolved",
    "resolved_with_sequelae",
    "fatal",
    "unknown",
)

#: Flare severity: SELENA flare index (mild/moderate, severe; Petri 2005) or
#: Cortés-Hernández 2012 (mild, severe); ``moderate`` for clinician-graded flares.
_FLARE_SEVERITIES: Final = ("mild", "moderate", "severe", "mild_moderate")

#: Who or what called the flare: SELENA flare index, a SLEDAI increase, or the clinician.
_FLARE_SOURCES: Final = ("sfi", "sledai_delta", "clinician")

_CELLS: Final = "×10⁹/L"

#: Maximum plausible daily dose per drug, mg/day. Lenalidomide: 25 mg/day, the highest dose
#: of the US label (multiple myeloma; Revlimid prescribing information); CLE series use
#: 2.5–10 mg/day (Cortés-Hernández 2012, doi:10.1186/ar4111). Thalidomide: 400 mg/day, the
#: highest dose of the US label (erythema nodosum leprosum; Thalomid prescribing
#: information); CLE series use 50–100 mg/day (Chasset 2018, doi:10.1016/j.jaad.2017.09.059).
#: Other drugs have no upper limit.
DOSE_MAXIMUM: Final = MappingProxyType({"lenalidomide": 25.0, "thalidomide": 400.0})

_C = Column
_K = Kind

#: Where the decision-support columns below come from: the eligibility criteria of the
#: Cortés-Hernández 2012 trial (Methods, seed full text) and the lenalidomide label rules
#: that ``clears.protocol`` applies (docs/protocol.md, "Cohort columns read").
_CORTES: Final = "Cortés-Hernández 2012, doi:10.1186/ar4111, eligibility"
_LABEL: Final = "Revlimid prescribing information, US label and EU SmPC"
_MEDS: Final = "clears.cohort.MEDICATIONS (drug classes; BNF glucocorticoid equivalences)"

#: Why a woman is, or is not, of reproductive potential. The categories of the label's
#: definitions (docs/reference/lenalidomide.md §3): US REMS, females of reproductive
#: potential are those menstruating, amenorrhoeic after medical treatment or perimenopausal;
#: not of reproductive potential after natural menopause, hysterectomy or bilateral
#: oophorectomy, or before menarche. EU SmPC pregnancy prevention programme: childbearing
#: potential unless age ≥ 50 and naturally amenorrhoeic ≥ 1 year (amenorrhoea after cancer
#: therapy does not count), premature ovarian failure confirmed by a gynaecologist, bilateral
#: salpingo-oophorectomy or hysterectomy, or XY genotype, Turner syndrome or uterine agenesis.
REPRODUCTIVE_POTENTIAL_BASES: Final = (
    "menstruating",
    "amenorrhoea_after_treatment",
    "perimenopausal",
    "natural_menopause",
    "hysterectomy",
    "bilateral_oophorectomy",
    "premature_ovarian_failure",
    "xy_turner_or_uterine_agenesis",
    "premenarchal",
    "other",
)

_REPRODUCTIVE: Final = "Revlimid US REMS and EU SmPC pregnancy prevention programme"

#: Optional patients columns read by clears.protocol (decision support). Yes/no columns are
#: read with ``clears.protocol._patient.flag``; numbers with ``number``.
_DECISION_SUPPORT_PATIENTS: Final = (
    _C("reproductive_potential", _K.boolean, "Woman of reproductive potential", source=_LABEL),
    _C(
        "reproductive_potential_date",
        _K.date,
        "Date reproductive potential was assessed",
        source=_REPRODUCTIVE,
    ),
    _C(
        "reproductive_potential_basis",
        _K.choice,
        "Why the woman is (or is not) of reproductive potential",
        options=REPRODUCTIVE_POTENTIAL_BASES,
        source=_REPRODUCTIVE,
    ),
    _C("irregular_cycles", _K.boolean, "Irregular menstrual cycles", source=_LABEL),
    _C("prior_thrombosis", _K.boolean, "Previous arterial or venous thrombosis", source=_LABEL),
    _C("dialysis", _K.boolean, "On dialysis (renal dose adjustment)", source=_LABEL),
    _C("antiphospholipid_antibodies", _K.boolean, "Antiphospholipid antibodies", source=_CORTES),
    _C("cle_histology", _K.boolean, "CLE proven by histology", source=_CORTES),
    _C("stable_background", _K.boolean, "Background therapy stable ≥ 30 days", source=_CORTES),
    _C(
        "antimalarial_months",
        _K.number,
        "Months of antimalarials before inclusion (refractory: ≥ 3)",
        unit="months",
        minimum=0,
        maximum=600,
        source=_CORTES,
    ),
    _C(
        "bsa_percent",
        _K.number,
        "Body surface area affected by CLE (inclusion: > 18 %)",
        unit="%",
        minimum=0,
        maximum=100,
        source=_CORTES,
    ),
    _C("thalidomide_hypersensitivity", _K.boolean, "Thalidomide hypersensitivity", source=_CORTES),
    _C("lactating", _K.boolean, "Breastfeeding", source=_CORTES),
    _C("contraception", _K.boolean, "Adequate contraception in place", source=_CORTES),
    _C("sle_immunosuppression", _K.boolean, "Active SLE needing immunosuppression", source=_CORTES),
    _C("progressive_renal_disease", _K.boolean, "Progressive renal disease", source=_CORTES),
    _C("hiv", _K.boolean, "HIV infection", source=_CORTES),
    _C("viral_hepatitis", _K.boolean, "Viral hepatitis (B or C) infection", source=_CORTES),
    _C("compliance_risk", _K.boolean, "Disorder likely to impair compliance", source=_CORTES),
)

#: Optional visits columns read by clears.protocol (decision support).
_DECISION_SUPPORT_VISITS: Final = (
    _C(
        "erythema_max",
        _K.integer,
        "Highest CLASI erythema score of any area (inclusion: at least 2); "
        "blank: the maximum of the clasi_<area>_ery columns",
        minimum=0,
        maximum=3,
        source="Albrecht 2005, doi:10.1111/j.0022-202X.2005.23889.x; erythema levels 0-3",
    ),
    _C(
        "nerve_conduction",
        _K.boolean,
        "Nerve conduction study done at this visit",
        source=_CORTES,
    ),
)

#: Every known column per table, required columns first.
SCHEMA: Final = MappingProxyType(
    {
        "patients": (
            _C(
                "patient_id", _K.identifier, "Pseudonymous patient identifier, unique in the cohort"
            ),
            # A centre is a code in the registry (centres.code), so it has the code limit.
            _C("centre", _K.text, "Centre (site) code", max_length=CODE_MAX_LENGTH),
            _C("sex", _K.choice, "Sex recorded at birth", options=("female", "male", "other")),
            _C("birth_year", _K.integer, "Year of birth", minimum=1900, maximum=2100),
            _C(
                "smoking",
                _K.choice,
                "Smoking status at inclusion",
                options=("current", "former", "never"),
            ),
            _C("bmi", _K.number, "Body-mass index", unit="kg/m²", minimum=10, maximum=80),
            _C(
                "phototype",
                _K.integer,
                "Fitzpatrick skin phototype (I–VI written 1–6)",
                minimum=1,
                maximum=6,
                source="Fitzpatrick TB. Arch Dermatol 1988;124:869-71",
            ),
            _C(
                "cle_subtypes",
                _K.choices,
                "CLE subtypes present",
                options=_CLE_SUBTYPES,
            ),
            _C("sle", _K.boolean, "Systemic lupus erythematosus present"),
            _C(
                "sle_onset_date",
                _K.date,
                "Date systemic lupus erythematosus was diagnosed "
                "(patients without SLE at the index date)",
                source="Aitmehdi 2021, doi:10.1016/j.jaad.2020.11.014, Table 2 "
                "(development of SLE among patients with isolated CLE)",
            ),
            _C("aps", _K.boolean, "Antiphospholipid syndrome present"),
            _C("cv_risk", _K.boolean, "Cardiovascular or thrombotic risk factors present"),
            _C("prior_thalidomide", _K.boolean, "Treated with thalidomide before"),
            _C(
                "thalidomide_stop_reason",
                _K.choice,
                "Why prior thalidomide was stopped",
                options=_END_REASONS,
            ),
            _C("thalidomide_neuropathy", _K.boolean, "Neuropathy on prior thalidomide"),
            _C(
                "prior_systemic_lines",
                _K.integer,
                "Number of prior systemic treatments",
                minimum=0,
                maximum=50,
            ),
            *_DECISION_SUPPORT_PATIENTS,
        ),
        "treatments": (
            _C("patient_id", _K.identifier, "Patient identifier (must exist in patients)"),
            _C("drug", _K.choice, "Drug of this period", options=_DRUGS),
            _C("start_date", _K.date, "First day at this dose"),
            _C(
                "dose_mg_per_day",
                _K.number,
                "Average daily dose of this period (5 mg alternate days = 2.5)",
                unit="mg/day",
                minimum=0,
                source="maximum per drug: see DOSE_MAXIMUM",
            ),
            _C("end_date", _K.date, "Last day at this dose; blank = ongoing"),
            _C("regimen", _K.text, "Regimen as prescribed, e.g. '5 mg alternate days'"),
            _C("end_reason", _K.choice, "Why the period ended", options=_END_REASONS),
        ),
        "visits": (
            _C("patient_id", _K.identifier, "Patient identifier (must exist in patients)"),
            _C("visit_date", _K.date, "Date of the visit"),
            _C(
                "clasi_a",
                _K.number,
                "CLASI activity score",
                minimum=0,
                maximum=70,
                source="Albrecht 2005, doi:10.1111/j.0022-202X.2005.23889.x",
            ),
            _C(
                "clasi_d",
                _K.number,
                "CLASI damage score",
                minimum=0,
                maximum=56,
                source="Albrecht 2005, doi:10.1111/j.0022-202X.2005.23889.x",
            ),
            _C(
                "sledai",
                _K.number,
                "SLEDAI-2K total",
                minimum=0,
                maximum=105,
                source="Gladman 2002, J Rheumatol 29:288-91",
            ),
            _C("anc", _K.number, "Absolute neutrophil count", _CELLS, 0, 100),
            _C("wbc", _K.number, "White blood cell count", _CELLS, 0, 500),
            _C("platelets", _K.number, "Platelet count", _CELLS, 0, 2000),
            _C("hb", _K.number, "Haemoglobin", "g/dL", 1, 25),
            _C("anti_dsdna", _K.number, "Anti-dsDNA antibodies", "IU/mL", 0, 100000),
            _C("c3", _K.number, "Complement C3", "g/L", 0, 5),
            _C("c4", _K.number, "Complement C4", "g/L", 0, 2),
            _C(
                "creatinine_clearance",
                _K.number,
                "Creatinine clearance (Cockcroft-Gault)",
                "mL/min",
                0,
                300,
            ),
            _C(
                "pregnancy_test",
                _K.choice,
                "Pregnancy test result at this visit",
                options=("negative", "positive", "not_done"),
            ),
            *_DECISION_SUPPORT_VISITS,
        ),
        "adverse_events": (
            _C("patient_id", _K.identifier, "Patient identifier (must exist in patients)"),
            _C("onset_date", _K.date, "Onset date"),
            _C("term", _K.text, "Adverse-event term (CTCAE v5.0 or MedDRA preferred term)"),
            _C(
                "grade",
                _K.integer,
                "CTCAE v5.0 grade",
                minimum=1,
                maximum=5,
                source="NCI CTCAE v5.0 (2017)",
            ),
            _C("end_date", _K.date, "Resolution date; blank = ongoing or unknown"),
            _C("serious", _K.boolean, "Serious adverse event (ICH E2A)"),
            _C("related", _K.boolean, "Judged related to the study drug"),
            _C(
                "action",
                _K.choice,
                "Action taken with the study drug",
                options=_AE_ACTIONS,
                source="CDISC SDTM AEACN",
            ),
            _C(
                "outcome",
                _K.choice,
                "Outcome of the event",
                options=_AE_OUTCOMES,
                source="CDISC SDTM AEOUT",
            ),
        ),
        "flares": (
            _C("patient_id", _K.identifier, "Patient identifier (must exist in patients)"),
            _C("flare_date", _K.date, "Date of the flare"),
            _C("severity", _K.choice, "Flare severity", options=_FLARE_SEVERITIES),
            _C("source", _K.choice, "How the flare was defined", options=_FLARE_SOURCES),
        ),
        "concomitant_medications": (
            _C("patient_id", _K.identifier, "Patient identifier (must exist in patients)"),
            _C("drug", _K.choice, "Medication", options=tuple(MEDICATIONS), source=_MEDS),
            _C("start_date", _K.date, "First day of this medication at this dose"),
            _C("end_date", _K.date, "Last day; blank = ongoing"),
            _C("dose", _K.number, "Dose, in dose_unit", minimum=0),
            _C("dose_unit", _K.choice, "Unit of dose (canonical: mg/day)", options=DOSE_UNITS),
            _C("indication", _K.choice, "Why it is given", options=INDICATIONS),
        ),
    }
)


def schema_of(table: str) -> dict[str, Column]:
    """Return the known columns of ``table`` keyed by name.

    Examples
    --------
    >>> schema_of("flares")["severity"].allowed_text()
    'mild, moderate, severe, mild_moderate'
    """
    return {column.name: column for column in SCHEMA[table]}
