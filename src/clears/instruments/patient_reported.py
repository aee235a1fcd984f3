"""The patient-reported instruments: the ones a patient answers alone, as data.

The working core outcome set for cutaneous lupus lists, besides the clinician's measures,
domains only the patient can report: the patient global assessment of disease activity,
itch and pain (symptoms) and skin-specific quality of life (Guo 2021, Table 2). Anything
built for patients to fill in themselves (the patient survey,
:mod:`clears.registry.surveys`) offers exactly the instruments of
:data:`PATIENT_REPORTED`, in this order; adding a definition here adds it there. A
clinician-rated measure (CLA-IGA, CLASI) never belongs here.

References
----------
Guo LN, Perez-Chada LM, Borucki R, et al. Development of a working core outcome set for
cutaneous lupus erythematosus: a practical approach to an urgent unmet need. Lupus Sci Med
2021;8(1):e000529. doi:10.1136/lupus-2021-000529.
"""

from __future__ import annotations

from typing import Final

from clears.instruments._base import InstrumentDefinition
from clears.instruments.dlqi.definition import DEFINITION as DLQI
from clears.instruments.nrs.definition import DEFINITION as NRS
from clears.instruments.ptga.definition import DEFINITION as PTGA

__all__ = ["LICENSED_WORDING", "PATIENT_REPORTED"]

#: Patient-reported instruments, in the order a patient answers them.
PATIENT_REPORTED: Final[tuple[InstrumentDefinition, ...]] = (PTGA, NRS, DLQI)

#: Those whose item wording is copyright and comes only from a licensed centre's file
#: (:func:`clears.instruments._base.item_wording`); without it they are not offered to
#: patients. The DLQI wording is (c) A Y Finlay, G K Khan 1992.
LICENSED_WORDING: Final[frozenset[str]] = frozenset({DLQI.name})
