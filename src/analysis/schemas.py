"""Every table's columns, declared once with pandera.

Raw schemas describe the curated CSVs as text: each check carries the words a user needs
("a whole number such as 12"), because a failed check becomes a quarantine reason that
names file, line and column. Processed schemas describe the typed Parquet outputs and are
checked right before every write; a failure there is a bug in the suite, not in the data.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from analysis import rules
from analysis.country import counting_organisations, other_series

QUALIFIERS = ["exact", "approx", "lower_bound", "upper_bound", "milestone_round"]
PRECISIONS = ["day", "month", "year"]


PUBLISHER_ROLES = ["republication", "other"]
"""``publisher`` values besides the counting organisations: a republication of its figure, or
another source."""
OTHER_SCOPES = ["all_released_in_event", "other_methodology"]
"""``counts_scope`` values besides the organisations' definitions."""


def publishers() -> list[str]:
    """Allowed ``publisher`` values: the counting organisations the configured countries'
    ``country.yml`` files name (an organisation is added by adding its country's folder),
    then the other roles."""
    return [*counting_organisations(), *PUBLISHER_ROLES]


def count_scopes() -> list[str]:
    """Allowed ``counts_scope`` values: each organisation's definition, then the others."""
    return [*counting_organisations().values(), *other_series(), *OTHER_SCOPES]


COUNT_METRICS = [
    "current_count",
    "newly_recognized_in_period",
    "released_in_period",
    "released_by_pardon_in_period",
    "net_change_in_period",
    "recognized_total_since_2020",
    "released_total_since_2020",
    "released_total_pardon_since_2020",
    "released_total_pardon_since_2024-07",
    "released_end_of_sentence_total_since_2020",
    # added for the comparative cases (meanings in docs/data.md and each table's .meta.yml)
    "recognized_total_since_2021-07",
    "rearrested_in_period",
    "arrests_in_period",
    "detentions_total_since_2014",
    "held_from_arrests_in_period",
    "under_restrictive_measures",
    "house_arrest_included_in_count",
    "in_prison_included_in_count",
    "whereabouts_unknown",
    "released_on_parole_still_counted",
    "on_list_during_period",
    "current_count_other_definition",
    "prison_sentences_in_case_total",
    "proposed_additions_to_list",
    "persons_repressed_in_period",
    "political_prosecutions_in_period",
    "released_end_of_sentence_in_period",
    "expelled_in_period",
    "newly_recognized_monthly_mean_in_period",
    "facing_trial_not_counted",
    "released_total_since_2011-05",
    "arrested_total_since_2021-02",
    "detained_total_since_2021-02",
    "released_total_since_2021-02",
    "recognized_total_since_2018-10",
    "detentions_total_since_2018-04",
    "released_total_since_2019-02",
]
"""What a figure counts. ``released_end_of_sentence_*`` are political prisoners freed on
completing their sentence (not in any release batch); ``expelled_in_period`` those forced
abroad on release; ``newly_recognized_monthly_mean_in_period`` is a rate (persons per month);
``facing_trial_not_counted`` are people facing political charges whom the organisation leaves
out of its count; ``*_since_<date>`` are running totals from that month."""
ROW_ROLES = ["primary", "alt_count"]
RELEASE_TYPES = ["pardon", "handover", "exchange", "house_arrest", "release"]
STEP_TYPES = ["relief", "engagement", "friction", "escalation", "reversal", "renewal",
              "repression"]
"""escalation: new sanctions or pressure; reversal: relief withdrawn (revoked, lapsed, not
renewed); renewal: sanctions extended unchanged; repression: a crackdown by the government,
not a sanctions step."""
RELIEF_INSTRUMENTS = ["licence", "delisting", "suspension", "lapse", "announcement",
                      "regulation"]
MEASURE_TYPES = ["designation", "sectoral", "aviation", "relief_delisting", "relief_license",
                 "relief_suspension", "other"]

_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_DAY_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _text(required: bool = True, description: str = "") -> pa.Column:
    checks = [pa.Check.str_length(min_value=1, error="a value (this column may not be empty)")]
    return pa.Column(str, checks if required else [], description=description)


def _choice(values: list[str], required: bool = True, description: str = "") -> pa.Column:
    allowed = values if required else ["", *values]
    return pa.Column(
        str, pa.Check.isin(allowed, error=f"one of {', '.join(values)}"), description=description
    )


def _count(required: bool = True, signed: bool = False, description: str = "") -> pa.Column:
    sign = "-?" if signed else ""
    digits = rf"{sign}\d{{1,9}}"
    pattern = rf"^{digits}$" if required else rf"^({digits})?$"
    kind = "a whole number" if signed else "a whole number of 0 or more"
    error = f"{kind} such as 12{'' if required else ', or empty'}"
    return pa.Column(str, pa.Check.str_matches(pattern, error=error), description=description)


def _date(pattern: str, error: str, required: bool = True, description: str = "") -> pa.Column:
    full = pattern if required else f"^({pattern.strip('^$')})?$"
    checks = [
        pa.Check.str_matches(full, error=error),
        pa.Check(_is_calendar_date, element_wise=True,
                 error="a date that exists in the calendar"),
    ]
    return pa.Column(str, checks, description=description)


def _ref_date(required: bool = True, description: str = "") -> pa.Column:
    return _date(_DATE_PATTERN, "a date as YYYY-MM-DD, YYYY-MM or YYYY", required, description)


def _day(required: bool = True, description: str = "") -> pa.Column:
    return _date(_DAY_PATTERN, "a day as YYYY-MM-DD", required, description)


def _is_calendar_date(value: str) -> bool:
    if len(value) != 10:
        return True
    try:
        pd.Timestamp(value)
    except ValueError:
        return False
    return True


def _key(prefix: str) -> pa.Column:
    """A row id such as re001; every copy of a repeated id is quarantined, so which copy
    survives never depends on row order."""
    return pa.Column(str, pa.Check.str_matches(rf"^{prefix}\d{{3,}}$",
                                               error=f"an id such as {prefix}001"),
                     unique=True, report_duplicates="all")


def _reference(prefix: str) -> pa.Column:
    """An optional reference to another row's id."""
    return pa.Column(str, pa.Check.str_matches(rf"^({prefix}\d{{3,}})?$",
                                               error=f"an id such as {prefix}001, or empty"))


FLAG = "flag"
"""Metadata marking a true/false column: spreadsheets write TRUE and FALSE, read as meant."""


def _flag() -> pa.Column:
    return pa.Column(str, pa.Check.isin(["true", "false"], error="true or false"),
                     metadata={FLAG: True})


CITATION_PREFIX = "cite: "
"""A source with no stored URL (a wire story read elsewhere) is cited in ``source_url`` as
``cite: <outlet, date, authors or title>``; every other row gives the page's URL."""


def _url() -> pa.Column:
    return pa.Column(
        str,
        pa.Check.str_matches(rf"^(https?://[^ \t\n\r\f\v]+|{CITATION_PREFIX}\S.*)$",
                             error="a source URL starting with http(s)://, or a citation "
                                   f"starting with '{CITATION_PREFIX}' for a source without "
                                   "a stored URL"),
    )


def _precision_matches_date(date_column: str) -> pa.Check:
    """A date written as YYYY-MM must say precision month, and so on."""
    lengths = {"day": 10, "month": 7, "year": 4}

    def check(frame: pd.DataFrame) -> pd.Series:
        written = frame[date_column].str.len().to_numpy(dtype="int64", na_value=-1)
        precision = frame["date_precision"]
        matches = ~precision.isin(list(lengths)).to_numpy(dtype=bool)
        for name, length in lengths.items():
            matches |= (precision == name).to_numpy(dtype=bool, na_value=False) & (
                written == length)
        return pd.Series(matches, index=frame.index)

    return pa.Check(check, error=f"date_precision that matches how {date_column} is written")


def _alt_rows_name_their_primary() -> pa.Check:
    def check(frame: pd.DataFrame) -> pd.Series:
        is_alt = frame["row_role"] == "alt_count"
        return (is_alt & (frame["alt_of"] != "")) | (~is_alt & (frame["alt_of"] == ""))

    return pa.Check(check, error="alt_of filled exactly when row_role is alt_count")


def prisoner_counts_raw() -> pa.DataFrameSchema:
    """``prisoner_counts.csv`` as text; its allowed publishers and scopes come from the
    configured countries (``country.counting_organisations``)."""
    return _prisoner_counts_raw(tuple(publishers()), tuple(count_scopes()))


@cache
def _prisoner_counts_raw(publishers: tuple[str, ...], scopes: tuple[str, ...]
                         ) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "record_id": _key("pc"),
            "ref_date": _ref_date(description="date the figure refers to"),
            "date_precision": _choice(PRECISIONS),
            "year_inferred": _flag(),
            "period_start": _day(required=False),
            "metric": _choice(COUNT_METRICS),
            "value": _count(signed=True),
            "qualifier": _choice(QUALIFIERS),
            "publisher": _choice(list(publishers)),
            "counts_scope": _choice(list(scopes)),
            "source_url": _url(),
            "notes": _text(required=False),
        },
        checks=[
            _precision_matches_date("ref_date"),
            pa.Check(
                lambda f: (f["metric"] == "net_change_in_period")
                | ~f["value"].str.startswith("-"),
                error="a value of 0 or more (only net_change_in_period may be negative)",
            ),
        ],
        strict=True,
    )


RELEASE_EVENTS_RAW = pa.DataFrameSchema(
    {
        "event_id": _key("re"),
        "event_date": _ref_date(),
        "date_precision": _choice(PRECISIONS),
        "year_inferred": _flag(),
        "released_total": _count(),
        "released_political_prisoners": _count(required=False),
        "row_role": _choice(ROW_ROLES),
        "alt_of": _reference("re"),
        "event_type": _choice(RELEASE_TYPES),
        "destination": _text(required=False),
        "mechanism": _text(required=False),
        "counterpart": _text(required=False),
        "concession": _text(required=False),
        "has_stated_concession": _flag(),
        "people_named": _text(required=False),
        "people_not_freed": _count(required=False, description="people in released_total "
                                   "who were not actually freed by this batch"),
        "freed_later_in": _reference("re"),
        "source_url": _url(),
        "notes": _text(required=False),
    },
    checks=[_precision_matches_date("event_date"), _alt_rows_name_their_primary(),
            pa.Check(lambda f: (f["people_not_freed"] == "") == (f["freed_later_in"] == ""),
                     error="freed_later_in filled exactly when people_not_freed is")],
    strict=True,
)

RELIEF_EVENTS_RAW = pa.DataFrameSchema(
    {
        "event_id": _key("rl"),
        "event_date": _ref_date(),
        "date_precision": _choice(PRECISIONS),
        "year_inferred": _flag(),
        "actor": _text(),
        "jurisdiction": _text(),
        "step_type": _choice(STEP_TYPES),
        "relief_instrument": _choice(RELIEF_INSTRUMENTS, required=False),
        "action": _text(),
        "target": _text(required=False),
        "linked_release_event": _reference("re"),
        "same_step_as": _reference("rl"),
        "source_url": _url(),
        "notes": _text(required=False),
    },
    checks=[_precision_matches_date("event_date")],
    strict=True,
)

SANCTIONS_MEASURES_RAW = pa.DataFrameSchema(
    {
        "measure_id": _key("sm"),
        "measure_date": _ref_date(),
        "date_precision": _choice(PRECISIONS),
        "year_inferred": _flag(),
        "jurisdiction": _text(),
        "instrument": _text(),
        "measure_type": _choice(MEASURE_TYPES),
        "individuals_listed": _count(required=False),
        "entities_listed": _count(required=False),
        "counts_are_stock": _flag(),
        "row_role": _choice(ROW_ROLES),
        "alt_of": _reference("sm"),
        "same_step_as": _reference("sm"),
        "verified": _flag(),
        "description": _text(required=False),
        "source_url": _url(),
        "notes": _text(required=False),
    },
    checks=[_precision_matches_date("measure_date")],
    strict=True,
)

SENTENCE_METRICS = [
    "sentenced_to_imprisonment_in_period",
    "prison_years_imposed_in_period",
    "sentenced_to_open_type_in_period",
    "open_type_years_imposed_in_period",
    "held_sentenced_10y_plus",
    "held_in_pretrial_detention",
    "pardoned_share_of_sentence_served_mean",
    "pardoned_remaining_days_mean",
    "freed_remaining_at_most_7_months",
    "released_end_of_sentence_in_period",
    "released_end_of_sentence_total_since_2020",
]
"""What a row of ``sentences.csv`` states (meanings and units in its ``.meta.yml``): the facts
the exit-time prior of ``derive.exits`` rests on, kept apart from ``prisoner_counts`` so that the
stock-flow model, which reads every figure there, does not read them."""


def _number(description: str = "") -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^\d{1,9}(\.\d{1,6})?$",
                                               error="a number of 0 or more such as 12 or 0.68"),
                     description=description)


SENTENCES_RAW = pa.DataFrameSchema(
    {
        "record_id": _key("sf"),
        "ref_date": _ref_date(description="date the figure refers to"),
        "date_precision": _choice(PRECISIONS),
        "year_inferred": _flag(),
        "period_start": _day(required=False),
        "metric": _choice(SENTENCE_METRICS),
        "value": _number("persons, years, a share or days, by metric"),
        "out_of": _count(required=False, description="the group a count is part of"),
        "qualifier": _choice(QUALIFIERS),
        "source_url": _url(),
        "notes": _text(),
    },
    checks=[_precision_matches_date("ref_date"),
            pa.Check(lambda f: (f["metric"] != "pardoned_share_of_sentence_served_mean")
                     | f["value"].str.match(r"^(0(\.\d+)?|1(\.0+)?)$"),
                     error="a share between 0 and 1 for pardoned_share_of_sentence_served_mean")],
    strict=True,
)

RAW_RULES: dict[str, list[rules.Rule]] = {
    "prisoner_counts": [
        rules.period_in_order("period_start", "ref_date"),
        rules.not_after_build_date("ref_date"),
        rules.not_after_build_date("period_start"),
        rules.plausible_count("value", by="metric"),
    ],
    "release_events": [
        rules.not_after_build_date("event_date"),
        rules.part_within_whole("released_political_prisoners", "released_total"),
        rules.plausible_count("released_total"),
        rules.plausible_count("released_political_prisoners"),
        rules.reference_exists("alt_of", "event_id"),
    ],
    "relief_events": [
        rules.not_after_build_date("event_date"),
        rules.reference_exists("same_step_as", "event_id"),
        rules.reference_in_table("linked_release_event", "release_events", "event_id"),
    ],
    "sentences": [
        rules.period_in_order("period_start", "ref_date"),
        rules.not_after_build_date("ref_date"),
        rules.not_after_build_date("period_start"),
        rules.part_within_whole("value", "out_of"),
    ],
    "sanctions_measures": [
        rules.not_after_build_date("measure_date"),
        rules.plausible_count("individuals_listed"),
        rules.plausible_count("entities_listed"),
        rules.reference_exists("alt_of", "measure_id"),
        rules.reference_exists("same_step_as", "measure_id"),
    ],
}
"""Rules across rows for each raw table (``analysis.rules``), checked after its column checks;
a row that breaks one is quarantined, naming the rule. A new table lists its rules here."""

_DATE_RANGE = {
    "date_start": pa.Column("datetime64[ns]"),
    "date_end": pa.Column("datetime64[ns]"),
}


def _dated_row(key: str, date_column: str) -> dict[str, pa.Column]:
    """The id and date columns every cleaned curated table shares."""
    return {
        key: pa.Column(str, unique=True),
        date_column: pa.Column(str),
        "date_precision": pa.Column(str, pa.Check.isin(PRECISIONS)),
        "year_inferred": pa.Column(bool),
        **_DATE_RANGE,
    }


_SOURCED = {
    "source_url": pa.Column(str),
    "notes": pa.Column(str),
    "source_line": pa.Column("int64"),
}

def prisoner_counts() -> pa.DataFrameSchema:
    """The cleaned ``prisoner_counts``, allowing the publishers and scopes of
    ``prisoner_counts_raw``."""
    return _prisoner_counts(tuple(publishers()), tuple(count_scopes()))


@cache
def _prisoner_counts(publishers: tuple[str, ...], scopes: tuple[str, ...]
                     ) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **_dated_row("record_id", "ref_date"),
            "metric": pa.Column(str, pa.Check.isin(COUNT_METRICS)),
            "value": pa.Column("int64"),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
            "publisher": pa.Column(str, pa.Check.isin(list(publishers))),
            "counts_scope": pa.Column(str, pa.Check.isin(list(scopes))),
            **_SOURCED,
        },
        checks=[pa.Check(lambda f: f["date_start"] <= f["date_end"], error="start before end")],
        strict=True,
    )


RELEASE_EVENTS = pa.DataFrameSchema(
    {
        **_dated_row("event_id", "event_date"),
        "released_total": pa.Column("int64", pa.Check.ge(0)),
        "released_political_prisoners": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "row_role": pa.Column(str, pa.Check.isin(ROW_ROLES)),
        "alt_of": pa.Column(str, nullable=True),
        "event_type": pa.Column(str, pa.Check.isin(RELEASE_TYPES)),
        "counts_as_release": pa.Column(bool),
        "destination": pa.Column(str),
        "mechanism": pa.Column(str),
        "counterpart": pa.Column(str),
        "concession": pa.Column(str),
        "has_stated_concession": pa.Column(bool),
        "people_named": pa.Column(str),
        "people_not_freed": pa.Column("int64", pa.Check.ge(0)),
        "freed_later_in": pa.Column(str, nullable=True),
        "released_people": pa.Column("int64", pa.Check.ge(0)),
        "released_political_low": pa.Column("int64", pa.Check.ge(0)),
        "released_political_high": pa.Column("int64", pa.Check.ge(0)),
        **_SOURCED,
    },
    strict=True,
)

RELIEF_EVENTS = pa.DataFrameSchema(
    {
        **_dated_row("event_id", "event_date"),
        "actor": pa.Column(str),
        "jurisdiction": pa.Column(str),
        "step_type": pa.Column(str, pa.Check.isin(STEP_TYPES)),
        "relief_instrument": pa.Column(str, nullable=True),
        "action": pa.Column(str),
        "target": pa.Column(str),
        "linked_release_event": pa.Column(str, nullable=True),
        "same_step_as": pa.Column(str, nullable=True),
        **_SOURCED,
    },
    strict=True,
)

SANCTIONS_MEASURES = pa.DataFrameSchema(
    {
        **_dated_row("measure_id", "measure_date"),
        "jurisdiction": pa.Column(str),
        "instrument": pa.Column(str),
        "measure_type": pa.Column(str, pa.Check.isin(MEASURE_TYPES)),
        "step_kind": pa.Column(str, pa.Check.isin(["escalation", "relief", "renewal"])),
        "individuals_listed": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "entities_listed": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "counts_are_stock": pa.Column(bool),
        "row_role": pa.Column(str, pa.Check.isin(ROW_ROLES)),
        "alt_of": pa.Column(str, nullable=True),
        "same_step_as": pa.Column(str, nullable=True),
        "verified": pa.Column(bool),
        "description": pa.Column(str),
        **_SOURCED,
    },
    strict=True,
)

SENTENCES = pa.DataFrameSchema(
    {
        **_dated_row("record_id", "ref_date"),
        "metric": pa.Column(str, pa.Check.isin(SENTENCE_METRICS)),
        "value": pa.Column(float, pa.Check.ge(0)),
        "out_of": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        **_SOURCED,
    },
    checks=[pa.Check(lambda f: f["date_start"] <= f["date_end"], error="start before end")],
    strict=True,
)

QUARANTINE = pa.DataFrameSchema(
    {
        "dataset": pa.Column(str),
        "file": pa.Column(str),
        "line": pa.Column("Int64", nullable=True),
        "column": pa.Column(str, nullable=True),
        "value": pa.Column(str, nullable=True),
        "reason": pa.Column(str),
    },
    strict=True,
)

COUNT_CONFLICTS = pa.DataFrameSchema(
    {
        "metric": pa.Column(str, pa.Check.isin(COUNT_METRICS)),
        "period_start": pa.Column("datetime64[ns]"),
        "period_end": pa.Column("datetime64[ns]"),
        "candidates": pa.Column("int64", pa.Check.ge(2)),
        "record_ids": pa.Column(str),
        "values": pa.Column(str),
        "qualifiers": pa.Column(str),
        "publishers": pa.Column(str),
        "chosen_record_id": pa.Column(str),
        "chosen_value": pa.Column("int64"),
        "decided_by": pa.Column(str),
        "rule": pa.Column(str),
    },
    strict=True,
)

PRISONERS_DAILY = pa.DataFrameSchema(
    {
        "date": pa.Column("datetime64[ns]", unique=True),
        "prisoners_held": pa.Column(float),
        "prisoners_held_low": pa.Column(float),
        "prisoners_held_high": pa.Column(float),
        "basis": pa.Column(str, pa.Check.isin(["observed", "reconstructed"])),
        "released_in_batches": pa.Column(float, pa.Check.ge(0)),
        "background_flow": pa.Column(float),
        "anchor_record_id": pa.Column(str, nullable=True),
    },
    checks=[pa.Check(lambda f: f["date"].diff().dropna().eq(pd.Timedelta(days=1)).all(),
                     error="one row per consecutive day"),
            pa.Check(lambda f: ((f["prisoners_held_low"] <= f["prisoners_held"])
                                & (f["prisoners_held"] <= f["prisoners_held_high"])).all(),
                     error="prisoners_held_low <= prisoners_held <= prisoners_held_high")],
    strict=True,
)

FLOWS_MONTHLY = pa.DataFrameSchema(
    {
        "month": pa.Column("datetime64[ns]", pa.Check(lambda s: s.dt.day == 1), unique=True),
        **{f"{quantity}{end}": pa.Column(float)
           for quantity in ("stock", "recognized", "released_deals", "released_other")
           for end in ("", "_low", "_high")},
    },
    checks=[pa.Check(lambda f: all(((f[f"{q}_low"] <= f[q]) & (f[q] <= f[f"{q}_high"])).all()
                                   for q in ("stock", "recognized", "released_deals",
                                             "released_other")),
                     error="each interval holds its mean")],
    strict=True,
)

_EVENT_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)
"""Missing in months the research of its raw table did not cover, and sanctions packages in
every month for a country without sanctions data."""

PANEL_MONTHLY = pa.DataFrameSchema(
    {
        "month": pa.Column("datetime64[ns]", pa.Check(lambda s: s.dt.day == 1), unique=True),
        "prisoners_held": pa.Column(float, nullable=True),
        "prisoners_held_low": pa.Column(float, nullable=True),
        "prisoners_held_high": pa.Column(float, nullable=True),
        "prisoners_held_observed": pa.Column(bool),
        "recognized": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "recognized_qualifier": pa.Column("string", pa.Check.isin(QUALIFIERS), nullable=True),
        "released_political_low": _EVENT_COUNT,
        "released_political_high": _EVENT_COUNT,
        "released_people": _EVENT_COUNT,
        "release_batches": _EVENT_COUNT,
        "largest_batch": _EVENT_COUNT,
        "deals_with_concession": _EVENT_COUNT,
        "relief_steps": _EVENT_COUNT,
        "engagement_steps": _EVENT_COUNT,
        "designations_eu": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "designations_us": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "designations_uk": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "sanctions_packages": _EVENT_COUNT,
        "sanctions_packages_disputed": _EVENT_COUNT,
    },
    checks=[pa.Check(lambda f: (f["released_political_low"] <= f["released_political_high"]).all()
                     and (f["released_political_high"] <= f["released_people"]).all(),
                     error="released_political_low <= released_political_high <= "
                           "released_people")],
    strict=False,
)
"""Not strict: later build steps add sanctions columns, each documented in PANEL_COLUMNS."""

FLOWS_DRAWS = pa.DataFrameSchema(
    {
        "draw": pa.Column("int64", pa.Check.ge(0)),
        "month": pa.Column("datetime64[ns]", pa.Check(lambda s: s.dt.day == 1)),
        **{name: pa.Column(float) for name in ("stock", "recognized", "released_other",
                                                "released_deals")},
    },
    unique=["draw", "month"],
    strict=True,
)

def _interval_holds_mean(*names: str) -> pa.Check:
    return pa.Check(lambda f: all(((f[f"{n}_low"] <= f[f"{n}_mean"])
                                   & (f[f"{n}_mean"] <= f[f"{n}_high"])).all()
                                  for n in names if f[f"{n}_mean"].notna().any()),
                    error="each interval holds its mean")


COUNTERFACTUAL_MONTHLY = pa.DataFrameSchema(
    {
        "country": pa.Column(str),
        "month": pa.Column("datetime64[ns]", pa.Check(lambda s: s.dt.day == 1), unique=True),
        **{f"stock_{end}": pa.Column(float) for end in ("mean", "low", "high")},
        **{f"{name}_{end}": pa.Column(float, nullable=True)
           for name in ("stock_no_deals", "deals_effect") for end in ("mean", "low", "high")},
        "reason": pa.Column(str),
    },
    checks=[_interval_holds_mean("stock", "stock_no_deals", "deals_effect"),
            pa.Check(lambda f: ((f["deals_effect_high"] <= 0) | f["deals_effect_high"].isna())
                     .all(), error="batches never add to the number held"),
            pa.Check(lambda f: (f["deals_effect_mean"].isna() == (f["reason"] != "")).all(),
                     error="a reason exactly where the counterfactual is missing")],
    strict=True,
)

DEAL_ADDITIONALITY = pa.DataFrameSchema(
    {
        "country": pa.Column(str),
        "event_id": pa.Column(str),
        "batch_date": pa.Column("datetime64[ns]", nullable=True),
        "horizon_months": pa.Column("int64", pa.Check.gt(0)),
        **{f"{name}_{end}": pa.Column(float)
           for name in ("freed", "would_have_left", "prison_months_remitted")
           for end in ("mean", "low", "high")},
    },
    checks=[_interval_holds_mean("freed", "would_have_left", "prison_months_remitted"),
            pa.Check(lambda f: (f["would_have_left_mean"] <= f["freed_mean"] + 1e-9).all(),
                     error="no more would have left than were freed")],
    unique=["event_id", "horizon_months"],
    strict=True,
)

MODEL_FIGURES = pa.DataFrameSchema(
    {
        "record_id": pa.Column(str),
        "metric": pa.Column(str),
        "date_start": pa.Column("datetime64[ns]"),
        "date_end": pa.Column("datetime64[ns]"),
        "value": pa.Column(float),
        "qualifier": pa.Column(str),
        "use": pa.Column(str, pa.Check.isin(["point", "lower", "upper", "unused"])),
        "reason": pa.Column(str),
        "sd": pa.Column(float, pa.Check.gt(0)),
        **{name: pa.Column(float, nullable=True)
           for name in ("fitted", "fitted_low", "fitted_high", "gap", "gap_in_sd", "weight")},
        "down_weighted": pa.Column(bool),
    },
    checks=[pa.Check(lambda f: ((f["use"] == "unused") == f["fitted"].isna()).all(),
                     error="a fit for every used figure and only for those")],
    unique=["record_id"],
    strict=True,
)

CLAIM_POWER = pa.DataFrameSchema(
    {
        "hypothesis": pa.Column(str),
        "scenario": pa.Column(str),
        "multiple": pa.Column(float),
        "bounds": pa.Column(float, pa.Check.ge(1)),
        "planted_effect": pa.Column(float),
        **{share: pa.Column(float, pa.Check.in_range(0, 1))
           for share in ("supports", "against", "inconclusive", "not_testable")},
        "runs": pa.Column("int64", pa.Check.gt(0)),
    },
    unique=["hypothesis", "scenario"],
    strict=True,
)

CLAIM_VERDICTS = pa.DataFrameSchema(
    {
        "part": pa.Column(str, pa.Check.isin(["accounting", "effects", "repression"])),
        "hypothesis": pa.Column(str, unique=True),
        "verdict": pa.Column(str, pa.Check.isin(["supports the claim", "against the claim",
                                                  "inconclusive",
                                                  "not answerable with these data",
                                                  "description"])),
        "rules_out": pa.Column(str),
        "power": pa.Column(str),
        "answerable": pa.Column("boolean", nullable=True),
        "false_positive_rate": pa.Column(float, nullable=True),
    },
    checks=[pa.Check(lambda f: ((f["verdict"] == "description") == f["answerable"].isna()).all()
                     and not (f["verdict"].isin(["supports the claim", "against the claim",
                                                 "inconclusive"])
                              & ~f["answerable"].fillna(False).astype(bool)).any(),
                     error="verdict words only on answerable contrasts, none on a description")],
    strict=False,
)
"""Not strict: estimates, intervals, p-values and readings vary in presence by row."""

SANCTIONS_TIMELINE = pa.DataFrameSchema(
    {
        "step_id": pa.Column(str, unique=True),
        "source_table": pa.Column(str, pa.Check.isin(["sanctions_measures", "relief_events"])),
        **_DATE_RANGE,
        "date_precision": pa.Column(str, pa.Check.isin(PRECISIONS)),
        "jurisdiction": pa.Column(str),
        "step_kind": pa.Column(str, pa.Check.isin(["escalation", "relief", "renewal",
                                                    *STEP_TYPES])),
        "instrument_type": pa.Column(str),
        "description": pa.Column(str),
        "individuals_listed": pa.Column("Int64", nullable=True),
        "entities_listed": pa.Column("Int64", nullable=True),
        "is_primary": pa.Column(bool),
        "verified": pa.Column(bool),
        "duplicate_of": pa.Column("string", nullable=True),
        "counts_in_panel": pa.Column(bool),
        "source_url": pa.Column(str),
    },
    strict=True,
)

SANCTIONS_DESIGNATIONS = pa.DataFrameSchema(
    {
        "source": pa.Column(str),
        "jurisdiction": pa.Column(str, pa.Check.isin(["EU", "UK", "US"])),
        "record_id": pa.Column(str),
        "name": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(["person", "entity", "vessel", "aircraft"]),
                          nullable=True),
        "programmes": pa.Column(str),
        "belarus": pa.Column(bool, pa.Check(lambda s: s.all(), error="Belarus targets only")),
        "listed_on": pa.Column("datetime64[ns]", nullable=True),
        "listed_on_basis": pa.Column(str, pa.Check.isin([
            "official_listing_date", "uk_designation_date", "latest_amendment_date",
            "first_seen_in_archive", "unknown"])),
        "list_file": pa.Column(str),
        "counts_as_designation": pa.Column(bool),
    },
    unique=["list_file", "record_id"],
    strict=True,
    coerce=True,
)
"""Coerced: the list readers return nullable extension dtypes, and an empty frame (no copy on
this machine) has no dtypes at all."""

PROCESSED = {
    "sentences": SENTENCES,
    "sanctions_designations": SANCTIONS_DESIGNATIONS,
    "sanctions_timeline": SANCTIONS_TIMELINE,
    "count_conflicts": COUNT_CONFLICTS,
    "prisoners_daily": PRISONERS_DAILY,
    "flows_monthly": FLOWS_MONTHLY,
    "flows_draws": FLOWS_DRAWS,
    "model_figures": MODEL_FIGURES,
    "counterfactual_monthly": COUNTERFACTUAL_MONTHLY,
    "deal_additionality": DEAL_ADDITIONALITY,
    "claim_power": CLAIM_POWER,
    "claim_verdicts": CLAIM_VERDICTS,
    "panel_monthly": PANEL_MONTHLY,
}
