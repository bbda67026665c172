"""check_strategy: every built-in passes, and each deliberately broken strategy fails under the right property."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import (
    batch_strategy,
    ensemble_members,
    kl_divergence,
    margin,
    uses_classifier,
    vote_entropy,
)
from alfunc.testing import (
    STRATEGY_PROPERTIES,
    PropertyFailed,
    TinyRidge,
    check_strategy,
)


@pytest.mark.parametrize("name", sorted(al.STRATEGIES))
def test_every_built_in_strategy_passes_check_strategy(name):
    check_strategy(name)


# --- deliberately broken strategies: one per property ------------------------------------------


@uses_classifier
def returns_nan(model, X, context):
    """Margin, with NaN for the first candidate of every chunk."""
    utilities = margin(model, X, context)
    utilities[0] = np.nan
    return utilities


@batch_strategy
def picks_a_labeled_point(model, X, context, batch_size):
    """Puts the first labeled point at the head of its batch."""
    chosen = np.concatenate([context.state.labeled[:1], context.candidates])[:batch_size]
    return chosen, np.zeros(chosen.size)


@uses_classifier
def scores_the_whole_pool(model, X, context):
    """Scores every pool row, labeled ones included, instead of the candidates."""
    return margin(model, context.X, context)


@batch_strategy
def returns_duplicates(model, X, context, batch_size):
    """Repeats its first choice to fill the batch."""
    return np.repeat(context.candidates[:1], batch_size), np.zeros(batch_size)


def uses_global_random(model, X, context):
    """Random sampling from numpy's global generator instead of the context."""
    return np.random.random(X.shape[0])


@uses_classifier
def mutates_X(model, X, context):
    """Standardises its rows in place."""
    X -= X.mean(axis=0)
    return margin(model, X, context)


@uses_classifier
def refits_the_model(model, X, context):
    """Self-training in place: refits the state's model with its own guesses for the candidates (a clone would be fine)."""
    state = context.state
    model.fit(np.vstack([context.X[state.labeled], X]), np.concatenate([state.labels, model.predict(X)]))
    return margin(model, X, context)


def prefers_early_rows(model, X, context):
    """Queries the rows that come first in X, whatever they hold."""
    return -context.candidates.astype(np.float64)


def normalised_per_chunk(model, X, context):
    """Utilities divided by their chunk's total: they change with the chunking."""
    distances = np.abs(np.asarray(X)).sum(axis=1) + 1.0
    return distances / distances.sum()


@batch_strategy
def one_too_few(model, X, context, batch_size):
    """Returns one index fewer than asked for (when it can)."""
    chosen = context.candidates[: max(1, batch_size - 1)]
    return chosen, np.zeros(chosen.size)


@uses_classifier
def returns_numeric_strings(model, X, context):
    """Margin formatted as text: numpy would read it back as numbers, select refuses it."""
    return margin(model, X, context).astype(str)


@uses_classifier
def fails_on_one_class(model, X, context):
    """Assumes the model knows at least two classes."""
    proba = model.predict_proba(X)
    return 1.0 - np.abs(proba[:, 0] - proba[:, 1])


BROKEN = [
    (returns_nan, "finite"),
    (returns_numeric_strings, "finite"),
    (picks_a_labeled_point, "unlabeled"),
    (scores_the_whole_pool, "unlabeled"),
    (returns_duplicates, "distinct"),
    (uses_global_random, "deterministic"),
    (mutates_X, "pure"),
    (refits_the_model, "pure"),
    (prefers_early_rows, "row_order"),
    (normalised_per_chunk, "chunking"),
    (one_too_few, "batch_size"),
    (fails_on_one_class, "runs"),
]


@pytest.mark.parametrize(("strategy", "broken"), BROKEN, ids=[s.__name__ for s, _ in BROKEN])
def test_each_broken_strategy_fails_with_its_property_named(strategy, broken):
    with pytest.raises(AssertionError) as caught:
        check_strategy(strategy)
    failure = caught.value
    assert isinstance(failure, PropertyFailed)
    assert failure.property == broken, str(failure)
    message = str(failure)
    assert message.startswith(f"property {broken!r} does not hold: {STRATEGY_PROPERTIES[broken]}")
    assert "X = [[" in message and "labeled = [" in message, "the message does not show the example"


def test_failures_shrink_to_a_small_example():
    with pytest.raises(PropertyFailed) as caught:
        check_strategy(uses_global_random)
    example = caught.value.example
    assert example.X.shape[0] <= 3 and example.state.n_unlabeled == 1
    assert not example.edge, "a generated failure should be reported, shrunk"


def test_every_property_is_exercised_by_a_broken_strategy():
    assert {broken for _, broken in BROKEN} == set(STRATEGY_PROPERTIES)


# --- correct strategies of the other kinds pass -------------------------------------------------


@batch_strategy
def top_margin_batch(model, X, context, batch_size):
    """A batch strategy done right: the highest margins, ties broken by the seeded hash of the index."""
    utilities = margin(model, X[context.candidates], context)
    order = np.lexsort((context.uniform("tie"), -utilities))[:batch_size]
    return context.candidates[order], utilities[order]


def test_a_correct_batch_strategy_passes():
    check_strategy(top_margin_batch)


def prediction_magnitude(model, X, context):
    """A regression strategy: larger predicted targets first."""
    return np.abs(model.predict(X))


prediction_magnitude.needs_regressor = True


def test_a_regression_strategy_gets_a_regressor_and_real_targets():
    check_strategy(prediction_magnitude)


def test_an_explicit_estimator_is_used_and_checked():
    check_strategy("margin", estimator=LogisticRegression(), max_examples=5)
    check_strategy(prediction_magnitude, estimator=TinyRidge(alpha=0.5), max_examples=5)
    with pytest.raises(TypeError, match="estimator"):
        check_strategy("margin", estimator=LogisticRegression)


def test_unknown_names_and_non_callables_are_rejected_before_any_work():
    with pytest.raises(ValueError, match="unknown strategy 'magin'"):
        check_strategy("magin")
    with pytest.raises(TypeError, match="strategy must be a name or a callable"):
        check_strategy(3)


def test_the_callers_global_random_state_is_left_alone():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    check_strategy("random", max_examples=3)
    assert np.random.random() == expected


# --- the label edges: labels 1..k, string labels, a class absent from the labeled set ----


@uses_classifier
def label_as_column(model, X, context):
    """1 - p(predicted class), reading the predicted label as a column of predict_proba: right for labels 0..k-1."""
    proba = model.predict_proba(X)
    return 1.0 - proba[np.arange(len(proba)), model.predict(X).astype(np.int64)]


@uses_classifier
def mean_label(model, X, context):
    """Margin scaled by the mean labeled class: only numeric labels have one."""
    return margin(model, X, context) * (1.0 + np.mean(context.state.labels) * 0.0)


@pytest.mark.parametrize(
    ("strategy", "edge"),
    [
        (mean_label, "string labels"),
        (label_as_column, "labels 1..k, not 0..k-1"),
    ],
)
def test_a_strategy_that_assumes_labels_0_to_k_fails_on_a_label_edge(strategy, edge):
    with pytest.raises(PropertyFailed) as caught:
        check_strategy(strategy, max_examples=5)
    assert caught.value.property == "runs", str(caught.value)
    assert f"edge case: {edge}" in str(caught.value)


@pytest.mark.parametrize("factory", [vote_entropy, kl_divergence])
def test_committees_of_forest_trees_pass_on_the_label_edges(factory):
    """The trees vote by class position: labels 1..k or a class absent from the labeled set once made
    vote_entropy's utilities change with the chunk."""
    forest = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)
    check_strategy(factory(ensemble_members()), estimator=forest, max_examples=10)
