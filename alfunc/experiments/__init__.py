"""The experiment layer: paired grids of runs, their results file, summaries and figures.

* ``grid``: ``experiment_grid`` and ``run_grid`` (through joblib, resumable).
* ``catalog``: the bundled datasets and estimators known by name.
* ``files``: your own data file (CSV/TSV, Parquet, .npy, .npz) read into rows, labels and row ids,
  the default models of tables and documents, and picks written back by row id.
* ``results``: the append-only JSON-lines results file (only alfunc results, each run once).
* ``claims``: claims on runs, so runners in several processes share one results file.
* ``summary``: paired statistics and rankings from results.
* ``plots``: the learning-curve figure of a grid (matplotlib, imported lazily).

It builds on every layer below (core, strategies, engine, history, metrics).
"""

from alfunc.experiments.catalog import DATASETS, ESTIMATORS, Dataset, load_dataset, make_estimator
from alfunc.experiments.files import UserData, read_data, run_picks, table_estimator, text_estimator, write_picks
from alfunc.experiments.grid import (
    Grid,
    Run,
    experiment_grid,
    paired_split,
    run_from_info,
    run_grid,
    run_metrics,
    run_one,
    split_positions,
)
from alfunc.experiments.results import append_result, check_result, read_results
from alfunc.experiments.summary import format_summaries, rank_settings, summarize

__all__ = [
    "DATASETS",
    "ESTIMATORS",
    "Dataset",
    "Grid",
    "Run",
    "UserData",
    "append_result",
    "check_result",
    "experiment_grid",
    "format_summaries",
    "load_dataset",
    "make_estimator",
    "paired_split",
    "rank_settings",
    "read_data",
    "read_results",
    "run_from_info",
    "run_grid",
    "run_metrics",
    "run_one",
    "run_picks",
    "split_positions",
    "summarize",
    "table_estimator",
    "text_estimator",
    "write_picks",
]
