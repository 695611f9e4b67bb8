"""briefing.pdf: cover, every briefing chart, claim results; deterministic; nothing clipped."""

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import briefing, figures

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def claim_table(hypotheses=5):
    """A table of the third edition's shape: parts, answerable contrasts with verdict words,
    one that is not answerable and descriptions."""
    verdicts = (["supports the claim", "against the claim", "inconclusive",
                 "not answerable with these data", "description"] * hypotheses)[:hypotheses]
    return pd.DataFrame({
        "part": (["effects", "effects", "repression", "repression", "accounting"]
                 * hypotheses)[:hypotheses],
        "hypothesis": [f"H{n}_effect" for n in range(1, hypotheses + 1)],
        "question": ["Are releases larger in the months around relief steps than in other "
                     "deal-era months?"] * hypotheses,
        "estimate": 1.5, "scale": "persons per month", "ci_low": 0.9, "ci_high": 2.4,
        "p_value": 0.04, "p_adjusted": 0.0004, "verdict": verdicts,
        "answerable": pd.array([{"description": None, "not answerable with these data": False}
                                .get(v, True) for v in verdicts], dtype="boolean"),
        "rules_out": "it would have needed an effect of about 3 times it (30 a month).",
        "note": "", "power": "", "on_figures": float("nan"),
    })


def layout_problems(figure):
    """Texts running off the figure, and figure-level texts overlapping what the axes draw."""
    renderer = figure.canvas.get_renderer()
    bounds = figure.bbox
    problems = []
    texts = [text for text in figure.texts if text.get_text()]
    for text in texts:
        box = text.get_window_extent(renderer)
        if box.x0 < bounds.x0 or box.x1 > bounds.x1 or box.y0 < bounds.y0 or box.y1 > bounds.y1:
            problems.append(f"off the figure: {text.get_text()[:40]!r}")
    for axis in figure.axes:
        if not axis.axison:
            continue
        drawn = axis.get_tightbbox(renderer)
        if drawn.x0 < bounds.x0 or drawn.x1 > bounds.x1:
            problems.append("axes labels off the figure")
        problems += [f"overlaps the axes: {text.get_text()[:40]!r}" for text in texts
                     if drawn.overlaps(text.get_window_extent(renderer))]
    return problems


def test_pages_are_cover_charts_then_claims(data_dir):
    pages = briefing.briefing_pages(claim_table())
    try:
        assert len(pages) == 2 + len(figures.BRIEFING) + 1
        cover = " ".join(" ".join(text.get_text() for text in pages[0].texts).split())
        for number, page in enumerate(pages[1:], start=2):
            title = " ".join(page.texts[0].get_text().split())  # wrapped on both pages
            assert f"{number}. {title}" in cover
        assert "Belarus: data to 31 Mar 2024" in cover, "the newest item at its precision"
        assert "data/raw/belarus/release_events.csv" in cover
    finally:
        for page in pages:
            plt.close(page)


def test_no_page_has_clipped_or_overlapping_text(data_dir):
    pages = briefing.briefing_pages(claim_table())
    try:
        assert {index: layout_problems(page) for index, page in enumerate(pages)
                if layout_problems(page)} == {}
    finally:
        for page in pages:
            plt.close(page)


def test_long_claim_tables_continue_on_further_pages():
    pages = briefing.claim_pages(claim_table(hypotheses=12))
    try:
        assert len(pages) > 1
        assert pages[0].texts[0].get_text().endswith(f"(1 of {len(pages)})")
        assert not any(layout_problems(page) for page in pages)
    finally:
        for page in pages:
            plt.close(page)


def test_the_claim_pages_lead_with_what_the_data_can_and_cannot_decide():
    (page,) = briefing.claim_pages(claim_table(hypotheses=5))
    try:
        lead = page.texts[1].get_text().replace("\n", " ")
        assert lead.startswith("Can decide: H1 (supports the claim), H2 (against the "
                               "claim), H3 (inconclusive). Not answerable with these data: H4 "
                               "(why: each row's reason, notebook 03).")
        cells = page.axes[0].tables[0].get_celld()
        assert cells[5, 5].get_text().get_text() == "description"
        assert cells[5, 0].get_text().get_text() == "accounting"
    finally:
        plt.close(page)


def test_verdicts_are_coloured_by_what_they_say():
    (page,) = briefing.claim_pages(claim_table(hypotheses=3))
    try:
        cells = page.axes[0].tables[0].get_celld()
        colours = [cells[row, 5].get_text().get_color() for row in (1, 2, 3)]
        assert colours == [briefing.VERDICT_COLOURS["supports the claim"],
                           briefing.VERDICT_COLOURS["against the claim"],
                           briefing.COLOURS["text"]]
    finally:
        plt.close(page)


@pytest.mark.parametrize("claims", [None, claim_table()], ids=["without claims", "with claims"])
def test_the_pdf_has_one_page_each_and_is_the_same_file_when_nothing_changed(
        data_dir, tmp_path, claims):
    path = briefing.write_briefing_pdf(tmp_path / "figures" / "briefing.pdf", claims)
    first = path.read_bytes()
    assert len(PAGE.findall(first)) == 2 + len(figures.BRIEFING) + (claims is not None)
    assert b"CreationDate" not in first
    assert briefing.write_briefing_pdf(path, claims).read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == ["briefing.pdf"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_every_file_under_figures_is_written_by_current_code():
    """A chart renamed or dropped leaves its old files behind, citing data and folders that no
    longer exist; each file in figures/ must be one the export writes today."""
    from analysis import paths

    present = {path.name for path in (paths.REPO_DIR / "figures").iterdir() if path.is_file()}
    assert present - figures.briefing_files() == set()
