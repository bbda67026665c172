"""Introduction to Active Learning (the ml-research tutorial)
==========================================================

Introduction to Active Learning, on alfunc.

The ml-research tutorial "Introduction to Active Learning", run twice:

1. with the ``StandardAL`` facade, as the tutorial wrote it except for the
   imports (``from alfunc import StandardAL`` and the two plotting helpers
   from ``alfunc.plotting``) and three fixes to its figures: regions in the
   colors of the classes' points, no legend entry for a label without points,
   and figures saved with a tight bounding box (the style's large axis labels
   were cut off);
2. the same story told with alfunc's pure steps: ``init_step``, ``select`` +
   ``teach`` (the two halves of ``query_step``), ``fit_step`` and ``trace``.

Headless: figures are written as PNG files to the output folder (``--out``, or
the ``ALFUNC_OUT`` environment variable, default ``./alfunc-out``).
``--n-samples`` shrinks the data set and ``--max-epochs`` caps the MLP's
training (the tutorial's 3000 by default) so a test can run the script quickly.

    python examples/plot_introduction_active_learning.py --out /tmp/intro --n-samples 500
"""

from __future__ import annotations

import argparse
import os
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.inspection import DecisionBoundaryDisplay  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

import alfunc as al  # noqa: E402
from alfunc import StandardAL  # noqa: E402
from alfunc.plotting import (  # noqa: E402
    feature_to_color,
    plot_decision_boundaries,
    plot_learning_curve,
    set_matplotlib_style,
)

RNG_SEED = 42
labels = np.array([-1, 0, 1])
color_labels = dict(zip(labels, feature_to_color(labels + 1, cmap="Accent"), strict=True))


def make_classifier(max_epochs=3000):
    """The tutorial's model: a small MLP on min-max scaled features."""
    return make_pipeline(MinMaxScaler(), MLPClassifier((20, 20), max_iter=max_epochs, random_state=RNG_SEED))


def plot_data(X, y, classifier=None, ax=None, title=None):
    """The tutorial's helper: points colored by known label (-1 = unknown), optional decision regions.

    Two changes from the tutorial: the regions take the colors of the classes'
    points (the probability of class 1 on a map from class 0's color to class
    1's), and only labels with points are drawn, so the legend lists no empty
    class (no "-1" once every point has a label). A figure of its own gets
    axis labels and a titled legend; panels of a grid share the figure's.
    """
    ax_ = plt.subplots()[1] if ax is None else ax
    if classifier is not None:
        regions = LinearSegmentedColormap.from_list("classes", [color_labels[0], color_labels[1]])
        DecisionBoundaryDisplay.from_estimator(classifier, X=X, alpha=0.2, ax=ax_, cmap=regions)
    for label in labels:
        mask = y == label
        if mask.any():
            ax_.scatter(X[mask, 0], X[mask, 1], c=color_labels[label], label=label, alpha=0.5)
    if title is not None:
        ax_.set_title(title)
    if ax is None:
        ax_.set_xlabel("feature 0")
        ax_.set_ylabel("feature 1")
        ax_.legend(title="label (-1: unknown)", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax_


def grid_legend(fig, axes):
    """One legend for a grid of panels (every label any panel shows), and shared axis labels."""
    handles = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    order = sorted(handles, key=float)
    fig.legend([handles[label] for label in order], order, title="label (-1: unknown)", loc="outside right upper")
    fig.supxlabel("feature 0")
    fig.supylabel("feature 1")


def save(figure, out, name):
    """Write ``figure`` to ``out/name.png`` (this script never shows a window).

    The bounding box is fitted to what is drawn, so the large axis labels of
    the tutorial's style are not cut off at the edges. Figures stay open, so
    the documentation's gallery shows them too, in order.
    """
    figure.savefig(out / f"{name}.png", dpi=80, bbox_inches="tight")


def facade_story(X, y, out, new_classifier):
    """Part 1: the tutorial's code on ``StandardAL``; returns both runs' states and the test set."""
    save(plot_data(X, y, title="the data: two classes").figure, out, "01_data")
    y_known = np.zeros(y.shape) - 1
    save(plot_data(X, y_known, title="before active learning: no label known").figure, out, "02_unlabeled")

    al_model = StandardAL(
        classifier=new_classifier(), acquisition_func="breaking_ties", n_init=2, budget=4, random_state=RNG_SEED
    )
    al_model.initialization(X, y)
    y_known[al_model.labeled_pool_] = y[al_model.labeled_pool_]
    initial = plot_data(X, y_known, title="2 random points labeled, no model yet")
    save(initial.figure, out, "03_initial_pool")

    al_model.iteration(X, y)
    y_known[al_model.labeled_pool_] = y[al_model.labeled_pool_]
    first = plot_data(X, y_known, al_model.classifier_, title="+4 points by breaking ties, model refitted")
    save(first.figure, out, "04_first_iteration")

    fig, axes = plt.subplots(3, 3, figsize=(15, 10), layout="constrained")
    for i in range(min(18, int((~al_model.labeled_pool_).sum()) // 4)):
        al_model.iteration(X, y)
        y_known[al_model.labeled_pool_] = y[al_model.labeled_pool_]
        if i % 2 == 0:
            n_labeled = int(al_model.labeled_pool_.sum())
            plot_data(X, y_known, al_model.classifier_, ax=axes.flatten()[i // 2], title=f"{n_labeled} labeled")
    grid_legend(fig, axes.flatten())
    save(fig, out, "05_iterations")

    y_pred = al_model.classifier_.predict(X)
    print("F1 Score:", f1_score(y, y_pred, average="weighted"))
    predictions = plot_data(X, y_pred, al_model.classifier_, title="the final model's predictions")
    save(predictions.figure, out, "06_predictions")
    first_story = al_model.state_

    # As in the tutorial, the test points are also part of the pool (X, not X_train).
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=RNG_SEED)
    al_model = StandardAL(
        classifier=new_classifier(),
        acquisition_func="breaking_ties",
        n_init=10,
        budget=10,
        evaluation_metric="f1_weighted",
        random_state=RNG_SEED,
    )
    al_model.fit(X, y, X_test=X_test, y_test=y_test)
    print("max_iter_:", al_model.max_iter_, "| labeled:", int(al_model.labeled_pool_.sum()), "of", len(X))
    test_scores = [al_model.metadata_[i]["test_score"] for i in range(1, al_model.max_iter_ + 1)]
    fig, ax = plt.subplots()
    ax.plot(range(1, al_model.max_iter_ + 1), test_scores)
    ax.set_xlabel("iteration (10 more labels each)")
    ax.set_ylabel("test f1_weighted")
    ax.set_title("StandardAL.fit: test score per iteration")
    save(fig, out, "07_test_scores")

    fig, axes = plt.subplots(1, 4, figsize=(15, 5), layout="constrained")
    shown = [i for i in (1, 12, 24) if i < al_model.max_iter_] + [al_model.max_iter_]
    for iter_, ax in zip(shown, axes.flatten(), strict=False):
        metadata = al_model.metadata_[iter_]
        y_known = np.zeros(y.shape) - 1
        y_known[metadata["labeled_pool"]] = y[metadata["labeled_pool"]]
        plot_data(X, y_known, metadata["classifier"], ax=ax)
        ax.set_title(f"Iteration {iter_}")
    grid_legend(fig, axes.flatten())
    save(fig, out, "08_decision_boundaries")
    return first_story, al_model.state_, (X_test, y_test)


def pure_story(X, y, out, new_classifier, first_story, facade_final, test_set):
    """Part 2: the same runs with the pure steps; each state is a frozen value, nothing mutates."""
    classifier = new_classifier()
    state = al.init_step(X, y, n_init=2, random_state=RNG_SEED)  # 2 labeled points, no model
    state = al.fit_step(state, X, classifier)  # a clone of the classifier, fitted on them
    asked = al.select(state, X, strategy="breaking_ties", batch_size=4)  # pure: no labels needed
    state = al.fit_step(al.teach(state, asked, y[asked], strategy="breaking_ties"), X, classifier)
    for _ in range(first_story.iteration - 1):
        state = al.fit_step(al.query_step(state, X, y, "breaking_ties", 4), X, classifier)
    same = np.array_equal(state.labeled, first_story.labeled)
    print("pure steps labeled the facade's points, in the same order:", same)

    X_test, y_test = test_set
    states = list(
        al.trace(
            X,
            y,
            classifier,
            "breaking_ties",
            n_init=10,
            batch_size=10,
            X_test=X_test,
            y_test=y_test,
            scoring="f1_weighted",
            random_state=RNG_SEED,
        )
    )
    print("trace and StandardAL.fit agree:", states[-1].history.records == facade_final.history.records)
    ax = plot_learning_curve(states[-1].history, label="trace")
    ax.set_title("al.trace: test score per fit")
    ax.set_ylabel("test f1_weighted")
    ax.legend()
    save(ax.figure, out, "09_learning_curve")
    last = states[-1].iteration
    shown = [i for i in (1, 12, 24) if i < last] + [last]
    fig = plot_decision_boundaries(states, X, y, iterations=shown)
    handles, names = fig.axes[0].get_legend_handles_labels()
    for ax in fig.axes:  # one legend for the figure, outside the panels
        ax.get_legend().remove()
    fig.legend(handles, names, title="label", loc="outside right upper")
    save(fig, out, "10_pure_decision_boundaries")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("ALFUNC_OUT", "alfunc-out")))
    parser.add_argument("--n-samples", type=int, default=500, help="pool size (the tutorial uses 500)")
    parser.add_argument("--max-epochs", type=int, default=3000, help="MLPClassifier max_iter (the tutorial uses 3000)")
    args = parser.parse_args(argv)
    if args.n_samples < 30:
        parser.error("--n-samples must be at least 30")
    args.out.mkdir(parents=True, exist_ok=True)
    set_matplotlib_style(font_size=16, use_latex=False)
    X, y = make_classification(
        n_samples=args.n_samples, n_features=2, n_informative=2, n_redundant=0, random_state=RNG_SEED
    )
    model = partial(make_classifier, args.max_epochs)
    first_story, facade_final, test_set = facade_story(X, y, args.out, model)
    pure_story(X, y, args.out, model, first_story, facade_final, test_set)
    print("figures written to", args.out.resolve())


if __name__ == "__main__":
    main()
