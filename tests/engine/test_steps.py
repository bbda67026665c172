"""The steps one by one: init_step, select/teach (human in the loop), fit_step, scoring."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer

import alfunc as al

X, Y = load_iris(return_X_y=True)
MODEL = LogisticRegression(max_iter=500)


def fitted_start(n_init=6, seed=0):
    return al.fit_step(al.init_step(X, Y, n_init, seed), X, MODEL)


def test_init_step_labels_a_seeded_set_and_fits_nothing():
    state = al.init_step(X, Y, 0.1, random_state=3)
    assert state.n_labeled == 15 and state.model is None and len(state.history) == 0
    assert np.array_equal(state.labels, Y[state.labeled])
    assert state.pending.strategy == "initial" and np.isnan(state.pending.utilities).all()


def test_init_step_accepts_generators_and_none():
    from_generator = al.init_step(X, Y, 5, np.random.default_rng(7))
    assert from_generator == al.init_step(X, Y, 5, from_generator.seed)
    fresh = al.init_step(X, Y, 5, None)
    assert fresh == al.init_step(X, Y, 5, fresh.seed), "a None seed is recorded so the run replays"


def test_first_fit_records_iteration_zero_with_the_initial_set():
    state = fitted_start()
    record = state.history[0]
    assert record.iteration == 0 and record.strategy == "initial" and record.n_labeled == 6
    assert np.array_equal(record.queried, state.labeled)
    assert set(record.scores) == {"train_score"} and state.pending is None


def test_human_in_the_loop_select_then_teach():
    state = fitted_start()
    indices, utilities = al.select(state, X, "margin", 4, return_utilities=True)
    assert np.all(np.diff(utilities) <= 0), "select returns the best first"
    taught = al.teach(state, indices, Y[indices], utilities=utilities, strategy="margin")
    assert taught == al.query_step(state, X, Y, "margin", 4)
    assert taught.iteration == 1 and taught.n_labeled == 10
    refitted = al.fit_step(taught, X, MODEL)
    assert refitted.history[-1].iteration == 1 and np.array_equal(refitted.history[-1].queried, indices)


def test_teaching_twice_before_a_fit_makes_one_record():
    state = fitted_start()
    state = al.teach(state, [100, 101], Y[[100, 101]])
    state = al.teach(state, [102], Y[[102]], utilities=[0.5], strategy="expert")
    record = al.fit_step(state, X, MODEL).history[-1]
    assert record.strategy == "manual+expert" and record.queried.tolist() == [100, 101, 102]
    assert np.isnan(record.utilities[:2]).all() and record.utilities[2] == 0.5


@pytest.mark.parametrize(
    "indices, labels, match",
    [
        ([], [], "non-empty"),
        ([[1, 2]], [[0, 0]], "1-D"),
        ([150], [0], r"\[0, 150\)"),
        ([-1], [0], r"\[0, 150\)"),
        ([7, 7], [0, 0], "distinct"),
        ([7, 8], [0], "one label per index"),
    ],
)
def test_teach_rejects_bad_indices(indices, labels, match):
    with pytest.raises(ValueError, match=match):
        al.teach(fitted_start(), indices, labels)


def test_teach_rejects_already_labeled_points_and_float_indices():
    state = fitted_start()
    with pytest.raises(ValueError, match="already labeled"):
        al.teach(state, state.labeled[:1], Y[state.labeled[:1]])
    with pytest.raises(TypeError, match="integers"):
        al.teach(state, [1.0], [0])


def test_fit_step_fits_a_clone_in_index_order():
    state = al.query_step(fitted_start(), X, Y, "entropy", 10)
    model = al.fit_step(state, X, MODEL).model
    assert model is not MODEL and not hasattr(MODEL, "coef_")
    order = np.sort(state.labeled)
    reference = LogisticRegression(max_iter=500).fit(X[order], Y[order])
    assert np.array_equal(model.coef_, reference.coef_)


def test_fit_step_needs_new_labels():
    with pytest.raises(ValueError, match="no new labels"):
        al.fit_step(fitted_start(), X, MODEL)


def test_scoring_follows_cross_validate_conventions():
    state = al.init_step(X, Y, 20, 0)
    X_test, y_test = X[::3], Y[::3]
    single = al.fit_step(state, X, MODEL, X_test, y_test, scoring="f1_macro").history[0].scores
    assert set(single) == {"train_score", "test_score"}
    model = al.fit_step(state, X, MODEL).model
    assert single["test_score"] == pytest.approx(f1_score(y_test, model.predict(X_test), average="macro"))
    several = al.fit_step(state, X, MODEL, X_test, y_test, scoring=["accuracy", "f1_macro"]).history[0].scores
    assert list(several) == ["train_accuracy", "train_f1_macro", "test_accuracy", "test_f1_macro"]
    custom = al.fit_step(state, X, MODEL, scoring={"f1": make_scorer(f1_score, average="micro")})
    assert set(custom.history[0].scores) == {"train_f1"}


def test_keep_model_stores_the_model_in_the_record_outside_equality():
    kept = al.fit_step(al.init_step(X, Y, 6, 0), X, MODEL, keep_model=True)
    plain = al.fit_step(al.init_step(X, Y, 6, 0), X, MODEL)
    assert kept.history[0].model is kept.model and plain.history[0].model is None
    assert kept == plain


def test_callable_oracle_is_asked_only_for_the_selected_points():
    asked = []

    def oracle(indices):
        asked.append(np.array(indices))
        return Y[indices]

    final = al.run(X, oracle, MODEL, "margin", n_init=6, batch_size=8, budget=30)
    assert sum(len(a) for a in asked) == 30
    assert np.array_equal(np.concatenate(asked), final.labeled)


def test_callable_oracle_returning_the_wrong_number_of_labels_is_an_error():
    with pytest.raises(ValueError, match="one label per index"):
        al.init_step(X, lambda idx: Y[idx][:-1], 5)
