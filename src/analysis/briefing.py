"""``figures/briefing.pdf``: the whole briefing as one file to send or print.

A cover page (title, latest data, contents, data sources), every chart in ``figures.BRIEFING``
in order, one per page, and last the current results of the test of the claim when there are
any. The PDF carries no creation date, so an unchanged briefing is byte-for-byte the same file.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from analysis import catalog, figures, paths, style
from analysis.style import COLOURS

TITLE = "Sanctions versus releases"
SUBTITLE = "Briefing charts: Belarus's political prisoners, release batches and sanctions relief"
PDF_METADATA = {"Title": f"{TITLE}: briefing", "Creator": "analysis (python -m analysis figures)",
                "CreationDate": None}
CLAIM_LINES_PER_PAGE = 22
"""Text lines of the claim table that fit one page below the title at a readable size."""
HYPOTHESIS_WIDTH = 48
VERDICT_COLOURS = {"supports the claim": COLOURS["released"],
                   "against the claim": COLOURS["observed"]}
"""Verdicts the claim tests give (analysis.claim.spec.VERDICTS); any other stays in text colour."""


def write_briefing_pdf(path: Path | None = None,
                       claim_table: pd.DataFrame | None = None) -> Path:
    """Draw every briefing chart from the current data into one PDF; returns its path."""
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path) if path else paths.figures_dir() / "briefing.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = briefing_pages(claim_table)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        with PdfPages(temporary, metadata=PDF_METADATA) as pdf:
            for page in pages:
                pdf.savefig(page)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        for page in pages:
            plt.close(page)
    return path


def briefing_pages(claim_table: pd.DataFrame | None = None) -> list[plt.Figure]:
    """The pages in order: cover, each chart in ``figures.BRIEFING``, then the claim results."""
    from analysis.store import load

    frames = {name: load(name) for chart in figures.BRIEFING for name in chart.datasets}
    charts = [chart.draw(*(frames[name] for name in chart.datasets))
              for chart in figures.BRIEFING]
    pages = [cover_page(charts, frames), *charts]
    if claim_table is not None and len(claim_table):
        pages += claim_pages(claim_table)
    return pages


def latest_data(frames: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The latest date any raw table behind the charts refers to."""
    dates = [frame["date_end"].max() for name, frame in frames.items()
             if "date_end" in frame.columns and not catalog.dataset(name).upstream]
    dates = [date for date in dates if not pd.isna(date)]
    return max(dates) if dates else None


def _chart_title(figure: plt.Figure) -> str:
    return figure.texts[0].get_text() if figure.texts else ""


def cover_page(charts: list[plt.Figure], frames: dict[str, pd.DataFrame]) -> plt.Figure:
    figure, axis = style.new_figure()
    axis.set_axis_off()
    latest = latest_data(frames)
    figure.text(0.08, 0.86, TITLE, fontsize=26, fontweight="bold", color=COLOURS["held"],
                va="top")
    figure.text(0.08, 0.77, SUBTITLE, fontsize=13, color=COLOURS["muted"], va="top")
    if latest is not None:
        figure.text(0.08, 0.71, f"Latest data: {latest:%d %B %Y}", fontsize=12,
                    color=COLOURS["text"], va="top")
    contents = "\n".join(f"{page}. {_chart_title(chart)}" for page, chart in
                         enumerate(charts, start=2))
    figure.text(0.08, 0.62, "Contents", fontsize=12, fontweight="bold", color=COLOURS["text"],
                va="top")
    figure.text(0.08, 0.575, contents, fontsize=11, color=COLOURS["text"], va="top",
                linespacing=1.6)
    cleaned = [name for name in catalog.build_order(list(frames))
               if not catalog.dataset(name).upstream]
    sources = "\n".join(
        textwrap.fill(style.source_line([name]).removeprefix("Source: "), 130,
                      subsequent_indent="    ")
        for name in cleaned)
    figure.text(0.08, 0.27, "Data sources", fontsize=12, fontweight="bold",
                color=COLOURS["text"], va="top")
    figure.text(0.08, 0.225, sources, fontsize=9, color=COLOURS["muted"], va="top",
                linespacing=1.5)
    return figure


def claim_pages(table: pd.DataFrame) -> list[plt.Figure]:
    """The claim results as a styled table, split over pages so every row stays readable."""
    rows = [_claim_row(row) for row in table.to_dict("records")]
    pages, page, used = [], [], 0
    for row in rows:
        height = max(cell.count("\n") + 1 for cell in row)
        if page and used + height > CLAIM_LINES_PER_PAGE:
            pages.append(page)
            page, used = [], 0
        page.append(row)
        used += height
    pages.append(page)
    recorded = table.attrs.get("recorded_at")
    return [_claim_page(part, number, len(pages), recorded)
            for number, part in enumerate(pages, start=1)]


CLAIM_HEADER = ["Hypothesis", "Estimate", "95% CI", "p", "p (adjusted)", "Verdict"]
CLAIM_WIDTHS = [0.38, 0.09, 0.15, 0.08, 0.12, 0.18]


def _claim_row(row: dict) -> list[str]:
    return [
        textwrap.fill(str(row.get("hypothesis", "")), HYPOTHESIS_WIDTH),
        _number(row.get("estimate")),
        f"[{_number(row.get('ci_low'))}, {_number(row.get('ci_high'))}]",
        _p_value(row.get("p_value")),
        _p_value(row.get("p_adjusted")),
        textwrap.fill(str(row.get("verdict", "")), 20),
    ]


def _number(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.3g}"


def _p_value(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def _claim_page(rows: list[list[str]], number: int, total: int,
                recorded: str | None) -> plt.Figure:
    figure, axis = style.new_figure()
    axis.set_axis_off()
    axis.grid(False)
    heights = [max(cell.count("\n") + 1 for cell in row) for row in [CLAIM_HEADER, *rows]]
    unit = min(0.8 / sum(heights), 0.07)
    table = axis.table(cellText=rows, colLabels=CLAIM_HEADER, colWidths=CLAIM_WIDTHS,
                       cellLoc="left", loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    for (row, column), cell in table.get_celld().items():
        cell.set_height(unit * heights[row])
        cell.set_edgecolor(COLOURS["grid"])
        cell.PAD = 0.012 / CLAIM_WIDTHS[column]
        cell.get_text().set_va("center")
        if row == 0:
            cell.set_facecolor(COLOURS["held"])
            cell.get_text().set_color("white")
            cell.get_text().set_fontweight("bold")
        else:
            cell.set_facecolor("#f4f4f4" if row % 2 == 0 else "white")
            if column == len(CLAIM_HEADER) - 1:
                verdict = cell.get_text().get_text().replace("\n", " ")
                cell.get_text().set_fontweight("bold")
                cell.get_text().set_color(VERDICT_COLOURS.get(verdict, COLOURS["text"]))
    part = f" ({number} of {total})" if total > 1 else ""
    when = f"; recorded {pd.Timestamp(recorded):%d %b %Y %H:%M} UTC" if recorded else ""
    style.annotate(
        figure,
        f"Test of the claim that sanctions work: current results{part}",
        "One row per hypothesis: estimate with 95% confidence interval, p-value and p-value "
        f"adjusted for testing several hypotheses (python -m analysis run{when}).",
        style.source_line(["panel_monthly"]),
    )
    return figure
