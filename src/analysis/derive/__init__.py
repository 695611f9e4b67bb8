"""Datasets derived from the cleaned tables: resolved counts, the daily series, the panel."""
