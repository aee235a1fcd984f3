"""The CLE core outcome set's simple measures, listed once for every place that lists them.

Guo et al. (2021) proposed a working core outcome set for cutaneous lupus: besides the
CLASI, the CLA-IGA, a patient global assessment, itch and pain rating scales and a
skin-specific quality-of-life measure (DLQI or Skindex-29+3). The registry's visit columns,
the visit form, the REDCap data dictionary and flat export all read
:data:`CORE_OUTCOMES`; anything asked of the patient (surveys) reads
:data:`PATIENT_REPORTED`. Add an instrument here, not in each of those places.

References
----------
Guo LN, Perez-Chada LM, Borucki R, Nambudiri VE, Werth VP, Merola JF. Development of a
working core outcome set for cutaneous lupus erythematosus: a practical approach to an
urgent unmet need. Lupus Sci Med 2021;8:e000529. doi:10.1136/lupus-2021-000529.
"""

from __future__ import annotations

from typing import Final

from clears.instruments import cla_iga, dlqi, nrs, ptga, skindex
from clears.instruments._base import InstrumentDefinition

__all__ = ["CORE_OUTCOMES", "LICENSED_WORDING", "PATIENT_REPORTED"]

#: The patient-reported measures, in form order: PtGA, itch and pain NRS, DLQI, Skindex-29+3.
PATIENT_REPORTED: Final[tuple[InstrumentDefinition, ...]] = (
    ptga.DEFINITION,
    nrs.DEFINITION,
    dlqi.DEFINITION,
    skindex.DEFINITION,
)

#: The core outcome set's simple measures stored as visit items: the clinician's CLA-IGA,
#: then :data:`PATIENT_REPORTED`.
CORE_OUTCOMES: Final[tuple[InstrumentDefinition, ...]] = (cla_iga.DEFINITION, *PATIENT_REPORTED)

#: The patient-reported instruments whose item wording is copyright and comes only from a
#: licensed centre's file (:func:`clears.instruments._base.item_wording`); without it they
#: are not offered to patients. DLQI (c) A Y Finlay, G K Khan 1992; Skindex (c) M M Chren.
LICENSED_WORDING: Final[frozenset[str]] = frozenset({dlqi.DEFINITION.name, skindex.DEFINITION.name})
