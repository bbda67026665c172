"""Density-weighted uncertainty: information density and DWUS.

Both multiply a base uncertainty by how representative a candidate is, so
outliers near the boundary lose to points in dense regions. Representativeness
is measured in the run's representation (``context.embedding``: the input for
a numeric pool, the model's own features for documents, or given embeddings;
see ``alfunc.core.representation``) against a reference set: the whole pool
when it has at most ``n_reference`` rows, else a seeded sample of that size.
The sample is drawn from ``context.generator`` and from the pool (not the
chunk), so every chunk sees the same reference and utilities do not depend on
the chunk size. Candidates' feature rows are read as aligned runs of
``ALIGN`` pool rows (a view of a stored float64 array, or a sparse slice), so
each row's weight comes from the same arithmetic whatever chunk it is scored
in, and no candidates x width copy is made. The mean cosine is linear in the
reference rows, so information density costs one product with their mean
unit vector per candidate (``O(width)``); DWUS's kernel sum costs
``O(n_reference * width)`` per candidate, as one matrix product per run of
rows (memory: ``ALIGN x n_reference`` floats).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist, pdist

from alfunc.core.context import Context
from alfunc.core.knn import squared_norms
from alfunc.core.representation import Features
from alfunc.core.validation import check_positive_int, is_real
from alfunc.strategies.base import Strategy, described, inherit_needs, uses_features
from alfunc.strategies.nearest import with_ones
from alfunc.strategies.pooled import chunks
from alfunc.strategies.uncertainty import entropy

ALIGN = 1024

# (features, candidates, reference) -> one non-negative weight per candidate
Weight = Callable[[Features, np.ndarray, np.ndarray], np.ndarray]


def information_density(base: Strategy = entropy, beta: float = 1.0, n_reference: int = 1000) -> Strategy:
    """base(x) * (mean similarity of x to the unlabeled pool) ** beta (Settles & Craven 2008).

    Similarity is cosine similarity mapped to [0, 1] by (1 + cos) / 2, between
    rows in the run's representation.

    Parameters
    ----------
    base : callable, default=entropy
        A utility strategy with non-negative utilities (an uncertainty).
    beta : float, default=1.0
        Exponent of the density weight (0: the base strategy alone).
    n_reference : int, default=1000
        Most reference rows the density is measured against (drawn with the selection's seed).

    Returns
    -------
    callable
        A utility strategy, with a docstring of its own.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import information_density, margin, needs_classifier
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> strategy = information_density(base=margin, beta=2.0)
    >>> strategy.__name__, needs_classifier(strategy)
    ('information_density', True)
    >>> idx = al.select(state, X, strategy, 5)
    >>> len(idx), bool(state.labeled_mask()[idx].any())
    (5, False)
    >>> information_density(beta=-1)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number >= 0, got -1
    """
    strategy = _density_weighted(base, beta, n_reference, "unlabeled", _mean_cosine_weights, "information_density")
    return described(
        strategy,
        f"Information density (Settles & Craven 2008): {_name(base)}(x) * (mean similarity of x to the unlabeled pool) "
        f"** {beta}.",
        f"Made by ``information_density(base={_name(base)}, beta={beta}, n_reference={n_reference})``. Similarity "
        "is cosine similarity mapped to [0, 1] by (1 + cos) / 2, between rows in the run's representation, against "
        f"at most {n_reference} unlabeled rows drawn with the selection's seed.",
    )


def dwus(base: Strategy = entropy, beta: float = 1.0, n_reference: int = 1000) -> Strategy:
    """base(x) * density(x) ** beta, density-weighted uncertainty sampling (Nguyen & Smeulders 2004).

    The density is a Gaussian kernel density estimate over the whole pool (a
    stand-in for the paper's mixture model), with the median pairwise distance
    of the reference set as bandwidth, so it needs no tuning and no fit;
    distances are measured in the run's representation.

    Parameters
    ----------
    base : callable, default=entropy
        A utility strategy with non-negative utilities (an uncertainty).
    beta : float, default=1.0
        Exponent of the density weight (0: the base strategy alone).
    n_reference : int, default=1000
        Most reference rows the density is measured against (drawn with the selection's seed).

    Returns
    -------
    callable
        A utility strategy, with a docstring of its own.

    Examples
    --------
    The density is at most 1, so no utility exceeds the base entropy:

    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.rows import take_rows
    >>> from alfunc.strategies import dwus, entropy
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> candidates = state.unlabeled()
    >>> context = al.Context(state, X, candidates, state.next_iteration)
    >>> weighted = dwus()(state.model, take_rows(X, candidates), context)
    >>> plain = entropy(state.model, take_rows(X, candidates), context)
    >>> weighted.shape, bool((weighted <= plain).all())
    ((34,), True)
    >>> len(al.select(state, X, "dwus", 5))
    5
    >>> dwus(base=al.STRATEGIES["kmeans"])
    Traceback (most recent call last):
    ...
    TypeError: base must be a utility strategy function, got <function kmeans at ...>
    """
    strategy = _density_weighted(base, beta, n_reference, "pool", _gaussian_weights, "dwus")
    return described(
        strategy,
        f"DWUS, density-weighted uncertainty sampling (Nguyen & Smeulders 2004): {_name(base)}(x) * density(x) "
        f"** {beta}.",
        f"Made by ``dwus(base={_name(base)}, beta={beta}, n_reference={n_reference})``. The density is a Gaussian "
        "kernel density estimate over the whole pool (a stand-in for the paper's mixture model), with the median "
        f"pairwise distance of at most {n_reference} reference rows as bandwidth, in the run's representation.",
    )


def _name(strategy: Strategy) -> str:
    return str(getattr(strategy, "__name__", type(strategy).__name__))


def mean_cosine_similarity(X: Any, reference: Any) -> np.ndarray:
    """Mean of (1 + cos) / 2 between each row of ``X`` and the reference rows, in [0, 1].

    Examples
    --------
    Same direction as the reference: 1; orthogonal: 0.5; opposite: 0.

    >>> import numpy as np
    >>> from alfunc.strategies.density import mean_cosine_similarity
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> reference = np.array([[1.0, 0.0], [2.0, 0.0]])
    >>> mean_cosine_similarity(X, reference).tolist()
    [1.0, 0.5, 0.0]
    """
    return (1.0 + _cosines(np.asarray(X, dtype=np.float64), np.asarray(reference, dtype=np.float64)).mean(axis=1)) / 2.0


def gaussian_density(X: Any, reference: Any) -> np.ndarray:
    """Gaussian kernel density of each row of ``X`` over the reference rows (bandwidth: median distance).

    Examples
    --------
    The reference points 0, 1, 2 have median distance 1; a point in their
    middle is denser than one beyond them:

    >>> import numpy as np
    >>> from alfunc.strategies.density import gaussian_density
    >>> reference = np.array([[0.0], [1.0], [2.0]])
    >>> [round(float(d), 3) for d in gaussian_density(np.array([[1.0], [3.0]]), reference)]
    [0.738, 0.251]
    """
    X, reference = np.asarray(X, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    bandwidth = _median_bandwidth(cdist(reference, reference))
    return np.exp(-cdist(X, reference, "sqeuclidean") / (2.0 * bandwidth**2)).mean(axis=1)


def _cosines(rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Cosine similarities, 0 for a zero row (as scikit-learn's ``cosine_similarity``)."""
    norms = np.linalg.norm(rows, axis=1)
    reference_norms = np.linalg.norm(reference, axis=1)
    unit = rows / np.where(norms > 0, norms, 1.0)[:, None]
    reference_unit = reference / np.where(reference_norms > 0, reference_norms, 1.0)[:, None]
    return np.asarray(unit @ reference_unit.T)


def _median_bandwidth(between: np.ndarray) -> float:
    """The median off-diagonal distance of a square distance matrix; 1.0 when there is none or it is 0."""
    off_diagonal = between[~np.eye(between.shape[0], dtype=bool)]
    bandwidth = float(np.median(off_diagonal)) if off_diagonal.size else 1.0
    return bandwidth if bandwidth > 0 else 1.0


def _mean_cosine_weights(features: Features, candidates: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``mean_cosine_similarity`` of the candidates' feature rows to the reference's: one product per candidate.

    The mean of the cosines with the reference rows is the cosine-weighted
    product with the mean of their unit vectors: ``x . mean(r / |r|) / |x|``.
    """
    mean_unit = np.zeros(features.width)
    for part in chunks(reference, features.width):
        rows = features.rows(part)
        norms = np.linalg.norm(rows, axis=1)
        mean_unit += (rows / np.where(norms > 0, norms, 1.0)[:, None]).sum(axis=0)
    mean_unit /= reference.size

    def weigh(block: Any) -> np.ndarray:
        norms = np.sqrt(squared_norms(block))
        return (1.0 + np.asarray(block @ mean_unit).ravel() / np.where(norms > 0, norms, 1.0)) / 2.0

    return _per_candidate(features, candidates, weigh)


def _gaussian_weights(features: Features, candidates: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``gaussian_density`` of the candidates' feature rows over the reference's: one matrix product per run of rows."""
    reference_rows = np.concatenate([features.rows(part) for part in chunks(reference, features.width)])
    between = pdist(reference_rows)  # each pair once: the same median as the square matrix's off-diagonal
    bandwidth = float(np.median(between)) if between.size else 1.0
    scale = 1.0 / (2.0 * (bandwidth if bandwidth > 0 else 1.0) ** 2)
    weights = np.vstack(
        [reference_rows.T * (2.0 * scale), -scale * np.einsum("ij,ij->i", reference_rows, reference_rows)[None]]
    )

    def weigh(block: Any) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            exponent = np.asarray(with_ones(block) @ weights)  # -(|x|^2 + |r|^2 - 2 x.r) / (2 h^2), in place
            exponent -= (squared_norms(block) * scale)[:, None]
            np.exp(exponent, out=exponent)
        # a squared distance is never negative, so no term exceeds 1; rounding could, by an ulp
        return np.minimum(exponent.sum(axis=1) / reference.size, 1.0)

    return _per_candidate(features, candidates, weigh)


def _per_candidate(features: Features, candidates: np.ndarray, weigh: Callable[[Any], np.ndarray]) -> np.ndarray:
    """``weigh`` applied to the candidates' feature rows, read as aligned runs of ``ALIGN`` pool rows.

    A run is read whole (``Features.block``) and only its candidates' weights
    are kept, so a row's weight never depends on which chunk asked for it.
    """
    order = np.argsort(candidates, kind="stable")
    ordered = candidates[order]
    out = np.empty(candidates.size)
    runs = ordered // ALIGN
    bounds = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1], True])
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        if features.table is None:  # computed rows: compute only the run the candidates span
            low, high = int(ordered[start]), int(ordered[stop - 1]) + 1
        else:
            low = int(runs[start]) * ALIGN
            high = min(low + ALIGN, _n_rows(features.table))
        out[order[start:stop]] = weigh(features.block(low, high))[ordered[start:stop] - low]
    return out


def _n_rows(table: Any) -> int:
    return int(table.shape[0]) if hasattr(table, "shape") else len(table)


def reference_indices(context: Context, n_reference: int, pool: str) -> np.ndarray:
    """The pool indices the density is measured against: all, or a seeded sample (sorted).

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.density import reference_indices
    >>> X, y = np.arange(80.0).reshape(40, 2), np.arange(40) % 2
    >>> state = al.init_step(X, y, n_init=6, random_state=0)
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> reference_indices(context, 1000, "unlabeled").tolist() == state.unlabeled().tolist()
    True
    >>> reference_indices(context, 1000, "pool").size
    40

    A pool larger than ``n_reference`` is sampled, the same way every time:

    >>> sample = reference_indices(context, 10, "unlabeled")
    >>> sample.size, bool(np.isin(sample, state.unlabeled()).all())
    (10, True)
    >>> sample.tolist() == reference_indices(context, 10, "unlabeled").tolist()
    True
    """
    state = context.state
    size = state.n_unlabeled if pool == "unlabeled" else state.n_pool
    if size <= n_reference:
        return state.unlabeled() if pool == "unlabeled" else np.arange(state.n_pool)
    # the same draw as choice(indices, ...) (it picks positions into indices), without building the indices:
    # every chunk asks, so this costs O(labeled) rather than O(pool)
    positions = np.sort(context.generator(f"density-reference-{pool}").choice(size, n_reference, replace=False))
    if pool != "unlabeled":
        return positions
    labeled = np.sort(state.labeled)
    return positions + np.searchsorted(labeled - np.arange(labeled.size), positions, side="right")


def _density_weighted(base: Strategy, beta: float, n_reference: int, pool: str, weight: Weight, name: str) -> Strategy:
    if not callable(base) or getattr(base, "selects_batch", False):
        raise TypeError(f"base must be a utility strategy function, got {base!r}")
    if not is_real(beta) or not np.isfinite(beta) or beta < 0:
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
    n_reference = check_positive_int(n_reference, "n_reference")

    def density_weighted(model: Any, X: Any, context: Context) -> np.ndarray:
        uncertainty = np.asarray(base(model, X, context), dtype=np.float64)
        if (uncertainty < 0).any():
            raise ValueError(f"{name} needs a non-negative base utility; {base.__name__} gave {uncertainty.min()}")
        reference = reference_indices(context, n_reference, pool)
        return uncertainty * weight(context.embedding, context.candidates, reference) ** beta

    density_weighted.__name__ = density_weighted.__qualname__ = name
    return inherit_needs(uses_features(density_weighted), base)
