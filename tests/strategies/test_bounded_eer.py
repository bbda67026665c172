"""EER by name bounded by design: a seeded set of candidates and evaluation points, counted refits, chunking, progress."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.strategies import STRATEGIES, expected_error_reduction
from alfunc.strategies.eer import N_CANDIDATES, N_EVALUATION
from alfunc.testing import check_strategy

RNG = np.random.default_rng(11)
X = RNG.standard_normal((700, 2))
Y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int) + (X[:, 1] > 1).astype(int)  # three classes


def fitted(estimator=None, n_init=30):
    return al.fit_step(al.init_step(X, Y, n_init=n_init, random_state=0), X, estimator or GaussianNB())


class Tally(list):
    """A list that clones share (``clone`` deep-copies parameters): every refit records into the same one."""

    def __deepcopy__(self, memo):
        return self


class Counting(GaussianNB):
    """GaussianNB that records each fit's size and each prediction's row count in tallies passed to it."""

    def __init__(self, fits=None, predicted=None, priors=None, var_smoothing=1e-9):
        super().__init__(priors=priors, var_smoothing=var_smoothing)
        self.fits, self.predicted = fits, predicted

    def fit(self, X, y, sample_weight=None):
        if self.fits is not None:
            self.fits.append(len(y))
        return super().fit(X, y, sample_weight)

    def predict_proba(self, X):
        if self.predicted is not None:
            self.predicted.append(len(X))
        return super().predict_proba(X)


def test_the_registered_names_score_a_bounded_seeded_set_of_candidates():
    state = fitted()
    assert state.n_unlabeled > N_CANDIDATES
    for name in ("eer_log_loss", "eer_zero_one"):
        _, utilities = al.select(state, X, name, state.n_unlabeled, return_utilities=True)
        assert int(np.isfinite(utilities).sum()) == N_CANDIDATES, name
        assert f"n_candidates={N_CANDIDATES}, n_evaluation={N_EVALUATION}" in STRATEGIES[name].__doc__


def test_a_query_refits_once_per_candidate_and_class_and_predicts_the_evaluation_sample():
    fits, predicted = Tally(), Tally()
    state = fitted(Counting(fits, predicted))
    fits.clear(), predicted.clear()
    al.select(state, X, "eer_log_loss", 5)
    n_classes = state.model.classes_.size
    refits = [size for size in fits if size == state.n_labeled + 1]
    assert len(refits) == len(fits) == N_CANDIDATES * n_classes
    assert predicted.count(N_EVALUATION) == N_CANDIDATES * n_classes  # the rest are one-row candidate probabilities


def test_none_restores_the_unbounded_method():
    state = fitted(n_init=680)
    strategy = expected_error_reduction("zero_one", n_candidates=None, n_evaluation=None)
    _, utilities = al.select(state, X, strategy, state.n_unlabeled, return_utilities=True)
    assert np.isfinite(utilities).all()


@pytest.mark.parametrize("name", ["eer_log_loss", "eer_zero_one"])
def test_the_batch_and_utilities_do_not_depend_on_the_chunk_size(name):
    state = fitted()
    answers = [al.select(state, X, name, 6, chunk_size=chunk, return_utilities=True) for chunk in (1, 7, X.shape[0])]
    for indices, utilities in answers[1:]:
        assert np.array_equal(indices, answers[0][0]) and np.array_equal(utilities, answers[0][1])


def test_the_candidates_change_with_the_iteration_not_with_the_call():
    state = fitted()
    first = al.select(state, X, "eer_log_loss", N_CANDIDATES)
    assert np.array_equal(first, al.select(state, X, "eer_log_loss", N_CANDIDATES))
    later = al.fit_step(al.query_step(state, X, Y, "random", 5), X, GaussianNB())
    assert set(al.select(later, X, "eer_log_loss", N_CANDIDATES).tolist()) != set(first.tolist())


@pytest.mark.parametrize("name", ["eer_log_loss", "eer_zero_one"])
def test_check_strategy_passes(name):
    check_strategy(name, max_examples=15)


@pytest.mark.parametrize(
    "keyword, value, error",
    [
        ("n_candidates", 0, ValueError),
        ("n_candidates", -3, ValueError),
        ("n_candidates", 2.5, TypeError),
        ("n_candidates", "16", TypeError),
        ("n_evaluation", 0, ValueError),
        ("n_evaluation", 1.0, TypeError),
    ],
)
def test_bad_bounds_are_refused_naming_the_argument(keyword, value, error):
    with pytest.raises(error, match=keyword):
        expected_error_reduction("log_loss", **{keyword: value})


def test_refits_show_progress_only_when_asked(capsys):
    state = fitted()
    quiet = al.select(state, X, "eer_log_loss", 3)
    assert capsys.readouterr().err == ""
    assert np.array_equal(al.select(state, X, "eer_log_loss", 3, progress=True), quiet)
    err = capsys.readouterr().err
    assert "EER refits" in err and f"/{N_CANDIDATES}" in err  # the bar counts the candidates refitted


@pytest.mark.parametrize("name", ["eer_log_loss", "eer_zero_one"])
def test_the_subsets_are_drawn_once_per_selection_not_once_per_chunk(monkeypatch, name):
    import alfunc.strategies.eer as eer

    drawn = []
    real = eer.seeded_subset
    monkeypatch.setattr(eer, "seeded_subset", lambda *args: drawn.append(args[-1]) or real(*args))
    al.select(fitted(), X, name, 3, chunk_size=50)  # 670 candidates: 14 chunks
    assert sorted(drawn) == ["eer-candidates", "eer-evaluation"]


def test_one_instance_reused_across_states_equals_fresh_instances():
    """The kept subsets are keyed by seed, iteration and labeled set: another state draws anew."""
    reused = expected_error_reduction("log_loss", n_candidates=4, n_evaluation=50)
    for state in (
        fitted(n_init=30),
        fitted(n_init=40),
        al.fit_step(al.init_step(X, Y, n_init=30, random_state=1), X, GaussianNB()),
    ):
        fresh = expected_error_reduction("log_loss", n_candidates=4, n_evaluation=50)
        np.testing.assert_array_equal(al.select(state, X, reused, 4), al.select(state, X, fresh, 4))
