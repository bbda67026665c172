"""Bad arguments raise ValueError/TypeError naming the argument, before any model is fitted."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import alfunc as al

X = np.random.default_rng(0).normal(size=(30, 2))
Y = np.arange(30) % 2


class MustNotFit(ClassifierMixin, BaseEstimator):
    """A classifier whose fit fails the test: validation must come first."""

    def fit(self, X, y):
        raise AssertionError("a model was fitted before the arguments were checked")

    def predict_proba(self, X):
        raise AssertionError("unreachable")


class NoProbaMustNotFit(ClassifierMixin, BaseEstimator):
    """A classifier with a decision function but no predict_proba (like LinearSVC) that must not be fitted."""

    def fit(self, X, y):
        raise AssertionError("a model was fitted before the arguments were checked")

    def decision_function(self, X):
        raise AssertionError("unreachable")


def labels_with(values, rows):
    bad = Y.astype(object if any(value is None for value in values) else float)
    bad[rows] = values
    return bad


def with_nan(X):
    bad = X.copy()
    bad[3, 1] = np.nan
    return bad


def with_inf(X):
    bad = X.copy()
    bad[0, 0] = np.inf
    return bad


BAD_RUNS = [
    ({"n_init": 0}, ValueError, "n_init"),
    ({"n_init": 31}, ValueError, "n_init"),
    ({"n_init": -0.5}, ValueError, "n_init"),
    ({"n_init": "10"}, TypeError, "n_init"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),
    ({"budget": 5, "n_init": 10}, ValueError, "budget"),
    ({"max_iter": -1}, ValueError, "max_iter"),
    ({"oracle": Y[:-1]}, ValueError, "oracle has 29 labels but X has 30 rows"),
    ({"oracle": Y.reshape(-1, 1)}, ValueError, "1-D"),
    ({"X": with_nan(X)}, ValueError, "X contains NaN"),
    ({"X": with_inf(X)}, ValueError, "X contains NaN or infinity"),
    ({"X": X[:, 0]}, ValueError, "2-D"),
    ({"X": np.array(["a b"] * 30, dtype=object), "representation": "input"}, ValueError, "'input' needs numeric rows"),
    ({"representation": np.zeros((29, 2))}, ValueError, "representation has 29 rows but X has 30"),
    ({"representation": "umap"}, ValueError, "representation must be 'input', 'model'"),
    ({"strategy": "uncertainty"}, ValueError, "unknown strategy 'uncertainty'"),
    ({"strategy": 3}, TypeError, "strategy"),
    ({"estimator": LinearRegression()}, TypeError, "needs a classifier"),
    ({"strategy": "bald"}, TypeError, "members of an ensemble"),
    ({"strategy": "gsy"}, TypeError, "needs a regressor"),
    ({"estimator": MustNotFit}, TypeError, "estimator must be an estimator instance"),
    ({"estimator": object()}, TypeError, "estimator must be a scikit-learn estimator"),
    ({"stop": 5}, TypeError, "stop"),
    ({"X_test": X}, ValueError, "X_test and y_test"),
    ({"X_test": X[:, :1], "y_test": Y}, ValueError, "X_test rows must be laid out like the rows of X"),
    ({"scoring": "accuracyy"}, ValueError, "scoring"),
    ({"scoring": 3}, TypeError, "scoring"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": "seed"}, TypeError, "random_state"),
    # refused before any fit, not after several
    ({"chunk_size": 0}, ValueError, "chunk_size must be an int >= 1"),
    ({"chunk_size": 2.5}, TypeError, "chunk_size"),
    ({"chunk_size": "64"}, TypeError, "chunk_size"),
    (
        {"oracle": labels_with([np.nan, np.nan], [17, 3])},
        ValueError,
        r"missing label .* pool rows \[3, 17\].*PartialLabels",
    ),
    ({"oracle": labels_with([None], [25])}, ValueError, r"missing label \(NaN or None\) for pool rows \[25\]"),
    ({"oracle": np.where(np.arange(30) % 4 == 0, -1, Y)}, ValueError, "-1 is scikit-activeml's marker.*PartialLabels"),
    ({"oracle": np.where(np.arange(30) % 4 == 0, -1, Y + 1)}, ValueError, "missing_label=-1"),
    (
        {"strategy": "entropy", "estimator": NoProbaMustNotFit()},
        TypeError,
        r"'entropy' needs predict_proba, .*estimator \(NoProbaMustNotFit\)",
    ),
    (
        {"strategy": "least_confident", "estimator": make_pipeline(StandardScaler(), NoProbaMustNotFit())},
        TypeError,
        r"'least_confident' needs predict_proba, which Pipeline does not have; estimator \(Pipeline\)",
    ),
    ({"strategy": "kl_divergence", "estimator": NoProbaMustNotFit()}, TypeError, "'kl_divergence' needs predict_proba"),
    ({"strategy": "eer_log_loss", "estimator": NoProbaMustNotFit()}, TypeError, "'eer_log_loss' needs predict_proba"),
    (
        {"strategy": "information_density", "estimator": NoProbaMustNotFit()},
        TypeError,
        "'information_density' needs predict_proba",
    ),
    ({"strategy": "ranked_batch", "estimator": NoProbaMustNotFit()}, TypeError, "'ranked_batch' needs predict_proba"),
    ({"strategy": "badge", "estimator": NoProbaMustNotFit()}, TypeError, "'badge' needs predict_proba"),
    ({"start": "state"}, TypeError, "start must be an ALState"),
]


@pytest.mark.parametrize("overrides, error, message", BAD_RUNS)
def test_bad_run_arguments_fail_before_any_fit(overrides, error, message):
    arguments = {"X": X, "oracle": Y, "estimator": MustNotFit(), "strategy": "margin", "n_init": 4, **overrides}
    X_before = arguments["X"].copy()
    oracle = arguments["oracle"]
    oracle_before = oracle.copy() if isinstance(oracle, np.ndarray) else oracle
    with pytest.raises(error, match=message):
        al.trace(**arguments)
    assert np.array_equal(arguments["X"], X_before, equal_nan=arguments["X"].dtype.kind == "f")
    if isinstance(oracle, np.ndarray):
        assert oracle.dtype == object or np.array_equal(oracle, oracle_before, equal_nan=oracle.dtype.kind == "f")
        assert list(oracle) == list(oracle_before) or oracle.dtype.kind == "f"


BAD_LABEL_ARRAYS = [
    (labels_with([np.nan], [3]), r"missing label \(NaN or None\) for pool rows \[3\]"),
    (labels_with([None, None], [0, 29]), r"for pool rows \[0, 29\] \(2 rows in all\)"),
    (labels_with([np.nan] * 12, list(range(12))), r"pool rows \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9\] \(12 rows in all\)"),
    (np.where(np.arange(30) == 7, -1, Y), r"-1 together with other labels \(1 row, e.g. pool rows \[7\]\)"),
    (np.where(np.arange(30) < 3, -1, Y + 2), "-1 is scikit-activeml's marker for an unknown label"),
]


@pytest.mark.parametrize("oracle, message", BAD_LABEL_ARRAYS)
def test_a_label_array_that_marks_unknown_labels_is_refused_by_init_step(oracle, message):
    with pytest.raises(ValueError, match=message):
        al.init_step(X, oracle, 4, 0)
    with pytest.raises(ValueError, match=message):
        al.init_step(X, oracle, initial=[0, 1], labels=[0, 1])  # its other rows would be asked later


@pytest.mark.parametrize(
    "y",
    [np.where(Y == 0, -1, 1), np.arange(30) % 5 - 2, np.full(30, -1), np.where(Y == 0, -1.0, 0.0)],
    ids=["-1/1", "-2..2", "all -1", "float -1/0"],
)
def test_minus_one_is_a_class_where_it_cannot_be_a_marker(y):
    assert al.init_step(X, y, 6, 0).n_labeled == 6
    assert al.trace(X, y, LogisticRegression(), "random") is not None


def test_the_labels_you_have_start_a_run_through_partial_labels():
    y = np.where(np.arange(30) % 3 == 0, Y, -1)
    oracle = al.PartialLabels(y, missing_label=-1)
    indices, labels = oracle.known()
    state = al.fit_step(al.init_step(X, oracle, initial=indices, labels=labels), X, LogisticRegression())
    assert state.n_labeled == 10 and -1 not in state.labels.tolist()


NOT_A_STATE = [
    ("fit_step", lambda state: al.fit_step(X, state, LogisticRegression()), "ndarray"),
    ("select", lambda state: al.select(X, state, "random", 2), "ndarray"),
    ("teach", lambda state: al.teach(X, [1], [1]), "ndarray"),
    ("query_step", lambda state: al.query_step(X, state, Y, "random", 2), "ndarray"),
    ("fit_step None", lambda state: al.fit_step(None, X, LogisticRegression()), "NoneType"),
    ("teach history", lambda state: al.teach(state.history, [1], [1]), "History"),
    ("select dict", lambda state: al.select({"labeled": [0]}, X, "random", 2), "dict"),
]


@pytest.mark.parametrize("call, got", [case[1:] for case in NOT_A_STATE], ids=[case[0] for case in NOT_A_STATE])
def test_a_step_given_something_else_than_a_state_says_so(call, got):
    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(TypeError, match=rf"state must be an ALState .*got {got}"):
        call(state)


INTEGER_STATE = al.init_step(X, Y, 4, 0)
TEXT_STATE = al.init_step(X, np.array(["cat", "dog"])[Y], 4, 0)
OBJECT_TEXT_STATE = al.init_step(X, np.array(["cat", "dog"], dtype=object)[Y], 4, 0)
BAD_TEACH_LABELS = [
    (INTEGER_STATE, ["cat"], r"labels have dtype <U3 \(text\) but the state's labels have dtype int64 \(numbers\)"),
    (INTEGER_STATE, np.array(["1"], dtype=object), r"dtype object \(text\) .* dtype int64"),
    (TEXT_STATE, [1], r"labels have dtype int64 \(numbers\) but the state's labels have dtype <U3 \(text\)"),
    (TEXT_STATE, [1.5], r"dtype float64 \(numbers\)"),
    (OBJECT_TEXT_STATE, [2], r"state's labels have dtype object \(text\)"),
]


@pytest.mark.parametrize("state, labels, message", BAD_TEACH_LABELS)
def test_teach_refuses_labels_of_another_kind_than_the_states(state, labels, message):
    free = state.unlabeled()[:1]
    with pytest.raises(TypeError, match=message):
        al.teach(state, free, labels)


def test_teach_accepts_numbers_for_numbers_and_text_for_text():
    free = INTEGER_STATE.unlabeled()[:2]
    assert al.teach(INTEGER_STATE, free, [1.0, 0.0]).labels.tolist()[-2:] == [1.0, 0.0]
    assert al.teach(INTEGER_STATE, free, [np.int8(1), True]).n_labeled == 6
    assert al.teach(TEXT_STATE, free, np.array(["dog", "cat"], dtype=object)).labels[-1] == "cat"
    assert al.teach(OBJECT_TEXT_STATE, free, ["dog", "cat"]).labels[-1] == "cat"


def test_query_step_refuses_an_oracle_answer_of_another_kind():
    with pytest.raises(TypeError, match=r"the oracle's labels have dtype <U3 \(text\)"):
        al.query_step(INTEGER_STATE, X, lambda indices: ["cat"] * len(indices), "random", 1)


def test_select_and_query_step_refuse_a_model_without_predict_proba_before_asking():
    state = al.fit_step(al.init_step(X, Y, 6, 0), X, LinearSVC())

    def must_not_be_asked(indices):
        raise AssertionError("the oracle was asked before the strategy was checked")

    message = r"strategy 'entropy' needs predict_proba, which LinearSVC does not have; the state's model \(LinearSVC\)"
    with pytest.raises(TypeError, match=message):
        al.select(state, X, "entropy", 2)
    with pytest.raises(TypeError, match=message):
        al.query_step(state, X, must_not_be_asked, "entropy", 2)
    assert al.select(state, X, "margin", 2).size == 2  # margin falls back to decision_function


def test_numpy_integers_are_accepted_wherever_ints_are():
    i = np.int64
    final = al.run(
        X,
        Y,
        LogisticRegression(),
        "margin",
        n_init=i(4),
        batch_size=i(3),
        budget=i(13),
        chunk_size=i(7),
        random_state=i(0),
    )
    assert final.n_labeled == 13
    assert final.history == al.run(X, Y, LogisticRegression(), "margin", n_init=4, batch_size=3, budget=13).history
    assert al.run(X, Y, LogisticRegression(), "margin", n_init=4, max_iter=np.int32(1)).iteration == 1
    assert al.select(final, X, "margin", np.uint8(2), chunk_size=np.int16(5)).size == 2
    assert al.replay(final.history, X, Y, LogisticRegression(), upto=i(1)).iteration == 1
    assert al.init_step(X, Y, initial=np.array([0, 1], dtype=np.int32), labels=Y[:2]).n_labeled == 2
    model = al.StandardAL(LogisticRegression(), n_init=i(4), budget=i(2), max_iter=i(2), random_state=i(0))
    assert model.fit(X, Y).state_.n_labeled == 8


def test_random_strategy_accepts_a_regressor():
    final = al.run(X, X[:, 0] * 2.0, LinearRegression(), "random", n_init=5, batch_size=5, budget=15)
    assert final.n_labeled == 15 and "train_score" in final.history[-1].scores


def test_select_needs_a_fitted_model_and_the_same_pool():
    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="needs a fitted model"):
        al.select(state, X, "margin", 2)
    with pytest.raises(ValueError, match="pool of 30 rows"):
        al.select(state, X[:10], "random", 2)
    with pytest.raises(ValueError, match="batch_size"):
        al.select(state, X, "random", 0)
    with pytest.raises(ValueError, match="chunk_size"):
        al.select(state, X, "random", 2, chunk_size=0)


def test_select_on_an_exhausted_pool_says_so():
    state = al.init_step(X, Y, 30, 0)
    with pytest.raises(ValueError, match="unlabeled pool is empty"):
        al.select(state, X, "random", 1)


def test_nan_utilities_are_reported_with_the_strategy_name():
    def broken(model, rows, context):
        return np.full(rows.shape[0], np.nan)

    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="'broken' returned NaN for 26 of 26 candidates"):
        al.select(state, X, broken, 2)


def test_wrong_number_of_utilities_is_reported():
    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="shape"):
        al.select(state, X, lambda model, rows, context: np.zeros(3), 2)
