"""DropQuery: flips counted by hand from the hashed masks, the last step of pipelines and MLPs, the peer's behaviour."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from batch_support import hand_state
from sklearn.datasets import make_blobs
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.core.representation import model_features
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.strategies import STRATEGIES, dropquery, needs_features, needs_proba, selects_batch
from alfunc.strategies.dropquery import dropout_copy, last_step_predict
from alfunc.testing import CentroidClassifier, check_strategy


def threshold_model():
    """A logistic regression set by hand: class 1 iff x - 0.5 > 0."""
    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    model.coef_, model.intercept_ = np.array([[1.0]]), np.array([-0.5])
    return model


def test_flips_match_a_count_by_hand_from_the_hashed_masks():
    # one feature, dropout 0.75 (kept entries x4): a dropped copy scores -0.5 (class 0), a kept one 4x - 0.5.
    # x <= 0.125 never flips; 0.125 < x <= 0.5 (clean 0) flips when kept; x > 0.5 (clean 1) flips when dropped.
    X = np.array([[0.0], [1.0], [0.05], [0.2], [0.3], [0.45], [0.6], [0.8], [0.9], [2.0]])
    state = hand_state(len(X), [0, 1], [0, 1], threshold_model())
    candidates = state.unlabeled()
    kept = np.stack(
        [
            hashed_uniform(candidates, step_salt(0, state.next_iteration, f"dropquery-{copy}")) >= 0.75
            for copy in range(3)
        ]
    )
    x = X[candidates, 0]
    flips = np.where(x <= 0.125, 0, np.where(x <= 0.5, kept.sum(axis=0), 3 - kept.sum(axis=0)))
    chosen = flips * 2 > 3
    k = max(1, int(chosen.sum()))
    assert 0 < chosen.sum() < candidates.size, "the hand case must keep some candidates and drop others"
    indices = al.select(state, X, "dropquery", k)
    assert sorted(indices.tolist()) == sorted(candidates[chosen].tolist())  # k clusters of k points: each one


def test_dropout_copies_keep_a_share_scale_it_and_depend_only_on_the_pool_index():
    h = np.arange(1.0, 4001.0).reshape(1000, 4)
    pool = np.arange(1000) + 7
    copy = dropout_copy(h, pool, 0.75, salt=11)
    kept = copy != 0
    assert abs(kept.mean() - 0.25) < 0.03
    np.testing.assert_allclose(copy[kept], 4.0 * h[kept])
    np.testing.assert_array_equal(dropout_copy(h[500:], pool[500:], 0.75, salt=11), copy[500:])
    sparse = dropout_copy(sp.csr_matrix(h), pool, 0.75, salt=11)
    np.testing.assert_allclose(sparse.toarray(), copy)  # every entry stored: the same masks


def test_the_last_step_predicts_like_the_model_on_clean_features():
    X, y = make_blobs(n_samples=60, centers=3, n_features=4, random_state=1)
    models = [
        make_pipeline(StandardScaler(), LogisticRegression()),
        MLPClassifier((6, 3), max_iter=2000, random_state=0),
        MLPClassifier((5,), max_iter=2000, random_state=0),
        LinearSVC(),
    ]
    for model in models:
        labels = y % 2 if isinstance(model, MLPClassifier) and model.hidden_layer_sizes == (5,) else y
        model.fit(X, labels)
        np.testing.assert_array_equal(last_step_predict(model, model_features(model, X)), model.predict(X))


def test_dropquery_is_registered_marked_seeded_and_chunk_free():
    strategy = STRATEGIES["dropquery"]
    assert strategy.__name__ == "dropquery" and selects_batch(strategy) and needs_features(strategy)
    assert not needs_proba(strategy)  # predictions only: LinearSVC works
    X, y = make_blobs(n_samples=80, centers=3, random_state=1)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, CentroidClassifier(temperature=20.0))
    expected = al.select(state, X, "dropquery", 5, return_utilities=True)
    for chunk_rows in (1, 9):
        got = al.select(state, X, dropquery(chunk_rows=chunk_rows), 5, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    svm = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LinearSVC())
    assert len(set(al.select(svm, X, "dropquery", 5).tolist())) == 5


def test_documents_through_a_pipeline_are_perturbed_in_its_sparse_features():
    docs = [f"{'good great' if i % 2 else 'bad awful'} item {i % 7} word{i % 5}" for i in range(40)]
    labels = np.arange(40) % 2
    state = al.fit_step(
        al.init_step(docs, labels, n_init=6, random_state=0),
        docs,
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    )
    indices = al.select(state, docs, "dropquery", 4)
    assert len(set(indices.tolist())) == 4 and not state.labeled_mask()[indices].any()


def test_a_model_that_reads_raw_documents_is_refused():
    class Raw(CentroidClassifier):
        def fit(self, X, y):
            return super().fit(np.array([[len(d)] for d in X], dtype=float), y)

        def predict(self, X):
            return super().predict(np.array([[len(d)] for d in X], dtype=float))

    docs = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    state = al.fit_step(al.init_step(docs, np.array([0, 1] * 3), n_init=2, random_state=0), docs, Raw())
    with pytest.raises(ValueError, match="'dropquery' perturbs the numeric features"):
        al.select(state, docs, "dropquery", 2, representation=np.eye(6))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"dropout": 0}, ValueError),
        ({"dropout": 1.5}, ValueError),
        ({"n_copies": 0}, ValueError),
        ({"chunk_rows": 2.0}, TypeError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error):
        dropquery(**kwargs)


def test_dropquery_passes_check_strategy():
    check_strategy(dropquery(dropout=0.5, n_copies=4, chunk_rows=2), max_examples=25)


def test_dropquery_and_scikit_activeml_draw_from_the_same_filter():
    """The masks are random in both, so batches differ; what they share is the filter.

    Without an intercept, rescaling the kept features (alfunc, as torch's dropout) changes no prediction, so a
    candidate's chance ``kappa`` of flipping in at least 2 of 3 copies is the same for both, and can be computed
    exactly by enumerating the 2^6 masks. Over 8 seeds, both batches hold candidates of higher ``kappa`` than
    the pool, by the same amount.
    """
    pytest.importorskip("skactiveml")
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import DropQuery

    X, y = make_blobs(n_samples=300, centers=4, n_features=6, cluster_std=3.0, random_state=0)
    base = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, LogisticRegression(fit_intercept=False))
    y_partial = np.full(len(y), np.nan)
    y_partial[base.labeled] = base.labels
    peer = SklearnClassifier(LogisticRegression(fit_intercept=False), classes=base.model.classes_).fit(X, y_partial)
    masks = np.array(list(itertools.product([0.0, 1.0], repeat=6)))
    chance = 0.25 ** masks.sum(axis=1) * 0.75 ** (6 - masks.sum(axis=1))  # each feature kept with 1 - 0.75
    clean = base.model.predict(X)
    q = chance @ np.array([base.model.predict(X * mask) != clean for mask in masks])
    kappa = 3 * q**2 * (1 - q) + q**3
    ours, theirs = [], []
    for seed in range(8):
        state = al.ALState(base.labeled, base.labels, base.n_pool, al.History(seed), model=base.model)
        ours.append(kappa[al.select(state, X, "dropquery", 15)].mean())
        query = DropQuery(n_dropout_samples=3, random_state=seed).query(
            X, y_partial, peer, fit_clf=False, batch_size=15
        )
        theirs.append(kappa[np.asarray(query)].mean())
    pool = kappa[base.unlabeled()].mean()
    assert np.mean(ours) > pool + 0.02 and np.mean(theirs) > pool + 0.02, (pool, ours, theirs)
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.04, (ours, theirs)
