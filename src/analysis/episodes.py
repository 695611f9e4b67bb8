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

``released_political`` (political prisoners freed in the episode, under the counting
organisation's definition): the organisation's own tallies named in ``release_counts`` (the
largest tally as the figure; tallies with different start dates are added for the upper end);
else its counts among the batches named in ``political_release_counts``; else the batches in
``release_events``, with a stated political count where one exists and zero to the batch total
where none does (the figure itself is then missing). ``rearrests`` is the largest
``rearrested_in_period`` figure the episode names, where the data count re-arrests.
"""

from __future__ import annotations

import hashlib
import importlib
import json

import numpy as np
import pandas as pd

from analysis import catalog, paths
from analysis import country as countries

RETURN_WINDOWS = (12, 24)
DECIDED = 0.95
"""Share of posterior draws that decides a yes/no outcome (and 1 − it, a no)."""

EPISODE_COLUMNS = [
    "country", "episode", "counting_organisation", "deal_date", "relief", "relief_reversed_on",
    "released_political", "released_political_low", "released_political_high",
    *[f"stock_{when}{end}" for when in ("before", "12m", "24m") for end in ("", "_low", "_high")],
    "recognized_12m", "recognized_12m_low", "recognized_12m_high",
    "returned_within_12m", "returned_within_24m", "recognized_12m_at_least_freed",
    "returned_within_12m_probability", "returned_within_24m_probability",
    "recognized_12m_at_least_freed_probability", "rearrests",
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


def episode_row(country: str, episode: dict, counts: pd.DataFrame, releases: pd.DataFrame,
                flows: pd.DataFrame, draws: pd.DataFrame) -> dict:
    """One episode's row of ``episodes`` from its country's tables and stock-flow model."""
    config = countries.config(country)
    deal = pd.Timestamp(str(episode["deal_date"]))
    deal_month = _month(deal)
    monthly = flows.set_index("month")
    stocks = draws.pivot(index="draw", columns="month", values="stock")
    recognized = draws.pivot(index="draw", columns="month", values="recognized")
    figure, low, high = released_political(episode, counts, releases)
    row = {
        "country": country,
        "episode": episode["id"],
        "counting_organisation": config["counting_organisation"]["name"],
        "deal_date": deal,
        "relief": " ".join(str(episode["relief"]).split()),
        "relief_reversed_on": pd.Timestamp(str(episode["relief_reversed_on"]))
        if episode.get("relief_reversed_on") else pd.NaT,
        "released_political": figure,
        "released_political_low": low,
        "released_political_high": high,
        "rearrests": _rearrests(episode, counts),
    }
    before = deal_month - pd.DateOffset(months=1)
    for label, month in (("before", before), ("12m", deal_month + pd.DateOffset(months=12)),
                         ("24m", deal_month + pd.DateOffset(months=24))):
        known = month in monthly.index
        for end in ("", "_low", "_high"):
            row[f"stock_{label}{end}"] = monthly.at[month, f"stock{end}"] if known else np.nan
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


def episodes_table(frames: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """``episodes`` from each country's ``prisoner_counts``, ``release_events``,
    ``flows_monthly`` and ``flows_draws`` (``frames[country][name]``)."""
    rows = [episode_row(country, episode, tables["prisoner_counts"], tables["release_events"],
                        tables["flows_monthly"], tables["flows_draws"])
            for country, tables in frames.items() for episode in countries.episodes(country)]
    table = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    for column in ("returned_within_12m", "returned_within_24m",
                   "recognized_12m_at_least_freed"):
        table[column] = table[column].astype("boolean")
    table["rearrests"] = table["rearrests"].astype("Int64")
    for column in ("deal_date", "relief_reversed_on"):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[ns]")
    numeric = [column for column in EPISODE_COLUMNS
               if column.startswith(("stock_", "released_political", "recognized_12m"))
               and column != "recognized_12m_at_least_freed"]
    table[numeric] = table[numeric].astype("float64")
    return table.sort_values(["country", "deal_date"], kind="stable").reset_index(drop=True)


def _fingerprint(name: str) -> str:
    from analysis.store import code_fingerprint, input_hashes, stored_fingerprint

    spec = catalog.dataset(name)
    payload = {
        "inputs": input_hashes(name),
        "upstream": {f"{country}/{parent}": stored_fingerprint(parent, country)
                     for country in paths.countries() for parent in spec.upstream},
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def load_cross_country(name: str) -> pd.DataFrame:
    """A dataset built from every country's (``catalog.CROSS_COUNTRY``): each country's
    upstream datasets are brought up to date first (under that country's lock, saying what was
    rebuilt and quarantined, as a country's ``load`` does), then the dataset is rebuilt
    under its own lock if any of them, or a ``country.yml``, changed."""
    from filelock import FileLock

    from analysis.io import read_parquet, read_provenance, write_parquet_atomic
    from analysis.store import LOCK_TIMEOUT_SECONDS, build, rebuild_notice, stale

    spec = catalog.dataset(name)
    # flows_monthly with the upstream: the model fit is shared, and it is what the rebuild
    # notice reads the moved month-end counts from.
    upstream = sorted({*spec.upstream, "flows_monthly"})
    for country in paths.countries():
        if stale(upstream, country):
            new = {parent for parent in catalog.build_order(upstream, country)
                   if not paths.processed_path(parent, country).is_file()}
            print(rebuild_notice(build(upstream, country=country), new, country))
    frames = {country: {parent: read_parquet(paths.processed_path(parent, country))
                        for parent in spec.upstream}
              for country in paths.countries()}
    path = paths.processed_root() / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(paths.processed_root() / f".{name}.lock", timeout=LOCK_TIMEOUT_SECONDS):
        fingerprint = _fingerprint(name)
        if (read_provenance(path) or {}).get("fingerprint") != fingerprint:
            module, function = spec.builder.split(":")
            frame = getattr(importlib.import_module(module), function)(frames)
            write_parquet_atomic(frame, path, {
                "dataset": name, "description": spec.description, "fingerprint": fingerprint,
                "countries": list(frames), "rows_out": len(frame)})
            print(f"Built {name} from {', '.join(frames)}.")
        return read_parquet(path)


def build_episodes() -> pd.DataFrame:
    """``episodes``, rebuilt if stale (the ``load("episodes")`` path)."""
    return load_cross_country("episodes")


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


def base_rate(episodes: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Per outcome (``OUTCOMES``): the share of episodes where it happened, its exact
    (Clopper-Pearson) interval, the number of episodes with the outcome known, the episodes
    behind it, and a sentence saying what the interval rules out. Episodes whose outcome is
    missing (not yet knowable, or undecided by the model) are left out and listed apart."""
    from scipy.stats import binomtest

    episodes = build_episodes() if episodes is None else episodes
    rows = []
    for outcome, meaning in OUTCOMES.items():
        known = episodes[episodes[outcome].notna()]
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
            "outcome": outcome,
            "meaning": meaning,
            "share": k / n if n else np.nan,
            "share_low": low,
            "share_high": high,
            "yes": k,
            "episodes_known": n,
            "episodes": ", ".join(known["episode"]),
            "episodes_unknown": ", ".join(episodes.loc[episodes[outcome].isna(), "episode"]),
            "rules_out": rules_out,
        })
    return pd.DataFrame(rows)


def _rules_out(k: int, n: int, low: float, high: float, confidence: float) -> str:
    excluded = [f"below {low:.0%}" if low > 0 else "", f"above {high:.0%}" if high < 1 else ""]
    excluded = " and ".join(part for part in excluded if part)
    return (f"With {k} of {n} episodes, the {confidence:.0%} interval rules out shares "
            f"{excluded}; any share from {low:.0%} to {high:.0%} is consistent with so few "
            "episodes.")
