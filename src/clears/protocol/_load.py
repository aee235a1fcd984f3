"""Finding and reading protocol files: the bundled ones by name, or a user's TOML/YAML file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from clears._exceptions import InputError, NotFoundError, Problem
from clears.protocol._definition import ProtocolDefinition, parse_protocol

__all__ = ["DEFAULT_PROTOCOL", "available_protocols", "load_protocol"]

#: The seed protocol (DESIGN.md: Cortés-Hernández 2012 is the default).
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
                Problem("PROTOCOL", name, "reading YAML needs the PyYAML package", ".toml files")
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
        resource = resources.files("clears") / "data" / f"{_PREFIX}{text}.toml"
        return parse_protocol(_parse_text(resource.read_text("utf-8"), text, ".toml"), source=text)
    path = Path(text)
    if not path.is_file():
        raise NotFoundError(
            f"unknown protocol {text!r}: not a bundled protocol "
            f"({', '.join(available_protocols())}) nor an existing .toml/.yaml file"
        )
    data = _parse_text(path.read_text(encoding="utf-8"), path.name, path.suffix.lower())
    return parse_protocol(data, source=path.name)
