"""Decision support at the visit: protocol engine, monitoring, eligibility and safety rules.

Protocols are data (``clears/data/protocol_*.toml`` or a user's TOML/YAML file) read by one
rule engine; safety rules, the monitoring schedule and the Cortés-Hernández 2012 eligibility
screen cite their sources item by item. See ``docs/protocol.md``.
"""

from clears.protocol._advise import Advice, advise
from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition, parse_protocol
from clears.protocol._deviations import deviations
from clears.protocol._dose import DoseAdvice
from clears.protocol._eligibility import Criterion, Eligibility
from clears.protocol._load import available_protocols, load_protocol
from clears.protocol._monitoring import MonitoringItem
from clears.protocol._worklist import Worklist, WorklistRow, worklist

__all__ = [
    "Advice",
    "Alert",
    "Criterion",
    "DoseAdvice",
    "Eligibility",
    "MonitoringItem",
    "ProtocolDefinition",
    "Worklist",
    "WorklistRow",
    "advise",
    "available_protocols",
    "deviations",
    "load_protocol",
    "parse_protocol",
    "worklist",
]
