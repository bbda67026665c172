"""class_balanced: batches spread over the predicted classes, best first within a class, falling back when one runs out."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import Fixed, hand_state
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import STRATEGIES, class_balanced, entropy, margin, needs_classifier, selects_batch
from alfunc.strategies.balance import balanced_picks
from alfunc.testing import check_strategy


def by_sign(X):
    """Predicted class: 'neg' left of 0, 'pos' right of it."""
    return np.where(np.asarray(X)[:, 0] < 0, "neg", "pos")


def closeness_to_zero(model, X, context):
    return -np.abs(np.asarray(X, dtype=float)[:, 0])


def line_state(labels):
    """Ten points on a line, -4.5..4.5; the first len(labels) positives are labeled (pool index 5 + i)."""
    X = np.arange(-4.5, 5.0, 1.0).reshape(-1, 1)
    labeled = np.arange(5, 5 + len(labels))
    return X, hand_state(10, labeled, labels, Fixed(predict=by_sign))


def test_hand_checked_batch_serves_the_rare_class_then_alternates():
    # labeled: 2 'pos' (indices 5, 6), no 'neg'. Candidates: neg 0..4 (x = -4.5..-0.5), pos 7..9 (x = 2.5..4.5).
    # By closeness to 0, neg goes 4, 3, 2, 1, 0 and pos 7, 8, 9. 'neg' has 0 labeled: it takes the first two picks
    # (4, 3); then the counts tie at 2 and the classes alternate: 2 and 7 (x = -2.5 and 2.5, equally close: the
    # seeded tie-break orders them), then 1 and 8.
    X, state = line_state(["pos", "pos"])
    strategy = class_balanced(closeness_to_zero)
    indices, utilities = al.select(state, X, strategy, 6, return_utilities=True)
    assert indices[:2].tolist() == [4, 3]
    assert sorted(indices[2:4].tolist()) == [2, 7]
    assert sorted(indices[4:].tolist()) == [1, 8]
    np.testing.assert_array_equal(utilities, -np.abs(X[indices, 0]))


def test_a_class_that_runs_out_drops_out_and_the_batch_stays_full():
    X, state = line_state(["pos", "pos"])
    indices = al.select(state, X, class_balanced(closeness_to_zero, balance="batch"), 8)
    assert sorted(indices.tolist()) == [0, 1, 2, 3, 4, 7, 8, 9]  # every candidate; pos ran out after three
    assert sorted(X[indices[:6], 0] > 0) == [False, False, False, True, True, True]


def test_balanced_picks_by_hand():
    order = np.array([0, 1, 2, 3, 4, 5])  # position 0 best
    classes = np.array([1, 1, 1, 1, 0, 2])
    # labeled counts 5, 0, 1. Pick 0 (class 1: 0 -> 1); classes 1 and 2 tie at 1 and class 1's next (1) ranks
    # above class 2's (5): pick 1 (class 1 -> 2); class 2 has fewest: pick 5 (-> 2); class 2 is out, class 1 has
    # fewest: 2, then 3 (class 1 -> 4); class 1 is out: 4, class 0's only candidate.
    assert balanced_picks(order, classes, 3, 6, counts=np.array([5, 0, 1])).tolist() == [0, 1, 5, 2, 3, 4]
    assert balanced_picks(order, classes, 3, 3).tolist() == [0, 4, 5]  # round robin, best next candidate first


@st.composite
def labeled_line(draw):
    n = draw(st.integers(4, 25))
    X = np.array(draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))).reshape(-1, 1)
    n_labeled = draw(st.integers(1, n - 1))
    labels = draw(st.lists(st.sampled_from(["neg", "pos"]), min_size=n_labeled, max_size=n_labeled))
    return X, hand_state(n, np.arange(n_labeled), labels, Fixed(predict=by_sign)), draw(st.integers(1, n))


@settings(max_examples=60, deadline=None)
@given(labeled_line())
def test_batches_are_as_balanced_as_the_candidates_allow_and_best_first_within_a_class(case):
    X, state, k = case
    indices, utilities = al.select(state, X, class_balanced(closeness_to_zero), k, return_utilities=True)
    candidates = state.unlabeled()
    predicted, available = by_sign(X[indices]), by_sign(X[candidates])
    counts = {c: int((np.asarray(state.labels) == c).sum()) + int((predicted == c).sum()) for c in ("neg", "pos")}
    full = [c for c in ("neg", "pos") if (predicted == c).sum() < (available == c).sum()]
    if len(full) == 2:  # both classes could have given more: their totals differ by at most one, or the
        # labeled imbalance was larger than the batch and every pick went to the rare class
        assert abs(counts["neg"] - counts["pos"]) <= 1 or len(set(predicted.tolist())) == 1
    for c in ("neg", "pos"):
        mine = utilities[predicted == c]
        rest = -np.abs(X[candidates[available == c], 0])
        assert (np.diff(mine) <= 0).all()
        if mine.size:
            assert np.isclose(mine.sum(), np.sort(rest)[::-1][: mine.size].sum())  # the class's best ones


def test_renaming_the_classes_changes_nothing():
    X, y = make_blobs(n_samples=150, centers=3, random_state=1)
    names = np.array(["ant", "bee", "cat"])
    initial = np.concatenate([np.flatnonzero(y == 0)[:6], np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 2)[:1]])
    batches = []
    for labels in (y, y + 1, names[y]):
        state = al.fit_step(al.init_step(X, labels, initial=initial), X, LogisticRegression())
        batches.append(al.select(state, X, "class_balanced_margin", 9))
    assert all(np.array_equal(batch, batches[0]) for batch in batches)


def test_registered_marked_named_and_checked():
    strategy = STRATEGIES["class_balanced_margin"]
    assert strategy.__name__ == "class_balanced(margin)" and selects_batch(strategy) and needs_classifier(strategy)
    assert class_balanced(entropy, balance="batch").__name__ == "class_balanced(entropy,balance=batch)"
    check_strategy(class_balanced(entropy, balance="batch"), max_examples=30)
    check_strategy(class_balanced(margin), max_examples=20)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("kmeans",), TypeError, "'kmeans' is a batch strategy"),
        ((None,), TypeError, "strategy must be a utility strategy"),
        (("margin", "even"), ValueError, "balance must be one of"),
    ],
)
def test_bad_arguments_are_refused_up_front(arguments, error, message):
    with pytest.raises(error, match=message):
        class_balanced(*arguments)


def _whole_pool_balanced(state, X, batch_size, balance):
    """The batch from a full sort of every candidate (how the batch was defined before streaming)."""
    from alfunc.core.rng import hashed_uniform, step_salt

    candidates = state.unlabeled()
    context = al.Context(state, X, candidates, state.next_iteration)
    utilities = margin(state.model, X[candidates], context)
    predicted = state.model.predict(X[candidates])
    labels = np.asarray(state.labels)
    classes, codes = np.unique(np.concatenate([labels, predicted]), return_inverse=True)
    counts = np.bincount(codes[: labels.size], minlength=classes.size) if balance == "labeled" else None
    hashes = hashed_uniform(candidates, step_salt(state.seed, state.next_iteration, "tie-break"))
    order = np.lexsort((candidates, -hashes, -utilities))
    picks = balanced_picks(order, codes[labels.size :], classes.size, batch_size, counts)
    return candidates[picks]


@pytest.mark.parametrize("balance", ["labeled", "batch"])
@pytest.mark.parametrize("batch_size", [1, 7, 40])
def test_streaming_per_class_top_k_equals_a_full_sort_over_many_chunks(balance, batch_size):
    """30,000 rows span several model chunks; rounded utilities make many ties for the hash to break."""
    X, y = make_blobs(n_samples=30_000, centers=4, n_features=20, cluster_std=4.0, random_state=3)
    X = X.round(0)
    initial = np.concatenate([np.flatnonzero(y == c)[: 20 if c == 0 else 2] for c in range(4)])
    state = al.fit_step(al.init_step(X, y, initial=initial), X, LogisticRegression(max_iter=300))
    batch = al.select(state, X, class_balanced("margin", balance=balance), batch_size)
    np.testing.assert_array_equal(batch, _whole_pool_balanced(state, X, batch_size, balance))
