"""The introduction example runs end to end (small and fast by default; full size when slow tests run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
