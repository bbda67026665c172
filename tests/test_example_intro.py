"""The introduction example runs end to end (small and fast by default; full size when slow tests run)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib import colors
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "plot_introduction_active_learning.py"
FIGURES = [
    "01_data",
    "02_unlabeled",
    "03_initial_pool",
    "04_first_iteration",
    "05_iterations",
    "06_predictions",
    "07_test_scores",
    "08_decision_boundaries",
    "09_learning_curve",
    "10_pure_decision_boundaries",
]


def run_example(out: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(out), *args],
        capture_output=True,
        text=True,
        cwd=out,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def printed_number(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s*(\S+)", output)
    assert match, f"{label!r} not printed:\n{output}"
    return float(match.group(1))


def test_example_runs_small_and_writes_every_figure(tmp_path):
    output = run_example(tmp_path, "--n-samples", "40", "--max-epochs", "60")
    assert 0.0 <= printed_number(output, "F1 Score:") <= 1.0
    assert printed_number(output, "max_iter_:") == 3  # (40 - 10) / 10 rounds label the pool
    assert "labeled: 40 of 40" in output
    assert "in the same order: True" in output
    assert "trace and StandardAL.fit agree: True" in output
    for name in FIGURES:
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_example_rejects_a_pool_too_small_for_the_story(tmp_path):
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(tmp_path), "--n-samples", "5"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "--n-samples" in result.stderr


@pytest.mark.slow
def test_example_at_full_size_reaches_the_tutorials_f1(tmp_path):
    output = run_example(tmp_path)
    assert printed_number(output, "F1 Score:") >= 0.90
    assert printed_number(output, "max_iter_:") == 49
    assert "labeled: 500 of 500" in output


@pytest.fixture(scope="module")
def example():
    """The example as a module (its figures helpers), without running it."""
    spec = importlib.util.spec_from_file_location("plot_introduction_active_learning", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_legend_lists_only_labels_with_points(example):
    # Before: a "-1" (unknown) entry on every figure, also when every point has a label.
    X, y = make_classification(n_samples=40, n_features=2, n_informative=2, n_redundant=0, random_state=0)
    ax = example.plot_data(X, y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1"]
    known = np.full(y.shape, -1)
    known[:3] = y[:3]
    ax = example.plot_data(X, known)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["-1"] + [str(v) for v in sorted(set(y[:3]))]
    example.plt.close("all")


def test_the_regions_take_the_colors_of_the_points(example):
    X, y = make_classification(n_samples=40, n_features=2, n_informative=2, n_redundant=0, random_state=0)
    classifier = LogisticRegression().fit(X, y)
    ax = example.plot_data(X, y, classifier)
    regions = ax.collections[0].cmap
    for position, label in ((0.0, 0), (1.0, 1)):
        assert colors.to_hex(regions(position)) == example.color_labels[label]
    example.plt.close("all")


def test_figures_are_saved_with_a_tight_bounding_box(example, tmp_path):
    # Before: the tutorial style's large axis labels were cut off at the figure's edges.
    with example.set_matplotlib_style(font_size=16):
        figure, ax = example.plt.subplots()
        ax.set_xlabel("iteration")
        ax.set_ylabel("test f1_weighted")
        figure.canvas.draw()
        drawn = figure.get_tightbbox()
        assert drawn.x0 < 0 or drawn.y0 < 0, "without a tight box the labels fall outside the figure"
        calls = []
        figure.savefig = lambda *args, **kwargs: calls.append(kwargs)
        example.save(figure, tmp_path, "labels")
    assert calls == [{"dpi": 80, "bbox_inches": "tight"}]
