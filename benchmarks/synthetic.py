"""Synthetic raw tables at scale, shaped like the curated CSVs, for the benchmarks.

Rows look like real ones (sourced URLs, quoted notes with commas, mixed date precisions) and
about one in a thousand is deliberately bad, so the quarantine path is part of what is timed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import yaml

from analysis import schemas

BAD_ROW_RATE = 0.001
NOTES = ["", "", "", "synthetic", "from the weekly summary, page 2",
         "figure revised later; see the next report", "republished by a news site"]


def _date(rng: random.Random) -> tuple[str, str]:
    year = rng.randint(2020, 2025)
    month = rng.randint(1, 12)
    roll = rng.random()
    if roll < 0.8:
        return f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "day"
    if roll < 0.97:
        return f"{year}-{month:02d}", "month"
    return f"{year}", "year"


def prisoner_count_row(index: int, rng: random.Random, organisation: dict[str, str]
                       ) -> list[str]:
    """A row by ``organisation`` (its country's ``counting_organisation``), a republication of
    it or another source."""
    ref_date, precision = _date(rng)
    metric = rng.choice(schemas.COUNT_METRICS)
    low = -200 if metric == "net_change_in_period" else 0
    row = [
        f"pc{index:07d}", ref_date, precision, rng.choice(["false"] * 9 + ["true"]), "",
        metric, str(rng.randint(low, 2000)), rng.choice(schemas.QUALIFIERS),
        rng.choice([organisation["publisher"], *schemas.PUBLISHER_ROLES]),
        rng.choice([organisation["counts_scope"], *schemas.OTHER_SCOPES]),
        f"https://spring96.org/en/news/{rng.randint(10_000, 999_999)}", rng.choice(NOTES),
    ]
    if rng.random() < BAD_ROW_RATE:
        row[rng.choice([1, 6, 7])] = rng.choice(["2024-02-30", "12.5", "about", "03/04/2024"])
    return row


def write_prisoner_counts(path: Path, rows: int, seed: int = 0) -> Path:
    """``rows`` rows into a country folder that already holds its ``country.yml``."""
    rng = random.Random(seed)
    with open(path.parent / "country.yml", encoding="utf-8") as handle:
        organisation = yaml.safe_load(handle)["counting_organisation"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(schemas.prisoner_counts_raw().columns))
        for index in range(1, rows + 1):
            writer.writerow(prisoner_count_row(index, rng, organisation))
    return path


OFAC_PROGRAMS = ["BELARUS", "BELARUS] [BELARUS-EO14038", "RUSSIA-EO14024", "IRAN", "SDGT",
                 "UKRAINE-EO13662] [RUSSIA-EO14024", "CUBA", "GLOMAG"]


def ofac_sdn_row(index: int, rng: random.Random) -> str:
    kind = rng.choice(["individual"] * 6 + ["-0- "] * 3 + ["vessel"])
    if kind == "individual":
        name = f"SURNAME{rng.randint(1, 99_999)}, Given {rng.randint(1, 999)}"
    else:
        name = f"COMPANY {rng.randint(1, 999_999)} LLC"
    remarks = rng.choice(["-0- ", "DOB 01 Jan 1970; POB Minsk, Belarus; nationality Belarus.",
                          "Linked To: SOME HOLDING."])
    return (f'{index},"{name}","{kind}","{rng.choice(OFAC_PROGRAMS)}",-0- ,-0- ,-0- ,-0- ,'
            f'-0- ,-0- ,-0- ,"{remarks}"')


def write_ofac_sdn(folder: Path, records: int, seed: int = 0) -> Path:
    """OFAC's legacy sdn.csv layout: no header, CRLF, ``-0-`` for empty, Ctrl-Z at the end."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sdn.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for index in range(1, records + 1):
            handle.write(ofac_sdn_row(index, rng) + "\r\n")
        handle.write("\x1a")
    return path
