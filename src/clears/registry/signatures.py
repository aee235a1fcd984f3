"""Electronic signatures of records, the locks they set, and an administrator's unlock.

An investigator of the record's centre signs a patient's record or one visit by entering
their password again (21 CFR Part 11 §11.200(a)(1): both components of the sign-in at a
signing outside a continuous session's first one; here at every signing) and choosing the
meaning of the signature from :data:`MEANINGS` (§11.50(a)(3)). The signature stores the
signer's user name, the name shown (the account has no full-name field: the user name),
their role, the UTC time, the meaning, the record and the version signed, and the SHA-256
of that version's canonical values (:func:`record_sha256`), so that the link of signature
and record can be checked (§11.70, :func:`linked`). The manifestation — "Signed by NAME
(role) on DATE TIME UTC — meaning" (§11.50(a), (b)) — is :attr:`Signature.manifestation`.

Signing locks the record (:mod:`clears.registry._locks`): a signed visit refuses every
change and its deletion; a signed patient's record locks the patient row and every record
of the patient, those added later included. Only an administrator unlocks (:func:`unlock`),
giving a reason; the signatures then stay in the history, marked withdrawn by that unlock.
Signing, withdrawing and the lock flag of a visit are audited in the caller's transaction
(entities ``signatures`` and ``visits``). Every call is scoped by the actor's centres: a
record of another centre is "not found".

A wrong password stores nothing and raises :class:`WrongPasswordError`;
:func:`sign_limited` counts it as a failed sign-in of that user from that address in the
sign-in limiter (:class:`clears.registry.SignInLimiter`) and refuses while the limiter
would refuse a sign-in (§11.300(d), attempts at unauthorised use).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ClearsError, ConflictError, InputError, NotFoundError, Problem
from clears.registry import _records, audit
from clears.registry._accounts_passwords import verify_password
from clears.registry._accounts_rules import Account, as_utc
from clears.registry._actor import Actor
from clears.registry._canonical import canonical
from clears.registry._engine import transaction
from clears.registry._locks import RecordLockedError, active_signature, label, shown_time
from clears.registry._models import (
    ENTITY_TABLES,
    SIGNABLE_TABLES,
    SIGNATURE_MEANINGS,
    Centre,
    Patient,
    signatures_table,
    users_table,
)
from clears.registry._permissions import Action, roles_for
from clears.registry._refused import RefusedError
from clears.registry._row_checks import lock_patient
from clears.registry._sessions_limiter import SignInLimiter

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_FILE",
    "LIST_LIMIT",
    "MEANINGS",
    "Meaning",
    "RecordLockedError",
    "Signature",
    "TooManyAttemptsError",
    "WrongPasswordError",
    "check_password",
    "export_signatures",
    "linked",
    "list_signatures",
    "record_sha256",
    "sign",
    "sign_limited",
    "unlock",
]

_TABLE: Final = signatures_table
_ENTITY: Final = "signatures"
#: The most signatures one listing returns (newest first).
LIST_LIMIT: Final = 500


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a signature means (21 CFR Part 11 §11.50(a)(3)): its code, the word shown
    with the signature, and the statement the signer makes."""

    code: str
    word: str
    statement: str


#: The meanings a signer chooses from, in the order forms list them.
MEANINGS: Final[tuple[Meaning, ...]] = (
    Meaning(
        "authorship",
        "authorship",
        "I am the author of these data and they are what I recorded.",
    ),
    Meaning(
        "review",
        "review",
        "I have reviewed these data.",
    ),
    Meaning(
        "approval",
        "approval",
        "I approve these data as complete and correct.",
    ),
)
_BY_CODE: Final[Mapping[str, Meaning]] = {m.code: m for m in MEANINGS}
assert tuple(_BY_CODE) == SIGNATURE_MEANINGS  # the column's CHECK holds the same codes


class WrongPasswordError(InputError):
    """The password entered to sign is not the signer's; nothing was signed."""


class TooManyAttemptsError(ClearsError):
    """Too many failed sign-ins or signatures of this user or address; ``seconds`` to wait."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"too many failed sign-ins or signatures; wait {max(1, round(seconds))} s and try again"
        )


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature as stored, with the patient it belongs to."""

    id: int
    patient_id: str
    table: str
    record_id: int
    record_version: int
    record_sha256: str
    meaning: str
    signer: str
    signer_name: str
    signer_role: str
    signed_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def active(self) -> bool:
        """Whether the signature still stands (no unlock withdrew it)."""
        return self.withdrawn_at is None

    @property
    def record(self) -> str:
        """The record signed, as messages name it (``visit 12``)."""
        return label(self.table, self.record_id, self.patient_id)

    @property
    def manifestation(self) -> str:
        """What the signed record shows (§11.50(a)): name, role, UTC time and meaning.

        Examples
        --------
        >>> at = dt.datetime(2026, 12, 3, 10, 15, tzinfo=dt.UTC)
        >>> s = Signature(1, "P1", "visits", 12, 3, "0" * 64, "approval", "inv_bcn",
        ...               "inv_bcn", "investigator", at)
        >>> s.manifestation
        'Signed by inv_bcn (investigator) on 2026-12-03 10:15 UTC — approval'
        """
        word = _BY_CODE[self.meaning].word if self.meaning in _BY_CODE else self.meaning
        return (
            f"Signed by {self.signer_name} ({self.signer_role}) on "
            f"{shown_time(self.signed_at)} — {word}"
        )

    @property
    def withdrawal(self) -> str:
        """How a withdrawn signature is shown ("" while it is active)."""
        if self.withdrawn_at is None:
            return ""
        return (
            f"withdrawn by {self.withdrawn_by} on {shown_time(self.withdrawn_at)}: "
            f"{self.withdrawal_reason}"
        )


def _audited(row: Any) -> dict[str, Any]:
    """What the audit trail records of a signature row."""
    withdrawn = as_utc(row.withdrawn_at)
    signed = as_utc(row.signed_at)
    assert signed is not None
    return {
        "entity": row.entity,
        "record_id": row.record_id,
        "record_version": row.record_version,
        "record_sha256": row.record_sha256,
        "meaning": row.meaning,
        "signer": row.signer,
        "signer_name": row.signer_name,
        "signer_role": row.signer_role,
        "signed_at": signed.isoformat(),
        "withdrawn_at": withdrawn.isoformat() if withdrawn else None,
        "withdrawn_by": row.withdrawn_by,
        "withdrawal_reason": row.withdrawal_reason,
    }


def _signature(row: Any, patient_id: str) -> Signature:
    signed = as_utc(row.signed_at)
    assert signed is not None
    return Signature(
        id=row.id,
        patient_id=patient_id,
        table=row.entity,
        record_id=row.record_id,
        record_version=row.record_version,
        record_sha256=row.record_sha256,
        meaning=row.meaning,
        signer=row.signer,
        signer_name=row.signer_name,
        signer_role=row.signer_role,
        signed_at=signed,
        withdrawn_at=as_utc(row.withdrawn_at),
        withdrawn_by=row.withdrawn_by,
        withdrawal_reason=row.withdrawal_reason,
    )


def _content(values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values as signed: the lock flag is the signature's effect, not content."""
    return {name: value for name, value in values.items() if name != "locked"}


def _patient_content(session: Session, patient: Patient, patient_id: str) -> dict[str, Any]:
    """A patient's record as signed: the patient row and every record, by table and id."""
    content: dict[str, Any] = {
        "patient": _content(_records.to_record("patients", patient, patient_id).data)
    }
    for table, cls in _records.CLASSES.items():
        if table == "patients":
            continue
        rows = session.scalars(
            sa.select(cls)
            .where(ENTITY_TABLES[table].c.patient_key == patient.id)
            .order_by(ENTITY_TABLES[table].c.id)
        )
        content[table] = [
            {"id": int(row.id), "values": _content(_records.to_record(table, row, patient_id).data)}  # type: ignore[attr-defined]
            for row in rows
        ]
    return content


def record_sha256(content: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a record's canonical values (:func:`clears.registry._canonical.
    canonical`: sorted keys, no spaces, ISO dates), the hash a signature keeps.

    Examples
    --------
    >>> record_sha256({"b": 1, "a": 2}) == hashlib.sha256(b'{"a":2,"b":1}').hexdigest()
    True
    """
    text = canonical(content)
    assert text is not None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _current_content(session: Session, table: str, obj: Any, patient_id: str) -> Mapping[str, Any]:
    if table == "patients":
        return _patient_content(session, obj, patient_id)
    return _content(_records.to_record(table, obj, patient_id).data)


def _signable(table: str) -> None:
    if table not in SIGNABLE_TABLES:
        raise InputError(Problem("table", table, "cannot be signed", ", ".join(SIGNABLE_TABLES)))


def _permitted(account: Account, action: Action, what: str) -> None:
    if not account.may(action):
        allowed = ", ".join(roles_for(action))
        raise RefusedError(f"the {account.role} role may not {what} (allowed: {allowed})")


def check_password(session: Session, *, account: Account, password: str) -> None:
    """Refuse with :class:`WrongPasswordError` unless ``password`` is the account's own
    and the account is enabled (an unknown or disabled one costs the same verification)."""
    row = session.execute(
        sa.select(users_table.c.password_hash, users_table.c.disabled).where(
            users_table.c.username == account.username
        )
    ).first()
    digest = row.password_hash if row is not None else None
    if not verify_password(password, digest) or row is None or row.disabled:
        raise WrongPasswordError(
            Problem(
                "password",
                None,
                "is not your password; nothing was signed (this counts as a failed sign-in)",
                "the password you sign in with",
            )
        )


def sign(
    session: Session,
    *,
    account: Account,
    password: str,
    table: str,
    record_id: int,
    version: int,
    meaning: str,
    at: dt.datetime | None = None,
) -> Signature:
    """Sign a patient's record (``table="patients"``, the patient row's id) or a visit, read
    at ``version``, with ``meaning``; the record is locked from then on.

    The password is checked first (:func:`check_password`). To count a wrong one in the
    sign-in limiter, call :func:`sign_limited`.

    Raises
    ------
    RefusedError
        The account's role may not sign (:data:`clears.registry.PERMISSIONS`).
    WrongPasswordError
        The password is not the account's; nothing is stored.
    InputError
        An unknown meaning or table, or the same signer has already signed the record with
        this meaning (and it still stands).
    NotFoundError
        No such record in the account's centres.
    ConflictError
        The record changed since ``version`` was read.
    """
    _permitted(account, Action.sign, "sign records")
    check_password(session, account=account, password=password)
    return _signed(
        session,
        account=account,
        table=table,
        record_id=record_id,
        version=version,
        meaning=meaning,
        at=at,
    )


def sign_limited(
    engine: sa.Engine,
    limiter: SignInLimiter,
    *,
    address: str,
    account: Account,
    password: str,
    table: str,
    record_id: int,
    version: int,
    meaning: str,
    at: dt.datetime | None = None,
) -> Signature:
    """:func:`sign` in its own transaction, counted by the sign-in limiter.

    The keys are those of a sign-in (``user:NAME``, ``ip:ADDRESS``): while the limiter
    makes a sign-in of this user from ``address`` wait, the signature is refused with
    :class:`TooManyAttemptsError`; a wrong password is recorded as a failed sign-in (after
    its transaction ended, so the count stays), and a signature made forgets the failures,
    as a sign-in does. The password is checked in a read-only transaction, so that the
    Argon2 verification does not hold the registry's write lock.
    """
    _permitted(account, Action.sign, "sign records")
    keys = (f"user:{account.username}", f"ip:{address}")
    wait = limiter.wait_seconds(name=keys[0], address=keys[1])
    if wait > 0:
        raise TooManyAttemptsError(wait)
    try:
        with transaction(engine, write=False) as session:
            check_password(session, account=account, password=password)
    except WrongPasswordError:
        limiter.record_failure(keys)
        raise
    with transaction(engine) as session:
        made = _signed(
            session,
            account=account,
            table=table,
            record_id=record_id,
            version=version,
            meaning=meaning,
            at=at,
        )
    limiter.reset(keys)
    return made


def _meaning(meaning: str) -> Meaning:
    if meaning not in _BY_CODE:
        raise InputError(
            Problem("meaning", meaning, "is not a meaning of a signature", ", ".join(_BY_CODE))
        )
    return _BY_CODE[meaning]


def _signed(
    session: Session,
    *,
    account: Account,
    table: str,
    record_id: int,
    version: int,
    meaning: str,
    at: dt.datetime | None,
) -> Signature:
    """Store the signature (the password already checked), lock the record, audit both."""
    _signable(table)
    chosen = _meaning(meaning)
    actor = account.actor()
    obj, patient_id, _ = _records._load(session, actor=actor, table=table, record_id=record_id)
    patient_key = int(obj.id if table == "patients" else obj.patient_key)  # type: ignore[attr-defined]
    lock_patient(session, patient_key)
    session.refresh(obj)
    current = _records.to_record(table, obj, patient_id)
    what = label(table, record_id, patient_id)
    if current.version != version:
        raise ConflictError(
            f"{what} was changed since you read it (your version {version}, now version "
            f"{current.version}); nothing was signed. Read it again before signing.",
            version=current.version,
        )
    same = session.execute(
        sa.select(_TABLE.c.id).where(
            _TABLE.c.entity == table,
            _TABLE.c.record_id == record_id,
            _TABLE.c.signer == account.username,
            _TABLE.c.meaning == chosen.code,
            _TABLE.c.withdrawn_at.is_(None),
        )
    ).first()
    if same is not None:
        raise InputError(
            Problem(
                "meaning",
                chosen.code,
                f"{what} is already signed by you with this meaning",
                ", ".join(m.code for m in MEANINGS if m.code != chosen.code),
            )
        )
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    new_id = session.execute(
        sa.insert(_TABLE)
        .values(
            patient_key=patient_key,
            entity=table,
            record_id=record_id,
            record_version=version,
            record_sha256=record_sha256(_current_content(session, table, obj, patient_id)),
            meaning=chosen.code,
            signer=account.username,
            signer_name=account.printed_name,
            signer_role=account.role.value,
            signed_at=when,
        )
        .returning(_TABLE.c.id)
    ).scalar_one()
    row = session.execute(sa.select(_TABLE).where(_TABLE.c.id == new_id)).one()
    changes = [audit.Change("insert", _ENTITY, new_id, patient_id, None, _audited(row))]
    if table == "visits" and not current.data.get("locked"):
        changes.append(_set_visit_lock(session, obj, patient_id, True, f"signed ({chosen.code})"))
    audit.append(session, actor=actor, changes=changes, at=when)
    return _signature(row, patient_id)


def _set_visit_lock(
    session: Session, obj: Any, patient_id: str, locked: bool, reason: str
) -> audit.Change:
    """Set a visit's lock flag (a new version); the audit change it makes."""
    before = _records.with_site(session, _records.to_record("visits", obj, patient_id))
    obj.locked = locked
    session.flush()
    after = dataclasses.replace(_records.to_record("visits", obj, patient_id), site=before.site)
    return audit.Change(
        "update", "visits", after.id, patient_id, before.audited(), after.audited(), reason
    )


def unlock(
    session: Session,
    *,
    account: Account,
    table: str,
    record_id: int,
    reason: str,
    at: dt.datetime | None = None,
) -> list[Signature]:
    """Unlock a patient's record (``table="patients"``, the patient row's id) or a visit:
    withdraw its active signatures and clear a visit's lock flag; return those withdrawn.

    Raises
    ------
    RefusedError
        The account is not an administrator (:data:`clears.registry.PERMISSIONS`).
    InputError
        A blank reason; a record that is not locked; a visit locked by its patient's
        signed record (unlock that instead).
    NotFoundError
        No such record in the account's centres.
    """
    _permitted(account, Action.unlock, "unlock records")
    _signable(table)
    if not reason or not reason.strip():
        raise InputError(
            Problem(
                "reason",
                None,
                "is required to unlock a signed or locked record",
                "a non-blank reason",
            )
        )
    actor = account.actor()
    obj, patient_id, _ = _records._load(session, actor=actor, table=table, record_id=record_id)
    patient_key = int(obj.id if table == "patients" else obj.patient_key)  # type: ignore[attr-defined]
    lock_patient(session, patient_key)
    session.refresh(obj)
    what = label(table, record_id, patient_id)
    if table == "visits":
        above = active_signature(session, patient_key=patient_key, table="patients", record_id=None)
        if above is not None:
            raise InputError(
                Problem(
                    "locked",
                    None,
                    f"{what} is locked by the signed record of patient {patient_id}; "
                    "unlock the patient's record instead",
                    patient=patient_id,
                )
            )
    rows = session.execute(
        sa.select(_TABLE)
        .where(
            _TABLE.c.entity == table,
            _TABLE.c.record_id == record_id,
            _TABLE.c.withdrawn_at.is_(None),
        )
        .order_by(_TABLE.c.id)
    ).all()
    locked_flag = table == "visits" and bool(obj.locked)  # type: ignore[attr-defined]
    if not rows and not locked_flag:
        raise InputError(Problem("locked", None, f"{what} is not locked", patient=patient_id))
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    text = reason.strip()
    ids = [row.id for row in rows]
    if ids:
        session.execute(
            sa.update(_TABLE)
            .where(_TABLE.c.id.in_(ids))
            .values(withdrawn_at=when, withdrawn_by=account.username, withdrawal_reason=text)
        )
    after = session.execute(
        sa.select(_TABLE).where(_TABLE.c.id.in_(ids)).order_by(_TABLE.c.id)
    ).all()
    changes = [
        audit.Change("update", _ENTITY, row.id, patient_id, _audited(old), _audited(row), text)
        for old, row in zip(rows, after, strict=True)
    ]
    if locked_flag:
        changes.append(_set_visit_lock(session, obj, patient_id, False, text))
    audit.append(session, actor=actor, changes=changes, at=when)
    return [_signature(row, patient_id) for row in after]


def list_signatures(
    session: Session,
    *,
    actor: Actor,
    patient_id: str | None = None,
    limit: int = LIST_LIMIT,
) -> list[Signature]:
    """Signatures, withdrawn ones included, newest first, at most ``limit``: of one patient
    of the actor's centres (:class:`NotFoundError` otherwise), or of all the actor's
    centres."""
    query = (
        sa.select(_TABLE, Patient.patient_id)
        .join(Patient, _TABLE.c.patient_key == Patient.id)
        .order_by(_TABLE.c.id.desc())
        .limit(max(1, min(limit, LIST_LIMIT)))
    )
    if patient_id is not None:
        patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
        query = query.where(_TABLE.c.patient_key == patient.id)
    elif not actor.all_centres:
        query = query.join(Centre, Patient.centre_key == Centre.id).where(
            Centre.code.in_(sorted(actor.centres))
        )
    return [_signature(row, row.patient_id) for row in session.execute(query)]


def linked(session: Session, *, actor: Actor, signature_id: int) -> bool:
    """Whether the record a signature names still has the values it signed (§11.70): the
    SHA-256 of its canonical values now equals the one stored.

    Raises
    ------
    NotFoundError
        No such signature, or its record is outside the actor's centres or deleted.
    """
    row = session.execute(sa.select(_TABLE).where(_TABLE.c.id == signature_id)).first()
    if row is None:
        raise NotFoundError(f"no signature {signature_id} in your centres")
    obj, patient_id, _ = _records._load(
        session, actor=actor, table=row.entity, record_id=row.record_id
    )
    return bool(
        record_sha256(_current_content(session, row.entity, obj, patient_id)) == row.record_sha256
    )


#: The file of an export that holds the signatures of the exported records (§11.50(b)).
EXPORT_FILE: Final = "signatures.csv"
#: Its columns, in order: the record, the manifestation and its parts, the hash, withdrawal.
EXPORT_COLUMNS: Final = (
    "patient_id",
    "entity",
    "record_id",
    "record_version",
    "manifestation",
    "signer",
    "signer_name",
    "signer_role",
    "signed_at",
    "meaning",
    "record_sha256",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawal_reason",
)
_EXPORT_FETCH: Final = 10_000


def export_signatures(session: Session, *, actor: Actor) -> pd.DataFrame:
    """Every signature of the actor's centres, withdrawn ones included, in the order they
    were made, as :data:`EXPORT_COLUMNS` (times in ISO 8601 UTC); rows are streamed
    :data:`_EXPORT_FETCH` at a time, as the cohort export streams its tables."""
    query = (
        sa.select(_TABLE, Patient.patient_id)
        .join(Patient, _TABLE.c.patient_key == Patient.id)
        .join(Centre, Patient.centre_key == Centre.id)
        .order_by(_TABLE.c.id)
    )
    if not actor.all_centres:
        query = query.where(Centre.code.in_(sorted(actor.centres)))
    rows: list[tuple[Any, ...]] = []
    result = session.execute(query.execution_options(yield_per=_EXPORT_FETCH))
    for row in result:
        s = _signature(row, row.patient_id)
        rows.append(
            (
                s.patient_id,
                s.table,
                s.record_id,
                s.record_version,
                s.manifestation,
                s.signer,
                s.signer_name,
                s.signer_role,
                s.signed_at.isoformat(),
                s.meaning,
                s.record_sha256,
                s.withdrawn_at.isoformat() if s.withdrawn_at else None,
                s.withdrawn_by,
                s.withdrawal_reason,
            )
        )
    return pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
