"""Every briefing chart, drawn from the small fixture data, against its committed baseline image.

A style change fails here until the baselines are regenerated and committed, so a new look is a
visible, deliberate decision. pyproject's addopts pass ``--mpl``, so plain ``pytest`` compares.
After a deliberate change (or for a new chart in ``figures.BRIEFING``):

    pytest --mpl-generate-path=tests/baseline tests/test_figures_images.py

then look at the new images in tests/baseline/ and commit them. On failure, pytest-mpl writes
the baseline, the result and their difference to test-output/mpl/.
"""

from pathlib import Path

import matplotlib.pyplot as plt
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


def synthetic_claim_inputs():
    """A seeded panel and stock-flow draws with a deal era and relief steps (the fixture data
    have none): what the claim charts draw, independent of the shipped data."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    months = pd.date_range("2022-07-01", "2026-03-01", freq="MS")
    n, draws = len(months), 60
    relief = np.zeros(n)
    relief[[29, 38, 40, 41, 44]] = 1
    packages = np.zeros(n)
    packages[::5] = 1
    recognized = 45 + rng.normal(0, 6, (n, draws))
    deals = np.where(months >= "2024-07-01", 20 + 10 * relief, 0.0)[:, None] + rng.normal(
        0, 3, (n, draws)).clip(0)
    other = 40 + rng.normal(0, 5, (n, draws))
    stock = 1400 + np.cumsum(recognized - deals - other, axis=0)
    frame = pd.DataFrame({
        "draw": np.tile(np.arange(draws), n), "month": np.repeat(months, draws),
        "stock": stock.ravel(), "recognized": recognized.ravel(),
        "released_deals": deals.ravel(), "released_other": other.ravel()})
    panel = pd.DataFrame({
        "month": months, "prisoners_held": stock.mean(axis=1), "relief_steps": relief,
        "sanctions_packages": packages, "released_deals": deals.mean(axis=1),
        "released_deals_low": np.percentile(deals, 2.5, axis=1),
        "released_deals_high": np.percentile(deals, 97.5, axis=1)})
    return panel, frame


def synthetic_counterfactual(draws):
    """The synthetic draws' no-deal counterfactual: four in five people freed in a batch would
    still be held. Per draw (``effects``) and as ``counterfactual_monthly`` summarises it."""
    import numpy as np
    import pandas as pd

    wide = draws.pivot(index="month", columns="draw", values="released_deals")
    effect = -0.8 * wide.mul(wide.index >= "2024-07-01", axis=0).cumsum()
    effects = effect.stack().rename("deal_effect").reset_index()
    stock = draws.pivot(index="month", columns="draw", values="stock")
    columns = {"month": stock.index}
    for name, values in (("stock", stock), ("stock_no_deals", stock - effect),
                         ("deals_effect", effect)):
        columns.update({f"{name}_mean": values.mean(axis=1).to_numpy(),
                        f"{name}_low": np.percentile(values, 2.5, axis=1),
                        f"{name}_high": np.percentile(values, 97.5, axis=1)})
    return effects, pd.DataFrame({**columns, "reason": ""})


def _claim_chart(draw) -> plt.Figure:
    from analysis.claim import test_claim

    panel, draws = synthetic_claim_inputs()
    if draw in (figures.pressure_chart, figures.leverage_chart):
        return draw(panel)
    effects, counterfactual = synthetic_counterfactual(draws)
    verdicts = test_claim(panel, draws=draws, effects=effects, power_runs=10)
    return draw(counterfactual if draw is figures.stock_change_chart else draws, verdicts)


CLAIM_CHARTS = [figures.pressure_chart, figures.leverage_chart, figures.stock_change_chart,
                figures.revolving_door_chart]
"""The fixture data have no deal era, so these charts are also compared on seeded synthetic
inputs that have one."""


@pytest.mark.parametrize("draw", [
    pytest.param(draw, id=draw.__name__, marks=pytest.mark.mpl_image_compare(
        filename=f"simulated_{draw.__name__}.png", tolerance=TOLERANCE, style="default",
        savefig_kwargs={"dpi": 100}))
    for draw in CLAIM_CHARTS])
def test_claim_chart_on_a_simulated_panel_matches_its_baseline(draw, request):
    name = f"simulated_{draw.__name__}"
    generating = request.config.getoption("--mpl-generate-path") is not None
    assert generating or (BASELINE_DIR / f"{name}.png").is_file(), (
        f"no baseline image for {name}: run `{GENERATE} -k {draw.__name__}` and commit it")
    return _claim_chart(draw)


def test_verdict_chart_draws_every_contrast_and_no_description():
    """Every contrast with an interval is drawn with its verdict; accounting rows and other
    descriptions, which carry no verdict, are not."""
    from analysis.claim import test_claim

    panel, draws = synthetic_claim_inputs()
    effects, _ = synthetic_counterfactual(draws)
    verdicts = test_claim(panel, draws=draws, effects=effects, power_runs=10)
    figure = figures.verdict_chart(verdicts)
    labels = [label.get_text().split("\n")[0] for axis in figure.axes
              for label in axis.get_yticklabels()]
    contrasts = verdicts[verdicts["ci_low"].notna() & (verdicts["verdict"] != "description")]
    assert sorted(labels) == sorted(contrasts["hypothesis"])
    assert "H3_net_effect" in labels


def test_every_baseline_belongs_to_a_current_chart():
    """A renamed or dropped chart leaves its baseline behind, compared against nothing."""
    expected = ({f"{chart.name}.png" for chart in figures.BRIEFING}
                | {f"simulated_{draw.__name__}.png" for draw in CLAIM_CHARTS})
    assert {path.name for path in BASELINE_DIR.glob("*.png")} - expected == set()
