"""Writing a generated data set in the open CSV format (and its ground truth next to it).

Files: ``cases.csv``, ``people.csv``, ``actions.csv``, ``schema.yaml`` (the
importable data) and ``truth_cases.csv``, ``truth_people.csv``,
``truth_offenders.csv`` (never imported: what evaluations compare against).
Times are ISO 8601 (``2014-06-19T05:30:00``, naive UTC), dates ``YYYY-MM-DD``,
coordinates WGS84 with 6 decimals, multi-valued attributes joined by ``|``.
Values are quoted only where needed; missing values are empty fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import yaml

from caselink.records.csv_format import ACTIONS_HEADER, PEOPLE_HEADER, format_number
from caselink.records.model import AttributeKind, AttributeSchema
from caselink.synth.generator import SynthData

DATA_FILES: Final[tuple[str, ...]] = ("cases.csv", "people.csv", "actions.csv", "schema.yaml")
TRUTH_FILES: Final[tuple[str, ...]] = ("truth_cases.csv", "truth_people.csv", "truth_offenders.csv")


def _times(values: pd.Series, unit: str = "s") -> pa.Array:
    arr = np.asarray(values.to_numpy(dtype="datetime64[s]"), dtype="datetime64[s]")
    text = np.datetime_as_string(arr, unit=unit).astype(object)  # type: ignore[call-overload]
    return pa.array(text, type=pa.string(), mask=np.isnat(arr))


def _strings(values: pd.Series) -> pa.Array:
    arr = values.to_numpy(dtype=object)
    missing = np.array([v is None or v != v or v == "" for v in arr], dtype=bool)
    clean = arr.copy()
    clean[missing] = None
    return pa.array(clean, type=pa.string(), mask=missing)


def _floats(values: pd.Series, decimals: int = 6) -> pa.Array:
    arr = np.round(values.to_numpy(dtype=np.float64), decimals)
    return pa.array(arr, type=pa.float64(), mask=np.isnan(arr))


def _number_text(values: pd.Series, decimals: int) -> pa.Array:
    """Numbers as the canonical text of the open format (``19``, ``11.5``)."""
    arr = np.round(values.to_numpy(dtype=np.float64), decimals)
    text = [format_number(float(v)) for v in arr]
    return pa.array(text, type=pa.string(), mask=np.isnan(arr))


def _ints(values: pd.Series) -> pa.Array:
    arr = values.to_numpy(dtype=np.float64)
    missing = np.isnan(arr)
    return pa.array(np.where(missing, 0, arr).astype(np.int64), type=pa.int64(), mask=missing)


def _joined(values: pd.Series) -> pa.Array:
    text = np.array(
        ["|".join(v) if v else None for v in values.to_numpy(dtype=object)], dtype=object
    )
    return pa.array(text, type=pa.string(), mask=np.array([t is None for t in text], dtype=bool))


def _write(table: pa.Table, path: Path) -> None:
    """Write canonical CSV: quotes only where a value needs them (DuckDB's writer).

    pyarrow quotes every string; the canonical form of docs/format.md does not,
    so a generated file set round-trips through import/export byte for byte.
    """
    con = duckdb.connect()
    try:
        con.register("csv_rows", table)
        target = str(path).replace("'", "''")
        con.execute(f"COPY csv_rows TO '{target}' (HEADER, DELIMITER ',')")
    finally:
        con.close()


def cases_table(cases: pd.DataFrame, schema: AttributeSchema) -> pa.Table:
    """The cases frame as the columns of cases.csv."""
    cols: dict[str, pa.Array] = {
        "case_id": _strings(cases["case_id"]),
        "case_type": _strings(cases["case_type"]),
        "occurred_from": _times(cases["occurred_from"]),
        "occurred_to": _times(cases["occurred_to"]),
        "reported_at": _times(cases["reported_at"]),
        "lat": _floats(cases["lat"]),
        "lon": _floats(cases["lon"]),
        "victim_age": _ints(cases["victim_age"]),
    }
    for name in ("victim_sex", "victim_group", "status", "offender_id", "narrative"):
        cols[name] = _strings(cases[name])
    for spec in schema.attributes:
        if spec.kind is AttributeKind.MULTI:
            cols[spec.name] = _joined(cases[spec.name])
        elif spec.kind is AttributeKind.NUMERIC:
            cols[spec.name] = _number_text(cases[spec.name], 3)
        else:
            cols[spec.name] = _strings(cases[spec.name])
    return pa.table(cols)


def people_table(people: pd.DataFrame) -> pa.Table:
    """The mentions frame as the columns of people.csv (row order = mention_id)."""
    cols: dict[str, pa.Array] = {}
    for name in PEOPLE_HEADER:
        if name == "dob":
            cols[name] = _times(people[name], unit="D")
        elif name in ("address_lat", "address_lon"):
            cols[name] = _floats(people[name])
        else:
            cols[name] = _strings(people[name])
    return pa.table(cols)


def actions_table(actions: pd.DataFrame) -> pa.Table:
    """The actions frame as the columns of actions.csv."""
    cols: dict[str, pa.Array] = {}
    for name in ACTIONS_HEADER:
        if name in ("raised_at", "completed_at"):
            cols[name] = _times(actions[name])
        else:
            cols[name] = _strings(actions[name])
    return pa.table(cols)


def schema_yaml(schema: AttributeSchema) -> str:
    """schema.yaml text: ``attributes:`` a list of ``{name, kind, description}``."""
    doc = {
        "attributes": [
            {"name": a.name, "kind": a.kind.value, "description": a.description}
            for a in schema.attributes
        ]
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def write(data: SynthData, outdir: str | Path, *, truth: bool = True) -> list[Path]:
    """Write a generated data set in the open CSV format.

    Parameters
    ----------
    data
        What :func:`caselink.synth.generate` (or ``build_demo``) returned.
    outdir
        Directory to write into (created if needed; existing files are replaced).
    truth
        Also write the ground-truth files (``truth_*.csv``).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    _write(cases_table(data.cases, data.schema), out / "cases.csv")
    _write(people_table(data.people), out / "people.csv")
    _write(actions_table(data.actions), out / "actions.csv")
    (out / "schema.yaml").write_text(schema_yaml(data.schema), encoding="utf-8")
    written += [out / f for f in DATA_FILES]
    if truth:
        _write(
            pa.table(
                {c: _strings(data.truth_cases[c]) for c in ("case_id", "series_id", "offender_id")}
            ),
            out / "truth_cases.csv",
        )
        people_truth: dict[str, pa.Array] = {
            "mention_id": pa.array(data.truth_people["mention_id"].to_numpy(dtype=np.int64)),
            "person_id": _strings(data.truth_people["person_id"]),
        }
        for extra in data.truth_people.columns.drop(["mention_id", "person_id"]):
            people_truth[str(extra)] = _strings(data.truth_people[extra])  # e.g. design B's kin_of
        _write(pa.table(people_truth), out / "truth_people.csv")
        _write(
            pa.table(
                {
                    "offender_id": _strings(data.truth_offenders["offender_id"]),
                    "home_lat": _floats(data.truth_offenders["home_lat"]),
                    "home_lon": _floats(data.truth_offenders["home_lon"]),
                    "person_id": _strings(data.truth_offenders["person_id"]),
                }
            ),
            out / "truth_offenders.csv",
        )
        written += [out / f for f in TRUTH_FILES]
    return written
