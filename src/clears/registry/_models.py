"""The registry's SQLAlchemy 2.0 tables, built from the cohort schema and the instruments.

No clinical column is typed here by hand: every column of a cohort table comes from
:data:`clears.cohort.SCHEMA` (type, allowed values, plausibility range), and every item-level
CLASI, SLEDAI and core-outcome-set column (CLA-IGA, PtGA, itch/pain NRS, DLQI and
Skindex-29+3 items) of ``visits`` comes from the instrument definitions of :data:`INSTRUMENTS`
(:data:`clears.instruments.clasi.DEFINITION`, :data:`clears.instruments.sledai.DEFINITION`,
...),
with a CHECK constraint holding the item's allowed codes. Items are ordinary columns, so they
are queryable one by one (``WHERE clasi_scalp_ery >= 2``).

Entities (issue 7): ``centres``; ``patients`` (pseudonymous identifier only, with the
diagnoses and baseline characteristics of the cohort ``patients`` table); ``treatments``
(constant-dose periods); ``visits`` (item-level CLASI and SLEDAI, and the laboratory values
measured at the visit, as in the cohort ``visits`` table); ``adverse_events`` (CTCAE term
and grade, seriousness, relatedness, action, outcome); ``flares``;
``concomitant_medications`` (cohort tables v2: drug of the medication vocabulary, dates, dose
and unit, indication); and the hash-chained
``audit_log`` with its ``audit_head``. Columns of a cohort file that the schema does not know
are kept per row in the JSON column ``extra``.

The mapped classes declare their fixed columns with ``Mapped[...]``; schema-derived columns
are reached by name (``getattr(visit, "clasi_scalp_ery")``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped
from sqlalchemy.sql.compiler import SQLCompiler

from clears.cohort import REQUIRED_COLUMNS, SCHEMA, Column, Kind
from clears.cohort._schema import CODE_MAX_LENGTH, TEXT_MAX_LENGTH, schema_of
from clears.instruments import Field, InstrumentDefinition, clasi, sledai
from clears.instruments.core_set import CORE_OUTCOMES

__all__ = [
    "ENTITY_TABLES",
    "FORM_STATUSES",
    "INSTRUMENTS",
    "JOB_KINDS",
    "JOB_STATUSES",
    "METADATA",
    "NAMING_CONVENTION",
    "QUERY_STATUSES",
    "QUERY_STEPS",
    "QUERY_TEXT_LENGTH",
    "QUERY_VALUE_LENGTH",
    "ROLES",
    "SIGNABLE_TABLES",
    "SIGNATURE_MEANINGS",
    "SITE_VALUE_LENGTH",
    "STATUS_TABLES",
    "SURVEY_LANGUAGES",
    "USERNAME_LENGTH",
    "AdverseEvent",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Centre",
    "ConcomitantMedication",
    "Flare",
    "Patient",
    "Treatment",
    "Visit",
    "data_columns",
    "item_fields",
]

#: Constraint names that are the same on SQLite and PostgreSQL, so that batch-mode
#: migrations can find and alter them.
NAMING_CONVENTION: Final = MappingProxyType(
    {
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

METADATA: Final = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))

#: Instruments whose items are stored as visit columns: CLASI, SLEDAI-2K and the simple
#: measures of the CLE core outcome set (:data:`clears.instruments.core_set.CORE_OUTCOMES`;
#: revisions 0015 and 0021).
INSTRUMENTS: Final[tuple[InstrumentDefinition, ...]] = (
    clasi.DEFINITION,
    sledai.DEFINITION,
    *CORE_OUTCOMES,
)

_TEXT_LENGTH: Final = TEXT_MAX_LENGTH
#: The longest full name of a user.
FULL_NAME_LENGTH: Final = 200
_CODE_LENGTH: Final = CODE_MAX_LENGTH
#: The cohort columns stored outside the clinical tables keep their schema limits too.
_PATIENT_ID_LENGTH: Final = schema_of("patients")["patient_id"].max_length
_CENTRE_LENGTH: Final = schema_of("patients")["centre"].max_length


class Base(DeclarativeBase):
    """Declarative base of the registry; all tables share :data:`METADATA`."""

    metadata = METADATA


def item_fields() -> tuple[Field, ...]:
    """Every item-level instrument field stored in ``visits``, in declaration order."""
    return tuple(f for definition in INSTRUMENTS for f in definition.fields)


def data_columns(table: str) -> tuple[str, ...]:
    """The cohort columns a registry table stores, in schema order (``patient_id`` and
    ``centre`` are stored as references); visits add every instrument item column."""
    names = [c.name for c in SCHEMA[table] if c.name not in ("patient_id", "centre")]
    if table == "visits":
        names += [f.column for f in item_fields()]
    return tuple(names)


def _quoted(options: tuple[str, ...]) -> str:
    return ", ".join("'" + option.replace("'", "''") + "'" for option in options)


def _schema_column(column: Column, *, required: bool) -> Iterator[sa.Column[Any] | sa.Constraint]:
    """One SQL column for one cohort column, with the CHECK constraints of its allowed values."""
    name = column.name
    kind = column.kind
    types: dict[Kind, sa.types.TypeEngine[Any]] = {
        Kind.date: sa.Date(),
        Kind.boolean: sa.Boolean(create_constraint=False),
        Kind.integer: sa.Integer(),
        Kind.number: sa.Float(),
    }
    # Text-like columns hold at most the schema's limit, the one validation enforces.
    sql_type = sa.String(column.max_length) if column.max_length else types[kind]
    yield sa.Column(name, sql_type, nullable=not required, comment=column.description)
    if kind is Kind.choice:
        yield sa.CheckConstraint(f"{name} IN ({_quoted(column.options)})", name=name)
    if kind in (Kind.integer, Kind.number):
        bounds = []
        if column.minimum is not None:
            bounds.append(f"{name} >= {column.minimum:g}")
        if column.maximum is not None:
            bounds.append(f"{name} <= {column.maximum:g}")
        if bounds:
            yield sa.CheckConstraint(" AND ".join(bounds), name=name)


def _item_column(field: Field) -> Iterator[sa.Column[Any] | sa.Constraint]:
    codes = ", ".join(str(code) for code in field.item.codes)
    yield sa.Column(field.column, sa.SmallInteger(), nullable=True, comment=field.display_label)
    yield sa.CheckConstraint(f"{field.column} IN ({codes})", name=field.column)


def _bookkeeping() -> list[sa.Column[Any]]:
    """Columns every clinical record has: optimistic-concurrency version and timestamps."""
    return [
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("extra", sa.JSON(), nullable=True),
    ]


def _clinical_table(table: str) -> sa.Table:
    required = set(REQUIRED_COLUMNS[table])
    parts: list[sa.Column[Any] | sa.Constraint] = [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "patient_key",
            sa.Integer(),
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
    ]
    for column in SCHEMA[table]:
        if column.name != "patient_id":
            parts += _schema_column(column, required=column.name in required)
    if table == "visits":
        parts.append(
            sa.Column(
                "locked",
                sa.Boolean(create_constraint=False),
                nullable=False,
                server_default=sa.false(),
            )
        )
        for field in item_fields():
            parts += _item_column(field)
    parts += _bookkeeping()
    return sa.Table(table, METADATA, *parts)


centres_table = sa.Table(
    "centres",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("code", sa.String(_CENTRE_LENGTH), nullable=False, unique=True),
    sa.Column("name", sa.String(_TEXT_LENGTH), nullable=True),
)

patients_table = sa.Table(
    "patients",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("patient_id", sa.String(_PATIENT_ID_LENGTH), nullable=False, unique=True),
    sa.Column("centre_key", sa.Integer(), sa.ForeignKey("centres.id"), nullable=False, index=True),
    *(
        part
        for column in SCHEMA["patients"]
        if column.name not in ("patient_id", "centre")
        for part in _schema_column(column, required=False)
    ),
    *_bookkeeping(),
    # Derived, for the patient list's "last visit" sort (clears.registry._list_columns): the
    # latest visit date, or 0001-01-01 when the patient has no visit.
    sa.Column("last_visit_key", sa.Date(), nullable=False, server_default="0001-01-01"),
)

audit_table = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("entity", sa.String(_CODE_LENGTH), nullable=False),
    sa.Column("entity_id", sa.Integer(), nullable=True),
    sa.Column("patient_id", sa.String(_CODE_LENGTH), nullable=True, index=True),
    sa.Column("before", sa.Text(), nullable=True),
    sa.Column("after", sa.Text(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)

audit_head_table = sa.Table(
    "audit_head",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last_id", sa.Integer(), nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

#: Cohort table name → registry table, for the six clinical tables.
ENTITY_TABLES: Final = MappingProxyType(
    {
        "patients": patients_table,
        **{
            name: _clinical_table(name)
            for name in (
                "treatments",
                "visits",
                "adverse_events",
                "flares",
                "concomitant_medications",
            )
        },
    }
)


class Centre(Base):
    """A centre (site) of the network; users act on the centres they belong to."""

    __table__ = centres_table
    id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str | None]


class Patient(Base):
    """A patient, known only by a pseudonymous identifier; baseline characteristics by name."""

    __table__ = patients_table
    # The patient list's derived column is not mapped: the ORM never reads or writes it (it
    # is set by SQL, clears.registry._list_columns), so the services that must run on a
    # registry older than revision 0010 (a rename before 0007) work there too.
    __mapper_args__ = {  # noqa: RUF012
        "version_id_col": patients_table.c.version,
        "exclude_properties": ["last_visit_key"],
    }
    id: Mapped[int]
    patient_id: Mapped[str]
    centre_key: Mapped[int]
    version: Mapped[int]
    extra: Mapped[dict[str, Any] | None]


class _Clinical:
    """Fixed columns shared by the per-patient record classes."""

    id: Mapped[int]
    patient_key: Mapped[int]
    version: Mapped[int]
    extra: Mapped[dict[str, Any] | None]


class Treatment(_Clinical, Base):
    """One constant-dose period of a drug."""

    __table__ = ENTITY_TABLES["treatments"]
    __mapper_args__ = {"version_id_col": ENTITY_TABLES["treatments"].c.version}  # noqa: RUF012
    drug: Mapped[str]
    start_date: Mapped[dt.date]
    dose_mg_per_day: Mapped[float]


class Visit(_Clinical, Base):
    """A visit, with item-level CLASI and SLEDAI and the laboratory values of that day."""

    __table__ = ENTITY_TABLES["visits"]
    __mapper_args__ = {"version_id_col": ENTITY_TABLES["visits"].c.version}  # noqa: RUF012
    visit_date: Mapped[dt.date]
    locked: Mapped[bool]


class AdverseEvent(_Clinical, Base):
    """An adverse event with its CTCAE v5.0 term and grade."""

    __table__ = ENTITY_TABLES["adverse_events"]
    __mapper_args__ = {"version_id_col": ENTITY_TABLES["adverse_events"].c.version}  # noqa: RUF012
    onset_date: Mapped[dt.date]
    term: Mapped[str]
    grade: Mapped[int]


class Flare(_Clinical, Base):
    """An SLE flare."""

    __table__ = ENTITY_TABLES["flares"]
    __mapper_args__ = {"version_id_col": ENTITY_TABLES["flares"].c.version}  # noqa: RUF012
    flare_date: Mapped[dt.date]
    severity: Mapped[str]


class ConcomitantMedication(_Clinical, Base):
    """A concomitant medication period (aspirin, hydroxychloroquine, prednisone...)."""

    __table__ = ENTITY_TABLES["concomitant_medications"]
    __mapper_args__ = {  # noqa: RUF012
        "version_id_col": ENTITY_TABLES["concomitant_medications"].c.version
    }
    drug: Mapped[str]
    start_date: Mapped[dt.date]


class AuditEntry(Base):
    """One append-only entry of the audit trail (see :mod:`clears.registry.audit`)."""

    __table__ = audit_table
    id: Mapped[int]
    at: Mapped[str]
    actor: Mapped[str]
    action: Mapped[str]
    entity: Mapped[str]
    entity_id: Mapped[int | None]
    patient_id: Mapped[str | None]
    before: Mapped[str | None]
    after: Mapped[str | None]
    reason: Mapped[str | None]
    prev_hash: Mapped[str]
    hash: Mapped[str]


class AuditHead(Base):
    """The single row naming the last audit entry: the lock writers take, and the tail check."""

    __table__ = audit_head_table
    id: Mapped[int]
    last_id: Mapped[int]
    last_hash: Mapped[str]


#: Form submissions already saved, by the one-time token each rendered form carries: a
#: second POST of the same form (a double click, a retry after a lost response) finds its
#: token here and lands on the first one's result instead of writing again.
form_tokens_table = sa.Table(
    "form_tokens",
    METADATA,
    sa.Column("token", sa.String(_CODE_LENGTH), primary_key=True),
    sa.Column("actor", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("result", sa.String(_TEXT_LENGTH), nullable=False),
)

#: The kinds of background job and the states a job passes through (clears.registry.jobs).
JOB_KINDS: Final = ("outcomes", "report", "export")
JOB_STATUSES: Final = ("queued", "running", "done", "failed", "cancelled")

#: Cohort-wide work run outside the web request by a worker process
#: (:mod:`clears.registry.jobs`). Not clinical data and not in the audit chain: the row
#: itself records who submitted the job, the centres it may read, and who downloaded it.
jobs_table = sa.Table(
    "jobs",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("parameters", sa.Text(), nullable=False),
    sa.Column("active_key", sa.String(64), nullable=True, unique=True),
    sa.Column("submitted_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("centres", sa.Text(), nullable=False),
    sa.Column(
        "all_centres",
        sa.Boolean(create_constraint=False),
        nullable=False,
        server_default=sa.false(),
    ),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
    sa.Column("phase", sa.String(_TEXT_LENGTH), nullable=False, server_default=""),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("result", sa.LargeBinary(), nullable=True),
    sa.Column("result_media", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("result_name", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("result_size", sa.BigInteger(), nullable=True),
    sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("downloaded_by", sa.String(_TEXT_LENGTH), nullable=True),
    sa.CheckConstraint(f"kind IN ({_quoted(JOB_KINDS)})", name="kind"),
    sa.CheckConstraint(f"status IN ({_quoted(JOB_STATUSES)})", name="status"),
    sa.CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
)


# --- The patient list (docs/registry.md, "The patient list") --------------------------------


def partly_filled(table: sa.Table, columns: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """SQL true for a row where some but not all of ``columns`` are filled."""
    return sa.and_(
        sa.or_(*(table.c[c].is_not(None) for c in columns)),
        sa.or_(*(table.c[c].is_(None) for c in columns)),
    )


def incomplete_visit(table: sa.Table) -> sa.ColumnElement[bool]:
    """SQL true for an incomplete form: a visit where the items of one instrument of
    :data:`INSTRUMENTS` (CLASI, SLEDAI-2K) are partly filled. A visit with no item of an
    instrument (totals only, or not assessed) is not incomplete for it."""
    return sa.or_(*(partly_filled(table, d.columns) for d in INSTRUMENTS))


class IdKey(sa.sql.functions.FunctionElement[str]):
    """A patient id compared ignoring letter case, in the byte order of the lower-case id on
    both backends: ``patient_id COLLATE NOCASE`` on SQLite (which compares A-Z as a-z, then
    bytes) and ``lower(patient_id) COLLATE "C"`` on PostgreSQL (whose default collation
    would order '-', '.' and '_' by locale rules). Identifiers are ASCII (the alphabet of
    :mod:`clears.cohort._ids`), where both fold exactly A-Z. Compare it with
    ``IdKey(sa.literal(text))``, so that both sides are folded and collated alike."""

    type = sa.String()
    inherit_cache = True
    name = "id_key"


class _IndexedIdKey(IdKey):
    """:class:`IdKey` as an index column: PostgreSQL takes the collation as the column's
    option (``lower(patient_id) COLLATE "C"``, see ``postgresql_ops``), which is also how it
    reflects the index, so alembic compares the expression alone."""

    inherit_cache = True
    key = "id_key"


@compiles(IdKey)
def _id_key_default(element: IdKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} COLLATE NOCASE"


@compiles(IdKey, "postgresql")
def _id_key_postgresql(element: IdKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f'(lower({compiler.process(element.clauses, **kw)}) COLLATE "C")'


@compiles(_IndexedIdKey, "postgresql")
def _indexed_id_key_postgresql(element: IdKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


_ID_KEY_OPS: Final = {"id_key": 'COLLATE "C"'}

#: Indexes of the patient list: the id key (prefix search and the id sort), the same within a
#: centre, each patient's visits by date, the incomplete visits alone (a partial index), and
#: each patient's audit entries by id (the last one is the worklist key).
sa.Index(
    "ix_patients_id_key",
    _IndexedIdKey(patients_table.c.patient_id),
    patients_table.c.id,
    postgresql_ops=_ID_KEY_OPS,
)
sa.Index(
    "ix_patients_centre_id_key",
    patients_table.c.centre_key,
    _IndexedIdKey(patients_table.c.patient_id),
    patients_table.c.id,
    postgresql_ops=_ID_KEY_OPS,
)
#: The "last visit" sort (most recent first, then the id key and row number), network-wide
#: and within a centre: each page is one range of these indexes.
sa.Index(
    "ix_patients_last_visit_key",
    patients_table.c.last_visit_key.desc(),
    _IndexedIdKey(patients_table.c.patient_id),
    patients_table.c.id,
    postgresql_ops=_ID_KEY_OPS,
)
sa.Index(
    "ix_patients_centre_last_visit_key",
    patients_table.c.centre_key,
    patients_table.c.last_visit_key.desc(),
    _IndexedIdKey(patients_table.c.patient_id),
    patients_table.c.id,
    postgresql_ops=_ID_KEY_OPS,
)
sa.Index(
    "ix_visits_patient_key_visit_date",
    ENTITY_TABLES["visits"].c.patient_key,
    ENTITY_TABLES["visits"].c.visit_date,
)
sa.Index(
    "ix_visits_incomplete",
    ENTITY_TABLES["visits"].c.patient_key,
    sqlite_where=incomplete_visit(ENTITY_TABLES["visits"]),
    postgresql_where=incomplete_visit(ENTITY_TABLES["visits"]),
)
sa.Index("ix_audit_log_patient_id_id", audit_table.c.patient_id, audit_table.c.id)

#: Each screened patient's worklist summary, stored by the web app's screening (which alone
#: decides alerts; the registry only keeps the counts) under the key it was computed with:
#: the protocol, the day and the patient's last audit entry id. It is stored only while that
#: key is current and removed by any later audited write naming the patient
#: (clears.registry._list_columns), so a summary of the list's protocol and day is current;
#: without one the patient is "not yet screened". ``patient_id`` and ``centre_key`` copy the
#: patient's (fixed for the row: a rename makes a new row, a centre is never changed) for
#: the indexes below.
worklist_summaries_table = sa.Table(
    "worklist_summaries",
    METADATA,
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("patient_id", sa.String(_PATIENT_ID_LENGTH), nullable=False),
    sa.Column("centre_key", sa.Integer(), nullable=False),
    sa.Column("protocol", sa.String(_CODE_LENGTH), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("last_entry_id", sa.Integer(), nullable=False),
    sa.Column("alerts", sa.Integer(), nullable=False),
    sa.Column("overdue", sa.Integer(), nullable=False),
)
#: The screened patients of some centres, counted (the list's "not yet screened" count).
sa.Index(
    "ix_worklist_summaries_screened",
    worklist_summaries_table.c.protocol,
    worklist_summaries_table.c.as_of,
    worklist_summaries_table.c.centre_key,
)
#: The ``alerts`` and ``overdue`` filters of the list: the screened patients with at least
#: one, by protocol and day, in the keyset order of the id sort (id key, row number).
for _count in ("alerts", "overdue"):
    sa.Index(
        f"ix_worklist_summaries_{_count}",
        worklist_summaries_table.c.protocol,
        worklist_summaries_table.c.as_of,
        _IndexedIdKey(worklist_summaries_table.c.patient_id),
        worklist_summaries_table.c.patient_key,
        sqlite_where=worklist_summaries_table.c[_count] > 0,
        postgresql_where=worklist_summaries_table.c[_count] > 0,
        postgresql_ops=_ID_KEY_OPS,
    )


# --- Accounts, sign-in sessions and failed sign-ins (clears.registry.accounts) ---------------

#: The roles of an account (clears.registry.accounts.Role), in the order they are listed.
ROLES: Final = ("administrator", "investigator", "data_entry", "monitor")
#: The longest user name (clears.registry.accounts checks the rule before writing).
USERNAME_LENGTH: Final = 64

#: Web accounts. ``centres`` is a JSON list of centre codes (empty with ``all_centres``);
#: ``password_hash`` is an Argon2id hash, never a password. Every change is audited (entity
#: ``users``) with every column except the hash and the sign-in time.
users_table = sa.Table(
    "users",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("username", sa.String(USERNAME_LENGTH), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("centres", sa.Text(), nullable=False),
    sa.Column(
        "all_centres",
        sa.Boolean(create_constraint=False),
        nullable=False,
        server_default=sa.false(),
    ),
    sa.Column("password_hash", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column(
        "disabled", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()
    ),
    sa.Column(
        "must_change_password",
        sa.Boolean(create_constraint=False),
        nullable=False,
        server_default=sa.false(),
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
    #: The user's full name, printed on their electronic signatures (21 CFR 11.50(a)(1));
    #: revision 0024.
    sa.Column("full_name", sa.String(FULL_NAME_LENGTH), nullable=True),
    sa.CheckConstraint(f"role IN ({_quoted(ROLES)})", name="role"),
)

#: Signed-in sessions, by the SHA-256 of their cookie token (the token itself is never
#: stored). A row ends at sign-out, when its user is disabled, or once ``expires_at`` (the
#: idle limit after ``last_seen_at``) has passed; the ``expires_at`` index finds those.
user_sessions_table = sa.Table(
    "user_sessions",
    METADATA,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_key",
        sa.Integer(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

#: Failed sign-ins, one row each, by what was limited (``user:NAME`` or ``ip:ADDRESS``):
#: counted within the window by ``(key, at)``, and older rows removed through ``at``.
sign_in_failures_table = sa.Table(
    "sign_in_failures",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("key", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)
sa.Index("ix_sign_in_failures_key_at", sign_in_failures_table.c.key, sign_in_failures_table.c.at)

#: The longest label of an API token.
TOKEN_LABEL_LENGTH: Final = 64

#: API tokens for scripts (clears.registry.tokens), by the SHA-256 of their secret (the
#: secret is shown once and never stored). ``centres`` is a JSON list (empty with
#: ``all_centres``), a subset of the user's; every token expires; a revoked one keeps its row
#: (and its audit entries) with ``revoked_at`` set.
api_tokens_table = sa.Table(
    "api_tokens",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "user_key",
        sa.Integer(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("label", sa.String(TOKEN_LABEL_LENGTH), nullable=False),
    sa.Column(
        "can_write", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()
    ),
    sa.Column("centres", sa.Text(), nullable=False),
    sa.Column(
        "all_centres",
        sa.Boolean(create_constraint=False),
        nullable=False,
        server_default=sa.false(),
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

#: Forms whose save met an ended session, kept until their user signs in again
#: (:mod:`clears.registry._kept_forms`): by the SHA-256 of a random handle (the handle
#: itself is never stored), for one user name and one form path, the typed fields as JSON,
#: taken once and removed at ``expires_at`` at the latest.
kept_forms_table = sa.Table(
    "kept_forms",
    METADATA,
    sa.Column("handle_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(USERNAME_LENGTH), nullable=False),
    sa.Column("path", sa.Text(), nullable=False),
    sa.Column("fields", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

#: Clinical photographs (:mod:`clears.registry.photos`), attached to a visit and optionally
#: to one CLASI area (:data:`clears.instruments.clasi.definition.AREAS`). The image itself
#: is a file of the photo store named by ``sha256`` (the digest of the stored, re-encoded
#: JPEG); the row holds what was checked of it. A removal is soft: ``removed_at``,
#: ``removed_by`` and ``removal_reason`` are set and the row and file stay.
photographs_table = sa.Table(
    "photographs",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "visit_key",
        sa.Integer(),
        sa.ForeignKey("visits.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("area", sa.String(32), nullable=True),
    sa.Column("caption", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("view", sa.String(64), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("media_type", sa.String(32), nullable=False),
    sa.Column("width", sa.Integer(), nullable=False),
    sa.Column("height", sa.Integer(), nullable=False),
    sa.Column("byte_size", sa.Integer(), nullable=False),
    sa.Column("uploaded_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("removed_by", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("removal_reason", sa.Text(), nullable=True),
    sa.CheckConstraint(f"area IS NULL OR area IN ({_quoted(clasi.definition.AREAS)})", name="area"),
)


# --- Patient survey links (clears.registry.surveys) -----------------------------------------

#: The languages a patient survey is offered in (ISO 639-1).
SURVEY_LANGUAGES: Final = ("en", "fr", "es")

#: Single-use, expiring survey links (revision 0023): one visit of one patient of one centre,
#: kept as the SHA-256 of the link's random secret (never the secret), with the instruments
#: offered (names, comma-separated), the language, who issued it and when, when it expires,
#: when it was used and when it was revoked (a new link for the visit revokes the earlier).
#: Looked up by its unique hash; listed by visit and by patient.
survey_links_table = sa.Table(
    "survey_links",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "visit_key",
        sa.Integer(),
        sa.ForeignKey("visits.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("centre_key", sa.Integer(), sa.ForeignKey("centres.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("instruments", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("issued_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(f"language IN ({_quoted(SURVEY_LANGUAGES)})", name="language"),
)


# --- Electronic signatures (clears.registry.signatures) -------------------------------------

#: The records an investigator signs: a patient's whole record, or one visit.
SIGNABLE_TABLES: Final = ("patients", "visits")
#: The meanings a signature may state (their wording: clears.registry.signatures.MEANINGS).
SIGNATURE_MEANINGS: Final = ("authorship", "review", "approval")

#: Electronic signatures (21 CFR Part 11 §11.50, §11.70): who signed (user name, the name
#: shown, role), when (UTC), with which meaning, which record (``entity`` and ``record_id``:
#: the patient row or a visit) at which version, and the SHA-256 of that version's
#: canonical values. A signature is never deleted: an administrator's unlock sets
#: ``withdrawn_at``, ``withdrawn_by`` and ``withdrawal_reason``. An active (not withdrawn)
#: signature locks its record; the ``(entity, record_id)`` index finds it, and
#: ``patient_key`` finds a patient's.
signatures_table = sa.Table(
    "signatures",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "patient_key", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False, index=True
    ),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Integer(), nullable=False),
    sa.Column("record_version", sa.Integer(), nullable=False),
    sa.Column("record_sha256", sa.String(64), nullable=False),
    sa.Column("meaning", sa.String(16), nullable=False),
    sa.Column("signer", sa.String(USERNAME_LENGTH), nullable=False),
    sa.Column("signer_name", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("signer_role", sa.String(16), nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("withdrawn_by", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("withdrawal_reason", sa.Text(), nullable=True),
    sa.CheckConstraint(f"entity IN ({_quoted(SIGNABLE_TABLES)})", name="entity"),
    sa.CheckConstraint(f"meaning IN ({_quoted(SIGNATURE_MEANINGS)})", name="meaning"),
)
sa.Index("ix_signatures_entity_record_id", signatures_table.c.entity, signatures_table.c.record_id)
# --- Form status and source data verification (clears.registry.form_status, .verification) --

#: The records that carry a form status: the patient's baseline row and the five record
#: tables (the cohort tables of :data:`ENTITY_TABLES`).
STATUS_TABLES: Final = tuple(ENTITY_TABLES)
#: The stored form statuses (a record without a row is "not set", docs/data-management.md).
FORM_STATUSES: Final = ("incomplete", "complete", "verified")

#: One row per record whose form status someone set: which record (``entity``, ``record_id``),
#: whose (``patient_key``, and ``centre_key`` copied from the patient for the per-centre
#: counts of the dashboard), the status, the record version it was set at, who set it and
#: when, and the required fields missing then.
form_statuses_table = sa.Table(
    "form_statuses",
    METADATA,
    sa.Column("entity", sa.String(32), primary_key=True),
    sa.Column("record_id", sa.Integer(), primary_key=True),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("centre_key", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("record_version", sa.Integer(), nullable=False),
    sa.Column("set_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("missing", sa.Integer(), nullable=False, server_default="0"),
    sa.CheckConstraint(f"entity IN ({_quoted(STATUS_TABLES)})", name="entity"),
    sa.CheckConstraint(f"status IN ({_quoted(FORM_STATUSES)})", name="status"),
)
#: The dashboard's counts per status of one centre and table: one range of this index.
sa.Index(
    "ix_form_statuses_centre_key_entity_status",
    form_statuses_table.c.centre_key,
    form_statuses_table.c.entity,
    form_statuses_table.c.status,
)

#: Source data verification marks: a monitor verified one field (``field``) or the whole
#: record (``field`` NULL) of a record at ``record_version``. A mark is never deleted: an
#: edit of the field (any edit, for a whole-record mark) clears it, setting ``cleared_by``,
#: ``cleared_at`` and ``cleared_version`` (the version the edit made); a mark withdrawn by a
#: monitor is cleared the same way at the current version.
verifications_table = sa.Table(
    "verifications",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Integer(), nullable=False),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("field", sa.String(64), nullable=True),
    sa.Column("record_version", sa.Integer(), nullable=False),
    sa.Column("verified_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("cleared_by", sa.String(_TEXT_LENGTH), nullable=True),
    sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cleared_version", sa.Integer(), nullable=True),
    sa.CheckConstraint(f"entity IN ({_quoted(STATUS_TABLES)})", name="entity"),
)
#: A record's marks (the write path's clearing and the record's verification view).
sa.Index(
    "ix_verifications_entity_record_id",
    verifications_table.c.entity,
    verifications_table.c.record_id,
)

#: The states of a data query and the kinds of step of its thread
#: (:mod:`clears.registry.queries`).
QUERY_STATUSES: Final = ("open", "answered", "closed")
QUERY_STEPS: Final = ("open", "answer", "correct", "close", "reopen")
#: The longest text of a query step and the longest proposed or recorded value.
QUERY_TEXT_LENGTH: Final = 2000
QUERY_VALUE_LENGTH: Final = _TEXT_LENGTH

#: Data queries (discrepancies): a monitor's question on one field of one record of a
#: patient (``entity`` names the cohort table, ``record_id`` the row, ``field`` the column).
#: ``centre_key`` is the patient's centre, kept here so the per-centre list and the counts
#: read this table's indexes only.
data_queries_table = sa.Table(
    "data_queries",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("centre_key", sa.Integer(), sa.ForeignKey("centres.id"), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Integer(), nullable=False),
    sa.Column("field", sa.String(_CODE_LENGTH), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("proposed_value", sa.Text(), nullable=True),
    sa.Column("opened_by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    sa.CheckConstraint(f"status IN ({_quoted(QUERY_STATUSES)})", name="status"),
)
#: The per-centre list (by status, oldest first by number) and the counts per status.
sa.Index(
    "ix_data_queries_centre_key_status_id",
    data_queries_table.c.centre_key,
    data_queries_table.c.status,
    data_queries_table.c.id,
)
#: The per-centre list of every status, oldest first.
sa.Index("ix_data_queries_centre_key_id", data_queries_table.c.centre_key, data_queries_table.c.id)
#: A patient's queries by status (the patient page lists the unresolved ones).
sa.Index(
    "ix_data_queries_patient_key_status",
    data_queries_table.c.patient_key,
    data_queries_table.c.status,
)

#: The thread of a query: one row per step, with the text, the value proposed (open) and,
#: for a correction, the value before and after (as JSON text).
data_query_messages_table = sa.Table(
    "data_query_messages",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "query_key",
        sa.Integer(),
        sa.ForeignKey("data_queries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("step", sa.String(16), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("proposed_value", sa.Text(), nullable=True),
    sa.Column("old_value", sa.Text(), nullable=True),
    sa.Column("new_value", sa.Text(), nullable=True),
    sa.Column("by", sa.String(_TEXT_LENGTH), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"step IN ({_quoted(QUERY_STEPS)})", name="step"),
)

# --- Site-defined fields (clears.registry._site_values, clears.cohort.SiteFields) -----------

#: The longest stored value of a site field: a number, a date, a code or text of at most
#: the schema's text limit.
SITE_VALUE_LENGTH: Final = _TEXT_LENGTH

#: One row per value of a site-defined field of a record: the table (``entity``) and row
#: (``record_id``) it belongs to, the patient (whose centre scopes it), the field's name
#: and its value as canonical text (typed by the field's declaration when read). A field
#: removed from the site-fields file keeps its rows.
site_values_table = sa.Table(
    "site_values",
    METADATA,
    sa.Column("entity", sa.String(32), primary_key=True),
    sa.Column("record_id", sa.Integer(), primary_key=True),
    sa.Column("field", sa.String(_CODE_LENGTH), primary_key=True),
    sa.Column(
        "patient_key",
        sa.Integer(),
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("value", sa.String(SITE_VALUE_LENGTH), nullable=False),
    sa.CheckConstraint(f"entity IN ({_quoted(STATUS_TABLES)})", name="entity"),
)
