"""``Session``: a person labels a pool over days through ``ask``/``tell``; every answer is durable and replayable.

A session is a folder holding ``journal.jsonl`` (every event, append-only,
``fsync``ed before the call that made it returns: see
``alfunc.session.journal``) and a ``lock`` (one process at a time). Between
the events sits the pure core: asks are ``alfunc.select`` on the current
state with the points that are out, skipped or waiting excluded; fits are
``alfunc.teach`` + ``alfunc.correct`` + ``alfunc.fit_step``. Nothing else is
stored, no model and no pickle: reopening folds the journal again and fits
the last model once, and ``replay_session`` re-runs every ask and fit and
checks each gives what the journal recorded.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import is_classifier

from alfunc.core.facts import data_fingerprint, pool_facts
from alfunc.core.representation import check_representation, describe_representation
from alfunc.core.rng import root_entropy, step_seed
from alfunc.core.rows import n_rows, pool_kind, take_rows
from alfunc.core.state import ALState, History, Record
from alfunc.core.validation import check_estimator, check_pool, check_positive_int
from alfunc.engine.selection import select
from alfunc.engine.steps import fit_step, init_step, teach
from alfunc.history.replay import corrected, replay
from alfunc.session.journal import Journal, JournalError, journal_lines, keep_valid_prefix, read_journal
from alfunc.session.ledger import COLD_START, FitRound, Ledger, plain_label
from alfunc.session.lock import SessionLock
from alfunc.strategies import resolve_strategy

FORMAT_NAME = "alfunc-session"
FORMAT_VERSION = 1
JOURNAL = "journal.jsonl"
ANSWERS = ("tell", "correct", "skip", "unsure")


class SessionDivergence(ValueError):
    """A replayed ask or fit gave another answer than the journal recorded (``line`` says where).

    Parameters
    ----------
    line : int
        The journal line of the ask or fit that differs.
    what : str
        How it differs.

    Examples
    --------
    >>> from alfunc.session.session import SessionDivergence
    >>> print(SessionDivergence(12, "the ask selected [3] but the journal recorded [4]"))
    journal line 12: the ask selected [3] but the journal recorded [4]; the estimator, strategy or pool is not the one recorded
    """

    def __init__(self, line: int, what: str) -> None:
        self.line = line
        super().__init__(f"journal line {line}: {what}; the estimator, strategy or pool is not the one recorded")


def _key(value: Any) -> Any:
    """A row key as plain data (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


def _row_keys(pool: Any, ids: Any) -> list[Any]:
    """The keys people see: ``ids`` (one per row), else a DataFrame's index, else positions; unique ints or strings."""
    if ids is not None:
        keys = [_key(key) for key in (ids.tolist() if hasattr(ids, "tolist") else list(ids))]
        if len(keys) != n_rows(pool):
            raise ValueError(f"ids must hold one key per row of the pool ({n_rows(pool)}), got {len(keys)}")
    elif pool_kind(pool) == "frame":
        keys = [_key(key) for key in pool.index.tolist()]
    else:
        return list(range(n_rows(pool)))
    if not all(isinstance(key, (int, str)) and not isinstance(key, bool) for key in keys):
        raise TypeError("ids must be ints or strings (they are written to the journal and shown to people)")
    if len(set(keys)) != len(keys):
        raise ValueError("ids must be unique: two rows share a key")
    return keys


def _plain_scores(scores: Mapping[str, float]) -> dict[str, float | None]:
    return {name: None if math.isnan(value) else float(value) for name, value in scores.items()}


def _now() -> float:
    return round(time.time(), 3)


class Session:
    """A durable labelling session over a pool: ``ask`` ids, ``tell`` labels; reopen or replay it from its folder.

    Make one with ``Session.create`` and come back with ``Session.open``;
    use it as a context manager (or call ``close``) to free its lock. Ids are
    the pool's keys: ``ids`` if given, a DataFrame's index, else positions.

    Parameters
    ----------
    folder : pathlib.Path
        The session folder.
    pool : array-like, sparse matrix, DataFrame or list
        The checked pool.
    estimator : scikit-learn estimator
        The estimator fitted at each fit.
    strategy : callable
        The resolved strategy function.
    header : mapping
        The journal's ``create`` event (the session's settings).
    keys : list
        One id per pool row.
    representation : optional
        The checked representation.
    journal : Journal or None
        The open journal (``None`` for a read-only, replayed session).
    lock : SessionLock or None
        The held lock (``None`` for a read-only, replayed session).

    Notes
    -----
    The constructor takes the parts ``create`` and ``open`` assemble after
    their checks; call those, not the constructor.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.session import Session
    >>> X, y = load_iris(return_X_y=True)
    >>> folder = tempfile.mkdtemp() + "/irises"
    >>> model = LogisticRegression(max_iter=500)
    >>> with Session.create(folder, X, model, "margin", classes=[0, 1, 2], fit_every=5, durable=False) as session:
    ...     for _ in range(3):
    ...         for key in session.ask(5):
    ...             session.tell(key, int(y[key]))  # a person's answers
    ...     first = session.ask(2)
    ...     session.skip(first[0])
    >>> session.n_labeled, len(session.history), session.pending
    (15, 3, [...])

    The next day (or after a crash), the same folder gives the same session:

    >>> with Session.open(folder, X, model, durable=False) as again:
    ...     again.n_labeled, again.pending == session.pending, again.history == session.history
    (15, True, True)
    """

    def __init__(
        self,
        folder: Path,
        pool: Any,
        estimator: Any,
        strategy: Any,
        header: Mapping[str, Any],
        keys: list[Any],
        representation: Any,
        journal: Journal | None,
        lock: SessionLock | None,
    ) -> None:
        self.path = folder
        self._pool, self._estimator, self._strategy = pool, estimator, strategy
        self._header = dict(header)
        self._keys = keys
        self._index_of = {key: index for index, key in enumerate(keys)}
        self._representation = representation
        self._journal, self._lock = journal, lock
        self._ids = None if pool_kind(pool) == "frame" or header["ids"] is None else np.asarray(keys, dtype=object)
        self.ledger = Ledger(header["n_pool"], header["classes"])
        self.state: ALState | None = None
        self._cold_order: np.ndarray | None = None

    # --- making and opening -------------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        pool: Any,
        estimator: Any,
        strategy: Any = "margin",
        *,
        classes: Sequence[Any] | None = None,
        ids: Any = None,
        fit_every: int = 10,
        random_state: Any = 0,
        representation: Any = None,
        durable: bool = True,
    ) -> Session:
        """Start a new session in the folder ``path`` (created; refused if it already holds a session).

        Parameters
        ----------
        path : path-like
            The session folder.
        pool : array-like, sparse matrix, DataFrame or list
            The rows to label (any pool ``alfunc.select`` takes).
        estimator : scikit-learn estimator
            Cloned and fitted on the labels at each fit; never modified.
        strategy : str or callable, default="margin"
            How to choose what to ask once a model exists (before it, asks
            follow a seeded random order of the pool).
        classes : sequence or None, default=None
            The allowed labels; an answer outside them is refused.
        ids : sequence or None, default=None
            One key per row to ask and answer by (default: a DataFrame's
            index, else row positions); unique ints or strings.
        fit_every : int, default=10
            Refit after this many new answers (labels and corrections), once
            the labels hold two classes; ``refit`` fits on demand.
        random_state : int, Generator, RandomState or None, default=0
            The root seed of every draw (recorded, so ``None`` replays too).
        representation : optional
            The geometry distance-based strategies use (see ``alfunc.select``).
        durable : bool, default=True
            ``fsync`` each answer before returning (turn off only to simulate).

        Returns
        -------
        Session
            The open session, holding its folder's lock.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> folder = tempfile.mkdtemp()
        >>> Session.create(folder, [[0.0], [1.0]], GaussianNB(), classes=["a", "b"]).close()
        >>> Session.create(folder, [[0.0], [1.0]], GaussianNB())
        Traceback (most recent call last):
        ...
        FileExistsError: ... already holds a session; open it with Session.open
        """
        folder = Path(path)
        pool = check_pool(pool, check_finite=False)
        check_estimator(estimator)
        name, function = resolve_strategy(strategy)
        keys = _row_keys(pool, ids)
        if classes is not None:
            classes = [plain_label(label, None) for label in classes]
            if len(set(classes)) != len(classes) or len(classes) < 2:
                raise ValueError(f"classes must hold at least two distinct labels, got {classes}")
        representation = check_representation(representation, pool)
        header = {
            "event": "create",
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "n_pool": n_rows(pool),
            "pool": data_fingerprint(pool),
            "ids": None if ids is None else data_fingerprint(np.asarray(keys, dtype=object)),
            "estimator": repr(estimator),
            "strategy": name,
            "classes": classes,
            "seed": root_entropy(random_state),
            "fit_every": check_positive_int(fit_every, "fit_every"),
            "representation": describe_representation(representation),
            "at": _now(),
        }
        if (folder / JOURNAL).exists():
            raise FileExistsError(f"{folder} already holds a session; open it with Session.open")
        folder.mkdir(parents=True, exist_ok=True)
        lock = SessionLock(folder)
        try:
            journal = Journal(folder / JOURNAL, durable=durable)
            journal.append(header)
        except BaseException:
            lock.release()
            raise
        return cls(folder, pool, estimator, function, header, keys, representation, journal, lock)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        pool: Any,
        estimator: Any,
        *,
        strategy: Any = None,
        ids: Any = None,
        representation: Any = None,
        recover: bool = False,
        durable: bool = True,
    ) -> Session:
        """Reopen the session in ``path`` on the same pool and estimator, as it was when last written.

        The journal is folded again and the last model fitted once. A torn
        last line (a crash while it was written, so never acknowledged) is
        moved aside; a corrupt line elsewhere is refused with its number,
        unless ``recover`` keeps the valid lines before it and moves the rest
        to ``journal.jsonl.rejected``.

        Parameters
        ----------
        path : path-like
            The session folder.
        pool : array-like, sparse matrix, DataFrame or list
            The pool the session was created on (checked by fingerprint).
        estimator : scikit-learn estimator
            The estimator it was created with (checked by its ``repr``).
        strategy : str, callable or None, default=None
            The strategy, when the session's is a function (a name is read back).
        ids : sequence or None, default=None
            The ids the session was created with, if any.
        representation : optional
            The representation, when the session's was an array or function.
        recover : bool, default=False
            Keep the valid prefix of a corrupt journal instead of refusing it.
        durable : bool, default=True
            ``fsync`` each answer before returning.

        Returns
        -------
        Session
            The open session, holding its folder's lock.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> folder = tempfile.mkdtemp()
        >>> Session.create(folder, [[0.0], [1.0]], GaussianNB()).close()
        >>> Session.open(folder, [[0.0], [2.0]], GaussianNB())
        Traceback (most recent call last):
        ...
        ValueError: pool is not the one the session ... was created on (its fingerprint differs)
        """
        folder = Path(path)
        journal_path = folder / JOURNAL
        if not journal_path.exists():
            raise FileNotFoundError(f"{folder} holds no session ({JOURNAL} is missing); make one with Session.create")
        lock = SessionLock(folder)
        try:
            split = journal_lines(journal_path)
            if split.torn:  # a crash while a line was written: never acknowledged, kept aside
                keep_valid_prefix(journal_path, len(split.lines))
            session = cls._rebuilt(folder, pool, estimator, strategy, ids, representation, recover, verify=False)
            session._lock = lock
            session._journal = Journal(journal_path, durable=durable)
        except BaseException:
            lock.release()
            raise
        return session

    @classmethod
    def _rebuilt(
        cls,
        folder: Path,
        pool: Any,
        estimator: Any,
        strategy: Any,
        ids: Any,
        representation: Any,
        recover: bool,
        *,
        verify: bool,
    ) -> Session:
        """The session a journal describes; with ``verify``, every ask and fit re-run and compared."""
        journal_path = folder / JOURNAL
        events = _events(journal_path, recover)
        if not events or events[0][1].get("event") != "create":
            raise JournalError(journal_path, 1, "the first event must create the session")
        header = _check_header(events[0][1], folder)
        pool = check_pool(pool, check_finite=False)
        check_estimator(estimator)
        facts = pool_facts(pool, None)  # the pool's fingerprint, once: the reopened history records it too
        if facts["n_pool"] != header["n_pool"] or facts["X_fingerprint"] != header["pool"]:
            raise ValueError(f"pool is not the one the session {folder} was created on (its fingerprint differs)")
        if repr(estimator) != header["estimator"]:
            raise ValueError(
                f"estimator {estimator!r} is not the one the session {folder} was created with ({header['estimator']})"
            )
        keys = _row_keys(pool, ids)
        recorded_ids = None if ids is None else data_fingerprint(np.asarray(keys, dtype=object))
        if recorded_ids != header["ids"]:
            raise ValueError(f"ids are not the ones the session {folder} was created with")
        function = _recorded_strategy(header["strategy"], strategy)
        representation = check_representation(representation, pool)
        if describe_representation(representation) != header["representation"]:
            raise ValueError(
                f"representation {describe_representation(representation)!r} is not the session's "
                f"({header['representation']!r}); pass the same one again"
            )
        session = cls(folder, pool, estimator, function, header, keys, representation, None, None)
        for line, event in events[1:]:
            try:
                session._fold(line, event, verify)
            except SessionDivergence:
                raise
            except (TypeError, ValueError) as error:
                raise JournalError(journal_path, line, str(error)) from None
        if not verify and session.ledger.rounds:
            session.state = session._reopened_state(facts)
        return session

    # --- what people do -----------------------------------------------------------------------------------------

    def ask(self, n: int = 1) -> list[Any]:
        """Choose up to ``n`` new points to label and mark them pending (durably); returns their ids.

        Before the first model the points follow a seeded random order of the
        pool; after it, the session's strategy on the current model, with the
        points that are pending, skipped, unsure (until the next fit) or told
        but not yet fitted left out. Returns fewer (or none) when the pool
        runs out.

        Parameters
        ----------
        n : int, default=1
            How many points to ask for.

        Returns
        -------
        list
            The ids of the new pending points, best first.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0], [2.0]], GaussianNB(), durable=False) as session:
        ...     first = session.ask(2)
        ...     rest = session.ask(5)  # only one point is left to ask
        >>> sorted(first + rest), session.pending == first + rest
        ([0, 1, 2], True)
        """
        self._check_writable()
        count = check_positive_int(n, "n")
        indices, utilities, name = self._choose(count)
        if indices:
            self._record(
                {
                    "event": "ask",
                    "indices": indices,
                    "ids": [self._keys[index] for index in indices],
                    "utilities": [None if math.isnan(value) else value for value in utilities],
                    "strategy": name,
                }
            )
        return [self._keys[index] for index in indices]

    def tell(self, id: Any, label: Any) -> None:
        """Record the label of a pending point; durable when this returns. Refits every ``fit_every`` answers.

        Parameters
        ----------
        id : int or str
            The id of a pending point (answers may come in any order).
        label : str, int, float or bool
            The annotator's label (one of ``classes``, if the session has them).

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), classes=["a", "b"]) as session:
        ...     key = session.ask()[0]
        ...     session.tell(key, "a")
        ...     session.labels
        {...: 'a'}
        >>> session.tell(key, "b")
        Traceback (most recent call last):
        ...
        ValueError: this session is closed; open it again with Session.open
        """
        self._answer("tell", id, label)

    def correct(self, id: Any, label: Any) -> None:
        """Change the label of a point told before: an event in the journal and the next fit's record, not an edit.

        Parameters
        ----------
        id : int or str
            The id of a labeled point.
        label : str, int, float or bool
            The corrected label.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), durable=False) as session:
        ...     key = session.ask()[0]
        ...     session.tell(key, "a")
        ...     session.correct(key, "b")
        ...     session.labels[key]
        'b'
        """
        self._answer("correct", id, label)

    def skip(self, id: Any) -> None:
        """Never ask this pending point again (recorded).

        Parameters
        ----------
        id : int or str
            The id of a pending point.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), durable=False) as session:
        ...     key = session.ask()[0]
        ...     session.skip(key)
        ...     session.skipped == [key], session.ask(2) != [key]
        (True, True)
        """
        self._answer("skip", id)

    def unsure(self, id: Any) -> None:
        """Put this pending point back: it is not asked again before the next fit (recorded).

        Parameters
        ----------
        id : int or str
            The id of a pending point.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), durable=False) as session:
        ...     key = session.ask()[0]
        ...     session.unsure(key)
        ...     session.unsure_ids == [key], session.pending
        (True, [])
        """
        self._answer("unsure", id)

    def refit(self) -> bool:
        """Fit the model on every label now (durably recorded); ``False`` when there is nothing new.

        Returns
        -------
        bool
            Whether a fit was made.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0], [5.0]], GaussianNB(), durable=False) as session:
        ...     first, second = session.ask(2)
        ...     session.tell(first, "a")
        ...     session.tell(second, "b")
        ...     session.refit(), session.refit(), session.model is not None
        (True, False, True)
        """
        self._check_writable()
        if not self.ledger.new_since_fit():
            return False
        self._fit()
        return True

    def close(self) -> None:
        """Close the journal and free the lock (idempotent); the folder keeps everything."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- what people see ----------------------------------------------------------------------------------------

    @property
    def pending(self) -> list[Any]:
        """Ids out with the annotator, in the order they were asked."""
        return [self._keys[index] for index in self.ledger.pending]

    @property
    def labels(self) -> dict[Any, Any]:
        """The current label of every told point, by id, in the order first told."""
        return {self._keys[index]: self.ledger.labels[index] for index in self.ledger.order}

    @property
    def skipped(self) -> list[Any]:
        """Ids never to be asked again."""
        return [self._keys[index] for index in sorted(self.ledger.skipped)]

    @property
    def unsure_ids(self) -> list[Any]:
        """Ids put back as unsure, waiting for the next fit."""
        return [self._keys[index] for index in sorted(self.ledger.unsure)]

    @property
    def n_labeled(self) -> int:
        """How many points carry a label."""
        return len(self.ledger.order)

    @property
    def n_asked(self) -> int:
        """How many distinct points were ever asked."""
        return len(self.ledger.asked)

    @property
    def n_pool(self) -> int:
        """Rows in the pool."""
        return self.ledger.n_pool

    @property
    def classes(self) -> list[Any] | None:
        """The allowed labels, if the session has a fixed set."""
        return None if self.ledger.classes is None else list(self.ledger.classes)

    @property
    def model(self) -> Any:
        """The model of the last fit (``None`` before the first)."""
        return None if self.state is None else self.state.model

    @property
    def history(self) -> History:
        """The fits so far as an alfunc ``History`` (``alfunc.replay`` rebuilds the same model from it)."""
        return History(self._header["seed"]) if self.state is None else self.state.history

    @property
    def pool(self) -> Any:
        """The pool the session labels."""
        return self._pool

    def row(self, id: Any) -> Any:
        """The pool row of ``id`` (a document, a DataFrame row, an array row), to show the annotator.

        Parameters
        ----------
        id : int or str
            A pool id.

        Returns
        -------
        object
            The row as the pool holds it.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), ["a cat", "a dog"], GaussianNB(), ids=["c", "d"]) as session:
        ...     session.row("d")
        'a dog'
        """
        rows = take_rows(self._pool, np.array([self.index_of(id)]))
        if pool_kind(rows) == "frame":
            return rows.iloc[0]
        return rows[0]

    def id_at(self, index: int) -> Any:
        """The id of the pool row at position ``index`` (an int or a string, as the session keeps it).

        Parameters
        ----------
        index : int
            A pool position.

        Returns
        -------
        int or str

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), ids=["a", "b"], durable=False) as s:
        ...     s.id_at(1), s.id_at(s.index_of("a"))
        ('b', 'a')
        """
        if not isinstance(index, (int, np.integer)) or not 0 <= index < self.ledger.n_pool:
            raise ValueError(f"index must be a pool position in [0, {self.ledger.n_pool}), got {index!r}")
        return self._keys[int(index)]

    def index_of(self, id: Any) -> int:
        """The pool position of ``id``, or ``ValueError`` naming it when the pool has no such id.

        Parameters
        ----------
        id : int or str
            A pool id.

        Returns
        -------
        int

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from alfunc.session import Session
        >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), ids=["a", "b"]) as session:
        ...     session.index_of("b")
        1
        >>> session.index_of("z")
        Traceback (most recent call last):
        ...
        ValueError: id 'z' is not in the pool
        """
        key = _key(id)
        if isinstance(key, str) and key not in self._index_of and key.lstrip("-").isdigit():
            key = int(key)  # ids typed into a page or read from a file come back as text
        try:
            return self._index_of[key]
        except (KeyError, TypeError):
            raise ValueError(f"id {id!r} is not in the pool") from None

    # --- the machinery ------------------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._journal is None:
            raise ValueError("this session is closed; open it again with Session.open")

    def _answer(self, kind: str, id: Any, label: Any = None) -> None:
        self._check_writable()
        index = self.index_of(id)
        event = {"event": kind, "index": index, "id": self._keys[index]}
        if kind in ("tell", "correct"):
            event["label"] = plain_label(label, self.ledger.classes)
        try:
            self.ledger.check_answer(event)
        except ValueError as error:
            raise ValueError(f"id {self._keys[index]!r} (row {index}): {error}") from None
        self._record(event)
        if self.ledger.new_since_fit() >= self._header["fit_every"] and self._can_fit():
            self._fit()

    def _record(self, event: dict[str, Any]) -> None:
        """Check ``event``, make it durable, then fold it in: nothing is acknowledged before it is on disk."""
        event["at"] = _now()
        assert self._journal is not None
        self._journal.append(event)
        self.ledger.apply(event)

    def _can_fit(self) -> bool:
        labels = set(self.ledger.labels.values())
        return len(self.ledger.order) >= 2 and (len(labels) >= 2 or not is_classifier(self._estimator))

    def _fit(self) -> None:
        if not self._can_fit():
            raise ValueError(
                "a fit needs at least two labels, of two classes for a classifier; "
                f"the session has {self.n_labeled} label(s) of {len(set(self.ledger.labels.values()))} class(es)"
            )
        fitted = self._next_fit()
        record = fitted.history[-1]
        self._record(
            {
                "event": "fit",
                "iteration": record.iteration,
                "n_labeled": record.n_labeled,
                "scores": _plain_scores(record.scores),
            }
        )
        self.state = fitted

    def _next_fit(self) -> ALState:
        """The pure core's fit of the round the ledger would close now (the live fit, and the one replay checks)."""
        return fit_step(self._open_state(self.ledger.next_round()), self._pool, self._estimator, ids=self._ids)

    def _open_state(self, round_: FitRound) -> ALState:
        """The unfitted state the pure core reaches with ``round_``'s labels and corrections."""
        if self.state is None:
            return init_step(
                self._pool,
                None,
                initial=np.asarray(round_.queried, dtype=np.int64),
                labels=np.asarray(round_.labels),
                random_state=self._header["seed"],
            )
        state = self.state
        if round_.queried:
            state = teach(
                state,
                np.asarray(round_.queried, dtype=np.int64),
                np.asarray(round_.labels),
                utilities=np.asarray(round_.utilities, dtype=np.float64),
                strategy=round_.strategy,
            )
        return corrected(state, round_)

    def _choose(self, count: int) -> tuple[list[int], list[float], str]:
        blocked = np.asarray(self.ledger.blocked(), dtype=np.int64)
        if self.state is None:
            if self._cold_order is None:
                rng = np.random.default_rng(step_seed(self._header["seed"], 0, "session cold start"))
                self._cold_order = rng.permutation(self.ledger.n_pool)
            free = np.ones(self.ledger.n_pool, dtype=bool)
            free[blocked] = False
            free[np.fromiter(self.ledger.labels, dtype=np.int64, count=len(self.ledger.labels))] = False
            chosen = self._cold_order[free[self._cold_order]][:count].tolist()
            return chosen, [math.nan] * len(chosen), COLD_START
        if self.state.n_unlabeled - np.setdiff1d(blocked, self.state.labeled).size <= 0:
            return [], [], ""
        indices, utilities = select(
            self.state,
            self._pool,
            self._strategy,
            count,
            exclude=blocked,
            representation=self._representation,
            return_utilities=True,
        )
        return indices.tolist(), utilities.tolist(), self._header["strategy"]

    def _fold(self, line: int, event: Mapping[str, Any], verify: bool) -> None:
        """Fold one journal event; with ``verify``, re-run asks and fits and compare."""
        kind = event.get("event")
        if verify and kind == "ask":
            indices, utilities, _ = self._choose(len(event.get("indices") or [None]))
            recorded = event.get("indices")
            recorded_utilities = [math.nan if value is None else value for value in event.get("utilities") or []]
            if indices != recorded or not np.allclose(
                utilities, recorded_utilities, rtol=1e-9, atol=1e-12, equal_nan=True
            ):
                raise SessionDivergence(line, f"the ask selected {indices[:10]} but the journal recorded {recorded}")
        if verify and kind == "fit":
            fitted = self._next_fit()
            scores = _plain_scores(fitted.history[-1].scores)
            if scores != event.get("scores"):
                raise SessionDivergence(line, f"the fit scored {scores} but the journal recorded {event.get('scores')}")
            self.ledger.apply(event)
            self.state = fitted
            return
        self.ledger.apply(event)

    def _reopened_state(self, facts: Mapping[str, Any]) -> ALState:
        """The state after the last recorded fit, rebuilt with one fit (``alfunc.replay`` with ``fit="last"``)."""
        state = replay(self._recorded_history(facts), self._pool, None, self._estimator, fit="last", ids=self._ids)
        if _plain_scores(state.history[-1].scores) != _plain_scores(self.ledger.rounds[-1].scores):
            raise ValueError(
                "refitting the last model gives other scores than the journal recorded: the estimator differs"
            )
        return state

    def _recorded_history(self, facts: Mapping[str, Any]) -> History:
        """The history the journal's fit rounds describe, with the pool ``facts`` ``init_step`` records."""
        rounds = self.ledger.rounds
        keyed = self._ids is not None or pool_kind(self._pool) == "frame"
        n_labeled = 0
        records = []
        for round_ in rounds:
            n_labeled += len(round_.queried)
            records.append(
                Record(
                    iteration=round_.iteration,
                    queried=np.asarray(round_.queried, dtype=np.int64),
                    utilities=np.asarray(round_.utilities, dtype=np.float64),
                    strategy=round_.strategy,
                    n_labeled=n_labeled,
                    scores={name: math.nan if value is None else value for name, value in round_.scores.items()},
                    labels=np.asarray(round_.labels),
                    corrected=np.asarray(round_.corrected, dtype=np.int64),
                    corrected_labels=np.asarray(round_.corrected_labels) if round_.corrected else None,
                    ids=[self._keys[index] for index in round_.queried] if keyed else None,
                )
            )
        return History(self._header["seed"], tuple(records), facts)


def replay_session(
    path: str | os.PathLike,
    pool: Any,
    estimator: Any,
    *,
    strategy: Any = None,
    ids: Any = None,
    representation: Any = None,
) -> Session:
    """Re-run a session from its journal: every ask must choose the recorded points, every fit score the same.

    Takes no lock and writes nothing, so it can check a session that is open
    elsewhere (up to its last complete line). The result is read-only.

    Parameters
    ----------
    path : path-like
        The session folder.
    pool : array-like, sparse matrix, DataFrame or list
        The session's pool.
    estimator : scikit-learn estimator
        The session's estimator.
    strategy : str, callable or None, default=None
        The strategy, when the session's is a function.
    ids : sequence or None, default=None
        The session's ids, if it was given any.
    representation : optional
        The session's representation, when it was an array or function.

    Returns
    -------
    Session
        The replayed session (closed): its ``state``, ``history`` and model
        equal the live session's.

    Raises
    ------
    SessionDivergence
        At the first ask or fit that differs from the journal.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session, replay_session
    >>> X, y = load_iris(return_X_y=True)
    >>> folder = tempfile.mkdtemp()
    >>> with Session.create(folder, X, GaussianNB(), "entropy", fit_every=4, durable=False) as live:
    ...     for _ in range(4):
    ...         for key in live.ask(4):
    ...             live.tell(key, int(y[key]))
    >>> again = replay_session(folder, X, GaussianNB())
    >>> again.history == live.history, bool((again.model.predict_proba(X) == live.model.predict_proba(X)).all())
    (True, True)
    """
    return Session._rebuilt(Path(path), pool, estimator, strategy, ids, representation, False, verify=True)


def _events(journal_path: Path, recover: bool) -> list[tuple[int, dict[str, Any]]]:
    """The journal's events; a torn tail is moved aside, a corrupt line refused (or, with ``recover``, cut)."""
    try:
        events = list(read_journal(journal_path))
    except JournalError as error:
        if not recover:
            raise
        keep_valid_prefix(journal_path, error.valid)
        events = list(read_journal(journal_path))
    return events


def _check_header(header: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    if header.get("format") != FORMAT_NAME or header.get("version") != FORMAT_VERSION:
        raise JournalError(
            folder / JOURNAL,
            1,
            f"not an {FORMAT_NAME} journal of version {FORMAT_VERSION} (this alfunc reads that one)",
        )
    needed = ("n_pool", "pool", "ids", "estimator", "strategy", "classes", "seed", "fit_every", "representation")
    missing = [name for name in needed if name not in header]
    if missing:
        raise JournalError(folder / JOURNAL, 1, f"the session's header lacks {missing}")
    return dict(header)


def _recorded_strategy(name: str, strategy: Any) -> Any:
    if strategy is not None:
        supplied, function = resolve_strategy(strategy)
        if supplied != name:
            raise ValueError(f"strategy {supplied!r} is not the session's ({name!r})")
        return function
    try:
        return resolve_strategy(name)[1]
    except (TypeError, ValueError):
        raise ValueError(
            f"the session's strategy {name!r} is not a registered name: pass strategy=<the function>"
        ) from None


def events_of(path: str | os.PathLike) -> Iterable[dict[str, Any]]:
    """The events of the session in ``path`` as plain dicts, in journal order (for audits and exports).

    Parameters
    ----------
    path : path-like
        The session folder.

    Returns
    -------
    iterable of dict

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session, events_of
    >>> folder = tempfile.mkdtemp()
    >>> with Session.create(folder, [[0.0], [1.0]], GaussianNB(), durable=False) as session:
    ...     session.skip(session.ask()[0])
    >>> [event["event"] for event in events_of(folder)]
    ['create', 'ask', 'skip']
    """
    return [event for _, event in read_journal(Path(path) / JOURNAL)]
