"""The published sources that the safety, monitoring and eligibility rules cite.

Each constant is a :class:`~clears.instruments._base.Reference`; rules store one of them
next to their thresholds so every alert and schedule item names where it comes from.
Evidence tags ([V] primary, [S] secondary) are those of ``docs/reference/lenalidomide.md``.
"""

from __future__ import annotations

from typing import Final

from clears.instruments import Reference

__all__ = [
    "AITMEHDI2021",
    "BRAUNSTEIN2012",
    "CORTES2012",
    "CTCAE_V5",
    "CTCAE_VERSION",
    "LABEL_BOXED",
    "LABEL_CYTOPENIA",
    "LABEL_PREGNANCY",
    "LABEL_RENAL",
    "SHAH2009",
    "SMPC_PPP",
]

CTCAE_VERSION: Final = "CTCAE v5.0"

CORTES2012: Final = Reference(
    citation=(
        "Cortés-Hernández J, Ávila G, Vilardell-Tarrés M, Ordi-Ros J. Efficacy and safety of "
        "lenalidomide for refractory cutaneous lupus erythematosus. Arthritis Res Ther "
        "2012;14(6):R265"
    ),
    doi="10.1186/ar4111",
    note="Methods: eligibility, dosing, monitoring and discontinuation rules [V: full text]",
)
AITMEHDI2021: Final = Reference(
    citation=(
        "Aitmehdi R, Arnaud L, Francès C, et al. Long-term efficacy and safety outcomes of "
        "lenalidomide for cutaneous lupus erythematosus: a multicenter retrospective study of "
        "40 patients. J Am Acad Dermatol 2021;84(4):1171-1174"
    ),
    doi="10.1016/j.jaad.2020.11.014",
    note="Table 1: low-dose aspirin given to 35/40 to prevent thromboembolism; arterial events "
    "in a patient with APS and one with severe cardiovascular risk factors [V: seed]",
)
CTCAE_V5: Final = Reference(
    citation="National Cancer Institute. Common Terminology Criteria for Adverse Events v5.0 "
    "(CTCAE_v5.0.xlsx, 2017-11-27)",
    url="https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50",
)
LABEL_BOXED: Final = Reference(
    citation="REVLIMID (lenalidomide) US prescribing information, boxed warning (2021-2022 "
    "versions, NDA 021880): embryo-fetal toxicity, haematologic toxicity, venous and arterial "
    "thromboembolism",
    url="https://www.docketalarm.com/FDA/Orange_Book/021880/REVLIMID/SUPPL-64/1-Label/",
    note="Label rules are indication- and version-specific; CLE use is off-label",
)
LABEL_PREGNANCY: Final = Reference(
    citation="REVLIMID (lenalidomide) US prescribing information, pregnancy testing for "
    "females of reproductive potential (Lenalidomide REMS)",
    note="[S: label text copies] two negative tests before start; weekly for 4 weeks; then "
    "every 4 weeks (regular cycles) or every 2 weeks (irregular cycles)",
)
SMPC_PPP: Final = Reference(
    citation="Revlimid (lenalidomide) EU summary of product characteristics, pregnancy "
    "prevention programme: women of childbearing potential, contraception and testing",
    note="[S: older SmPC copy] of childbearing potential unless aged >= 50 and naturally "
    "amenorrhoeic >= 1 year, premature ovarian failure, bilateral salpingo-oophorectomy or "
    "hysterectomy, XY genotype, Turner syndrome or uterine agenesis; contraception until 4 "
    "weeks after treatment; [U] a test repeated 4 weeks after the end of treatment",
)
LABEL_CYTOPENIA: Final = Reference(
    citation="REVLIMID (lenalidomide) US prescribing information, dose interruption and "
    "reduction for thrombocytopenia and neutropenia (MM Table 1, MDS Table 2)",
    note="[S] hold for grade 3-4 cytopenia, resume at the next lower dose, never below 2.5 mg "
    "daily; applied to CLE by extrapolation",
)
LABEL_RENAL: Final = Reference(
    citation="REVLIMID (lenalidomide) US prescribing information, MDS starting dose by "
    "creatinine clearance (older label version), and Giagounidis 2008",
    doi="10.1007/s00277-008-0449-0",
    note="Version-dependent: newer labels differ (MDS 2.5 mg daily at CLcr < 30). "
    "Off-label extrapolation of an MDS rule to CLE doses",
)
SHAH2009: Final = Reference(
    citation="Shah A, et al. Lenalidomide for the treatment of "
    "resistant discoid lupus erythematosus. Arch Dermatol 2009;145(3):303-306",
    doi="10.1001/archdermatol.2009.30",
    pmid="19289762",
    note="CBC weekly for the first 2 months, then monthly [V: abstract]",
)
BRAUNSTEIN2012: Final = Reference(
    citation="Braunstein I, Goodman NG, Rosenbach M, et al. Lenalidomide therapy in "
    "treatment-refractory cutaneous lupus erythematosus: histologic and circulating leukocyte "
    "profile and potential risk of a systemic lupus flare. J Am Acad Dermatol "
    "2012;66(4):571-582",
    doi="10.1016/j.jaad.2011.01.015",
    pmid="21821308",
    note="One responder with isolated CLE developed SLE with renal involvement on "
    "lenalidomide (as summarised in a 2021 congress review of thalidomide and lenalidomide "
    "in CLE) [S]",
)
