"""``figures/briefing.pdf``: the whole briefing as one file to send or print.

A cover page (title, each country's coverage line, contents, data sources), a summary page
whose every number is computed from the data (``summaries.results_paragraph``, the same text as the
README's results), every chart in ``figures.BRIEFING`` in order, one per page, and last the
current results of the test of the claim when there are any. The PDF carries no creation
date, so an unchanged briefing is byte-for-byte the same file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from analysis import catalog, figures, paths, run_cache, style, summaries
from analysis.coverage import coverage, coverage_line, coverage_lines
from analysis.io import atomic_target
from analysis.store import load
from analysis.style import COLOURS

TITLE = "Sanctions versus releases"
SUBTITLE = "Briefing charts: Belarus's political prisoners, release batches and sanctions relief"
PDF_METADATA = {"Title": f"{TITLE}: briefing", "Creator": "analysis (python -m analysis figures)",
                "CreationDate": None, "Producer": None}
CLAIMS_TITLE = "Does the record show that sanctions work? The answer in three parts"
SUMMARY_TITLE = "What the data show"
CLAIM_LINES_PER_PAGE = 18
"""Text lines of the claim table that fit one page below a title and a two-line subtitle at a
readable size."""
CLAIM_FONT_SIZE = 9.5
CLAIM_HEADER = ["Part", "Row", "Estimate", "95% interval", "p (Holm)", "Verdict"]
CLAIM_WIDTHS = [0.11, 0.37, 0.14, 0.15, 0.08, 0.15]
"""Shares of the table's width; text is wrapped to fit (below) and each row sized to its text."""
WRAP = {"part": 11, "hypothesis": 42, "scale": 18, "verdict": 14}
COVER_SIZES = ((11, 9), (10, 8.5), (9.5, 8), (9, 7.5), (8, 6.5), (7.5, 6), (7, 5.5), (6.5, 5))
"""Font sizes of the contents and the source list, tried in turn until the cover fits."""
VERDICT_COLOURS = {"supports the claim": COLOURS["released"],
                   "against the claim": COLOURS["observed"]}
"""Verdicts an answerable contrast gives (analysis.claim.spec.VERDICTS); any other, and a
description, stays in text colour."""


SUMMARY_INPUTS = ("prisoners_daily", "panel_monthly", "release_events", "prisoner_counts",
                  "flows_draws")
"""The datasets behind the summary page (besides the charts' own)."""


def write_briefing_pdf(path: Path | None = None,
                       claim_table: pd.DataFrame | None = None,
                       only_changed: bool = False,
                       drawn: dict[str, plt.Figure] | None = None) -> Path | None:
    """Draw every briefing chart from the current data into one PDF; returns its path.

    With ``only_changed`` (for ``run``, which has just built every dataset), nothing is drawn
    and None is returned when no dataset behind a page, nor the claim table, changed since the
    PDF was last written this way and the file is as then written. ``drawn``: charts already
    drawn from the current data, by name (``figures.export_briefing``'s ``keep``), used as
    they are; every page is closed once written.
    """
    from matplotlib.backends.backend_pdf import PdfPages


    path = Path(path) if path else paths.figures_dir() / figures.BRIEFING_PDF
    wanted = ""
    if only_changed:
        names = sorted({name for chart in figures.BRIEFING for name in chart.datasets}
                       | set(SUMMARY_INPUTS))
        claims = None if claim_table is None else {
            "rows": claim_table.to_json(orient="records", date_format="iso"),
            "recorded_at": claim_table.attrs.get("recorded_at")}
        wanted = run_cache.key(briefing=str(path), data=run_cache.dataset_fingerprints(names),
                               claims=claims, coverage=coverage_lines())
        if run_cache.is_current(run_cache.read_record().get("briefing", {}).get(path.name),
                                wanted):
            return None
    # The contents page needs every chart's title, so all pages are open at once (and closed
    # below): more than pyplot's default of 20, which is not a leak here.
    with plt.rc_context({"figure.max_open_warning": 0}):
        pages = briefing_pages(claim_table, drawn)
    try:
        with atomic_target(path) as temporary, PdfPages(temporary,
                                                        metadata=PDF_METADATA) as pdf:
            for page in pages:
                pdf.savefig(page)
    finally:
        for page in pages:
            plt.close(page)
    if only_changed:
        run_cache.update_record("briefing", path.name, run_cache.entry(wanted, [path]))
    return path


def briefing_pages(claim_table: pd.DataFrame | None = None,
                   drawn: dict[str, plt.Figure] | None = None) -> list[plt.Figure]:
    """The pages in order: cover, each chart in ``figures.BRIEFING`` (those in ``drawn`` as
    they are), then the claim results."""
    if claim_table is not None:
        claim_table = style.as_drawn(claim_table)
    frames = {name: style.as_drawn(load(name)) for chart in figures.BRIEFING
              for name in chart.datasets}
    frames.update({name: style.as_drawn(load(name)) for name in SUMMARY_INPUTS
                   if name not in frames})
    charts: list[plt.Figure] = []
    try:
        for chart in figures.BRIEFING:
            charts.append((drawn or {}).get(chart.name)
                          or chart.draw(*(frames[name] for name in chart.datasets)))
    except BaseException:
        for figure in charts:
            plt.close(figure)
        raise
    daily, panel, releases, counts, draws = (frames[name] for name in SUMMARY_INPUTS)
    summary = summary_page(*summaries.results_text(daily, panel, releases, counts, claim_table,
                                                   draws, coverage_line(coverage())))
    contents = [SUMMARY_TITLE, *(_chart_title(chart) for chart in charts)]
    claims = claim_pages(claim_table) if claim_table is not None and len(claim_table) else []
    if claims:
        contents.append(CLAIMS_TITLE)
    return [cover_page(contents, frames), summary, *charts, *claims]


def summary_page(heading: str, body: str) -> plt.Figure:
    """The results paragraph as a page of plain text."""
    figure, axis = style.new_figure()
    axis.set_axis_off()
    axis.text(0, 1, textwrap.fill(body.replace("`", ""), 110), va="top", ha="left",
              fontsize=10, color=COLOURS["text"], linespacing=1.45, transform=axis.transAxes)
    style.annotate(figure, SUMMARY_TITLE, heading,
                   "Every number on this page is computed from the curated tables and the "
                   "latest test of the claim (analysis.summaries.results_paragraph).")
    return figure


def _chart_title(figure: plt.Figure) -> str:
    return figure.texts[0].get_text().replace("\n", " ") if figure.texts else ""


def cover_page(contents: list[str], frames: dict[str, pd.DataFrame]) -> plt.Figure:
    """Title, each country's coverage line (newest dated item, months not searched), contents
    with page numbers and the raw tables behind the charts, at the largest source size that
    fits the page."""
    latest = "\n".join(coverage_lines())
    raw = [name for name in catalog.build_order(list(frames)) if not catalog.dataset(name).upstream]
    sources = [style.raw_sources([name]).removeprefix("Source: ") for name in raw]
    for contents_size, source_size in COVER_SIZES:
        figure = _cover(contents, sources, latest, contents_size, source_size)
        if figure.texts[-1].get_window_extent().y0 >= 0.02 * figure.bbox.height:
            break
        plt.close(figure)
    return figure


def _cover(contents: list[str], sources: list[str], latest: str,
           contents_size: float, source_size: float) -> plt.Figure:
    figure, axis = style.new_figure()
    axis.set_axis_off()
    width = int(130 * 9 / source_size)
    blocks = [
        (TITLE, dict(fontsize=26, fontweight="bold", color=COLOURS["held"]), 0),
        (SUBTITLE, dict(fontsize=13, color=COLOURS["muted"]), 8),
        ("\n".join(textwrap.fill(line, 110, subsequent_indent="    ")
                   for line in latest.split("\n")), dict(fontsize=11, linespacing=1.4), 6),
        ("Contents", dict(fontsize=12, fontweight="bold"), 20),
        ([f"{page}. {title}" for page, title in enumerate(contents, start=2)],
         dict(fontsize=contents_size, linespacing=1.45), 6),
        ("Data sources", dict(fontsize=12, fontweight="bold"), 20),
        ("\n".join(textwrap.fill(source, width, subsequent_indent="    ") for source in sources),
         dict(fontsize=source_size, color=COLOURS["muted"], linespacing=1.4), 6),
    ]
    renderer = figure.canvas.get_renderer()
    point = 1 / (figure.get_figheight() * 72)
    top = 0.9
    for text, options, gap in blocks:
        columns = (_contents_columns(text, int(CONTENTS_WRAP * 9 / options["fontsize"]))
                   if isinstance(text, list) else [text])
        placed = [figure.text(left, top - gap * point, column, va="top", ha="left",
                              **{"color": COLOURS["text"], **options})
                  for left, column in zip(CONTENTS_COLUMNS, columns, strict=False)]
        top = min(text.get_window_extent(renderer).y0 for text in placed) / figure.bbox.height
    return figure


CONTENTS_COLUMNS = (0.08, 0.53)
"""Left edges of the contents' columns: a list of more than ``CONTENTS_PER_COLUMN`` pages runs
on in a second column, so that the cover keeps room for the sources as charts are added."""
CONTENTS_PER_COLUMN = 10
CONTENTS_WRAP = 62
"""Characters of a contents line in a column at 9 points (scaled by the font size)."""


def _contents_columns(lines: list[str], width: int) -> list[str]:
    """The contents as one column, or two of wrapped lines when there are many."""
    if len(lines) <= CONTENTS_PER_COLUMN:
        return ["\n".join(lines)]
    half = (len(lines) + 1) // 2
    return ["\n".join(textwrap.fill(line, width, subsequent_indent="    ") for line in part)
            for part in (lines[:half], lines[half:])]


def claim_pages(table: pd.DataFrame) -> list[plt.Figure]:
    """The claim results as a styled table, split over pages so every row stays readable."""
    rows = [_claim_row(row) for row in table.to_dict("records")]
    pages, page, used = [], [], 0
    for row in rows:
        height = _lines(row)
        if page and used + height > CLAIM_LINES_PER_PAGE:
            pages.append(page)
            page, used = [], 0
        page.append(row)
        used += height
    pages.append(page)
    lead = decided_line(table)
    return [_claim_page(part, number, len(pages), lead)
            for number, part in enumerate(pages, start=1)]


def decided_line(table: pd.DataFrame) -> str:
    """What the data can and cannot decide, from the table: the page's first line."""
    if "part" not in table:
        return ("One row per pre-registered hypothesis: estimate on its scale with 95% "
                "interval, p-value adjusted for testing several, and verdict.")
    can, cannot = summaries.decidable(table)
    return ("Can decide: " + (", ".join(f"{row.hypothesis.split('_')[0]} ({row.verdict})"
                                        for row in can.itertuples()) or "nothing")
            + ". Not answerable with these data: "
            + (", ".join(name.split("_")[0] for name in cannot["hypothesis"]) or "none")
            + " (why: each row's reason, notebook 03). Accounting rows and descriptions carry "
            "no verdict; p is Holm-adjusted over the contrasts that can decide.")


def _claim_row(row: dict) -> list[str]:
    hypothesis = str(row.get("hypothesis", ""))
    if row.get("question"):
        hypothesis = f"{hypothesis}: {row['question']}"
    estimate = _number(row.get("estimate"))
    if row.get("scale"):
        estimate += "\n" + textwrap.fill(f"({row['scale']})", WRAP["scale"])
    return [
        textwrap.fill(str(row.get("part", "")), WRAP["part"]),
        textwrap.fill(hypothesis, WRAP["hypothesis"]),
        estimate,
        f"[{_number(row.get('ci_low'))}, {_number(row.get('ci_high'))}]",
        _p_value(row.get("p_adjusted")),
        textwrap.fill(str(row.get("verdict", "")), WRAP["verdict"]),
    ]


def _lines(row: list[str]) -> int:
    return max(cell.count("\n") + 1 for cell in row)


def _number(value: object) -> str:
    """Three significant digits, but whole persons in full (1,091, not 1.09e+03)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.0f}" if abs(float(value)) >= 100 else f"{float(value):.3g}"


def _p_value(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def _claim_page(rows: list[list[str]], number: int, total: int, lead: str) -> plt.Figure:
    """One page of the claim table. It names no time of recording: a tracked file that
    changed with every run could not tell a change of results from a rerun."""
    figure, axis = style.new_figure()
    axis.set_axis_off()
    part = f" ({number} of {total})" if total > 1 else ""
    style.annotate(
        figure,
        f"{CLAIMS_TITLE}{part}",
        lead,
        "Source: analysis.test_claim on the monthly panel, the stock-flow model and its no-deal "
        "counterfactual, built from the raw tables listed on the cover page; rows and the "
        "answerability rule in docs/hypotheses.md (third edition).",
    )
    _claim_table(axis, rows)
    return figure


def _claim_table(axis, rows: list[list[str]]) -> None:
    """Draw the table from the top of ``axis``, each row as tall as its text plus padding."""
    figure = axis.get_figure()
    axes_points = axis.get_position().height * figure.get_figheight() * 72
    line = CLAIM_FONT_SIZE * 1.25 / axes_points
    padding = 7 / axes_points
    table = axis.table(cellText=rows, colLabels=CLAIM_HEADER, colWidths=CLAIM_WIDTHS,
                       cellLoc="left", loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(CLAIM_FONT_SIZE)
    heights = [_lines(row) for row in [CLAIM_HEADER, *rows]]
    for (row, column), cell in table.get_celld().items():
        cell.set_height(heights[row] * line + padding)
        cell.set_edgecolor(COLOURS["grid"])
        cell.PAD = 0.012 / CLAIM_WIDTHS[column]
        text = cell.get_text()
        text.set_va("center")
        if row == 0:
            cell.set_facecolor(COLOURS["held"])
            text.set_color("white")
            text.set_fontweight("bold")
        else:
            cell.set_facecolor("#f4f4f4" if row % 2 == 0 else "white")
            if column == len(CLAIM_HEADER) - 1:
                verdict = text.get_text().replace("\n", " ")
                text.set_fontweight("bold")
                text.set_color(VERDICT_COLOURS.get(verdict, COLOURS["text"]))
