"""Audit view of any single record: ``/audit/{entity}/{entity_id}`` and its JSON twin.

``entity`` is ``patients`` (with the pseudonymous patient id) or a record table (with the
record number). A record of another centre answers 404, like one that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clears.registry import record_history
from clears.web._audit import AuditEntity, entry_row
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CurrentUser, RegistryDep, StateDep
from clears.web.schemas import AuditRead

__all__ = ["api_router", "router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)
api_router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["api"])


@router.get("/audit/{entity}/{entity_id}")
def record_audit(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    entity: str,
    entity_id: str,
) -> Response:
    """Every audited change to one record, oldest first."""
    with registry.session() as session:
        patient_id, entries = record_history(
            session, actor=user.actor(), entity=entity, entity_id=entity_id
        )
        rows = [entry_row(e) for e in entries]
    return render(
        request,
        state,
        user,
        "audit.html",
        patient_id=patient_id,
        subject=f"{entity} {entity_id}",
        entries=rows,
    )


@api_router.get("/audit/{entity}/{entity_id}")
def record_audit_api(
    entity: AuditEntity, entity_id: str, registry: RegistryDep, user: CurrentUser
) -> list[AuditRead]:
    """Every audited change to one record (``patients`` takes the patient id), oldest first."""
    with registry.session() as session:
        _, entries = record_history(session, actor=user.actor(), entity=entity, entity_id=entity_id)
        return [AuditRead.model_validate(e) for e in entries]
