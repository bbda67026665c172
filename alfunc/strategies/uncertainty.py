"""Uncertainty sampling: random, least confident, margin (breaking ties), entropy."""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.strategies.base import uses_classifier, uses_proba


def predict_proba(model: Any, X: Any) -> np.ndarray:
    """Class probabilities, with a clear error when the model cannot give them.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.svm import LinearSVC
    >>> from alfunc.strategies.uncertainty import predict_proba
    >>> X, y = [[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1]
    >>> predict_proba(LogisticRegression().fit(X, y), [[0.0], [3.0]]).round(2).tolist()
    [[0.5, 0.5], [0.05, 0.95]]
    >>> predict_proba(LinearSVC().fit(X, y), [[0.0]])
    Traceback (most recent call last):
    ...
    TypeError: this strategy needs predict_proba, which LinearSVC does not have; use 'margin' ...
    """
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"this strategy needs predict_proba, which {type(model).__name__} does not have; "
            "use 'margin' (works with decision_function) or wrap the model in CalibratedClassifierCV"
        )
    return np.asarray(model.predict_proba(X))


def random(model: Any, X: Any, context: Context) -> np.ndarray:
    """Random sampling: uniform random utilities, a seeded random sample of the pool.

    The passive-learning baseline every active-learning strategy is compared
    against (Settles 2009, "Active Learning Literature Survey"). Draws come
    from the selection's seed, never from a global generator.

    Parameters
    ----------
    model : estimator
        The state's fitted model.
    X : array-like, sparse matrix, DataFrame or list
        Candidate rows (a chunk of the unlabeled pool), in the pool's own container.
    context : Context
        The selection's context (candidates' pool indices, state, seeded random numbers, representation).

    Returns
    -------
    ndarray of shape (n_candidates,)
        One utility per candidate; higher is queried first.

    Examples
    --------
    It needs no model, so it can choose from a state that was never fitted;
    the state's seed fixes the sample, and it never picks a labeled point:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import random
    >>> X = np.arange(20.0).reshape(-1, 1)
    >>> state = al.init_step(X, (X[:, 0] > 9).astype(int), n_init=4, random_state=0)
    >>> idx, utilities = al.select(state, X, random, 3, return_utilities=True)
    >>> idx.tolist() == al.select(state, X, "random", 3).tolist()
    True
    >>> bool(np.isin(idx, state.labeled).any()), bool(((0 <= utilities) & (utilities < 1)).all())
    (False, True)
    """
    return context.uniform("random")


@uses_proba
@uses_classifier
def least_confident(model: Any, X: Any, context: Context) -> np.ndarray:
    """1 - max_c p(c|x): high when the most likely class is unlikely (Lewis & Gale 1994).

    Parameters
    ----------
    model : estimator
        The state's fitted model.
    X : array-like, sparse matrix, DataFrame or list
        Candidate rows (a chunk of the unlabeled pool), in the pool's own container.
    context : Context
        The selection's context (candidates' pool indices, state, seeded random numbers, representation).

    Returns
    -------
    ndarray of shape (n_candidates,)
        One utility per candidate; higher is queried first.

    Examples
    --------
    A model that learned "class 1 when x > 0" is least confident at 0, where
    it predicts ``[0.5, 0.5]`` (the strategy reads only the model, not the
    context):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import least_confident
    >>> model = LogisticRegression().fit([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1])
    >>> least_confident(model, np.array([[-3.0], [0.0], [0.5], [3.0]]), None).round(2).tolist()
    [0.05, 0.5, 0.38, 0.05]

    In a loop, ``select`` queries the unlabeled points nearest the boundary:

    >>> import alfunc as al
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> X[al.select(state, X, least_confident, 3), 0].tolist()
    [0.0, -1.0, 1.0]
    """
    return 1.0 - predict_proba(model, X).max(axis=1)


@uses_classifier
def margin(model: Any, X: Any, context: Context) -> np.ndarray:
    """1 - (p_first - p_second): high near the decision boundary (Scheffer et al. 2001).

    Called "breaking ties" by ml-research. Models without ``predict_proba`` but
    with ``decision_function`` use the gap between their two highest decision
    values (for a binary model, minus the distance to the boundary).

    Parameters
    ----------
    model : estimator
        The state's fitted model.
    X : array-like, sparse matrix, DataFrame or list
        Candidate rows (a chunk of the unlabeled pool), in the pool's own container.
    context : Context
        The selection's context (candidates' pool indices, state, seeded random numbers, representation).

    Returns
    -------
    ndarray of shape (n_candidates,)
        One utility per candidate; higher is queried first.

    Examples
    --------
    A model that learned "class 1 when x > 0" predicts ``[0.5, 0.5]`` at 0,
    where the margin utility peaks at 1 (the strategy reads only the model,
    so no context is needed here):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import margin
    >>> X_train, y_train = [[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1]
    >>> model = LogisticRegression().fit(X_train, y_train)
    >>> candidates = np.array([[-3.0], [0.0], [0.5], [3.0]])
    >>> model.predict_proba(candidates).round(2).tolist()
    [[0.95, 0.05], [0.5, 0.5], [0.38, 0.62], [0.05, 0.95]]
    >>> margin(model, candidates, None).round(2).tolist()
    [0.09, 1.0, 0.75, 0.09]

    A model without ``predict_proba`` is ranked by its decision function:

    >>> from sklearn.svm import LinearSVC
    >>> int(np.argmax(margin(LinearSVC().fit(X_train, y_train), candidates, None)))
    1

    In a loop, ``select`` queries the unlabeled points nearest the boundary,
    best first:

    >>> import alfunc as al
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> sorted(X[state.labeled, 0].tolist())
    [-3.0, -2.5, -0.5, 0.5, 1.5, 2.5]
    >>> idx, utilities = al.select(state, X, "margin", 3, return_utilities=True)
    >>> X[idx, 0].tolist(), utilities.round(2).tolist()
    ([0.0, -1.0, 1.0], [0.92, 0.58, 0.45])
    """
    if hasattr(model, "predict_proba"):
        return 1.0 - top_two_gap(np.asarray(model.predict_proba(X)))
    if hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X), dtype=np.float64)
        return -np.abs(scores) if scores.ndim == 1 else -top_two_gap(scores)
    raise TypeError(f"'margin' needs predict_proba or decision_function, which {type(model).__name__} lacks")


@uses_proba
@uses_classifier
def entropy(model: Any, X: Any, context: Context) -> np.ndarray:
    """Entropy sampling (Settles & Craven 2008): Shannon entropy of p(.|x) in nats, with 0 log 0 = 0 (never NaN).

    Parameters
    ----------
    model : estimator
        The state's fitted model.
    X : array-like, sparse matrix, DataFrame or list
        Candidate rows (a chunk of the unlabeled pool), in the pool's own container.
    context : Context
        The selection's context (candidates' pool indices, state, seeded random numbers, representation).

    Returns
    -------
    ndarray of shape (n_candidates,)
        One utility per candidate; higher is queried first.

    Examples
    --------
    For two classes the utility peaks at ln 2 = 0.69 where the model
    predicts ``[0.5, 0.5]`` (the strategy reads only the model, not the
    context):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import entropy
    >>> model = LogisticRegression().fit([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1])
    >>> entropy(model, np.array([[-3.0], [0.0], [0.5], [3.0]]), None).round(2).tolist()
    [0.19, 0.69, 0.66, 0.19]

    In a loop, ``select`` queries the unlabeled points nearest the boundary:

    >>> import alfunc as al
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> X[al.select(state, X, "entropy", 3), 0].tolist()
    [0.0, -1.0, 1.0]
    """
    return shannon_entropy(predict_proba(model, X))


def shannon_entropy(proba: np.ndarray) -> np.ndarray:
    """Entropy in nats along the last axis, with 0 log 0 = 0 (never NaN).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.uncertainty import shannon_entropy
    >>> shannon_entropy([[0.5, 0.5], [0.9, 0.1]]).round(3).tolist()
    [0.693, 0.325]
    >>> float(shannon_entropy([1.0, 0.0])) == 0.0  # a certain prediction: 0 log 0 = 0, not NaN
    True
    >>> round(float(shannon_entropy([0.5, 0.5]) / np.log(2)), 3)  # in bits
    1.0
    >>> shannon_entropy(np.full((5, 3, 4), 0.25)).shape  # e.g. members x rows x classes
    (5, 3)
    """
    proba = np.asarray(proba, dtype=np.float64)
    logs = np.log(proba, out=np.zeros_like(proba), where=proba > 0)
    return -(proba * logs).sum(axis=-1)


def top_two_gap(scores: np.ndarray) -> np.ndarray:
    """Row-wise gap between the largest and second-largest values (0 for one column).

    One running (first, second) pass over the columns: a few whole-column
    operations instead of a per-row ``np.partition``, which is 3-15x slower for
    the handful of classes typical of AL (and the same order for 100 classes).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.uncertainty import top_two_gap
    >>> top_two_gap(np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2], [0.1, 0.3, 0.6]])).round(2).tolist()
    [0.5, 0.0, 0.3]
    >>> top_two_gap(np.ones((2, 1))).tolist()  # one class: no gap
    [0.0, 0.0]
    """
    if scores.shape[1] < 2:
        return np.zeros(scores.shape[0])
    first = np.array(scores[:, 0], dtype=np.float64)
    second = np.full(scores.shape[0], -np.inf)
    for j in range(1, scores.shape[1]):
        column = scores[:, j]
        np.maximum(second, np.minimum(first, column), out=second)
        np.maximum(first, column, out=first)
    return first - second
