"""Each column of every processed dataset, defined once: what it holds and in which unit.

The same quantity has the same name in every table; ``analysis.columns(name)`` shows a
dataset's columns with these descriptions, and the panel's column order comes from
``derive.panel.PANEL_COLUMNS``.
"""

from __future__ import annotations

FIELDS: dict[str, str] = {
    # identifiers and provenance
    "record_id": "id of the row in its source table (pc001..., or the official list's own id)",
    "event_id": "id of the event in its curated table (re001... releases, rl001... relief)",
    "measure_id": "id of the sanctions measure in the curated table (sm001...)",
    "step_id": "id of the step: the measure_id or event_id it comes from",
    "source_url": "public page the row's figures come from, or 'cite: ...' for a source with "
    "no stored URL (a wire story read elsewhere)",
    "source_line": "line of the raw CSV the row was read from",
    "source_table": "curated table the step comes from",
    "source": "official list format and file the target was read from",
    "list_file": "path of the official list copy",
    "notes": "curators' notes in their own words: caveats, conflicts, related rows",
    # dates
    "ref_date": "date the figure refers to, as precise as the source (YYYY-MM-DD, YYYY-MM, YYYY)",
    "event_date": "date of the event, as precise as the source",
    "measure_date": "date of the measure, as precise as the source",
    "date_precision": "how much of the date the source gives: day, month or year",
    "year_inferred": "true if the date (or its year) was inferred from context",
    "date_start": "first day the date can refer to",
    "date_end": "last day the date can refer to",
    "date": "calendar day",
    "month": "first day of the month",
    "period_start": "first day of the period the conflicting figures refer to",
    "period_end": "last day of the period the conflicting figures refer to",
    "listed_on": "designation date given or implied by the list (see listed_on_basis)",
    "listed_on_basis": "what listed_on means: official_listing_date, latest_amendment_date, "
    "first_seen_in_archive (an upper bound) or unknown",
    # counts of prisoners
    "metric": "what the figure counts (current_count, newly_recognized_in_period, ...)",
    "value": "the figure as the source gives it (persons)",
    "qualifier": "exact, approx, lower_bound, upper_bound or milestone_round",
    "publisher": "viasna (its own publication), republication (of Viasna's figure) or other",
    "counts_scope": "population counted: viasna_political_prisoners, all_released_in_event or "
    "other_methodology",
    "released_total": "people freed in the batch, as the source counts them (persons)",
    "released_political_prisoners": "political prisoners among them where a source says (persons)",
    "batch_size": "political-prisoner count where stated, else the batch total (persons)",
    "counts_as_release": "true for primary rows that free people (not alternative counts, not "
    "house-arrest transfers)",
    "row_role": "primary, or alt_count for a conflicting count of a listed event",
    "alt_of": "id of the primary row an alternative count conflicts with",
    "same_step_as": "id of the row reporting the same step, which is counted once",
    # release and relief events
    "event_type": "pardon, handover, exchange, house_arrest or release",
    "destination": "where the people freed went",
    "mechanism": "how they were freed",
    "counterpart": "who brokered or received the release",
    "concession": "concession a source states was given in return",
    "has_stated_concession": "true if a source states a concession for the batch",
    "people_named": "people named among those freed",
    "people_not_freed": "people counted in released_total who did not leave prison with this "
    "batch (returned to prison, freed later); 0 if none (persons)",
    "freed_later_in": "event_id of the batch that actually freed the people_not_freed",
    "actor": "who took the step",
    "jurisdiction": "country or bloc taking the step or keeping the list",
    "step_type": "relief, engagement or friction",
    "relief_instrument": "licence, delisting, suspension, lapse or announcement",
    "action": "what was done",
    "target": "whom the step concerns",
    "linked_release_event": "release event the step is tied to",
    # sanctions measures and timeline
    "instrument": "legal instrument or action",
    "measure_type": "designation, sectoral, aviation, relief_delisting, relief_license, "
    "relief_suspension or other (renewals)",
    "step_kind": "escalation, relief, renewal, engagement or friction",
    "individuals_listed": "individuals listed (persons); cumulative when counts_are_stock",
    "entities_listed": "entities listed; cumulative when counts_are_stock",
    "counts_are_stock": "true if the counts are the cumulative stock, not new listings",
    "verified": "false where a fact in the row is flagged as unverified",
    "description": "what the measure or step does",
    "instrument_type": "kind of instrument (licence, delisting, designation, ...)",
    "is_primary": "false for alternative counts",
    "duplicate_of": "step this row repeats; repeats are not counted",
    "counts_in_panel": "true if the step is counted in the panel",
    # official lists
    "name": "primary name of the designated target",
    "kind": "person, entity, vessel or aircraft",
    "programmes": "the list's programme or regime codes",
    "belarus": "true if listed under a Belarus programme or regime",
    "counts_as_designation": "true if the record is a designation proper (EU: asset-freeze "
    "annexes only)",
    # conflicts report
    "candidates": "number of figures competing for the same metric and period",
    "record_ids": "their record ids, the chosen one first",
    "values": "their values, in the same order",
    "qualifiers": "their qualifiers, in the same order",
    "publishers": "their publishers, in the same order",
    "chosen_record_id": "record the resolution rule chose",
    "chosen_value": "value the resolution rule chose (persons)",
    "decided_by": "first criterion of the rule that separated the candidates",
    "rule": "name of the resolution rule",
    # daily series
    "basis": "observed on anchor days, reconstructed between them",
    "released_in_batches": "people freed in known batches that day (persons)",
    "background_flow": "unexplained net inflow that day: recognitions minus end-of-sentence "
    "releases, spread between anchors (persons)",
    "anchor_record_id": "record of the observed count on anchor days",
    # monthly panel
    "prisoners_held": "political prisoners held on the month's last day (persons); observed or "
    "reconstructed, see prisoners_held_observed; missing outside the series",
    "prisoners_held_observed": "true if prisoners_held is an observed figure for the month's "
    "last day, false if reconstructed between observations",
    "recognized": "people newly recognised as political prisoners in the month (persons), from "
    "reported monthly totals; missing where no monthly total is reported",
    "recognized_qualifier": "qualifier of the recognized figure (exact, approx, lower_bound, ...)",
    "released": "(superseded, kept until the claim tests move to the bracket) people freed in "
    "known release batches (persons): the political-prisoner count "
    "where a source gives it, else the batch total",
    "released_min": "(superseded by released_political_low) political prisoners freed in "
    "known batches, counting only figures sources "
    "state as political-prisoner counts (a lower bound, persons)",
    "released_all": "(superseded by released_people) everyone freed in known batches, "
    "including people not recognised as "
    "political prisoners (an upper bound, persons)",
    "release_batches": "number of release batches announced in the month",
    "released_political_low": "political prisoners freed in the batch (release_events) or the "
    "month's batches (panel), lower bound: the stated political-prisoner count minus anyone not "
    "freed, 0 where none is stated (persons; rule in analysis.derive.counting)",
    "released_political_high": "political prisoners freed in the batch or the month's batches, "
    "upper bound: the stated count, or everyone freed where none is stated (persons)",
    "released_people": "everyone freed in the batch or the month's batches, political prisoners "
    "or not, each person once: released_total minus people_not_freed (persons); never added to "
    "or compared with the political-prisoner columns as one quantity",
    "largest_batch": "size of the month's largest batch (persons, same basis as released); 0 if "
    "none",
    "deals_with_concession": "release batches for which a source states a concession given in "
    "return",
    "relief_steps": "sanctions-relief steps by any jurisdiction (licences, delistings, "
    "suspensions, lapses, announced relief decisions), from the sanctions "
    "timeline: one step reported in both curated tables is counted once",
    "engagement_steps": "diplomatic engagement steps without relief (visits, talks, statements)",
    "designations_eu": "new Belarus designations listed that month by the EU (targets, official "
    "listing date in the Regulation 765/2006 annexes); current-list survivors "
    "only",
    "designations_us": "new Belarus designations that month by the US (targets, first seen in "
    "an archive of the SDN list, an upper bound); missing before Sep 2021 "
    "and from May 2024",
    "designations_uk": "new Belarus designations that month by the UK (targets, OFSI 'Listed "
    "On' date); missing from Apr 2025",
    "sanctions_packages": "escalation steps in the sanctions timeline (designation packages, "
    "sectoral and aviation measures) by any jurisdiction, one step per jurisdiction and day; "
    "renewals and alternative counts excluded",
    "sanctions_packages_disputed": "sanctions_packages plus unverified alternative reports of "
    "new listings (the EU listings reported with the Feb 2026 renewal): the other reading of "
    "the month",
}

EVENT_COUNT_NOTE = ("; zero in a month the research covered and found nothing, missing in a "
                    "month no source covers (months_searched in the raw table's .meta.yml)")
"""Appended to every panel event count: a gap is a gap, not a zero."""

for _column in ("release_batches", "largest_batch", "deals_with_concession", "relief_steps",
                "engagement_steps", "sanctions_packages", "sanctions_packages_disputed"):
    FIELDS[_column] += EVENT_COUNT_NOTE
