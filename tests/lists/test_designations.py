"""Monthly Belarus designation counts, with undated targets counted rather than dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.lists import designations_by_month, read_sanctions_list
from analysis.lists.targets import target_frame


def target(jurisdiction: str, record_id: str, listed_on: str | None,
           belarus: bool = True) -> dict:
    return {
        "source": "test", "jurisdiction": jurisdiction, "record_id": record_id,
        "name": f"TEST TARGET {record_id}", "kind": "person", "programmes": "TEST",
        "belarus": belarus, "listed_on": listed_on,
        "listed_on_basis": "official_listing_date" if listed_on else "unknown",
    }


def test_counts_per_month_and_jurisdiction() -> None:
    frame = target_frame([
        target("EU", "1", "2020-10-02"),
        target("EU", "2", "2020-10-31"),
        target("EU", "3", "2021-06-21"),
        target("EU", "4", None),
        target("UK", "5", "2020-10-05"),
        target("UK", "6", "2020-10-05", belarus=False),
        target("US", "7", None),
        target("US", "8", "2022-02-01", belarus=False),
    ])
    monthly, undated = designations_by_month(frame)
    assert list(monthly.columns) == ["month", "jurisdiction", "designations"]
    assert str(monthly["month"].dtype) == "datetime64[ns]"
    assert monthly.to_dict("records") == [
        {"month": pd.Timestamp("2020-10-01"), "jurisdiction": "EU", "designations": 2},
        {"month": pd.Timestamp("2021-06-01"), "jurisdiction": "EU", "designations": 1},
        {"month": pd.Timestamp("2020-10-01"), "jurisdiction": "UK", "designations": 1},
    ]
    assert undated.to_dict() == {"EU": 1, "UK": 0, "US": 1}
    belarus = frame["belarus"].sum()
    assert monthly["designations"].sum() + undated.sum() == belarus, "nothing dropped"


def test_requires_list_columns() -> None:
    with pytest.raises(ValueError, match="listed_on"):
        designations_by_month(pd.DataFrame({"jurisdiction": ["EU"], "belarus": [True]}))


def test_eu_annex_months(official_lists: Path) -> None:
    annex = read_sanctions_list(official_lists / "eu_reg_765_2006_annex/32006R0765.csv")
    monthly, undated = designations_by_month(annex)
    assert monthly["designations"].sum() == 377
    assert undated.to_dict() == {"EU": 31}
    by_month = monthly.set_index("month")["designations"]
    assert by_month[pd.Timestamp("2020-10-01")] == 39
