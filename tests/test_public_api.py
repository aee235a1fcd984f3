"""The public API is exactly what each package's ``__all__`` says.

Sorting of ``__all__`` is enforced by ruff (RUF022, isort-style order), so this test checks
that every exported name exists and belongs to clears, and that nothing public is missing.
"""

import importlib

import pytest

PACKAGES = [
    "clears",
    "clears.instruments",
    "clears.cohort",
    "clears.criteria",
    "clears.outcomes",
    "clears.evidence",
    "clears.analysis",
    "clears.protocol",
    "clears.simulate",
    "clears.design",
    "clears.registry",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names missing {attr}"


@pytest.mark.parametrize("name", PACKAGES)
def test_nothing_public_is_left_out(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        attr
        for attr in vars(module)
        if not attr.startswith("_")
        and not isinstance(getattr(module, attr), type(importlib))  # submodules
        and attr not in {"annotations"}
    }
    assert public <= set(module.__all__), f"{name} exposes {public - set(module.__all__)}"
