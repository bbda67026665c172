"""What ``select`` accepts from a strategy: one real number per candidate, or an error naming the strategy.

Issue 15: a strategy returning strings ended in numpy's conversion error, which
does not say which strategy; numeric strings and complex numbers were converted
silently; ``+inf`` (an overflow, a division by zero) was ranked first.
"""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.strategies import batch_strategy

X, Y = make_classification(n_samples=30, n_features=4, random_state=0)
STATE = al.fit_step(al.init_step(X, Y, n_init=6, random_state=0), X, GaussianNB())
N = STATE.n_unlabeled  # one chunk holds every candidate unless a test asks for smaller ones


def returning(make):
    """A utility strategy named ``odd_strategy`` whose answer for ``n`` candidates is ``make(n)``."""

    def odd_strategy(model, X, context):
        return make(len(context.candidates))

    return odd_strategy


def batch_returning(make):
    """A batch strategy named ``odd_batch`` that picks the first candidates, with ``make(k)`` as utilities."""

    @batch_strategy
    def odd_batch(model, X, context, batch_size):
        return context.candidates[:batch_size], make(batch_size)

    return odd_batch


def with_values(n, *values):
    """Zeros with ``values`` at the front (as floats)."""
    utilities = np.zeros(n)
    utilities[: len(values)] = values
    return utilities


# Each row: what the strategy returns for n candidates, the error, and what the message must say.
REFUSED = {
    "strings": (lambda n: np.array(["high"] * n), TypeError, r"dtype <U4 \(ndarray\)"),
    "numeric strings": (lambda n: [str(0.5)] * n, TypeError, r"dtype <U3 \(list\)"),
    "bytes": (lambda n: np.array([b"1"] * n), TypeError, r"dtype \|S1"),
    "a string among objects": (lambda n: np.array([0.5] * (n - 1) + ["x"], dtype=object), TypeError, "'x'"),
    "None among objects": (
        lambda n: [0.5] * (n - 2) + [None] * 2,
        TypeError,
        "2 of them None or strings, such as None",
    ),
    "None": (lambda n: None, TypeError, "returned None instead of"),
    "complex numbers": (lambda n: np.full(n, 1 + 2j), TypeError, "dtype complex128"),
    "dates": (lambda n: np.full(n, np.datetime64("2024-01-01")), TypeError, r"dtype datetime64\[D\]"),
    "durations": (lambda n: [datetime.timedelta(seconds=1)] * n, TypeError, "not all real numbers"),
    "a ragged list": (lambda n: [[0.5], [0.5, 0.5]] + [[0.5]] * (n - 2), TypeError, "list that is not an array"),
    "a dict": (lambda n: {"utility": 1.0}, TypeError, "not all real numbers"),
    "a scalar": (lambda n: 0.5, ValueError, r"shape \(\); expected \(24,\)"),
    "a column": (lambda n: np.zeros((n, 1)), ValueError, r"shape \(24, 1\); expected \(24,\)"),
    "too few": (lambda n: np.zeros(n - 1), ValueError, r"shape \(23,\); expected \(24,\)"),
    "NaN": (lambda n: with_values(n, np.nan, np.nan), ValueError, "returned NaN for 2 of 24 candidates"),
    "+inf": (lambda n: with_values(n, np.inf), ValueError, r"returned \+inf for 1 of 24 candidates"),
    "NaN and +inf": (
        lambda n: with_values(n, np.nan, np.inf, np.inf),
        ValueError,
        r"returned NaN for 1 and \+inf for 2 of 24 candidates",
    ),
    "+inf in float32": (lambda n: with_values(n, np.inf).astype(np.float32), ValueError, r"\+inf for 1 of 24"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_utility_strategy_returning_bad_utilities_is_refused_naming_it(case):
    make, error, message = REFUSED[case]
    assert N == 24
    with pytest.raises(error, match=message) as caught:
        al.select(STATE, X, returning(make), 3)
    assert "strategy 'odd_strategy' returned" in str(caught.value)
    assert caught.value.__cause__ is None, "the message is ours, not numpy's with ours on top"


BATCH_REFUSED = {
    "strings": (lambda k: np.array(["high"] * k), TypeError, "dtype <U4"),
    "NaN": (lambda k: with_values(k, np.nan), ValueError, "NaN for 1 of 3 candidates"),
    "+inf": (lambda k: with_values(k, np.inf), ValueError, r"\+inf for 1 of 3 candidates"),
    "too many": (lambda k: np.zeros(k + 1), ValueError, r"shape \(4,\); expected \(3,\)"),
}


@pytest.mark.parametrize("case", sorted(BATCH_REFUSED))
def test_a_batch_strategy_returning_bad_utilities_is_refused_naming_it(case):
    make, error, message = BATCH_REFUSED[case]
    with pytest.raises(error, match=message) as caught:
        al.select(STATE, X, batch_returning(make), 3)
    assert "strategy 'odd_batch' returned" in str(caught.value)


def test_run_refuses_bad_utilities_with_the_strategy_name_too():
    with pytest.raises(TypeError, match="strategy 'odd_strategy' returned utilities of dtype <U4"):
        al.run(X, Y, GaussianNB(), returning(lambda n: np.array(["high"] * n)), n_init=6, batch_size=3)


def test_the_error_is_raised_from_whichever_chunk_holds_the_bad_value():
    def nan_for_the_last_candidate(model, X, context):
        return np.where(context.candidates == STATE.unlabeled()[-1], np.nan, 0.0)

    for chunk_size in (None, 1, 5):
        with pytest.raises(ValueError, match="strategy 'nan_for_the_last_candidate' returned NaN for 1 of"):
            al.select(STATE, X, nan_for_the_last_candidate, 3, chunk_size=chunk_size)


ACCEPTED = {
    "float64": (lambda n: np.linspace(0, 1, n), np.linspace(0, 1, N)),
    "float32": (lambda n: np.linspace(0, 1, n, dtype=np.float32), np.linspace(0, 1, N, dtype=np.float32)),
    "integers": (lambda n: np.arange(n), np.arange(N)),
    "booleans": (lambda n: np.arange(n) % 2 == 1, (np.arange(N) % 2 == 1).astype(float)),
    "a list of floats": (lambda n: [i / n for i in range(n)], np.arange(N) / N),
    "Decimals": (lambda n: [decimal.Decimal(i) for i in range(n)], np.arange(N)),
    "a pandas Series": (lambda n: pd.Series(np.arange(n, dtype=float)), np.arange(N)),
    "-inf (rank last)": (lambda n: with_values(n, -np.inf, -np.inf), with_values(N, -np.inf, -np.inf)),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_real_numbers_of_any_numeric_kind_are_accepted_as_floats(case):
    make, expected = ACCEPTED[case]
    indices, utilities = al.select(STATE, X, returning(make), N, return_utilities=True)
    assert utilities.dtype == np.float64
    np.testing.assert_array_equal(np.sort(utilities), np.sort(np.asarray(expected, dtype=np.float64)))


def test_minus_inf_ranks_a_candidate_after_every_finite_one():
    last = STATE.unlabeled()[:2]

    def never_these_two(model, X, context):
        return np.where(np.isin(context.candidates, last), -np.inf, 0.0)

    indices, utilities = al.select(STATE, X, never_these_two, N, return_utilities=True)
    assert set(indices[-2:].tolist()) == set(last.tolist()) and np.isneginf(utilities[-2:]).all()
    assert not np.isin(al.select(STATE, X, never_these_two, N - 2), last).any()


# --- a batch strategy's indices are checked by _joint_batch, not checked_utilities ----------------
BAD_INDICES = {
    "floats": (lambda c, k: (c[:k].astype(float), np.zeros(k)), "float64"),
    "a negative index": (lambda c, k: (np.r_[-1, c[: k - 1]], np.zeros(k)), "-1"),
    "an index past the pool": (lambda c, k: (np.r_[99, c[: k - 1]], np.zeros(k)), "99"),
    "no pair": (lambda c, k: None, "odd_batch"),
}


@pytest.mark.parametrize("case", sorted(BAD_INDICES))
def test_a_batch_strategy_returning_bad_indices_is_refused_naming_it(case):
    make, detail = BAD_INDICES[case]

    @batch_strategy
    def odd_batch(model, X, context, batch_size):
        return make(context.candidates, batch_size)

    with pytest.raises((TypeError, ValueError), match="odd_batch") as caught:
        al.select(STATE, X, odd_batch, 3)
    assert detail in str(caught.value)
