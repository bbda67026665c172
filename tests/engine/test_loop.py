"""run and trace: stopping rules, laziness, test-set scores, and margin beating random on iris."""

from __future__ import annotations

import numpy as np
import toolz
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import alfunc as al
from alfunc.strategies import needs_ensemble, needs_regressor

X, Y = load_iris(return_X_y=True)
MODEL = LogisticRegression(max_iter=1000)


def test_trace_is_lazy_and_run_is_its_last_state():
    calls = []

    def oracle(indices):
        calls.append(len(indices))
        return Y[indices]

    states = al.trace(X, oracle, MODEL, "margin", n_init=10, batch_size=20)
    assert calls == [], "trace did work before it was iterated"
    first_two = list(toolz.take(2, states))
    assert [s.n_labeled for s in first_two] == [10, 30] and calls == [10, 20]
    assert al.run(X, Y, MODEL, "margin", n_init=10, batch_size=20) == toolz.last(
        al.trace(X, Y, MODEL, "margin", n_init=10, batch_size=20)
    )


def test_the_last_batch_takes_what_is_left():
    final = al.run(X, Y, MODEL, "entropy", n_init=10, batch_size=40)
    assert [r.n_labeled for r in final.history] == [10, 50, 90, 130, 150]


def test_stop_predicate_ends_the_run_at_the_first_true_state():
    final = al.run(X, Y, MODEL, "margin", n_init=10, batch_size=10, stop=lambda s: s.n_labeled >= 40)
    assert final.n_labeled == 40 and len(final.history) == 4


def test_a_composed_loop_equals_run():
    def step(state, _):
        return al.fit_step(al.query_step(state, X, Y, "margin", 10), X, MODEL)

    start = al.fit_step(al.init_step(X, Y, n_init=10, random_state=5), X, MODEL)
    by_hand = toolz.reduce(step, range(5), start)
    by_run = al.run(X, Y, MODEL, "margin", n_init=10, batch_size=10, max_iter=5, random_state=5)
    assert by_hand.history.records == by_run.history.records
    assert np.array_equal(by_hand.labeled, by_run.labeled) and np.array_equal(by_hand.labels, by_run.labels)
    assert by_run.history.info["batch_size"] == 10, "run records its parameters; a hand-made loop cannot"


def test_initial_set_is_shared_across_strategies():
    for_classifiers = [name for name, fn in al.STRATEGIES.items() if not (needs_regressor(fn) or needs_ensemble(fn))]
    firsts = [al.run(X, Y, MODEL, s, n_init=10, max_iter=0).history[0] for s in for_classifiers]
    assert all(f == firsts[0] for f in firsts)


def test_margin_beats_random_on_iris_over_five_seeds():
    mean_curve = {}
    for strategy in ("random", "margin"):
        per_seed = []
        for seed in range(5):
            X_pool, X_test, y_pool, y_test = train_test_split(X, Y, test_size=0.3, stratify=Y, random_state=seed)
            final = al.run(X_pool, y_pool, MODEL, strategy, X_test=X_test, y_test=y_test, random_state=seed)
            per_seed.append(np.mean([r.scores["test_score"] for r in final.history]))
        mean_curve[strategy] = np.mean(per_seed)
    assert mean_curve["margin"] > mean_curve["random"], mean_curve
