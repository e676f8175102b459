"""Entity resolution: the same person, address, phone and vehicle across cases.

* :class:`PersonResolver` -- persons from mentions with a Splink model on
  DuckDB (m by EM, u by random sampling, clusters at a stated match
  probability), full or incremental, with the evidence of each merge.
* :func:`resolve_keys` -- addresses, phones and vehicles by exact normalised
  keys (why keys: see :mod:`caselink.entities.keys`).
* :func:`recurrence_flags` -- what recurs across cases, above all in
  different roles, near other deaths, or in a series.
* :func:`link_graph`, :func:`write_chart` -- the link chart (networkx),
  GraphML and rendered two-hop neighbourhoods.
"""

from caselink.entities.chart import link_graph, neighbourhood, write_chart
from caselink.entities.flags import FLAG_COLUMNS, recurrence_flags
from caselink.entities.keys import KEY_KINDS, resolve_keys
from caselink.entities.normalise import (
    address_key,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    parse_address,
    parse_name,
)
from caselink.entities.persons import (
    RESOLUTION_COLUMNS,
    PersonResolution,
    PersonResolver,
    pairwise_scores,
)

__all__ = [
    "FLAG_COLUMNS",
    "KEY_KINDS",
    "RESOLUTION_COLUMNS",
    "PersonResolution",
    "PersonResolver",
    "address_key",
    "link_graph",
    "neighbourhood",
    "normalise_phone",
    "normalise_postcode",
    "normalise_vehicle",
    "pairwise_scores",
    "parse_address",
    "parse_name",
    "recurrence_flags",
    "resolve_keys",
    "write_chart",
]
