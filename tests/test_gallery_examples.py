"""The gallery's own examples run and show what their headers promise (the docs build runs them too).

Composing a loop: the step switches strategy and a stopping rule ends the run.
Paired statistics: one comparison per strategy against random, over paired seeds.
"""

from __future__ import annotations

import importlib.util
import runpy
from pathlib import Path
from types import ModuleType

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"gallery_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compose_your_own_loop_switches_strategy_and_stops_on_a_plateau(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "compose_your_own_loop.py"), run_name="__main__")
    final, switch = namespace["final"], namespace["SWITCH_AT"]
    strategies = [record.strategy for record in final.history]
    sizes = [record.n_labeled for record in final.history]
    expected = ["initial"] + ["k_center_greedy" if n < switch else "margin" for n in sizes[:-1]]
    assert strategies == expected and "margin" in strategies and "k_center_greedy" in strategies
    assert final.iteration < namespace["MAX_ROUNDS"], "the plateau rule never stopped the loop"
    assert f"stopped after {final.iteration} rounds with {final.n_labeled} labels" in capsys.readouterr().out
    figure = plt.gcf()
    assert figure.axes[0].get_xlabel() == "labeled points" and figure.axes[0].get_ylabel() == "test accuracy"
    plt.close("all")


def test_paired_comparison_compares_each_strategy_with_random_seed_by_seed(capsys):
    example = load("plot_paired_comparison")
    returned = example.main(["--seeds", "3"])
    printed = capsys.readouterr().out
    areas, comparisons = returned["areas"], returned["comparisons"]
    assert set(comparisons) == {"margin", "entropy"}
    for strategy, versus in comparisons.items():
        delta = areas[strategy] - areas["random"]
        assert versus.n == 3 and versus.wins + versus.ties + versus.losses == 3
        assert np.isclose(versus.mean_delta, delta.mean())
        assert f"{versus.mean_delta:+12.3f}" in printed
    assert returned["ranking"].strategies == example.STRATEGIES
    labels = [(ax.get_xlabel(), ax.get_ylabel()) for number in plt.get_fignums() for ax in plt.figure(number).axes]
    assert labels == [("labeled points", "test accuracy"), ("", "Δ AULC (test accuracy)")]
    plt.close("all")
