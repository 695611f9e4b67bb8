"""Relief-for-release episodes across countries, and the base rate they give the Belarus claim.

The episodes and their dates are data: the ``episodes`` list of each ``country.yml``. The
counts around each deal come from that country's stock-flow model (``flows_monthly`` and its
draws ``flows_draws``), under its own counting organisation's definition of a political
prisoner: the definitions differ (Prisoners Defenders, for Cuba, keeps people released on
parole on its list), so a count is only ever compared with the same organisation's count
before the deal, never with another country's.

Timing, in month-end counts of the model: ``stock_before`` is the count at the end of the
month before the deal's month; ``stock_12m`` and ``stock_24m`` the count at the end of the 12th
and 24th month after the deal's month; ``recognized_12m`` the model's recognitions in those 12
months. Each is missing when its months are outside the model (not yet reached, or before the
model's first month).

How the interval is used for ``returned_within_12m`` and ``returned_within_24m``: in each
posterior draw, the count returned when its month-end value in the deal's month or any of the
12 (24) months after is at or above the same draw's ``stock_before``; the share of draws in
which it returned is ``returned_within_*_probability``. The outcome is True when that share is
at least 0.95 (known even before the window ends), False when it is at most 0.05 and the whole
window is inside the model, and missing otherwise: either not yet knowable, or the model cannot
tell. ``recognized_12m_at_least_freed`` is decided the same way against ``released_political``.

Where the model does not cover the month before the deal (a country whose model starts later,
or an episode whose ``outcome_series`` is an organisation's other series), the outcome is read
from the organisation's own counts (``outcome_basis`` ``counts``): ``stock_before`` is the last
count before the deal day, ``stock_12m`` and ``stock_24m`` the first counts on or after the day
12 and 24 months after it, each with its date and its distance from that target in days, and a
count more than ``MAX_GAP_DAYS`` from its target stands for nothing. The count returned within
a window when a count inside the window is at or above ``stock_before``; it did not when the
counts inside the window and the first count after it are all below it (a rise and fall
between two sparse counts would be missed, so the gaps are stated); not returning within 24
months implies not within 12. Bounds count only on their safe side. Comparability and
confounders: ``comparability`` (rules in docs/comparative.md).

``replacement_months`` (model only): per draw, the months after the deal's month until the
model's recognitions add up to ``released_political``; missing beyond ``RETURN_WINDOWS[-1]``.

``released_political`` (political prisoners freed in the episode, under the counting
organisation's definition): the organisation's own tallies named in ``release_counts`` (the
largest tally as the figure; tallies with different start dates are added for the upper end);
else its counts among the batches named in ``political_release_counts``; else the batches in
``release_events``, with a stated political count where one exists and zero to the batch total
where none does (the figure itself is then missing). ``rearrests`` is the largest
``rearrested_in_period`` figure the episode names, where the data count re-arrests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import country as countries
from analysis.derive.resolve import choose_counts, resolution_rule
from analysis.store import load

RETURN_WINDOWS = (12, 24)
DECIDED = 0.95
"""Share of posterior draws that decides a yes/no outcome (and 1 − it, a no)."""
MAX_GAP_DAYS = 183
"""How far (days) a reported count may lie from the date it stands for: half a year, so a
count a year off is never read as the level 12 months after a deal."""

EPISODE_COLUMNS = [
    "country", "episode", "counting_organisation", "deal_date", "relief", "relief_reversed_on",
    "relief_granted", "release_form", "outcome_series", "outcome_basis",
    "released_political", "released_political_low", "released_political_high",
    *[f"stock_{when}{end}" for when in ("before", "12m", "24m") for end in ("", "_low", "_high")],
    *[f"stock_{when}_{end}" for when in ("before", "12m", "24m") for end in ("date", "gap_days")],
    "recognized_12m", "recognized_12m_low", "recognized_12m_high",
    "replacement_months", "replacement_months_low", "replacement_months_high",
    "returned_within_12m", "returned_within_24m", "recognized_12m_at_least_freed",
    "returned_within_12m_probability", "returned_within_24m_probability",
    "recognized_12m_at_least_freed_probability", "rearrests",
    "comparable", "confounded", "confounders", "comparability_note",
]

OUTCOMES = {
    "returned_within_12m": "the count got back to its pre-deal level within 12 months",
    "returned_within_24m": "the count got back to its pre-deal level within 24 months",
    "recognized_12m_at_least_freed": "new political prisoners in the 12 months after the deal "
                                     "at least as many as were freed",
}
"""The outcomes of the base rate, each a column of ``episodes``, and what a yes means."""


def _month(value) -> pd.Timestamp:
    return pd.Timestamp(str(value)).to_period("M").to_timestamp()


def released_political(episode: dict, counts: pd.DataFrame, releases: pd.DataFrame
                       ) -> tuple[float, float, float]:
    """(figure, low, high) of political prisoners freed in the episode (rule in the module
    docstring); the figure is NaN where only a range is known."""
    tallies = counts[counts["record_id"].isin(episode.get("release_counts") or [])]
    if len(tallies):
        figure = float(tallies["value"].max())
        high = float(tallies.groupby("date_start")["value"].max().sum())
        return figure, figure, high
    stated = releases[releases["event_id"].isin(episode.get("political_release_counts") or [])]
    if len(stated):
        figure = float(stated["released_political_prisoners"].sum())
        return figure, figure, figure
    batches = releases[releases["event_id"].isin(episode.get("release_events") or [])]
    political = batches["released_political_prisoners"].astype("float64")
    low = float(political.fillna(0).sum())
    high = float(political.fillna(batches["released_total"].astype("float64")).sum())
    return (low if political.notna().all() else np.nan), low, high


def _rearrests(episode: dict, counts: pd.DataFrame) -> float:
    named = counts[counts["record_id"].isin(episode.get("rearrests") or [])
                   & (counts["metric"] == "rearrested_in_period")]
    return float(named["value"].max()) if len(named) else np.nan


def _decided(probability: float, window_complete: bool) -> object:
    if np.isnan(probability):
        return pd.NA
    if probability >= DECIDED:
        return True
    if probability <= 1 - DECIDED and window_complete:
        return False
    return pd.NA


def series_counts(counts: pd.DataFrame, scope: str, rule) -> pd.DataFrame:
    """One count of the number held per date (``date``, ``value``, ``qualifier``) in one
    series of the counting organisation, the figure the resolution rule prefers; a figure dated
    only to a year cannot stand for a day and is left out."""
    own = counts[(counts["metric"] == "current_count") & (counts["counts_scope"] == scope)
                 & (counts["date_precision"] != "year")]
    chosen = choose_counts(own, rule)
    return (pd.DataFrame({"date": chosen["date_end"], "value": chosen["value"].astype(float),
                          "qualifier": chosen["qualifier"]})
            .sort_values("date", kind="stable").reset_index(drop=True))


def _count_near(series: pd.DataFrame, target: pd.Timestamp, after: bool):
    """The first count on or after ``target`` (or the last before it), if within the gap."""
    side = series[series["date"] >= target] if after else series[series["date"] < target]
    if side.empty:
        return None
    figure = side.iloc[0] if after else side.iloc[-1]
    return figure if abs((figure["date"] - target).days) <= MAX_GAP_DAYS else None


def count_outcome(deal: pd.Timestamp, series: pd.DataFrame) -> dict:
    """Outcome columns read from an organisation's own counts (rule in the module docstring)."""
    row: dict = {}
    before = _count_near(series, deal, after=False)
    targets = {"before": deal, **{f"{w}m": deal + pd.DateOffset(months=w) for w in RETURN_WINDOWS}}
    figures = {"before": before,
               **{f"{w}m": _count_near(series, targets[f"{w}m"], after=True)
                  for w in RETURN_WINDOWS}}
    for label, figure in figures.items():
        value = np.nan if figure is None else float(figure["value"])
        for end in ("", "_low", "_high"):
            row[f"stock_{label}{end}"] = value
        row[f"stock_{label}_date"] = pd.NaT if figure is None else figure["date"]
        row[f"stock_{label}_gap_days"] = (pd.NA if figure is None
                                          else abs((figure["date"] - targets[label]).days))
    for window in RETURN_WINDOWS:
        row[f"returned_within_{window}m"] = pd.NA
        row[f"returned_within_{window}m_probability"] = np.nan
        if before is None or before["qualifier"] == "upper_bound":
            continue
        level = float(before["value"])
        last = figures[f"{window}m"]
        inside = series[(series["date"] > deal) & (series["date"] <= targets[f"{window}m"])]
        reached = (inside["value"].astype(float) >= level) & (inside["qualifier"] != "upper_bound")
        if reached.any():
            row[f"returned_within_{window}m"] = True
        elif (last is not None and last["qualifier"] != "lower_bound"
              and float(last["value"]) < level):
            row[f"returned_within_{window}m"] = False
    if row[f"returned_within_{RETURN_WINDOWS[-1]}m"] is False:
        for window in RETURN_WINDOWS[:-1]:
            if row[f"returned_within_{window}m"] is pd.NA:
                row[f"returned_within_{window}m"] = False
    return row


def model_outcome(deal: pd.Timestamp, flows: pd.DataFrame, draws: pd.DataFrame,
                  figure: float) -> dict:
    """Outcome columns from the stock-flow model (rule in the module docstring)."""
    deal_month = _month(deal)
    monthly = flows.set_index("month")
    stocks = draws.pivot(index="draw", columns="month", values="stock")
    recognized = draws.pivot(index="draw", columns="month", values="recognized")
    row: dict = {}
    before = deal_month - pd.DateOffset(months=1)
    for label, month in (("before", before), ("12m", deal_month + pd.DateOffset(months=12)),
                         ("24m", deal_month + pd.DateOffset(months=24))):
        known = month in monthly.index
        for end in ("", "_low", "_high"):
            row[f"stock_{label}{end}"] = monthly.at[month, f"stock{end}"] if known else np.nan
        row[f"stock_{label}_date"] = pd.NaT
        row[f"stock_{label}_gap_days"] = pd.NA
    after = pd.date_range(deal_month + pd.DateOffset(months=1), periods=12, freq="MS")
    if all(month in recognized.columns for month in after):
        total = recognized[after].sum(axis=1).to_numpy()
        row["recognized_12m"] = float(total.mean())
        row["recognized_12m_low"], row["recognized_12m_high"] = np.percentile(total, [2.5, 97.5])
        probability = float(np.mean(total >= figure)) if not np.isnan(figure) else np.nan
    else:
        row["recognized_12m"] = row["recognized_12m_low"] = row["recognized_12m_high"] = np.nan
        probability = np.nan
    row["recognized_12m_at_least_freed_probability"] = probability
    row["recognized_12m_at_least_freed"] = _decided(probability, True)
    row.update(_replacement(deal_month, recognized, figure))
    for window in RETURN_WINDOWS:
        months = pd.date_range(deal_month, periods=window + 1, freq="MS")
        inside = [month for month in months if month in stocks.columns]
        if before in stocks.columns and inside:
            level = stocks[before].to_numpy()[:, None]
            probability = float(np.mean((stocks[inside].to_numpy() >= level).any(axis=1)))
        else:
            probability = np.nan
        row[f"returned_within_{window}m_probability"] = probability
        row[f"returned_within_{window}m"] = _decided(probability, len(inside) == len(months))
    return row


def _replacement(deal_month: pd.Timestamp, recognized: pd.DataFrame, figure: float) -> dict:
    """Months until the model's recognitions after the deal's month add up to ``figure``: the
    median over draws and its 95% interval; a draw that does not get there inside the model
    or within the longest window counts as never, and an end beyond it is missing."""
    empty = dict.fromkeys(("replacement_months", "replacement_months_low",
                           "replacement_months_high"), np.nan)
    months = [month for month in pd.date_range(deal_month + pd.DateOffset(months=1),
                                               periods=RETURN_WINDOWS[-1], freq="MS")
              if month in recognized.columns]
    if np.isnan(figure) or not months:
        return empty
    never = RETURN_WINDOWS[-1] + 1.0
    running = recognized[months].cumsum(axis=1).to_numpy() >= figure
    needed = np.where(running.any(axis=1), running.argmax(axis=1) + 1.0, never)
    low, middle, high = np.percentile(needed, [2.5, 50, 97.5], method="lower")
    return {name: value if value < never else np.nan
            for name, value in (("replacement_months", middle),
                                ("replacement_months_low", low),
                                ("replacement_months_high", high))}


def comparability(episode: dict, config: dict, row: dict) -> dict:
    """``comparable``, ``confounded``, ``confounders`` and ``comparability_note`` by the rules
    of docs/comparative.md: a counter that keeps people released in the episode's form on its
    list cannot show their release (not comparable); a sourced shock of the country's
    ``confounders`` inside the longest outcome window confounds the outcome (kept, flagged)."""
    organisation = config["counting_organisation"]
    name = organisation.get("name")
    form = str(episode.get("release_form") or "")
    stays = [str(each) for each in organisation.get("released_stay_on_list") or []]
    deal = pd.Timestamp(str(episode["deal_date"]))
    end = deal + pd.DateOffset(months=RETURN_WINDOWS[-1])
    shocks = [shock for shock in config.get("confounders") or []
              if deal < pd.Timestamp(str(shock["date"])) <= end]
    comparable = form not in stays
    notes = [f"{name} keeps people on its list after {form}, so its count cannot show their "
             "release" if not comparable else
             f"the count of {name} drops people released ({form})"]
    if shocks:
        notes.append("confounded: a second shock inside the "
                     f"{RETURN_WINDOWS[-1]}-month outcome window")
    if not episode.get("relief_granted", True):
        notes.append("released without sanctions relief: contrast group")
    if row["outcome_basis"] == "none":
        notes.append("no count of the organisation's series near the deal, so no outcome")
    return {
        "comparable": comparable,
        "confounded": bool(shocks),
        "confounders": " | ".join(f"{shock['date']} {shock['kind']}: {shock['event']} "
                                 f"({shock['source']})" for shock in shocks),
        "comparability_note": "; ".join(notes) + ".",
    }


def episode_row(country: str, episode: dict, counts: pd.DataFrame, releases: pd.DataFrame,
                flows: pd.DataFrame, draws: pd.DataFrame) -> dict:
    """One episode's row of ``episodes`` from its country's tables and stock-flow model, or
    from its counting organisation's own counts where the model does not reach."""
    config = countries.config(country)
    deal = pd.Timestamp(str(episode["deal_date"]))
    figure, low, high = released_political(episode, counts, releases)
    headline = config["counting_organisation"]["counts_scope"]
    series = episode.get("outcome_series") or headline
    row = {
        "country": country,
        "episode": episode["id"],
        "counting_organisation": config["counting_organisation"]["name"],
        "deal_date": deal,
        "relief": " ".join(str(episode["relief"]).split()),
        "relief_reversed_on": pd.Timestamp(str(episode["relief_reversed_on"]))
        if episode.get("relief_reversed_on") else pd.NaT,
        "relief_granted": bool(episode.get("relief_granted", True)),
        "release_form": str(episode.get("release_form") or ""),
        "outcome_series": series,
        "released_political": figure,
        "released_political_low": low,
        "released_political_high": high,
        "rearrests": _rearrests(episode, counts),
    }
    before = _month(deal) - pd.DateOffset(months=1)
    if series == headline and len(draws) and before in set(draws["month"]):
        row["outcome_basis"] = "model"
        row.update(model_outcome(deal, flows, draws, figure))
    else:
        outcome = count_outcome(deal, series_counts(counts, series,
                                                    resolution_rule(country)))
        known = any(pd.notna(outcome[f"stock_{label}"]) for label in ("before", "12m", "24m"))
        row["outcome_basis"] = "counts" if known else "none"
        row.update(outcome)
        row.update(dict.fromkeys(("recognized_12m", "recognized_12m_low", "recognized_12m_high",
                                  "recognized_12m_at_least_freed_probability",
                                  "replacement_months", "replacement_months_low",
                                  "replacement_months_high"), np.nan))
        row["recognized_12m_at_least_freed"] = pd.NA
    row.update(comparability(episode, config, row))
    return row


def episodes_table(frames: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """``episodes`` from each country's ``prisoner_counts``, ``release_events``,
    ``flows_monthly`` and ``flows_draws`` (``frames[country][name]``)."""
    rows = [episode_row(country, episode, tables["prisoner_counts"], tables["release_events"],
                        tables["flows_monthly"], tables["flows_draws"])
            for country, tables in frames.items() for episode in countries.episodes(country)]
    table = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    for column in ("returned_within_12m", "returned_within_24m",
                   "recognized_12m_at_least_freed", "relief_granted", "comparable",
                   "confounded"):
        table[column] = table[column].astype("boolean")
    for column in ("rearrests", "stock_before_gap_days", "stock_12m_gap_days",
                   "stock_24m_gap_days"):
        table[column] = table[column].astype("Int64")
    for column in ("deal_date", "relief_reversed_on", "stock_before_date", "stock_12m_date",
                   "stock_24m_date"):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[ns]")
    numeric = [column for column in EPISODE_COLUMNS
               if (column.startswith(("stock_", "released_political", "recognized_12m",
                                      "replacement_months")) or column.endswith("_probability"))
               and not column.endswith(("_date", "_gap_days"))
               and column != "recognized_12m_at_least_freed"]
    table[numeric] = table[numeric].astype("float64")
    return table.sort_values(["country", "deal_date"], kind="stable").reset_index(drop=True)


def build_episodes() -> pd.DataFrame:
    """``episodes``, rebuilt if stale."""
    return load("episodes")


def episode_counts_table(frames: dict[str, dict[str, pd.DataFrame]], window: int = 24
                         ) -> pd.DataFrame:
    """The modelled count around each deal on one time axis: months from the deal's month
    (−``window`` to ``window``) and the month-end count as a share of the same draw's count
    at the end of the month before the deal's month, with its 95% interval. Each share is a
    counting organisation's count against its own earlier count, so the countries' definitions
    never meet in one number. Episodes before a country's model starts have no rows."""
    parts = []
    offsets = np.arange(-window, window + 1)
    for country, tables in frames.items():
        stocks = tables["flows_draws"].pivot(index="draw", columns="month", values="stock")
        for episode in countries.episodes(country):
            deal_month = _month(episode["deal_date"])
            before = deal_month - pd.DateOffset(months=1)
            months = [deal_month + pd.DateOffset(months=int(step)) for step in offsets]
            present = np.array([month in stocks.columns for month in months])
            if before not in stocks.columns:
                continue
            inside = [month for month, here in zip(months, present, strict=True) if here]
            ratio = stocks[inside].to_numpy() / stocks[before].to_numpy()[:, None]
            low, high = np.percentile(ratio, [2.5, 97.5], axis=0)
            parts.append(pd.DataFrame({
                "country": country, "episode": episode["id"],
                "months_from_deal": offsets[present].astype("int64"),
                "share_of_before": ratio.mean(axis=0), "share_low": low, "share_high": high,
            }))
    columns = ["country", "episode", "months_from_deal", "share_of_before", "share_low",
               "share_high"]
    return (pd.concat(parts, ignore_index=True) if parts
            else pd.DataFrame({column: [] for column in columns}))


GROUPS = {
    "comparable deals": "relief granted, counter can show a fall (confounded or not)",
    "comparable deals, unconfounded": "as comparable deals, without a second shock in the "
                                      "outcome window",
    "releases without relief": "contrast group: released with no sanctions relief, counter "
                               "can show a fall",
}
"""The groups of the base rate: relief-for-release deals and releases without relief are
never pooled, and an episode whose counter cannot show a fall is in none."""


def group_members(episodes: pd.DataFrame, group: str) -> pd.DataFrame:
    """The episodes of one of ``GROUPS``."""
    comparable = episodes["comparable"].fillna(False).astype(bool)
    relief = episodes["relief_granted"].fillna(True).astype(bool)
    confounded = episodes["confounded"].fillna(False).astype(bool)
    chosen = {"comparable deals": comparable & relief,
              "comparable deals, unconfounded": comparable & relief & ~confounded,
              "releases without relief": comparable & ~relief}[group]
    return episodes[chosen]


def base_rate(episodes: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Per group (``GROUPS``) and outcome (``OUTCOMES``): the share of the group's episodes
    where it happened, its exact (Clopper-Pearson) interval, the number of episodes with the
    outcome known, the episodes behind it, and a sentence saying what the interval rules out.
    Episodes whose outcome is missing (not yet knowable, or undecided) are listed apart, and
    the episodes no group takes (``left_out``, with the reason) beside them."""
    from scipy.stats import binomtest

    episodes = build_episodes() if episodes is None else episodes
    grouped = set().union(*(group_members(episodes, group)["episode"] for group in GROUPS))
    outside = episodes[~episodes["episode"].isin(grouped)]
    left_out = "; ".join(f"{row.episode} ({row.comparability_note.split(';')[0].rstrip('.')})"
                         for row in outside.itertuples())
    rows = []
    for group, group_meaning in GROUPS.items():
        members = group_members(episodes, group)
        for outcome, meaning in OUTCOMES.items():
            known = members[members[outcome].notna()]
            n, k = len(known), int(known[outcome].astype(bool).sum())
            if n:
                interval = binomtest(k, n).proportion_ci(confidence_level=confidence,
                                                         method="exact")
                low, high = float(interval.low), float(interval.high)
                rules_out = _rules_out(k, n, low, high, confidence)
            else:
                low, high = 0.0, 1.0
                rules_out = "No episode has this outcome known yet, so nothing is ruled out."
            rows.append({
                "group": group,
                "group_meaning": group_meaning,
                "outcome": outcome,
                "meaning": meaning,
                "share": k / n if n else np.nan,
                "share_low": low,
                "share_high": high,
                "yes": k,
                "episodes_known": n,
                "episodes": ", ".join(known["episode"]),
                "episodes_unknown": ", ".join(members.loc[members[outcome].isna(), "episode"]),
                "left_out": left_out,
                "rules_out": rules_out,
            })
    return pd.DataFrame(rows)


def _rules_out(k: int, n: int, low: float, high: float, confidence: float) -> str:
    excluded = [f"below {low:.0%}" if low > 0 else "", f"above {high:.0%}" if high < 1 else ""]
    excluded = " and ".join(part for part in excluded if part)
    return (f"With {k} of {n} episodes, the {confidence:.0%} interval rules out shares "
            f"{excluded}; any share from {low:.0%} to {high:.0%} is consistent with so few "
            "episodes.")


def _share_sentence(row: pd.Series, episodes: pd.DataFrame, stayed: bool) -> str:
    """'k of n (interval; each episode and how it came out)' for an outcome row of
    ``base_rate``; ``stayed`` counts the episodes whose count did not return (n − k, interval
    1 − high to 1 − low)."""
    n = int(row["episodes_known"])
    if not n:
        return "no episode with a known outcome"
    k = n - int(row["yes"]) if stayed else int(row["yes"])
    low, high = ((1 - row["share_high"], 1 - row["share_low"]) if stayed
                 else (row["share_low"], row["share_high"]))
    outcome = episodes.set_index("episode")[row.name[1]]
    words = ("back", "stayed down") if stayed else ("yes", "no")
    named = ", ".join(f"{episode} {words[0] if outcome[episode] else words[1]}"
                      for episode in row["episodes"].split(", "))
    return f"{k} of {n} (95% interval {low:.0%} to {high:.0%}; {named})"


def _months(value: float) -> str:
    return f"{value:.0f} month" + ("" if round(value) == 1 else "s")


def findings(episodes: pd.DataFrame | None = None) -> dict[str, str]:
    """The answers of notebook 05 in words, every number computed here: how often the count
    stayed below its pre-deal level after comparable deals (with and without confounded ones),
    how fast new political prisoners replaced those freed, and the same for releases without
    relief."""
    episodes = build_episodes() if episodes is None else episodes
    rate = base_rate(episodes).set_index(["group", "outcome"])
    deals, clean, contrast = GROUPS
    stayed = {group: _share_sentence(rate.loc[(group, "returned_within_24m")], episodes, True)
              for group in GROUPS}
    stayed_12m = {group: _share_sentence(rate.loc[(group, "returned_within_12m")], episodes,
                                         True) for group in GROUPS}
    replaced = {group: _share_sentence(rate.loc[(group, "recognized_12m_at_least_freed")],
                                       episodes, False) for group in GROUPS}
    without_relief = ", ".join(sorted({countries.config(country)["name"] for country in
                                       group_members(episodes, contrast)["country"]})) or "none"
    comparable = episodes[episodes["comparable"].fillna(False).astype(bool)]
    timed = comparable[comparable["replacement_months"].notna()]
    speed = "; ".join(
        f"{row.episode}: {_months(row.replacement_months)} (95% interval "
        f"{row.replacement_months_low:.0f} to "
        + (f"{_months(row.replacement_months_high)})"
           if pd.notna(row.replacement_months_high)
           else f"more than {RETURN_WINDOWS[-1]})")
        + f" for {row.released_political:.0f} freed"
        + ("" if row.relief_granted else " (no relief)")
        for row in timed.itertuples())
    slow = comparable[comparable["outcome_basis"].eq("model")
                      & comparable["replacement_months"].isna()
                      & comparable["released_political"].notna()
                      & comparable[f"stock_{RETURN_WINDOWS[-1]}m"].notna()]
    return {
        "stayed_down": (
            f"After comparable relief-for-release deals the count stayed below its pre-deal "
            f"level for 24 months in {stayed[deals]}, and for 12 months in "
            f"{stayed_12m[deals]}. Without the confounded ones: {stayed[clean]}."),
        "replacement": (
            "Months until the model's new political prisoners added up to those freed "
            "(comparable episodes): "
            + (speed or "no episode with both in the model") + ". "
            + (f"Not within {RETURN_WINDOWS[-1]} months (the median draw): "
               + ", ".join(slow["episode"]) + ". " if len(slow) else "")
            + f"New political prisoners in the year after at least as many as freed: "
              f"{replaced[deals]} of the comparable deals; {replaced[contrast]} of the releases "
              "without relief."),
        "contrast": (
            f"Releases without relief ({without_relief}): the count stayed below its pre-deal "
            f"level "
            f"for 24 months in {stayed[contrast]}, and for 12 months in {stayed_12m[contrast]}."),
    }
