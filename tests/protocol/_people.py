"""Synthetic patients the protocol tests share (no real patients).

``ELIGIBLE``: a man born in 1970 who meets every Cortés-Hernández 2012 criterion that is a
patients column (Methods: histologically proven CLE, stable background therapy, refractory to
at least 3 months of antimalarials, body surface area > 18 %, none of the exclusions).
``LABS``: normal blood counts (×10⁹/L; haemoglobin g/dL), far from every START limit and
CTCAE grade.
"""

from __future__ import annotations

from typing import Any, Final

ELIGIBLE: Final[dict[str, Any]] = {
    "sex": "M",
    "birth_year": 1970,
    "cle_histology": True,
    "stable_background": True,
    "antimalarial_months": 12,
    "bsa_percent": 25,
    "thalidomide_hypersensitivity": False,
    "sle": False,
    "antiphospholipid_antibodies": False,
    "aps": False,
    "prior_thrombosis": False,
    "progressive_renal_disease": False,
    "hiv": False,
    "viral_hepatitis": False,
    "compliance_risk": False,
}
LABS: Final[dict[str, Any]] = {"anc": 3.0, "wbc": 6.0, "platelets": 250, "hb": 13.5}
