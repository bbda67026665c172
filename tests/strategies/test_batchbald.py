"""BatchBALD: greedy joint mutual information checked against a brute-force enumeration, sampled configurations,
chunk-free batches, bad input, and scikit-activeml's BatchBALD on identical probabilities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import STRATEGIES, bagging, bald, batchbald, needs_ensemble, selects_batch
from alfunc.strategies.batchbald import Configurations, greedy_joint_information, joint_gains
from alfunc.testing import check_strategy


def entropy(p):
    p = np.asarray(p, dtype=float)
    return -sum(x * np.log(x) for x in p.ravel() if x > 0)


def joint_information(proba, batch):
    """I(y_batch; w) by enumerating every label configuration: H(y_batch) - sum_i E_w H(y_i | w)."""
    n_members, n_classes = proba.shape[1], proba.shape[2]
    joint = []
    for labels in itertools.product(range(n_classes), repeat=len(batch)):
        per_member = [np.prod([proba[i, k, c] for i, c in zip(batch, labels, strict=True)]) for k in range(n_members)]
        joint.append(np.mean(per_member))
    conditional = sum(np.mean([entropy(proba[i, k]) for k in range(n_members)]) for i in batch)
    return entropy(joint) - conditional


def brute_force_gains(proba, batch):
    """Every candidate's gain I(batch + x) - I(batch), by enumeration (nan for the batch's own points)."""
    base = joint_information(proba, batch) if batch else 0.0
    return np.array([np.nan if i in batch else joint_information(proba, [*batch, i]) - base for i in range(len(proba))])


@st.composite
def member_probabilities(draw, max_candidates=7):
    n = draw(st.integers(2, max_candidates))
    n_members = draw(st.integers(2, 4))
    n_classes = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    concentration = draw(st.sampled_from([0.3, 1.0, 5.0]))
    proba = rng.dirichlet(np.full(n_classes, concentration), size=(n, n_members))
    if draw(st.booleans()):  # some exact copies of candidates
        proba[rng.integers(0, n, size=2)] = proba[rng.integers(0, n, size=2)]
    return proba


@settings(max_examples=60, deadline=None)
@given(member_probabilities(), st.integers(1, 4))
def test_each_pick_has_the_largest_enumerated_gain_and_its_utility_is_that_gain(proba, batch_size):
    hashes = np.random.default_rng(0).random(len(proba))
    picks, gains = greedy_joint_information(proba, hashes, batch_size, 10**6, np.random.default_rng(0))
    assert picks.size == min(batch_size, len(proba)) and np.unique(picks).size == picks.size
    for step, pick in enumerate(picks):
        exact = brute_force_gains(proba, picks[:step].tolist())
        np.testing.assert_allclose(gains[step], exact[pick], atol=1e-10)
        assert exact[pick] >= np.nanmax(exact) - 1e-10, (step, exact)
    np.testing.assert_allclose(gains.sum(), joint_information(proba, picks.tolist()), atol=1e-9)


def test_a_copy_of_a_picked_point_gains_nothing_and_an_independent_point_does():
    # Worked by hand: member 0 says class 0 for candidates 0 and 1, members 1 and 2 say class 1 (BALD = H(1/3, 2/3)).
    # Given y_0 = 0 (probability 1/3) member 0 is known and candidate 2 is [0.9, 0.1]; given y_0 = 1 members 1, 2
    # remain, and candidate 2 is [0.5, 0.5]. So H(y_2 | y_0) = H(0.9, 0.1) / 3 + 2 ln 2 / 3, minus E_w H = H(0.9, 0.1).
    first = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    proba = np.array([first, first, [[0.9, 0.1], [0.9, 0.1], [0.1, 0.9]]])
    h = -(0.9 * np.log(0.9) + 0.1 * np.log(0.1))
    picks, gains = greedy_joint_information(proba, np.array([0.3, 0.2, 0.1]), 3, 100, np.random.default_rng(0))
    assert picks.tolist() == [0, 2, 1]
    np.testing.assert_allclose(
        gains, [-(np.log(1 / 3) / 3 + 2 * np.log(2 / 3) / 3), h / 3 + 2 * np.log(2) / 3 - h, 0.0]
    )


def test_sampled_configurations_estimate_the_exact_gains():
    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(3), size=(12, 4))
    batch = [proba[i] for i in (0, 1, 2, 3)]
    exact = Configurations.empty(4)
    for point in batch:
        exact = exact.extended(point, 10**6, rng, [])
    assert not exact.sampled and exact.weight.size == 3**4
    sampled = Configurations.drawn(batch, 40_000, np.random.default_rng(0))
    assert sampled.sampled and sampled.weight.size == 40_000
    conditional = np.array([np.mean([entropy(p) for p in proba[i]]) for i in range(4, 12)])
    truth = joint_gains(exact, proba[4:], conditional)
    np.testing.assert_allclose(truth, brute_force_gains(proba, [0, 1, 2, 3])[4:], atol=1e-10)
    np.testing.assert_allclose(joint_gains(sampled, proba[4:], conditional), truth, atol=0.02)


def test_the_exact_configurations_give_way_to_a_seeded_sample_beyond_the_limit():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(3), size=(30, 5))
    hashes = rng.random(30)
    first = greedy_joint_information(proba, hashes, 6, 20, np.random.default_rng(7))
    again = greedy_joint_information(proba, hashes, 6, 20, np.random.default_rng(7))
    other = greedy_joint_information(proba, hashes, 6, 20, np.random.default_rng(8))
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1][3:], other[1][3:])  # beyond 9 configurations, the draws matter
    np.testing.assert_array_equal(first[1][:3], other[1][:3])  # 1, 3, 9 configurations: exact, no draw
    # members with 0/1 probabilities leave at most one configuration per member: exact all along
    hard = np.eye(3)[rng.integers(0, 3, size=(30, 5))]
    configurations = Configurations.empty(5)
    for point in hard[:10]:
        configurations = configurations.extended(point, 5, rng, [])
    assert not configurations.sampled and configurations.weight.size <= 5


@pytest.fixture(scope="module")
def forest_state():
    X, y = make_classification(n_samples=150, n_features=5, n_classes=3, n_informative=3, random_state=2)
    forest = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0)
    return X, y, al.fit_step(al.init_step(X, y, n_init=15, random_state=0), X, forest)


@pytest.mark.parametrize("n_configurations", [1000, 8])
def test_the_batch_does_not_depend_on_the_block_or_chunk_size(forest_state, n_configurations):
    X, _, state = forest_state
    expected = al.select(state, X, batchbald(n_configurations=n_configurations), 8, return_utilities=True)
    for block_rows in (1, 7, 200):
        for chunk_size in (None, 1, 7):
            strategy = batchbald(n_configurations=n_configurations, block_rows=block_rows)
            got = al.select(state, X, strategy, 8, chunk_size=chunk_size, return_utilities=True)
            np.testing.assert_array_equal(got[0], expected[0])
            np.testing.assert_array_equal(got[1], expected[1])


def test_first_pick_is_balds_and_the_batch_avoids_copies(forest_state):
    X, y, state = forest_state
    twice = np.vstack([X, X])
    start = al.init_step(twice, np.concatenate([y, y]), initial=state.labeled)
    doubled = al.fit_step(start, twice, RandomForestClassifier(8, random_state=0))
    greedy = al.select(doubled, twice, bald(), 6)
    joint, gains = al.select(doubled, twice, batchbald(), 6, return_utilities=True)
    assert joint[0] == greedy[0]
    assert np.unique(joint % 150).size == 6, "BatchBALD never takes both copies of a row while others gain"
    assert np.unique(greedy % 150).size < 6, "BALD does: the case is a real test"
    assert (np.diff(gains) <= 1e-12).all()


def test_batchbald_is_registered_marked_and_named():
    strategy = STRATEGIES["batchbald"]
    assert strategy.__name__ == "batchbald" and selects_batch(strategy) and needs_ensemble(strategy)
    assert not needs_ensemble(batchbald(bagging(3)))
    assert batchbald(n_configurations=50, block_rows=3).__name__ == "batchbald(n_configurations=50, block_rows=3)"


def test_batchbald_passes_check_strategy_with_sampled_configurations_and_with_a_committee():
    check_strategy(batchbald(n_configurations=3), max_examples=25)
    check_strategy(batchbald(bagging(3), n_configurations=4), max_examples=15)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"n_configurations": 0}, ValueError, "n_configurations must be an int >= 1, got 0"),
        ({"n_configurations": 2.5}, TypeError, "n_configurations must be an int >= 1"),
        ({"block_rows": 0}, ValueError, "block_rows must be an int >= 1, got 0"),
        ({"committee": "forest"}, TypeError, "estimators must be a list"),
    ],
)
def test_bad_parameters_are_refused_up_front(arguments, error, message):
    with pytest.raises(error, match=message):
        batchbald(**arguments)


def test_a_model_that_is_not_an_ensemble_is_refused_by_select():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=8, random_state=0), X, LogisticRegression())
    with pytest.raises(TypeError, match="needs a fitted ensemble"):
        al.select(state, X, "batchbald", 3)
    assert al.select(state, X, batchbald(bagging(3)), 3).size == 3


def test_agrees_with_scikit_activeml_batchbald_on_identical_probabilities():
    bald_module = pytest.importorskip("skactiveml.pool._bald")
    rng = np.random.default_rng(0)
    for trial in range(20):
        n_classes = 2 + trial % 3
        batch_size = 4 if n_classes < 4 else 3
        proba = rng.dirichlet(np.ones(n_classes), size=(60, 5))  # (candidates, members, classes)
        exact_limit = n_classes ** (batch_size - 1)  # enough configurations for both to stay exact
        theirs = bald_module.batch_bald(
            proba.transpose(1, 0, 2).copy(), batch_size, n_MC_samples=exact_limit, eps=1e-300, random_state=0
        )
        their_picks = np.nanargmax(theirs, axis=1)
        picks, gains = greedy_joint_information(proba, rng.random(60), batch_size, exact_limit, rng)
        np.testing.assert_array_equal(picks, their_picks)
        # their utilities are the joint information of batch + candidate; ours its increments
        np.testing.assert_allclose(np.cumsum(gains), theirs[np.arange(batch_size), their_picks], atol=1e-9)
