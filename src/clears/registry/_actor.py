"""Who is acting, and on which centres: every registry query is scoped by this."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """The user a registry call acts for, and the centres whose patients they may see.

    Parameters
    ----------
    user
        Name recorded in the audit trail.
    centres
        Centre codes the user belongs to; queries see only those centres' patients.
    all_centres
        ``True`` for network-wide roles (data manager, command-line import): every centre.

    Examples
    --------
    >>> Actor("dr_a", frozenset({"BCN"})).can_see("LYO")
    False
    >>> Actor.everywhere("cli").can_see("LYO")
    True
    """

    user: str
    centres: frozenset[str] = frozenset()
    all_centres: bool = False

    def __post_init__(self) -> None:
        if not self.user.strip():
            raise ValueError("an actor needs a non-blank user name for the audit trail")

    @classmethod
    def everywhere(cls, user: str) -> Actor:
        """An actor who may act on every centre."""
        return cls(user, frozenset(), all_centres=True)

    def can_see(self, centre: str) -> bool:
        """Whether patients of ``centre`` are visible to this actor."""
        return self.all_centres or centre in self.centres
