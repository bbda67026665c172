"""Plotting helpers for AL runs; matplotlib is imported only inside these functions.

Importing this module changes nothing: ``set_matplotlib_style`` touches the
global rcParams only when called, and used as a context manager it restores
them on exit.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from alfunc.core.state import ALState, History
from alfunc.core.validation import is_real

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

SERIF_PREFERENCES = ("Times New Roman", "Times", "TeX Gyre Bonum", "Nimbus Roman")
UNLABELED_COLOR = "#bbbbbb"


class _RestoreOnExit(AbstractContextManager):
    """Puts back the rcParams that a style call replaced, when its ``with`` block ends."""

    def __init__(self, previous: Mapping[RcKeyType, Any]):
        self._previous = dict(previous)

    def __exit__(self, *exc_info: Any) -> None:
        import matplotlib as mpl

        mpl.rcParams.update(self._previous)


def style_params(font_size: float = 8, use_latex: bool = False, **rc: Any) -> dict[str, Any]:
    """The rcParams of the alfunc style (seaborn-like white grid, serif fonts), without applying them.

    Text is ``1.25 * font_size``, legends and ticks ``font_size``; ``rc`` adds or
    overrides any rcParam. ``use_latex`` needs a ``latex`` executable (a warning
    says so and leaves it off otherwise).

    Examples
    --------
    >>> from alfunc.plotting import style_params
    >>> params = style_params(font_size=10)
    >>> params["font.size"], params["legend.fontsize"], params["text.usetex"]
    (12.5, 10, False)
    >>> style_params(**{"lines.linewidth": 2})["lines.linewidth"]
    2
    >>> style_params(font_size=0)
    Traceback (most recent call last):
    ...
    ValueError: font_size must be a positive number, got 0
    """
    if not is_real(font_size) or font_size <= 0:
        raise ValueError(f"font_size must be a positive number, got {font_size!r}")
    import matplotlib.style
    from matplotlib import font_manager

    params = dict(matplotlib.style.library["seaborn-v0_8-whitegrid"])
    params |= {
        "axes.labelsize": 1.25 * font_size,
        "font.size": 1.25 * font_size,
        "legend.fontsize": font_size,
        "xtick.labelsize": font_size,
        "ytick.labelsize": font_size,
    }
    available = {font.name for font in font_manager.fontManager.ttflist}
    serif = [name for name in SERIF_PREFERENCES if name in available]
    if serif:
        params["font.family"] = serif[0]
    latex = bool(use_latex) and shutil.which("latex") is not None
    if use_latex and not latex:
        warnings.warn("no LaTeX installation found; text.usetex stays False", stacklevel=3)
    params["text.usetex"] = latex
    return params | rc


def set_matplotlib_style(font_size: float = 8, use_latex: bool = False, **rc: Any) -> _RestoreOnExit:
    """Apply ``style_params(font_size, use_latex, **rc)`` to matplotlib's rcParams.

    Called as a function the style stays; ``with set_matplotlib_style(...):``
    restores the previous values of every changed rcParam when the block ends.

    Parameters
    ----------
    font_size : float, default=8
        Base font size.
    use_latex : bool, default=False
        Render text with LaTeX (needs a LaTeX installation).
    **rc
        Further rcParams to set.

    Returns
    -------
    context manager
        Restores the previous rcParams when used in a ``with`` block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from matplotlib.figure import Figure
    >>> from alfunc.plotting import set_matplotlib_style
    >>> before = mpl.rcParams["font.size"]
    >>> with set_matplotlib_style(font_size=10):
    ...     ax = Figure().subplots()
    ...     print(mpl.rcParams["font.size"], ax.xaxis.label.get_fontsize())
    12.5 12.5
    >>> mpl.rcParams["font.size"] == before
    True
    """
    import matplotlib as mpl

    # rc takes any keyword; rcParams checks the names at run time, which its Literal key type cannot express.
    params = cast("dict[RcKeyType, Any]", style_params(font_size, use_latex, **rc))
    previous = {key: mpl.rcParams[key] for key in params}
    mpl.rcParams.update(params)
    return _RestoreOnExit(previous)


def feature_to_color(values: Any, cmap: Any = "RdYlBu_r") -> np.ndarray:
    """Hex colors for ``values``, min-max scaled onto ``cmap`` (constant values take its lowest color).

    Parameters
    ----------
    values : array-like of float
        The values to color.
    cmap : str or Colormap, default="RdYlBu_r"
        The color map.

    Returns
    -------
    ndarray of str
        One hex color per value.

    Examples
    --------
    >>> from alfunc.plotting import feature_to_color
    >>> feature_to_color([0, 5, 10]).tolist()  # blue, pale yellow, red
    ['#313695', '#fffebe', '#a50026']
    >>> feature_to_color([1.0, 3.0], cmap="Greys").tolist()
    ['#ffffff', '#000000']
    >>> feature_to_color([7, 7]).tolist()
    ['#313695', '#313695']
    """
    from matplotlib import colormaps, colors

    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {values.shape}")
    colormap = colormaps[cmap] if isinstance(cmap, str) else cmap
    span = values.max() - values.min()
    scaled = (values - values.min()) / span if span > 0 else np.zeros_like(values)
    return np.array([colors.rgb2hex(rgba) for rgba in colormap(scaled)])


def plot_pool(X: Any, state_or_mask: ALState | Any, y: Any, ax: Any = None, *, cmap: Any = "tab10") -> Any:
    """Scatter a 2-D pool: labeled points colored by class, unlabeled ones grey, with a legend. Returns the axes.

    Class ``i`` of ``np.unique(y)`` takes color ``i`` of ``cmap`` (a qualitative
    map such as the default ``"tab10"``; a continuous one is sampled evenly), the
    colors ``plot_decision_boundaries`` gives its regions. The legend lists the
    unlabeled points and the classes with labeled points; the axes are labeled
    with ``X``'s column names (a DataFrame) or ``feature 0`` and ``feature 1``.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, 2)
        A pool with two features.
    state_or_mask : ALState or array-like of bool
        A state, or a mask of the labeled rows.
    y : array-like
        The labels of the pool's rows (only the labeled ones are shown by class).
    ax : matplotlib Axes, default=None
        Where to draw (``None``: a new figure).
    cmap : str or Colormap, default="tab10"
        The class colors.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from sklearn.datasets import load_iris
    >>> import alfunc as al
    >>> from alfunc.plotting import plot_pool
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X[:, :2]
    >>> state = al.init_step(X, y, n_init=6, random_state=0)
    >>> ax = plot_pool(X, state, y, ax=Figure().subplots())

    One grey collection for the unlabeled points, then one per class:

    >>> [(c.get_label(), len(c.get_offsets())) for c in ax.collections]
    [('unlabeled', 144), ('0', 2), ('1', 1), ('2', 3)]
    >>> [text.get_text() for text in ax.get_legend().get_texts()], ax.get_xlabel(), ax.get_ylabel()
    (['unlabeled', '0', '1', '2'], 'feature 0', 'feature 1')

    A boolean mask works instead of a state; classes without labeled points
    stay out of the legend:

    >>> ax = plot_pool(X, y == 0, y, ax=Figure().subplots())
    >>> [len(c.get_offsets()) for c in ax.collections], [t.get_text() for t in ax.get_legend().get_texts()]
    ([100, 50, 0, 0], ['unlabeled', '0'])
    """
    names = _feature_names(X)
    X = _two_features(X)
    y = np.asarray(y)
    mask = _labeled_mask(state_or_mask, X.shape[0])
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must hold one label per row of X ({X.shape[0]}), got shape {y.shape}")
    ax = _axes(ax)
    shown = [ax.scatter(X[~mask, 0], X[~mask, 1], c=UNLABELED_COLOR, alpha=0.4, label="unlabeled")]
    classes = np.unique(y)
    for label, color in zip(classes, class_colors(classes.size, cmap), strict=True):
        chosen = mask & (y == label)
        points = ax.scatter(X[chosen, 0], X[chosen, 1], color=color, alpha=0.8, edgecolors="k", label=str(label))
        shown.append(points)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    handles = [points for points in shown if len(points.get_offsets())]
    if handles:
        ax.legend(handles=handles, title="label", loc="best")
    return ax


def class_colors(n_classes: int, cmap: Any = "tab10") -> list[str]:
    """The color of each of ``n_classes`` classes: the first colors of a qualitative ``cmap``, else evenly sampled.

    ``plot_pool`` colors points and ``plot_decision_boundaries`` regions with
    it, so a class has one color everywhere. A qualitative map with fewer
    colors than classes gives way to ``tab20`` (up to 20 classes) or ``turbo``.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    cmap : str or Colormap, default="tab10"
        The color map.

    Returns
    -------
    list of str
        One hex color per class.

    Examples
    --------
    >>> from alfunc.plotting import class_colors
    >>> class_colors(3)  # tab10's blue, orange and green
    ['#1f77b4', '#ff7f0e', '#2ca02c']
    >>> class_colors(3, cmap="viridis")  # a continuous map: its two ends and its middle
    ['#440154', '#21918c', '#fde725']
    >>> class_colors(0)
    Traceback (most recent call last):
    ...
    ValueError: n_classes must be an int >= 1, got 0
    """
    from matplotlib import colormaps, colors

    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be an int >= 1, got {n_classes!r}")
    colormap = colormaps[cmap] if isinstance(cmap, str) else cmap
    if _qualitative(colormap) and colormap.N < n_classes:  # too few colors: a larger qualitative map, or turbo
        colormap = colormaps["tab20" if n_classes <= 20 else "turbo"]
    if _qualitative(colormap):
        rgba = colormap(np.arange(n_classes))
    else:
        rgba = colormap(np.linspace(0.0, 1.0, n_classes) if n_classes > 1 else np.zeros(1))
    return [colors.rgb2hex(color) for color in rgba]


def _qualitative(colormap: Any) -> bool:
    """A listed map of a few distinct colors (tab10, Set1, Accent, ...), not a sampled continuous one."""
    from matplotlib import colors

    return isinstance(colormap, colors.ListedColormap) and colormap.N <= 20


def plot_decision_boundaries(
    states: Iterable[ALState],
    X: Any,
    y: Any,
    iterations: Sequence[int] | None = None,
    *,
    axes: Any = None,
    cmap: Any = "tab10",
    resolution: int = 200,
) -> Any:
    """One panel per chosen iteration: the state's model's decision regions and its pool.

    ``states`` are fitted states (for example ``list(alfunc.trace(...))``);
    ``iterations`` picks them by ``state.iteration`` (default: first and last).
    Each region takes the color of the class the model predicts there, the
    color ``plot_pool`` gives that class's points (see ``class_colors``);
    ``resolution`` is the number of grid steps per axis. Returns the figure.

    Parameters
    ----------
    states : iterable of ALState
        Fitted states of a run.
    X : array-like or DataFrame of shape (n_samples, 2)
        The pool, with two features.
    y : array-like
        The labels of the pool's rows.
    iterations : sequence of int, default=None
        The iterations to show (``None``: the first and the last).
    axes : array of matplotlib Axes, default=None
        Where to draw, one per iteration (``None``: a new figure).
    cmap : str or Colormap, default="tab10"
        The class colors.
    resolution : int, default=200
        Grid steps per axis of the regions, in [2, 2000].

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.plotting import plot_decision_boundaries
    >>> X, y = make_classification(n_samples=40, n_features=2, n_redundant=0, random_state=0)
    >>> states = list(al.trace(X, y, GaussianNB(), "margin", n_init=4, batch_size=4, max_iter=2))
    >>> figure = Figure()
    >>> axes = figure.subplots(1, 2)
    >>> plot_decision_boundaries(states, X, y, axes=axes) is figure
    True
    >>> [ax.get_title().splitlines() for ax in axes]
    [['Iteration 0', '4 labeled'], ['Iteration 2', '12 labeled']]

    The regions (a mesh of class positions) and the points of a class share its color:

    >>> regions, unlabeled, *by_class = axes[1].collections
    >>> [regions.cmap(regions.norm(i)) == tuple(points.get_facecolor()[0][:3]) + (1.0,)
    ...  for i, points in enumerate(by_class)]
    [True, True]
    >>> plot_decision_boundaries(states, X, y, iterations=[5], axes=axes)
    Traceback (most recent call last):
    ...
    ValueError: iterations [5] are not among the fitted states' [0, 1, 2]
    """
    names = _feature_names(X)
    X = _two_features(X)
    labels = np.asarray(y)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"y must hold one label per row of X ({X.shape[0]}), got shape {labels.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or not 2 <= resolution <= 2000:
        raise ValueError(f"resolution must be an int in [2, 2000], got {resolution!r}")
    by_iteration = {state.iteration: state for state in states if state.model is not None}
    if not by_iteration:
        raise ValueError("states must hold at least one fitted state")
    if iterations is None:
        iterations = sorted({min(by_iteration), max(by_iteration)})
    missing = [i for i in iterations if i not in by_iteration]
    if missing:
        raise ValueError(f"iterations {missing} are not among the fitted states' {sorted(by_iteration)}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(
            1, len(iterations), figsize=(4 * len(iterations), 4.5), squeeze=False, layout="constrained"
        )
    axes = np.asarray(axes).ravel()
    if axes.size < len(iterations):
        raise ValueError(f"axes must hold at least {len(iterations)} axes, got {axes.size}")
    classes = np.unique(labels)
    colors = class_colors(classes.size, cmap)
    for iteration, ax in zip(iterations, axes, strict=False):
        state = by_iteration[iteration]
        _draw_regions(ax, state.model, X, classes, colors, int(resolution))
        plot_pool(X, state, labels, ax=ax, cmap=cmap)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.set_title(f"Iteration {iteration}\n{state.n_labeled} labeled")
    return axes[0].figure


def _draw_regions(ax: Any, model: Any, X: np.ndarray, classes: np.ndarray, colors: list[str], resolution: int) -> None:
    """The class the model predicts over a grid covering ``X`` (one unit beyond it), in the classes' colors."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    low, high = X.min(axis=0) - 1.0, X.max(axis=0) + 1.0
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    predicted = np.asarray(model.predict(np.c_[xx.ravel(), yy.ravel()]))
    unknown = np.setdiff1d(predicted, classes)
    if unknown.size:
        raise ValueError(f"the model predicts labels absent from y: {unknown[:5].tolist()}")
    positions = np.searchsorted(classes, predicted).reshape(xx.shape)
    norm = BoundaryNorm(np.arange(classes.size + 1) - 0.5, classes.size)
    ax.pcolormesh(xx, yy, positions, cmap=ListedColormap(colors), norm=norm, alpha=0.25, shading="auto")


def plot_learning_curve(
    history_or_runs: Any, ax: Any = None, *, score: str = "test_score", label: str | None = None
) -> Any:
    """Mean ``score`` against the number of labeled points, with a ±1 standard deviation band.

    ``history_or_runs`` is a ``History``, an ``ALState`` or a sequence of them
    (several runs, for example one per seed); runs are averaged at each pool
    size, and the band is their sample standard deviation (``ddof=1``, as in
    the experiment figure; none where one run reached that size). Returns the
    axes.

    Parameters
    ----------
    history_or_runs : History, ALState or sequence of them
        One run or several (averaged at each pool size).
    ax : matplotlib Axes, default=None
        Where to draw (``None``: a new figure).
    score : str, default="test_score"
        The record score to plot.
    label : str, default=None
        Legend label of the line.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Two seeds of the same run: one mean line and one ±1 sd band:

    >>> from matplotlib.figure import Figure
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.plotting import plot_learning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> runs = [
    ...     al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3, random_state=seed)
    ...     for seed in (0, 1)
    ... ]
    >>> ax = plot_learning_curve(runs, Figure().subplots(), score="train_score", label="margin")
    >>> len(ax.lines), len(ax.collections), ax.get_xlabel(), ax.get_ylabel()
    (1, 1, 'labeled points', 'train_score')
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[0].get_label()
    ([6, 10, 14, 18], 'margin')
    """
    histories = _histories(history_or_runs)
    curves: dict[int, list[float]] = {}
    for history in histories:
        for record in history:
            if score not in record.scores:
                raise ValueError(f"score {score!r} is not recorded; records hold {sorted(record.scores)}")
            curves.setdefault(record.n_labeled, []).append(record.scores[score])
    sizes = np.array(sorted(curves))
    mean = np.array([np.mean(curves[n]) for n in sizes])
    std = np.array([np.std(curves[n], ddof=1) if len(curves[n]) > 1 else 0.0 for n in sizes])
    ax = _axes(ax)
    (line,) = ax.plot(sizes, mean, label=label)
    if len(histories) > 1:
        ax.fill_between(sizes, mean - std, mean + std, color=line.get_color(), alpha=0.25)
    ax.set_xlabel("labeled points")
    ax.set_ylabel(score)
    return ax


def _histories(history_or_runs: Any) -> list[History]:
    runs = [history_or_runs] if isinstance(history_or_runs, (History, ALState)) else list(history_or_runs)
    histories = [run.history if isinstance(run, ALState) else run for run in runs]
    if not histories or not all(isinstance(h, History) and len(h) for h in histories):
        raise TypeError("history_or_runs must be a non-empty History or ALState, or a sequence of them")
    return histories


def _labeled_mask(state_or_mask: Any, n_pool: int) -> np.ndarray:
    if isinstance(state_or_mask, ALState):
        if state_or_mask.n_pool != n_pool:
            raise ValueError(f"the state's pool has {state_or_mask.n_pool} rows but X has {n_pool}")
        return state_or_mask.labeled_mask()
    mask = np.asarray(state_or_mask)
    if mask.dtype != bool or mask.shape != (n_pool,):
        raise ValueError(f"state_or_mask must be an ALState or a boolean mask of shape ({n_pool},)")
    return mask


def _feature_names(X: Any) -> list[str]:
    columns = getattr(X, "columns", None)
    if columns is not None and len(columns) == 2:
        return [str(name) for name in columns]
    return ["feature 0", "feature 1"]


def _two_features(X: Any) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have exactly two features to be drawn in a plane, got shape {X.shape}")
    return X


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots()[1]
