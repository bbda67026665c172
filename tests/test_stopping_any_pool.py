"""Stopping criteria on pools that are not numeric arrays: documents with a TF-IDF pipeline, and DataFrames.

The criteria read rows through ``alfunc.core.rows``, so they take whatever pool
the estimator takes; each decision is checked against one computed by hand
from the same models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import alfunc as al
from alfunc.stopping import ClassificationChange, MaxIter, MaxUncertainty, StablePredictions

TOPICS = {
    "sport": "goal match striker referee league penalty keeper stadium season coach".split(),
    "code": "compiler function variable loop array pointer syntax runtime module debug".split(),
    "food": "bread oven butter recipe salt flour sugar pan roast spice".split(),
}


def documents(n=60):
    rng = np.random.default_rng(3)
    labels = np.array([list(TOPICS)[i % 3] for i in range(n)])
    words = [list(TOPICS[label]) + ["the", "a", "with", "goal", "bread"] for label in labels]
    return [" ".join(rng.choice(w, size=6)) for w in words], labels


def table(n=90):
    rng = np.random.default_rng(4)
    y = np.arange(n) % 2
    frame = pd.DataFrame(
        {
            "size": rng.normal(y * 1.5, 1.0),
            "weight": rng.normal(-y, 1.0),
            "colour": np.where(rng.random(n) < 0.7, np.where(y == 1, "red", "blue"), "green"),
        },
        index=[f"row{i}" for i in range(n)],
    )
    return frame, y


def rows(X, positions):
    return X.iloc[positions] if isinstance(X, pd.DataFrame) else [X[i] for i in positions]


def previous_model(state, X):
    n = state.history[-2].n_labeled
    return clone(state.model).fit(rows(X, state.labeled[:n]), state.labels[:n])


def text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))


def table_model():
    encode = make_column_transformer(
        (StandardScaler(), ["size", "weight"]), (OneHotEncoder(handle_unknown="ignore"), ["colour"])
    )
    return make_pipeline(encode, LogisticRegression(max_iter=1000))


POOLS = {"documents": (documents, text_model), "mixed DataFrame": (table, table_model)}


@pytest.fixture(scope="module", params=list(POOLS))
def trace(request):
    data, model = POOLS[request.param]
    X, y = data()
    states = list(al.trace(X, y, model(), "margin", n_init=6, batch_size=6, max_iter=5, random_state=0))
    return X, y, model, states


def test_classification_change_compares_the_last_two_models_on_the_unlabeled_rows(trace):
    X, _, _, states = trace
    rule = ClassificationChange(X)
    for state in states:
        if len(state.history) < 2:
            assert rule(state) is False
            continue
        unlabeled = rows(X, state.unlabeled())
        same = np.array_equal(state.model.predict(unlabeled), previous_model(state, X).predict(unlabeled))
        assert rule(state) is same


def test_max_uncertainty_is_the_largest_entropy_over_the_unlabeled_rows(trace):
    X, _, _, states = trace
    for state in states:
        probabilities = state.model.predict_proba(rows(X, state.unlabeled()))
        largest = float(stats.entropy(probabilities, axis=1).max())
        assert MaxUncertainty(X, threshold=largest + 1e-9)(state) is True
        assert MaxUncertainty(X, threshold=largest - 1e-9)(state) is False


def test_stable_predictions_is_the_kappa_of_successive_models_on_the_stop_set(trace):
    X, _, _, states = trace
    final = states[-1]
    stop_set = np.arange(0, len(final.labeled) + final.n_unlabeled, 3)
    models = [final.model, previous_model(final, X)]
    predictions = [model.predict(rows(X, stop_set)) for model in models]
    expected = cohen_kappa_score(*predictions) if not np.array_equal(*predictions) else 1.0
    for threshold, answer in ((expected - 1e-9, True), (min(expected + 1e-9, 1.0), expected >= 1.0)):
        assert StablePredictions(X, threshold=threshold, window=1, stop_set=stop_set)(final) is answer


def test_each_criterion_stops_a_run_on_such_a_pool(trace):
    X, y, model, _ = trace
    options = {"n_init": 6, "batch_size": 6, "random_state": 0}
    for rule in (ClassificationChange(X), MaxUncertainty(X, threshold=0.9), StablePredictions(X, 0.5, 1, 30)):
        final = al.run(X, y, model(), "margin", stop=rule | MaxIter(6), **options)
        states = list(al.trace(X, y, model(), "margin", max_iter=final.iteration, **options))
        assert np.array_equal(states[-1].labeled, final.labeled)
        assert [rule(state) for state in states[:-1]] == [False] * final.iteration, "it stops at the first true"
        assert rule(final) or final.iteration == 6


def test_a_numeric_frame_gives_the_decisions_of_its_array():
    frame, y = table()
    numeric = frame[["size", "weight"]]
    decisions = []
    for X in (numeric, numeric.to_numpy()):
        states = al.trace(X, y, LogisticRegression(), "margin", n_init=6, batch_size=6, max_iter=5, random_state=0)
        rules = (ClassificationChange(X), MaxUncertainty(X, threshold=0.6), StablePredictions(X, 0.8, 2, 40))
        decisions.append([[rule(state) for rule in rules] for state in states])
    assert decisions[0] == decisions[1] and any(any(row) for row in decisions[0])
