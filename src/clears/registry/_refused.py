"""A role refused an action: the error a registry service raises, naming the allowed roles."""

from __future__ import annotations

from clears._exceptions import ClearsError
from clears.registry._permissions import Action, allows, roles_for
from clears.registry._roles import Role

__all__ = ["RefusedError", "require"]


class RefusedError(ClearsError, PermissionError):
    """The acting role may not take this action (:data:`clears.registry.PERMISSIONS`)."""


def require(role: Role | str, action: Action) -> None:
    """Raise :class:`RefusedError` unless ``role`` may take ``action``.

    Examples
    --------
    >>> require("monitor", Action.set_form_status)
    Traceback (most recent call last):
    ...
    clears.registry._refused.RefusedError: the monitor role may not set_form_status \
(allowed: administrator, investigator, data_entry)
    """
    known = Role(role)
    if not allows(known, action):
        allowed = ", ".join(roles_for(action))
        raise RefusedError(f"the {known} role may not {action} (allowed: {allowed})")
