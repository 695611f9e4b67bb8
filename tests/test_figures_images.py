"""Every briefing chart, drawn from the small fixture data, against its committed baseline image.

A style change fails here until the baselines are regenerated and committed, so a new look is a
visible, deliberate decision. pyproject's addopts pass ``--mpl``, so plain ``pytest`` compares.
After a deliberate change (or for a new chart in ``figures.BRIEFING``):

    pytest --mpl-generate-path=tests/baseline tests/test_figures_images.py

then look at the new images in tests/baseline/ and commit them. On failure, pytest-mpl writes
the baseline, the result and their difference to test-output/mpl/.
"""

from pathlib import Path

import pytest

import analysis
from analysis import figures

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"
TOLERANCE = 2
"""Root-mean-square difference in pixel values (0-255) allowed. Tighter than pytest-mpl's usual
5 because the charts are mostly white space: recolouring one series of thin lines scores about 4,
a font one point larger about 8. The baselines come from matplotlib's wheels, which bundle their
own FreeType; a build using the system's FreeType (conda-forge) renders text a little
differently and may need baselines regenerated locally."""
GENERATE = "pytest --mpl-generate-path=tests/baseline tests/test_figures_images.py"


def _chart(chart: figures.BriefingChart):
    return pytest.param(chart, id=chart.name, marks=pytest.mark.mpl_image_compare(
        filename=f"{chart.name}.png", tolerance=TOLERANCE, style="default",
        savefig_kwargs={"dpi": 100}))


@pytest.mark.parametrize("chart", [_chart(chart) for chart in figures.BRIEFING])
def test_briefing_chart_matches_its_baseline(chart, data_dir, request):
    generating = request.config.getoption("--mpl-generate-path") is not None
    assert generating or request.config.getoption("--mpl"), (
        "image comparison is off: run pytest with --mpl (pyproject's addopts has it)")
    assert generating or (BASELINE_DIR / f"{chart.name}.png").is_file(), (
        f"no baseline image for {chart.name}: run `{GENERATE} -k {chart.name}`, look at "
        f"tests/baseline/{chart.name}.png, and commit it")
    return chart.draw(*(analysis.load(name) for name in chart.datasets))


CLAIM_CHARTS = [figures.pressure_chart, figures.leverage_chart, figures.stock_change_chart,
                figures.revolving_door_chart]
"""The fixture data have no deal era, so these charts are also compared on a simulated panel
that has one (seeded, with every documented column)."""


@pytest.mark.parametrize("draw", [
    pytest.param(draw, id=draw.__name__, marks=pytest.mark.mpl_image_compare(
        filename=f"simulated_{draw.__name__}.png", tolerance=TOLERANCE, style="default",
        savefig_kwargs={"dpi": 100}))
    for draw in CLAIM_CHARTS])
def test_claim_chart_on_a_simulated_panel_matches_its_baseline(draw, request):
    from analysis.claim import simulate_panel

    name = f"simulated_{draw.__name__}"
    generating = request.config.getoption("--mpl-generate-path") is not None
    assert generating or (BASELINE_DIR / f"{name}.png").is_file(), (
        f"no baseline image for {name}: run `{GENERATE} -k {draw.__name__}` and commit it")
    return draw(simulate_panel(seed=2026))


def test_verdict_chart_draws_every_hypothesis():
    from analysis.claim import simulate_panel, test_claim

    verdicts = test_claim(simulate_panel(seed=2026), n_permutations=200)
    figure = figures.verdict_chart(verdicts)
    labels = [label.get_text().split("\n")[0] for axis in figure.axes
              for label in axis.get_yticklabels()]
    assert sorted(labels) == sorted(verdicts["hypothesis"])
