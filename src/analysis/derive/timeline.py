"""One dated, typed timeline of every sanctions escalation and every relief or engagement step.

It stacks the curated sanctions measures (escalations, relief, renewals) on the relief and
engagement steps. One step can be reported more than once, and is then counted once, by
the rule in ``analysis.counting`` (``duplicate_of`` names the row it repeats).

Alternative counts (``row_role == alt_count``) stay in the timeline for reference and are never
counted.
"""

from __future__ import annotations

import pandas as pd

from analysis.counting import duplicate_steps

INSTRUMENT_OF_MEASURE = {"relief_license": "licence", "relief_delisting": "delisting",
                         "relief_suspension": "suspension"}

TIMELINE_COLUMNS = ["step_id", "source_table", "date_start", "date_end", "date_precision",
                    "jurisdiction", "step_kind", "instrument_type", "description",
                    "individuals_listed", "entities_listed", "is_primary", "verified",
                    "duplicate_of", "counts_in_panel", "source_url"]


def _from_measures(measures: pd.DataFrame) -> pd.DataFrame:
    instrument = measures["measure_type"].map(INSTRUMENT_OF_MEASURE)
    return pd.DataFrame({
        "step_id": measures["measure_id"],
        "source_table": "sanctions_measures",
        "date_start": measures["date_start"],
        "date_end": measures["date_end"],
        "date_precision": measures["date_precision"],
        "jurisdiction": measures["jurisdiction"],
        "step_kind": measures["step_kind"],
        "instrument_type": instrument.fillna(measures["measure_type"]),
        "description": measures["instrument"] + ": " + measures["description"],
        "individuals_listed": measures["individuals_listed"],
        "entities_listed": measures["entities_listed"],
        "is_primary": measures["row_role"] == "primary",
        "verified": measures["verified"],
        "duplicate_of": measures["same_step_as"].astype("string"),
        "source_url": measures["source_url"],
    })


def _from_relief(relief: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "step_id": relief["event_id"],
        "source_table": "relief_events",
        "date_start": relief["date_start"],
        "date_end": relief["date_end"],
        "date_precision": relief["date_precision"],
        "jurisdiction": relief["jurisdiction"],
        "step_kind": relief["step_type"],
        "instrument_type": relief["relief_instrument"].fillna(relief["step_type"]),
        "description": relief["actor"] + ": " + relief["action"],
        "individuals_listed": pd.array([pd.NA] * len(relief), dtype="Int64"),
        "entities_listed": pd.array([pd.NA] * len(relief), dtype="Int64"),
        "is_primary": True,
        "verified": True,
        "duplicate_of": relief["same_step_as"].astype("string"),
        "source_url": relief["source_url"],
    })


def build_sanctions_timeline(measures: pd.DataFrame | None, relief: pd.DataFrame
                             ) -> pd.DataFrame:
    """The timeline; ``measures`` is None for a country without a sanctions-measures table,
    whose timeline is its relief, engagement and other steps alone."""
    parts = [_from_relief(relief)] if measures is None else [_from_measures(measures),
                                                              _from_relief(relief)]
    timeline = pd.concat(parts, ignore_index=True)
    timeline["duplicate_of"] = duplicate_steps(timeline)
    timeline["counts_in_panel"] = timeline["is_primary"] & timeline["duplicate_of"].isna()
    timeline = timeline.sort_values(["date_start", "source_table", "step_id"], kind="stable")
    return timeline[TIMELINE_COLUMNS].reset_index(drop=True)
