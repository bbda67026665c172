"""The ml-research ``StandardAL`` facade: compatibility, and the places where it does better."""

from __future__ import annotations

import subprocess
import sys
import warnings
from itertools import pairwise, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

import alfunc
from alfunc import StandardAL
from alfunc.compat import ACQUISITION_FUNCTIONS

RANDOM_STATE = 42
X_TOY = [[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1]]
Y_TOY = [-1, -1, -1, 1, 1, 1]
T_TOY = [[-1, -1], [2, 2], [3, 2]]
TRUE_RESULT = [-1, 1, 1]

_iris = datasets.load_iris()
_perm = np.random.RandomState(RANDOM_STATE).permutation(_iris.target.size)
IRIS = (_iris.data[_perm], _iris.target[_perm])
_hastie_X, _hastie_y = datasets.make_hastie_10_2(n_samples=20, random_state=RANDOM_STATE)
HASTIE = (_hastie_X.astype(np.float32), _hastie_y)
DATASETS = [(X_TOY, Y_TOY), IRIS, HASTIE]


def blobs(n=60, seed=0):
    X, y = datasets.make_blobs(n_samples=n, centers=2, random_state=seed)
    return X, y


def int_keys(metadata):
    return [key for key in metadata if isinstance(key, int)]


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class and counts how many times it (or what it was copied from) was fitted."""

    def fit(self, X, y):
        self.n_fits_ = getattr(self, "n_fits_", 0) + 1
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


# --- ml-research behaviour ---------------------------------------------------------


def test_toy_classification_with_default_parameters():
    model = StandardAL(random_state=RANDOM_STATE).fit(X_TOY, Y_TOY)
    np.testing.assert_array_equal(model.predict(T_TOY), TRUE_RESULT)
    assert model.random_state == RANDOM_STATE
    assert type(model.classifier_) is RandomForestClassifier
    assert model.classifier_.random_state == RANDOM_STATE
    assert model.labeled_pool_.all()


@pytest.mark.parametrize("X, y", DATASETS, ids=["toy", "iris", "hastie"])
def test_default_parameters_resolve_like_ml_research(X, y):
    model = StandardAL().initialization(X, y)
    n = len(y)
    expected_n_init = max(2, int(np.round(0.02 * n)))
    expected_budget = max(1, int(np.round(0.02 * n)))
    assert model.acquisition_func_ is ACQUISITION_FUNCTIONS["random"]
    assert (model.n_init_, model.budget_) == (expected_n_init, expected_budget)
    assert model.n_init_ + model.max_iter_ * model.budget_ >= n > model.n_init_ + (model.max_iter_ - 1) * model.budget_
    assert model.labeled_pool_.sum() == expected_n_init
    assert model.random_state is None and model.continue_training is False
    assert not hasattr(model, "classifier_")  # the initial pool is fitted by the first iteration


def test_seed_tutorial_sizes_give_49_iterations():
    X, y = datasets.make_classification(n_samples=500, n_features=2, n_informative=2, n_redundant=0, random_state=42)
    model = StandardAL(n_init=10, budget=10, random_state=42).initialization(X, y)
    assert model.max_iter_ == 49


def test_iris_and_hastie_fit_until_the_pool_is_labeled():
    for X, y in (IRIS, HASTIE):
        model = StandardAL(DecisionTreeClassifier(), acquisition_func="entropy", random_state=0).fit(X, y)
        assert model.labeled_pool_.all()
        assert int_keys(model.metadata_) == list(range(model.max_iter_ + 1))


def test_metadata_layout_with_a_test_set():
    model = StandardAL(random_state=RANDOM_STATE).fit(X_TOY, Y_TOY, X_test=T_TOY, y_test=TRUE_RESULT)
    assert list(model.metadata_) == ["data", "performance_metric", *range(5)]
    assert model.metadata_["performance_metric"] == "accuracy_score"
    assert list(model.metadata_[0]) == ["labeled_pool"]
    for i in range(1, 5):
        assert list(model.metadata_[i]) == ["labeled_pool", "train_score", "test_score", "classifier"]
    X, y = model.metadata_["data"]
    np.testing.assert_array_equal(X, X_TOY)
    np.testing.assert_array_equal(y, Y_TOY)


def test_metadata_pools_grow_by_budget_and_are_nested():
    X, y = blobs(40)
    model = StandardAL(DummyClassifier(), n_init=4, budget=5, random_state=1).fit(X, y)
    pools = [model.metadata_[i]["labeled_pool"] for i in int_keys(model.metadata_)]
    assert [p.sum() for p in pools] == [4, 9, 14, 19, 24, 29, 34, 39, 40]
    assert all((earlier <= later).all() for earlier, later in pairwise(pools))


@pytest.mark.parametrize("param, value", list(product(["n_init", "budget"], [0.01, 2])))
def test_fraction_and_count_for_n_init_and_budget(param, value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier(max_iter=2) does not converge
        model = StandardAL(
            MLPClassifier(max_iter=2), acquisition_func=ACQUISITION_FUNCTIONS["entropy"], n_init=2, budget=1, max_iter=5
        )
        model.set_params(**{param: value}).fit(X_TOY, Y_TOY)
    assert model.get_params()[param] == value
    assert model.n_init_ == 2
    assert model.budget_ == (2 if (param, value) == ("budget", 2) else 1)


def test_fraction_is_rounded_on_the_pool():
    X, y = blobs(200)
    model = StandardAL(n_init=0.1, budget=0.033).initialization(X, y)
    assert (model.n_init_, model.budget_) == (20, 7)


@pytest.mark.parametrize("metric", ["f1_macro", get_scorer("f1_macro")], ids=["string", "scorer"])
def test_scorer_strings_and_objects_give_the_same_scores(metric):
    X, y = blobs(30)
    reference = StandardAL(
        LogisticRegression(), "breaking_ties", n_init=4, budget=5, random_state=3, evaluation_metric="f1_macro"
    ).fit(X, y, X[:10], y[:10])
    model = StandardAL(
        LogisticRegression(), "breaking_ties", n_init=4, budget=5, random_state=3, evaluation_metric=metric
    ).fit(X, y, X[:10], y[:10])
    assert model.metadata_["performance_metric"] == "f1_score"
    for i in range(1, model.max_iter_ + 1):
        entry = model.metadata_[i]
        assert entry["test_score"] == reference.metadata_[i]["test_score"]
        assert entry["train_score"] == get_scorer("f1_macro")(
            entry["classifier"], X[entry["labeled_pool"]], y[entry["labeled_pool"]]
        )


def test_continue_training_continues_a_copy_of_the_previous_model():
    X, y = blobs(20)
    model = StandardAL(CountingClassifier(), n_init=4, budget=4, continue_training=True, random_state=0)
    model.initialization(X, y).iteration(X, y)
    first = model.classifier_
    model.iteration(X, y).iteration(X, y)
    assert model.classifier_.n_fits_ == 4  # initial pool, then one fit per iteration
    assert first.n_fits_ == 2  # the earlier model was copied, not trained further
    assert all("classifier" not in model.metadata_[i] for i in range(1, 4))
    fresh = StandardAL(CountingClassifier(), n_init=4, budget=4, random_state=0).fit(X, y)
    assert fresh.classifier_.n_fits_ == 1


def test_is_a_scikit_learn_classifier():
    model = StandardAL(LogisticRegression(C=2.0), "entropy", n_init=0.1, random_state=3)
    assert is_classifier(model)
    copy = clone(model)
    assert copy.get_params()["classifier__C"] == 2.0
    assert copy.set_params(budget=7).budget == 7 and model.budget is None
    X, y = blobs(30)
    assert model.fit(X, y).score(X, y) == np.mean(model.predict(X) == y)


# --- where alfunc is better ---------------------------------------------------------


@pytest.mark.parametrize("acquisition", ["random", None, ACQUISITION_FUNCTIONS["random"]])
def test_random_acquisition_is_a_random_sample_not_the_highest_indices(acquisition):
    X, y = blobs(200)
    batches = []
    for seed in range(4):
        model = StandardAL(DummyClassifier(), acquisition, n_init=2, budget=10, random_state=seed)
        model.initialization(X, y)
        before = model.labeled_pool_
        model.iteration(X, y)
        batch = np.flatnonzero(model.labeled_pool_ & ~before)
        highest = np.flatnonzero(~before)[-10:]
        assert not np.array_equal(batch, highest)
        batches.append(frozenset(batch.tolist()))
    assert len(set(batches)) == 4


@given(st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_entropy_of_probabilities_with_zeros_is_finite(rows):
    proba = np.array(rows)
    proba[proba.sum(axis=1) == 0] = 1.0
    proba = proba / proba.sum(axis=1, keepdims=True)
    scores = ACQUISITION_FUNCTIONS["entropy"](proba)
    assert np.isfinite(scores).all()
    assert (scores >= -1e-12).all() and (scores <= np.log2(3) + 1e-12).all()


def test_entropy_queries_the_uncertain_point_even_with_exact_zeros():
    assert np.argmax(ACQUISITION_FUNCTIONS["entropy"](np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]))) == 1
    X, y = blobs(30)
    model = StandardAL(DecisionTreeClassifier(random_state=0), "entropy", n_init=4, budget=3, random_state=0)
    assert model.fit(X, y).labeled_pool_.all()  # a tree's 0/1 probabilities never make NaN


def test_breaking_ties_prefers_the_closest_call():
    scores = ACQUISITION_FUNCTIONS["breaking_ties"](np.array([[0.9, 0.1, 0.0], [0.4, 0.35, 0.25], [0.6, 0.4, 0.0]]))
    assert np.argmax(scores) == 1


def test_a_callable_acquisition_function_decides_the_batch():
    X, y = blobs(40)
    prefer_class_one = lambda proba: proba[:, 1]  # noqa: E731
    model = StandardAL(LogisticRegression(), prefer_class_one, n_init=4, budget=5, random_state=0)
    model.initialization(X, y).iteration(X, y)
    initial = model.metadata_[0]["labeled_pool"]
    reference = LogisticRegression().fit(X[initial], y[initial])
    unlabeled = np.flatnonzero(~initial)
    expected = unlabeled[np.argsort(-reference.predict_proba(X[unlabeled])[:, 1])[:5]]
    assert set(model.state_.history[1].queried.tolist()) == set(expected.tolist())
    assert model.acquisition_func_ is prefer_class_one


def test_each_entry_classifier_is_trained_on_that_entrys_pool_and_the_last_on_the_final_pool():
    X, y = blobs(30)
    model = StandardAL(KNeighborsClassifier(n_neighbors=1), "breaking_ties", n_init=4, budget=6, random_state=0)
    model.fit(X, y, X_test=X, y_test=y)
    for i in range(1, model.max_iter_ + 1):
        entry = model.metadata_[i]
        assert entry["classifier"].n_samples_fit_ == entry["labeled_pool"].sum()
        assert entry["train_score"] == 1.0  # 1-NN is perfect on its own training pool
    assert model.classifier_.n_samples_fit_ == len(y) == model.labeled_pool_.sum()
    np.testing.assert_array_equal(model.predict(X), model.classifier_.predict(X))


def test_fit_twice_refits_from_scratch():
    X1, y1 = blobs(30, seed=1)
    X2, y2 = blobs(24, seed=2)
    model = StandardAL(LogisticRegression(), "breaking_ties", n_init=4, budget=5, random_state=0)
    model.fit(X1, y1).fit(X2, y2)
    fresh = clone(model).fit(X2, y2)
    assert model.state_ == fresh.state_
    assert int_keys(model.metadata_) == int_keys(fresh.metadata_)
    assert model.labeled_pool_.shape == (24,)


def test_fit_is_initialization_then_iterations_and_equals_the_pure_trace():
    X, y = blobs(40)
    params = dict(classifier=LogisticRegression(), acquisition_func="breaking_ties", n_init=4, budget=9, random_state=5)
    fitted = StandardAL(**params).fit(X, y, X[:10], y[:10])
    stepped = StandardAL(**params).initialization(X, y)
    for _ in range(fitted.max_iter_):
        stepped.iteration(X, y, X_test=X[:10], y_test=y[:10])
    final = alfunc.run(
        X,
        y,
        LogisticRegression(),
        "breaking_ties",
        n_init=4,
        batch_size=9,
        X_test=X[:10],
        y_test=y[:10],
        scoring="accuracy",
        random_state=5,
    )
    assert fitted.state_ == stepped.state_
    assert fitted.state_.history.records == final.history.records
    assert np.array_equal(fitted.state_.labeled, final.labeled)


def test_callers_arrays_and_classifier_are_untouched():
    X, y = blobs(30)
    X_before, y_before = X.copy(), y.copy()
    chosen = [np.flatnonzero(y == 0)[0], np.flatnonzero(y == 1)[-1]]
    selection = np.zeros(30, dtype=bool)
    selection[chosen] = True
    classifier = LogisticRegression()
    model = StandardAL(classifier, "entropy", budget=5, random_state=0)
    model.initialization(X, y, initial_selection=selection)
    model.iteration(X, y)
    np.testing.assert_array_equal(selection, np.isin(np.arange(30), chosen))
    np.testing.assert_array_equal(model.metadata_[0]["labeled_pool"], selection)
    assert model.n_init_ == 2
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert not hasattr(classifier, "coef_")
    model.labeled_pool_[:] = True  # the attribute is a fresh array: the run is unaffected
    assert model.state_.n_labeled == 7 and model.metadata_[1]["labeled_pool"].sum() == 7


def test_random_state_is_pushed_only_into_an_unset_classifier_seed():
    X, y = blobs(20)

    def classifier_seed(classifier, random_state):
        return StandardAL(classifier, n_init=4, budget=8, random_state=random_state).fit(X, y).classifier_.random_state

    assert classifier_seed(LogisticRegression(), 7) == 7
    assert classifier_seed(LogisticRegression(random_state=3), 7) == 3
    unset = classifier_seed(LogisticRegression(), None)  # both unset: every fit seeds it from the run (fit_step)
    assert isinstance(unset, int)
    assert isinstance(classifier_seed(LogisticRegression(), np.random.RandomState(0)), int)


def test_importing_alfunc_has_no_global_side_effects():
    code = (
        "import warnings, sys\n"
        "from sklearn.metrics import get_scorer_names\n"
        "filters, scorers = list(warnings.filters), get_scorer_names()\n"
        "import alfunc, alfunc.compat, alfunc.plotting\n"
        "assert list(warnings.filters) == filters, 'warning filters changed'\n"
        "assert get_scorer_names() == scorers, 'scorer registry changed'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
        "import matplotlib\n"
        "changed = {k for k, v in matplotlib.rcParamsDefault.items() if k != 'backend' and matplotlib.rcParams[k] != v}\n"
        "assert not changed, f'rcParams changed: {changed}'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"n_init": 0}, ValueError, "n_init"),
        ({"n_init": 1.5}, ValueError, "n_init"),
        ({"budget": -1}, ValueError, "budget"),
        ({"n_init": 100}, ValueError, "n_init"),
        ({"max_iter": -1}, ValueError, "max_iter"),
        ({"acquisition_func": "least_sure"}, ValueError, "acquisition_func"),
        ({"acquisition_func": 3}, TypeError, "acquisition_func"),
        ({"evaluation_metric": "no_such_metric"}, ValueError, "no_such_metric"),
        ({"continue_training": "err"}, TypeError, "continue_training"),
    ],
)
def test_bad_parameters_raise_before_any_work(params, error, match):
    X, y = blobs(20)
    model = StandardAL(CountingClassifier(), **params)
    with pytest.raises(error, match=match):
        model.fit(X, y)
    assert not hasattr(model, "state_")


class NoProba(ClassifierMixin, BaseEstimator):
    """A classifier without predict_proba (like LinearSVC) that must not be fitted."""

    def fit(self, X, y):
        raise AssertionError("a model was fitted before the parameters were checked")

    def decision_function(self, X):
        raise AssertionError("unreachable")


@pytest.mark.parametrize(
    "classifier, params, error, match",
    [
        (CountingClassifier(), {"evaluation_metric": "nope"}, ValueError, "evaluation_metric must be .* got 'nope'"),
        (CountingClassifier(), {"evaluation_metric": 3}, TypeError, "evaluation_metric"),
        (object(), {}, TypeError, "classifier must be a scikit-learn estimator with fit and get_params, got object"),
        (
            LogisticRegression,
            {},
            TypeError,
            "classifier must be an estimator instance, got the class LogisticRegression",
        ),
        ("rf", {}, TypeError, "classifier must be a scikit-learn estimator"),
        (LinearRegression(), {"acquisition_func": "entropy"}, TypeError, r"'entropy' needs a classifier; classifier"),
        (
            NoProba(),
            {"acquisition_func": "entropy"},
            TypeError,
            r"'entropy' needs predict_proba, which NoProba does not have; classifier \(NoProba\)",
        ),
        (NoProba(), {"acquisition_func": lambda p: p.max(axis=1)}, TypeError, "needs predict_proba"),
    ],
    ids=[
        "metric name",
        "metric type",
        "object",
        "class",
        "string",
        "regressor entropy",
        "no proba",
        "no proba callable",
    ],
)
def test_bad_classifier_or_metric_is_refused_by_fit_before_any_work(classifier, params, error, match):
    X, y = blobs(20)
    model = StandardAL(classifier, **params)  # scikit-learn convention: __init__ only stores
    assert model.classifier is classifier
    for start in (model.fit, model.initialization):
        with pytest.raises(error, match=match):
            start(X, y)
        assert not hasattr(model, "state_")


@pytest.mark.parametrize(
    "y, match",
    [
        (np.where(np.arange(20) % 5 == 0, -1, blobs(20)[1]), "-1 is scikit-activeml's marker.*StandardAL simulates"),
        (np.where(np.arange(20) == 4, np.nan, blobs(20)[1]), r"pool rows \[4\].*every label must be known"),
    ],
    ids=["-1 marker", "nan"],
)
def test_a_y_with_unknown_labels_is_refused_before_any_work(y, match):
    model = StandardAL(CountingClassifier(), n_init=4, budget=4)
    with pytest.raises(ValueError, match=match):
        model.fit(blobs(20)[0], y)
    assert not hasattr(model, "state_")


def test_the_classic_minus_one_one_labels_still_work():
    X, y = blobs(20)
    model = StandardAL(LogisticRegression(), "entropy", n_init=4, budget=4, max_iter=2, random_state=0)
    assert set(model.fit(X, 2 * y - 1).classifier_.classes_.tolist()) == {-1, 1}


def test_iteration_before_initialization_raises():
    with pytest.raises(NotFittedError, match="initialization"):
        StandardAL().iteration(*blobs(20))
    with pytest.raises(NotFittedError):
        StandardAL().predict(X_TOY)


@given(
    n_pool=st.integers(6, 40),
    n_init=st.integers(2, 6),
    budget=st.one_of(st.integers(1, 12), st.floats(0.01, 0.5)),
    acquisition=st.sampled_from(sorted(ACQUISITION_FUNCTIONS)),
)
@settings(max_examples=25, deadline=None)
def test_fit_labels_the_whole_pool_in_max_iter_rounds(n_pool, n_init, budget, acquisition):
    X, y = blobs(n_pool, seed=n_pool)
    model = StandardAL(DummyClassifier(), acquisition, n_init=n_init, budget=budget, random_state=0).fit(X, y)
    assert model.labeled_pool_.all()
    keys = int_keys(model.metadata_)
    assert keys == list(range(model.max_iter_ + 1))
    sizes = [model.metadata_[i]["labeled_pool"].sum() for i in keys]
    assert all(0 < b - a <= model.budget_ for a, b in pairwise(sizes))


def test_a_pool_labeled_by_the_initial_set_still_gets_a_final_model():
    X, y = blobs(6)
    model = StandardAL(LogisticRegression(), n_init=6, random_state=0).fit(X, y)
    assert model.max_iter_ == 0 and list(model.metadata_[0]) == ["labeled_pool"]
    assert model.classifier_.coef_.shape == (1, 2) and model.labeled_pool_.all()


def test_default_max_iter_labels_the_whole_pool_where_rounding_would_not():
    X, y = blobs(100)
    model = StandardAL(DummyClassifier(), n_init=2, budget=4, random_state=0).fit(X, y)
    assert model.max_iter_ == 25  # round(98 / 4) == 24 would leave 2 points unlabeled
    assert model.labeled_pool_.all()
