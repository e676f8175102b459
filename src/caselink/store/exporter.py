"""Export the store back to the open CSV format (canonical form)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caselink.records.csv_format import (
    ACTIONS_HEADER,
    PEOPLE_HEADER,
    PEOPLE_NAME_PARTS,
    action_row,
    case_row,
    cases_header,
    mention_row,
    write_csv,
)
from caselink.records.schema_file import dump_schema
from caselink.store.facade import Store


@dataclass(frozen=True)
class ExportReport:
    """Where an export wrote its files and how many rows each has."""

    cases: int
    people: int
    actions: int
    files: tuple[Path, ...]


def export_store(store: Store, outdir: Path, include_prompts: bool = False) -> ExportReport:
    """Write cases.csv, people.csv, actions.csv and schema.yaml to ``outdir``.

    Cases come in the order they were first stored, mentions and actions in
    import order, so importing a canonical file set and exporting it gives the
    same bytes. Prompts raised by caselink are left out unless asked for.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    schema = store.attribute_schema()
    cases = store.case_records()
    mentions = store.mention_records()
    actions = store.action_records(source=None if include_prompts else "import")
    files = (
        outdir / "cases.csv",
        outdir / "people.csv",
        outdir / "actions.csv",
        outdir / "schema.yaml",
    )
    force = any(c.force for c in cases)
    write_csv(files[0], cases_header(schema, force), [case_row(c, schema, force) for c in cases])
    # the name-part columns only when used, so files without them round-trip byte for byte
    parts = any(m.given_name or m.surname for m in mentions)
    people_header = [*PEOPLE_HEADER, *PEOPLE_NAME_PARTS] if parts else PEOPLE_HEADER
    write_csv(files[1], people_header, [mention_row(m, parts) for m in mentions])
    write_csv(files[2], ACTIONS_HEADER, [action_row(a) for a in actions])
    files[3].write_text(dump_schema(schema), encoding="utf-8")
    return ExportReport(len(cases), len(mentions), len(actions), files)
