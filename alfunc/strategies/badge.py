"""BADGE (Ash et al. 2020, "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds").

Each candidate is embedded by the gradient of the loss with respect to the
last layer's weights, taking the model's own prediction as the label:

    g(x) = (p(x) - onehot(argmax p(x))) ⊗ [h(x), 1]

where ``p`` is ``predict_proba`` (columns in ``model.classes_`` order) and
``h`` the features the last layer sees, read from the run's representation
(``context.features``; see ``alfunc.core.representation``). The norm of
``g`` grows with the model's uncertainty and the point's magnitude; k-means++
seeding over the ``g`` spreads the batch across directions. So BADGE is
uncertain and diverse at once, without a trade-off parameter.

What ``h`` is, by representation:

* a bare linear model on a numeric pool (``LogisticRegression``): the default,
  ``"input"``, is exactly what its last (only) layer sees;
* a ``Pipeline`` or an ``MLPClassifier``: ``representation="model"`` gives the
  pipeline's transformed features or the MLP's last hidden layer, the paper's
  setting (it is the default for documents and other non-numeric pools; on a
  numeric pool pass it explicitly, else ``h`` is the raw input);
* precomputed embeddings: ``representation=array``.

``g`` has ``n_classes x (width + 1)`` entries, and is never built: distances
come from ``a = p - onehot`` and ``h`` alone (the kernel identity
``<g(x), g(c)> = <a(x), a(c)> (<h(x), h(c)> + 1)``, see ``lower_to_centre``),
with the pool's feature rows read in runs, never gathered. Memory: ``a`` and a
few floats per candidate (``n_candidates x (n_classes + 4)``) plus one chunk
of feature rows.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import scipy.sparse as sp

from alfunc.core.context import Context
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import (
    BatchStrategy,
    batch_strategy,
    described,
    uses_classifier,
    uses_features,
    uses_proba,
)
from alfunc.strategies.draws import proportional_draw
from alfunc.strategies.farthest import best_position
from alfunc.strategies.nearest import EPS, PoolRows, pass_step, picked, row_vector
from alfunc.strategies.pooled import geometry, scoring_chunk_rows
from alfunc.strategies.probabilities import pool_proba

RELATIVE_ZERO = 1e-12
ROUNDING_ZERO = 8.0  # x (width + n_classes + 2) x eps: the rounding of one kernel-form distance


def last_layer_gradients(proba: Any) -> np.ndarray:
    """``a = p - onehot(argmax p)``: the loss gradient at the last layer's outputs, one row per point.

    The label is the model's own prediction (the first class on ties); its
    row norm is 0 for a certain prediction and grows with uncertainty.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.badge import last_layer_gradients
    >>> last_layer_gradients(np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])).tolist()
    [[-0.30000000000000004, 0.2, 0.1], [-0.5, 0.5, 0.0], [0.0, 0.0, 0.0]]
    """
    a = np.array(proba, dtype=np.float64)
    a[np.arange(a.shape[0]), a.argmax(axis=1)] -= 1.0
    return a


def gradient_embeddings(a: Any, h: Any) -> np.ndarray:
    """The gradient embeddings ``g = a ⊗ [h, 1]`` written out, ``(n, n_classes x (width + 1))``: small inputs only.

    BADGE itself never builds them (see ``lower_to_centre``); this
    is for inspecting and checking small cases.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.badge import gradient_embeddings
    >>> a = np.array([[-0.25, 0.25]])
    >>> h = np.array([[2.0, 4.0]])
    >>> gradient_embeddings(a, h).tolist()  # class 0 block, then class 1 block; each [h, 1]
    [[-0.5, -1.0, -0.25, 0.5, 1.0, 0.25]]
    >>> bool(np.allclose(gradient_embeddings(a, h)[0], np.kron(a[0], [2.0, 4.0, 1.0])))
    True
    """
    a, h = np.asarray(a, dtype=np.float64), np.asarray(h, dtype=np.float64)
    extended = np.hstack([h, np.ones((h.shape[0], 1))])
    return np.einsum("ic,id->icd", a, extended).reshape(a.shape[0], -1)


def badge(chunk_rows: int | None = None) -> BatchStrategy:
    """BADGE: k-means++ seeding over gradient embeddings (Ash et al. 2020; see the module docstring).

    The first pick is the candidate whose gradient embedding has the largest
    norm (as in the authors' code); each next pick is drawn with probability
    proportional to ``D^2``, its squared distance in gradient space to the
    nearest pick so far. Utilities are those ``D^2`` at the time of each pick
    (``||g||^2`` for the first), so they tend to decrease along the batch.

    Draws are seeded and independent of chunking: round ``r`` draws one
    uniform from the selection's generator (``"badge-r"``) and takes the
    candidate where the running sum of ``D^2``, in pool order, passes that
    fraction of the total (sampling proportionally to ``D^2``). ``D^2`` is computed in the kernel
    form from one product per row with the pick's features; at most
    ``max(1e-12, 8 (width + n_classes + 2) eps) x (||g(x)||^2 + ||g(c)||^2)``
    (the rounding of that form) counts as 0, so a copy (in gradient
    space) of a pick is never drawn while a point at positive distance
    remains; when none does, the rest go by a hashed uniform per candidate.
    Ties for the first pick go by the hashed uniform too.

    Needs a fitted classifier with ``predict_proba``; ``h`` comes from the
    run's representation (for an MLP on a numeric pool, pass
    ``representation="model"`` to use its last hidden layer). ``chunk_rows``
    sets the rows per model call and per chunk of feature rows (default:
    sized by the pool and the feature width); results do not depend on it.

    Parameters
    ----------
    chunk_rows : int, default=None
        Rows per model call and per chunk of feature rows (``None``: sized by the pool); results do not depend on
        it.

    Returns
    -------
    callable
        A batch strategy, with a docstring of its own.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> idx, utilities = al.select(state, X, "badge", 5, return_utilities=True)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any())  # five distinct unlabeled points
    (5, False)
    >>> bool((utilities > 0).all()), bool((al.select(state, X, "badge", 5) == idx).all())  # seeded
    (True, True)
    >>> from alfunc.strategies import badge
    >>> bool((al.select(state, X, badge(chunk_rows=7), 5) == idx).all())  # chunking changes nothing
    True

    The geometry can be any representation, e.g. precomputed embeddings:

    >>> embeddings = np.hstack([X, X**2])
    >>> len(al.select(state, X, "badge", 5, representation=embeddings))
    5

    A model without probabilities cannot give the gradient:

    >>> from sklearn.svm import LinearSVC
    >>> svm_state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LinearSVC())
    >>> al.select(svm_state, X, "badge", 5)
    Traceback (most recent call last):
    ...
    TypeError: strategy 'badge' needs predict_proba, which LinearSVC does not have; ...
    """
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")

    @uses_features
    @uses_proba
    @uses_classifier
    @batch_strategy
    def badge(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(model, "predict_proba"):
            raise TypeError(
                f"strategy 'badge' needs predict_proba, which {type(model).__name__} does not have; "
                "wrap the model in CalibratedClassifierCV"
            )
        candidates, features = context.candidates, geometry(context)
        k = min(batch_size, candidates.size)
        step = scoring_chunk_rows(X) if rows_per_chunk is None else rows_per_chunk
        a = pool_proba(model, X, candidates, "badge", step)  # filled in place, turned into a in place:
        a[np.arange(a.shape[0]), a.argmax(axis=1)] -= 1.0  # last_layer_gradients without a second copy
        rows = PoolRows(features, candidates, pass_step(features) if rows_per_chunk is None else rows_per_chunk)
        g_norms = _row_dots(a, a) * (rows.squared_norms() + 1.0)
        zero = max(RELATIVE_ZERO, ROUNDING_ZERO * (features.width + a.shape[1] + 2) * EPS)
        picks, values = np.empty(k, dtype=np.int64), np.empty(k)
        available = np.ones(candidates.size, dtype=bool)
        picks[0] = best_position(g_norms, available, functools.partial(context.uniform, "badge-0"))
        values[0] = g_norms[picks[0]]
        available[picks[0]] = False
        nearest = np.full(candidates.size, np.inf)
        for round_ in range(1, k):
            centre = int(picks[round_ - 1])
            lower_to_centre(nearest, rows, a, g_norms, centre, zero)
            pick = proportional_draw(nearest, available, context, f"badge-{round_}")
            picks[round_], values[round_] = pick, nearest[pick]
            available[pick] = False
        return candidates[picks], values

    if rows_per_chunk is not None:
        badge.__name__ = badge.__qualname__ = f"badge(chunk_rows={rows_per_chunk})"
    return described(
        badge,
        "BADGE, batch active learning by diverse gradient embeddings (Ash et al. 2020): k-means++ seeding over "
        "the gradient of the loss with respect to the last layer, at the predicted label.",
        f"Made by ``badge(chunk_rows={rows_per_chunk})``. The gradient embedding of x is (p(.|x) - onehot(argmax)) "
        "outer h(x), with h from the run's representation (an MLP's last hidden layer with "
        '``representation="model"``). The first pick has the largest gradient norm; each next pick is drawn with '
        "probability proportional to its squared distance to the nearest pick so far (seeded, independent of "
        "chunking). Needs a classifier with ``predict_proba``.",
    )


def lower_to_centre(
    nearest: np.ndarray, rows: PoolRows, a: np.ndarray, g_norms: np.ndarray, centre: int, zero: float
) -> None:
    """Lower ``nearest`` to each candidate's squared gradient distance to the candidate at position ``centre``.

    ``||g(x)||^2 + ||g(c)||^2 - 2 <a(x), a(c)> (<h(x), h(c)> + 1)``: one
    product per row with ``h(c)`` over runs of pool rows (no gather, no
    difference rows), each row's sum computed the same way whatever the chunk.
    Values at most ``zero x (||g(x)||^2 + ||g(c)||^2)``, which covers the
    rounding of that sum, count as 0: a copy of the centre gets exactly 0.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.badge import gradient_embeddings, lower_to_centre
    >>> from alfunc.strategies.nearest import PoolRows
    >>> a = np.array([[-0.25, 0.25], [0.1, -0.1], [-0.25, 0.25]])
    >>> h = np.array([[2.0, 4.0], [1.0, -1.0], [2.0, 4.0]])  # row 2 is row 0 again
    >>> g = gradient_embeddings(a, h)
    >>> nearest = np.full(3, np.inf)
    >>> lower_to_centre(nearest, PoolRows(stored_features(h), np.arange(3), step=2), a, (g * g).sum(axis=1), 0, 1e-12)
    >>> nearest.round(6).tolist()
    [0.0, 2.585, 0.0]
    """
    h_centre = row_vector(rows.features, int(rows.indices[centre]))
    a_centre, norm_centre = a[centre], g_norms[centre]
    for positions, block, local in rows.blocks():
        h_dots = np.asarray(block @ h_centre).ravel() if sp.issparse(block) else np.einsum("ij,j->i", block, h_centre)
        h_dots = picked(h_dots, local)
        h_dots += 1.0
        h_dots *= np.einsum("ij,j->i", a[positions], a_centre)
        h_dots *= -2.0
        floor = g_norms[positions] + norm_centre
        h_dots += floor  # the squared distances
        h_dots[h_dots <= zero * floor] = 0.0
        current = nearest[positions]  # a view
        np.minimum(current, h_dots, out=current)


def _row_dots(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise dot products; each row's sum is computed the same way whatever the number of rows."""
    return np.einsum("ij,ij->i", left, right)
