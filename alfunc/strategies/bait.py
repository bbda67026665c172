"""BAIT (Ash et al. 2021, "Gone Fishing: Neural Active Learning with Fisher Embeddings").

BAIT chooses the batch ``S`` that minimises ``tr((M + sum_{x in S} I(x))^-1 F)``,
a bound on the error of the maximum-likelihood estimate of the last layer's
weights, where, with ``p(x)`` the model's ``predict_proba`` (``C`` classes)
and ``h(x)`` the features its last layer reads (the run's representation,
``d`` wide; see ``alfunc.core.representation``):

* ``I(x) = V_x^T V_x`` is the Fisher information of the last layer at ``x``
  (a ``(C d) x (C d)`` matrix of rank at most ``C``), with
  ``V_x = G(x) ⊗ h(x)^T`` and ``G(x)`` the ``C x C`` matrix whose row ``c`` is
  ``sqrt(p_c) (e_c - p)``;
* ``F`` is the mean Fisher information over the whole pool (labeled and not);
* ``M = lambda I + sum_{x in L} I(x) / (|L| + B)`` holds the labeled set ``L``
  and the regularisation ``lambda``, and each candidate's ``I(x)`` is scaled
  by ``B / (|L| + B)`` for a batch of ``B`` (the authors' code).

As in the paper, the batch is built greedily forwards to ``2 B`` points (each
step adds the candidate that lowers the trace most), then pruned backwards to
``B`` (each step drops the point whose removal raises it least). Every step
is a rank-``C`` Woodbury update: per candidate BAIT keeps the two ``C x C``
matrices ``V_x A V_x^T`` and ``V_x A F A V_x^T`` (``A = M^-1``) and updates
them in place, so a step costs ``O(n C (d + C^2))`` and never forms a
``(C d) x (C d)`` matrix per candidate.

Memory bound: ``2 n C^2`` floats for those matrices (``n`` candidates), a few
``(C d)^2`` matrices (``A``, ``F`` and products), and one chunk of feature
rows. ``C d`` above ``max_fisher_dim`` (default 1024) is refused with a
ValueError before any work: pass a narrower representation (e.g. PCA of the
embeddings). Like the authors' code, the bias of the last layer is left out
(``h`` only), and ties go by a hashed uniform per candidate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.representation import Features
from alfunc.core.validation import check_positive_int, is_real
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_classifier, uses_features, uses_proba
from alfunc.strategies.farthest import best_position
from alfunc.strategies.pooled import WORKING_ELEMENTS, geometry
from alfunc.strategies.probabilities import pool_proba


def fisher_factors(proba: Any) -> np.ndarray:
    """``G(x)``: row ``c`` is ``sqrt(p_c) (e_c - p)``, so that ``G^T G = diag(p) - p p^T``, one ``C x C`` per row.

    The Fisher information of a softmax last layer at ``x`` is
    ``(G^T G) ⊗ h h^T = V^T V`` with ``V = G ⊗ h^T``.

    Parameters
    ----------
    proba : array-like of shape (n, C)
        Class probabilities.

    Returns
    -------
    ndarray of shape (n, C, C)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.bait import fisher_factors
    >>> p = np.array([[0.25, 0.75]])
    >>> G = fisher_factors(p)[0]
    >>> G.round(4).tolist()
    [[0.375, -0.375], [-0.2165, 0.2165]]
    >>> bool(np.allclose(G.T @ G, np.diag(p[0]) - np.outer(p[0], p[0])))
    True
    """
    proba = np.asarray(proba, dtype=np.float64)
    roots = np.sqrt(proba)
    return roots[:, :, None] * (np.eye(proba.shape[1])[None] - proba[:, None, :])


def fisher_sum(features: Features, indices: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """``sum_x (diag(p) - p p^T) ⊗ h h^T`` over the pool ``indices``: a ``(C d) x (C d)`` matrix, in chunks.

    Parameters
    ----------
    features : Features
        The representation (``d`` wide).
    indices : ndarray of int
        Pool indices.
    proba : ndarray of shape (len(indices), C)
        Their class probabilities.

    Returns
    -------
    ndarray of shape (C d, C d)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.bait import fisher_sum
    >>> H = np.array([[1.0, 2.0], [0.0, 1.0]])
    >>> p = np.array([[0.5, 0.5], [0.9, 0.1]])
    >>> expected = sum(np.kron(np.diag(q) - np.outer(q, q), np.outer(h, h)) for q, h in zip(p, H))
    >>> bool(np.allclose(fisher_sum(stored_features(H), np.arange(2), p), expected))
    True
    """
    n_classes, width = proba.shape[1], features.width
    total = np.zeros((n_classes, n_classes, width, width))
    step = max(1, WORKING_ELEMENTS // (n_classes * n_classes * width))
    for start in range(0, indices.size, step):
        rows = features.rows(indices[start : start + step])
        p = proba[start : start + step]
        q = (np.einsum("nc,ce->nce", p, np.eye(n_classes)) - p[:, :, None] * p[:, None, :]).reshape(len(p), -1)
        weighted = (q[:, :, None] * rows[:, None, :]).reshape(len(p), -1)
        total += (weighted.T @ rows).reshape(n_classes, n_classes, width, width)
    return total.transpose(0, 2, 1, 3).reshape(n_classes * width, n_classes * width)


def bait(
    lam: float = 1.0, oversample: int = 2, max_fisher_dim: int = 1024, chunk_rows: int | None = None
) -> BatchStrategy:
    """BAIT: greedy forward-backward minimisation of the Fisher trace bound (see the module docstring).

    Utilities are each kept point's trace decrease when the forward pass
    added it. Needs a fitted classifier with ``predict_proba``; ``h`` comes
    from the run's representation (for an MLP, ``representation="model"`` is
    its last hidden layer, the paper's setting; for a linear model on a
    numeric pool, the default input is what its only layer reads).

    Parameters
    ----------
    lam : float, default 1.0
        The regularisation ``lambda`` > 0 (the paper uses 1, 0.01 for CIFAR-10).
    oversample : int, default 2
        The forward pass picks ``oversample x B`` points (at most every
        candidate) before pruning back to ``B``.
    max_fisher_dim : int, default 1024
        The largest ``C d`` accepted (memory and time grow with its square).
    chunk_rows : int, optional
        Rows per ``predict_proba`` call (default: sized by the pool); results
        do not depend on it.

    Returns
    -------
    BatchStrategy
        The strategy, named ``"bait"`` for the defaults.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import bait
    >>> X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> idx, decrease = al.select(state, X, "bait", 4, return_utilities=True)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any()), bool((decrease > 0).all())
    (4, False, True)

    Wide features times many classes are refused before any work:

    >>> al.select(state, X, bait(max_fisher_dim=5), 4)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'bait' would hold (2 features x 3 classes)^2 Fisher matrices, but max_fisher_dim=5; ...
    """
    if not is_real(lam) or not 0 < lam < np.inf:
        raise ValueError(f"lam must be a positive finite number, got {lam!r}")
    factor = check_positive_int(oversample, "oversample")
    largest = check_positive_int(max_fisher_dim, "max_fisher_dim")
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")
    regularisation = float(lam)

    @uses_features
    @uses_proba
    @uses_classifier
    @batch_strategy
    def bait(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates, labeled, features = context.candidates, context.state.labeled, geometry(context)
        classes = getattr(model, "classes_", None)
        n_classes = len(classes) if classes is not None else pool_proba(model, X, candidates[:1], "bait").shape[1]
        width = features.width
        dim = n_classes * width
        if dim > largest:
            raise ValueError(
                f"strategy 'bait' would hold ({width} features x {n_classes} classes)^2 Fisher matrices, but "
                f"max_fisher_dim={largest}; pass a narrower representation (e.g. PCA of the embeddings) or raise "
                "max_fisher_dim"
            )
        proba = pool_proba(model, X, candidates, "bait", rows_per_chunk)
        known = pool_proba(model, X, labeled, "bait", rows_per_chunk)
        k = min(batch_size, candidates.size)
        labeled_sum = fisher_sum(features, labeled, known)
        pool_fisher = (fisher_sum(features, candidates, proba) + labeled_sum) / (candidates.size + labeled.size)
        inverse = np.linalg.inv(regularisation * np.eye(dim) + labeled_sum / (labeled.size + k))
        inverse = (inverse + inverse.T) / 2
        roots = np.sqrt(proba) * np.sqrt(k / (labeled.size + k))  # G(x) = diag(roots) (I - 1 p^T), scaled
        pass_ = _Pass(features, candidates, proba, roots, pool_fisher, _blocks(candidates.size, n_classes, width))
        inner, outer = pass_.start(inverse)
        tie = context.uniform("bait")
        available = np.ones(candidates.size, dtype=bool)
        gain = _trace_ratio(outer, inner, 1.0)
        chosen: list[int] = []
        decrease: list[float] = []
        for _ in range(min(factor * k, candidates.size)):
            pick = best_position(gain, available, tie)
            chosen.append(pick)
            decrease.append(float(gain[pick]))
            available[pick] = False
            inverse = pass_.update(inverse, inner, outer, pick, 1.0, gain)
        kept = np.array(chosen, dtype=np.int64)
        while kept.size > k:  # backward: drop the point whose removal raises the trace least
            cost = _trace_ratio(outer[:, :, kept], inner[:, :, kept], -1.0)
            drop = best_position(-cost, np.ones(kept.size, dtype=bool), tie[kept])
            position = int(kept[drop])
            kept = np.delete(kept, drop)
            inverse = pass_.update(inverse, inner, outer, position, -1.0, None, kept)
        order = np.argsort([chosen.index(int(position)) for position in kept], kind="stable")
        kept = kept[order]
        return candidates[kept], np.array([decrease[chosen.index(int(position))] for position in kept])

    if (regularisation, factor, largest, rows_per_chunk) != (1.0, 2, 1024, None):
        bait.__name__ = bait.__qualname__ = (
            f"bait(lam={lam}, oversample={factor}, max_fisher_dim={largest}, chunk_rows={rows_per_chunk})"
        )
    return described(
        bait,
        "BAIT (Ash et al. 2021): Fisher-information batch selection on the last layer, forward to "
        f"{oversample} x the batch, then pruned back to it.",
        f"Made by ``bait(lam={lam!r}, oversample={oversample!r}, max_fisher_dim={max_fisher_dim!r})``.",
    )


def _blocks(n: int, n_classes: int, width: int) -> list[slice]:
    """Fixed slices of ``range(n)`` holding about ``WORKING_ELEMENTS`` floats of per-candidate work each."""
    step = max(1, WORKING_ELEMENTS // max(1, n_classes * n_classes * (width + n_classes)))
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


class _Pass:
    """The per-candidate state of one BAIT selection: ``V_x A V_x^T`` and ``V_x A F A V_x^T``, kept up to date.

    Stacks of ``C x C`` matrices are held as ``(C, C, n)`` arrays, the
    candidates last, so every operation runs over long contiguous rows.
    ``V_x = G_x ⊗ h_x^T`` with ``G_x = diag(r) (I - 1 p^T)`` (``r`` the scaled
    square roots of ``p``) is never formed: products with ``G`` are
    broadcasts, products with ``h`` one matrix product per fixed block of
    candidates.
    """

    def __init__(
        self,
        features: Features,
        indices: np.ndarray,
        proba: np.ndarray,
        roots: np.ndarray,
        pool_fisher: np.ndarray,
        blocks: list[slice],
    ) -> None:
        self.features, self.indices = features, indices
        self.proba, self.roots = np.ascontiguousarray(proba.T), np.ascontiguousarray(roots.T)  # (C, n)
        self.pool_fisher, self.blocks = pool_fisher, blocks

    def start(self, inverse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(V A V^T, V A F A V^T)`` for every candidate, as ``(C, C, n)`` arrays."""
        n_classes, n = self.proba.shape
        inner, outer = np.empty((n_classes, n_classes, n)), np.empty((n_classes, n_classes, n))
        sandwich = inverse @ self.pool_fisher @ inverse
        for part in self.blocks:
            rows = self.features.rows(self.indices[part])
            inner[:, :, part] = self._quadratic(part, rows, inverse)
            outer[:, :, part] = self._quadratic(part, rows, sandwich)
        return inner, outer

    def update(
        self,
        inverse: np.ndarray,
        inner: np.ndarray,
        outer: np.ndarray,
        pick: int,
        sign: float,
        gain: np.ndarray | None,
        only: np.ndarray | None = None,
    ) -> np.ndarray:
        """Add (sign 1) or remove (-1) candidate ``pick``: update ``inner``/``outer`` (and ``gain``) in place.

        ``only`` restricts the update to those positions (the backward pass);
        returns the new ``A``.
        """
        n_classes = self.proba.shape[0]
        rows = self.features.rows(self.indices[pick : pick + 1])
        factor = self._left(slice(pick, pick + 1), np.eye(n_classes)[:, :, None])[:, :, 0]  # G of the pick
        picked = np.einsum("ab,j->abj", factor, rows[0]).reshape(n_classes, -1)  # V of the pick
        w = inverse @ picked.T
        core = np.linalg.inv(np.eye(n_classes) + sign * (picked @ w))
        core = (core + core.T) / 2
        fisher_w = inverse @ (self.pool_fisher @ w)
        middle = core @ (w.T @ self.pool_fisher @ w) @ core
        parts: list[Any] = self.blocks if only is None else [only]
        for part in parts:
            rows = self.features.rows(self.indices[part])
            r = self._times(part, rows, w)
            t = self._times(part, rows, fisher_w)
            inner[:, :, part] -= sign * _pairs(_right(r, core), r)
            cross = _pairs(_right(t, core), r)
            outer[:, :, part] -= sign * (cross + cross.transpose(1, 0, 2))
            outer[:, :, part] += _pairs(_right(r, middle), r)
            if gain is not None:
                gain[part] = _trace_ratio(outer[:, :, part], inner[:, :, part], 1.0)
        updated = inverse - sign * (w @ core @ w.T)
        return (updated + updated.T) / 2

    def _left(self, part: Any, values: np.ndarray) -> np.ndarray:
        """``G_x values_x`` for the candidates at ``part`` (``values`` is ``(C, k, m)``): ``r_c (v_c - sum_c' p_c' v_c')``."""
        p, r = self.proba[:, part], self.roots[:, part]
        mean = np.einsum("cm,ckm->km", p, values)
        return r[:, None, :] * (values - mean[None])

    def _times(self, part: Any, rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        """``V_x matrix`` for a ``(C d) x k`` matrix: ``(C, k, m)``."""
        n_classes, width = self.proba.shape[0], rows.shape[1]
        blocks = matrix.reshape(n_classes, width, -1).transpose(1, 0, 2).reshape(width, -1)
        projected = (rows @ blocks).T.reshape(n_classes, -1, rows.shape[0])
        return self._left(part, projected)

    def _quadratic(self, part: Any, rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        """``V_x matrix V_x^T`` for a ``(C d) x (C d)`` matrix, without forming ``V_x``: ``(C, C, m)``."""
        m, n_classes, width = rows.shape[0], self.proba.shape[0], rows.shape[1]
        blocks = matrix.reshape(n_classes, width, n_classes, width).transpose(1, 0, 2, 3).reshape(width, -1)
        projected = (rows @ blocks).reshape(m, n_classes, n_classes, width)
        middle = np.einsum("mcej,mj->cem", projected, rows)  # h^T A_(c, c') h
        half = self._left(part, middle)  # G S
        return self._left(part, half.transpose(1, 0, 2))  # G (G S)^T = G S G^T (S symmetric)


def _right(stack: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``stack_x matrix`` for a ``(C, k, m)`` stack and a ``k x j`` matrix: ``(C, j, m)``."""
    return np.einsum("ckm,kj->cjm", stack, matrix)


def _pairs(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``left_x right_x^T`` for ``(C, k, m)`` stacks: ``(C, C, m)``."""
    return np.einsum("ikm,jkm->ijm", left, right)


def _trace_ratio(outer: np.ndarray, inner: np.ndarray, sign: float) -> np.ndarray:
    """``tr(outer (I + sign inner)^-1)`` per candidate (``(C, C, n)`` stacks), by vectorised Gauss-Jordan elimination.

    ``I + sign inner`` is symmetric positive definite (adding a point; removing
    one of the batch), so no pivoting is needed. This is the trace decrease of
    adding a candidate (sign 1) or the increase of removing it (-1).
    """
    size = inner.shape[0]
    system = sign * np.array(inner, dtype=np.float64)
    system[np.arange(size), np.arange(size)] += 1.0
    solved = np.array(outer, dtype=np.float64)  # becomes (I + sign inner)^-1 outer
    for pivot in range(size):
        scale = 1.0 / system[pivot, pivot]
        system[pivot] *= scale
        solved[pivot] *= scale
        for row in range(size):
            if row != pivot:
                factor = system[row, pivot].copy()
                system[row] -= factor * system[pivot]
                solved[row] -= factor * solved[pivot]
    return np.einsum("iim->m", solved)
