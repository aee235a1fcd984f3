"""Finding and reading protocol files: the bundled ones by name, or a user's TOML/YAML file.

A protocol file may start from a bundled one: ``extends = "cortes2012"`` lays the file over
that protocol (tables merge key by key, arrays and values replace), so a variant states only
what it changes.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from clears._exceptions import InputError, NotFoundError, Problem
from clears.protocol._definition import ProtocolDefinition, parse_protocol

__all__ = ["DEFAULT_PROTOCOL", "available_protocols", "load_protocol"]

#: The seed protocol (Cortés-Hernández 2012 is the default; docs/reference/lenalidomide.md §7).
DEFAULT_PROTOCOL = "cortes2012"
_PREFIX = "protocol_"


def available_protocols() -> tuple[str, ...]:
    """Names of the bundled protocols, sorted.

    ``cortes2012`` is the seed protocol and the default; ``cortes2012_label_holds`` is the
    same dosing with the label's cytopenia hold and resume (an off-label extrapolation that
    must be chosen by name); ``okon_braunstein`` is the Penn protocol.

    Examples
    --------
    >>> available_protocols()
    ('cortes2012', 'cortes2012_label_holds', 'okon_braunstein')
    """
    folder = resources.files("clears") / "data"
    names = [
        entry.name[len(_PREFIX) : -len(".toml")]
        for entry in folder.iterdir()
        if entry.name.startswith(_PREFIX) and entry.name.endswith(".toml")
    ]
    return tuple(sorted(names))


def _parse_text(text: str, name: str, suffix: str) -> dict[str, Any]:
    if suffix in {".yaml", ".yml"}:
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            raise InputError(
                Problem(
                    "PROTOCOL",
                    name,
                    "reading YAML needs the PyYAML package (pip install 'clears[yaml]')",
                    ".toml files",
                )
            ) from None
        data = yaml.safe_load(text)
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(Problem("PROTOCOL", name, f"is not valid TOML: {exc}")) from None
    if not isinstance(data, dict):
        raise InputError(Problem("PROTOCOL", name, "must hold a table/mapping at the top level"))
    return data


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` laid over it: tables merge key by key, anything else replaces.

    So a file that extends another names only what it changes (a table of thresholds, one
    regimen more); the rule list, being an array, is replaced whole when given. Neither input
    is modified.
    """
    out = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _bundled_text(name: str) -> dict[str, Any]:
    resource = resources.files("clears") / "data" / f"{_PREFIX}{name}.toml"
    return _parse_text(resource.read_text("utf-8"), name, ".toml")


def _resolve_extends(data: dict[str, Any], name: str, seen: tuple[str, ...]) -> dict[str, Any]:
    """Lay a protocol document over the bundled protocol it ``extends``, if it names one."""
    if "extends" not in data:
        return data
    base = data["extends"]
    rest = {k: v for k, v in data.items() if k != "extends"}
    bundled = available_protocols()
    if not isinstance(base, str) or base not in bundled:
        raise InputError(
            Problem("extends", base, "is not a bundled protocol", ", ".join(bundled), name)
        )
    if base in (*seen, name):
        raise InputError(
            Problem("extends", base, "extends itself through " + " -> ".join((*seen, name)))
        )
    return _merge(_resolve_extends(_bundled_text(base), base, (*seen, name)), rest)


def load_protocol(name_or_path: str | Path = DEFAULT_PROTOCOL) -> ProtocolDefinition:
    """Return a bundled protocol by name, or read one from a ``.toml``/``.yaml`` file.

    Raises
    ------
    NotFoundError
        For an unknown name that is not an existing file.
    InputError
        For a file that is not a valid protocol (every problem listed).

    Examples
    --------
    >>> load_protocol().name
    'cortes2012'
    """
    text = str(name_or_path)
    if text in available_protocols():
        return parse_protocol(_resolve_extends(_bundled_text(text), text, ()), source=text)
    path = Path(text)
    if not path.is_file():
        raise NotFoundError(
            f"unknown protocol {text!r}: not a bundled protocol "
            f"({', '.join(available_protocols())}) nor an existing .toml/.yaml file"
        )
    data = _parse_text(path.read_text(encoding="utf-8"), path.name, path.suffix.lower())
    return parse_protocol(_resolve_extends(data, path.name, ()), source=path.name)
