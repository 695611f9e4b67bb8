"""Monthly counts of Belarus designations per jurisdiction, for the panel's
``designations_eu/us/uk`` columns.

Only rows with ``belarus`` true count. Undated Belarus rows cannot be placed in a month; they are
returned as a separate count per jurisdiction instead of being dropped silently, so the build
can report how much of each jurisdiction's list it could not date. A month without designations
has no row: the caller fills zeros over whatever month range the panel uses. Each row counts
once, so a target listed twice (e.g. in two EU annexes) counts twice; filter the frame first to
count otherwise. ``listed_on_basis`` is not filtered either: check it before reading the counts
as designation timing (``first_seen_in_archive`` dates are upper bounds).
"""

from __future__ import annotations

import pandas as pd

from analysis.lists.targets import LIST_COLUMNS

MONTHLY_COLUMNS = ["month", "jurisdiction", "designations"]


def designations_by_month(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """``(monthly, undated)``: ``monthly`` has ``MONTHLY_COLUMNS`` (month start, jurisdiction,
    count), sorted; ``undated`` counts undated Belarus rows per jurisdiction (0 included for
    every jurisdiction with Belarus rows)."""
    missing = [column for column in ("jurisdiction", "belarus", "listed_on")
               if column not in frame.columns]
    if missing:
        raise ValueError(f"designations_by_month needs the list columns {LIST_COLUMNS}; "
                         f"missing {missing}")
    belarus = frame.loc[frame["belarus"].astype(bool), ["jurisdiction", "listed_on"]]
    listed_on = pd.to_datetime(belarus["listed_on"]).astype("datetime64[ns]")
    dated = belarus.assign(month=listed_on.dt.to_period("M").dt.to_timestamp())[
        listed_on.notna()]
    monthly = (
        dated.groupby(["month", "jurisdiction"], observed=True).size()
        .rename("designations").reset_index()
        .sort_values(["jurisdiction", "month"], ignore_index=True)
    )
    monthly["month"] = monthly["month"].astype("datetime64[ns]")
    monthly["jurisdiction"] = monthly["jurisdiction"].astype("string")
    monthly["designations"] = monthly["designations"].astype("int64")
    undated = (
        listed_on.isna().groupby(belarus["jurisdiction"]).sum()
        .astype("int64").rename("undated_designations")
    )
    undated.index = undated.index.astype("string")
    return monthly[MONTHLY_COLUMNS], undated.sort_index()
