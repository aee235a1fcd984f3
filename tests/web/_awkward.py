"""A registry holding awkward patient identifiers, for the link tests (synthetic ids only).

Valid identifiers with the punctuation the alphabet allows are enrolled through the registry;
legacy identifiers from before the alphabet was enforced are inserted with plain SQL,
bypassing every check, as an old database may still hold them.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from tests.web._setup import ADMIN

from clears.registry._engine import make_engine, transaction
from clears.registry._models import Centre, patients_table
from clears.registry.patients import create_patient

#: Identifiers the alphabet allows (clears.cohort._ids): '-', '.' and '_' inside.
VALID: Final = ("P-01", "p.02", "A_3")

#: Identifiers it refuses: each means something in a URL ('/' a new segment, '?' a query,
#: '#' a fragment, '%2F' an encoded '/', ' ' a space, '..' the parent segment).
LEGACY: Final = ("P/04", "P?05", "P#06", "P%2F07", "P 08", "..")

AWKWARD: Final = VALID + LEGACY


def add_awkward_patients(url: str, centre: str = "BCN") -> None:
    """Enrol :data:`VALID` and insert :data:`LEGACY` (raw SQL) at ``centre``."""
    engine = make_engine(url)
    with transaction(engine) as session:
        for pid in VALID:
            create_patient(session, actor=ADMIN, patient_id=pid, centre=centre)
        key = session.execute(sa.select(Centre.id).where(Centre.code == centre)).scalar_one()
        session.execute(
            sa.insert(patients_table),
            [{"patient_id": pid, "centre_key": key, "version": 1} for pid in LEGACY],
        )
    engine.dispose()
