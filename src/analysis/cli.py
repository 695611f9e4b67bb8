"""Command line: ``python -m analysis COMMAND``. Errors a user can cause end in one line."""

from __future__ import annotations

import resource
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import analysis
from analysis import catalog, paths, store
from analysis.catalog import CROSS_COUNTRY
from analysis.changelog import (
    fetched_list_changes,
    latest_claim_results,
    print_report,
    record_claim_results,
)
from analysis.country import config as country_config
from analysis.coverage import coverage, coverage_line, stale_warning
from analysis.errors import AnalysisError
from analysis.io import write_text_atomic
from analysis.notebooks_run import (
    EXECUTED_DIR,
    ChangedNotebooks,
    notebook_paths,
    read_no_dataset_built_on_request,
)
from analysis.run_cache import update_record
from analysis.store import load, stale
from analysis.style import as_drawn
from analysis.summaries import RESULTS_START, results_paragraph, with_results

app = typer.Typer(
    help="Sanctions versus releases: build the datasets, export briefing figures, report "
         "what changed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

CountryOption = Annotated[str | None, typer.Option(
    "--country", help="A configured country (a folder of data/raw with a country.yml; see "
    "`countries`). Default for build, run and changes: every country (then the episodes); "
    "for the other commands: belarus.")]


def _one_country(country: str | None) -> str:
    return country or paths.DEFAULT_COUNTRY


def _build_countries(names: list[str] | None, force: bool, country: str | None) -> bool:
    """Build ``country``, or every configured country and then the episodes; True if
    anything was rebuilt."""
    across = [name for name in names or [] if name in CROSS_COUNTRY]
    names = [name for name in names or [] if name not in CROSS_COUNTRY]
    rebuilt = False
    if names or not across:
        for each in [country] if country is not None else paths.countries():
            rebuilt |= _build_with_progress(names, force, each)
    for name in across or (list(CROSS_COUNTRY) if country is None and not names else []):
        with console.status(name):
            load(name)
    return rebuilt


def _build_with_progress(names: list[str] | None, force: bool, country: str) -> bool:
    """Build with a progress bar and a summary table; True if anything was rebuilt."""
    country_config(country)
    order = catalog.build_order(names or None, country)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("building", total=len(order))

        def on_step(name: str, status: str) -> None:
            progress.update(task, description=f"{status} {name}".strip())
            if status == "done":
                progress.advance(task)

        results = store.build(names or None, force=force, on_step=on_step,
                              report_quarantine=False, country=country)
    table = Table("dataset", "status", "rows in", "rows out", "quarantined",
                  title=f"Build: {country}")
    for result in results:
        if result.rebuilt:
            table.add_row(result.name, "built", str(result.rows_in), str(result.rows_out),
                          str(result.rows_quarantined))
        else:
            table.add_row(result.name, "fresh", "", "", "")
    console.print(table)
    for notice in store.quarantine_notices(names or None, country):
        console.print(f"[yellow]{notice}[/yellow]", highlight=False, soft_wrap=True)
    return any(result.rebuilt for result in results)


def _export_figures_with_progress(claim_table=None, only_changed: bool = False) -> int:
    """Export the briefing charts and briefing.pdf (with ``only_changed``, those whose data
    changed); returns how many charts were drawn, the briefing counting as one."""
    import matplotlib.pyplot as plt  # only the commands that draw pay for matplotlib

    # matplotlib: only the commands that draw pay for it
    from analysis.briefing import write_briefing_pdf
    from analysis.figures import BRIEFING, export_briefing

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("figures", total=len(BRIEFING))

        def on_chart(name: str) -> None:
            progress.update(task, description=f"drawing {name}")
            progress.advance(task)

        drawn: dict = {}
        try:
            written = export_briefing(on_chart=on_chart, only_changed=only_changed, keep=drawn)
            progress.update(task, description="writing briefing.pdf")
            briefing = write_briefing_pdf(claim_table=claim_table, only_changed=only_changed,
                                          drawn=drawn)
        finally:
            for figure in drawn.values():
                plt.close(figure)
    count = len({path.stem for path in written}) + (briefing is not None)
    written += [briefing] if briefing is not None else []
    if written:
        folders = sorted({str(path.parent) for path in written})
        console.print(f"{len(written)} figure files written to {', '.join(folders)}")
    else:
        console.print("Figures unchanged: no chart's data changed since they were written.")
    return count


@app.command()
def build(
    names: Annotated[list[str] | None, typer.Argument(
        help="Datasets to build (default: all). See `datasets`.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even what is fresh.")] = False,
    country: CountryOption = None,
) -> None:
    """Clean the raw files into validated Parquet and derive the daily series and panel, for
    one country or (default) every configured country and the episodes across them.

    Only datasets whose inputs changed are rebuilt unless --force is given.
    """
    _build_countries(names, force, country)


def _test_claim_and_record():
    """The claim tests' results, saved for the changes report and returned as saved, so the
    briefing shows them exactly as a later `figures` run would."""
    with console.status("testing the claim"):
        record_claim_results(load("claim_verdicts"))
    return latest_claim_results()


@app.command()
def figures() -> None:
    """Export the briefing charts to figures/ as PNG (300 dpi), SVG and PDF, and briefing.pdf.

    briefing.pdf ends with the test-of-the-claim results saved by the latest `run`, if any.
    """
    _export_figures_with_progress(latest_claim_results())


def _print_verdicts(verdicts) -> None:
    table = Table("part", "row", "95% interval (estimate)", "Holm p", "verdict",
                  title="The answer to the claim in three parts (docs/hypotheses.md, third "
                        "edition; details in notebook 03)")
    for row in verdicts.itertuples():
        interval = row.ci_low == row.ci_low
        table.add_row(getattr(row, "part", ""), row.hypothesis,
                      f"{row.ci_low:.3g} to {row.ci_high:.3g} ({row.estimate:.3g})" if interval
                      else "—", f"{row.p_adjusted:.2f}" if pd.notna(row.p_adjusted)
                      else "—", row.verdict)
    Console().print(table)


@app.command()
def run() -> None:
    """The main job: build the data, test the claim, execute the notebooks (two at a time, each
    in a kernel of its own, beside the claim tests and the figure export), export the briefing
    figures, and report what changed since the previous build.

    The notebooks' process starts first, so its imports overlap the build; a notebook that
    last time read none of the claim tests' datasets starts while the claim is tested, the
    others after it (``notebooks_run``).

    Only what changed is redone: a notebook runs again when its source or a dataset it read
    changed, a chart and briefing.pdf are drawn again when their data changed
    (``analysis.run_cache``). The time of each phase is printed and recorded.
    """
    from analysis.figures import BRIEFING  # matplotlib: only the commands that draw pay for it

    times: dict[str, float] = {}

    def timed(phase: str, work, *args):
        start = perf_counter()
        try:
            return work(*args)
        finally:
            times[phase] = round(perf_counter() - start, 2)

    notebooks = notebook_paths()
    with ChangedNotebooks(notebooks) as executing:
        rebuilt = timed("build", _build_countries, None, False, None)
        started = perf_counter()
        executing.submit_stale(read_no_dataset_built_on_request)
        claim_table = timed("claim", _test_claim_and_record)

        def finish() -> list[Path]:
            try:
                return executing.finish()
            finally:
                times["notebooks"] = round(perf_counter() - started, 2)

        with ThreadPoolExecutor(max_workers=1) as waiter:
            finishing = waiter.submit(finish)
            _print_verdicts(claim_table)
            timed("readme", _write_readme_results, claim_table)
            drawn = timed("figures", _export_figures_with_progress, claim_table, True)
            executed = finishing.result()
    console.print(f"{len(executed)} of {len(notebooks)} notebooks executed (the others' "
                  f"source and data are unchanged); outputs in {EXECUTED_DIR}")
    _print_stale_warnings()
    if rebuilt:
        timed("changes", _print_every_report)
    else:
        Console().print("Nothing was rebuilt: no changes since the previous build.")
    update_record("phases", "run", {"seconds": times, "notebooks_executed": len(executed),
                                    "charts_drawn": drawn, "charts": len(BRIEFING) + 1,
                                    "cpu_seconds": _cpu_seconds()})
    console.print("Time per phase: " + ", ".join(f"{phase} {seconds:.1f} s"
                                                 for phase, seconds in times.items())
                  + " (notebooks run beside claim, readme and figures)")


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds (user and system) of this process, and of the processes it started and
    waited for (the notebooks' process and its kernels): on a shared machine, the run's own
    work, which its wall time is not."""

    def used(who: int) -> float:
        usage = resource.getrusage(who)
        return round(usage.ru_utime + usage.ru_stime, 1)

    return {"run": used(resource.RUSAGE_SELF), "notebooks": used(resource.RUSAGE_CHILDREN)}


def _print_every_report() -> None:
    for country in paths.countries():
        Console().print(f"\n[bold underline]{country}[/bold underline]")
        print_report(Console(), country=country)


def _print_stale_warnings() -> None:
    """One line per country whose newest item is more than 90 days older than this build: said
    on the console, never in a tracked file, which would change every day."""
    for country in paths.countries():
        warning = stale_warning(coverage(country))
        if warning:
            console.print(f"[yellow]{warning}[/yellow]")


def _write_readme_results(claim_table) -> None:
    """Rewrite the README's results block from the data and the verdicts just computed."""
    readme = paths.readme_path()
    if not readme.is_file() or RESULTS_START not in readme.read_text(encoding="utf-8"):
        return
    inputs = ("prisoners_daily", "panel_monthly", "release_events", "prisoner_counts")
    paragraph = results_paragraph(*(as_drawn(load(name)) for name in inputs),
                                  claim_table if claim_table is None else as_drawn(claim_table),
                                  as_drawn(load("flows_draws")),
                                  coverage_line(coverage()))
    write_text_atomic(with_results(readme.read_text(encoding="utf-8"), paragraph), readme)
    console.print(f"results written to {paths.display_path(readme)}")


@app.command()
def changes(country: CountryOption = None) -> None:
    """Show what the latest build of each country (default: every country) changed: rows
    added, removed and changed per dataset (with raw file and line), the modelled counts and
    flows and the headline numbers that moved, and test-of-the-claim verdicts or intervals that
    moved. Raw files edited since are built first, so the report includes them."""
    out = Console()
    for each in [country] if country is not None else paths.countries():
        if stale(country=each):
            with console.status(f"building {each}"):
                store.build(report_quarantine=False, country=each)
        out.print(f"\n[bold underline]{each}[/bold underline]")
        print_report(out, country=each)


@app.command()
def countries() -> None:
    """List the configured countries: counting organisation, coverage, deal dates."""
    table = Table("country", "counting organisation", "coverage", "deal dates",
                  title="Countries (the organisations define a political prisoner differently)")
    for row in analysis.countries().itertuples():
        table.add_row(row.country, row.counting_organisation,
                      f"{row.coverage_first} to {row.coverage_last}", row.deal_dates)
    Console().print(table)


@app.command()
def datasets() -> None:
    """List every dataset with its description, upstream datasets and raw inputs."""
    table = Table("name", "description", "built from", title="Datasets")
    for row in analysis.datasets().itertuples():
        table.add_row(row.name, row.description, row.upstream or row.inputs)
    Console().print(table)


@app.command()
def columns(name: Annotated[str, typer.Argument(help="A dataset name, see `datasets`.")],
            country: CountryOption = None) -> None:
    """Show a dataset's columns with their type and description."""
    table = Table("column", "type", "description", title=name)
    for row in analysis.columns(name, _one_country(country)).itertuples():
        table.add_row(row.column, row.dtype, row.description)
    Console().print(table)


WHOLE_ROW = "(whole row)"
"""Shown for a quarantine reason about the row, not one cell (never "nan" or "None")."""


@app.command()
def quarantine(country: CountryOption = None) -> None:
    """Show the rows set aside by the cleaners, with file, line, column and reason."""
    rows = analysis.load("quarantine", _one_country(country))
    if rows.empty:
        console.print("No rows quarantined.")
        return
    shown = rows.assign(column=rows["column"].fillna(WHOLE_ROW), value=rows["value"].fillna(""))
    out = Console(soft_wrap=True, highlight=False)
    out.print("Quarantined rows by file and reason:")
    classes = [store.reason_class(column, value, reason) for column, value, reason
               in zip(rows["column"], rows["value"], rows["reason"], strict=True)]
    for file, rows in shown.assign(reason_class=classes).groupby("file", sort=True):
        out.print(f"  {file}: {rows['line'].nunique()} row(s)")
        reasons = rows.groupby("reason_class", sort=False)["line"].nunique()
        for reason, count in reasons.sort_values(ascending=False, kind="stable").items():
            out.print(f"    {count} × {reason}")
    table = Table("file", "line", "column", "value", "reason", title="Quarantined rows")
    for row in shown.itertuples():
        table.add_row(row.file, "" if pd.isna(row.line) else str(row.line), row.column,
                      str(row.value), row.reason)
    Console().print(table)


@app.command("fetch-lists")
def fetch_lists(
    dest: Annotated[Path | None, typer.Option(
        help="Folder for the downloads (default data/raw/lists).")] = None,
) -> None:
    """Download the current official lists (OFAC, UK Sanctions List, EU) with their retrieval date.

    Offline, it fails with one line and changes nothing.
    """
    from analysis.lists.fetch import fetch_lists as fetch  # analysis.lists imports openpyxl

    saved = fetch(dest)
    for path in saved:
        console.print(f"saved {path}")
    report = fetched_list_changes(saved[0].parent.parent if saved else dest)
    if report.attrs["previous"] is None:
        console.print("No earlier fetch to compare Belarus designations with.")
        return
    console.print(f"Belarus designations, fetch of {report.attrs['current']} against "
                  f"{report.attrs['previous']}: {(report['change'] == 'added').sum()} added, "
                  f"{(report['change'] == 'removed').sum()} removed")
    for detail in report["detail"]:
        console.print(f"  {detail}", highlight=False, soft_wrap=True)
    for name in report.attrs["not_compared"]:
        console.print(f"  {name}: no earlier copy to compare with", highlight=False)


def main() -> None:
    try:
        app()
    except AnalysisError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
