"""Plotting helpers: no global changes unless asked, and plots that show the run's data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colors
from matplotlib.figure import Figure
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

import alfunc
from alfunc.plotting import (
    class_colors,
    feature_to_color,
    plot_decision_boundaries,
    plot_learning_curve,
    plot_pool,
    set_matplotlib_style,
    style_params,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def run():
    X, y = make_blobs(n_samples=40, centers=2, random_state=0)
    states = list(
        alfunc.trace(X, y, LogisticRegression(), "margin", n_init=4, batch_size=6, X_test=X, y_test=y, random_state=0)
    )
    return X, y, states


# Importing alfunc.plotting changes no rcParams: see test_compat.test_importing_alfunc_has_no_global_side_effects.


def test_style_as_context_manager_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with set_matplotlib_style(font_size=16, **{"lines.linewidth": 7.0}):
        assert matplotlib.rcParams["font.size"] == 20
        assert matplotlib.rcParams["legend.fontsize"] == 16
        assert matplotlib.rcParams["lines.linewidth"] == 7.0
    assert dict(matplotlib.rcParams) == before


def test_style_called_as_a_function_stays_applied():
    with matplotlib.rc_context():
        set_matplotlib_style(font_size=10)
        assert matplotlib.rcParams["font.size"] == 12.5
        assert matplotlib.rcParams["axes.grid"] is True


def test_style_params_is_pure_and_checks_font_size():
    before = dict(matplotlib.rcParams)
    params = style_params(font_size=8, use_latex=False, **{"axes.grid": False})
    assert params["xtick.labelsize"] == 8 and params["axes.labelsize"] == 10
    assert params["axes.grid"] is False and params["text.usetex"] is False
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ValueError, match="font_size"):
        style_params(font_size=0)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
@settings(max_examples=40, deadline=None)
def test_feature_to_color_gives_hex_strings_with_extremes_on_the_colormap_ends(values):
    hexes = feature_to_color(values, cmap="viridis")
    assert hexes.shape == (len(values),)
    assert all(colors.is_color_like(h) and h.startswith("#") and len(h) == 7 for h in hexes)
    cmap = matplotlib.colormaps["viridis"]
    values = np.asarray(values)
    assert hexes[np.argmin(values)] == colors.rgb2hex(cmap(0.0))
    if values.max() > values.min():
        assert hexes[np.argmax(values)] == colors.rgb2hex(cmap(1.0))


def test_feature_to_color_rejects_empty_or_2d_values():
    with pytest.raises(ValueError, match="values"):
        feature_to_color([])
    with pytest.raises(ValueError, match="values"):
        feature_to_color([[1, 2]])


def test_plot_pool_draws_unlabeled_points_grey_and_labeled_ones_by_class(run):
    X, y, states = run
    state = states[1]
    ax = plot_pool(X, state, y)
    unlabeled, *by_class = ax.collections
    assert len(unlabeled.get_offsets()) == state.n_unlabeled
    assert sum(len(c.get_offsets()) for c in by_class) == state.n_labeled
    assert len(by_class) == np.unique(y).size
    mask_ax = plot_pool(X, state.labeled_mask(), y)
    np.testing.assert_array_equal(mask_ax.collections[0].get_offsets(), unlabeled.get_offsets())


def test_plot_pool_checks_its_inputs(run):
    X, y, states = run
    with pytest.raises(ValueError, match="two features"):
        plot_pool(np.c_[X, X], states[0], y)
    with pytest.raises(ValueError, match="state_or_mask"):
        plot_pool(X, np.zeros(3, dtype=bool), y)
    with pytest.raises(ValueError, match="y must"):
        plot_pool(X, states[0], y[:-1])


def test_plot_decision_boundaries_draws_one_panel_per_iteration(run):
    X, y, states = run
    figure = plot_decision_boundaries(states, X, y, iterations=[0, 2, states[-1].iteration])
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == [f"Iteration {s.iteration}\n{s.n_labeled} labeled" for s in (states[0], states[2], states[-1])]
    with pytest.raises(ValueError, match="iterations"):
        plot_decision_boundaries(states, X, y, iterations=[99])


def test_plot_learning_curve_draws_the_mean_and_a_band_over_runs(run):
    X, y, states = run
    other = alfunc.run(X, y, LogisticRegression(), "random", n_init=4, batch_size=6, X_test=X, y_test=y, random_state=1)
    histories = [states[-1].history, other.history]
    ax = plot_learning_curve(histories)
    line = ax.lines[0]
    expected = [np.mean([h[i].scores["test_score"] for h in histories]) for i in range(len(histories[0]))]
    np.testing.assert_allclose(line.get_ydata(), expected)
    np.testing.assert_array_equal(line.get_xdata(), [r.n_labeled for r in histories[0]])
    assert len(ax.collections) == 1  # the ±1 std band
    single = plot_learning_curve(states[-1])
    assert len(single.collections) == 0


def test_plot_learning_curve_checks_its_inputs(run):
    _, _, states = run
    with pytest.raises(ValueError, match="f1"):
        plot_learning_curve(states[-1], score="f1")
    with pytest.raises(TypeError, match="history_or_runs"):
        plot_learning_curve([])


def rgb(color):
    return tuple(round(float(c), 6) for c in colors.to_rgba(color)[:3])


def test_regions_take_the_color_of_the_class_points_of_that_class(run):
    # Before: regions on RdYlBu (class 0 red) and points on tab10 (class 0 blue): blue points in red regions.
    X, y, states = run
    figure = plot_decision_boundaries(states, X, y)
    for ax, state in zip(figure.axes, (states[0], states[-1]), strict=True):
        regions, _, *by_class = ax.collections
        for position, points in enumerate(by_class):
            assert rgb(regions.cmap(regions.norm(position))) == rgb(points.get_facecolor()[0]), position
        corners = regions.get_coordinates()  # cell corners; the model was asked at the cells' centres
        predicted = state.model.predict(((corners[:-1, :-1] + corners[1:, 1:]) / 2).reshape(-1, 2))
        assert np.array_equal(np.asarray(regions.get_array()).ravel(), predicted), "each cell: the predicted class"


def test_plot_pool_has_a_legend_of_the_drawn_points_and_axis_labels(run):
    X, y, states = run
    ax = plot_pool(X, states[0], y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["unlabeled", "0", "1"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")
    frame = pd.DataFrame(X, columns=["length", "width"])
    ax = plot_pool(frame, np.ones(len(y), dtype=bool), y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1"], "no unlabeled point: no entry"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("length", "width")
    assert [rgb(c.get_facecolor()[0]) for c in ax.collections[1:]] == [rgb(c) for c in class_colors(2)]


def test_class_colors_are_the_first_colors_of_a_qualitative_map():
    assert class_colors(2) == [colors.to_hex(c) for c in matplotlib.colormaps["tab10"].colors[:2]]
    assert len(set(class_colors(12))) == 12, "more classes than tab10 has: sampled from the map"
    for bad in (0, -1, True, 2.5, "3"):
        with pytest.raises(ValueError, match="n_classes must be an int >= 1"):
            class_colors(bad)


def test_plot_decision_boundaries_checks_its_inputs(run):
    X, y, states = run
    for resolution in (1, 2.5, True, 10**6):
        with pytest.raises(ValueError, match="resolution must be an int in \\[2, 2000\\]"):
            plot_decision_boundaries(states, X, y, resolution=resolution)
    with pytest.raises(ValueError, match="y must hold one label per row of X"):
        plot_decision_boundaries(states, X, y[:-1])
    with pytest.raises(ValueError, match="the model predicts labels absent from y: \\[0, 1\\]"):
        plot_decision_boundaries(states, X, y + 5)
    with pytest.raises(ValueError, match="states must hold at least one fitted state"):
        plot_decision_boundaries([], X, y)
    with pytest.raises(ValueError, match="axes must hold at least 2 axes"):
        plot_decision_boundaries(states, X, y, axes=Figure().subplots())


def test_the_learning_curve_band_is_the_sample_standard_deviation(run):
    # Before: ddof 0, a band narrower than the experiment figure's for the same runs.
    X, y, states = run
    runs = [
        alfunc.run(X, y, LogisticRegression(), "random", n_init=4, batch_size=6, X_test=X, y_test=y, random_state=s)
        for s in (1, 2, 3)
    ]
    ax = plot_learning_curve(runs, Figure().subplots())
    scores = np.array([[r.scores["test_score"] for r in run.history] for run in runs])
    top = ax.collections[0].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx((scores.mean(axis=0) + scores.std(axis=0, ddof=1)).max())


def test_plots_on_given_axes_leave_no_pyplot_figure_and_no_rcparams_change(run):
    X, y, states = run
    plt.close("all")
    before = dict(matplotlib.rcParams)
    figure = Figure()
    plot_pool(X, states[1], y, ax=figure.subplots())
    plot_decision_boundaries(states, X, y, axes=Figure().subplots(1, 2))
    plot_learning_curve(states[-1], Figure().subplots())
    assert plt.get_fignums() == [] and dict(matplotlib.rcParams) == before
