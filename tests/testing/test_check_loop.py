"""check_loop: a composed step passes; steps broken in each way fail under the right property."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

import alfunc as al
from alfunc.testing import (
    LOOP_PROPERTIES,
    CentroidClassifier,
    PropertyFailed,
    check_loop,
)

X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [3.0, 1.0], [1.0, 3.0], [4.0, 4.0], [0.5, 0.5]])
Y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
MODEL = CentroidClassifier()


def margin_step(state):
    """The README's loop body: query 2 points by margin, then refit."""
    return al.fit_step(al.query_step(state, X, Y, "margin", 2), X, MODEL)


def test_a_composed_step_passes():
    check_loop(margin_step, X, Y)


def test_a_query_only_step_passes():
    check_loop(lambda state: al.query_step(state, X, Y, "entropy", 3), X, Y)


def globally_random_step(state):
    chosen = np.random.default_rng(np.random.randint(1 << 30)).choice(state.unlabeled(), 1)
    return al.fit_step(al.teach(state, chosen, Y[chosen]), X, MODEL)


def wrong_labels_step(state):
    chosen = al.select(state, X, "margin", 1)
    return al.fit_step(al.teach(state, chosen, 1 - Y[chosen]), X, MODEL)


def forgetful_step(state):
    """Refits but starts a fresh history."""
    new = margin_step(state)
    return attrs.evolve(new, history=al.History(new.seed, new.history[-1:]))


def unrecorded_step(state):
    """Adds a point to labeled without teaching it, so no record knows of it."""
    chosen = al.select(state, X, "margin", 1)
    return attrs.evolve(state, labeled=np.append(state.labeled, chosen), labels=np.append(state.labels, Y[chosen]))


def relabels_twice_step(state):
    """Appends an already labeled index."""
    return attrs.evolve(
        state, labeled=np.append(state.labeled, state.labeled[:1]), labels=np.append(state.labels, state.labels[:1])
    )


def idle_step(state):
    return state


def crashing_step(state):
    return al.query_step(state, X, Y, "margin", 0)


BROKEN = [
    (globally_random_step, "deterministic"),
    (wrong_labels_step, "growth"),
    (forgetful_step, "growth"),
    (idle_step, "growth"),
    (unrecorded_step, "replayable"),
    (relabels_twice_step, "partition"),
    (crashing_step, "runs"),
]


@pytest.mark.parametrize(("step", "broken"), BROKEN, ids=[s.__name__ for s, _ in BROKEN])
def test_each_broken_step_fails_with_its_property_named(step, broken):
    with pytest.raises(PropertyFailed) as caught:
        check_loop(step, X, Y, max_examples=10)
    assert caught.value.property == broken, str(caught.value)
    assert str(caught.value).startswith(f"property {broken!r} does not hold: {LOOP_PROPERTIES[broken]}")
    assert "labeled = [" in str(caught.value)


def test_a_step_that_changes_X_fails_as_impure():
    pool = X.copy()

    def step(state):
        pool[0, 0] += 1.0
        return state

    with pytest.raises(PropertyFailed) as caught:
        check_loop(step, pool, Y, max_examples=5)
    assert caught.value.property == "pure"


def test_bad_arguments_are_rejected_before_any_work():
    with pytest.raises(TypeError, match="step must be a callable"):
        check_loop("margin", X, Y)
    with pytest.raises(ValueError, match="y has 3 labels but X has 8 rows"):
        check_loop(margin_step, X, Y[:3])
    with pytest.raises(ValueError, match="at least two rows"):
        check_loop(margin_step, X[:1], Y[:1])
