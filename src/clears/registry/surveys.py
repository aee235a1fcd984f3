"""Patient surveys: single-use, expiring links that save a patient's answers into one visit.

A writer (:data:`clears.registry.PERMISSIONS`, action ``issue_survey``) issues a link for
one visit of a patient in their centres (:func:`issue_survey`). The link carries a random
secret (:func:`clears.registry._hashed_handles.new_handle`, 256 bits) shown once; the
registry keeps only its SHA-256. Whoever holds the link may, without an account:

- :func:`open_survey`: read what the survey offers (the instruments, the language and the
  visit date), nothing of the patient or the visit beyond that;
- :func:`submit_survey`: answer it once. The answers are checked against the instrument
  definitions and written into that visit's columns through the audited record update
  (:func:`clears.registry._records.update`) by the actor ``survey link N`` of the visit's
  centre only, so a value the visit already had shows in its audit trail as an update.

A link is refused, with one error whatever the cause (:class:`SurveyUnavailableError`, so a
refusal tells nothing of why), when it is unknown, used, revoked or expired. Issuing a new
link for a visit revokes its earlier live links; :func:`revoke_survey` revokes one. Issue,
use and revocation are audited (entity ``survey_links``). A signed or locked visit is
refused at issue and at submit (:class:`clears.registry.RecordLockedError`).

Instruments offered are :data:`clears.instruments.core_set.PATIENT_REPORTED`; one
whose wording is copyright (:data:`~clears.instruments.core_set.LICENSED_WORDING`,
the DLQI) is offered only in a language whose wording the licensed centre's file holds
(``CLEARS_INSTRUMENT_WORDING``: ``[dlqi]`` English, ``[dlqi_fr]`` French, ``[dlqi_es]``
Spanish; :func:`licensed_wording`).

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529 (the patient-reported domains). NIST SP
800-63B §7.1 (random secrets, stored hashed). 21 CFR Part 11 §11.10(e) (audit trail).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, NotFoundError, Problem
from clears.instruments._base import InstrumentDefinition, item_wording, parse_level
from clears.instruments.core_set import LICENSED_WORDING, PATIENT_REPORTED
from clears.registry import _records, audit
from clears.registry._accounts_rules import as_utc
from clears.registry._actor import Actor
from clears.registry._hashed_handles import new_handle, token_hash, utc_now
from clears.registry._locks import refuse_if_locked
from clears.registry._models import SURVEY_LANGUAGES, Centre, Patient, Visit, survey_links_table
from clears.registry._permissions import Action
from clears.registry._refused import require
from clears.registry._roles import Role

__all__ = [
    "DEFAULT_HOURS",
    "ENTITY",
    "HOURS_VARIABLE",
    "LANGUAGES",
    "MAX_HOURS",
    "MAX_LIST",
    "IssuedSurvey",
    "OpenSurvey",
    "SurveyLink",
    "SurveyUnavailableError",
    "check_answers",
    "issue_survey",
    "licensed_wording",
    "list_surveys",
    "offered_instruments",
    "open_survey",
    "revoke_survey",
    "submit_survey",
    "survey_hours",
]

#: The audit trail's name for a survey link row.
ENTITY: Final = "survey_links"
#: The languages a survey is offered in (ISO 639-1: English, French, Spanish).
LANGUAGES: Final = SURVEY_LANGUAGES
#: How long a link lasts unless told otherwise, in hours, and the longest allowed.
DEFAULT_HOURS: Final = 72.0
MAX_HOURS: Final = 24.0 * 31
#: The setting naming how long a link lasts (hours).
HOURS_VARIABLE: Final = "CLEARS_SURVEY_HOURS"
#: The most links one listing returns (newest first).
MAX_LIST: Final = 100

_T = survey_links_table
_MAX_DIGITS: Final = 6  # longer numbers are no level of any item (and int() caps digits)
_HOURS_ALLOWED: Final = f"above 0, at most {MAX_HOURS:g}"
_BY_NAME: Final[Mapping[str, InstrumentDefinition]] = {d.name: d for d in PATIENT_REPORTED}


class SurveyUnavailableError(NotFoundError):
    """The survey link is unknown, used, revoked or expired: one refusal for all four, so
    it reveals nothing of which."""

    def __init__(self) -> None:
        super().__init__("this survey link can no longer be used")


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """A survey link as the registry keeps it (never its secret)."""

    id: int
    visit_id: int
    patient_id: str
    centre: str
    visit_date: dt.date
    instruments: tuple[str, ...]
    language: str
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def state(self, now: dt.datetime | None = None) -> str:
        """``used``, ``revoked``, ``expired`` or ``open`` at ``now`` (default: now)."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at < (now or utc_now()):
            return "expired"
        return "open"

    def audited(self) -> dict[str, Any]:
        """The values the audit trail records (no secret, no hash)."""
        return {
            "visit_id": self.visit_id,
            "instruments": ",".join(self.instruments),
            "language": self.language,
            "issued_by": self.issued_by,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "used_at": None if self.used_at is None else self.used_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class IssuedSurvey:
    """A new link and its secret ``token``, shown once (only its hash is stored)."""

    link: SurveyLink
    token: str


@dataclass(frozen=True, slots=True)
class OpenSurvey:
    """What a survey page may show: the link id, the visit date, the language and the
    instruments offered (definitions), nothing else of the patient or the visit."""

    link_id: int
    visit_date: dt.date
    language: str
    instruments: tuple[InstrumentDefinition, ...]


def survey_hours(value: str | None = None) -> float:
    """How long a new link lasts, in hours: ``value``, else ``CLEARS_SURVEY_HOURS``, else 72.

    Raises
    ------
    InputError
        Not a number of hours above 0 and at most :data:`MAX_HOURS`.

    Examples
    --------
    >>> survey_hours("24")
    24.0
    """
    text = value if value is not None else os.environ.get(HOURS_VARIABLE)
    if text is None or not str(text).strip():
        return DEFAULT_HOURS
    try:
        hours = float(text)
    except ValueError:
        hours = float("nan")
    if not 0 < hours <= MAX_HOURS:
        raise InputError(Problem(HOURS_VARIABLE, text, "is not a number of hours", _HOURS_ALLOWED))
    return hours


def licensed_wording(
    definition: InstrumentDefinition, language: str, source: str | Path | None = None
) -> dict[str, str]:
    """The licensed wording of ``definition``'s items in ``language``, by column (empty
    without one): the file's table ``[NAME]`` for English, ``[NAME_fr]``, ``[NAME_es]``.

    Raises
    ------
    InputError
        The file cannot be read or names an unknown item.
    """
    name = definition.name if language == "en" else f"{definition.name}_{language}"
    return item_wording(dataclasses.replace(definition, name=name), source)


def offered_instruments(
    language: str, source: str | Path | None = None
) -> tuple[InstrumentDefinition, ...]:
    """The patient-reported instruments a survey in ``language`` offers: all of
    :data:`PATIENT_REPORTED` but a copyright one without its licensed wording there."""
    return tuple(
        d
        for d in PATIENT_REPORTED
        if d.name not in LICENSED_WORDING
        or len(licensed_wording(d, language, source)) == len(d.fields)
    )


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError(
            Problem("language", language, "is not a survey language", ", ".join(LANGUAGES))
        )
    return language


def _select() -> sa.Select[Any]:
    return (
        sa.select(_T, Patient.patient_id, Centre.code, Visit.visit_date)
        .join(Patient, _T.c.patient_key == Patient.id)
        .join(Centre, _T.c.centre_key == Centre.id)
        .join(Visit, _T.c.visit_key == Visit.id)
    )


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    return as_utc(at) if at is not None else None


def _link(row: Any) -> SurveyLink:
    m = row._mapping
    issued, expires = _aware(m["issued_at"]), _aware(m["expires_at"])
    assert issued is not None
    assert expires is not None
    return SurveyLink(
        id=m["id"],
        visit_id=m["visit_key"],
        patient_id=m["patient_id"],
        centre=m["code"],
        visit_date=m["visit_date"],
        instruments=tuple(n for n in str(m["instruments"]).split(",") if n),
        language=m["language"],
        issued_by=m["issued_by"],
        issued_at=issued,
        expires_at=expires,
        used_at=_aware(m["used_at"]),
        revoked_at=_aware(m["revoked_at"]),
    )


def _get(session: Session, link_id: int) -> SurveyLink:
    return _link(session.execute(_select().where(_T.c.id == link_id)).one())


def _audit(
    session: Session,
    actor: Actor,
    before: SurveyLink | None,
    after: SurveyLink,
    at: dt.datetime,
    reason: str | None = None,
) -> None:
    action = "insert" if before is None else "update"
    old = None if before is None else before.audited()
    change = audit.Change(action, ENTITY, after.id, after.patient_id, old, after.audited(), reason)
    audit.append(session, actor=actor, changes=[change], at=at)


def _revoke_open(session: Session, *, actor: Actor, visit_id: int, now: dt.datetime) -> None:
    ids = (
        session.execute(
            sa.select(_T.c.id).where(
                _T.c.visit_key == visit_id, _T.c.used_at.is_(None), _T.c.revoked_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    for link_id in ids:
        before = _get(session, link_id)
        session.execute(sa.update(_T).where(_T.c.id == link_id).values(revoked_at=now))
        _audit(session, actor, before, _get(session, link_id), now, "a new link was issued")


def issue_survey(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    visit_id: int,
    language: str = "en",
    hours: float = DEFAULT_HOURS,
    wording: str | Path | None = None,
    now: dt.datetime | None = None,
) -> IssuedSurvey:
    """Issue a survey link for a visit in the actor's centres; earlier live links of the
    visit are revoked. The secret ``token`` is in the result only.

    Parameters
    ----------
    language
        One of :data:`LANGUAGES`.
    hours
        How long the link lasts (above 0, at most :data:`MAX_HOURS`).
    wording
        The licensed wording file (default: ``CLEARS_INSTRUMENT_WORDING``).

    Raises
    ------
    RefusedError
        The role may not issue surveys.
    InputError
        An unknown language or hours out of range.
    NotFoundError
        No such visit in the actor's centres.
    RecordLockedError
        The visit (or its patient's record) is signed or locked.
    """
    require(role, Action.issue_survey)
    chosen = _language(language)
    if not 0 < hours <= MAX_HOURS:
        raise InputError(Problem("hours", hours, "is out of range", _HOURS_ALLOWED))
    found = session.execute(
        sa.select(Visit, Patient.patient_id, Patient.centre_key, Centre.code)
        .join(Patient, Visit.patient_key == Patient.id)
        .join(Centre, Patient.centre_key == Centre.id)
        .where(Visit.id == visit_id)
    ).first()
    if found is None or not actor.can_see(found.code):
        raise NotFoundError(f"no visit {visit_id} in your centres")
    visit = found[0]
    refuse_if_locked(
        session,
        table="visits",
        record_id=visit.id,
        patient_key=visit.patient_key,
        patient_id=found.patient_id,
        values={"locked": visit.locked},
    )
    stamp = (now or utc_now()).astimezone(dt.UTC)
    _revoke_open(session, actor=actor, visit_id=visit.id, now=stamp)
    token = new_handle()
    names = ",".join(d.name for d in offered_instruments(chosen, wording))
    new_id = session.execute(
        sa.insert(_T)
        .values(
            visit_key=visit.id,
            patient_key=visit.patient_key,
            centre_key=found.centre_key,
            token_hash=token_hash(token),
            instruments=names,
            language=chosen,
            issued_by=actor.user,
            issued_at=stamp,
            expires_at=stamp + dt.timedelta(hours=hours),
        )
        .returning(_T.c.id)
    ).scalar_one()
    link = _get(session, new_id)
    _audit(session, actor, None, link, stamp)
    return IssuedSurvey(link, token)


def _live(session: Session, token: str, now: dt.datetime) -> SurveyLink:
    row = session.execute(_select().where(_T.c.token_hash == token_hash(token))).first()
    if row is None:
        raise SurveyUnavailableError
    link = _link(row)
    if link.state(now) != "open":
        raise SurveyUnavailableError
    return link


def open_survey(session: Session, *, token: str, now: dt.datetime | None = None) -> OpenSurvey:
    """What the link's survey offers, if the link is live.

    Raises
    ------
    SurveyUnavailableError
        The link is unknown, used, revoked or expired (one error for all).
    """
    link = _live(session, token, (now or utc_now()).astimezone(dt.UTC))
    chosen = tuple(_BY_NAME[n] for n in link.instruments if n in _BY_NAME)
    return OpenSurvey(link.id, link.visit_date, link.language, chosen)


def check_answers(
    instruments: Sequence[InstrumentDefinition], answers: Mapping[str, Any]
) -> dict[str, int]:
    """The answers as codes by column, each checked against its item's levels; a blank
    answer is left out (not answered). Every problem is named at once.

    Raises
    ------
    InputError
        A column the survey does not offer, or an answer outside its item's levels.

    Examples
    --------
    >>> from clears.instruments.ptga import DEFINITION
    >>> check_answers([DEFINITION], {"ptga": "7"})
    {'ptga': 7}
    """
    fields = {f.column: f for d in instruments for f in d.fields}
    problems: list[Problem] = []
    codes: dict[str, int] = {}
    for column, raw in answers.items():
        if column not in fields:
            problems.append(
                Problem(column, raw, "is not a question of this survey", ", ".join(fields))
            )
            continue
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        digits = text.removeprefix("-")
        whole = digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS
        value: object = int(text) if whole else text
        parsed = parse_level(fields[column].item, value, column)
        if isinstance(parsed, Problem):
            problems.append(
                dataclasses.replace(parsed, field=fields[column].display_label, value=raw)
            )
        else:
            codes[column] = parsed
    if problems:
        raise InputError(problems)
    return codes


def submit_survey(
    session: Session,
    *,
    token: str,
    answers: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> SurveyLink:
    """Save a patient's answers into the link's visit, once.

    The link is marked used and the answered columns are written through the audited
    record update, as ``survey link N`` acting on the visit's centre only, with the reason
    ``patient survey (link N)``; only the survey's own columns are written. All of it is
    one transaction (the caller's): a refusal writes nothing and leaves the link usable.

    Raises
    ------
    SurveyUnavailableError
        The link is unknown, used, revoked or expired.
    InputError
        An answer outside its item's levels, or a question not offered (every problem named).
    RecordLockedError
        The visit (or its patient's record) was signed or locked since the link was issued.
    """
    stamp = (now or utc_now()).astimezone(dt.UTC)
    link = _live(session, token, stamp)
    offered = [_BY_NAME[n] for n in link.instruments if n in _BY_NAME]
    codes = check_answers(offered, answers)
    claimed = session.execute(
        sa.update(_T)
        .where(
            _T.c.id == link.id,
            _T.c.used_at.is_(None),
            _T.c.revoked_at.is_(None),
            _T.c.expires_at >= stamp,
        )
        .values(used_at=stamp)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:  # used or revoked by another request meanwhile
        raise SurveyUnavailableError
    actor = Actor(f"survey link {link.id}", frozenset({link.centre}))
    if codes:
        visit = _records.get(session, actor=actor, table="visits", record_id=link.visit_id)
        _records.update(
            session,
            actor=actor,
            table="visits",
            record_id=link.visit_id,
            version=visit.version,
            changes=codes,
            reason=f"patient survey (link {link.id})",
            today=stamp.date(),
        )
    else:
        _refuse_if_locked_visit(session, link)
    used = _get(session, link.id)
    _audit(session, actor, link, used, stamp, "answered by the patient")
    return used


def _refuse_if_locked_visit(session: Session, link: SurveyLink) -> None:
    """Refuse (:class:`RecordLockedError`) when the link's visit is signed or locked."""
    visit = session.get_one(Visit, link.visit_id)
    refuse_if_locked(
        session,
        table="visits",
        record_id=link.visit_id,
        patient_key=visit.patient_key,
        patient_id=link.patient_id,
        values={"locked": visit.locked},
    )


def revoke_survey(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    link_id: int,
    now: dt.datetime | None = None,
) -> SurveyLink:
    """Revoke a link of the actor's centres (a used or revoked one is left as it is).

    Raises
    ------
    RefusedError
        The role may not issue surveys.
    NotFoundError
        No such link in the actor's centres.
    """
    require(role, Action.issue_survey)
    row = session.execute(_select().where(_T.c.id == link_id)).first()
    if row is None or not actor.can_see(row.code):
        raise NotFoundError(f"no survey link {link_id} in your centres")
    before = _link(row)
    if before.used_at is not None or before.revoked_at is not None:
        return before
    stamp = (now or utc_now()).astimezone(dt.UTC)
    session.execute(sa.update(_T).where(_T.c.id == link_id).values(revoked_at=stamp))
    after = _get(session, link_id)
    _audit(session, actor, before, after, stamp, "revoked")
    return after


def list_surveys(
    session: Session,
    *,
    actor: Actor,
    visit_id: int | None = None,
    patient_id: str | None = None,
    limit: int = MAX_LIST,
) -> list[SurveyLink]:
    """A visit's or a patient's links (or the actor's centres'), newest first, at most
    ``limit`` (capped at :data:`MAX_LIST`).

    Raises
    ------
    NotFoundError
        The patient is not in the actor's centres.
    """
    query = _select().order_by(_T.c.id.desc()).limit(max(1, min(limit, MAX_LIST)))
    if patient_id is not None:
        patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
        query = query.where(_T.c.patient_key == patient.id)
    if visit_id is not None:
        query = query.where(_T.c.visit_key == visit_id)
    if not actor.all_centres:
        query = query.where(Centre.code.in_(sorted(actor.centres)))
    return [_link(row) for row in session.execute(query)]
