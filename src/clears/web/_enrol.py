"""The one answer to an enrolment the registry refuses for its identifier.

Patient identifiers are unique across the whole network, ignoring letter case (one identity
per patient, also when a patient moves between centres; ``docs/registry.md``, "Patient
identifiers"). The registry's own refusal names the registered id, which tells a user of one
centre that another centre holds that patient and how its id is written. The web app answers
every such refusal with :func:`id_refusal` instead: the same status (409), the same words,
naming only the id as typed, whether the id is held in one of the user's centres, in
another centre, or was enrolled by someone else a moment before (``docs/security.md``,
"Existence of patients").
"""

from __future__ import annotations

from clears._exceptions import ConflictError

__all__ = ["id_refusal"]


def id_refusal(patient_id: str) -> ConflictError:
    """The refusal of a new patient whose identifier the registry already holds.

    Examples
    --------
    >>> str(id_refusal("P04"))  # doctest: +NORMALIZE_WHITESPACE
    "patient id 'P04' cannot be used for a new patient; choose another (ids are unique in
    the whole network, ignoring letter case); nothing was written"
    """
    return ConflictError(
        f"patient id {patient_id.strip()!r} cannot be used for a new patient; choose another "
        "(ids are unique in the whole network, ignoring letter case); nothing was written"
    )
