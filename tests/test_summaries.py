"""What a briefing says, computed from the data: the newest item at its precision, and the
results paragraph that the README and briefing.pdf carry."""

import pandas as pd
import pytest

import analysis
from analysis import summaries
from analysis.changelog import latest_claim_results, record_claim_results


def _items(rows):
    frame = pd.DataFrame(rows, columns=["date_start", "date_end", "date_precision"])
    return frame.assign(date_start=pd.to_datetime(frame["date_start"]),
                        date_end=pd.to_datetime(frame["date_end"]))


def test_the_newest_item_keeps_its_precision():
    """A count dated only to March 2026 is not '31 Mar 2026'; the release of 19 Mar is newest,
    and the month-dated count is named as possibly later."""
    items = _items([("2026-03-19", "2026-03-19", "day"), ("2026-03-01", "2026-03-31", "month"),
                    ("2026-01-01", "2026-12-31", "year")])
    newest = summaries.newest_item([items])
    assert str(newest) == "19 Mar 2026"
    assert [str(item) for item in summaries.coarser_items_after([items], newest)] == ["Mar 2026"]


def test_the_readme_block_is_replaced_between_its_markers():
    readme = f"intro\n{summaries.RESULTS_START}\nold 101\n{summaries.RESULTS_END}\nrest\n"
    updated = summaries.with_results(readme, "new")
    assert "old 101" not in updated and "new" in updated and updated.endswith("rest\n")
    with pytest.raises(ValueError, match="results"):
        summaries.with_results("no markers", "new")


def test_results_keep_political_prisoners_and_all_people_apart(shipped_data_dir):
    frames = [analysis.load(name) for name in
              ("prisoners_daily", "panel_monthly", "release_events", "prisoner_counts")]
    draws = analysis.load("flows_draws")
    heading, body = summaries.results_text(*frames, None, draws)
    panel = frames[1]
    since = panel[panel["month"] >= summaries.DEALS_ERA]
    totals = summaries.deal_era_totals(draws).round(0).astype(int)
    low, high = totals.loc["released_deals", ["low", "high"]]
    assert f"political prisoners freed in release batches at {low:,} to {high:,}" in body
    assert f"the batches freed {int(since['released_people'].sum()):,} people in all" in body
    assert "19 Mar 2026" in heading
    assert "at least 4,499" in body, "a lower bound keeps its qualifier"


def test_routes_out_compare_viasnas_total_with_the_itemised_batches(shipped_data_dir):
    counts, releases = analysis.load("prisoner_counts"), analysis.load("release_events")
    text = summaries.routes_out_text(counts, releases)
    before = counts[(counts["metric"] == "released_total_since_2020")
                    & (counts["date_end"] < summaries.DEALS_ERA)]
    assert f"{before.sort_values('date_end')['value'].iloc[-1]:,}" in text
    deals = summaries.deals_side_by_side(releases, analysis.load("sanctions_timeline"))
    assert "freed" not in deals.columns, "every count says whom it counts"
    assert (deals["political_prisoners_low"] <= deals["people_freed"]).all()


def test_the_results_lead_with_what_the_claim_can_and_cannot_decide(shipped_data_dir):
    """Third edition: the README and briefing results open with the three-part answer, each
    number the verdict table's, and no verdict words on a description or an unanswerable
    contrast."""
    frames = [analysis.load(name) for name in
              ("prisoners_daily", "panel_monthly", "release_events", "prisoner_counts")]
    verdicts = analysis.load("claim_verdicts")
    heading, body = summaries.results_text(*frames, verdicts, analysis.load("flows_draws"))
    assert body.startswith("The answer in three parts (docs/hypotheses.md, third edition). "
                           "What these data can decide: ")
    assert "What they cannot decide, not answerable with these data: " in body
    assert body.index("What they cannot decide") < body.index("The newest reported count")
    rows = verdicts.set_index("hypothesis")
    ratio = rows.loc["A5_recognized_per_freed"]
    assert f"{ratio['ci_low']:.2f} to {ratio['ci_high']:.2f}" in body
    words = ("supports the claim", "against the claim", "inconclusive")
    for row in verdicts[verdicts["answerable"] != True].itertuples():  # noqa: E712
        assert not any(f"{row.hypothesis} {word}" in body for word in words), row.hypothesis
    record_claim_results(verdicts)
    recorded = summaries.results_text(*frames, latest_claim_results(),
                                      analysis.load("flows_draws"))[1]
    assert recorded == body, "`run` writes the README from the recorded results: the same text"
    stock = summaries.stock_fall_text(verdicts, analysis.load("flows_draws"))
    change = rows.loc["A1_stock_change"]
    assert f"{change['ci_low']:+,.0f} to {change['ci_high']:+,.0f} persons" in stock
