"""The frozen values an active-learning run is made of: ``Query``, ``Record``, ``History``, ``ALState``.

Nothing here is ever modified: steps build the next value with ``attrs.evolve``.
Arrays are read-only, mappings are ``FrozenMap``. Equality is exact on data
(indices, labels, utilities, scores, seed) and ignores what legitimately differs
between two identical runs: fitted model objects and wall-clock timings.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import attrs
import numpy as np

from alfunc.core.frozen import FrozenMap, arrays_equal, maps_equal, readonly
from alfunc.core.rows import take_rows

_array_eq = attrs.cmp_using(eq=arrays_equal)


def _index_array(values: Any) -> np.ndarray:
    return readonly(values, dtype=np.int64)


def _float_array(values: Any) -> np.ndarray:
    return readonly(values, dtype=np.float64)


def _label_array(values: Any) -> np.ndarray:
    return readonly(values)


def _key_tuple(keys: Any) -> tuple[int | float | str, ...] | None:
    """Row keys as plain data: ints and floats stay numbers, anything else becomes its text."""
    if keys is None:
        return None
    return tuple(
        int(key) if isinstance(key, numbers.Integral) else float(key) if isinstance(key, numbers.Real) else str(key)
        for key in keys
    )


def _optional_labels(values: Any) -> np.ndarray | None:
    return None if values is None else readonly(values)


def _no_corrections() -> np.ndarray:
    return readonly(np.empty(0, dtype=np.int64))


def _record_tuple(records: Iterable[Record]) -> tuple[Record, ...]:
    return tuple(records)


@attrs.frozen(eq=True, hash=False)
class Query:
    """Points taught since the last fit: their indices, utilities and strategy name.

    A state holds one as ``pending`` between ``teach``/``query_step`` and the
    next ``fit_step``, which turns it into a ``Record``.

    Parameters
    ----------
    indices : ndarray of int
        Pool indices taught since the last fit.
    utilities : ndarray of float
        Their utilities (NaN when unknown).
    strategy : str
        Name of what chose them.
    timings : mapping of str to float, default={}
        Seconds spent choosing them.
    corrected : array-like of int, default=()
        Points fitted before whose labels were corrected since (``alfunc.correct``), in order.
    corrected_labels : array-like or None, default=None
        Their new labels, one per correction.

    Examples
    --------
    >>> from alfunc.core.state import Query
    >>> query = Query([7, 3], [0.9, 0.4], "margin", timings={"select": 0.01})
    >>> query.indices.tolist(), query.indices.dtype.name, query.indices.flags.writeable
    ([7, 3], 'int64', False)
    >>> query == Query([7, 3], [0.9, 0.4], "margin")  # timings do not count
    True

    ``corrected`` and ``corrected_labels`` hold the corrections of labels fitted
    before (see ``alfunc.correct``), in the order they were made:

    >>> Query([], [], "correction", corrected=[4], corrected_labels=["dog"]).corrected.tolist()
    [4]
    """

    indices: np.ndarray = attrs.field(converter=_index_array, eq=_array_eq)
    utilities: np.ndarray = attrs.field(converter=_float_array, eq=_array_eq)
    strategy: str
    timings: FrozenMap = attrs.field(factory=FrozenMap, converter=FrozenMap, eq=False)
    corrected: np.ndarray = attrs.field(factory=_no_corrections, converter=_index_array, eq=_array_eq)
    corrected_labels: np.ndarray | None = attrs.field(default=None, converter=_optional_labels, eq=_array_eq)


@attrs.frozen(eq=True, hash=False)
class Record:
    """One fit of an AL run.

    ``queried`` are the indices added since the previous fit (the initial set for
    iteration 0), ``utilities`` their scores under ``strategy`` (NaN where a
    point was not chosen by utility), ``n_labeled`` the pool size the model was
    fitted on, and ``scores`` the evaluation (``train_score``/``test_score``, or
    ``train_<name>``/``test_<name>`` for several scorers). ``timings`` (seconds)
    and ``model`` (kept only on request) are excluded from equality. ``ids``
    holds the user's keys of the queried rows (a DataFrame's index, or the ids
    a run was given) as plain data, so picks can be joined back to the source;
    ``None`` when the pool has no keys but positions. ``labels`` are the labels
    the queried points were given, so a history replays without its oracle
    (``None`` only in histories saved before labels were kept). ``corrected``
    and ``corrected_labels`` are the corrections made since the previous fit
    to labels fitted before (``alfunc.correct``): events, so the labels each
    earlier record holds stay the ones it was fitted on.

    Parameters
    ----------
    iteration : int
        The query round (0 for the initial fit).
    queried : ndarray of int
        Pool indices added since the previous fit.
    utilities : ndarray of float
        Their utilities (NaN where not chosen by utility).
    strategy : str
        Name of what chose them (``"initial"``, ``"given"``, a strategy's name, ``"manual"``).
    n_labeled : int
        Labeled points the model was fitted on.
    scores : mapping of str to float, default={}
        The evaluation scores of the fit.
    timings : mapping of str to float, default={}
        Seconds spent (selection, fit, scoring); not compared.
    model : estimator or None, default=None
        The fitted model, when kept; not compared.
    ids : tuple or None, default=None
        The user's keys of the queried rows.
    labels : tuple or None, default=None
        The labels the queried points were given.
    corrected : array-like of int, default=()
        Points fitted before whose labels were corrected since the previous fit, in order.
    corrected_labels : array-like or None, default=None
        Their new labels, one per correction.

    Examples
    --------
    ``fit_step`` makes them; two runs with the same seed give equal records even
    though their timings differ:

    >>> from alfunc.core.state import Record
    >>> record = Record(
    ...     iteration=1,
    ...     queried=[7, 3],
    ...     utilities=[0.9, 0.4],
    ...     strategy="margin",
    ...     n_labeled=12,
    ...     scores={"train_score": 0.75},
    ...     timings={"fit": 0.02},
    ... )
    >>> record.queried.tolist(), record.n_labeled, record.scores["train_score"]
    ([7, 3], 12, 0.75)
    >>> record == Record(1, [7, 3], [0.9, 0.4], "margin", 12, {"train_score": 0.75}, {"fit": 0.5})
    True
    >>> Record(1, [7, 3], [0.9, 0.4], "margin", 12, ids=["row-7", "row-3"]).ids
    ('row-7', 'row-3')
    >>> Record(1, [7, 3], [0.9, 0.4], "margin", 12, labels=["cat", "dog"]).labels.tolist()
    ['cat', 'dog']
    >>> fixed = Record(2, [], [], "correction", 12, labels=[], corrected=[7], corrected_labels=["dog"])
    >>> fixed.corrected.tolist(), fixed.corrected_labels.tolist()
    ([7], ['dog'])
    """

    iteration: int
    queried: np.ndarray = attrs.field(converter=_index_array, eq=_array_eq)
    utilities: np.ndarray = attrs.field(converter=_float_array, eq=_array_eq)
    strategy: str
    n_labeled: int
    scores: FrozenMap = attrs.field(factory=FrozenMap, converter=FrozenMap, eq=attrs.cmp_using(eq=maps_equal))
    timings: FrozenMap = attrs.field(factory=FrozenMap, converter=FrozenMap, eq=False)
    model: Any = attrs.field(default=None, eq=False, repr=False)
    ids: tuple[int | float | str, ...] | None = attrs.field(default=None, converter=_key_tuple)
    labels: np.ndarray | None = attrs.field(default=None, converter=_optional_labels, eq=_array_eq)
    corrected: np.ndarray = attrs.field(factory=_no_corrections, converter=_index_array, eq=_array_eq)
    corrected_labels: np.ndarray | None = attrs.field(default=None, converter=_optional_labels, eq=_array_eq)


@attrs.frozen(eq=True, hash=False)
class History(Sequence[Record]):
    """The records of a run, one per fit, with what is needed to replay them.

    Behaves as a read-only sequence of ``Record``. ``seed`` is the run's root
    entropy; ``info`` holds run-level facts as plain data (for example a
    fingerprint of the pool), never objects.

    Parameters
    ----------
    seed : int
        The run's root entropy.
    records : tuple of Record, default=()
        One per fit, in order.
    info : mapping, default={}
        Run-level facts as plain data (pool fingerprints, run parameters).

    Examples
    --------
    >>> from alfunc.core.state import History, Record
    >>> empty = History(seed=0)
    >>> history = empty.appended(Record(0, [4, 0], [float("nan")] * 2, "initial", 2))
    >>> history = history.appended(Record(1, [5], [0.8], "margin", 3)).with_info({"n_pool": 6})
    >>> len(empty), len(history), [record.n_labeled for record in history]
    (0, 2, [2, 3])
    >>> history[-1].strategy, history.info["n_pool"], history.seed
    ('margin', 6, 0)
    """

    seed: int
    records: tuple[Record, ...] = attrs.field(default=(), converter=_record_tuple)
    info: FrozenMap = attrs.field(factory=FrozenMap, converter=FrozenMap)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Record, ...]: ...
    def __getitem__(self, index: int | slice) -> Record | tuple[Record, ...]:
        return self.records[index]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def appended(self, record: Record) -> History:
        """A new history with ``record`` added at the end."""
        return attrs.evolve(self, records=(*self.records, record))

    def with_info(self, facts: Any) -> History:
        """A new history whose ``info`` also holds ``facts`` (a mapping; later keys win)."""
        return attrs.evolve(self, info={**self.info, **facts})


@attrs.frozen(eq=True, hash=False)
class ALState:
    """The whole state of an AL run at one moment.

    ``labeled`` lists every labeled pool index in acquisition order (initial set
    first) and ``labels`` the matching labels; ``model`` is the estimator fitted
    on them (``None`` before the first fit); ``history`` holds one ``Record`` per
    fit (and the root ``seed`` every step derives its randomness from);
    ``iteration`` counts query rounds; ``n_pool`` is the number of pool rows;
    ``pending`` describes points taught but not yet fitted.

    Parameters
    ----------
    labeled : ndarray of int
        Labeled pool indices in acquisition order (stored read-only).
    labels : ndarray
        Their labels, in the same order (stored read-only).
    n_pool : int
        Number of rows in the pool.
    history : History
        One ``Record`` per fit, the root seed and the run's facts.
    iteration : int, default=0
        Query rounds so far.
    model : estimator or None, default=None
        The estimator fitted on ``labeled`` (``None`` before the first fit).
    pending : Query or None, default=None
        Points taught since the last fit, recorded by the next ``fit_step``.

    Examples
    --------
    ``init_step`` builds the first state of a run; a state can also be made
    directly. The unlabeled pool is derived from ``labeled``:

    >>> import numpy as np
    >>> from alfunc.core.state import ALState, History
    >>> state = ALState(labeled=[4, 0], labels=["b", "a"], n_pool=6, history=History(seed=0))
    >>> state.n_labeled, state.n_unlabeled, state.unlabeled().tolist()
    (2, 4, [1, 2, 3, 5])
    >>> state.labeled_mask().tolist()
    [True, False, False, False, True, False]

    ``training_set`` gives the rows a model is fitted on, in pool-index order:

    >>> X = np.arange(12).reshape(6, 2)
    >>> X_fit, y_fit = state.training_set(X)
    >>> X_fit.tolist(), y_fit.tolist()
    ([[0, 1], [8, 9]], ['a', 'b'])

    Nothing reachable from a state can be changed in place:

    >>> state.labeled[0] = 1
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """

    labeled: np.ndarray = attrs.field(converter=_index_array, eq=_array_eq)
    labels: np.ndarray = attrs.field(converter=_label_array, eq=_array_eq)
    n_pool: int
    history: History
    iteration: int = 0
    model: Any = attrs.field(default=None, eq=False, repr=False)
    pending: Query | None = None

    @property
    def seed(self) -> int:
        """The root entropy of the run."""
        return self.history.seed

    @property
    def n_labeled(self) -> int:
        """How many pool points carry a label."""
        return int(self.labeled.shape[0])

    @property
    def next_iteration(self) -> int:
        """The iteration that points taught now belong to (the open one, if any)."""
        return self.iteration if self.pending is not None else self.iteration + 1

    @property
    def n_unlabeled(self) -> int:
        """How many pool points are still unlabeled."""
        return self.n_pool - self.n_labeled

    def labeled_mask(self) -> np.ndarray:
        """A boolean mask over the pool, True where labeled (O(pool) bytes, derived)."""
        mask = np.zeros(self.n_pool, dtype=bool)
        mask[self.labeled] = True
        return mask

    def training_set(self, X: Any, n_labeled: int | None = None) -> tuple[Any, np.ndarray]:
        """The rows of ``X`` and labels of the first ``n_labeled`` acquired points, in pool-index order.

        This is what ``fit_step`` fits on: sorting by index makes a model
        independent of the order in which its points were acquired.
        """
        labeled = self.labeled[:n_labeled]
        order = np.argsort(labeled, kind="stable")
        return take_rows(X, labeled[order]), self.labels[:n_labeled][order]

    def unlabeled(self, n_samples: int | None = None) -> np.ndarray:
        """The unlabeled pool indices in increasing order, derived from ``labeled``.

        ``n_samples``, when given, must equal the pool size the state was built on.
        """
        if n_samples is not None and n_samples != self.n_pool:
            raise ValueError(f"n_samples must be the pool size {self.n_pool}, got {n_samples}")
        return np.flatnonzero(~self.labeled_mask())


def check_state(state: Any, name: str = "state") -> ALState:
    """Check that ``state`` is an ``ALState``; the steps call it first, so swapped arguments fail clearly.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.state import ALState, History, check_state
    >>> state = ALState(labeled=[0], labels=[1], n_pool=3, history=History(seed=0))
    >>> check_state(state) is state
    True
    >>> check_state(np.zeros((3, 2)))
    Traceback (most recent call last):
    ...
    TypeError: state must be an ALState (init_step makes the first one), got ndarray; ...
    """
    if not isinstance(state, ALState):
        raise TypeError(
            f"{name} must be an ALState (init_step makes the first one), got {type(state).__name__}; "
            "the steps take the state first: fit_step(state, X, estimator), select(state, X, ...), "
            "teach(state, indices, labels), query_step(state, X, oracle, ...)"
        )
    return state
