"""caselink: find crimes and unexplained deaths probably committed by the same person.

The library is the product; the CLI (``caselink ...``) is a thin layer over it.
Data flows one way: records -> store -> comparisons -> model -> links -> series -> views.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caselink")
    """The installed package's version (pyproject.toml is its one declaration)."""
except PackageNotFoundError:  # pragma: no cover - running from a source tree never installed
    __version__ = "0+unknown"
