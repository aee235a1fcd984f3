"""The concomitant-medication vocabulary as data: drug names, their classes, dose units.

The ``concomitant_medications`` table (cohort tables v2) records what else a patient takes
besides the studied drug. Decision support asks two questions of it: is an antithrombotic
running on a given day (thromboprophylaxis: Aitmehdi 2021, Table 1, "low-dose aspirin was
added to prevent thromboembolic risk" in 35/40 patients; the lenalidomide label leaves the
choice of prophylaxis to the patient's risk), and what is the daily prednisone-equivalent
dose (Cortés-Hernández 2012 inclusion: "stable prednisone (< 10 mg/day) ... for at least
30 days"). Both are answered from this table of drugs, never from spellings in the logic.

Glucocorticoid equivalence: the equivalent anti-inflammatory doses of the British National
Formulary ("Glucocorticoid therapy", equivalent anti-inflammatory doses of corticosteroids:
prednisolone 5 mg = methylprednisolone 4 mg = dexamethasone 750 micrograms = deflazacort
6 mg), with prednisone taken as equipotent to prednisolone (5 mg = 5 mg; the same table in
Goodman & Gilman's *The Pharmacological Basis of Therapeutics*, adrenocorticosteroids).
The factor of a drug is 5 mg divided by its equivalent dose: the prednisone mg that 1 mg of
the drug corresponds to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clears._exceptions import InputError, Problem

__all__ = [
    "ANTITHROMBOTIC_CLASSES",
    "CANONICAL_DOSE_UNIT",
    "DOSE_UNITS",
    "INDICATIONS",
    "MEDICATIONS",
    "MEDICATION_CLASSES",
    "Medication",
    "medication_class",
    "prednisone_equivalent",
]

#: Drug classes of the vocabulary.
MEDICATION_CLASSES: Final = (
    "antiplatelet",
    "lmwh",
    "doac",
    "vka",
    "antimalarial",
    "glucocorticoid",
    "immunosuppressant",
    "biologic",
    "imid",
    "other",
)

#: Classes that count as antithrombotic prophylaxis: antiplatelet agents (low-dose aspirin,
#: Aitmehdi 2021, Table 1), low-molecular-weight heparin, direct oral anticoagulants and
#: vitamin K antagonists (the anticoagulant options of the lenalidomide label's
#: thromboembolism warning, Revlimid prescribing information §5.4).
ANTITHROMBOTIC_CLASSES: Final = ("antiplatelet", "lmwh", "doac", "vka")

#: The canonical dose unit (DESIGN/STYLE: one canonical unit per quantity, mg/day).
CANONICAL_DOSE_UNIT: Final = "mg/day"

#: Units a ``dose`` may be recorded in. ``mg/week`` (weekly methotrexate) converts to mg/day
#: by dividing by 7; ``mg`` is a single or cumulative dose (an infusion of rituximab or
#: cyclophosphamide) and ``IU/day`` (heparins by anti-Xa units) and ``mg/kg/day`` have no
#: mg/day equivalent without more data.
DOSE_UNITS: Final = ("mg/day", "mg/week", "mg", "IU/day", "mg/kg/day")

#: Why the medication is given. ``thromboprophylaxis`` is prevention of thrombosis on an
#: IMiD (Aitmehdi 2021); ``thrombosis_treatment`` an established thrombosis; ``cle``, ``sle``
#: and ``aps`` the patient's lupus or antiphospholipid syndrome.
INDICATIONS: Final = ("thromboprophylaxis", "thrombosis_treatment", "cle", "sle", "aps", "other")

_BNF: Final = (
    "BNF, Glucocorticoid therapy: equivalent anti-inflammatory doses of corticosteroids "
    "(prednisolone 5 mg = methylprednisolone 4 mg = dexamethasone 750 micrograms = "
    "deflazacort 6 mg); prednisone equipotent with prednisolone"
)


@dataclass(frozen=True, slots=True)
class Medication:
    """One drug of the vocabulary.

    Parameters
    ----------
    name
        Canonical name (lower case, as written in ``concomitant_medications.drug``).
    drug_class
        One of :data:`MEDICATION_CLASSES`.
    prednisone_equivalent_mg
        For a glucocorticoid, the dose in mg equivalent to 5 mg of prednisone; None when no
        equivalence is declared (every other drug, and ``other_glucocorticoid``).
    source
        Where the equivalence comes from.
    """

    name: str
    drug_class: str
    prednisone_equivalent_mg: float | None = None
    source: str = ""

    @property
    def prednisone_factor(self) -> float | None:
        """Prednisone mg per mg of this drug (5 mg / the equivalent dose), or None."""
        if self.prednisone_equivalent_mg is None:
            return None
        return 5.0 / self.prednisone_equivalent_mg


_M = Medication

#: The vocabulary, keyed by canonical name.
MEDICATIONS: Final = MappingProxyType(
    {
        m.name: m
        for m in (
            _M("aspirin", "antiplatelet"),
            _M("clopidogrel", "antiplatelet"),
            _M("hydroxychloroquine", "antimalarial"),
            _M("chloroquine", "antimalarial"),
            _M("quinacrine", "antimalarial"),
            _M("prednisone", "glucocorticoid", 5.0, _BNF),
            _M("prednisolone", "glucocorticoid", 5.0, _BNF),
            _M("methylprednisolone", "glucocorticoid", 4.0, _BNF),
            _M("deflazacort", "glucocorticoid", 6.0, _BNF),
            _M("dexamethasone", "glucocorticoid", 0.75, _BNF),
            _M("other_glucocorticoid", "glucocorticoid"),
            _M("methotrexate", "immunosuppressant"),
            _M("mycophenolate", "immunosuppressant"),
            _M("azathioprine", "immunosuppressant"),
            _M("ciclosporin", "immunosuppressant"),
            _M("tacrolimus", "immunosuppressant"),
            _M("cyclophosphamide", "immunosuppressant"),
            _M("belimumab", "biologic"),
            _M("anifrolumab", "biologic"),
            _M("rituximab", "biologic"),
            _M("enoxaparin", "lmwh"),
            _M("dalteparin", "lmwh"),
            _M("tinzaparin", "lmwh"),
            _M("other_lmwh", "lmwh"),
            _M("apixaban", "doac"),
            _M("rivaroxaban", "doac"),
            _M("edoxaban", "doac"),
            _M("dabigatran", "doac"),
            _M("warfarin", "vka"),
            _M("acenocoumarol", "vka"),
            _M("thalidomide", "imid"),
            _M("lenalidomide", "imid"),
            _M("other", "other"),
        )
    }
)


def _lookup(drug: str) -> Medication:
    key = re.sub(r"[\s\-]+", "_", str(drug).strip().lower())  # as cohort choice columns
    found = MEDICATIONS.get(key)
    if found is None:
        raise InputError(Problem("drug", drug, "is not a known medication", ", ".join(MEDICATIONS)))
    return found


def medication_class(drug: str) -> str:
    """Return the class of a medication (one of :data:`MEDICATION_CLASSES`).

    The name is read like a cohort choice: any case, spaces and hyphens as ``_``.

    Raises
    ------
    InputError
        When ``drug`` is not in :data:`MEDICATIONS`; the problem lists the known names.

    Examples
    --------
    >>> medication_class("Aspirin"), medication_class("enoxaparin")
    ('antiplatelet', 'lmwh')
    >>> medication_class("aspirin") in ANTITHROMBOTIC_CLASSES
    True
    """
    return _lookup(drug).drug_class


def prednisone_equivalent(drug: str, dose: float, dose_unit: str = CANONICAL_DOSE_UNIT) -> float:
    """Return the prednisone-equivalent dose in mg/day of a glucocorticoid dose.

    Parameters
    ----------
    drug
        A glucocorticoid of :data:`MEDICATIONS` with a declared equivalence.
    dose
        The dose, ≥ 0.
    dose_unit
        ``mg/day`` or ``mg/week`` (divided by 7).

    Raises
    ------
    InputError
        When the drug is unknown, not a glucocorticoid or without an equivalence
        (``other_glucocorticoid``), the dose is negative, or the unit has no mg/day
        equivalent.

    Examples
    --------
    BNF: methylprednisolone 4 mg = prednisolone 5 mg; dexamethasone 750 micrograms = 5 mg.

    >>> prednisone_equivalent("methylprednisolone", 4.0)
    5.0
    >>> round(prednisone_equivalent("dexamethasone", 1.5), 6)
    10.0
    """
    medication = _lookup(drug)
    factor = medication.prednisone_factor
    if factor is None:
        with_factor = [name for name, m in MEDICATIONS.items() if m.prednisone_factor is not None]
        raise InputError(
            Problem(
                "drug",
                drug,
                "has no declared prednisone equivalence",
                ", ".join(with_factor),
            )
        )
    if not dose >= 0:
        raise InputError(Problem("dose", dose, "is not a dose", "a number ≥ 0"))
    per_day = {"mg/day": 1.0, "mg/week": 1.0 / 7.0}
    if dose_unit not in per_day:
        raise InputError(
            Problem("dose_unit", dose_unit, "has no mg/day equivalent", ", ".join(per_day))
        )
    return dose * per_day[dose_unit] * factor
