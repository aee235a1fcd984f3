"""The web's users: the registry's accounts (:class:`clears.registry.Account`).

Accounts live in the registry database (``clears users``, the administrators' page); the
web app reads the signed-in account on every request, so a change is seen at once by every
server process. ``centres`` holding only ``"*"`` makes a network-wide user.
"""

from __future__ import annotations

from clears.registry import ALL_CENTRES, Account, Role

__all__ = ["ALL_CENTRES", "Role", "User"]

#: A signed-in user, as routes receive them (``CurrentUser``).
User = Account
