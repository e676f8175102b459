"""caselink: find crimes and unexplained deaths probably committed by the same person.

The library is the product; the CLI (``caselink ...``) is a thin layer over it.
Data flows one way: records -> store -> comparisons -> model -> links -> series -> views.
"""

__version__ = "0.1.0"
