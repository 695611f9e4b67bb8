"""How far the data go, said the same way everywhere; and the briefing's sentences computed by the
functions that compute the tables beside them, on the shipped data."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import analysis
from analysis import coverage, paths, style, summaries


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, shipped_data_copy):
    with shipped_data_copy(tmp_path_factory.mktemp("coverage")) as folder:
        yield folder


def test_the_coverage_line_gives_the_newest_item_and_the_months_not_searched(shipped):
    cover = coverage.coverage("belarus")
    line = coverage.coverage_line(cover)
    assert line.startswith(f"Belarus: data to {cover.newest}")
    assert f"months after {cover.searched_last:%b %Y} not searched" in line
    assert "build" not in line.lower(), "a tracked line must not change with the day"
    counts = analysis.load("prisoner_counts")
    assert cover.newest.date >= counts["date_start"].max()


def test_no_table_claims_a_month_the_research_cannot_vouch_for():
    """The research of December 2026 found nothing after mid-May 2026, where its pages thin out:
    a month after April 2026 is missing, not zero."""
    for meta in sorted((paths.REPO_DIR / "data/raw/belarus").glob("*.meta.yml")):
        searched = yaml.safe_load(meta.read_text(encoding="utf-8"))["coverage"].get(
            "months_searched")
        if searched is None:
            continue  # sentences.meta.yml claims no month: one without a row is missing
        assert pd.Timestamp(str(searched["last"])) <= pd.Timestamp("2026-04"), meta.name


def test_a_build_long_after_the_newest_item_says_so_once(shipped):
    cover = coverage.coverage("belarus")
    assert coverage.stale_warning(cover, cover.newest.date + pd.Timedelta(days=90)) is None
    late = coverage.stale_warning(cover, cover.newest.date + pd.Timedelta(days=91))
    assert late is not None and "91 days" in late and "\n" not in late
    table = coverage.coverage_table(["belarus"], today=cover.newest.date + pd.Timedelta(days=91))
    assert table.loc[0, "days_since_newest_item"] == 91


def test_every_figure_source_line_carries_the_coverage_line(shipped):
    line = coverage.coverage_line(coverage.coverage("belarus"))
    assert style.source_line(["release_events"]).endswith(line)
    assert line in style.source_line(["prisoner_counts"], countries=paths.countries())


def test_every_notebook_opens_with_the_coverage_note():
    for path in sorted((paths.REPO_DIR / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first_code = next(cell for cell in cells if cell["cell_type"] == "code")
        assert "analysis.coverage_note(" in "".join(first_code["source"]), path.name


def test_the_stock_sentence_quotes_the_reported_counts_of_the_headline_table(shipped):
    daily, panel, releases, counts = (analysis.load(name) for name in (
        "prisoners_daily", "panel_monthly", "release_events", "prisoner_counts"))
    table = summaries.headline_numbers(daily, panel, releases, counts).set_index("measure")
    text = summaries.stock_text(daily, counts)
    for measure in ("highest observed count", "latest observed count"):
        assert f"{table.loc[measure, 'value']:,.0f}" in text
    latest = counts.set_index("record_id").loc[
        summaries.observed_counts(daily).iloc[-1]["anchor_record_id"], "value"]
    assert f"newest is {latest:,.0f}" in text, "the count as reported, not the model's value"


def test_routes_out_count_only_the_batches_since_2020(shipped):
    counts, releases = analysis.load("prisoner_counts"), analysis.load("release_events")
    text = summaries.routes_out_text(counts, releases)
    freed = int(re.search(r"freed ([\d,]+) people in all", text).group(1).replace(",", ""))
    totals = counts[(counts["metric"] == "released_total_since_2020")
                    & (counts["date_end"] < summaries.DEALS_ERA)]
    batches = releases[releases["counts_as_release"]
                       & (releases["date_start"] >= summaries.SINCE_2020)
                       & (releases["date_end"] <= totals["date_end"].max())]
    assert freed == batches["released_people"].sum()
    assert freed < releases.loc[releases["counts_as_release"]
                                & (releases["date_end"] <= totals["date_end"].max()),
                                "released_people"].sum(), "the batches of 2008-19 are left out"


def test_destinations_cover_the_us_brokered_deals_only(shipped):
    releases = analysis.load("release_events")
    table = summaries.deal_destinations(releases)
    assert (table["date"] >= summaries.DEALS_ERA).all()
    assert (table["taken_abroad"] + table["stayed_in_belarus"] == table["people_freed"]).all()
    text = summaries.deal_destinations_text(table)
    assert f"{len(table)} US-brokered deals" in text


def test_the_pace_before_a_deal_leaves_out_earlier_deal_months():
    months = pd.date_range("2025-01-01", periods=10, freq="MS")
    panel = pd.DataFrame({"month": months,
                          "released_people": [1, 1, 1, 100, 1, 1, 100, 1, 1, 1]})
    pace = summaries.release_pace(panel, [months[3], months[6]], window=6)
    assert pace.loc[1, "mean_before"] == 1.0 and pace.loc[1, "months_before"] == 5
    assert pace.loc[1, "freed_in_month"] == 100


def test_freed_is_named_as_one_of_three_quantities():
    """'freed in deals' is ambiguous (every release batch, or the US-brokered deals?): charts,
    summaries and notebooks say which of the three quantities in ``fields.FREED`` they show.
    The claim's own wording (analysis/claim, notebook 03) is re-specified separately."""
    vague = re.compile(r"freed in (?:the )?deals\b", re.IGNORECASE)
    files = [*Path(paths.PACKAGE_DIR).glob("*.py"),
             *(path for path in (paths.REPO_DIR / "notebooks").glob("*.ipynb")
               if not path.name.startswith("03_"))]
    found = [f"{path.name}: {match.group(0)}" for path in files
             for match in vague.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
