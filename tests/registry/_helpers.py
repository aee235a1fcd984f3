"""Small builders shared by the registry tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._actor import Actor
from clears.registry._engine import transaction
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


def race(engine: sa.Engine, save: Callable[[Session, int], object], threads: int) -> list[object]:
    """Run ``save(session, n)`` in ``threads`` threads released at once, each in its own
    transaction; return each outcome, or the exception it raised."""
    barrier = threading.Barrier(threads)
    outcomes: list[object] = [None] * threads

    def run(n: int) -> None:
        barrier.wait()
        try:
            with transaction(engine) as session:
                outcomes[n] = save(session, n)
        except Exception as exc:  # every outcome is checked by the caller
            outcomes[n] = exc

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    return outcomes
