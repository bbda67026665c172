"""How a labelling session is going: counts, a cross-validated accuracy of the current model, a learning curve.

``cv_accuracy`` estimates the accuracy of an estimator on the labels so far
by stratified cross-validation (``None`` while no class split allows it);
``Progress`` keeps those estimates per set of labels, so a page that asks
often refits only when the labels changed, and ``learning_curve_svg`` draws
the estimates against the number of labels as a small inline SVG.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score

from alfunc.core.rows import take_rows

MAX_FOLDS = 5
MIN_PER_CLASS = 2  # every class in the labels needs this many members for a stratified split
MAX_CURVE_POINTS = 25


def cv_folds(labels: Sequence[Any]) -> int | None:
    """The folds a stratified cross-validation of ``labels`` can use (at most 5), or ``None`` when it cannot run.

    It runs once the labels hold two classes and every class has at least
    two members.

    Parameters
    ----------
    labels : sequence
        The labels so far.

    Returns
    -------
    int or None

    Examples
    --------
    >>> from alfunc.session.progress import cv_folds
    >>> cv_folds(["a", "b", "a"]), cv_folds(["a", "b", "a", "b", "b"]), cv_folds(["a"] * 9 + ["b"] * 9)
    (None, 2, 5)
    """
    counts = Counter(labels)
    if len(counts) < 2 or min(counts.values()) < MIN_PER_CLASS:
        return None
    return min(MAX_FOLDS, min(counts.values()))


def cv_accuracy(estimator: Any, X: Any, y: Sequence[Any], *, random_state: int = 0) -> float | None:
    """The mean accuracy of ``estimator`` on ``(X, y)`` by stratified k-fold cross-validation, or ``None``.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Cloned for every fold; never modified.
    X : array-like, DataFrame or list
        The labeled rows.
    y : sequence
        Their labels.
    random_state : int, default=0
        The seed of the folds' shuffle.

    Returns
    -------
    float or None
        ``None`` when ``cv_folds(y)`` is ``None``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.session.progress import cv_accuracy
    >>> X, y = load_iris(return_X_y=True)
    >>> round(cv_accuracy(LogisticRegression(max_iter=500), X[::5], y[::5]), 2) > 0.8
    True
    >>> cv_accuracy(LogisticRegression(), X[:3], y[:3]) is None  # one class
    True
    """
    labels = np.asarray(list(y))
    folds = cv_folds(labels.tolist())
    if folds is None:
        return None
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small folds: convergence and ill-defined-metric warnings say nothing new
        scores = cross_val_score(clone(estimator), X, labels, cv=splitter, scoring="accuracy", error_score=np.nan)
    mean = float(np.mean(scores))
    return None if np.isnan(mean) else mean


class Progress:
    """A session's progress for a page: counts, the CV accuracy of its current model, the learning curve.

    Estimates are cached by the labels they were computed on (a correction
    counts as a change), so asking again costs nothing until a label changes.
    The curve has one point per fit (at its number of labels, on the labels
    as they are now) and one for the labels now, at most 25 of them.

    Parameters
    ----------
    session : Session
        The session to follow.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.progress import Progress
    >>> X, y = load_iris(return_X_y=True)
    >>> with Session.create(tempfile.mkdtemp(), X, GaussianNB(), fit_every=10, durable=False) as session:
    ...     for key in session.ask(30):
    ...         session.tell(key, int(y[key]))
    ...     report = Progress(session).report()
    >>> report["labeled"], report["asked"], report["pool"], report["fits"], 0.5 < report["accuracy"] <= 1
    (30, 30, 150, 3, True)
    """

    def __init__(self, session: Any) -> None:
        self.session = session
        self._cache: dict[tuple[int, str], float | None] = {}
        self._computing = threading.Lock()  # one estimate at a time; a second asker then finds it cached

    def prepare(self, n: int | None = None) -> Prepared:
        """What the estimate on the first ``n`` labels (default: all) needs, read from the session.

        This is the only step that reads the session (a page holds its lock
        around it); ``finish`` then fits without it.
        """
        session = self.session
        if session.model is None:
            return Prepared(None, None)
        labels = list(session.labels.items())[: session.n_labeled if n is None else n]
        key = (len(labels), hashlib.sha1(json.dumps(labels).encode("utf-8")).hexdigest())
        y = [label for _, label in labels]
        if key in self._cache or cv_folds(y) is None:
            return Prepared(key, None)
        rows = take_rows(session.pool, np.asarray([session.index_of(id) for id, _ in labels], dtype=np.int64))
        model = session.model
        return Prepared(key, lambda: cv_accuracy(model, rows, y))

    def finish(self, prepared: Prepared) -> float | None:
        """The estimate ``prepared`` describes: from the cache, or computed once and cached."""
        if prepared.key is None:
            return None
        if prepared.compute is not None:
            with self._computing:
                if prepared.key not in self._cache:
                    self._cache[prepared.key] = prepared.compute()
        return self._cache.get(prepared.key)

    def accuracy(self, n: int | None = None) -> float | None:
        """The CV accuracy of the current model's estimator on the first ``n`` labels (default: all), cached."""
        return self.finish(self.prepare(n))

    def prepare_curve(self) -> list[tuple[int, Prepared]]:
        """``prepare`` for each point of the curve: the labels at each fit and now (at most 25 points)."""
        session = self.session
        counts = sorted({record.n_labeled for record in session.history} | {session.n_labeled})
        counts = [count for count in counts if count >= 2]
        if len(counts) > MAX_CURVE_POINTS:
            keep = np.unique(np.linspace(0, len(counts) - 1, MAX_CURVE_POINTS).round().astype(int))
            counts = [counts[i] for i in keep]
        return [(count, self.prepare(count)) for count in counts]

    def finish_curve(self, prepared: Sequence[tuple[int, Prepared]]) -> list[tuple[int, float]]:
        """The curve's points that have an estimate."""
        points = [(count, self.finish(one)) for count, one in prepared]
        return [(count, value) for count, value in points if value is not None]

    def curve(self) -> list[tuple[int, float]]:
        """``(labels, CV accuracy)`` at each fit and now, where an estimate exists (at most 25 points)."""
        return self.finish_curve(self.prepare_curve())

    def counts(self) -> dict[str, Any]:
        """Labelled, asked, pool, pending, skipped, unsure and fits, as JSON data."""
        session = self.session
        return {
            "labeled": session.n_labeled,
            "asked": session.n_asked,
            "pool": session.n_pool,
            "pending": len(session.pending),
            "skipped": len(session.skipped),
            "unsure": len(session.unsure_ids),
            "fits": len(session.history),
        }

    def report(self) -> dict[str, Any]:
        """``counts`` and the estimate (``accuracy`` is ``None``, ``accuracy_text`` "n/a", without one)."""
        return with_accuracy(self.counts(), self.accuracy())


@attrs.frozen(eq=False)
class Prepared:
    """One estimate to make: its cache ``key`` (``None``: no model yet) and ``compute`` (``None``: nothing to fit).

    Examples
    --------
    >>> from alfunc.session.progress import Prepared
    >>> Prepared(None, None).key is None
    True
    """

    key: tuple[int, str] | None
    compute: Callable[[], float | None] | None


def with_accuracy(counts: dict[str, Any], accuracy: float | None) -> dict[str, Any]:
    """``counts`` with ``accuracy`` and its text (``"n/a"`` without an estimate).

    Examples
    --------
    >>> from alfunc.session.progress import with_accuracy
    >>> with_accuracy({"labeled": 4}, None), with_accuracy({}, 0.8125)["accuracy_text"]
    ({'labeled': 4, 'accuracy': None, 'accuracy_text': 'n/a'}, '81.2%')
    """
    return {**counts, "accuracy": accuracy, "accuracy_text": "n/a" if accuracy is None else f"{accuracy:.1%}"}


def learning_curve_svg(points: Sequence[tuple[float, float]], *, width: int = 320, height: int = 140) -> str:
    """A small SVG plot of accuracy (0 to 1) against labels, as text to put in a page.

    Parameters
    ----------
    points : sequence of (labels, accuracy)
        The curve.
    width, height : int
        The picture's size in pixels.

    Returns
    -------
    str
        An ``<svg>`` element (only numbers from ``points`` go into it).

    Examples
    --------
    >>> from alfunc.session.progress import learning_curve_svg
    >>> svg = learning_curve_svg([(10, 0.5), (20, 0.7), (30, 0.8)])
    >>> svg.startswith("<svg") and "<polyline" in svg and svg.count("<circle") == 3
    True
    >>> "no estimate yet" in learning_curve_svg([])
    True
    """
    left, right, top, bottom = 34, 10, 20, 24
    inner_w, inner_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="10" role="img" aria-label="learning curve">',
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="none" stroke="#bbb"/>',
        f'<text x="{left}" y="{top - 7}" fill="#555">estimated accuracy (cross-validation) against labels</text>',
    ]
    for value in (0.0, 0.5, 1.0):
        y = top + inner_h * (1 - value)
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{value:.1f}</text>')
    if not points:
        parts.append(
            f'<text x="{left + inner_w / 2:.1f}" y="{top + inner_h / 2:.1f}" text-anchor="middle" fill="#777">'
            "no estimate yet</text>"
        )
    else:
        xs = [float(x) for x, _ in points]
        low, high = min(xs), max(xs)
        span = high - low or 1.0

        def place(x: float, accuracy: float) -> tuple[float, float]:
            at = 0.5 if high == low else (x - low) / span
            return left + inner_w * at, top + inner_h * (1 - min(max(float(accuracy), 0.0), 1.0))

        placed = [place(x, accuracy) for x, accuracy in points]
        if len(placed) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in placed)
            parts.append(f'<polyline points="{line}" fill="none" stroke="#2a6fdb" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#2a6fdb"/>' for x, y in placed)
        parts.append(f'<text x="{left}" y="{height - 8}">{int(low)}</text>')
        parts.append(f'<text x="{left + inner_w}" y="{height - 8}" text-anchor="end">{int(high)} labels</text>')
    parts.append("</svg>")
    return "".join(parts)
