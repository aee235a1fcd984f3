"""CTCAE v5.0 terms as data: each term's exact text, SOC and per-grade descriptions.

Transcribed from the NCI spreadsheet ``CTCAE_v5.0.xlsx`` ("CTCAE v5.0 Clean Copy" sheet);
the terms, their SOCs and grades are listed in ``docs/instruments/ctcae.md`` ("Clinician-graded
terms"). Every public name is re-exported from :mod:`clears.instruments.ctcae.definition`.

References
----------
National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) Version 5.0.
U.S. Department of Health and Human Services, 27 November 2017.
https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["TERMS", "Term"]


@dataclass(frozen=True, slots=True)
class Term:
    """One CTCAE term: its stable key, exact term text, SOC and per-grade descriptions.

    ``grades`` holds the descriptions of grades 1 to 5 in order; ``None`` marks a grade
    written "–" (not available for this term).
    """

    key: str
    term: str
    soc: str
    grades: tuple[str | None, str | None, str | None, str | None, str | None]
    note: str = ""

    @property
    def available(self) -> tuple[int, ...]:
        """The grades that exist for this term."""
        return tuple(g for g, text in enumerate(self.grades, start=1) if text is not None)

    def description(self, grade: int) -> str:
        """The description of ``grade`` (a grade in :attr:`available`)."""
        text = self.grades[grade - 1] if 1 <= grade <= 5 else None
        if text is None:
            raise KeyError(grade)
        return text


_G4 = "Life-threatening consequences; urgent intervention indicated"
_ABRIDGED = (
    "Grade descriptions abridged in clears (docs/instruments/ctcae.md); check the full "
    "wording against the NCI spreadsheet."
)

_INVESTIGATIONS = "Investigations"
_BLOOD = "Blood and lymphatic system disorders"
_VASCULAR = "Vascular disorders"
_NERVOUS = "Nervous system disorders"
_GENERAL = "General disorders and administration site conditions"
_GI = "Gastrointestinal disorders"
_PSYCH = "Psychiatric disorders"
_SKIN = "Skin and subcutaneous tissue disorders"

_TERM_LIST: tuple[Term, ...] = (
    Term(
        "neutrophil_count_decreased",
        "Neutrophil count decreased",
        _INVESTIGATIONS,
        (
            "<LLN–1500/mm³; <LLN–1.5×10⁹/L",
            "<1500–1000/mm³; <1.5–1.0×10⁹/L",
            "<1000–500/mm³; <1.0–0.5×10⁹/L",
            "<500/mm³; <0.5×10⁹/L",
            None,
        ),
    ),
    Term(
        "white_blood_cell_decreased",
        "White blood cell decreased",
        _INVESTIGATIONS,
        (
            "<LLN–3000/mm³; <LLN–3.0×10⁹/L",
            "<3000–2000/mm³; <3.0–2.0×10⁹/L",
            "<2000–1000/mm³; <2.0–1.0×10⁹/L",
            "<1000/mm³; <1.0×10⁹/L",
            None,
        ),
    ),
    Term(
        "platelet_count_decreased",
        "Platelet count decreased",
        _INVESTIGATIONS,
        (
            "<LLN–75,000/mm³; <LLN–75.0×10⁹/L",
            "<75,000–50,000/mm³; <75.0–50.0×10⁹/L",
            "<50,000–25,000/mm³; <50.0–25.0×10⁹/L",
            "<25,000/mm³; <25.0×10⁹/L",
            None,
        ),
    ),
    Term(
        "lymphocyte_count_decreased",
        "Lymphocyte count decreased",
        _INVESTIGATIONS,
        ("<LLN–800/mm³", "<800–500/mm³", "<500–200/mm³", "<200/mm³", None),
        note="clears holds the /mm³ cells only.",
    ),
    Term(
        "anemia",
        "Anemia",
        _BLOOD,
        (
            "Hgb <LLN–10.0 g/dL; <LLN–6.2 mmol/L; <LLN–100 g/L",
            "Hgb <10.0–8.0 g/dL; <6.2–4.9 mmol/L; <100–80 g/L",
            "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
            _G4,
            "Death",
        ),
    ),
    Term(
        "febrile_neutropenia",
        "Febrile neutropenia",
        _BLOOD,
        (
            None,
            None,
            "ANC <1000/mm³ with a single temperature of >38.3 °C or a sustained temperature "
            "of ≥38 °C for more than one hour",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "thromboembolic_event",
        "Thromboembolic event",
        _VASCULAR,
        (
            "Medical intervention not indicated (e.g., superficial thrombosis)",
            "Medical intervention indicated",
            "Urgent medical intervention indicated (e.g., pulmonary embolism or intracardiac "
            "thrombus)",
            "Life-threatening consequences with hemodynamic or neurologic instability",
            "Death",
        ),
        note=(
            "Navigational note: use Arterial thromboembolism for arterial thrombi, and "
            "transient ischemic attack or stroke for CNS events."
        ),
    ),
    Term(
        "arterial_thromboembolism",
        "Arterial thromboembolism",
        _VASCULAR,
        (
            None,
            None,
            "Urgent intervention indicated",
            "Life-threatening consequences; hemodynamic or neurologic instability; organ "
            "damage; loss of extremity",
            "Death",
        ),
        note="New term in v5.0. " + _ABRIDGED,
    ),
    Term(
        "peripheral_sensory_neuropathy",
        "Peripheral sensory neuropathy",
        _NERVOUS,
        (
            "Asymptomatic",
            "Moderate symptoms; limiting instrumental ADL",
            "Severe symptoms; limiting self-care ADL",
            _G4,
            None,
        ),
        note="Grade 5 was removed in v5.0.",
    ),
    Term(
        "peripheral_motor_neuropathy",
        "Peripheral motor neuropathy",
        _NERVOUS,
        (
            "Asymptomatic; clinical or diagnostic observations only",
            "Moderate symptoms; limiting instrumental ADL",
            "Severe symptoms; limiting self-care ADL",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "somnolence",
        "Somnolence",
        _NERVOUS,
        (
            "Mild but more than usual drowsiness or sleepiness",
            "Moderate sedation; limiting instrumental ADL",
            "Obtundation or stupor",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "fatigue",
        "Fatigue",
        _GENERAL,
        (
            "Fatigue relieved by rest",
            "Fatigue not relieved by rest; limiting instrumental ADL",
            "Fatigue not relieved by rest, limiting self-care ADL",
            None,
            None,
        ),
    ),
    Term(
        "diarrhea",
        "Diarrhea",
        _GI,
        (
            "Increase of <4 stools per day over baseline; mild increase in ostomy output "
            "compared to baseline",
            "Increase of 4–6 stools per day over baseline; moderate increase in ostomy "
            "output compared to baseline; limiting instrumental ADL",
            "Increase of ≥7 stools per day over baseline; hospitalization indicated; severe "
            "increase in ostomy output compared to baseline; limiting self-care ADL",
            _G4,
            "Death",
        ),
    ),
    Term(
        "constipation",
        "Constipation",
        _GI,
        (
            "Occasional or intermittent symptoms",
            "Persistent symptoms with regular use of laxatives; limiting instrumental ADL",
            "Obstipation with manual evacuation indicated; limiting self-care ADL",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "insomnia",
        "Insomnia",
        _PSYCH,
        (
            "Mild difficulty falling asleep, staying asleep or waking up early",
            "Moderate difficulty falling asleep, staying asleep or waking up early",
            "Severe difficulty in falling asleep, staying asleep or waking up early",
            None,
            None,
        ),
        note=_ABRIDGED,
    ),
    Term(
        "rash_maculo_papular",
        "Rash maculo-papular",
        _SKIN,
        (
            "Macules/papules covering <10% BSA with or without symptoms (e.g., pruritus, "
            "burning, tightness)",
            "Macules/papules covering 10–30% BSA with or without symptoms (e.g., pruritus, "
            "burning, tightness); limiting instrumental ADL; rash covering >30% BSA with or "
            "without mild symptoms",
            "Macules/papules covering >30% BSA with moderate or severe symptoms; limiting "
            "self-care ADL",
            None,
            None,
        ),
    ),
    Term(
        "rash_acneiform",
        "Rash acneiform",
        _SKIN,
        (
            "Papules and/or pustules covering <10% BSA, which may or may not be associated "
            "with symptoms of pruritus or tenderness",
            "Papules and/or pustules covering 10–30% BSA, with or without symptoms; "
            "associated with psychosocial impact; limiting instrumental ADL; papules and/or "
            "pustules covering >30% BSA with or without mild symptoms",
            "Papules and/or pustules covering >30% BSA with moderate or severe symptoms; "
            "limiting self-care ADL; associated with local superinfection with oral "
            "antibiotics indicated",
            "Life-threatening consequences; papules and/or pustules covering any % BSA, "
            "associated with extensive superinfection with IV antibiotics indicated",
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "pruritus",
        "Pruritus",
        _SKIN,
        (
            "Mild or localized",
            "Widespread and intermittent",
            "Widespread and constant",
            None,
            None,
        ),
        note=_ABRIDGED,
    ),
)

TERMS: Mapping[str, Term] = {term.key: term for term in _TERM_LIST}
"""The CTCAE v5.0 terms clears knows, by stable snake key."""
