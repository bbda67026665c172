"""Stopping criteria: hand-checked cases, composition with & and |, and use in run."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import Fixed, hand_state
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score

import alfunc as al
from alfunc.stopping import (
    AllOf,
    AnyOf,
    Budget,
    ClassificationChange,
    MaxIter,
    MaxUncertainty,
    Plateau,
    StablePredictions,
)

X_POOL = np.arange(12.0).reshape(6, 2)


def records(scores=(), models=(), key="test_score"):
    count = max(len(scores), len(models))
    return tuple(
        al.Record(
            iteration=i,
            queried=[i],
            utilities=[np.nan],
            strategy="s",
            n_labeled=i + 1,
            scores={key: scores[i]} if scores else {},
            model=models[i] if models else None,
        )
        for i in range(count)
    )


def state_with(history, model=None):
    n = len(history)
    return hand_state(6, np.arange(n), np.zeros(n, dtype=int), model, history)


def test_budget_and_max_iter_by_hand():
    state = state_with(records([0.5] * 3))  # 3 labeled, iteration 2
    assert Budget(3)(state) and not Budget(4)(state)
    assert MaxIter(2)(state) and not MaxIter(3)(state)


@pytest.mark.parametrize(
    ("scores", "patience", "min_delta", "expected"),
    [
        ([0.5, 0.7, 0.7, 0.69], 2, 0.0, True),  # best 0.7 not beaten in the last 2
        ([0.5, 0.7, 0.7, 0.71], 2, 0.0, False),
        ([0.5, 0.7, 0.7, 0.71], 2, 0.02, True),  # 0.71 is within min_delta of 0.7
        ([0.5, 0.7], 2, 0.0, False),  # not enough records yet
    ],
)
def test_plateau_by_hand(scores, patience, min_delta, expected):
    assert Plateau("test_score", patience, min_delta)(state_with(records(scores))) is expected


def test_plateau_names_the_missing_score():
    with pytest.raises(ValueError, match="test_score.*train_score"):
        Plateau(patience=1)(state_with(records([0.1, 0.2], key="train_score")))


def constant(values):
    values = np.asarray(values)
    return Fixed(predict=lambda rows: values[rows[:, 0].astype(int) // 2])


def test_stable_predictions_averages_kappa_over_the_window():
    predictions = [[0, 0, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 0], [0, 1, 1, 1, 0, 0]]
    models = [constant(p) for p in predictions]
    state = state_with(records(models=models), model=models[-1])
    pairs = zip(predictions[1:], predictions[:-1], strict=True)
    mean_kappa = np.mean([cohen_kappa_score(a, b) for a, b in pairs])
    assert 0 < mean_kappa < 1
    assert StablePredictions(X_POOL, threshold=mean_kappa, window=3, stop_set=np.arange(6))(state)
    assert not StablePredictions(X_POOL, threshold=mean_kappa + 1e-9, window=3, stop_set=np.arange(6))(state)
    assert StablePredictions(X_POOL, threshold=1.0, window=1, stop_set=np.arange(6))(state)  # last two agree
    assert not StablePredictions(X_POOL, window=4, stop_set=np.arange(6))(state)  # too few models yet


def test_stable_predictions_refits_what_was_not_kept_and_agrees_with_kept_models():
    X = np.random.default_rng(0).normal(size=(80, 2))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    estimator = LogisticRegression()
    common = dict(n_init=4, batch_size=4, max_iter=5, random_state=3)
    kept = al.run(X, y, estimator, "margin", keep_models=True, **common)
    bare = al.run(X, y, estimator, "margin", **common)
    for threshold in (0.0, 0.5, 0.9, 0.99):
        rule = StablePredictions(X, threshold=threshold, window=3, stop_set=40)
        assert rule(kept) == rule(bare)


def test_max_uncertainty_by_hand():
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.5, 0.5], [0.99, 0.01], [0.8, 0.2], [0.7, 0.3]])
    model = Fixed(predict_proba=lambda rows: proba[rows[:, 0].astype(int) // 2])
    state = hand_state(6, [1, 2], [0, 1], model)  # unlabeled: 0, 3, 4, 5 -> max least-confidence 0.3
    least = al.STRATEGIES["least_confident"]
    assert MaxUncertainty(X_POOL, 0.31, least)(state)
    assert not MaxUncertainty(X_POOL, 0.29, least)(state)
    assert MaxUncertainty(X_POOL, 0.0)(hand_state(6, np.arange(6), np.zeros(6), model))  # empty pool


def test_classification_change_looks_only_at_the_unlabeled_points():
    before, after = constant([0, 0, 1, 1, 0, 1]), constant([1, 0, 1, 1, 0, 1])
    history = records(models=[before, after])
    assert ClassificationChange(X_POOL)(hand_state(6, [0, 5], [0, 1], after, history))
    assert not ClassificationChange(X_POOL)(hand_state(6, [1, 5], [0, 1], after, history))


def test_and_or_compose_predicates_and_plain_callables():
    state = state_with(records([0.5] * 3))
    yes, no = Budget(3), Budget(4)
    assert (yes & yes)(state) and not (yes & no)(state) and not (no & yes)(state)
    assert (yes | no)(state) and (no | yes)(state) and not (no | no)(state)
    assert ((lambda s: True) & yes)(state) and not (yes & (lambda s: False))(state)
    assert ((lambda s: False) | yes)(state)
    assert isinstance(yes & no, AllOf) and isinstance(yes | no, AnyOf)
    with pytest.raises(TypeError):
        yes & 3  # noqa: B018


def test_composed_criteria_stop_a_run_where_expected():
    X = np.random.default_rng(1).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    either = al.run(X, y, LogisticRegression(), "margin", n_init=4, batch_size=3, stop=Budget(100) | MaxIter(2))
    assert either.iteration == 2 and either.n_labeled == 10
    both = al.run(X, y, LogisticRegression(), "margin", n_init=4, batch_size=3, stop=Budget(13) & MaxIter(2))
    assert both.iteration == 3 and both.n_labeled == 13


@pytest.mark.parametrize(
    "make",
    [
        lambda: Budget(0),
        lambda: MaxIter(-1),
        lambda: Plateau(patience=0),
        lambda: Plateau(min_delta=-1.0),
        lambda: StablePredictions(X_POOL, threshold=2.0),
        lambda: StablePredictions(X_POOL, window=0),
    ],
)
def test_bad_arguments_are_refused_when_built(make):
    with pytest.raises((ValueError, TypeError)):
        make()


def test_bad_stop_set_is_refused():
    state = state_with(records(models=[constant([0] * 6)] * 2), model=constant([0] * 6))
    with pytest.raises(ValueError, match="stop_set"):
        StablePredictions(X_POOL, window=1, stop_set=np.array([0, 9]))(state)
