"""Every registered strategy through ``run`` on awkward pools.

Names of classes are arbitrary: renaming them while keeping their order (0..C-1,
1..C, strings, spread integers) must change neither what a run queries nor the
utilities it records, whatever the chunk size; a class no labeled point has
yet, duplicate rows and a single labeled class must work or be refused with a
message.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.strategies import (
    bald,
    ensemble_members,
    expected_error_reduction,
    kl_divergence,
    needs_ensemble,
    needs_regressor,
    resolve_strategy,
    vote_entropy,
)

X, Y = make_classification(
    n_samples=45, n_features=4, n_informative=3, n_redundant=0, n_classes=3, n_clusters_per_class=1, random_state=3
)
RARE = Y.copy()  # class 2 has one point, which the initial set (seed 0) does not hold
RARE[Y == 2] = 1
RARE[np.flatnonzero(Y == 2)[0]] = 2
RENAMINGS = {
    "0..C-1": lambda y: y,
    "1..C": lambda y: y + 1,
    "strings": lambda y: np.array(["ant", "bee", "cat"])[y],
    "spread": lambda y: np.array([-7, 3, 40])[y],
}
CLASSIFIER_STRATEGIES = sorted(name for name, s in al.STRATEGIES.items() if not needs_regressor(s))
FOREST = RandomForestClassifier(n_estimators=5, random_state=0)
FACTORY_STRATEGIES = {  # name: (make the strategy, estimator)
    "vote_entropy(ensemble_members())": (lambda: vote_entropy(ensemble_members()), FOREST),
    "kl_divergence(ensemble_members())": (lambda: kl_divergence(ensemble_members()), FOREST),
    "bald()": (bald, FOREST),
    "vote_entropy()": (vote_entropy, GaussianNB()),
    "eer(n_candidates=6)": (lambda: expected_error_reduction("log_loss", n_candidates=6), GaussianNB()),
}


def estimator_for(strategy):
    return FOREST if needs_ensemble(resolve_strategy(strategy)[1]) else GaussianNB()


def recorded(strategy, labels, chunk_size=None, estimator=None):
    estimator = estimator_for(strategy) if estimator is None else estimator
    final = al.run(X, labels, estimator, strategy, n_init=6, batch_size=4, max_iter=2, chunk_size=chunk_size)
    return [(record.queried.tolist(), np.round(record.utilities, 10)) for record in final.history]


def assert_same_runs(got, expected, what):
    assert [q for q, _ in got] == [q for q, _ in expected], f"{what}: other points queried"
    for (_, u), (_, v) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(u, v, err_msg=f"{what}: other utilities recorded")


@pytest.mark.parametrize("name", CLASSIFIER_STRATEGIES)
def test_renaming_the_classes_changes_no_run_of_a_registered_strategy(name):
    expected = recorded(name, Y)
    for renaming in ("1..C", "strings", "spread"):
        assert_same_runs(recorded(name, RENAMINGS[renaming](Y)), expected, f"{name} with labels {renaming}")


@pytest.mark.parametrize("name", sorted(FACTORY_STRATEGIES))
@pytest.mark.parametrize("renaming", sorted(RENAMINGS))
def test_a_class_absent_from_the_labeled_set_changes_nothing_with_names_or_chunks(name, renaming):
    """Committees over forest trees read votes by class position: the case the issue found."""
    make, estimator = FACTORY_STRATEGIES[name]
    assert 2 not in RARE[al.init_step(X, RARE, 6, random_state=0).labeled]
    expected = recorded(make(), RARE, estimator=estimator)
    for chunk_size in (None, 1, 7):
        got = recorded(make(), RENAMINGS[renaming](RARE), chunk_size, estimator)
        assert_same_runs(got, expected, f"{name}, labels {renaming}, chunk_size={chunk_size}")


@pytest.mark.parametrize("name", CLASSIFIER_STRATEGIES)
def test_duplicate_rows_and_string_labels_run_and_partition_the_pool(name):
    twice, labels = np.vstack([X, X]), RENAMINGS["strings"](np.concatenate([Y, Y]))
    final = al.run(twice, labels, estimator_for(name), name, n_init=6, batch_size=5, max_iter=2)
    assert final.n_labeled == 16 and np.unique(final.labeled).size == 16
    assert all(np.isfinite(record.utilities[record.utilities > -np.inf]).all() for record in final.history[1:])


@pytest.mark.parametrize("name", CLASSIFIER_STRATEGIES)
def test_a_single_labeled_class_is_selected_from_or_refused_with_a_message(name):
    """GaussianNB and forests fit one class; every registered strategy then selects from such a state."""
    state = al.init_step(X, RENAMINGS["strings"](Y), initial=np.flatnonzero(Y == 1)[:5])
    state = al.fit_step(state, X, estimator_for(name))
    assert state.model.classes_.tolist() == ["bee"]
    indices, utilities = al.select(state, X, name, 4, return_utilities=True)
    assert indices.size == 4 and not np.isin(indices, state.labeled).any()
    assert not np.isnan(utilities).any() and not np.isposinf(utilities).any()
