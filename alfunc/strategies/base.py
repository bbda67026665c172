"""The two kinds of strategy and how they are marked.

* A utility strategy is a pure function ``(model, X_candidates, context) ->
  utilities``: one float per candidate row, higher = query first. ``select``
  calls it chunk by chunk and keeps a streaming top-k, so it must score each row
  independently of the others in its chunk.
* A batch strategy (marked with ``@batch_strategy``) chooses the whole batch at
  once, for diversity-aware selection: ``(model, X, context, batch_size) ->
  (indices, utilities)``, where ``X`` is the whole pool, ``context.candidates``
  holds every unlabeled index in increasing order, and the result lists
  ``min(batch_size, n_candidates)`` distinct candidates, best first.

``X`` is any pool the estimator takes (a list of documents, a DataFrame, a
sparse matrix, ...), so a strategy never indexes it: rows for the model come
from ``alfunc.core.rows.take_rows``, and distances from the run's
representation, ``context.features`` (mark such a strategy ``@uses_features``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from alfunc.core.context import Context

Strategy = Callable[[Any, Any, Context], np.ndarray]
BatchStrategy = Callable[[Any, Any, Context, int], tuple[np.ndarray, np.ndarray]]
_S = TypeVar("_S", bound=Strategy | BatchStrategy)
_B = TypeVar("_B", bound=BatchStrategy)


def uses_classifier(strategy: _S) -> _S:
    """Mark a strategy that scores candidates with a fitted classifier.

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import needs_classifier, uses_classifier
    >>> @uses_classifier
    ... def least_probable_top_class(model, X, context):
    ...     return 1.0 - model.predict_proba(X).max(axis=1)
    >>> needs_classifier(least_probable_top_class)
    True

    The mark lets ``select`` refuse a state that has no fitted model yet, and
    ``run`` refuse a regressor, before any work is done:

    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.init_step(X, y, n_init=6, random_state=0)
    >>> al.select(state, X, least_probable_top_class, 5)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'least_probable_top_class' needs a fitted model; call fit_step on the state first
    >>> state = al.fit_step(state, X, LogisticRegression())
    >>> len(al.select(state, X, least_probable_top_class, 5))
    5
    """
    return _marked(strategy, "needs_classifier")


def uses_regressor(strategy: _S) -> _S:
    """Mark a strategy that scores candidates with a fitted regressor (e.g. prediction variance).

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> from alfunc.strategies import check_model_kind, needs_regressor, uses_regressor
    >>> @uses_regressor
    ... def farthest_prediction(model, X, context):
    ...     return abs(model.predict(X))
    >>> needs_regressor(farthest_prediction)
    True
    >>> check_model_kind("farthest_prediction", farthest_prediction, LinearRegression())  # fine
    >>> check_model_kind("farthest_prediction", farthest_prediction, LogisticRegression())
    Traceback (most recent call last):
    ...
    TypeError: strategy 'farthest_prediction' needs a regressor; estimator (LogisticRegression) is not one
    """
    return _marked(strategy, "needs_regressor")


def uses_ensemble(strategy: _S) -> _S:
    """Mark a strategy that reads the members (``estimators_``) of a fitted ensemble model.

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from alfunc.strategies import needs_ensemble, uses_classifier, uses_ensemble
    >>> @uses_ensemble
    ... @uses_classifier
    ... def tree_disagreement(model, X, context):
    ...     votes = np.stack([tree.predict(X) for tree in model.estimators_])
    ...     return votes.std(axis=0)
    >>> needs_ensemble(tree_disagreement)
    True
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=5, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, forest)
    >>> len(al.select(state, X, tree_disagreement, 5))
    5
    """
    return _marked(strategy, "needs_ensemble")


def batch_strategy(strategy: _B) -> _B:
    """Mark a strategy that chooses a whole batch jointly (see the module docstring).

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    A batch strategy sees the whole pool ``X`` and every unlabeled index in
    ``context.candidates``, and returns ``(indices, utilities)``, best first.
    ``X`` may hold documents or a DataFrame: take rows for the model with
    ``alfunc.core.rows.take_rows``, and numbers from ``context.features``:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import batch_strategy, selects_batch
    >>> @batch_strategy
    ... def largest_first_feature(model, X, context, batch_size):
    ...     first_feature = context.features()[:, 0]  # one value per candidate
    ...     order = np.argsort(-first_feature, kind="stable")[:batch_size]
    ...     return context.candidates[order], first_feature[order]
    >>> selects_batch(largest_first_feature)
    True
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0, 1] * 5)
    >>> state = al.init_step(X, y, n_init=3, random_state=0)
    >>> sorted(state.labeled.tolist())
    [0, 7, 9]
    >>> al.select(state, X, largest_first_feature, 3).tolist()
    [8, 6, 5]
    """
    return _marked(strategy, "selects_batch")


def uses_proba(strategy: _S) -> _S:
    """Mark a strategy that reads the model's ``predict_proba``, so an estimator without it is refused before any fit.

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, needs_proba, uses_proba
    >>> @uses_proba
    ... def least_probable(model, X, context):
    ...     return 1.0 - model.predict_proba(X).max(axis=1)
    >>> needs_proba(least_probable), needs_proba(STRATEGIES["entropy"]), needs_proba(STRATEGIES["margin"])
    (True, True, False)
    """
    return _marked(strategy, "needs_proba")


def uses_features(strategy: _S) -> _S:
    """Mark a strategy that measures distances or densities in the run's representation.

    ``select`` then computes a model-made representation (a pipeline's
    transform, an MLP's hidden layer, a callable) once for the whole pool and
    lets ``context.features`` read it, instead of recomputing it on every call.

    Parameters
    ----------
    strategy : callable
        The strategy function to mark (it is returned, marked).

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import needs_features, uses_features
    >>> @uses_features
    ... def far_from_origin(model, X, context):
    ...     return np.linalg.norm(context.features(), axis=1)
    >>> needs_features(far_from_origin)
    True
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> state = al.init_step(X, np.array([0, 1] * 5), n_init=3, random_state=0)
    >>> al.select(state, X, far_from_origin, 2).tolist()
    [8, 6]
    """
    return _marked(strategy, "needs_features")


def _marked(strategy: _S, mark: str) -> _S:
    # Functions take new attributes, but their type declares none: set the mark by name.
    setattr(strategy, mark, True)
    return strategy


def per_selection(strategy: _S, factory: Callable[[], Callable]) -> _S:
    """Mark ``strategy`` as a stand-in that ``select`` replaces with ``factory()`` once per selection.

    For strategies that keep a memo (a fitted committee) and so must not be
    shared between selections: see ``alfunc.strategies.committee.fresh_each_selection``.

    Parameters
    ----------
    strategy : callable
        The stand-in, used as it is when called outside ``select``.
    factory : callable
        Makes the instance a selection uses; called with no arguments.

    Returns
    -------
    callable
        ``strategy`` itself, marked.

    Examples
    --------
    >>> from alfunc.strategies import for_selection, margin
    >>> from alfunc.strategies.base import per_selection
    >>> def stand_in(model, X, context):
    ...     return margin(model, X, context)
    >>> for_selection(per_selection(stand_in, lambda: margin)) is margin
    True
    """
    # Functions take new attributes, but their type declares none: set the factory by name.
    setattr(strategy, "per_selection", factory)  # noqa: B010
    return strategy


def for_selection(strategy: _S) -> _S:
    """The instance of ``strategy`` one selection should use: a fresh one for a ``per_selection`` stand-in.

    ``select`` calls it once, before scoring any chunk; code that scores a
    pool in chunks itself should do the same.

    Parameters
    ----------
    strategy : callable
        A strategy, possibly a ``per_selection`` stand-in.

    Returns
    -------
    callable
        ``strategy``'s factory's new instance, or ``strategy`` itself.

    Examples
    --------
    >>> import alfunc as al
    >>> from alfunc.strategies import for_selection
    >>> fresh = for_selection(al.STRATEGIES["vote_entropy"])
    >>> fresh is al.STRATEGIES["vote_entropy"], fresh.__name__
    (False, 'vote_entropy')
    >>> for_selection(al.STRATEGIES["margin"]) is al.STRATEGIES["margin"]
    True
    """
    factory = getattr(strategy, "per_selection", None)
    return strategy if factory is None else factory()


UTILITY_CALL = """Parameters
----------
model : estimator
    The state's fitted model.
X : array-like, sparse matrix, DataFrame or list
    Candidate rows of the pool (a chunk of the unlabeled pool), in the pool's own container.
context : Context
    The selection's context: candidates' pool indices, state, seeded random numbers, representation.

Returns
-------
ndarray of shape (n_candidates,)
    One utility per candidate row; higher is queried first."""

BATCH_CALL = """Parameters
----------
model : estimator
    The state's fitted model.
X : array-like, sparse matrix, DataFrame or list
    The whole pool, in its own container.
context : Context
    The selection's context; ``context.candidates`` holds every unlabeled index in increasing order.
batch_size : int
    Number of points to choose.

Returns
-------
indices : ndarray of shape (min(batch_size, n_candidates),)
    Distinct pool indices of the chosen candidates, best first.
utilities : ndarray of the same shape
    Their utilities."""


def described(strategy: _S, summary: str, *details: str) -> _S:
    """Give a strategy made by a factory a docstring of its own, so ``help(strategy)`` names its method.

    A factory returns a new function on each call, whose docstring would
    otherwise be that of an inner function (often none). The docstring is
    ``summary`` (the method and its paper), the ``details`` paragraphs, and
    the calling convention of the strategy's kind (utility or batch, from
    ``selects_batch``), so mark the strategy before describing it.

    Parameters
    ----------
    strategy : callable
        The strategy function; it is returned with its ``__doc__`` set (nothing else changes).
    summary : str
        One line: the method, how it scores, and the paper it follows.
    *details : str
        Further paragraphs, typically the factory's arguments as this strategy holds them.

    Returns
    -------
    callable
        ``strategy`` itself.

    Examples
    --------
    >>> from alfunc.strategies import margin, uses_classifier
    >>> from alfunc.strategies.base import described
    >>> @uses_classifier
    ... def halved_margin(model, X, context):
    ...     return margin(model, X, context) / 2
    >>> strategy = described(halved_margin, "Half the margin utility (Scheffer et al. 2001).", "Made for a test.")
    >>> print(strategy.__doc__.split("Parameters")[0].strip())
    Half the margin utility (Scheffer et al. 2001).
    <BLANKLINE>
    Made for a test.
    >>> "batch_size" in strategy.__doc__  # a utility strategy: (model, X, context)
    False
    """
    call = BATCH_CALL if getattr(strategy, "selects_batch", False) else UTILITY_CALL
    # Functions take a __doc__, but the callable type declares none: set it by name.
    setattr(strategy, "__doc__", "\n\n".join([summary.strip(), *(d.strip() for d in details), call]))  # noqa: B010
    return strategy


INHERITED_MARKS = ("needs_classifier", "needs_regressor", "needs_ensemble", "needs_features", "needs_proba")


def inherit_needs(strategy: Callable, *parts: Callable) -> Callable:
    """Mark a strategy built from ``parts`` with every model need (and use of features) any part has.

    Parameters
    ----------
    strategy : callable
        The combined strategy to mark.
    *parts : callable
        The strategies it is built from.

    Returns
    -------
    callable
        ``strategy`` itself, marked.

    Examples
    --------
    >>> from alfunc.strategies import inherit_needs, margin, needs_classifier
    >>> def half_margin(model, X, context):
    ...     return margin(model, X, context) / 2
    >>> needs_classifier(half_margin)
    False
    >>> needs_classifier(inherit_needs(half_margin, margin))
    True
    """
    for need in INHERITED_MARKS:
        if any(getattr(part, need, False) for part in parts):
            setattr(strategy, need, True)
    return strategy


def check_model_kind(name: str, strategy: Callable, estimator: Any, estimator_name: str = "estimator") -> None:
    """Refuse, before any fit, an estimator of the wrong kind for ``strategy``.

    Parameters
    ----------
    name : str
        The strategy's name, for the message.
    strategy : callable
        The strategy function.
    estimator : estimator
        The estimator the run would fit.
    estimator_name : str, default="estimator"
        What to call the estimator in the message.

    Raises
    ------
    TypeError
        When the strategy needs a classifier and ``estimator`` is not one, or a regressor and it is not one.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> from alfunc.strategies import STRATEGIES, check_model_kind, margin
    >>> check_model_kind("margin", margin, LogisticRegression())  # a classifier: nothing to say
    >>> check_model_kind("margin", margin, LinearRegression())
    Traceback (most recent call last):
    ...
    TypeError: strategy 'margin' needs a classifier; estimator (LinearRegression) is not one
    >>> check_model_kind("bald", STRATEGIES["bald"], LogisticRegression(), "model")
    Traceback (most recent call last):
    ...
    TypeError: strategy 'bald' reads the members of an ensemble; model (LogisticRegression) is not one (...)
    """
    from sklearn.base import is_classifier, is_regressor
    from sklearn.ensemble import BaseEnsemble

    kind = type(estimator).__name__
    if needs_classifier(strategy) and not is_classifier(estimator):
        raise TypeError(f"strategy {name!r} needs a classifier; {estimator_name} ({kind}) is not one")
    if needs_regressor(strategy) and not is_regressor(estimator):
        raise TypeError(f"strategy {name!r} needs a regressor; {estimator_name} ({kind}) is not one")
    if needs_ensemble(strategy) and not isinstance(estimator, BaseEnsemble):
        raise TypeError(
            f"strategy {name!r} reads the members of an ensemble; {estimator_name} ({kind}) is not one "
            "(use e.g. RandomForestClassifier, or a committee from alfunc.strategies.bagging)"
        )


def needs_classifier(strategy: Callable) -> bool:
    """True when the strategy scores candidates with a fitted classifier.

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, needs_classifier
    >>> needs_classifier(STRATEGIES["margin"]), needs_classifier(STRATEGIES["random"])
    (True, False)
    >>> needs_classifier(STRATEGIES["typiclust"])  # cold start: looks only at the pool
    False
    """
    return bool(getattr(strategy, "needs_classifier", False))


def needs_regressor(strategy: Callable) -> bool:
    """True when the strategy scores candidates with a fitted regressor.

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, needs_regressor
    >>> needs_regressor(STRATEGIES["committee_variance"]), needs_regressor(STRATEGIES["margin"])
    (True, False)
    """
    return bool(getattr(strategy, "needs_regressor", False))


def needs_ensemble(strategy: Callable) -> bool:
    """True when the strategy needs an ensemble model such as a random forest.

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, bagging, bald, needs_ensemble
    >>> needs_ensemble(STRATEGIES["bald"])  # reads the trees of a fitted forest
    True
    >>> needs_ensemble(bald(bagging(3)))  # fits its own committee: any classifier will do
    False
    """
    return bool(getattr(strategy, "needs_ensemble", False))


def selects_batch(strategy: Callable) -> bool:
    """True for a batch strategy, False for a utility strategy.

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, selects_batch
    >>> selects_batch(STRATEGIES["kmeans"]), selects_batch(STRATEGIES["margin"])
    (True, False)
    """
    return bool(getattr(strategy, "selects_batch", False))


def needs_features(strategy: Callable) -> bool:
    """True for a strategy marked with ``uses_features`` (it reads ``context.features``).

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, needs_features
    >>> needs_features(STRATEGIES["k_center_greedy"]), needs_features(STRATEGIES["margin"])
    (True, False)
    """
    return bool(getattr(strategy, "needs_features", False))


def needs_proba(strategy: Callable) -> bool:
    """True for a strategy marked with ``uses_proba`` (it reads ``predict_proba``; ``margin`` does not need it).

    Parameters
    ----------
    strategy : callable
        A strategy function.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES, needs_proba
    >>> needs_proba(STRATEGIES["badge"]), needs_proba(STRATEGIES["k_center_greedy"])
    (True, False)
    """
    return bool(getattr(strategy, "needs_proba", False))
