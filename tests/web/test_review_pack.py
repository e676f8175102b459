"""The review pack: `caselink report` writes a PDF whose text (pdftotext) holds the series id,
its case ids and the model's version; page 1 renders (pdftoppm); the web app serves the same
pack as PDF and HTML; every pack produced is audited."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import caselink
from caselink.cli.main import app
from caselink.service import audit
from tests.web.conftest import Site

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils is not installed (.ci/run installs it)",
)


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@needs_poppler
def test_report_command_writes_a_pdf_review_pack(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        app, ["report", "--db", str(site.store.engine.url), "--series", "S-N1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    text = _text(out)
    assert "Review pack: series S-N1" in text
    for case_id in ("N1", "N2", "N3"):
        assert case_id in text
    assert f"caselink {caselink.__version__}" in text
    assert "both victims lgbt" in text  # each link's explanation
    assert "Missed checks" in text and "Persons of interest" in text
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(out), str(tmp_path / "p")],
        check=True,
    )
    assert (tmp_path / "p-1.png").stat().st_size > 1000
    runs = list(audit.entries(site.store, action="series.report", target="S-N1"))
    assert runs and runs[-1].actor.startswith("cli:")


def test_report_command_refuses_an_unknown_series(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        app, ["report", "--db", str(site.store.engine.url), "--series", "nope", "--out", str(out)]
    )
    assert result.exit_code != 0 and "no such series" in result.output
    assert not out.exists()


@needs_poppler
def test_web_review_pack_is_scoped_and_audited(site: Site, tmp_path: Path) -> None:
    client = site.client("analyst")
    pdf = client.get("/series/S-N1/pack.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "web.pdf"
    path.write_bytes(pdf.content)
    assert "S-N1" in _text(path)
    html = client.get("/series/S-N1/pack.html")
    assert "attachment" in html.headers["content-disposition"]
    assert (
        'id="pack-members"' in html.text and "Produced" in html.text and "by analyst" in html.text
    )
    formats = [e.detail for e in audit.entries(site.store, action="series.report", target="S-N1")]
    assert len(formats) == 2
    assert site.client("analyst-south").get("/series/S-N1/pack.pdf").status_code == 404
    assert site.client("viewer").get("/series/S-N1/pack.pdf").status_code == 403
