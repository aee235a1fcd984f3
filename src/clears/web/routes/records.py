"""Pages that record data: visits (CLASI body map, SLEDAI-2K, labs), treatment periods and
dose changes, adverse events, flares and concomitant medications; and editing any of them.

Every save goes through :mod:`clears.registry.records` (validated with the patient's other
records by the cohort checks, audited, versioned). Every rendered form carries a one-time
token (:mod:`clears.registry._submissions`): a second POST of the same form, a double click
or a retry after a lost response, writes nothing and lands where the first one did. A
rejected save shows the form again with everything typed and each problem next to its
field. An edit made on an older version is merged with what changed since; a field someone
else changed differently shows, with its label, the value typed and the value now stored,
in a form based on the stored version, so that saving it again is a choice made knowingly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from clears._exceptions import ConflictError, InputError
from clears.instruments.clasi import ACTIVITY_MAX, DAMAGE_MAX
from clears.registry import (
    RegistryBusyError,
    claim_submission,
    new_form_token,
    same_value,
    settle_submission,
    shown_value,
)
from clears.registry.patients import patient_centre
from clears.registry.records import RecordTable, add_record, record_at, update_record
from clears.web import _forms as forms
from clears.web._records import patient_record
from clears.web._render import render
from clears.web._threaded import with_form
from clears.web._urls import SegmentRoute, saved_landing
from clears.web.deps import CSRF, RegistryDep, StateDep, WriterUser
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

OtherTable = Literal["treatments", "adverse_events", "flares", "concomitant_medications"]

_TITLES: Mapping[str, str] = {
    "visits": "Visit",
    "treatments": "Treatment period (a dose change starts a new period)",
    "adverse_events": "Adverse event",
    "flares": "Flare",
    "concomitant_medications": "Concomitant medication (a dose change starts a new row)",
}


def _conflict_rows(table: str, error: ConflictError) -> list[dict[str, str]]:
    """One row per field both changed: its label, the value typed and the value stored."""
    return [
        {
            "field": c.field,
            "label": forms.field_label(table, c.field),
            "yours": shown_value(c.yours),
            "current": shown_value(c.current),
        }
        for c in error.conflicts
    ]


def _form_page(
    request: Request,
    state: StateDep,
    user: User,
    *,
    table: str,
    patient_id: str,
    values: Mapping[str, str],
    error: InputError | ConflictError | RegistryBusyError | None = None,
    record_id: int | None = None,
    version: int | None = None,
    reason: str = "",
    centre: str | None = None,
    stored_site: Mapping[str, str] | None = None,
) -> Response:
    """The form with ``values`` (and the reason given) and a fresh form token; a rejected
    save (422) lists its problems next to their fields, a conflict (409) the fields with
    both values, a registry busy with an import (503) until about when. The site-defined
    fields of the table at the patient's ``centre`` follow the built-in ones; stored values
    of fields no longer declared are shown read-only."""
    problems = list(error.problems) if isinstance(error, InputError) else []
    conflicts = _conflict_rows(table, error) if isinstance(error, ConflictError) else []
    busy = isinstance(error, RegistryBusyError)
    status = (
        200 if error is None else 422 if isinstance(error, InputError) else 503 if busy else 409
    )
    context: dict[str, Any] = {
        "table": table,
        "title": _TITLES[table],
        "patient_id": patient_id,
        "values": dict(values),
        "problems": problems,
        # a field both changed is marked like a refused one, to be looked at before saving
        "problem_fields": {p.field for p in problems} | {c["field"] for c in conflicts},
        "conflict": "",
        "conflicts": conflicts,
        "copies": list(error.problems) if isinstance(error, ConflictError) else [],
        "conflict_message": str(error).split("\n")[0] if isinstance(error, ConflictError) else "",
        "record_id": record_id,
        "version": version,
        "reason": reason,
        "busy": str(error) if busy else "",
        "form_token": new_form_token(),
        **_site_context(state, table, centre, stored_site or {}),
    }
    if table == "visits":
        context |= {
            "areas": forms.clasi_areas(),
            "clasi_patient": forms.clasi_patient_fields(),
            "sledai": forms.sledai_fields(),
            "outcomes": forms.outcome_fields(),
            "labs": forms.lab_fields(),
            "totals": forms.TOTAL_LABELS,
            "activity_max": ACTIVITY_MAX,
            "damage_max": DAMAGE_MAX,
        }
        return render(request, state, user, "visit_form.html", status=status, **context)
    context["fields"] = forms.table_fields(table)
    return render(request, state, user, "record_form.html", status=status, **context)


def _site_context(
    state: StateDep, table: str, centre: str | None, stored: Mapping[str, str]
) -> dict[str, Any]:
    """The site-field inputs of the form and the stored values no longer declared."""
    if centre is None:
        return {"site": (), "site_kept": []}
    declared = {f.name for f in state.site_fields.of(table, centre)}
    kept = [(name, text) for name, text in sorted(stored.items()) if name not in declared]
    return {"site": forms.site_form_fields(state.site_fields, table, centre), "site_kept": kept}


def _token(form: FormData) -> str | None:
    token = form.get("form_token")
    return token if isinstance(token, str) and 16 <= len(token) <= 64 else None


def _claimed(session: Session, user: User, token: str | None) -> str | None:
    """Where an earlier save of this form landed (``None``: not saved yet, go on)."""
    return None if token is None else claim_submission(session, actor=user.actor(), token=token)


def _save_new(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    table: RecordTable,
    patient_id: str,
    form: FormData,
) -> Response:
    values = forms.submitted(form)
    own, site = forms.split_site(values)
    token = _token(form)
    landing = saved_landing(patient_id, table)
    try:
        with registry.session() as session:
            earlier = _claimed(session, user, token)
            if earlier is None:
                add_record(
                    session,
                    actor=user.actor(),
                    table=table,
                    patient_id=patient_id,
                    values=own,
                    site_fields=state.site_fields,
                    site_values=site,
                )
                if token is not None:
                    settle_submission(session, token=token, result=landing)
    except (InputError, ConflictError, RegistryBusyError) as exc:
        # Busy: nothing was written and the token is still free, so the form comes back
        # with everything typed, to be saved again once the import is over.
        return _form_page(
            request,
            state,
            user,
            table=table,
            patient_id=patient_id,
            values=values,
            error=exc,
            centre=_check_patient(registry.reading(), user, patient_id),
        )
    return RedirectResponse(earlier or landing, status_code=303)


def _check_patient(registry: RegistryDep, user: User, patient_id: str) -> str:
    """The patient's centre, or 404 when the patient is not in the user's centres."""
    with registry.session() as session:
        return patient_centre(session, actor=user.actor(), patient_id=patient_id)


@router.get("/patients/{patient_id}/visits/new")
def visit_form(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser, patient_id: str
) -> Response:
    """The visit form: CLASI body map with live totals, SLEDAI-2K, labs."""
    centre = _check_patient(registry, user, patient_id)
    return _form_page(
        request, state, user, table="visits", patient_id=patient_id, values={}, centre=centre
    )


@router.post("/patients/{patient_id}/visits/new", dependencies=[CSRF])
async def visit_save(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser, patient_id: str
) -> Response:
    """Save a visit (typed totals are kept as typed; the registry checks them against the
    items)."""
    return await with_form(request, _save_new, request, state, registry, user, "visits", patient_id)


@router.get("/patients/{patient_id}/records/{table}/new")
def record_form(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: OtherTable,
) -> Response:
    """The form of a treatment period, adverse event, flare or concomitant medication."""
    centre = _check_patient(registry, user, patient_id)
    return _form_page(
        request, state, user, table=table, patient_id=patient_id, values={}, centre=centre
    )


@router.post("/patients/{patient_id}/records/{table}/new", dependencies=[CSRF])
async def record_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: OtherTable,
) -> Response:
    """Save a treatment period, adverse event, flare or concomitant medication."""
    return await with_form(request, _save_new, request, state, registry, user, table, patient_id)


def _load(
    registry: RegistryDep, user: User, table: RecordTable, patient_id: str, record_id: int
) -> tuple[int, dict[str, Any]]:
    """The record's version and values, its site values under their input names."""
    with registry.session() as session:
        record = patient_record(
            session, actor=user.actor(), table=table, patient_id=patient_id, record_id=record_id
        )
    return record.version, {**record.data, **forms.site_form_values(record.site)}


def _stored_site(values: Mapping[str, Any]) -> dict[str, str]:
    """The stored site values among what :func:`_load` read, by field name."""
    return {n: str(v) for n, v in forms.split_site(values)[1].items()}


@router.get("/patients/{patient_id}/records/{table}/{record_id}/edit")
def edit_form(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
) -> Response:
    """Edit a record; the version read is carried in the form."""
    version, data = _load(registry, user, table, patient_id, record_id)
    return _form_page(
        request,
        state,
        user,
        table=table,
        patient_id=patient_id,
        values=forms.form_values(data),
        record_id=record_id,
        version=version,
        centre=_check_patient(registry, user, patient_id),
        stored_site=_stored_site(data),
    )


@router.post("/patients/{patient_id}/records/{table}/{record_id}/edit", dependencies=[CSRF])
async def edit_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
) -> Response:
    """Save an edit made on the version read, merged with what changed since."""
    return await with_form(
        request, _edit_save, request, state, registry, user, patient_id, table, record_id
    )


def _version(form: FormData) -> int:
    raw = form.get("version")
    digits = isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 12
    return int(raw) if digits and isinstance(raw, str) else -1


def _after_conflict(
    table: str, typed: Mapping[str, str], current: Mapping[str, Any], base: Mapping[str, Any] | None
) -> dict[str, str]:
    """The form shown with a conflict: the stored version, with every field this person
    changed (from the version they started on) as they typed it."""
    values = forms.form_values(current)
    for name in forms.editable(table):
        mine = typed.get(name, "")
        if base is None or not same_value(mine, shown_value(base.get(name))):
            values[name] = mine
    # Site fields as typed (the conflict rows show the value now stored beside them).
    values |= {name: mine for name, mine in typed.items() if name.startswith(forms.SITE_PREFIX)}
    return {name: value for name, value in values.items() if value}


def _edit_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    table: RecordTable,
    record_id: int,
    form: FormData,
) -> Response:
    # the patient's record, or 404; read without waiting for a writer such as an import
    _, stored = _load(registry.reading(), user, table, patient_id, record_id)
    centre = _check_patient(registry.reading(), user, patient_id)
    typed = forms.submitted(form)
    version = _version(form)
    reason_value = form.get("reason")
    reason = reason_value if isinstance(reason_value, str) and reason_value.strip() else None
    # The form shows every field: a cleared one becomes blank; the registry keeps only the
    # fields changed since the version read (the others keep what is stored now).
    changes: dict[str, Any] = {name: typed.get(name) for name in forms.editable(table)}
    site = {
        f.name: typed.get(forms.SITE_PREFIX + f.name) for f in state.site_fields.of(table, centre)
    }
    token = _token(form)
    landing = saved_landing(patient_id, table)
    try:
        with registry.session() as session:
            earlier = _claimed(session, user, token)
            if earlier is None:
                update_record(
                    session,
                    actor=user.actor(),
                    table=table,
                    record_id=record_id,
                    version=version,
                    changes=changes,
                    reason=reason,
                    site_fields=state.site_fields,
                    site_values=site,
                )
                if token is not None:
                    settle_submission(session, token=token, result=landing)
    except (InputError, RegistryBusyError) as exc:
        return _form_page(
            request,
            state,
            user,
            table=table,
            patient_id=patient_id,
            values=typed,
            error=exc,
            record_id=record_id,
            version=version,
            reason=reason or "",
            centre=centre,
            stored_site=_stored_site(stored),
        )
    except ConflictError as exc:
        return _conflict_page(
            request,
            state,
            registry,
            user,
            table,
            patient_id,
            record_id,
            version,
            typed,
            exc,
            reason or "",
        )
    return RedirectResponse(earlier or landing, status_code=303)


def _conflict_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    table: RecordTable,
    patient_id: str,
    record_id: int,
    version: int,
    typed: Mapping[str, str],
    error: ConflictError,
    reason: str = "",
) -> Response:
    """The form on the stored version, with this person's changes, reason and conflicts."""
    current_version, current = _load(registry, user, table, patient_id, record_id)
    with registry.session() as session:
        base = record_at(
            session, actor=user.actor(), table=table, record_id=record_id, version=version
        )
    return _form_page(
        request,
        state,
        user,
        table=table,
        patient_id=patient_id,
        values=_after_conflict(table, typed, current, base),
        error=error,
        record_id=record_id,
        version=current_version,
        reason=reason,
        centre=_check_patient(registry, user, patient_id),
        stored_site=_stored_site(current),
    )
