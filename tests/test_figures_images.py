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
