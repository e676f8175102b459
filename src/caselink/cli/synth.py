"""Commands that make data: ``caselink synth`` (synthetic city) and ``caselink demo-data``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.synth import generate, write
from caselink.synth.demo import demo_dir
from caselink.synth.files import DATA_FILES, TRUTH_FILES

OutDir = Annotated[Path, typer.Argument(file_okay=False, help="Directory to write the files into.")]
LoadOption = Annotated[
    bool,
    typer.Option("--load", help="Also import the written files into the store (--db)."),
]


def parse_check_bias(items: list[str]) -> dict[str, float]:
    """``["lgbt=0.5", ...]`` as ``{"lgbt": 0.5}``; ValueError naming the bad item."""
    out: dict[str, float] = {}
    for item in items:
        group, sep, factor = item.partition("=")
        if not sep or not group.strip():
            raise ValueError(f"--check-bias {item!r}: expected GROUP=FACTOR, e.g. lgbt=0.5")
        try:
            out[group.strip()] = float(factor)
        except ValueError:
            raise ValueError(f"--check-bias {item!r}: FACTOR {factor!r} is not a number") from None
    return out


def _load(outdir: Path, db: str | None) -> None:
    store = open_store(db, create=True)
    report = store.import_files(
        outdir / "cases.csv", outdir / "people.csv", outdir / "actions.csv", outdir / "schema.yaml"
    )
    console.print(
        f"imported {report.cases_inserted} cases, {report.mentions} people, "
        f"{report.actions} actions into the store"
    )


def synth(
    outdir: OutDir,
    cases: Annotated[int, typer.Option("--cases", min=1, help="Number of cases.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    solved_fraction: Annotated[
        float,
        typer.Option(
            "--solved-fraction", min=0.0, max=1.0, help="Share of cases with offender_id."
        ),
    ] = 0.3,
    check_bias: Annotated[
        list[str] | None,
        typer.Option(
            "--check-bias",
            help="GROUP=FACTOR: multiply the odds of checks being done for a victim group "
            "(repeatable), e.g. lgbt=0.5.",
        ),
    ] = None,
    start: Annotated[str, typer.Option("--start", help="First day of the period.")] = "2013-01-01",
    end: Annotated[str, typer.Option("--end", help="Last day of the period.")] = "2016-12-31",
    load: LoadOption = False,
    db: DbOption = None,
) -> None:
    """Generate a synthetic city's cases, people and actions with ground truth (truth_*.csv)."""
    try:
        bias = parse_check_bias(check_bias or [])
    except ValueError as exc:
        fail(str(exc))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("generating", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            bar.update(task, description=f"generating: {stage}", completed=fraction * 0.8)

        try:
            data = generate(
                cases,
                seed,
                start=start,
                end=end,
                solved_fraction=solved_fraction,
                check_bias=bias or None,
                progress=progress,
            )
        except ValueError as exc:
            fail(str(exc))
        bar.update(task, description="writing files", completed=0.8)
        paths = write(data, outdir)
        bar.update(task, completed=1.0)
    console.print(
        f"wrote {len(data.cases)} cases, {len(data.people)} people, {len(data.actions)} actions, "
        f"{data.truth_cases['series_id'].nunique()} hidden series to {outdir} "
        f"({', '.join(p.name for p in paths)})"
    )
    if load:
        _load(outdir, db)


def demo_data(outdir: OutDir, load: LoadOption = False, db: DbOption = None) -> None:
    """Copy the shipped demo data set (a Barking-like borough, 2013-2016) to OUTDIR."""
    outdir.mkdir(parents=True, exist_ok=True)
    source = demo_dir()
    for name in (*DATA_FILES, *TRUTH_FILES, "README.md"):
        shutil.copyfile(source / name, outdir / name)
    console.print(f"wrote the demo data set to {outdir} (see README.md there)")
    if load:
        _load(outdir, db)


def register(app: typer.Typer) -> None:
    """Add ``synth`` and ``demo-data`` to the root app."""
    app.command(name="synth")(synth)
    app.command(name="demo-data")(demo_data)
