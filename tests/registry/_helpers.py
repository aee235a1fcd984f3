"""Small builders shared by the registry tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from clears.registry._actor import Actor
from clears.registry.patients import create_centre, create_patient

ADMIN = Actor.everywhere("admin")
BCN = Actor("dr_bcn", frozenset({"BCN"}))
LYO = Actor("dr_lyo", frozenset({"LYO"}))
TODAY = dt.date(2024, 6, 1)


def two_centres(session: Session) -> None:
    """Centres BCN and LYO with one patient each: P1 (BCN) and P2 (LYO)."""
    create_centre(session, actor=ADMIN, code="BCN")
    create_centre(session, actor=ADMIN, code="LYO")
    create_patient(
        session, actor=ADMIN, patient_id="P1", centre="BCN", values={"sex": "female"}, today=TODAY
    )
    create_patient(session, actor=ADMIN, patient_id="P2", centre="LYO", today=TODAY)
