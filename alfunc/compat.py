"""``StandardAL``: the ml-research 0.5.3 facade, a thin layer over the pure steps.

Switching from ml-research is one import::

    from alfunc import StandardAL   # was: from mlresearch.active_learning import StandardAL

Everything the facade does is ``init_step``, ``query_step`` and ``fit_step`` on an
``ALState`` it keeps in ``state_``; the mutable attributes ml-research users
read (``labeled_pool_``, ``metadata_``, ``classifier_``) are views derived from
that state after each step.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import get_scorer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from alfunc.core.oracle import check_label_array
from alfunc.core.representation import check_representation
from alfunc.core.rng import root_entropy, step_seed
from alfunc.core.rows import n_rows
from alfunc.core.state import ALState, History
from alfunc.core.validation import (
    accepts_missing_values,
    check_estimator,
    check_labels_for,
    check_pool,
    check_test_set,
    is_count,
)
from alfunc.engine.capabilities import check_capabilities
from alfunc.engine.steps import fit_step, init_step, initial_state, query_step
from alfunc.strategies import STRATEGIES, Strategy, check_model_kind, resolve_strategy, uses_classifier
from alfunc.strategies.uncertainty import predict_proba, shannon_entropy, top_two_gap

DEFAULT_FRACTION = 0.02


def breaking_ties(probabilities: np.ndarray) -> np.ndarray:
    """Minus the gap between the two most likely classes (higher = closer to a tie).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.compat import breaking_ties
    >>> probabilities = np.array([[0.5, 0.4, 0.1], [0.9, 0.05, 0.05], [0.45, 0.1, 0.45]])
    >>> [round(float(score), 2) for score in breaking_ties(probabilities)]
    [-0.1, -0.85, 0.0]
    """
    return -top_two_gap(np.asarray(probabilities, dtype=np.float64))


def entropy(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row in bits, with 0 log 0 = 0 (never NaN).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.compat import entropy
    >>> probabilities = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.25, 0.25, 0.5]])
    >>> [round(float(bits), 3) for bits in entropy(probabilities)]
    [1.0, 0.0, 1.5]
    """
    return shannon_entropy(probabilities) / np.log(2)


def random(probabilities: np.ndarray) -> np.ndarray:
    """Equal scores for every row: the seeded tie-break of ``select`` makes the batch random.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.compat import random
    >>> random(np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])).tolist()
    [0.0, 0.0, 0.0]
    """
    return np.zeros(np.asarray(probabilities).shape[0])


ACQUISITION_FUNCTIONS: MappingProxyType[str, Callable[[np.ndarray], np.ndarray]] = MappingProxyType(
    {"entropy": entropy, "breaking_ties": breaking_ties, "random": random}
)


def acquisition_strategy(acquisition_func: Callable[[np.ndarray], np.ndarray]) -> Strategy:
    """An alfunc utility strategy scoring candidates with ``acquisition_func(predict_proba(rows))``.

    Examples
    --------
    An ml-research acquisition function (probabilities -> scores) used in an alfunc run:

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.compat import acquisition_strategy
    >>> def least_confident(probabilities):
    ...     return 1 - probabilities.max(axis=1)
    >>> strategy = acquisition_strategy(least_confident)
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), strategy, n_init=6, batch_size=4, max_iter=2)
    >>> final.n_labeled, final.history[-1].strategy
    (14, 'least_confident')
    >>> utilities = strategy(final.model, X[:3], None)
    >>> utilities.shape, bool((utilities >= 0).all())
    ((3,), True)
    """

    @uses_classifier
    def strategy(model: Any, X: Any, context: Any) -> np.ndarray:
        return acquisition_func(predict_proba(model, X))

    strategy.__name__ = getattr(acquisition_func, "__name__", type(acquisition_func).__name__)
    # Functions take new attributes, but their type declares none: set the mark by name.
    setattr(strategy, "needs_proba", True)  # noqa: B010
    return strategy


class StandardAL(ClassifierMixin, BaseEstimator):
    """Pool-based active learning with the constructor and attributes of ml-research's ``StandardAL``.

    Parameters
    ----------
    classifier : estimator, default=None
        Cloned, never modified. ``None`` means
        ``RandomForestClassifier(random_state=random_state)``. When the
        classifier's own ``random_state`` parameter is None, ``random_state`` is
        pushed into the clone (an int as is; a generator as an int drawn once);
        when both are None, every fit seeds it from the run's seed and the
        iteration, as ``fit_step`` does. A class instead of an instance, an
        object that is not an estimator, a regressor, or a model without
        ``predict_proba`` for a strategy that reads it is refused by ``fit``
        and ``initialization`` before any work.
    acquisition_func : {"random", "entropy", "breaking_ties"}, str or callable, default=None
        A name (run as alfunc's strategy of that name; ``"breaking_ties"`` is
        ``"margin"``) or a function mapping a probability matrix to one score
        per row, higher = queried first. ``None`` is ``"random"``. The
        name -> function table is ``alfunc.compat.ACQUISITION_FUNCTIONS``. Any
        other name registered in ``alfunc.STRATEGIES`` (``"badge"``,
        ``"k_center_greedy"``, ...) is an alfunc extension: ``acquisition_func_``
        is then that strategy function.
    n_init : int or float, default=None
        Initial labeled points: an int >= 1, or a float in (0, 1) as a fraction
        of the pool (rounded); ``None`` is 2 % of the pool. At least 2.
    budget : int or float, default=None
        Points labeled per iteration, given like ``n_init``; at least 1.
    max_iter : int, default=None
        Query rounds of ``fit``; ``None`` is enough rounds to label the whole pool.
    evaluation_metric : str or scorer, default=None
        A scorer name (``"f1_weighted"``) or a scorer ``(estimator, X, y) ->
        float``; ``None`` is accuracy. Like every parameter, it is checked by
        ``fit`` and ``initialization`` (the scikit-learn convention), not here.
    continue_training : bool, default=False
        Each iteration starts from a copy of the previous model instead of a
        fresh clone (it matters for ``warm_start`` estimators); metadata entries
        then hold no ``"classifier"``.
    random_state : None, int, numpy Generator or RandomState, default=None
        Root seed of the run (``None`` draws fresh entropy, kept in ``state_``).
    representation : {"input", "model"}, array or callable, default=None
        The geometry of strategies that measure distances (an alfunc extension;
        see ``alfunc.core.representation``): ``None`` is the input for numeric
        pools and the model's own features otherwise.

    Attributes
    ----------
    state_ : ALState
        The pure state the facade is a view of; continue with alfunc's steps from it.
    classifier_ : estimator
        The model fitted on the current ``labeled_pool_`` (absent until the first fit).
    labeled_pool_ : ndarray of bool, shape (n_samples,)
        True for labeled pool rows (a fresh array after every step).
    metadata_ : dict
        ``"data"`` (X, y), ``"performance_metric"`` (the score function's name),
        then one entry per iteration ``0 ... n``: entry 0 holds
        ``"labeled_pool"``; entry i >= 1 holds ``"labeled_pool"``,
        ``"train_score"`` (on that pool), ``"test_score"`` (when a test set was
        given) and ``"classifier"`` (unless ``continue_training``), all for the
        model fitted on entry i's pool.
    acquisition_func_, evaluation_metric_, n_init_, budget_, max_iter_
        The resolved parameters.

    Notes
    -----
    Where alfunc differs from ml-research 0.5.3 (on purpose):

    * ``"random"`` is a seeded uniform sample of the unlabeled pool;
      ml-research gives every point the same score and its stable argsort,
      reversed, always takes the highest indices.
    * ``"entropy"`` uses 0 log 0 = 0; ml-research turns p = 0 into NaN, and
      NaN sorts as the largest score, so it queried the most confident points.
    * Ties are broken by a seeded hash of the pool index, not in favour of
      later indices.
    * Metadata entry i's classifier and scores belong to the model trained on
      entry i's ``labeled_pool``, and every iteration ends with a fit on the
      new pool, so ``classifier_`` has seen the final pool. In ml-research entry
      i's classifier was trained on entry i-1's pool and no model saw the last
      batch.
    * ``predict`` uses ``classifier_``; ml-research predicted with the
      iteration of best *test* score, which selects a model on the test set.
    * ``fit`` (and ``initialization``) can be called again: they start from
      scratch. ml-research raised ``StopIteration``.
    * ``max_iter=None`` takes ``ceil`` of the rounds needed, so the whole pool
      is labeled; ml-research rounded and could leave points unlabeled.
    * ``initialization`` never modifies ``initial_selection`` nor ``X``/``y``;
      importing alfunc registers no scorer and changes no warning filter.
    * ``ACQUISITION_FUNCTIONS`` is read-only (ml-research invited editing its
      global dict); pass your own function as ``acquisition_func`` instead.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc import StandardAL
    >>> X, y = load_iris(return_X_y=True)
    >>> model = StandardAL(GaussianNB(), "entropy", n_init=10, budget=10, max_iter=3, random_state=0)
    >>> model = model.fit(X, y)
    >>> model.max_iter_, int(model.labeled_pool_.sum()), model.state_.n_labeled
    (3, 40, 40)

    ``metadata_`` holds the data, the metric's name and one entry per iteration:

    >>> len(model.metadata_), model.metadata_["performance_metric"]
    (6, 'accuracy_score')
    >>> sorted(model.metadata_[0]), sorted(model.metadata_[3])
    (['labeled_pool'], ['classifier', 'labeled_pool', 'train_score'])
    >>> model.predict(X[[0, 50, 100]]).tolist()
    [0, 1, 2]

    ``max_iter=None`` runs until the pool is labeled (float counts are pool fractions):

    >>> StandardAL(GaussianNB(), n_init=10, budget=0.2, random_state=0).fit(X, y).max_iter_
    5
    """

    def __init__(
        self,
        classifier: Any = None,
        acquisition_func: str | Callable | None = None,
        n_init: int | float | None = None,
        budget: int | float | None = None,
        max_iter: int | None = None,
        evaluation_metric: Any = None,
        continue_training: bool = False,
        random_state: Any = None,
        representation: Any = None,
    ):
        self.classifier = classifier
        self.acquisition_func = acquisition_func
        self.n_init = n_init
        self.budget = budget
        self.max_iter = max_iter
        self.evaluation_metric = evaluation_metric
        self.continue_training = continue_training
        self.random_state = random_state
        self.representation = representation

    def fit(self, X: Any, y: Any, X_test: Any = None, y_test: Any = None) -> StandardAL:
        """Run ``max_iter_`` iterations (or until the pool is labeled) from a fresh start."""
        self.initialization(X, y, X_test=X_test, y_test=y_test)
        X, y = self.metadata_["data"]
        while self.state_.iteration < self.max_iter_ and self.state_.n_unlabeled:
            self.iteration(X, y, X_test=X_test, y_test=y_test)
        if self.state_.pending is not None:  # no round ran: fit the initial pool
            self._fit(X, X_test, y_test, record=False)
        return self

    def initialization(
        self, X: Any, y: Any, initial_selection: Any = None, X_test: Any = None, y_test: Any = None
    ) -> StandardAL:
        """Resolve the parameters and label the initial pool (random, or ``initial_selection``).

        ``initial_selection`` may be a boolean mask or pool indices. No model is
        fitted yet: the first ``iteration`` fits the initial pool before querying.
        """
        X = check_pool(X, check_finite=not accepts_missing_values(self.classifier))
        y = _check_simulation_labels(check_labels_for(y, n_rows(X)))
        check_test_set(X_test, y_test, X)
        self.representation_ = check_representation(self.representation, X)
        chosen = None if initial_selection is None else _selection_indices(initial_selection, n_rows(X))
        self._resolve(n_rows(X), None if chosen is None else chosen.size)
        seed = root_entropy(self.random_state)
        state = init_step(X, y, self.n_init_, seed) if chosen is None else _given_initial_state(chosen, y, seed)
        self.__dict__.pop("classifier_", None)
        self._base = self._classifier_for(seed)
        self.metadata_: dict[str | int, Any] = {
            "data": (X, y),
            "performance_metric": _metric_name(self.evaluation_metric_),
        }
        self._update(state)
        return self

    def iteration(self, X: Any, y: Any, X_test: Any = None, y_test: Any = None) -> StandardAL:
        """Query ``budget_`` points with the model of the current pool and refit on the new pool."""
        if not hasattr(self, "state_"):
            raise NotFittedError(f"{type(self).__name__} is not initialized yet; call initialization(X, y) first")
        if self.state_.pending is not None:
            self._fit(X, X_test, y_test, record=False)
        self._update(query_step(self.state_, X, y, self._strategy, self.budget_, representation=self.representation_))
        self._fit(X, X_test, y_test)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict with ``classifier_``, the model fitted on the current labeled pool."""
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict(X)

    def _resolve(self, n_pool: int, n_given: int | None) -> None:
        """Check every parameter and set the resolved ``*_`` attributes (before any work)."""
        if not isinstance(self.continue_training, bool):
            raise TypeError(f"continue_training must be a bool, got {self.continue_training!r}")
        self.n_init_ = max(2, _count(self.n_init, n_pool, "n_init")) if n_given is None else n_given
        self.budget_ = max(1, _count(self.budget, n_pool, "budget"))
        if self.n_init_ > n_pool:
            raise ValueError(f"n_init ({self.n_init_}) must not exceed the pool size {n_pool}")
        self.max_iter_ = _max_iter(self.max_iter, n_pool - self.n_init_, self.budget_)
        self.acquisition_func_, self._strategy = _acquisition(self.acquisition_func)
        self.evaluation_metric_ = _scorer(self.evaluation_metric)
        classifier = RandomForestClassifier() if self.classifier is None else self.classifier
        check_estimator(classifier, "classifier")
        name, strategy = resolve_strategy(self._strategy)
        check_model_kind(name, strategy, classifier, "classifier")
        check_capabilities(name, strategy, classifier, "classifier")

    def _classifier_for(self, seed: int) -> Any:
        """A clone of the classifier with the run's seed pushed into an unset ``random_state``."""
        pushed = _classifier_seed(self.random_state, seed)
        if self.classifier is None:
            return RandomForestClassifier(random_state=pushed)
        base = clone(self.classifier)
        if pushed is not None and base.get_params(deep=False).get("random_state", 0) is None:
            base.set_params(random_state=pushed)
        return base

    def _fit(self, X: Any, X_test: Any, y_test: Any, *, record: bool = True) -> None:
        """``fit_step`` on the current state; ``record`` adds the metadata entry of this pool."""
        estimator = _Continued(getattr(self, "classifier_", self._base)) if self.continue_training else self._base
        state = fit_step(self.state_, X, estimator, X_test, y_test, self.evaluation_metric_)
        model = state.model.fitted_ if self.continue_training else state.model
        self.classifier_ = model
        self.state_: ALState = state
        if record:
            scores = state.history[-1].scores
            entry = self.metadata_[state.iteration]
            entry["train_score"] = scores["train_score"]
            if "test_score" in scores:
                entry["test_score"] = scores["test_score"]
            if not self.continue_training:
                entry["classifier"] = model

    def _update(self, state: ALState) -> None:
        """Adopt ``state`` and open its metadata entry with the labeled pool."""
        self.state_ = state
        self.labeled_pool_ = state.labeled_mask()
        self.metadata_[state.iteration] = {"labeled_pool": self.labeled_pool_.copy()}


class _Continued(ClassifierMixin, BaseEstimator):
    """``continue_training``: an estimator whose fit continues a copy of ``model``.

    ``fit_step`` clones its estimator; cloning this one keeps the (fitted)
    ``model`` it starts from, and ``fit`` trains a deep copy, so the model held
    by an earlier state is never changed.
    """

    def __init__(self, model: Any):
        self.model = model

    def __sklearn_clone__(self) -> _Continued:
        return _Continued(self.model)

    def fit(self, X: Any, y: Any) -> _Continued:
        self.fitted_ = copy.deepcopy(self.model).fit(X, y)
        self.classes_ = getattr(self.fitted_, "classes_", None)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.fitted_.predict(X)

    @available_if(lambda self: hasattr(self.model, "predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return self.fitted_.predict_proba(X)

    @available_if(lambda self: hasattr(self.model, "decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        return self.fitted_.decision_function(X)


def _count(value: Any, n_pool: int, name: str) -> int:
    """ml-research's count rule: an int >= 1 as is, a float in (0, 1) (or None) as a pool fraction."""
    if value is None:
        value = DEFAULT_FRACTION
    if is_count(value):
        if value < 1:
            raise ValueError(f"{name} must be an int >= 1 or a fraction in (0, 1), got {value}")
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and 0.0 < float(value) < 1.0:
        return int(np.round(float(value) * n_pool))
    raise ValueError(f"{name} must be an int >= 1, a float fraction in (0, 1) or None, got {value!r}")


def _max_iter(max_iter: Any, n_to_label: int, budget: int) -> int:
    if max_iter is None:
        return math.ceil(n_to_label / budget)
    if not is_count(max_iter) or max_iter < 0:
        raise ValueError(f"max_iter must be None or an int >= 0, got {max_iter!r}")
    return int(max_iter)


def _acquisition(acquisition_func: Any) -> tuple[Callable, str | Strategy]:
    """``(acquisition_func_, alfunc strategy or its registered name)`` for a name, a callable or None."""
    if acquisition_func is None:
        acquisition_func = "random"
    if isinstance(acquisition_func, str):
        if acquisition_func in ACQUISITION_FUNCTIONS:
            return ACQUISITION_FUNCTIONS[acquisition_func], acquisition_func
        if acquisition_func in STRATEGIES:
            return STRATEGIES[acquisition_func], acquisition_func
        raise ValueError(
            f"acquisition_func must be one of {sorted(ACQUISITION_FUNCTIONS)}, another alfunc strategy name "
            f"or a callable, got {acquisition_func!r}"
        )
    if callable(acquisition_func):
        return acquisition_func, acquisition_strategy(acquisition_func)
    raise TypeError(f"acquisition_func must be a name, a callable or None, got {type(acquisition_func).__name__}")


def _scorer(evaluation_metric: Any) -> Callable:
    if evaluation_metric is None:
        return get_scorer("accuracy")
    if isinstance(evaluation_metric, str):
        try:
            return get_scorer(evaluation_metric)
        except ValueError:
            raise ValueError(
                f"evaluation_metric must be a scikit-learn scorer name (see sklearn.metrics.get_scorer_names()) "
                f"or a scorer, got {evaluation_metric!r}"
            ) from None
    if callable(evaluation_metric):
        return evaluation_metric
    raise TypeError(
        f"evaluation_metric must be None, a scorer name or a scorer, got {type(evaluation_metric).__name__}"
    )


def _metric_name(scorer: Callable) -> str:
    """The score function's name (``f1_score`` for ``"f1_weighted"``), as ml-research records it."""
    function = getattr(scorer, "_score_func", scorer)
    return getattr(function, "__name__", type(function).__name__)


def _classifier_seed(random_state: Any, seed: int) -> int | None:
    """The ``random_state`` to push into the classifier: the int given, or one drawn from the run seed."""
    if random_state is None:
        return None
    if is_count(random_state):
        return int(random_state)
    return int(step_seed(seed, 0, "classifier").generate_state(1)[0])


def _check_simulation_labels(y: np.ndarray) -> np.ndarray:
    """``check_label_array`` for ``y``, saying where partial labels go instead (StandardAL simulates a full y)."""
    try:
        return check_label_array(y, "y")
    except ValueError as error:
        raise ValueError(
            f"{error}. StandardAL simulates the annotator from y, so every label must be known: "
            "for a pool with unknown labels use alfunc.run(X, oracle, ...) with such an oracle"
        ) from None


def _given_initial_state(chosen: np.ndarray, y: np.ndarray, seed: int) -> ALState:
    """The state ``init_step`` would return had it drawn ``chosen`` (no model yet)."""
    return initial_state(chosen, y[chosen], y.shape[0], History(seed))


def _selection_indices(initial_selection: Any, n_pool: int) -> np.ndarray:
    """Pool indices from a boolean mask or an index array (never modified)."""
    selection = np.asarray(initial_selection)
    if selection.dtype == bool:
        if selection.shape != (n_pool,):
            raise ValueError(f"initial_selection as a mask must have shape ({n_pool},), got {selection.shape}")
        selection = np.flatnonzero(selection)
    if selection.ndim != 1 or selection.size == 0 or selection.dtype.kind not in "iu":
        raise ValueError("initial_selection must be a boolean mask over X or a non-empty 1-D array of indices")
    if selection.min() < 0 or selection.max() >= n_pool or np.unique(selection).size != selection.size:
        raise ValueError(f"initial_selection must hold distinct indices in [0, {n_pool})")
    return selection.astype(np.int64)
