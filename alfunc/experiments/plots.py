"""Learning-curve figures of an experiment: mean ± one standard deviation per strategy.

matplotlib is imported inside the functions, so importing alfunc never loads
it; the figure is drawn on an Agg canvas without pyplot, so no global figure
state or rcParams change is left behind.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from alfunc.experiments.summary import group_by_setting

WHOLE_POOL = "whole pool labeled"


def plot_experiment(results: Iterable[Mapping[str, Any]], path: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Write ``experiment_figure(results)`` as a PNG to ``path`` and return the path.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid
    >>> from alfunc.experiments.plots import plot_experiment
    >>> folder = tempfile.mkdtemp()
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, budget=30)
    >>> results = run_grid(grid, os.path.join(folder, "results.jsonl"))
    >>> path = plot_experiment(results, os.path.join(folder, "curves.png"), dpi=50)
    >>> path.name, path.read_bytes()[1:4]  # one panel (iris, logistic, batch 10), a curve per strategy
    ('curves.png', b'PNG')
    >>> plot_experiment([], path)
    Traceback (most recent call last):
    ...
    ValueError: results hold no runs to plot
    """
    path = Path(path)
    figure = experiment_figure(results)
    if not path.parent.is_dir():
        raise ValueError(f"path: folder {str(path.parent)!r} does not exist")
    figure.savefig(path, dpi=dpi)
    return path


def experiment_figure(results: Iterable[Mapping[str, Any]]) -> Any:
    """A matplotlib ``Figure``: one panel per setting, test score against labels, mean ± sd over seeds per strategy.

    The band is the sample standard deviation over seeds (``ddof=1``). A
    strategy has one color in every panel, and one legend outside the panels
    names them all (and the dashed line of the score with the whole pool
    labeled); each panel's title gives its setting and its number of seeds.
    The figure is not registered with pyplot: save it with ``savefig``.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid
    >>> from alfunc.experiments.plots import experiment_figure
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, batch_sizes=[5, 10], budget=30)
    >>> figure = experiment_figure(run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl")))
    >>> [ax.get_title() for ax in figure.axes]
    ['iris · logistic · batch 5 · 2 seeds', 'iris · logistic · batch 10 · 2 seeds']
    >>> [ax.get_legend() for ax in figure.axes], len(figure.legends)  # one legend, for the whole figure
    ([None, None], 1)
    >>> [text.get_text() for text in figure.legends[0].get_texts()]
    ['margin', 'random', 'whole pool labeled']
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = group_by_setting(results)
    if not groups:
        raise ValueError("results hold no runs to plot")
    strategies = sorted({strategy for by_strategy in groups.values() for strategy in by_strategy})
    colors = dict(zip(strategies, _strategy_colors(len(strategies)), strict=True))
    columns = min(len(groups), 3)
    rows = math.ceil(len(groups) / columns)
    figure = Figure(figsize=(5.5 * columns + 1.8, 4.2 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    handles: dict[str, Any] = {}
    for axis, (setting, by_strategy) in zip(axes, groups.items(), strict=False):
        handles |= _draw_setting(axis, dict(setting), by_strategy, colors)
    for axis in axes[len(groups) :]:
        axis.set_visible(False)
    labels = [name for name in [*strategies, WHOLE_POOL] if name in handles]
    figure.legend([handles[name] for name in labels], labels, loc="outside right upper", title="mean ± 1 sd over seeds")
    return figure


def _strategy_colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    palette = colormaps["tab10" if n <= 10 else "tab20"]
    return [palette(i % palette.N) for i in range(n)]


def _draw_setting(
    axis: Any, setting: Mapping[str, Any], by_strategy: Mapping[str, Mapping[int, Any]], colors: Mapping[str, Any]
) -> dict[str, Any]:
    """Draw one panel; returns its legend handles by label."""
    full_pool = [line["full_pool_score"] for runs in by_strategy.values() for line in runs.values()]
    handles = {
        WHOLE_POOL: axis.axhline(float(np.mean(full_pool)), color="0.4", linestyle="--", linewidth=1, label=WHOLE_POOL)
    }
    seeds = sorted({len(runs) for runs in by_strategy.values()})
    for strategy, runs in sorted(by_strategy.items()):
        grid = np.asarray(next(iter(runs.values()))["n_labeled"])
        curves = np.array([np.interp(grid, line["n_labeled"], line["test_score"]) for line in runs.values()])
        mean = curves.mean(axis=0)
        spread = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(mean)
        (line,) = axis.plot(grid, mean, color=colors[strategy], label=strategy, linewidth=1.8)
        axis.fill_between(grid, mean - spread, mean + spread, color=colors[strategy], alpha=0.2, linewidth=0)
        handles[strategy] = line
    representation = "" if setting.get("representation") is None else f" · {setting['representation']}"
    count = f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}"
    axis.set_title(
        f"{setting['dataset']} · {setting['estimator']}{representation} · batch {setting['batch_size']} · "
        f"{count} seed{'' if seeds == [1] else 's'}"
    )
    axis.set_xlabel("labeled points")
    axis.set_ylabel(f"test {setting['scoring'] or 'score'}")
    axis.grid(True, alpha=0.3)
    return handles
