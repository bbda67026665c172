"""progress reaches long queries: select and query_step pass it to the strategy's Context, run/trace pass it on."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

import alfunc as al

RNG = np.random.default_rng(5)
X = RNG.standard_normal((120, 2))
Y = (X[:, 0] > 0).astype(int)


def seen_progress(context_progress):
    """A utility strategy that records the progress flag of each chunk's context."""

    def strategy(model, X_candidates, context):
        context_progress.append(context.progress)
        return list(context.ticking(context.uniform("seen"), context.candidates.size, "seen"))

    return strategy


def test_select_sets_the_context_flag_for_every_chunk_only_when_asked():
    state = al.init_step(X, Y, n_init=10, random_state=0)
    flags = []
    strategy = seen_progress(flags)
    quiet = al.select(state, X, strategy, 3, chunk_size=40)
    assert flags == [False] * 3
    flags.clear()
    assert np.array_equal(al.select(state, X, strategy, 3, chunk_size=40, progress=True), quiet)
    assert flags == [True] * 3


def test_query_step_passes_progress_to_select(capsys):
    state = al.fit_step(al.init_step(X, Y, n_init=10, random_state=0), X, GaussianNB())
    loud = al.query_step(state, X, Y, "eer_zero_one", 2, progress=True)
    assert "EER refits" in capsys.readouterr().err
    assert loud == al.query_step(state, X, Y, "eer_zero_one", 2)
    assert capsys.readouterr().err == ""


def test_a_run_with_progress_shows_the_bar_of_each_long_query_and_the_same_states(capsys):
    options = {"n_init": 10, "batch_size": 5, "max_iter": 2, "random_state": 0}
    loud = list(al.trace(X, Y, GaussianNB(), "typiclust", progress=True, **options))
    err = capsys.readouterr().err
    assert "typiclust picks" in err and "3/3" in err  # the picks' bar and the run's bar of fits
    assert loud == list(al.trace(X, Y, GaussianNB(), "typiclust", **options))


@pytest.mark.parametrize("progress", ["yes", 1, None])
def test_select_refuses_a_progress_that_is_not_a_bool(progress):
    state = al.init_step(X, Y, n_init=10, random_state=0)
    with pytest.raises(TypeError, match="progress must be True or False"):
        al.select(state, X, "random", 3, progress=progress)
