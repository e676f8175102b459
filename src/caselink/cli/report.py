"""``caselink report``: the review pack of a series as PDF (or HTML), audited."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.service import audit
from caselink.service.caselink import Caselink
from caselink.service.errors import NotFoundError
from caselink.service.scope import Scope


def report(
    series: Annotated[str, typer.Option("--series", help="The series id (see the web app).")],
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="pack.pdf, or pack.html for HTML.")
    ],
    db: DbOption = None,
) -> None:
    """Write the review pack of a series (summary, map with profile, timeline, link chart,
    explanations, missed checks, persons of interest, provenance); the run is audited."""
    from caselink.web import review_pack

    store = open_store(db)
    by = f"cli:{getpass.getuser()}"
    try:
        pack = review_pack.build(Caselink(store), Scope.everything(), series, by)
    except NotFoundError:
        fail(f"--series {series}: no such series in the store")
    kind = "html" if out.suffix.lower() in (".html", ".htm") else "pdf"
    if kind == "html":
        out.write_text(pack.html, encoding="utf-8")
    else:
        out.write_bytes(review_pack.to_pdf(pack))
    audit.record(store, by, "series.report", series, format=kind, out=str(out))
    console.print(f"review pack of series {series} ({len(pack.case_ids)} cases) written to {out}")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root command."""
    app.command("report")(report)
