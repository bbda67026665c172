"""fit="warm": each round continues a copy of the previous model; reproducible, replayable, resumable."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import alfunc as al

X, Y = load_iris(return_X_y=True)


def warm_states(estimator, **options):
    return list(al.trace(X, Y, estimator, "margin", n_init=6, batch_size=6, max_iter=5, fit="warm", **options))


def test_each_round_continues_a_copy_and_never_touches_the_previous_model():
    states = warm_states(LogisticRegression(max_iter=500))
    coefs = [state.model.coef_.copy() for state in states]
    assert len({id(state.model) for state in states}) == len(states)
    assert all(state.model.warm_start for state in states[1:]) and not states[0].model.warm_start
    assert all((state.model.coef_ == coef).all() for state, coef in zip(states, coefs, strict=True))
    assert states[-1].history.info["fit"] == "warm"


def test_warm_runs_repeat_replay_and_resume_exactly():
    model = SGDClassifier(random_state=None)  # seeded from the run at its first (cold) fit
    first, second = warm_states(model), warm_states(model)
    assert first[-1].history == second[-1].history
    assert (first[-1].model.coef_ == second[-1].model.coef_).all()
    again = al.replay(first[-1].history, X, None, model, verify=True)
    assert again.history == first[-1].history and (again.model.coef_ == first[-1].model.coef_).all()
    with pytest.raises(ValueError, match="warm-started.*fit='each'"):
        al.replay(first[-1].history, X, None, model, fit="last")
    short = al.run(X, Y, model, "margin", n_init=6, batch_size=6, max_iter=2, fit="warm")
    resumed = al.resume(short.history, X, Y, model, max_iter=5)
    assert resumed.history == first[-1].history
    assert (resumed.model.coef_ == first[-1].model.coef_).all()


def test_partial_fit_learns_each_new_label_once():
    states = warm_states(GaussianNB())
    cold = GaussianNB().fit(*states[-1].training_set(X))
    np.testing.assert_allclose(states[-1].model.theta_, cold.theta_, rtol=1e-10)  # incremental = batch for NB
    assert states[-1].model.class_count_.sum() == states[-1].n_labeled


def test_partial_fit_learns_corrections_too():
    state = al.fit_step(al.init_step(X, Y, n_init=6, random_state=0), X, GaussianNB())
    fixed = al.fit_step(al.correct(state, [int(state.labeled[0])], [2]), X, GaussianNB(), warm=True)
    assert fixed.model.class_count_.sum() == state.n_labeled + 1  # the corrected row was learned again


def test_warm_start_reaches_the_cold_accuracy_on_digits():
    X_digits, y_digits = load_digits(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200))
    with pytest.raises(ValueError, match="warm_start parameter or partial_fit; Pipeline has neither"):
        al.run(X_digits, y_digits, model, "margin", fit="warm")
    scaled = StandardScaler().fit_transform(X_digits)
    runs = {
        mode: al.run(
            scaled, y_digits, LogisticRegression(max_iter=200), "margin", n_init=20, batch_size=20, max_iter=8, fit=mode
        )
        for mode in ("cold", "warm")
    }
    accuracy = {mode: (state.model.predict(scaled) == y_digits).mean() for mode, state in runs.items()}
    assert abs(accuracy["warm"] - accuracy["cold"]) < 0.03, accuracy


def test_estimators_that_cannot_continue_are_refused_before_any_fit():
    with pytest.raises(ValueError, match="RandomForestClassifier's warm_start adds members"):
        al.run(X, Y, RandomForestClassifier(), "margin", fit="warm")
    with pytest.raises(ValueError, match="fit must be 'cold' or 'warm', got 'lukewarm'"):
        al.run(X, Y, GaussianNB(), "margin", fit="lukewarm")


def test_blas_threads_hold_only_while_the_steps_run():
    from threadpoolctl import threadpool_info

    def most_threads():
        return max(pool["num_threads"] for pool in threadpool_info())

    outside = most_threads()
    seen = []
    states = al.trace(
        X, Y, GaussianNB(), "margin", n_init=6, max_iter=2, callback=lambda _: seen.append(most_threads())
    )
    assert len(list(states)) == 3 and seen == [outside] * 3  # the callback runs between steps: no limit there
    inside = []

    def strategy(model, rows, context):
        inside.append(most_threads())
        return np.zeros(len(rows))

    al.run(X, Y, GaussianNB(), strategy, n_init=6, max_iter=1)
    assert set(inside) == {1}
    al.run(X, Y, GaussianNB(), strategy, n_init=6, max_iter=1, blas_threads=None)
    assert inside[-1] == outside
    with pytest.raises(ValueError, match="blas_threads must be an int >= 1"):
        al.run(X, Y, GaussianNB(), "margin", blas_threads=0)
