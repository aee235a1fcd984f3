"""The SELENA flare index criteria other than the SLEDAI change, held as data.

Manifestations new or worse since the previous visit, new drugs, prednisone, admission and
the physician's global assessment (PGA, 0-3). :func:`clinical_criteria` reads a
:class:`~clears.instruments.flare.FlareInput` against the lists and thresholds below and
returns the criteria that fired; :mod:`clears.instruments.flare` turns them into results.

References
----------
Petri M, Buyon J, Kim M. Classification and definition of major flares in SLE clinical
trials. Lupus 1999;8(8):685-691. Buyon JP et al. Ann Intern Med 2005;142:953-962.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from clears.instruments._base import Reference

if TYPE_CHECKING:
    from clears.instruments.flare._input import FlareInput

__all__ = [
    "MILD_DRUGS",
    "MILD_MANIFESTATIONS",
    "OPTIONAL_SEVERE_DRUGS",
    "SEVERE_DRUGS",
    "SEVERE_MANIFESTATIONS",
    "SFI_REFERENCE",
    "Finding",
    "clinical_criteria",
]

SFI_REFERENCE: Final = Reference(
    citation=(
        "Petri M, Buyon J, Kim M. Classification and definition of major flares in SLE "
        "clinical trials. Lupus 1999;8(8):685-691; Buyon JP et al. Ann Intern Med "
        "2005;142:953-962 (flare table)"
    ),
    pmid="10568907",
    note=(
        "Primary tables not retrieved; criteria as in the Ann Rheum Dis table 'Features, "
        "caveats and pitfalls of main indices used in SLE' [S]."
    ),
)

_PGA_STEP: Final = 1.0  # SFI: PGA increase ≥ 1.0 [S]
_PGA_CUTOFF: Final = 2.5  # SFI: severe when to > 2.5 [S]
_PREDNISONE_MG_PER_KG: Final = 0.5  # SFI: > 0.5 mg/kg/day is severe [S]

# SFI manifestations, new or worse since the previous visit [S: ARD table; medicalalgorithms].
MILD_MANIFESTATIONS: Final = (
    "rash_discoid",
    "rash_photosensitive",
    "rash_profundus",
    "rash_cutaneous_vasculitis",
    "rash_bullous",
    "nasopharyngeal_ulcers",
    "pleuritis",
    "pericarditis",
    "arthritis",
    "fever",
)
#: Severe only when they need doubled prednisone, prednisone > 0.5 mg/kg/day or admission.
SEVERE_MANIFESTATIONS: Final = (
    "cns_sle",
    "vasculitis",
    "nephritis",
    "myositis",
    "platelets_below_60",
    "haemolytic_anaemia",
)
MILD_DRUGS: Final = ("nsaid", "hydroxychloroquine")
SEVERE_DRUGS: Final = ("cyclophosphamide", "azathioprine", "methotrexate")
#: Counted as severe only with ``count_mycophenolate`` (later SFI versions; [U]).
OPTIONAL_SEVERE_DRUGS: Final = ("mycophenolate",)

#: A criterion that fired: name, level, reading applied, evidence.
Finding = tuple[str, str, str, str]


def clinical_criteria(record: FlareInput) -> tuple[list[Finding], list[str]]:
    """The SFI criteria other than the score, and notes on what could not fire."""
    fired: list[Finding] = []
    notes: list[str] = []

    def add(name: str, level: str, reading: str, detail: str) -> None:
        fired.append((name, level, reading, detail))

    pred = record.prednisone_mg_per_day
    increased = pred is not None and pred.current > pred.previous
    over = False
    if pred is not None and increased and record.weight_kg is not None:
        limit = _PREDNISONE_MG_PER_KG * record.weight_kg
        over = pred.current > limit
        detail = (
            f"prednisone {pred.previous:g} -> {pred.current:g} mg/day; "
            f"0.5 mg/kg/day = {limit:g} mg/day at {record.weight_kg:g} kg"
        )
        if over:
            add("prednisone", "severe", "increase to > 0.5 mg/kg/day", detail)
        else:
            add("prednisone", "mild_moderate", "increase, not to > 0.5 mg/kg/day", detail)
    doubled = pred is not None and increased and pred.current >= 2 * pred.previous
    severe_signs = [m for m in record.new_or_worse if m in SEVERE_MANIFESTATIONS]
    if severe_signs:
        needs = [
            text
            for ok, text in (
                (doubled, "prednisone doubled"),
                (over, "prednisone > 0.5 mg/kg/day"),
                (record.hospitalised, "hospitalisation"),
            )
            if ok
        ]
        if needs:
            add("severe_manifestation", "severe", "new or worse, needing " + " / ".join(needs),
                ", ".join(severe_signs))  # fmt: skip
        else:
            notes.append(
                f"new or worse {', '.join(severe_signs)} did not need doubled prednisone, "
                "prednisone > 0.5 mg/kg/day or hospitalisation: not an SFI severe criterion"
            )
    mild_signs = [m for m in record.new_or_worse if m in MILD_MANIFESTATIONS]
    if mild_signs:
        add("mild_manifestation", "mild_moderate", "new or worse", ", ".join(mild_signs))
    severe_drugs = SEVERE_DRUGS + (OPTIONAL_SEVERE_DRUGS if record.count_mycophenolate else ())
    if started := [d for d in record.new_drugs if d in severe_drugs]:
        add("new_drug", "severe", "new " + "/".join(severe_drugs), ", ".join(started))
    if started := [d for d in record.new_drugs if d in MILD_DRUGS]:
        add("new_drug", "mild_moderate", "new NSAID/hydroxychloroquine", ", ".join(started))
    if not record.count_mycophenolate and "mycophenolate" in record.new_drugs:
        notes.append("new mycophenolate is not a classic SFI criterion (count_mycophenolate)")
    if record.hospitalised:
        add("hospitalisation", "severe", "hospitalised for lupus activity", "hospitalised")
    if record.pga is not None:
        pga = record.pga
        step = round(pga.current - pga.previous, 9)
        detail = f"PGA {pga.previous:g} -> {pga.current:g} (change {step:+g})"
        if step >= _PGA_STEP and pga.current > _PGA_CUTOFF:
            add("pga", "severe", "increase ≥ 1.0 to > 2.5", detail)
        elif step >= _PGA_STEP:
            add("pga", "mild_moderate", "increase ≥ 1.0, not to > 2.5", detail)
    return fired, notes
