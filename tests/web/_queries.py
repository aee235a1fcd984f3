"""Builders of the data-query web tests: a query on P1's (BCN) or P2's (LYO) first visit,
brought to a status through the registry (synthetic data only)."""

from __future__ import annotations

from typing import Any

from tests.web._setup import ADMIN

from clears.registry import (
    Role,
    answer_query,
    close_query,
    make_engine,
    open_query,
    timeline,
    transaction,
)

#: The test user of each role at BCN (tests.web._setup.directory; the administrator is
#: network-wide).
ROLE_USERS = {
    Role.administrator: "admin",
    Role.investigator: "inv_bcn",
    Role.data_entry: "entry_bcn",
    Role.monitor: "monitor_bcn",
}


def first_visit(url: str, patient_id: str = "P1") -> tuple[int, int]:
    """The number and version of the patient's first visit."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            visit = timeline(session, actor=ADMIN, patient_id=patient_id)["visits"][0]
    finally:
        engine.dispose()
    return visit.id, visit.version


def seeded_query(
    url: str, status: str = "open", patient_id: str = "P1", text: str = "ANC 1.8?"
) -> Any:
    """A query on ``anc`` of the patient's first visit, brought to ``status``."""
    visit, _ = first_visit(url, patient_id)
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            query = open_query(
                session,
                actor=ADMIN,
                role="monitor",
                patient_id=patient_id,
                table="visits",
                record_id=visit,
                field="anc",
                text=text,
                proposed_value="2.8",
            )
            if status in ("answered", "closed"):
                query = answer_query(
                    session,
                    actor=ADMIN,
                    role="data_entry",
                    query_id=query.id,
                    version=query.version,
                    text="ok",
                )
            if status == "closed":
                query = close_query(
                    session, actor=ADMIN, role="monitor", query_id=query.id, version=query.version
                )
    finally:
        engine.dispose()
    return query
