"""A protocol file in YAML reads as the same protocol as its TOML (PyYAML, the ``yaml`` extra)."""

from __future__ import annotations

import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from clears import InputError
from clears.protocol import load_protocol


def _bundled(name: str) -> dict[str, object]:
    text = (resources.files("clears") / "data" / f"protocol_{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_a_yaml_copy_of_the_bundled_protocol_reads_the_same(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    toml_file = tmp_path / "mine.toml"
    yaml_file = tmp_path / "mine.yaml"
    toml_file.write_text(
        (resources.files("clears") / "data" / "protocol_cortes2012.toml").read_text("utf-8"),
        encoding="utf-8",
    )
    yaml_file.write_text(yaml.safe_dump(_bundled("cortes2012")), encoding="utf-8")
    from_toml, from_yaml = load_protocol(toml_file), load_protocol(yaml_file)
    assert from_yaml.name == "cortes2012"
    assert from_yaml == from_toml  # every field: regimens, rules, thresholds...


def test_without_pyyaml_a_yaml_file_is_refused_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml now raises ImportError
    with pytest.raises(
        InputError, match=r"needs the PyYAML package \(pip install 'clears\[yaml\]'\)"
    ):
        load_protocol(path)
