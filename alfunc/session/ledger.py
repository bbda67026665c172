"""What a labelling session's events add up to: the ``Ledger`` folds journal events, one at a time.

The same ``apply`` runs when a person answers, when a session is reopened
(over its journal) and when it is replayed, so the three cannot disagree.
Each event is checked against the ledger before it changes anything; a
refused event leaves the ledger as it was. At every ``fit`` event the ledger
closes one ``FitRound``: the points told since the previous fit (in the order
they were told, with the labels they had then, and why they were asked) and
the corrections of earlier labels, exactly what ``alfunc.teach`` and
``alfunc.correct`` get before ``alfunc.fit_step``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from alfunc.engine.steps import CORRECTION_STRATEGY, GIVEN_STRATEGY

COLD_START = "cold_start"  # the seeded random order a session asks in before its first model


@attrs.frozen
class FitRound:
    """The labels one fit adds: new points (``queried``, ``labels``, ``utilities``), ``strategy``, corrections, scores.

    Examples
    --------
    >>> import math
    >>> from alfunc.session.ledger import FitRound
    >>> FitRound(0, (4, 1), ("cat", "dog"), (math.nan, math.nan), "given", (), (), {}).queried
    (4, 1)
    """

    iteration: int
    queried: tuple[int, ...]
    labels: tuple[Any, ...]
    utilities: tuple[float, ...]
    strategy: str
    corrected: tuple[int, ...]
    corrected_labels: tuple[Any, ...]
    scores: Mapping[str, float]


def plain_label(label: Any, classes: Sequence[Any] | None) -> Any:
    """``label`` as a JSON value (numpy scalars unwrapped), checked against ``classes`` when given.

    Parameters
    ----------
    label : str, int, float or bool
        One answer.
    classes : sequence or None
        The allowed labels, if the session has a fixed set.

    Returns
    -------
    str, int, float or bool

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.session.ledger import plain_label
    >>> plain_label(np.int64(2), None), plain_label("cat", ["cat", "dog"])
    (2, 'cat')
    >>> plain_label("cow", ["cat", "dog"])
    Traceback (most recent call last):
    ...
    ValueError: label 'cow' is not one of the session's classes ['cat', 'dog']
    """
    value = label.item() if hasattr(label, "item") and not isinstance(label, (str, bytes)) else label
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"label must be a finite number or a string, got {value!r}")
    if not isinstance(value, (str, int, float, bool)):
        raise TypeError(f"label must be a string, number or bool, got {type(label).__name__}")
    if classes is not None and value not in classes:
        raise ValueError(f"label {value!r} is not one of the session's classes {list(classes)}")
    return value


def _optional_tuple(values: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return None if values is None else tuple(values)


@attrs.define
class Ledger:
    """The running sums of a session's events (its imperative core; ``Session`` is the shell around it).

    ``order`` lists told points in the order they were first told; the first
    ``n_fitted`` of them are in the current model. ``pending`` maps the points
    out with the annotator to why they were asked ``(utility, strategy)``;
    ``skipped`` are never asked again; ``unsure`` wait for the next fit.

    Parameters
    ----------
    n_pool : int
        Rows in the pool.
    classes : sequence or None
        The allowed labels, if fixed.

    Examples
    --------
    >>> from alfunc.session.ledger import Ledger
    >>> ledger = Ledger(5, ["a", "b"])
    >>> ledger.apply({"event": "ask", "indices": [3, 1], "utilities": [None, None], "strategy": "cold_start"})
    >>> ledger.apply({"event": "tell", "index": 1, "label": "b"})
    >>> ledger.apply({"event": "unsure", "index": 3})
    >>> list(ledger.pending), ledger.order, sorted(ledger.unsure)
    ([], [1], [3])
    >>> ledger.apply({"event": "tell", "index": 3, "label": "a"})
    Traceback (most recent call last):
    ...
    ValueError: index 3 is not pending (it was marked unsure; ask again)
    """

    n_pool: int
    classes: tuple[Any, ...] | None = attrs.field(default=None, converter=_optional_tuple)
    order: list[int] = attrs.Factory(list)
    labels: dict[int, Any] = attrs.Factory(dict)
    asked: dict[int, tuple[float, str]] = attrs.Factory(dict)
    pending: dict[int, tuple[float, str]] = attrs.Factory(dict)
    skipped: set[int] = attrs.Factory(set)
    unsure: set[int] = attrs.Factory(set)
    released: set[int] = attrs.Factory(set)  # marked unsure at some time: may be asked again
    n_fitted: int = 0
    corrections: list[tuple[int, Any]] = attrs.Factory(list)
    rounds: list[FitRound] = attrs.Factory(list)

    def blocked(self) -> list[int]:
        """Unlabeled points that must not be asked now: pending, skipped, unsure, told but not yet fitted."""
        return [*self.pending, *self.skipped, *self.unsure, *self.order[self.n_fitted :]]

    def new_since_fit(self) -> int:
        """Answers (new labels and corrections) that the current model has not seen."""
        return len(self.order) - self.n_fitted + len(self.corrections)

    def next_round(self, scores: Mapping[str, float] | None = None) -> FitRound:
        """The round a fit now would close (without closing it)."""
        new = self.order[self.n_fitted :]
        why = [self.asked[index] for index in new]
        if not self.rounds:
            strategy = GIVEN_STRATEGY
            utilities = tuple(math.nan for _ in new)
        else:
            names = list(dict.fromkeys(name for _, name in why))
            strategy = "+".join(names) if names else CORRECTION_STRATEGY
            utilities = tuple(utility for utility, _ in why)
        return FitRound(
            iteration=len(self.rounds),
            queried=tuple(new),
            labels=tuple(self.labels[index] for index in new),
            utilities=utilities,
            strategy=strategy,
            corrected=tuple(index for index, _ in self.corrections),
            corrected_labels=tuple(label for _, label in self.corrections),
            scores=dict(scores or {}),
        )

    def check_answer(self, event: Mapping[str, Any]) -> None:
        """Raise the error ``apply`` would raise for this answer (tell, correct, skip, unsure), changing nothing.

        Parameters
        ----------
        event : mapping
            The answer, with its ``index`` (and ``label`` for tell and correct).

        Examples
        --------
        >>> from alfunc.session.ledger import Ledger
        >>> Ledger(3).check_answer({"event": "skip", "index": 2})
        Traceback (most recent call last):
        ...
        ValueError: index 2 is not pending (it was never asked)
        """
        kind = event.get("event")
        if kind in ("tell", "skip", "unsure"):
            self._pending_index(event)
        elif kind == "correct":
            self._labeled_index(event)
        if kind in ("tell", "correct"):
            plain_label(event.get("label"), self.classes)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Check ``event`` against the ledger and fold it in, or raise ``ValueError`` and change nothing."""
        kind = event.get("event")
        handler = getattr(self, f"_on_{kind}", None) if isinstance(kind, str) else None
        if handler is None:
            raise ValueError(f"unknown event {kind!r}")
        handler(event)

    def _index(self, event: Mapping[str, Any]) -> int:
        index = event.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.n_pool:
            raise ValueError(f"index must be a pool index in [0, {self.n_pool}), got {index!r}")
        return index

    def _pending_index(self, event: Mapping[str, Any]) -> int:
        index = self._index(event)
        if index not in self.pending:
            raise ValueError(f"index {index} is not pending ({self._why_not_pending(index)})")
        return index

    def _labeled_index(self, event: Mapping[str, Any]) -> int:
        index = self._index(event)
        if index not in self.labels:
            raise ValueError(f"index {index} has no label to correct ({self._why_not_pending(index)})")
        return index

    def _why_not_pending(self, index: int) -> str:
        if index in self.labels:
            return "it is labeled already; correct it instead"
        if index in self.skipped:
            return "it was skipped"
        if index in self.unsure:
            return "it was marked unsure; ask again"
        return "it was never asked"

    def _on_ask(self, event: Mapping[str, Any]) -> None:
        indices, utilities, strategy = event.get("indices"), event.get("utilities"), event.get("strategy")
        if not isinstance(indices, list) or not isinstance(utilities, list) or len(indices) != len(utilities):
            raise ValueError("an ask needs lists 'indices' and 'utilities' of one length")
        if not isinstance(strategy, str):
            raise ValueError("an ask needs the name of its 'strategy'")
        checked = [self._index({"index": index}) for index in indices]
        blocked = set(self.blocked()) | set(self.labels)
        again = [index for index in checked if index in self.asked and index not in self.released]
        if len(set(checked)) != len(checked) or blocked.intersection(checked) or again:
            raise ValueError(f"an ask repeats points that are labeled, out, skipped or asked before: {indices[:10]}")
        for index, utility in zip(checked, utilities, strict=True):
            why = (math.nan if utility is None else float(utility), strategy)
            self.asked[index] = self.pending[index] = why

    def _on_tell(self, event: Mapping[str, Any]) -> None:
        index = self._pending_index(event)
        label = plain_label(event.get("label"), self.classes)
        del self.pending[index]
        self.order.append(index)
        self.labels[index] = label

    def _on_correct(self, event: Mapping[str, Any]) -> None:
        index = self._labeled_index(event)
        label = plain_label(event.get("label"), self.classes)
        self.labels[index] = label
        if self.order.index(index) < self.n_fitted:
            self.corrections.append((index, label))

    def _on_skip(self, event: Mapping[str, Any]) -> None:
        index = self._pending_index(event)
        del self.pending[index]
        self.skipped.add(index)

    def _on_unsure(self, event: Mapping[str, Any]) -> None:
        index = self._pending_index(event)
        del self.pending[index]
        self.unsure.add(index)
        self.released.add(index)

    def _on_fit(self, event: Mapping[str, Any]) -> None:
        iteration, n_labeled, scores = event.get("iteration"), event.get("n_labeled"), event.get("scores")
        if iteration != len(self.rounds) or n_labeled != len(self.order) or not isinstance(scores, dict):
            raise ValueError(
                f"a fit must be iteration {len(self.rounds)} on {len(self.order)} labels with its scores, "
                f"got iteration {iteration!r} on {n_labeled!r}"
            )
        if not self.new_since_fit():
            raise ValueError("a fit needs new labels or corrections since the previous one")
        self.rounds.append(self.next_round({name: float(value) for name, value in scores.items()}))
        self.n_fitted = len(self.order)
        self.corrections = []
        self.unsure.clear()
