"""The registry: database models, migrations, services, audit trail, import and export.

Everything outside the registry uses this package's names (and its public modules
``audit``, ``audit_key``, ``audit_anchor``, ``backups``, ``migrate``, ``exporter``,
``importer``, ``jobs``, ``patients``, ``photos``, ``queries``, ``records``, ``signatures``,
``exports``, ``form_status``, ``surveys`` and ``verification``); its ``_``-prefixed modules
are its own.
A test keeps it that way.
"""

from clears.registry._accounts_passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password,
    hash_password,
    is_password_hash,
    temporary_password,
    verify_password,
)
from clears.registry._accounts_rules import ALL_CENTRES, Account
from clears.registry._actor import Actor
from clears.registry._audit_reads import AUDITED_ENTITIES, last_entry_ids, record_history
from clears.registry._engine import (
    DEFAULT_URL,
    ENV_VAR,
    RegistryBusyError,
    RegistryFullError,
    make_engine,
    parse_url,
    resolve_url,
    shown_url,
    sqlite_path,
    transaction,
)
from clears.registry._hold import RegistryHeldError, hold
from clears.registry._jobs_worker import Progress as JobProgress
from clears.registry._jobs_worker import Runner as JobRunner
from clears.registry._jobs_worker import Worker as JobWorker
from clears.registry._kept_forms import KeptFormStore
from clears.registry._locks import RECORD_NOUNS, RecordLockedError
from clears.registry._merge import same as same_value
from clears.registry._merge import shown as shown_value
from clears.registry._missing_report import (
    CentreMissing,
    RecordMissing,
    centre_missing,
    patient_missing,
)
from clears.registry._models import AuditEntry
from clears.registry._open import RegistryOpenError, connection_failure, open_registry
from clears.registry._patient_ids import find_patient_id
from clears.registry._patient_list import (
    PATIENT_COUNT_LIMIT,
    PATIENT_FILTERS,
    PATIENT_PAGE_SIZE,
    PATIENT_PAGE_SIZE_MAX,
    PATIENT_SORTS,
    PatientPage,
    PatientQuery,
    PatientRow,
    WorklistSummary,
    patient_list_page,
    store_worklist_summaries,
)
from clears.registry._permissions import PERMISSIONS, Action, allows, roles_for
from clears.registry._records import Record
from clears.registry._refused import RefusedError
from clears.registry._required_fields import REQUIRED_FIELDS, missing_fields
from clears.registry._roles import Role
from clears.registry._sessions import SessionStore
from clears.registry._sessions_limiter import SignInLimiter
from clears.registry._status_grid import (
    MAX_VISIT_COLUMNS,
    GridCell,
    GridRow,
    StatusGrid,
    status_grid,
)
from clears.registry._submissions import claim as claim_submission
from clears.registry._submissions import new_token as new_form_token
from clears.registry._submissions import settle as settle_submission
from clears.registry._tokens_lookup import TokenStore, TokenUse
from clears.registry.accounts import (
    ImportedAccount,
    add_account,
    authenticate,
    change_own_password,
    check_new_account,
    count_accounts,
    get_account,
    import_accounts,
    list_accounts,
    reset_password,
    set_centres,
    set_disabled,
    set_full_name,
    set_password,
    set_role,
)
from clears.registry.exporter import export_cohort, write_cohort
from clears.registry.form_status import (
    FormStatus,
    RecordStatus,
    patient_statuses,
    record_status,
    set_form_status,
)
from clears.registry.importer import ImportSummary, import_cohort
from clears.registry.patients import (
    centre_codes,
    create_centre,
    create_patient,
    get_patient,
    list_patients,
    rename_patient,
    timeline,
    update_patient,
)
from clears.registry.queries import (
    QUERY_STATUSES,
    QUERY_TABLES,
    DataQuery,
    QueryMessage,
    QueryPage,
    answer_query,
    close_query,
    correct_query,
    get_query,
    list_queries,
    open_query,
    patient_queries,
    query_counts,
    reopen_query,
)
from clears.registry.records import (
    RecordTable,
    add_record,
    delete_record,
    get_record,
    lock_visit,
    record_at,
    update_record,
)
from clears.registry.signatures import MEANINGS as SIGNATURE_MEANINGS
from clears.registry.signatures import (
    Signature,
    TooManyAttemptsError,
    WrongPasswordError,
    list_signatures,
    sign_limited,
)
from clears.registry.signatures import linked as signature_linked
from clears.registry.signatures import sign as sign_record
from clears.registry.signatures import unlock as unlock_record
from clears.registry.tokens import (
    DEFAULT_MAX_DAYS as DEFAULT_TOKEN_MAX_DAYS,
)
from clears.registry.tokens import (
    ApiToken,
    TokenScope,
    create_token,
    list_tokens,
    revoke_token,
)
from clears.registry.verification import (
    Mark,
    cleared_by_change,
    verify_fields,
    verify_record,
    withdraw_mark,
)
from clears.registry.verification import marks as verification_marks
from clears.registry.verification import patient_marks as patient_verification_marks

__all__ = [
    "ALL_CENTRES",
    "AUDITED_ENTITIES",
    "DEFAULT_TOKEN_MAX_DAYS",
    "DEFAULT_URL",
    "ENV_VAR",
    "MAX_PASSWORD_LENGTH",
    "MAX_VISIT_COLUMNS",
    "MIN_PASSWORD_LENGTH",
    "PATIENT_COUNT_LIMIT",
    "PATIENT_FILTERS",
    "PATIENT_PAGE_SIZE",
    "PATIENT_PAGE_SIZE_MAX",
    "PATIENT_SORTS",
    "PERMISSIONS",
    "QUERY_STATUSES",
    "QUERY_TABLES",
    "RECORD_NOUNS",
    "REQUIRED_FIELDS",
    "SIGNATURE_MEANINGS",
    "Account",
    "Action",
    "Actor",
    "ApiToken",
    "AuditEntry",
    "CentreMissing",
    "DataQuery",
    "FormStatus",
    "GridCell",
    "GridRow",
    "ImportSummary",
    "ImportedAccount",
    "JobProgress",
    "JobRunner",
    "JobWorker",
    "KeptFormStore",
    "Mark",
    "PatientPage",
    "PatientQuery",
    "PatientRow",
    "QueryMessage",
    "QueryPage",
    "Record",
    "RecordLockedError",
    "RecordMissing",
    "RecordStatus",
    "RecordTable",
    "RefusedError",
    "RegistryBusyError",
    "RegistryFullError",
    "RegistryHeldError",
    "RegistryOpenError",
    "Role",
    "SessionStore",
    "SignInLimiter",
    "Signature",
    "StatusGrid",
    "TokenScope",
    "TokenStore",
    "TokenUse",
    "TooManyAttemptsError",
    "WorklistSummary",
    "WrongPasswordError",
    "add_account",
    "add_record",
    "allows",
    "answer_query",
    "authenticate",
    "centre_codes",
    "centre_missing",
    "change_own_password",
    "check_new_account",
    "check_password",
    "claim_submission",
    "cleared_by_change",
    "close_query",
    "connection_failure",
    "correct_query",
    "count_accounts",
    "create_centre",
    "create_patient",
    "create_token",
    "delete_record",
    "export_cohort",
    "find_patient_id",
    "get_account",
    "get_patient",
    "get_query",
    "get_record",
    "hash_password",
    "hold",
    "import_accounts",
    "import_cohort",
    "is_password_hash",
    "last_entry_ids",
    "list_accounts",
    "list_patients",
    "list_queries",
    "list_signatures",
    "list_tokens",
    "lock_visit",
    "make_engine",
    "missing_fields",
    "new_form_token",
    "open_query",
    "open_registry",
    "parse_url",
    "patient_list_page",
    "patient_missing",
    "patient_queries",
    "patient_statuses",
    "patient_verification_marks",
    "query_counts",
    "record_at",
    "record_history",
    "record_status",
    "rename_patient",
    "reopen_query",
    "reset_password",
    "resolve_url",
    "revoke_token",
    "roles_for",
    "same_value",
    "set_centres",
    "set_disabled",
    "set_form_status",
    "set_full_name",
    "set_password",
    "set_role",
    "settle_submission",
    "shown_url",
    "shown_value",
    "sign_limited",
    "sign_record",
    "signature_linked",
    "sqlite_path",
    "status_grid",
    "store_worklist_summaries",
    "temporary_password",
    "timeline",
    "transaction",
    "unlock_record",
    "update_patient",
    "update_record",
    "verification_marks",
    "verify_fields",
    "verify_password",
    "verify_record",
    "withdraw_mark",
    "write_cohort",
]
