"""replay / resume: exact reconstruction, verification of every query, refusal of other data."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from history_support import NoFit, NoisyNB, make_pool
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.core.context import Context

SETTINGS = settings(max_examples=25, deadline=None)

runs = st.fixed_dictionaries(
    {
        "n_pool": st.integers(20, 70),
        "pool_seed": st.integers(0, 1000),
        "strategy": st.sampled_from(["random", "margin", "entropy", "least_confident"]),
        "n_init": st.integers(2, 8),
        "batch_size": st.integers(1, 9),
        "max_iter": st.integers(1, 6),
        "random_state": st.integers(0, 2**64),
    }
)


def run_from(params: dict) -> tuple[np.ndarray, np.ndarray, al.ALState]:
    X, y = make_pool(params["n_pool"], seed=params["pool_seed"])
    keys = ("strategy", "n_init", "batch_size", "max_iter", "random_state")
    return X, y, al.run(X, y, GaussianNB(), **{k: params[k] for k in keys})


@SETTINGS
@given(params=runs)
def test_replay_reproduces_labeled_labels_and_scores_exactly(params):
    X, y, final = run_from(params)
    replayed = al.replay(final.history, X, y, GaussianNB(), verify=True)
    assert np.array_equal(replayed.labeled, final.labeled)
    assert np.array_equal(replayed.labels, final.labels)
    assert [r.scores for r in replayed.history] == [r.scores for r in final.history]
    assert replayed == final


@SETTINGS
@given(params=runs, data=st.data())
def test_resume_after_k_iterations_equals_the_uninterrupted_run(params, data):
    X, y, final = run_from(params)
    k = data.draw(st.integers(0, len(final.history) - 1), label="k")
    cut = attrs.evolve(final.history, records=final.history[: k + 1])
    resumed = al.resume(cut, X, y, GaussianNB())
    assert resumed == final
    assert np.array_equal(resumed.model.theta_, final.model.theta_)


def test_resume_can_extend_a_finished_run_with_a_new_limit():
    X, y = make_pool(60)
    short = al.run(X, y, GaussianNB(), n_init=5, batch_size=5, max_iter=3)
    longer = al.run(X, y, GaussianNB(), n_init=5, batch_size=5, max_iter=8)
    assert al.resume(short.history, X, y, GaussianNB(), max_iter=8) == longer


def test_replay_to_a_chosen_iteration_fits_once_and_matches_the_full_replay():
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), n_init=5, batch_size=5, max_iter=6)
    fits = []

    class CountingNB(GaussianNB):
        def fit(self, X, y):
            fits.append(len(X))
            return super().fit(X, y)

    cheap = al.replay(final.history, X, y, CountingNB(), fit="last", upto=3)
    full = al.replay(final.history, X, y, GaussianNB(), upto=3)
    assert fits == [20]
    assert cheap == full and cheap.history == attrs.evolve(final.history, records=final.history[:4])
    assert [s.iteration for s in al.replay_trace(final.history, X, y, GaussianNB())] == list(range(7))


def test_verify_catches_an_estimator_with_nondeterministic_predictions():
    X, y = make_pool(70)
    noisy = al.run(X, y, NoisyNB(), strategy="entropy", n_init=6, batch_size=4, max_iter=6)
    with pytest.raises(al.ReplayDivergence, match="replay diverged at iteration [1-6]") as caught:
        al.replay(noisy.history, X, y, NoisyNB(), verify=True)
    divergence = caught.value
    assert 1 <= divergence.iteration <= 6
    assert divergence.state.iteration == divergence.iteration - 1
    assert not np.array_equal(divergence.recorded, divergence.replayed)
    assert np.array_equal(divergence.recorded, noisy.history[divergence.iteration].queried)
    assert al.replay(noisy.history, X, y, NoisyNB()).n_labeled == noisy.n_labeled  # unverified replay goes through


def test_verify_catches_a_history_with_another_seed_at_the_initial_draw():
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), n_init=8, batch_size=5, max_iter=2)
    with pytest.raises(al.ReplayDivergence, match="iteration 0") as caught:
        al.replay(attrs.evolve(final.history, seed=final.seed + 1), X, y, GaussianNB(), verify=True)
    assert caught.value.state is None


def test_other_data_is_refused_before_any_fit():
    X, y = make_pool(60)
    X_test, y_test = make_pool(20, seed=5)
    history = al.run(X, y, GaussianNB(), n_init=5, batch_size=5, max_iter=2, X_test=X_test, y_test=y_test).history
    changed = X.copy()
    changed[17, 1] += 1e-9
    test = {"X_test": X_test, "y_test": y_test}
    cases = [
        ((changed, y), test, "X is not the pool"),
        ((X, 1 - y), test, "other labels"),
        ((X[:50], y[:50]), test, "pool of 60"),
        ((X, y), {}, "pass the same X_test"),
        ((X, y), {"X_test": X_test, "y_test": 1 - y_test}, "not the test set"),
    ]
    for (X_other, y_other), options, message in cases:
        with pytest.raises(ValueError, match=message):
            al.replay(history, X_other, y_other, NoFit(), **options)
        with pytest.raises(ValueError, match=message):
            al.resume(history, X_other, y_other, NoFit(), **options)
    assert al.replay(history, X, y, GaussianNB(), verify=True, **test).history == history


def flip(model, X, context: Context) -> np.ndarray:
    """A custom strategy: lowest first feature first."""
    return -np.asarray(X)[:, 0]


def test_a_strategy_function_must_be_passed_again():
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), strategy=flip, n_init=5, batch_size=5, max_iter=3)
    assert final.history.info["strategy"] == {"callable": f"{__name__}.flip"}
    with pytest.raises(ValueError, match="pass strategy="):
        al.replay(final.history, X, y, NoFit(), verify=True)
    with pytest.raises(ValueError, match="pass strategy="):
        al.resume(final.history, X, y, NoFit())
    assert al.replay(final.history, X, y, GaussianNB(), verify=True, strategy=flip) == final
    assert al.replay(final.history, X, y, GaussianNB(), verify=True, strategy={"flip": flip}) == final
    longer = al.run(X, y, GaussianNB(), strategy=flip, n_init=5, batch_size=5, max_iter=5)
    assert al.resume(final.history, X, y, GaussianNB(), strategy=flip, max_iter=5) == longer


def test_hand_taught_rounds_replay_but_cannot_be_verified():
    X, y = make_pool(40)
    state = al.fit_step(al.init_step(X, y, n_init=4), X, GaussianNB())
    new = state.unlabeled()[:2]
    state = al.fit_step(al.teach(state, new, y[new]), X, GaussianNB())
    assert al.replay(state.history, X, y, GaussianNB()) == state
    with pytest.raises(ValueError, match="iteration 1: strategy 'manual' is not a registered"):
        al.replay(state.history, X, y, NoFit(), verify=True)
    with pytest.raises(ValueError, match="'strategy'.*not made by run"):
        al.resume(state.history, X, y, NoFit())


def test_bad_replay_and_resume_arguments_are_clear_errors():
    X, y = make_pool(40)
    history = al.run(X, y, GaussianNB(), n_init=4, batch_size=4, max_iter=2).history
    with pytest.raises(ValueError, match="upto must be an iteration between 0 and 2"):
        al.replay(history, X, y, NoFit(), upto=3)
    with pytest.raises(ValueError, match="fit must be 'each' or 'last'"):
        al.replay(history, X, y, NoFit(), fit="some")
    with pytest.raises(ValueError, match="use fit='each'"):
        al.replay(history, X, y, NoFit(), verify=True, fit="last")
    with pytest.raises(ValueError, match="no records"):
        al.replay(attrs.evolve(history, records=()), X, y, NoFit())
    with pytest.raises(TypeError, match="History"):
        al.replay(list(history), X, y, NoFit())
    with pytest.raises(TypeError, match="random_state"):
        al.resume(history, X, y, NoFit(), random_state=1)


def test_trace_start_must_be_a_fitted_state_of_the_same_pool():
    X, y = make_pool(40)
    opened = al.init_step(X, y, n_init=4)
    with pytest.raises(ValueError, match="fitted state"):
        al.trace(X, y, NoFit(), n_init=4, start=opened)
    with pytest.raises(ValueError, match="pool of 40 rows but X has 30"):
        al.trace(X[:30], y[:30], NoFit(), n_init=4, start=al.fit_step(opened, X, GaussianNB()))
    with pytest.raises(TypeError, match="start must be an ALState"):
        al.trace(X, y, NoFit(), n_init=4, start=opened.history)


def with_utilities(history: al.History, iteration: int, utilities: np.ndarray) -> al.History:
    records = list(history.records)
    records[iteration] = attrs.evolve(records[iteration], utilities=utilities)
    return attrs.evolve(history, records=tuple(records))


def test_verify_compares_the_recomputed_utilities_so_a_forged_file_is_caught(tmp_path):
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=4)
    recorded = final.history[2].utilities
    forged = with_utilities(final.history, 2, np.r_[recorded[:1], recorded[1:] * 0.5])
    path = al.save_history(forged, tmp_path / "forged.json")  # a valid file: its digest is recomputed
    loaded = al.load_history(path)
    with pytest.raises(al.ReplayDivergence, match=r"iteration 2 \(utilities differ\)") as caught:
        al.replay(loaded, X, None, GaussianNB(), verify=True)
    divergence = caught.value
    assert divergence.differs == "utilities" and divergence.iteration == 2 and divergence.state.iteration == 1
    assert np.array_equal(divergence.recorded, divergence.replayed)  # the same points, best first
    assert np.array_equal(divergence.recorded_utilities, loaded[2].utilities)
    assert np.allclose(divergence.replayed_utilities, recorded, rtol=1e-12)
    assert "at 3 of 4 points" in str(divergence)
    assert al.replay(loaded, X, None, GaussianNB()).n_labeled == final.n_labeled  # unverified replay goes through


def test_verify_tolerates_rounding_in_the_utilities_and_treats_nan_as_equal():
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), "entropy", n_init=6, batch_size=4, max_iter=3)
    nudged = with_utilities(final.history, 1, final.history[1].utilities * (1 + 1e-12))
    assert al.replay(nudged, X, y, GaussianNB(), verify=True).history == nudged
    assert np.isnan(final.history[0].utilities).all()  # the initial draw has no utilities: NaN recorded and NaN checked


def test_verify_says_when_indices_differ():
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=2)
    other = al.run(X, y, GaussianNB(), "random", n_init=6, batch_size=4, max_iter=2)
    swapped = attrs.evolve(final.history, records=(final.history[0], other.history[1], final.history[2]))
    with pytest.raises(al.ReplayDivergence, match=r"iteration 1 \(indices differ\)") as caught:
        al.replay(swapped, X, y, GaussianNB(), verify=True, strategy="margin")
    assert caught.value.differs == "indices" and caught.value.recorded_utilities is None


def test_upto_takes_any_integer_numpy_included_and_refuses_other_types_by_name():
    X, y = make_pool(40)
    history = al.run(X, y, GaussianNB(), n_init=4, batch_size=4, max_iter=2).history
    for upto in (1, np.int64(1), np.int32(1), np.uint8(1)):
        assert al.replay(history, X, y, GaussianNB(), upto=upto).iteration == 1
        assert al.replay(history, X, y, GaussianNB(), upto=upto, fit="last").iteration == 1
    for upto in (True, 1.0, "1", np.float64(1.0), [1]):
        with pytest.raises(TypeError, match="upto must be an integer"):
            al.replay(history, X, y, NoFit(), upto=upto)
    for upto in (-1, 3, np.int64(3), 2**70):
        with pytest.raises(ValueError, match="upto must be an iteration between 0 and 2"):
            al.replay(history, X, y, NoFit(), upto=upto)


def test_verify_and_keep_models_must_be_booleans():
    X, y = make_pool(40)
    history = al.run(X, y, GaussianNB(), n_init=4, batch_size=4, max_iter=2).history
    for name in ("verify", "keep_models"):
        for bad in ("no", 1, None):
            with pytest.raises(TypeError, match=f"{name} must be True or False"):
                al.replay(history, X, y, NoFit(), **{name: bad})
    assert al.replay(history, X, y, GaussianNB(), verify=np.bool_(True), keep_models=np.True_).history[0].model


def test_a_recorded_representation_without_its_shape_is_a_clear_error(tmp_path):
    X, y = make_pool(40)
    history = al.run(X, y, GaussianNB(), n_init=4, batch_size=4, max_iter=1).history
    for recorded in ({"embedding": "0" * 64}, {"embedding": "0" * 64, "shape": 7}):
        forged = al.load_history(al.save_history(history.with_info({"representation": recorded}), tmp_path / "f.json"))
        for call in (al.replay, al.resume):
            with pytest.raises(ValueError, match="precomputed embeddings; pass representation="):
                call(forged, X, y, NoFit())
