"""Committees: who votes in query-by-committee, and how members' answers line up.

A committee source is a function ``(model, context) -> members`` returning
fitted estimators. Three kinds:

* ``bagging(n_members)``: bootstrap clones of an estimator (by default the
  state's model) fitted on resamples of the labeled set (Abe & Mamitsuka 1998);
* ``committee_of(estimators)``: clones of the given estimators, each fitted on
  the whole labeled set;
* ``ensemble_members()``: the members (``estimators_``) of a fitted ensemble
  such as a random forest; nothing is fitted.

Fitting sources draw their randomness from ``context.generator`` (fixed by the
seed and the iteration), so every chunk of one selection gets the same
committee. ``select`` calls a strategy once per chunk; to fit the committee
once per selection rather than once per chunk, each fitting source keeps its
last committee, keyed by a digest of everything the fit depends on (seed,
iteration, labeled rows, labels, estimator parameters). That memo belongs to
the source object the user created (never module-level), and it never changes
a result: a hit returns exactly what a refit would. The registered names hold
no memo: ``fresh_each_selection`` has ``select`` build their committee
strategy anew once per selection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor

from alfunc.core.context import Context
from alfunc.core.facts import data_fingerprint
from alfunc.core.rows import take_rows
from alfunc.core.validation import check_estimator, check_positive_int
from alfunc.strategies.base import per_selection

Committee = tuple[Any, ...]
CommitteeSource = Callable[[Any, Context], Committee]


def bagging(n_members: int = 5, estimator: Any = None, stratify: bool | str | None = None) -> CommitteeSource:
    """Bootstrap clones of ``estimator`` (default: the state's model) fitted on the labeled set.

    Classifiers are resampled within each class (a stratified bootstrap), so
    every member sees every labeled class. Members that take a
    ``random_state`` get one drawn from the selection's generator, and the
    resamples come from it too (fixed by the state's seed and iteration), so
    a committee is reproducible.

    On an imbalanced labeled set a stratified bootstrap keeps the imbalance:
    ``stratify="balanced"`` draws ``ceil(n / n_classes)`` rows with
    replacement from every class instead, so each member is fitted on a
    balanced resample (as balanced bagging does; a rare class's few rows are
    repeated).

    Parameters
    ----------
    n_members : int, default=5
        Committee size, at least 2.
    estimator : estimator or None, default=None
        What the members are clones of; ``None`` for the state's model.
    stratify : None, bool or "balanced", default=None
        ``None``: stratified for classifiers, plain for other estimators;
        ``True``: stratified (within each labeled class, keeping the class
        sizes); ``False``: a plain bootstrap of the labeled set (a member may
        miss a class); ``"balanced"``: the same number of rows from each class.
        ``True`` and ``"balanced"`` need class labels: a regressor raises
        ``TypeError`` when the committee is fitted.

    Returns
    -------
    callable
        A committee source ``(model, context) -> fitted members``.

    Examples
    --------
    A committee for query by committee, e.g. ``vote_entropy(bagging(3))``;
    called with the model and a selection's context, it returns fitted members:

    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import bagging, vote_entropy
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> source = bagging(3)
    >>> members = source(state.model, al.Context(state, X, state.unlabeled(), state.next_iteration))
    >>> len(members), type(members[0]).__name__
    (3, 'LogisticRegression')
    >>> len(al.select(state, X, vote_entropy(source), 5))
    5

    On an imbalanced labeled set, ``stratify="balanced"`` fits every member on
    as many rows of each class:

    >>> balanced = bagging(3, stratify="balanced")
    >>> len(al.select(state, X, vote_entropy(balanced), 5))
    5
    >>> bagging(3, stratify="yes")
    Traceback (most recent call last):
    ...
    ValueError: stratify must be None, True, False or 'balanced', got 'yes'
    >>> bagging(1)
    Traceback (most recent call last):
    ...
    ValueError: n_members must be at least 2 for a committee to disagree, got 1
    """
    n_members = check_positive_int(n_members, "n_members")
    if n_members < 2:
        raise ValueError(f"n_members must be at least 2 for a committee to disagree, got {n_members}")
    if estimator is not None:
        check_estimator(estimator)
    if not (stratify is None or isinstance(stratify, bool) or stratify == "balanced"):
        raise ValueError(f"stratify must be None, True, False or 'balanced', got {stratify!r}")

    def fit(model: Any, context: Context) -> Committee:
        base = model if estimator is None else estimator
        X_fit, y_fit = labeled_rows(context)
        rng = context.generator("committee-bagging")
        how = ("stratified" if is_classifier(base) else "plain") if stratify is None else _resampling(stratify)
        if how != "plain" and not is_classifier(base):
            raise TypeError(
                f"bagging(stratify={stratify!r}) resamples within classes, but {type(base).__name__} is not a "
                "classifier; use stratify=None or False"
            )
        return tuple(
            _fitted_clone(base, take_rows(X_fit, rows), y_fit[rows], rng)
            for rows in (bootstrap_rows(y_fit, rng, how) for _ in range(n_members))
        )

    return _memoized(fit, lambda model: (model if estimator is None else estimator,))


def committee_of(estimators: Sequence[Any]) -> CommitteeSource:
    """Clones of ``estimators``, each fitted on the whole labeled set.

    Parameters
    ----------
    estimators : sequence of estimators
        The members, cloned and fitted on the labeled set at each selection.

    Returns
    -------
    callable
        A committee source ``(model, context) -> fitted members``.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.strategies import committee_of, kl_divergence
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> source = committee_of([LogisticRegression(), GaussianNB()])
    >>> members = source(state.model, al.Context(state, X, state.unlabeled(), state.next_iteration))
    >>> [type(member).__name__ for member in members]
    ['LogisticRegression', 'GaussianNB']
    >>> len(al.select(state, X, kl_divergence(source), 5))
    5
    >>> committee_of([GaussianNB()])
    Traceback (most recent call last):
    ...
    TypeError: estimators must be a list of at least two estimators, got [...]
    """
    if isinstance(estimators, (str, bytes)) or not isinstance(estimators, Sequence) or len(estimators) < 2:
        raise TypeError(f"estimators must be a list of at least two estimators, got {estimators!r}")
    members = tuple(check_estimator(e, f"estimators[{i}]") for i, e in enumerate(estimators))

    def fit(model: Any, context: Context) -> Committee:
        X_fit, y_fit = labeled_rows(context)
        return tuple(_fitted(clone(member), X_fit, y_fit) for member in members)

    return _memoized(fit, lambda model: members)


def ensemble_members() -> CommitteeSource:
    """The fitted members (``estimators_``) of an ensemble model, e.g. a random forest.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import ensemble_members
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, forest)
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> members = ensemble_members()(state.model, context)
    >>> len(members), type(members[0]).__name__
    (4, 'DecisionTreeClassifier')
    >>> ensemble_members()(LogisticRegression(), context)
    Traceback (most recent call last):
    ...
    TypeError: ensemble_members needs a fitted ensemble ...; LogisticRegression is not one: use bagging() instead

    A classifier whose members are regressors (the stages of gradient boosting
    fit gradients, not classes) has no members that vote:

    >>> from sklearn.ensemble import GradientBoostingClassifier
    >>> boosted = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> ensemble_members()(boosted, context)
    Traceback (most recent call last):
    ...
    TypeError: the members of GradientBoostingClassifier are regressors (DecisionTreeRegressor), ...
    """

    def members(model: Any, context: Context) -> Committee:
        found = getattr(model, "estimators_", None)
        if found is None or hasattr(model, "estimators_features_"):
            raise TypeError(
                f"ensemble_members needs a fitted ensemble with estimators_ over all features "
                f"(e.g. RandomForestClassifier); {type(model).__name__} is not one: use bagging() instead"
            )
        found = tuple(found.ravel() if isinstance(found, np.ndarray) else found)
        regressors = [member for member in found if is_regressor(member)]
        if is_classifier(model) and regressors:
            raise TypeError(
                f"the members of {type(model).__name__} are regressors ({type(regressors[0]).__name__}), not "
                "classifiers that vote on the classes; use bagging() or committee_of([...]) instead"
            )
        if len(found) < 2:
            raise ValueError(f"the ensemble has {len(found)} member; a committee needs at least two")
        return found

    return members


def as_committee_source(committee: Any) -> CommitteeSource:
    """A committee source from ``None`` (bagging of 5), a list of estimators, or a source.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.strategies import ensemble_members
    >>> from alfunc.strategies.committee import as_committee_source
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, GaussianNB())
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> [type(m).__name__ for m in as_committee_source(None)(state.model, context)]  # bootstrap clones of the model
    ['GaussianNB', 'GaussianNB', 'GaussianNB', 'GaussianNB', 'GaussianNB']
    >>> [type(m).__name__ for m in as_committee_source([GaussianNB(), LogisticRegression()])(state.model, context)]
    ['GaussianNB', 'LogisticRegression']
    >>> source = ensemble_members()
    >>> as_committee_source(source) is source  # a source is used as it is
    True
    """
    if committee is None:
        return bagging()
    if callable(committee) and not hasattr(committee, "fit"):
        return committee
    return committee_of(committee)


def fresh_each_selection(factory: Callable[[], Callable]) -> Callable:
    """A registry strategy that ``select`` rebuilds with ``factory()`` once per selection.

    A committee strategy keeps its fitted committee in a memo of its own, so
    one instance in the (module-level) registry would carry a fitted committee
    from one selection, or one run, into the next. The registry holds this
    stateless stand-in instead: ``select`` asks ``for_selection`` for a fresh
    instance at the start of each selection and scores every chunk with it, so
    the committee is fitted once per selection whatever the chunking, and is
    dropped with the selection. Called directly (outside ``select``) it builds
    a fresh instance per call: the same utilities, refitted each time.

    Parameters
    ----------
    factory : callable
        Makes the strategy, e.g. ``vote_entropy`` (whose default committee is
        ``bagging(5)``); called with no arguments.

    Returns
    -------
    callable
        The stand-in, with the marks and name of a ``factory()`` instance.

    Examples
    --------
    This is how the registry holds ``"vote_entropy"``:

    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import for_selection, needs_classifier, vote_entropy
    >>> from alfunc.strategies.committee import fresh_each_selection
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> strategy = fresh_each_selection(vote_entropy)
    >>> strategy.__name__, needs_classifier(strategy), for_selection(strategy) is strategy
    ('vote_entropy', True, False)
    >>> len(al.select(state, X, strategy, 5, chunk_size=7))  # one committee for all 5 chunks
    5
    """
    template = factory()

    def strategy(model: Any, X: Any, context: Context) -> np.ndarray:
        return factory()(model, X, context)

    strategy.__dict__.update(template.__dict__)
    strategy.__name__ = strategy.__qualname__ = template.__name__
    strategy.__doc__ = factory.__doc__ or template.__doc__
    return per_selection(strategy, factory)


def labeled_rows(context: Context) -> tuple[Any, np.ndarray]:
    """The labeled rows and labels in increasing pool-index order (as ``fit_step`` fits them).

    The rows come in the pool's own container (``take_rows``): a list of
    documents gives a list, a DataFrame a DataFrame with its column names.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> import numpy as np
    >>> from alfunc.strategies.committee import labeled_rows
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> X_fit, y_fit = labeled_rows(context)
    >>> X_fit.shape
    (6, 4)
    >>> y_fit.tolist() == y[np.sort(state.labeled)].tolist()
    True
    """
    return context.state.training_set(context.X)


def member_probabilities(members: Committee, X: Any, classes: np.ndarray) -> np.ndarray:
    """``(n_members, n_rows, n_classes)`` probabilities, columns aligned to ``classes``.

    Examples
    --------
    A member fitted on classes 0 and 2 only gets a zero column for class 1:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies.committee import member_probabilities
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> both = LogisticRegression().fit(X, [0, 0, 1, 1, 2, 2])
    >>> ends = LogisticRegression().fit(X[[0, 1, 4, 5]], [0, 0, 2, 2])
    >>> proba = member_probabilities((both, ends), X[:2], np.array([0, 1, 2]))
    >>> proba.shape
    (2, 2, 3)
    >>> proba[1, :, 1].tolist(), np.allclose(proba.sum(axis=2), 1.0)
    ([0.0, 0.0], True)
    """
    return np.stack([_aligned_proba(member, X, classes) for member in members])


def member_votes(members: Committee, X: Any, classes: np.ndarray) -> np.ndarray:
    """``(n_members, n_rows)`` predicted class positions in ``classes``.

    What a member's predictions mean is decided once per member, from its
    ``classes_`` (as ``member_probabilities`` aligns its columns), never from
    the values it happens to predict on some rows: a member whose ``classes_``
    are among ``classes`` votes with labels; one whose ``classes_`` are
    ``0..n_classes-1`` while the labels are something else votes with class
    positions (the trees of a random forest are fitted on encoded labels).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from alfunc.strategies.committee import member_votes
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> low = DecisionTreeClassifier().fit(X, ["a", "a", "b", "b"])
    >>> high = DecisionTreeClassifier().fit(X, ["a", "b", "b", "b"])
    >>> member_votes((low, high), X, np.array(["a", "b"])).tolist()  # the members disagree on row 1
    [[0, 0, 1, 1], [0, 1, 1, 1]]

    The trees of a forest fitted on labels 1, 2, 3 predict 0.0, 1.0, 2.0
    (positions), also on rows where every prediction happens to be a label:

    >>> from sklearn.ensemble import RandomForestClassifier
    >>> forest = RandomForestClassifier(n_estimators=2, bootstrap=False, random_state=0).fit(X, [1, 2, 3, 3])
    >>> forest.estimators_[0].classes_.tolist(), forest.estimators_[0].predict(X[1:]).tolist()
    ([0.0, 1.0, 2.0], [1.0, 2.0, 2.0])
    >>> member_votes(forest.estimators_, X[1:], np.array([1, 2, 3])).tolist()  # votes for 2, 3, 3
    [[1, 2, 2], [1, 2, 2]]
    """
    return np.stack([_member_votes(member, X, classes) for member in members])


def _member_votes(member: Any, X: Any, classes: np.ndarray) -> np.ndarray:
    predicted = np.asarray(member.predict(X))
    member_classes = getattr(member, "classes_", None)
    if member_classes is None:  # nothing to decode through: its predictions must be labels
        positions = _positions_in(predicted, classes)
        if positions is None:
            raise ValueError(
                f"committee member {type(member).__name__} has no classes_ and predicted "
                f"{_few(_unknown(predicted, classes))}, which are not among the labeled classes {_few(classes)}"
            )
        return positions
    member_classes = np.asarray(member_classes)
    codes = _positions_in(predicted, member_classes)
    if codes is None:
        raise ValueError(
            f"committee member {type(member).__name__} predicted {_few(_unknown(predicted, member_classes))}, "
            f"which are not among its own classes_ {_few(member_classes)}"
        )
    return _class_positions(member_classes, classes, type(member).__name__)[codes]


def _aligned_proba(member: Any, X: Any, classes: np.ndarray) -> np.ndarray:
    if not hasattr(member, "predict_proba"):
        raise TypeError(f"committee member {type(member).__name__} has no predict_proba")
    proba = np.asarray(member.predict_proba(X), dtype=np.float64)
    member_classes = np.asarray(getattr(member, "classes_", np.arange(proba.shape[-1])))
    if proba.ndim != 2 or proba.shape[1] != member_classes.size:
        raise ValueError(
            f"committee member {type(member).__name__} gave probabilities of shape {proba.shape} "
            f"for {member_classes.size} classes"
        )
    aligned = np.zeros((proba.shape[0], classes.size))
    aligned[:, _class_positions(member_classes, classes, type(member).__name__)] = proba
    return aligned


def _class_positions(member_classes: np.ndarray, classes: np.ndarray, member: str) -> np.ndarray:
    """Positions in ``classes`` of a member's ``classes_``: labels, or encoded positions 0..k-1.

    A member's classes are labels when they are all among ``classes``; else
    they must be exactly ``0..len(classes)-1``, the encoding a forest (or a
    voting ensemble) fits its members on. Both readings agree whenever both
    apply (the labels are then ``0..k-1`` themselves).
    """
    positions = _positions_in(member_classes, classes)
    if positions is not None:
        return positions
    if member_classes.dtype.kind in "iuf" and np.array_equal(member_classes, np.arange(classes.size)):
        return np.arange(classes.size)
    raise ValueError(
        f"committee member {member} has classes_ {_few(member_classes)}, which are neither among the labeled "
        f"classes {_few(classes)} nor their positions 0..{classes.size - 1}"
    )


def _positions_in(values: np.ndarray, classes: np.ndarray) -> np.ndarray | None:
    """Where each of ``values`` is in ``classes`` (any order), or None if some value is not there."""
    if classes.size == 0:
        return None if values.size else np.empty(0, dtype=np.int64)
    try:
        order = np.argsort(classes, kind="stable")
        at = order[np.minimum(np.searchsorted(classes[order], values), classes.size - 1)]
        found = classes[at] == values
    except TypeError:  # labels of kinds that do not compare (e.g. strings and numbers in object arrays)
        return None
    return at.astype(np.int64) if np.all(found) else None


def _unknown(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    unique = np.unique(values)
    return np.asarray([value for value in unique if _positions_in(np.asarray([value]), classes) is None])


def _few(values: np.ndarray, limit: int = 5) -> str:
    values = np.asarray(values)
    return f"{values[:limit].tolist()}{' ...' if values.size > limit else ''}"


def bootstrap_rows(y: np.ndarray, rng: np.random.Generator, how: str = "stratified") -> np.ndarray:
    """Row positions of one bootstrap resample of labels ``y``: ``"plain"``, ``"stratified"`` or ``"balanced"``.

    ``"plain"`` draws ``len(y)`` rows with replacement; ``"stratified"`` draws
    as many rows from each class as it has; ``"balanced"`` draws
    ``ceil(len(y) / n_classes)`` rows from each class.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.committee import bootstrap_rows
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> rows = bootstrap_rows(y, np.random.default_rng(0), "stratified")
    >>> np.bincount(y[rows]).tolist()  # the class sizes are kept
    [6, 2]
    >>> np.bincount(y[bootstrap_rows(y, np.random.default_rng(0), "balanced")]).tolist()
    [4, 4]
    """
    if how == "plain":
        return rng.integers(0, y.size, size=y.size)
    groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    if how == "balanced":
        share = -(-y.size // len(groups))
        return np.concatenate([rng.choice(group, size=share) for group in groups])
    return np.concatenate([rng.choice(group, size=group.size) for group in groups])


def _resampling(stratify: bool | str) -> str:
    if stratify == "balanced":
        return "balanced"
    return "stratified" if stratify else "plain"


def _fitted_clone(estimator: Any, X: Any, y: np.ndarray, rng: np.random.Generator) -> Any:
    member = clone(estimator)
    if "random_state" in member.get_params(deep=False):
        member.set_params(random_state=int(rng.integers(2**31 - 1)))
    return _fitted(member, X, y)


def _fitted(member: Any, X: Any, y: np.ndarray) -> Any:
    """``member.fit(X, y)``; a member that cannot fit the labeled set says it is a committee member."""
    try:
        return member.fit(X, y)
    except ValueError as error:
        classes = np.unique(y)
        raise ValueError(
            f"committee member {type(member).__name__} could not be fitted on {len(y)} labeled rows of "
            f"{classes.size} class(es) {_few(classes)}: {error}"
        ) from error


def _memoized(fit: CommitteeSource, estimators_of: Callable[[Any], tuple[Any, ...]]) -> CommitteeSource:
    """``fit`` with a one-entry memo keyed by a digest of everything the fit reads."""
    last: list[tuple[bytes, Committee] | None] = [None]

    def members(model: Any, context: Context) -> Committee:
        key = _fit_digest(context, estimators_of(model))
        cached = last[0]
        if cached is not None and cached[0] == key:
            return cached[1]
        committee = fit(model, context)
        last[0] = (key, committee)
        return committee

    return members


def _fit_digest(context: Context, estimators: tuple[Any, ...]) -> bytes:
    X_fit, y_fit = labeled_rows(context)
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{context.state.seed}/{context.iteration}/{data_fingerprint(X_fit)}".encode())
    digest.update(np.asarray(y_fit).astype(str).tobytes())
    for estimator in estimators:
        digest.update(
            f"{type(estimator).__qualname__}{sorted(estimator.get_params(deep=True).items(), key=str)!r}".encode()
        )
    return digest.digest()
