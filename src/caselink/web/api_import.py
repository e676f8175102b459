"""``POST /api/import``: the import page's upload as an API call.

The same service call as the page (:meth:`caselink.service.Caselink.import_files`):
the open CSV files as multipart parts ``cases`` (required), ``people`` and
``actions``; every row is checked first and nothing is written when one is
invalid (422 with the rows: file, row, column, value, message) unless
``skip_invalid`` is true, in which case the valid rows are imported and the
rejected ones listed. The importer's force is given to cases without one, and
the imported cases are compared with the store (alerts raised). Audited as
``case.import``, refused or not. Like the rest of the API, a session caller
needs the CSRF header and a Bearer token caller does not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from pydantic import BaseModel

from caselink.records.errors import InvalidInputError, RowError
from caselink.service import audit
from caselink.web.routing import Routes
from caselink.web.security import caller, state

MAX_UPLOAD = 50 * 1024 * 1024
"""The largest file accepted, per part (as on the import page)."""


class RowErrorOut(BaseModel):
    """One invalid cell, row or file (row 0 = the whole file)."""

    file: str
    row: int
    column: str
    value: str
    message: str


class ImportOut(BaseModel):
    """What an import did."""

    cases_inserted: int
    cases_updated: int
    mentions: int
    actions: int
    rejected: list[RowErrorOut]
    """Rows left out (only with ``skip_invalid``)."""
    alert_ids: list[int]
    """The alerts the imported cases raised."""
    not_scored: int
    """Imported cases that could not be compared (see each case's linkage note)."""


class ImportRefused(BaseModel):
    """Nothing was written: every invalid row."""

    error: str
    rows: list[RowErrorOut]


async def _read(name: str, upload: UploadFile | None) -> bytes | None:
    if upload is None or not upload.filename:
        return None
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValueError(f"{name}.csv is larger than {MAX_UPLOAD // 2**20} MiB")
    return data


def _row(e: RowError) -> RowErrorOut:
    return RowErrorOut(file=e.file, row=e.row, column=e.column, value=e.value, message=e.message)


def register(routes: Routes) -> None:
    """Add ``POST /import`` to ``routes`` (the API's, under /api)."""

    @routes.post(
        "/import",
        "case.import",
        response_model=ImportOut,
        responses={422: {"model": ImportRefused, "description": "invalid rows; nothing written"}},
    )
    async def import_files(
        request: Request,
        cases: Annotated[UploadFile, File(description="cases.csv (docs/format.md)")],
        people: Annotated[UploadFile | None, File(description="people.csv")] = None,
        actions: Annotated[UploadFile | None, File(description="actions.csv")] = None,
        skip_invalid: Annotated[
            bool, Form(description="import the valid rows and list the others")
        ] = False,
    ) -> ImportOut:
        """Import open-format CSV files; nothing is written on a row error (422) unless
        ``skip_invalid``."""
        app, who = state(request), caller(request)
        files: dict[str, bytes] = {}
        for name, upload in (("cases", cases), ("people", people), ("actions", actions)):
            data = await _read(name, upload)
            if data is not None:
                files[name] = data
        if "cases" not in files:
            raise ValueError("a cases file is required (multipart part 'cases')")
        try:
            report, rescored = app.service.import_files(
                files, who.user.force, skip_invalid=skip_invalid
            )
        except InvalidInputError as exc:
            audit.record(
                app.service.store,
                who.user.name,
                "case.import",
                None,
                "rejected",
                errors=len(exc.errors),
                via="api",
            )
            raise
        audit.record(
            app.service.store,
            who.user.name,
            "case.import",
            None,
            inserted=report.cases_inserted,
            updated=report.cases_updated,
            rejected=len(report.rejected),
            via="api",
        )
        return ImportOut(
            cases_inserted=report.cases_inserted,
            cases_updated=report.cases_updated,
            mentions=report.mentions,
            actions=report.actions,
            rejected=[_row(e) for e in report.rejected],
            alert_ids=[a.alert_id for a in (rescored.alerts if rescored else []) if a.alert_id],
            not_scored=len(rescored.not_scored) if rescored else 0,
        )
