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
    "listed_on_basis": "what listed_on means: official_listing_date, uk_designation_date (the "
    "date under UK law, 31/12/2020 for listings carried over from EU law), "
    "latest_amendment_date, first_seen_in_archive (an upper bound) or unknown",
    # counts of prisoners
    "metric": "what the figure counts (current_count, newly_recognized_in_period, ...; the "
    "full list with meanings is in docs/data.md)",
    "value": "the figure as the source gives it (persons)",
    "qualifier": "exact, approx, lower_bound, upper_bound or milestone_round",
    "publisher": "the counting organisation's own publication (the publisher its country.yml "
    "names, such as viasna), republication (of its figure) or other",
    "counts_scope": "population counted: <organisation>_political_prisoners (its definition), "
    "all_released_in_event or other_methodology",
    "released_total": "people freed in the batch, as the source counts them (persons)",
    "released_political_prisoners": "political prisoners among them where a source says (persons)",
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
    "step_type": "relief, engagement, friction, escalation, reversal (relief withdrawn), renewal "
    "or repression (a crackdown, not a sanctions step)",
    "relief_instrument": "licence, delisting, suspension, lapse, announcement or regulation",
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
    "basis": "observed on days with a point count of the headline figure used by the stock-flow "
    "model, reconstructed (model estimate) on other days",
    "prisoners_held_low": "lower end of the 95% interval of prisoners_held (persons)",
    "prisoners_held_high": "upper end of the 95% interval of prisoners_held (persons)",
    "released_in_batches": "political prisoners freed in release batches that day (persons, "
    "model mean: stated counts, or the model's estimate within zero to the batch total)",
    "background_flow": "net inflow that day apart from batches: recognitions minus other exits "
    "(end of sentence, death, transfer), the month's model flows spread evenly (persons)",
    "anchor_record_id": "record of the point count used on observed days",
    # stock-flow model, monthly
    "draw": "number of the posterior draw (0, 1, ...)",
    "stock": "political prisoners held at the month's end (persons, stock-flow model mean)",
    "stock_low": "lower end of the 95% interval of stock (persons)",
    "stock_high": "upper end of the 95% interval of stock (persons)",
    "recognized_low": "lower end of the 95% interval of recognized (persons)",
    "recognized_high": "upper end of the 95% interval of recognized (persons)",
    "released_deals": "political prisoners freed in release batches in the month (persons, "
    "model mean; stated counts where sources give them)",
    "released_deals_low": "lower end of the 95% interval of released_deals (persons)",
    "released_deals_high": "upper end of the 95% interval of released_deals (persons)",
    "released_other": "political prisoners who left the count in the month other than in a "
    "release batch: end of sentence, death, transfer to restricted freedom (persons, model mean)",
    "released_other_low": "lower end of the 95% interval of released_other (persons)",
    "released_other_high": "upper end of the 95% interval of released_other (persons)",
    # stock-flow model, its figures
    "use": "how the stock-flow model reads the figure: point, lower (bound), upper (bound), or "
    "unused (see reason)",
    "reason": "why an unused figure is left out of the model (empty when used)",
    "sd": "the figure's observation error, one standard deviation (persons; set by its "
    "qualifier, date precision and metric)",
    "fitted": "posterior mean of what the figure measures (persons; missing when unused)",
    "fitted_low": "lower end of the 95% interval of fitted (persons)",
    "fitted_high": "upper end of the 95% interval of fitted (persons)",
    "gap": "figure minus fitted (persons); for a bound, only by how much the fit breaks it "
    "(zero when the bound holds)",
    "gap_in_sd": "gap in standard deviations of the figure's error",
    "weight": "mean Student-t weight of the figure in the fit: 1 counted fully, below 0.5 "
    "down-weighted (the rest of the data disagree with it); missing when unused",
    "down_weighted": "true if weight is below 0.5: a disagreement the model absorbs by letting "
    "the figure go",
    # monthly panel
    "prisoners_held": "political prisoners held on the month's last day (persons, stock-flow "
    "model mean, within observation error of the counts); see prisoners_held_observed; missing "
    "outside the series",
    "recognized_model": "people newly recognised as political prisoners in the month (persons, "
    "stock-flow model mean: uses every recognition figure, counter and the stock, so it exists "
    "where no monthly total is reported)",
    "recognized_model_low": "lower end of the 95% interval of recognized_model (persons)",
    "recognized_model_high": "upper end of the 95% interval of recognized_model (persons)",
    "prisoners_held_observed": "true if prisoners_held is an observed figure for the month's "
    "last day, false if reconstructed between observations",
    "recognized": "people newly recognised as political prisoners in the month (persons), from "
    "reported monthly totals; missing where no monthly total is reported",
    "recognized_qualifier": "qualifier of the recognized figure (exact, approx, lower_bound, ...)",
    "release_batches": "number of release batches announced in the month",
    "released_political_low": "political prisoners freed in the batch (release_events) or the "
    "month's batches (panel), lower bound: the stated political-prisoner count minus anyone not "
    "freed, 0 where none is stated (persons; rule in analysis.counting)",
    "released_political_high": "political prisoners freed in the batch or the month's batches, "
    "upper bound: the stated count, or everyone freed where none is stated (persons)",
    "released_people": "everyone freed in the batch or the month's batches, political prisoners "
    "or not, each person once: released_total minus people_not_freed (persons); never added to "
    "or compared with the political-prisoner columns as one quantity",
    "largest_batch": "all people freed in the month's largest batch (persons); 0 if "
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
    # sentence facts and the no-deal counterfactual (derive.exits, docs/model.md)
    "out_of": "the group a count is part of, where the source gives it (persons)",
    "stock_mean": "political prisoners held at the month's end (persons, stock-flow model mean "
    "over the draws paired with the exit-time prior)",
    "stock_no_deals_mean": "political prisoners who would have been held at the month's end "
    "had there been no release batches: the modelled stock plus the people freed in batches "
    "who would still have been serving their terms (persons, mean over paired draws of the "
    "model and the exit-time prior); missing where no sentence facts are sourced (reason)",
    "deals_effect_mean": "the release batches' effect on the number held at the month's end: "
    "stock minus stock_no_deals (persons, 0 or less; mean over paired draws); missing where no "
    "sentence facts are sourced (reason)",
    "batch_date": "first day of the release batch (missing on the total row, whose event_id "
    "is 'total')",
    "horizon_months": "months after the batch over which exits at the end of a term are counted",
    "freed_mean": "political prisoners freed in the batch (the stock-flow model's "
    "released_deals, split among a month's batches by their stated ranges; persons, mean)",
    "would_have_left_mean": "of those freed in the batch, how many would have left at the end "
    "of their terms within the horizon anyway (persons, mean over paired draws)",
    "prison_months_remitted_mean": "months of imprisonment the batch spared the people it freed "
    "within the horizon (person-months, mean over paired draws)",
    # tests of the claim
    "part": "accounting, effects (against the no-deal counterfactual) or repression (its "
    "response to relief): the three parts of the answer (docs/hypotheses.md, third edition)",
    "hypothesis": "id of the row in docs/hypotheses.md (third edition): A accounting, E and H "
    "effects and repression",
    "question": "the question the hypothesis asks, in words",
    "method": "how the test estimates its effect",
    "estimate": "point estimate of the effect (see scale); read it after its interval",
    "ci_low": "lower end of the 95% interval of the estimate",
    "ci_high": "upper end of the 95% interval of the estimate",
    "p_value": "two-sided p-value for no effect, before correction",
    "p_adjusted": "p-value after Holm's correction over the tests that can be run",
    "verdict": "supports the claim, against the claim or inconclusive (answerable contrasts "
    "only), not answerable with these data, or description (accounting and other quantities "
    "with no verdict words)",
    "reading": "the result in words, interval first",
    "rules_out": "one sentence: which effects the 95% interval rules out",
    "power": "for each verdict that can fire, the share of simulated panels of the real shape "
    "on which it fires at the smallest effect of interest (an equivalence verdict: at no "
    "effect), in words",
    "answerable": "true if simulated panels of the real shape reach each of the contrast's "
    "verdicts at least half the time at twice its smallest effect of interest; missing for a "
    "description",
    "power_supports": "share of simulated panels called supports at the SESOI on the claim's "
    "side (for an equivalence verdict, at no effect)",
    "power_against": "share of simulated panels called against at the SESOI on the other side",
    "needed_multiple": "smallest multiple of the SESOI at which every verdict fires at least "
    "half the time (searched up to 24 for a contrast that is not answerable)",
    "on_figures": "share of the flow (posterior mean over the deal era) in months with a "
    "figure of it in the panel, the rest resting on the model",
    "multiple": "planted effect in multiples of the SESOI, positive on the claim's side",
    "bounds": "equivalence bounds of the panel's verdict, in multiples of the SESOI",
    "false_positive_rate": "share of simulated panels with no effect (or, where ruling out an "
    "effect supports the claim, with an effect at the SESOI on the other side) called support",
    "scale": "unit of the estimate: persons per month, or a ratio",
    "smallest_effect": "smallest effect of interest (SESOI) on the estimate's scale",
    "p_equivalence": "p-value of the two one-sided tests against ±SESOI, before correction",
    "p_equivalence_adjusted": "p_equivalence after Holm's correction",
    "in_family": "true if the contrast had a slot in Holm's correction (answerable and "
    "identified)",
    "n_months": "months the test used",
    "note": "why a test could not be run, or a detail of its result",
    "scenario": "planted effect in the simulated panels: a multiple of the SESOI on the claim's "
    "side, none, or on the other side",
    "planted_effect": "size of the planted effect, on the estimate's scale",
    "supports": "share of simulated panels whose verdict was supports the claim",
    "against": "share of simulated panels whose verdict was against the claim",
    "inconclusive": "share of simulated panels whose verdict was inconclusive",
    "not_testable": "share of simulated panels on which the test could not be run",
    "runs": "number of simulated panels per planted effect",
}

FREED: dict[str, tuple[str, ...]] = {
    "political prisoners freed in release batches": (
        "released_political_low", "released_political_high", "released_political_prisoners",
        "released_deals", "released_in_batches"),
    "freed in the US-brokered deals": ("released_people of the batches "
                                       "summaries.us_brokered_deals selects",),
    "all people freed": ("released_people", "released_total", "largest_batch"),
}
"""The three quantities of people freed and the columns that hold each: every chart, sentence
and table names the one it shows in these words. ``released_deals`` counts political prisoners
freed in every release batch, not only in the US-brokered deals; and all people freed can
include foreigners and people convicted of ordinary crimes, so it is never added to or compared
with a political-prisoner count as one quantity."""

EVENT_COUNT_NOTE = ("; zero in a month the research covered and found nothing, missing in a "
                    "month no source covers (months_searched in the raw table's .meta.yml)")
"""Appended to every panel event count: a gap is a gap, not a zero."""

for _column in ("release_batches", "largest_batch", "deals_with_concession", "relief_steps",
                "engagement_steps", "sanctions_packages", "sanctions_packages_disputed"):
    FIELDS[_column] += EVENT_COUNT_NOTE

EPISODE_FIELDS: dict[str, str] = {
    "country": "the country's folder name in data/raw (configured by its country.yml)",
    "episode": "episode id from the country's country.yml",
    "counting_organisation": "who counts the country's political prisoners; the organisations "
    "define a political prisoner differently, so counts are never compared across countries",
    "deal_date": "the day the trade became public (country.yml)",
    "relief": "what was lifted or promised (country.yml, curators' words)",
    "relief_reversed_on": "day the relief was revoked, lapsed or not renewed; missing if not",
    "released_political": "political prisoners freed in the episode under the counting "
    "organisation's definition; missing where only a range is known (rule in "
    "analysis.episodes)",
    "released_political_low": "lower end of political prisoners freed in the episode",
    "released_political_high": "upper end of political prisoners freed in the episode",
    "relief_granted": "True for a relief-for-release deal, False for a release that came with "
    "no sanctions relief (the contrast group, never pooled with the deals)",
    "release_form": "how the people were released (country.yml): pardon, parole, expulsion, "
    "house arrest, ...; decides comparability against the counter's released_stay_on_list",
    "outcome_series": "the counting organisation's series (counts_scope) the outcome is read "
    "from: its headline count or one of its other_series",
    "outcome_basis": "model (stock-flow model), counts (the organisation's own counts near the "
    "dates) or none (no count near the deal)",
    "stock_before": "count before the deal (persons): modelled at the end of the month before "
    "the deal's month, or the organisation's last count before the deal day (outcome_basis)",
    "stock_12m": "count 12 months after: modelled at the end of the 12th month after the deal's "
    "month, or the first count on or after the day 12 months after the deal; missing when not "
    "reached, outside the model or more than 183 days off",
    "stock_24m": "as stock_12m, 24 months after",
    "stock_before_date": "day of the count used as stock_before (outcome_basis counts only)",
    "stock_12m_date": "day of the count used as stock_12m (outcome_basis counts only)",
    "stock_24m_date": "day of the count used as stock_24m (outcome_basis counts only)",
    "stock_before_gap_days": "days between stock_before_date and the deal day",
    "stock_12m_gap_days": "days between stock_12m_date and the day 12 months after the deal",
    "stock_24m_gap_days": "days between stock_24m_date and the day 24 months after the deal",
    "replacement_months": "months after the deal's month until the model's recognitions add up "
    "to released_political (median over draws); missing beyond 24 months or outside the model",
    "replacement_months_low": "2.5th percentile of replacement_months over the model's draws",
    "replacement_months_high": "97.5th percentile of replacement_months; missing when more "
    "than 2.5% of draws need over 24 months",
    "comparable": "False where the counter keeps people released in the episode's form on its "
    "list, so its count cannot show their release (docs/comparative.md)",
    "confounded": "True where a sourced second shock (crackdown, election, coup, intervention; "
    "country.yml confounders) falls inside the 24 months after the deal",
    "confounders": "the shocks inside the window: date, kind, event and source, ' | '-separated",
    "comparability_note": "why the episode is or is not comparable, confounded, in the contrast "
    "group or without an outcome, in words",
    "recognized_12m": "modelled new political prisoners in the 12 months after the deal's month",
    "returned_within_12m": "the count got back to stock_before within 12 months (True/False "
    "where at least 95% of the model's draws agree, or where the organisation's counts show it "
    "(docs/comparative.md); missing otherwise or not yet knowable)",
    "returned_within_24m": "as returned_within_12m, within 24 months",
    "recognized_12m_at_least_freed": "recognized_12m at least released_political (decided as "
    "returned_within_12m)",
    "returned_within_12m_probability": "share of the model's draws in which the count got back "
    "to its pre-deal level within 12 months",
    "returned_within_24m_probability": "as returned_within_12m_probability, within 24 months",
    "recognized_12m_at_least_freed_probability": "share of draws with recognized_12m at least "
    "released_political",
    "rearrests": "people freed in the episode and later re-arrested, where the data count them",
    "months_from_deal": "months from the deal's month (negative: before)",
    "share_of_before": "modelled month-end count as a multiple of the count at the end of the "
    "month before the deal's month (same organisation, same model draw)",
    "share_low": "2.5th percentile of share_of_before over the model's draws",
    "share_high": "97.5th percentile of share_of_before over the model's draws",
}
"""Columns of the cross-country datasets ``episodes`` and ``episode_counts``."""

for _name in ("stock_before", "stock_12m", "stock_24m", "recognized_12m"):
    EPISODE_FIELDS[f"{_name}_low"] = (f"2.5th percentile of {_name} over the model's draws "
                                      "(the count itself where read from the counts)")
    EPISODE_FIELDS[f"{_name}_high"] = (f"97.5th percentile of {_name} over the model's draws "
                                       "(the count itself where read from the counts)")
for _name in ("stock_no_deals", "deals_effect", "freed", "would_have_left",
              "prison_months_remitted"):
    FIELDS[f"{_name}_low"] = f"2.5th percentile of {_name} over the paired draws"
    FIELDS[f"{_name}_high"] = f"97.5th percentile of {_name} over the paired draws"
FIELDS["reason"] += ("; in counterfactual_monthly, why the counterfactual is missing (empty "
                     "where it is computed)")

for _name, _text in EPISODE_FIELDS.items():
    FIELDS.setdefault(_name, _text)
