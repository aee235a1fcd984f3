"""Which role may do what: the one declared table every route and service checks.

Every action a user can take on the registry is an :class:`Action`; :data:`PERMISSIONS`
names, for each, the roles allowed to take it. Services and web routes ask
:func:`allows` (or :meth:`clears.registry.Account.may`) and never compare roles themselves,
so a change of policy is one line here, and a test walks this table route by route.

The split follows the roles of a monitored study (ICH E6(R3) §3.11, monitoring, and
§3.16, data handling; 21 CFR Part 11 §11.10(g), authority checks):

- data entry records data and answers queries but does not sign;
- a monitor reads, opens, closes and re-opens queries, and verifies source data, but never
  changes a record;
- an investigator does what data entry does, exports, and signs and locks records;
- an administrator manages accounts and is the only role that unlocks a signed record.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from clears.registry._roles import Role

__all__ = ["PERMISSIONS", "Action", "allows", "roles_for"]


class Action(StrEnum):
    """Something a user may be allowed to do."""

    read = "read"
    #: Enrol patients, add, change and delete records, upload photographs.
    record = "record"
    export = "export"
    manage_accounts = "manage_accounts"
    #: Mark a record's form incomplete or complete.
    set_form_status = "set_form_status"
    open_query = "open_query"
    answer_query = "answer_query"
    close_query = "close_query"
    #: Mark fields or records verified against source documents (and withdraw the mark).
    verify = "verify"
    sign = "sign"
    lock = "lock"
    unlock = "unlock"
    #: Issue, list and revoke a visit's patient survey link (clears.registry.surveys).
    issue_survey = "issue_survey"


_EVERY: Final = frozenset(Role)
_WRITERS: Final = frozenset({Role.administrator, Role.investigator, Role.data_entry})
_MONITORS: Final = frozenset({Role.administrator, Role.monitor})

#: For each action, the roles allowed to take it.
PERMISSIONS: Final[Mapping[Action, frozenset[Role]]] = {
    Action.read: _EVERY,
    Action.record: _WRITERS,
    Action.export: frozenset({Role.administrator, Role.investigator}),
    Action.manage_accounts: frozenset({Role.administrator}),
    Action.set_form_status: _WRITERS,
    Action.open_query: _MONITORS,
    Action.answer_query: _WRITERS,
    Action.close_query: _MONITORS,
    Action.verify: _MONITORS,
    Action.sign: frozenset({Role.investigator}),
    Action.lock: frozenset({Role.administrator, Role.investigator}),
    Action.unlock: frozenset({Role.administrator}),
    Action.issue_survey: _WRITERS,
}


def allows(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action``.

    Examples
    --------
    >>> allows(Role.monitor, Action.record)
    False
    >>> allows(Role.monitor, Action.open_query)
    True
    """
    return role in PERMISSIONS[action]


def roles_for(action: Action) -> list[Role]:
    """The roles allowed to take ``action``, in :class:`Role` order (for messages)."""
    return [role for role in Role if role in PERMISSIONS[action]]
