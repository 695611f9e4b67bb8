"""The monthly panel: fixed column names, one row per month, event counts add up."""

import analysis
from analysis.derive.panel import PANEL_COLUMNS

FIXED = ["month", "prisoners_held", "prisoners_held_observed", "recognized", "released_people",
         "release_batches", "largest_batch", "relief_steps", "deals_with_concession"]


def test_panel_has_the_fixed_columns_and_one_row_per_month(data_dir):
    panel = analysis.load("panel_monthly")
    assert set(FIXED) <= set(panel.columns)
    assert set(panel.columns) <= set(PANEL_COLUMNS)
    assert panel["month"].iloc[0].strftime("%Y-%m-%d") == "2020-09-01"
    assert (panel["month"].diff().dropna().dt.days.between(28, 31)).all()


def test_panel_counts_match_the_fixture_events(data_dir):
    panel = analysis.load("panel_monthly").set_index("month")
    feb, mar = panel.loc["2024-02-01"], panel.loc["2024-03-01"]
    assert (feb["released_people"], feb["release_batches"], feb["deals_with_concession"]) == (
        3, 1, 1)
    assert (mar["released_political_low"], mar["released_political_high"],
            mar["released_people"]) == (40, 40, 50)
    assert (feb["relief_steps"], mar["engagement_steps"]) == (1, 1)
    assert abs(feb["prisoners_held"] - 119) < 3 and feb["prisoners_held_observed"]
    assert feb["prisoners_held_low"] < 119 < feb["prisoners_held_high"]
    assert feb["recognized"] == 29 and mar["recognized_qualifier"] == "approx"
    assert panel["recognized"].isna().sum() == len(panel) - 2, "missing stays missing"


def test_a_relief_step_reported_in_both_tables_counts_once(data_dir):
    timeline = analysis.load("sanctions_timeline").set_index("step_id")
    assert timeline.loc["rl001", "duplicate_of"] == "sm004"
    assert timeline.loc["sm006", "duplicate_of"] == "sm004", "curated repeat reports count once"
    assert not timeline.loc["sm002", "counts_in_panel"], "alternative counts never count"
    panel = analysis.load("panel_monthly").set_index("month")
    assert panel.loc["2024-02-01", "relief_steps"] == 1
    assert panel.loc["2020-10-01", "sanctions_packages"] == 1
    assert panel.loc["2021-06-01", "sanctions_packages"] == 1
    assert panel.loc["2024-02-01", "sanctions_packages"] == 0, "renewals are not escalations"


def test_every_column_of_every_dataset_is_described(data_dir):
    from analysis import catalog

    for name in catalog.DATASETS:
        described = analysis.columns(name)
        undocumented = described.loc[described["description"] == "", "column"].tolist()
        assert not undocumented, f"{name}: add {undocumented} to analysis.fields.FIELDS"
