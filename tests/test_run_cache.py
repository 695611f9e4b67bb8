"""``run`` redoes only what changed: a notebook runs again when its source or a dataset it read
changed, a chart and briefing.pdf are drawn again when their data changed, and a chart's files
are written again only when what it draws changed."""

from __future__ import annotations

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

import analysis
from analysis import briefing, figures, run_cache
from analysis.notebooks_run import execute_changed, stale_notebooks


def _notebook(path, *code: str):
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(line) for line in code]), path)
    return path


def _edit_first_note(path) -> None:
    """A real edit that keeps the file valid: the first record's notes get a word more."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[0], "notes"] = frame.loc[frame.index[0], "notes"] + " (edited)"
    frame.to_csv(path, index=False)


def _add_one_to_first(path, column: str) -> None:
    """An edit a chart draws: the first record's ``column`` one higher."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[0], column] = str(int(frame.loc[frame.index[0], column]) + 1)
    frame.to_csv(path, index=False)


@pytest.mark.slow
def test_a_second_run_executes_no_notebook_and_an_edit_only_those_that_read_it(data_dir,
                                                                               tmp_path):
    analysis.build()
    folder, output = tmp_path / "notebooks", tmp_path / "executed"
    folder.mkdir()
    releases = _notebook(folder / "01_releases.ipynb", "import analysis",
                         'analysis.load("release_events")')
    measures = _notebook(folder / "02_measures.ipynb", "import analysis",
                         'analysis.load("sanctions_measures")')
    both = [releases, measures]

    assert execute_changed(both, output_dir=output) == both
    assert (output / releases.name).is_file() and (output / measures.name).is_file()
    assert execute_changed(both, output_dir=output) == []

    _edit_first_note(data_dir / "raw" / "belarus" / "release_events.csv")
    analysis.build()
    assert stale_notebooks(both, output) == [releases]
    assert execute_changed(both, output_dir=output) == [releases]
    assert execute_changed(both, output_dir=output) == []

    _notebook(measures, "import analysis", 'analysis.load("sanctions_measures").head()')
    (output / releases.name).unlink()
    assert stale_notebooks(both, output) == both, "edited source; executed copy gone"
    assert stale_notebooks(both, tmp_path / "elsewhere") == both


def test_notebook_records_name_the_datasets_each_read(data_dir, tmp_path):
    """What a notebook read is learnt by running it (``ANALYSIS_READ_LOG``), not guessed from
    its text: a library call that reads a dataset counts too."""
    analysis.build()
    log = tmp_path / "reads.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANALYSIS_READ_LOG", str(log))
        analysis.load("panel_monthly")
    assert {line.rsplit("/", 1)[-1] for line in log.read_text().splitlines()} == {
        "panel_monthly.parquet"}


TWO_CHARTS = [chart for chart in figures.BRIEFING
              if chart.name in ("03_release_batches", "13_cumulative")]


def test_charts_and_briefing_are_drawn_again_only_when_their_data_changed(data_dir, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(figures, "BRIEFING", TWO_CHARTS)
    out = tmp_path / "figures"
    pdf = out / "briefing.pdf"
    analysis.build()

    first = figures.export_briefing(out, only_changed=True)
    assert {path.stem for path in first} == {"03_release_batches", "13_cumulative"}
    assert briefing.write_briefing_pdf(pdf, only_changed=True) == pdf
    assert figures.export_briefing(out, only_changed=True) == []
    assert briefing.write_briefing_pdf(pdf, only_changed=True) is None

    releases = data_dir / "raw" / "belarus" / "release_events.csv"
    _edit_first_note(releases)
    analysis.build()
    drawn: dict = {}
    assert figures.export_briefing(out, only_changed=True, keep=drawn) == [], \
        "a note the chart does not draw: drawn again, the same, so no file is written"
    assert set(drawn) == {"03_release_batches"}, "counts chart unchanged: not drawn"
    for figure in drawn.values():
        plt.close(figure)
    assert briefing.write_briefing_pdf(pdf, only_changed=True) == pdf

    _add_one_to_first(releases, "released_total")
    analysis.build()
    again = figures.export_briefing(out, only_changed=True)
    assert {path.stem for path in again} == {"03_release_batches"}, "counts chart unchanged"
    assert briefing.write_briefing_pdf(pdf, only_changed=True) == pdf

    (out / "13_cumulative.svg").write_text("edited by hand")
    assert {path.stem for path in figures.export_briefing(out, only_changed=True)} == {
        "13_cumulative"}, "a file changed since it was written is written again"
    kept: dict = {}
    assert figures.export_briefing(out, keep=kept) == [
        path for chart in TWO_CHARTS for path in first if path.stem == chart.name], \
        "without only_changed every chart is drawn"
    pages = briefing.briefing_pages(None, kept)
    assert [page for page in pages if page in kept.values()] == list(kept.values()), \
        "the briefing uses the charts just drawn, in order, rather than drawing them again"
    for page in pages:
        plt.close(page)


def test_the_record_is_kept_beside_the_built_data(data_dir):
    run_cache.update_record("figures", "x", {"key": "k", "files": {}})
    assert run_cache.record_path().parent == data_dir / "processed"
    assert run_cache.read_record()["figures"]["x"]["key"] == "k"
