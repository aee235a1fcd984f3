"""The roles a registry user can have."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """A user's role; what each may do is :data:`clears.registry.PERMISSIONS`."""

    administrator = "administrator"
    investigator = "investigator"
    data_entry = "data_entry"
    monitor = "monitor"
