"""The :class:`Alert` every safety, label and monitoring rule emits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ALERT_LEVELS", "Alert"]

#: Alert levels, most urgent first (the safety worklist sorts by this order).
ALERT_LEVELS = ("stop", "hold", "action", "review", "info")


@dataclass(frozen=True)
class Alert:
    """One safety or label alert: ``level`` is stop, hold, action, review or info."""

    rule: str
    level: str
    message: str
    reference: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the alert as a JSON-ready mapping."""
        return {
            "rule": self.rule,
            "level": self.level,
            "message": self.message,
            "reference": self.reference,
            "data": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.data.items()
            },
        }
