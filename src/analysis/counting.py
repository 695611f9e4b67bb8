"""What counts as one person freed and as one sanctions step: both rules, in one place.

**One person.** A person is counted once, in the batch with which they actually left prison.
Sources sometimes count someone in a batch they did not leave with (Statkevich was in the 52
of 11 Sep 2025 but refused to be expelled, was returned to prison and was freed on
19 Feb 2026); the curators mark such a batch with ``people_not_freed`` and ``freed_later_in``,
and ``released_people`` leaves them out. Political prisoners and all people freed are kept
apart: ``released_political_low`` and ``released_political_high`` bracket the political
prisoners among ``released_people`` (a stated count minus anyone marked not freed, up to the
stated count; where no political count is stated, 0 up to everyone freed), and nothing adds
the two.

**One step.** A sanctions step is one decision of one jurisdiction, counted once however
many rows report it:

- the curators mark a repeat report (an announcement and its legal act, a decision and its
  entry into force) with ``same_step_as``;
- measures of one jurisdiction and kind on the same day are one step (the 4 Nov 2025
  delisting of Belavia and the licence issued with it; listings adopted with a package);
- a relief step in ``relief_events`` repeats the ``sanctions_measures`` relief of the same
  jurisdiction dated at most ``SAME_STEP_DAYS`` apart (a licence issued on the day of a deal,
  or the envoy's announcement of it).

Downstream code (the panel, the stock model) reads the columns these functions add; it never
re-derives either rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SAME_STEP_DAYS = 3


def freed_once(releases: pd.DataFrame) -> pd.DataFrame:
    """``released_people`` and the political-prisoner bracket of each release row, from the
    raw counts and the curators' ``people_not_freed`` (0 where blank)."""
    not_freed = releases["people_not_freed"].astype("int64")
    people = (releases["released_total"] - not_freed).clip(lower=0).astype("int64")
    political = releases["released_political_prisoners"]
    stated = political.notna().to_numpy()
    stated_count = political.fillna(0).astype("int64")
    low = np.where(stated, (stated_count - not_freed).clip(lower=0), 0)
    high = np.where(stated, np.minimum(stated_count, people), people)
    return releases.assign(released_people=people,
                           released_political_low=pd.Series(low, index=releases.index,
                                                            dtype="int64"),
                           released_political_high=pd.Series(high, index=releases.index,
                                                             dtype="int64"))


def duplicate_steps(timeline: pd.DataFrame) -> pd.Series:
    """``duplicate_of`` completed by the one-step rule: the curators' ``same_step_as``, then
    same-day measures of one jurisdiction and kind, then relief events that repeat a measure."""
    duplicate_of = timeline["duplicate_of"].astype("string").copy()
    measures = timeline[(timeline["source_table"] == "sanctions_measures")
                        & timeline["is_primary"] & duplicate_of.isna()
                        & (timeline["date_precision"] == "day")]
    for _, same_day in measures.groupby(["jurisdiction", "step_kind", "date_start"]):
        ordered = same_day.sort_values("step_id")
        duplicate_of[ordered.index[1:]] = ordered["step_id"].iloc[0]
    relief_measures = timeline[(timeline["source_table"] == "sanctions_measures")
                               & (timeline["step_kind"] == "relief") & timeline["is_primary"]
                               & duplicate_of.isna()]
    candidates = timeline[(timeline["source_table"] == "relief_events")
                          & (timeline["step_kind"] == "relief")]
    for index, step in candidates.iterrows():
        same = relief_measures[
            (relief_measures["jurisdiction"] == step["jurisdiction"])
            & ((relief_measures["date_start"] - step["date_start"]).abs()
               <= pd.Timedelta(days=SAME_STEP_DAYS))
        ]
        if len(same):
            duplicate_of[index] = same["step_id"].iloc[0]
    return duplicate_of
