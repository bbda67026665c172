"""The experiment figure: one legend outside the panels, one color per strategy, sample sd bands, no global state."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib import colors

from alfunc.experiments.plots import experiment_figure, plot_experiment

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SETTING = {"estimator": "logistic", "n_init": 10, "budget": 30, "test_size": 0.25, "scoring": None, "scale": True}


def line(dataset, batch_size, strategy, seed, curve):
    run = {**SETTING, "dataset": dataset, "batch_size": batch_size, "strategy": strategy, "seed": seed}
    return {"run": run, "n_labeled": [10, 20, 30], "test_score": curve, "full_pool_score": 0.95}


RESULTS = [
    line("iris", 5, "random", 0, [0.5, 0.6, 0.7]),
    line("iris", 5, "random", 1, [0.6, 0.7, 0.9]),
    line("iris", 5, "random", 2, [0.4, 0.8, 0.8]),
    line("iris", 5, "margin", 0, [0.5, 0.8, 0.9]),
    line("iris", 5, "margin", 1, [0.6, 0.9, 0.9]),
    line("iris", 5, "margin", 2, [0.4, 0.9, 1.0]),
    # a second setting without margin: random must keep its color
    line("wine", 10, "random", 0, [0.6, 0.7, 0.8]),
    line("wine", 10, "random", 1, [0.7, 0.8, 0.9]),
    line("wine", 10, "entropy", 0, [0.6, 0.9, 0.9]),
]


@pytest.fixture
def figure():
    figure = experiment_figure(RESULTS)
    figure.canvas.draw()
    return figure


def test_one_legend_outside_every_panel(figure):
    # Before: a legend in each panel, over the curves.
    assert [ax.get_legend() for ax in figure.axes if ax.get_visible()] == [None, None]
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["entropy", "margin", "random", "whole pool labeled"]
    box = legend.get_window_extent()
    for ax in figure.axes:
        if ax.get_visible():
            assert not box.overlaps(ax.get_window_extent()), "the legend covers no panel"
    assert 0 <= box.x0 and box.x1 <= figure.bbox.x1, "and it is inside the figure"


def test_a_strategy_has_one_color_in_every_panel_and_in_the_legend(figure):
    iris, wine = (ax for ax in figure.axes if ax.get_visible())
    by_label = {}
    for ax in (iris, wine):
        for curve in ax.lines[1:]:
            by_label.setdefault(curve.get_label(), set()).add(colors.to_hex(curve.get_color()))
    assert all(len(hexes) == 1 for hexes in by_label.values()), by_label
    assert len({hexes.pop() for hexes in by_label.values()}) == 3, "three strategies, three colors"
    handles = figure.legends[0].legend_handles
    assert [colors.to_hex(h.get_color()) for h in handles[:3]] == [
        colors.to_hex(next(c for c in iris.lines + wine.lines if c.get_label() == name).get_color())
        for name in ("entropy", "margin", "random")
    ]


def test_titles_give_the_setting_and_its_seeds_and_bands_are_the_sample_sd(figure):
    iris, wine = (ax for ax in figure.axes if ax.get_visible())
    assert iris.get_title() == "iris · logistic · batch 5 · 3 seeds"
    assert wine.get_title() == "wine · logistic · batch 10 · 1–2 seeds"
    random = np.array([r["test_score"] for r in RESULTS[:3]])
    band = iris.collections[1].get_paths()[0].vertices[:, 1]  # margin's band is first (sorted), random's second
    assert band.max() == pytest.approx((random.mean(axis=0) + random.std(axis=0, ddof=1)).max())


def test_the_figure_is_not_left_in_pyplot_and_rcparams_are_unchanged(tmp_path):
    plt.close("all")
    before = dict(matplotlib.rcParams)
    plot_experiment(RESULTS, tmp_path / "f.png", dpi=40)
    assert plt.get_fignums() == [] and dict(matplotlib.rcParams) == before
    assert (tmp_path / "f.png").read_bytes()[1:4] == b"PNG"


def test_bad_results_and_paths_are_refused(tmp_path):
    with pytest.raises(ValueError, match="results hold no runs to plot"):
        experiment_figure([])
    with pytest.raises(ValueError, match="path: folder .* does not exist"):
        plot_experiment(RESULTS, tmp_path / "missing" / "f.png")
