"""A fuzz of the importer (issue 14): random headers, names, values, encodings and sizes.

For any file set: no traceback (only :class:`CaselinkError`), every error names
its file (and, for a row, its row and column), and a refused import leaves the
store exactly as it was. The suite runs a short fuzz; set
``CASELINK_FUZZ_EXAMPLES`` (e.g. 5000) for a long one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.records.csv_format import CASE_OPTIONAL, CASE_REQUIRED
from caselink.records.errors import CaselinkError, InvalidInputError
from caselink.store import Store
from caselink.store.tables import AttributeDef

EXAMPLES = int(os.environ.get("CASELINK_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROW_WITHOUT_COLUMN = ("more values than columns", "unreadable CSV row", "not UTF-8 text")
"""Row errors that may concern a whole row, not one column (a bad byte names its column
when the header tells it: tested in test_import.py)."""

nasty = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12
) | st.sampled_from(
    ["", " ", '"', "'", ";", "`", "[/]", "=1+1", "\r", "\n", "é", "LAT", "gx", "__extra__",
     "t_from", "Weapon", "weapon", "case_id", "a b", "x" * 70, "ü" * 30]
)  # fmt: skip
column_names = st.sampled_from([*CASE_REQUIRED, *CASE_OPTIONAL, "drugs", "hour"]) | nasty
values = (
    nasty
    | st.sampled_from(
        [
            "2014-06-19T03:00:00",
            "2014-06-19",
            "2014-02-30",
            "51.5",
            "-0.1",
            "95",
            "nan",
            "inf",
            "1e400",
            "23",
            "-3",
            "M",
            "F",
            "Q",
            "ghb|alcohol",
            "|",
            "theft",
            "drug_related_death",
        ]
    )
    | st.integers(-(10**6), 10**6).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(repr)
)
sizes = st.sampled_from([0] * 12 + [200_000, 1_100_000])
encodings = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"])


@st.composite
def case_files(draw: st.DrawFn) -> bytes:
    """A cases.csv: usually the required columns, then random ones; random rows."""
    header = [c for c in CASE_REQUIRED if draw(st.integers(0, 9)) > 0]
    header += draw(st.lists(column_names, max_size=6))
    rows = draw(st.lists(st.lists(values, min_size=0, max_size=len(header) + 2), max_size=8))
    long_cell = draw(sizes)
    if long_cell and rows and rows[0]:
        rows[0][0] = "y" * long_cell
    buf = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:  # hand-joined: unbalanced quotes and stray separators stay in
        buf.write(",".join(header) + "\n")
        buf.write("".join(",".join(r) + "\n" for r in rows))
    data = buf.getvalue()
    try:
        return data.encode(draw(encodings))
    except UnicodeEncodeError:
        return data.encode("utf-8")


@st.composite
def side_files(draw: st.DrawFn, kind: str) -> bytes:
    """A people.csv or actions.csv with plausible or random columns and values."""
    known = (
        ["case_id", "role", "name", "dob", "sex", "postcode", "address_lat", "address_lon"]
        if kind == "people"
        else ["case_id", "action", "status", "raised_at", "completed_at", "note"]
    )
    header = draw(st.lists(st.sampled_from(known) | nasty, min_size=0, max_size=6))
    rows = draw(st.lists(st.lists(values, max_size=len(header) + 1), max_size=6))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def fingerprint(store: Store) -> str:
    """A digest of every data table of the store: equal digests, equal stores."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        for table in ("cases", "case_attributes", "person_mentions", "actions", "attribute_defs"):
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")):
                digest.update(repr(tuple(row)).encode())
        digest.update(repr(conn.execute(select(AttributeDef.name)).all()).encode())
    return digest.hexdigest()


def check_error(error: CaselinkError, names: set[str]) -> None:
    """An error names its file, and a row error its row and (if about a cell) its column."""
    assert isinstance(error, InvalidInputError), repr(error)
    assert error.errors
    for e in error.errors:
        assert e.file in names, e
        assert e.row >= 0, e
        if e.row > 0 and not any(kind in e.message for kind in ROW_WITHOUT_COLUMN):
            assert e.column, e
        assert str(e)


def test_the_importer_never_tracebacks_and_a_refusal_changes_nothing(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'fuzz.db'}")
    seed = tmp_path / "seed.csv"
    seed.write_text(
        "case_id,case_type,occurred_from,lat,lon,drugs,hour\n"
        "S1,theft,2014-01-01,51.5,0.1,ghb,4\nS2,robbery,2014-02-01,51.6,0.2,alcohol|ghb,\n",
        encoding="utf-8",
    )
    store.import_files(seed)

    @FUZZ
    @given(
        cases=case_files(),
        people=st.none() | side_files("people"),
        actions=st.none() | side_files("actions"),
        skip=st.booleans(),
    )
    def run(cases: bytes, people: bytes | None, actions: bytes | None, skip: bool) -> None:
        paths = {"cases": tmp_path / "cases.csv"}
        paths["cases"].write_bytes(cases)
        for name, body in (("people", people), ("actions", actions)):
            if body is not None:
                paths[name] = tmp_path / f"{name}.csv"
                paths[name].write_bytes(body)
        rejects = tmp_path / "rejects.csv" if skip else None
        before = fingerprint(store)
        try:
            store.import_files(
                paths["cases"], paths.get("people"), paths.get("actions"), skip_invalid=rejects
            )
        except CaselinkError as exc:
            check_error(exc, {"cases.csv", "people.csv", "actions.csv"})
            assert fingerprint(store) == before
            return
        if rejects is not None:
            with rejects.open(newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    assert row["file"] in {"cases.csv", "people.csv", "actions.csv"}

    run()


def test_the_import_command_never_tracebacks(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "cli.db"

    @settings(FUZZ, max_examples=max(5, EXAMPLES // 4))
    @given(cases=case_files())
    def run(cases: bytes) -> None:
        path = tmp_path / "cases.csv"
        path.write_bytes(cases)
        result = runner.invoke(app, ["import", str(path), "--db", str(db), "--no-alert"])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        if result.exit_code == 1:
            assert "error: " in result.stderr and "Traceback" not in result.stderr

    run()
