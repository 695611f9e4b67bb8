"""The panel's designation columns agree with the official list copies month by month."""

import pandas as pd
import pytest

import analysis
from analysis import paths
from analysis.derive.designations import LIST_COPIES
from analysis.lists import first_seen_targets, read_sanctions_list


def test_without_list_copies_the_designation_columns_are_missing_not_zero(data_dir):
    panel = analysis.load("panel_monthly")
    for column in ("designations_eu", "designations_us", "designations_uk"):
        assert panel[column].isna().all()


@pytest.fixture(scope="module")
def panel_on_shipped_data(tmp_path_factory, shipped_data_copy, shared_dir):
    with shipped_data_copy(tmp_path_factory.mktemp("designations")):
        yield analysis.load("panel_monthly"), analysis.load("sanctions_designations")


def _monthly_counts_from_the_list(copy) -> pd.Series:
    path = paths.official_lists_dir() / copy.relative_path
    targets = (first_seen_targets(path) if copy.format == "ofac_first_seen"
               else read_sanctions_list(path, format=copy.format))
    belarus = targets[targets["belarus"] & targets["listed_on"].notna()]
    if copy.designation_prefixes:
        belarus = belarus[belarus["record_id"].str.startswith(copy.designation_prefixes)]
    return belarus["listed_on"].dt.to_period("M").dt.to_timestamp().value_counts()


@pytest.mark.parametrize("copy", LIST_COPIES, ids=lambda c: c.jurisdiction)
def test_panel_agrees_with_the_list_month_by_month(panel_on_shipped_data, copy):
    panel, _ = panel_on_shipped_data
    column = f"designations_{copy.jurisdiction.lower()}"
    from_list = _monthly_counts_from_the_list(copy)
    covered = panel[panel[column].notna()]
    assert covered["month"].min() == pd.Timestamp(copy.covers_from)
    if copy.covers_to:
        assert covered["month"].max() == pd.Timestamp(copy.covers_to)
    expected = from_list.reindex(covered["month"], fill_value=0).to_numpy()
    assert covered[column].astype(int).to_numpy().tolist() == expected.tolist()
    assert panel.loc[panel[column].isna(), "month"].isin(covered["month"]).sum() == 0


def test_designations_dataset_keeps_every_belarus_target(panel_on_shipped_data):
    _, designations = panel_on_shipped_data
    per_jurisdiction = designations.groupby("jurisdiction").size().to_dict()
    assert per_jurisdiction == {"EU": 408, "UK": 167, "US": 232}
    eu = designations[designations["jurisdiction"] == "EU"]
    assert eu["listed_on"].isna().sum() == 31
    assert eu["counts_as_designation"].sum() == 372, "asset-freeze annexes I.A and I.B only"
