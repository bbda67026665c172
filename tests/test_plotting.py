"""Plotting helpers: no global changes unless asked, and plots that show the run's data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colors
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

import alfunc
from alfunc.plotting import (
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
