"""The installed version of clears."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clears")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
