"""Learning-curve figures of an experiment: mean ± one standard deviation per strategy.

matplotlib is imported inside the function, so importing alfunc never loads
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


def plot_experiment(results: Iterable[Mapping[str, Any]], path: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Write a PNG with one panel per setting: test score against labels, mean ± sd over seeds per strategy.

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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = group_by_setting(results)
    if not groups:
        raise ValueError("results hold no runs to plot")
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"path: folder {str(path.parent)!r} does not exist")
    columns = min(len(groups), 3)
    rows = math.ceil(len(groups) / columns)
    figure = Figure(figsize=(5.5 * columns, 4.2 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for axis, (setting, by_strategy) in zip(axes, groups.items(), strict=False):
        _draw_setting(axis, dict(setting), by_strategy)
    for axis in axes[len(groups) :]:
        axis.set_visible(False)
    figure.savefig(path, dpi=dpi)
    return path


def _draw_setting(axis: Any, setting: Mapping[str, Any], by_strategy: Mapping[str, Mapping[int, Any]]) -> None:
    full_pool = [line["full_pool_score"] for runs in by_strategy.values() for line in runs.values()]
    axis.axhline(float(np.mean(full_pool)), color="0.4", linestyle="--", linewidth=1, label="whole pool labeled")
    for strategy, runs in sorted(by_strategy.items()):
        grid = np.asarray(next(iter(runs.values()))["n_labeled"])
        curves = np.array([np.interp(grid, line["n_labeled"], line["test_score"]) for line in runs.values()])
        mean = curves.mean(axis=0)
        spread = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(mean)
        (line,) = axis.plot(grid, mean, label=f"{strategy} (n={len(curves)})", linewidth=1.8)
        axis.fill_between(grid, mean - spread, mean + spread, color=line.get_color(), alpha=0.2, linewidth=0)
    representation = "" if setting.get("representation") is None else f" · {setting['representation']}"
    axis.set_title(f"{setting['dataset']} · {setting['estimator']}{representation} · batch {setting['batch_size']}")
    axis.set_xlabel("labeled points")
    axis.set_ylabel(f"test {setting['scoring'] or 'score'}")
    axis.grid(True, alpha=0.3)
    axis.legend(title="mean ± 1 sd over seeds", loc="best")
