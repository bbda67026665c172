"""Every strategy on every pool kind: geometry comes from the representation, rows for the model from take_rows.

The same numbers held as an ndarray, a DataFrame, a list of rows or a CSR
matrix (with a model whose predictions are bit-identical on all of them), or
written out as text with the numbers given as ``representation=``, must give
the same batch. Real text and table pools (TF-IDF, a ColumnTransformer by
column name) must run every geometry and uncertainty strategy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from pools import AnyPoolCentroid, dense
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_blobs
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import alfunc as al
from alfunc.strategies import badge, bagging, bald, expected_error_reduction, kl_divergence, vote_entropy
from alfunc.testing import CentroidClassifier, TinyRidge

GEOMETRY_CLASSIFIER = [
    "k_center_greedy",
    "kmeans",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "typiclust",
    "probcover",
    "information_density",
    "dwus",
    "gsx",
    "badge",
]
GEOMETRY_REGRESSOR = ["gsy", "igs"]
KINDS = ["frame", "list", "csr"]


class AnyPoolRidge(TinyRidge):
    """A TinyRidge that takes every numeric pool kind, with bit-identical predictions."""

    def fit(self, X, y):
        return super().fit(dense(X), y)

    def predict(self, X):
        return super().predict(dense(X))


def parse_numbers(documents):
    """Documents of space-separated numbers back to a float array (repr round-trips exactly)."""
    return np.array([[float(word) for word in document.split()] for document in documents])


def as_kind(X, kind):
    if kind == "frame":
        return pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    if kind == "list":
        return X.tolist()
    if kind == "csr":
        return sp.csr_matrix(X)
    raise ValueError(kind)


def as_documents(X):
    return [" ".join(repr(float(value)) for value in row) for row in X]


def numeric_pool(seed):
    """Blobs with a few exact duplicate rows and zeros (sparse zeros must not matter)."""
    X, y = make_blobs(n_samples=36, centers=3, n_features=3, random_state=seed)
    X = np.round(X, 1)
    X[[5, 17]] = X[3]  # duplicates
    X[8, 0] = 0.0
    return X, y


def selection(X, y, estimator, strategy, seed, representation=None):
    state = al.fit_step(al.init_step(X, y, n_init=5, random_state=seed), X, estimator)
    return al.select(state, X, strategy, 6, representation=representation, return_utilities=True)


def assert_same_selection(got, expected):
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", GEOMETRY_CLASSIFIER + GEOMETRY_REGRESSOR)
def test_geometry_strategies_pick_the_same_batch_whatever_holds_the_numbers(strategy, kind, seed):
    X, y = numeric_pool(seed)
    if strategy in GEOMETRY_REGRESSOR:
        y, estimator = X @ [1.0, -2.0, 0.5], AnyPoolRidge()
    else:
        estimator = AnyPoolCentroid()
    expected = selection(X, y, estimator, strategy, seed)
    assert_same_selection(selection(as_kind(X, kind), y, estimator, strategy, seed), expected)


@pytest.mark.parametrize("strategy", GEOMETRY_CLASSIFIER + GEOMETRY_REGRESSOR)
def test_a_text_pool_with_embeddings_as_representation_picks_as_the_numbers_would(strategy):
    X, y = numeric_pool(3)
    final = AnyPoolRidge() if strategy in GEOMETRY_REGRESSOR else AnyPoolCentroid()
    if strategy in GEOMETRY_REGRESSOR:
        y = X @ [1.0, -2.0, 0.5]
    expected = selection(X, y, final, strategy, 3)
    reader = make_pipeline(FunctionTransformer(parse_numbers), final)
    documents = as_documents(X)
    assert_same_selection(selection(documents, y, reader, strategy, 3, representation=X), expected)
    # the default for documents is the model's own features: here the parsed numbers themselves
    assert_same_selection(selection(documents, y, reader, strategy, 3), expected)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(GEOMETRY_CLASSIFIER), st.sampled_from(KINDS), st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_pool_kinds_agree_for_any_seed_and_batch(strategy, kind, seed, batch_size):
    X, y = numeric_pool(seed % 7)
    state = al.fit_step(al.init_step(X, y, n_init=4, random_state=seed), X, AnyPoolCentroid())
    other = as_kind(X, kind)
    other_state = al.fit_step(al.init_step(other, y, n_init=4, random_state=seed), other, AnyPoolCentroid())
    expected = al.select(state, X, strategy, batch_size, return_utilities=True)
    assert_same_selection(al.select(other_state, other, strategy, batch_size, return_utilities=True), expected)


# --- real documents and tables -------------------------------------------------------------------

TOPICS = {
    0: ["goal", "match", "striker", "league", "keeper", "penalty", "season", "coach"],
    1: ["vote", "party", "minister", "senate", "election", "budget", "policy", "campaign"],
    2: ["recipe", "oven", "flour", "butter", "sauce", "garlic", "simmer", "dessert"],
}
TEXT_STRATEGIES = [
    "k_center_greedy",
    "kmeans",
    "typiclust",
    "probcover",
    "information_density",
    "badge",
    "ranked_batch",
    "cluster_margin",
]


def documents(n=36, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    docs = [" ".join(rng.choice(TOPICS[label], size=5)) + f" item{i}" for i, label in enumerate(labels)]
    return docs, labels


def text_state(seed=0, estimator=None):
    docs, y = documents(seed=seed)
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)) if estimator is None else estimator
    return docs, y, al.fit_step(al.init_step(docs, y, n_init=6, random_state=seed), docs, model)


def check_batch(state, indices, k):
    assert len(indices) == k and np.unique(indices).size == k
    assert not state.labeled_mask()[indices].any()


@pytest.mark.parametrize("strategy", TEXT_STRATEGIES)
def test_geometry_strategies_run_on_a_list_of_documents_in_the_pipelines_features(strategy):
    docs, y, state = text_state()
    indices = al.select(state, docs, strategy, 5)
    check_batch(state, indices, 5)
    tfidf = state.model[:-1].transform(docs)  # what representation="model" reads
    np.testing.assert_array_equal(al.select(state, docs, strategy, 5, representation=tfidf), indices)


def test_k_center_greedy_on_documents_is_farthest_first_in_tfidf_space():
    docs, y, state = text_state()
    indices, utilities = al.select(state, docs, "k_center_greedy", 1, return_utilities=True)
    tfidf = state.model[:-1].transform(docs).toarray()
    gaps = np.sqrt(((tfidf[:, None, :] - tfidf[None, state.labeled, :]) ** 2).sum(axis=2)).min(axis=1)
    gaps[state.labeled] = -1
    assert indices[0] == np.argmax(gaps) and np.isclose(utilities[0], gaps.max())


def table(n=36, seed=0):
    docs, y = documents(n, seed)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "text": docs,
            "size": rng.normal(size=n) + y,
            "colour": np.array(["red", "green", "blue"])[(y + rng.integers(0, 2, n)) % 3],
        },
        index=[f"row{i}" for i in range(n)],  # an index that is not positions
    )
    model = make_pipeline(
        ColumnTransformer(
            [
                ("words", TfidfVectorizer(), "text"),
                ("size", StandardScaler(), ["size"]),
                ("colour", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
            ]
        ),
        LogisticRegression(max_iter=1000),
    )
    return frame, y, model


@pytest.mark.parametrize("strategy", TEXT_STRATEGIES)
def test_a_dataframe_pool_with_a_column_transformer_runs_every_geometry_strategy_without_warnings(strategy):
    frame, y, model = table()
    state = al.fit_step(al.init_step(frame, y, n_init=6, random_state=0), frame, model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        indices = al.select(state, frame, strategy, 5)
    check_batch(state, indices, 5)


UNCERTAINTY = {
    "margin": "margin",
    "entropy": "entropy",
    "least_confident": "least_confident",
    "vote_entropy": vote_entropy(bagging(3)),
    "kl_divergence": kl_divergence(bagging(3)),
    "bald": bald(bagging(3)),  # a pipeline is no forest: bald's default committee needs estimators_
    "eer_log_loss": expected_error_reduction("log_loss", n_candidates=6, n_evaluation=10),
}


@pytest.mark.parametrize("name", sorted(UNCERTAINTY))
def test_uncertainty_and_committee_strategies_run_on_documents_and_tables(name):
    strategy = UNCERTAINTY[name]
    docs, y, state = text_state()
    indices = al.select(state, docs, strategy, 4, chunk_size=7)  # several chunks of documents
    check_batch(state, indices, 4)
    np.testing.assert_array_equal(al.select(state, docs, strategy, 4), indices)
    frame, y, model = table()
    state = al.fit_step(al.init_step(frame, y, n_init=6, random_state=0), frame, model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        indices = al.select(state, frame, strategy, 4, chunk_size=7)
    check_batch(state, indices, 4)


def test_registered_committee_strategies_run_on_documents():
    docs, y, state = text_state()
    for name in ("vote_entropy", "kl_divergence", "eer_log_loss"):
        check_batch(state, al.select(state, docs, name, 3), 3)


def test_eer_refits_on_the_labeled_rows_plus_the_candidate_in_pool_order():
    seen = []

    class Recorder(CentroidClassifier):
        def fit(self, X, y):
            seen.append((list(X), list(y)))
            return super().fit(parse_numbers(X), y)

        def predict_proba(self, X):
            return super().predict_proba(parse_numbers(X))

    X = np.arange(8.0).reshape(-1, 1)
    docs = as_documents(X)
    state = al.fit_step(al.init_step(docs, np.arange(8) % 2, n_init=3, random_state=0), docs, Recorder())
    seen.clear()
    al.select(state, docs, expected_error_reduction("zero_one", n_candidates=1), 1)
    labeled = sorted(state.labeled.tolist())
    rows, labels = seen[0]
    candidate = next(index for index in range(8) if docs[index] in rows and index not in labeled)
    assert rows == [docs[index] for index in sorted([*labeled, candidate])]
    assert len(labels) == len(rows) and len(seen) == 2  # one refit per class


def test_badge_with_badge_factory_runs_on_documents():
    docs, y, state = text_state(seed=1)
    check_batch(state, al.select(state, docs, badge(chunk_rows=5), 6), 6)
