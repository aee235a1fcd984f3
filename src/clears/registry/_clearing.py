"""An edit after source data verification clears the verification it invalidates.

Called once from the write path (:func:`clears.registry._records.update`), after the edited
record is stored: every active verification mark of a changed field, and a whole-record
mark on any change, is cleared (``cleared_by``, ``cleared_at`` and the version the edit
made; the mark is kept), each clearing audited. A record that was verified goes back to
complete, or to incomplete when the edit left a required field blank; a complete record
the edit left with a required field blank goes back to incomplete. The returned notices are
what the saving user is told, one per cleared mark ("the verification of anc by
monitor_bcn on 2026-12-03 10:00 UTC was cleared by this change").

Source: ICH E6(R3) §3.11.4 (monitoring: source data verification of critical data) and
§3.16.1 (changes to data are attributable and explained, original entries kept); 21 CFR
Part 11 §11.10(e) (audit trail of changes that do not obscure earlier entries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import form_statuses_table, verifications_table
from clears.registry._status_rows import load_target, stored_status, write_status

__all__ = ["after_edit", "cleared_notice", "forget"]

_m = verifications_table
_f = form_statuses_table


def cleared_notice(field: str | None, verified_by: str, verified_at: dt.datetime) -> str:
    """The sentence telling the saving user a mark was cleared.

    Examples
    --------
    >>> import datetime as dt
    >>> cleared_notice("anc", "monitor_bcn", dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC))
    'the verification of anc by monitor_bcn on 2026-12-03 10:00 UTC was cleared by this change'
    """
    what = field if field is not None else "the whole record"
    when = verified_at.astimezone(dt.UTC) if verified_at.tzinfo else verified_at
    return (
        f"the verification of {what} by {verified_by} on {when:%Y-%m-%d %H:%M} UTC "
        "was cleared by this change"
    )


def after_edit(
    session: Session,
    *,
    actor: Actor,
    table: str,
    record_id: int,
    changed: Collection[str],
    version: int,
) -> tuple[str, ...]:
    """Clear the marks an edit of ``changed`` invalidates and demote the form status;
    return the notices for the saving user (empty when nothing was verified)."""
    marks = session.execute(
        sa.select(_m).where(
            _m.c.entity == table,
            _m.c.record_id == record_id,
            _m.c.cleared_at.is_(None),
            sa.or_(_m.c.field.is_(None), _m.c.field.in_(list(changed))),
        )
    ).all()
    stored = stored_status(session, table, record_id)
    if not marks and stored is None:
        return ()
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    now = dt.datetime.now(dt.UTC)
    notices = []
    for mark in marks:
        session.execute(
            sa.update(_m)
            .where(_m.c.id == mark.id)
            .values(cleared_by=actor.user, cleared_at=now, cleared_version=version)
        )
        notices.append(cleared_notice(mark.field, mark.verified_by, mark.verified_at))
    if marks:
        audit.append(
            session,
            actor=actor,
            changes=[
                audit.Change(
                    "update",
                    "verification",
                    int(mark.id),
                    target.patient_id,
                    {"table": table, "record_id": record_id, "field": mark.field},
                    {
                        "table": table,
                        "record_id": record_id,
                        "field": mark.field,
                        "cleared_version": version,
                    },
                    f"cleared by the change that made version {version}",
                )
                for mark in marks
            ],
        )
    if stored is not None:
        demoted = _demoted(stored.status, bool(marks), bool(target.missing))
        if demoted is not None:
            write_status(
                session,
                actor=actor,
                target=target,
                status=demoted,
                reason=f"form status {stored.status} taken back by the change that made "
                f"version {version}",
            )
    return tuple(notices)


def _demoted(status: str, cleared: bool, missing: bool) -> str | None:
    """The status after an edit, or None when it stays.

    Examples
    --------
    >>> _demoted("verified", True, False), _demoted("verified", True, True)
    ('complete', 'incomplete')
    >>> _demoted("complete", False, True), _demoted("complete", False, False)
    ('incomplete', None)
    """
    if status == "verified" and (cleared or missing):
        return "incomplete" if missing else "complete"
    if status == "complete" and missing:
        return "incomplete"
    return None


def forget(session: Session, *, actor: Actor, table: str, record_id: int, patient_id: str) -> None:
    """Remove a deleted record's status row and marks (their history stays in the audit
    trail), so that a later record given the same id starts "not set"."""
    deleted = session.execute(
        sa.delete(_m).where(_m.c.entity == table, _m.c.record_id == record_id)
    ).rowcount  # type: ignore[attr-defined]
    stored = stored_status(session, table, record_id)
    if stored is None and not deleted:
        return
    session.execute(sa.delete(_f).where(_f.c.entity == table, _f.c.record_id == record_id))
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "delete",
                "form_status",
                record_id,
                patient_id,
                {
                    "table": table,
                    "record_id": record_id,
                    "status": None if stored is None else stored.status,
                },
                None,
                "the record was deleted",
            )
        ],
    )
