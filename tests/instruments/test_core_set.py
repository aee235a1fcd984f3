"""The patient-reported instruments are the core outcome set's patient measures only."""

from __future__ import annotations

from clears.instruments.core_set import LICENSED_WORDING, PATIENT_REPORTED


def test_the_patient_measures_of_the_core_set_and_no_clinician_rating() -> None:
    # Guo 2021, Table 2: PtGA, itch and pain NRS and the DLQI are answered by the patient;
    # CLA-IGA and CLASI are the clinician's.
    names = [definition.name for definition in PATIENT_REPORTED]
    assert {"ptga", "nrs", "dlqi"} <= set(names)
    assert not {"cla_iga", "clasi", "sledai"} & set(names)
    assert len(names) == len(set(names))


def test_the_copyright_wordings_are_the_dlqi_and_skindex() -> None:
    # Finlay & Khan 1992 and Chren 1997: the DLQI and Skindex wordings are copyright;
    # PtGA and NRS are plain scales.
    assert {"dlqi", "skindex"} <= LICENSED_WORDING
    assert not {"ptga", "nrs"} & LICENSED_WORDING
