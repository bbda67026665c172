"""Floors: a few lines of plain numpy / scikit-learn per strategy family, doing the same computation with no checks.

``bench_scale.py`` measures every registered strategy against the floor of its
family in the same process. A floor gets a ``Problem`` (the pool, the labeled
and unlabeled indices, the fitted model, the batch size, a seed) and returns
the pool indices of its batch. Floors are deliberately independent of alfunc:
they must not share the code they are measured against (the margin utility
and the top-k come from ``reference.py``, shared with ``bench_query.py``).
What each floor computes, by family:

* uncertainty: ``predict_proba`` per chunk of unlabeled rows, the utility
  (top-two gap, entropy, 1 - max), one ``argpartition``; the stochastic ones
  add a Gumbel draw (and a rank for softrank); class balance adds the argmax
  and a per-class top-k;
* committee: fit the members (5 bootstrap clones of the model, or read a
  forest's trees), their ``predict_proba`` per chunk, the disagreement;
* density: the uncertainty pass plus one pass against a reference set of
  ``N_REFERENCE`` unlabeled rows (cosine or Gaussian similarity);
* expected error reduction: one refit per candidate and class over
  ``EER_CANDIDATES`` candidates, loss on ``EER_EVALUATION`` evaluation rows;
* k-center (and GSx, GSy, iGS, ranked batch): one chunked distance pass
  against the labeled set, then one chunked pass per pick;
* k-means (and cluster margin, CLUE, DropQuery): ``MiniBatchKMeans`` (weighted
  for CLUE, plain ``KMeans`` on small filtered sets) + the row nearest each centre;
* kNN-based (TypiClust, ProbCover): clusters or a sample, then one chunked
  kNN / radius pass;
* embeddings: BADGE (k-means++ over gradient embeddings via the kernel
  identity, one pass per pick), BAIT (Fisher trace, rank-C Woodbury updates
  per pick), BatchBALD (lazy greedy joint mutual information), EPIG (joint
  predictive over target rows), FALCUN (one L1 pass per pick), MaxHerding
  (lazy greedy coverage over ``N_REFERENCE`` rows).

``FLOORS`` maps registered names to ``(family, floor)``; a registered name
missing from it is reported by ``bench_scale.py`` as having no floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from reference import best_k, margin_utilities
from sklearn.base import clone
from sklearn.cluster import KMeans, MiniBatchKMeans

CHUNK = 65_536  # rows per pass
N_REFERENCE = 1_000  # density and MaxHerding reference rows
N_MEMBERS = 5  # bagged committee
# The bounds below mirror those of the strategies bounded by design (branch ``bounded``, issue 14:
# ``alfunc.strategies.eer.N_CANDIDATES`` / ``N_EVALUATION``, ``coldstart.TYPICLUST_MAX_POOL`` /
# ``MAX_CLUSTERS`` / ``PROBCOVER_MAX_POOL``); keep them equal, or the floor does different work.
EER_CANDIDATES = 16  # EER by name: candidates scored ...
EER_EVALUATION = 500  # ... and evaluation rows
KNN = 20  # TypiClust's neighbours
TYPICLUST_MAX_CLUSTERS = 500
TYPICLUST_SAMPLE = 20_000  # TypiClust clusters at most this many pool rows (labeled ones included)
PROBCOVER_SAMPLE = 10_000  # ProbCover's ball graph is built on at most this many pool rows
TINY = 1e-12


@dataclass(frozen=True)
class Problem:
    """What every floor gets: the pool, its labeled and unlabeled indices, the fitted model, the batch size."""

    X: np.ndarray
    y: np.ndarray  # labels of the labeled rows, in the order of ``labeled``
    labeled: np.ndarray
    unlabeled: np.ndarray
    model: Any
    k: int
    seed: int = 0

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)


def parts(indices: np.ndarray, size: int = CHUNK):
    """Consecutive slices of ``indices``."""
    for start in range(0, indices.size, size):
        yield indices[start : start + size]


def per_chunk(p: Problem, score: Callable[[np.ndarray], np.ndarray], indices: np.ndarray | None = None) -> np.ndarray:
    """``score(rows)`` over chunks of unlabeled rows, concatenated."""
    indices = p.unlabeled if indices is None else indices
    return np.concatenate([score(p.X[part]) for part in parts(indices)])


def entropy(proba: np.ndarray) -> np.ndarray:
    return -(proba * np.log(np.maximum(proba, TINY))).sum(axis=-1)


def top(p: Problem, utilities: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    return best_k(p.unlabeled if among is None else among, utilities, p.k)[0]


def sq_dist(rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, rows x centres (clipped at 0)."""
    d = (rows * rows).sum(1)[:, None] - 2.0 * rows @ centres.T + (centres * centres).sum(1)[None, :]
    return np.maximum(d, 0.0)


# --- uncertainty -------------------------------------------------------------------------------------------------


def random_floor(p: Problem) -> np.ndarray:
    return top(p, p.rng().random(p.unlabeled.size))


def margin_floor(p: Problem) -> np.ndarray:
    return top(p, per_chunk(p, lambda rows: margin_utilities(p.model, rows)))


def entropy_floor(p: Problem) -> np.ndarray:
    return top(p, per_chunk(p, lambda rows: entropy(p.model.predict_proba(rows))))


def least_confident_floor(p: Problem) -> np.ndarray:
    return top(p, per_chunk(p, lambda rows: 1.0 - p.model.predict_proba(rows).max(axis=1)))


def _gumbel(p: Problem, n: int) -> np.ndarray:
    return -np.log(-np.log(p.rng().random(n)))


def power_margin_floor(p: Problem) -> np.ndarray:
    u = per_chunk(p, lambda rows: margin_utilities(p.model, rows))
    return top(p, np.log(np.maximum(u, TINY)) + _gumbel(p, u.size))


def power_entropy_floor(p: Problem) -> np.ndarray:
    u = per_chunk(p, lambda rows: entropy(p.model.predict_proba(rows)))
    return top(p, np.log(np.maximum(u, TINY)) + _gumbel(p, u.size))


def softrank_margin_floor(p: Problem) -> np.ndarray:
    u = per_chunk(p, lambda rows: margin_utilities(p.model, rows))
    rank = np.empty(u.size)
    rank[np.argsort(-u, kind="stable")] = np.arange(1, u.size + 1)
    return top(p, -np.log(rank) + _gumbel(p, u.size))


def class_balanced_margin_floor(p: Problem) -> np.ndarray:
    def score(rows):
        proba = p.model.predict_proba(rows)
        return np.column_stack([margin_utilities(p.model, rows), proba.argmax(axis=1)])

    scored = per_chunk(p, score)
    u, label = scored[:, 0], scored[:, 1].astype(np.int64)
    n_classes = len(p.model.classes_)
    queues = []
    for c in range(n_classes):
        members = np.flatnonzero(label == c)
        queues.append(list(best_k(members, u[members], p.k)[0]))
    counts = np.bincount(np.searchsorted(p.model.classes_, p.y), minlength=n_classes).astype(float)
    picks = []
    while len(picks) < p.k and any(queues):
        c = min((c for c in range(n_classes) if queues[c]), key=lambda c: counts[c])
        picks.append(queues[c].pop(0))
        counts[c] += 1
    return p.unlabeled[np.array(picks, dtype=np.int64)]


# --- committees ----------------------------------------------------------------------------------------------------


def members(p: Problem) -> list:
    """A forest's trees, else ``N_MEMBERS`` bootstrap clones of the model fitted on the labeled rows."""
    if hasattr(p.model, "estimators_"):
        return list(p.model.estimators_)
    rng, X_l = p.rng(), p.X[p.labeled]
    fitted = []
    for _ in range(N_MEMBERS):
        rows = rng.integers(0, p.labeled.size, p.labeled.size)
        fitted.append(clone(p.model).fit(X_l[rows], p.y[rows]))
    return fitted


def _member_proba(committee: list, rows: np.ndarray) -> np.ndarray:
    return np.stack([m.predict_proba(rows) for m in committee])  # (K, n, C); same classes on 1,000 labeled rows


def vote_entropy_floor(p: Problem) -> np.ndarray:
    committee = members(p)
    n_classes = len(p.model.classes_)

    def score(rows):
        votes = np.stack([m.predict(rows) for m in committee])
        shares = np.stack([(votes == c).mean(axis=0) for c in p.model.classes_[:n_classes]], axis=1)
        return entropy(shares)

    return top(p, per_chunk(p, score))


def kl_divergence_floor(p: Problem) -> np.ndarray:
    committee = members(p)

    def score(rows):
        proba = _member_proba(committee, rows)
        mean = proba.mean(axis=0)
        return (proba * (np.log(np.maximum(proba, TINY)) - np.log(np.maximum(mean, TINY)))).sum(-1).mean(0)

    return top(p, per_chunk(p, score))


def _bald(proba: np.ndarray) -> np.ndarray:
    return entropy(proba.mean(axis=0)) - entropy(proba).mean(axis=0)


def bald_floor(p: Problem) -> np.ndarray:
    committee = members(p)
    return top(p, per_chunk(p, lambda rows: _bald(_member_proba(committee, rows))))


def power_bald_floor(p: Problem) -> np.ndarray:
    committee = members(p)
    u = per_chunk(p, lambda rows: _bald(_member_proba(committee, rows)))
    return top(p, np.log(np.maximum(u, TINY)) + _gumbel(p, u.size))


def committee_variance_floor(p: Problem) -> np.ndarray:
    committee = members(p)
    return top(p, per_chunk(p, lambda rows: np.stack([m.predict(rows) for m in committee]).var(axis=0)))


# --- density and expected error reduction --------------------------------------------------------------------------


def _reference(p: Problem) -> np.ndarray:
    if p.unlabeled.size <= N_REFERENCE:
        return p.X[p.unlabeled]
    return p.X[np.sort(p.rng().choice(p.unlabeled, N_REFERENCE, replace=False))]


def information_density_floor(p: Problem) -> np.ndarray:
    ref = _reference(p)
    ref = ref / np.maximum(np.linalg.norm(ref, axis=1, keepdims=True), TINY)

    def score(rows):
        unit = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), TINY)
        return entropy(p.model.predict_proba(rows)) * ((1.0 + unit @ ref.T) / 2.0).mean(axis=1)

    return top(p, per_chunk(p, score))


def dwus_floor(p: Problem) -> np.ndarray:
    ref = _reference(p)
    between = np.sqrt(sq_dist(ref, ref))
    h = float(np.median(between[~np.eye(ref.shape[0], dtype=bool)])) or 1.0

    def score(rows):
        return entropy(p.model.predict_proba(rows)) * np.exp(-sq_dist(rows, ref) / (2.0 * h * h)).mean(axis=1)

    return top(p, per_chunk(p, score))


def _eer(p: Problem, loss: Callable[[np.ndarray], float]) -> np.ndarray:
    rng = p.rng()
    candidates = np.sort(rng.choice(p.unlabeled, min(EER_CANDIDATES, p.unlabeled.size), replace=False))
    X_eval = p.X[np.sort(rng.choice(p.unlabeled, min(EER_EVALUATION, p.unlabeled.size), replace=False))]
    X_l = p.X[p.labeled]
    proba = p.model.predict_proba(p.X[candidates])
    utilities = np.empty(candidates.size)
    for i, index in enumerate(candidates):
        X_plus = np.vstack([X_l, p.X[index : index + 1]])
        expected = 0.0
        for c, label in enumerate(p.model.classes_):
            refit = clone(p.model).fit(X_plus, np.append(p.y, label))
            expected += proba[i, c] * loss(refit.predict_proba(X_eval))
        utilities[i] = -expected
    return top(p, utilities, candidates)


def eer_log_loss_floor(p: Problem) -> np.ndarray:
    return _eer(p, lambda proba: float(entropy(proba).mean()))


def eer_zero_one_floor(p: Problem) -> np.ndarray:
    return _eer(p, lambda proba: float((1.0 - proba.max(axis=1)).mean()))


# --- distances: k-center, greedy sampling for regression, ranked batch ---------------------------------------------


def most_of_pool(X: np.ndarray, indices: np.ndarray) -> bool:
    """Whether a pass is cheaper over contiguous slices of the whole pool (views) than over gathered rows."""
    return indices.size * 2 > X.shape[0]


def nearest_to(X: np.ndarray, indices: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Distance from each row of ``X[indices]`` to its nearest row of ``centres``: one chunked pass."""
    step = max(1, CHUNK * 16 // max(centres.shape[0], 1))
    if most_of_pool(X, indices):
        whole = np.concatenate([sq_dist(X[s : s + step], centres).min(axis=1) for s in range(0, X.shape[0], step)])
        return np.sqrt(whole[indices])
    return np.sqrt(np.concatenate([sq_dist(X[part], centres).min(axis=1) for part in parts(indices, step)]))


def squared_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def distance_to(X: np.ndarray, indices: np.ndarray, row: np.ndarray, norms: np.ndarray | None = None) -> np.ndarray:
    """Distance from each row of ``X[indices]`` to ``row``: one pass (a matrix-vector product given ``norms``)."""
    if norms is not None and most_of_pool(X, indices):
        return np.sqrt(np.maximum(norms - 2.0 * (X @ row) + row @ row, 0.0)[indices])
    return np.sqrt(np.concatenate([((X[part] - row) ** 2).sum(axis=1) for part in parts(indices)]))


def _k_center(p: Problem, candidates: np.ndarray) -> np.ndarray:
    nearest = nearest_to(p.X, candidates, p.X[p.labeled])
    norms = squared_norms(p.X) if most_of_pool(p.X, candidates) else None
    picks = []
    for _ in range(min(p.k, candidates.size)):
        pick = int(np.argmax(nearest))
        picks.append(pick)
        np.minimum(nearest, distance_to(p.X, candidates, p.X[candidates[pick]], norms), out=nearest)
        nearest[pick] = -1.0
    return candidates[np.array(picks, dtype=np.int64)]


def k_center_greedy_floor(p: Problem) -> np.ndarray:
    return _k_center(p, p.unlabeled)


def _margin_filter(p: Problem, factor: int = 10) -> np.ndarray:
    u = per_chunk(p, lambda rows: margin_utilities(p.model, rows))
    return np.sort(best_k(p.unlabeled, u, factor * p.k)[0])


def margin_k_center_floor(p: Problem) -> np.ndarray:
    return _k_center(p, _margin_filter(p))


def _predictions(p: Problem, indices: np.ndarray) -> np.ndarray:
    return per_chunk(p, p.model.predict, indices)


def gsy_floor(p: Problem) -> np.ndarray:
    f, known = _predictions(p, p.unlabeled), p.y.astype(float)
    nearest = np.concatenate(
        [np.abs(f[s : s + CHUNK // 16, None] - known).min(1) for s in range(0, f.size, CHUNK // 16)]
    )
    picks = []
    for _ in range(min(p.k, f.size)):
        pick = int(np.argmax(nearest))
        picks.append(pick)
        np.minimum(nearest, np.abs(f - f[pick]), out=nearest)
        nearest[pick] = -1.0
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def igs_floor(p: Problem) -> np.ndarray:
    f, known, X_l = _predictions(p, p.unlabeled), p.y.astype(float), p.X[p.labeled]
    step = CHUNK // 16
    nearest = np.concatenate(
        [
            (np.sqrt(sq_dist(p.X[part], X_l)) * np.abs(f[s : s + step, None] - known)).min(axis=1)
            for s, part in zip(range(0, f.size, step), parts(p.unlabeled, step), strict=True)
        ]
    )
    norms = squared_norms(p.X)
    picks = []
    for _ in range(min(p.k, f.size)):
        pick = int(np.argmax(nearest))
        picks.append(pick)
        product = distance_to(p.X, p.unlabeled, p.X[p.unlabeled[pick]], norms) * np.abs(f - f[pick])
        np.minimum(nearest, product, out=nearest)
        nearest[pick] = -1.0
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def ranked_batch_floor(p: Problem) -> np.ndarray:
    u = per_chunk(p, lambda rows: 1.0 - p.model.predict_proba(rows).max(axis=1))
    nearest = nearest_to(p.X, p.unlabeled, p.X[p.labeled])
    norms = squared_norms(p.X)
    n_pool, n_known = p.X.shape[0], p.labeled.size
    picks = []
    for _ in range(min(p.k, u.size)):
        alpha = (n_pool - n_known) / n_pool
        score = alpha * (1.0 - 1.0 / (1.0 + nearest)) + (1.0 - alpha) * u
        pick = int(np.argmax(score))
        picks.append(pick)
        np.minimum(nearest, distance_to(p.X, p.unlabeled, p.X[p.unlabeled[pick]], norms), out=nearest)
        u[pick], nearest[pick] = -np.inf, 0.0
        n_known += 1
    return p.unlabeled[np.array(picks, dtype=np.int64)]


# --- k-means -------------------------------------------------------------------------------------------------------


def _nearest_each_centre(X: np.ndarray, candidates: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each centre the nearest candidate: one chunked pass keeping a running best."""
    best_d, best_i = np.full(centres.shape[0], np.inf), np.zeros(centres.shape[0], dtype=np.int64)
    for part in parts(candidates, CHUNK // 4):
        d = sq_dist(X[part], centres)
        i = d.argmin(axis=0)
        better = d[i, np.arange(centres.shape[0])] < best_d
        best_d[better], best_i[better] = d[i, np.arange(centres.shape[0])][better], part[i][better]
    return np.unique(best_i)


def _clustered(p: Problem, candidates: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    k = min(p.k, candidates.size)
    rows = p.X[candidates]
    if candidates.size <= 20 * CHUNK // 64:  # a small filtered set: plain k-means
        centres = KMeans(n_clusters=k, n_init=1, random_state=p.seed).fit(rows, sample_weight=weights).cluster_centers_
    else:
        fitted = MiniBatchKMeans(n_clusters=k, n_init=1, random_state=p.seed).fit(rows, sample_weight=weights)
        centres = fitted.cluster_centers_
    return _nearest_each_centre(p.X, candidates, centres)


def kmeans_floor(p: Problem) -> np.ndarray:
    return _clustered(p, p.unlabeled)


def cluster_margin_floor(p: Problem) -> np.ndarray:
    return _clustered(p, _margin_filter(p))


def clue_floor(p: Problem) -> np.ndarray:
    weights = per_chunk(p, lambda rows: entropy(p.model.predict_proba(rows)))
    return _clustered(p, p.unlabeled, weights if weights.sum() > 0 else None)


def dropquery_floor(p: Problem, rate: float = 0.75, copies: int = 3) -> np.ndarray:
    rng = p.rng()

    def flips(rows):
        clean = p.model.predict(rows)
        changed = np.zeros(rows.shape[0])
        for _ in range(copies):
            kept = rng.random(rows.shape) >= rate
            changed += p.model.predict(np.where(kept, rows / (1.0 - rate), 0.0)) != clean
        return changed

    changed = per_chunk(p, flips)
    kept = p.unlabeled[changed > copies / 2]
    if kept.size < p.k:
        kept = np.sort(best_k(p.unlabeled, changed, p.k)[0])
    return _clustered(p, kept)


# --- kNN-based cold start -------------------------------------------------------------------------------------------


def _sample(p: Problem, size: int) -> np.ndarray:
    """The labeled rows and a seeded sample of unlabeled ones, ``size`` pool indices in all (all when fewer)."""
    if p.labeled.size + p.unlabeled.size <= size:
        return np.concatenate([p.labeled, p.unlabeled])
    chosen = p.rng().choice(p.unlabeled, max(size - p.labeled.size, p.k), replace=False)
    return np.concatenate([p.labeled, np.sort(chosen)])


def typiclust_floor(p: Problem) -> np.ndarray:
    points = _sample(p, TYPICLUST_SAMPLE)
    n_clusters = min(p.labeled.size + p.k, TYPICLUST_MAX_CLUSTERS)
    fitted = (KMeans if n_clusters <= 50 else MiniBatchKMeans)(n_clusters=n_clusters, n_init=1, random_state=p.seed)
    if n_clusters > 50:
        fitted.set_params(batch_size=5000)  # as TypiClust's authors
    fitted.fit(p.X[points])
    clusters = fitted.labels_
    sizes = np.bincount(clusters, minlength=n_clusters)
    sizes[np.unique(clusters[: p.labeled.size])] = 0  # covered
    picks = []
    for c in np.argsort(-sizes, kind="stable")[: p.k]:
        rows = points[p.labeled.size :][clusters[p.labeled.size :] == c]
        if rows.size == 0:
            continue
        K = min(KNN, rows.size - 1)
        if K == 0:
            picks.append(rows[0])
            continue
        typical = np.concatenate(
            [
                1.0 / (np.sort(np.sqrt(sq_dist(p.X[part], p.X[rows])), axis=1)[:, 1 : K + 1].mean(axis=1) + 1e-5)
                for part in parts(rows, max(1, CHUNK * 16 // rows.size))
            ]
        )
        picks.append(rows[int(np.argmax(typical))])
    return np.array(picks, dtype=np.int64)


def probcover_floor(p: Problem, purity: float = 0.95) -> np.ndarray:
    points = _sample(p, PROBCOVER_SAMPLE)
    sample = points[p.labeled.size :]
    rows = p.X[points]
    clusters = KMeans(n_clusters=max(2, np.unique(p.y).size), n_init=1, random_state=p.seed).fit(rows).labels_
    # radius: the largest pure one among a few quantiles of the nearest-other-cluster distance
    step = max(1, CHUNK * 16 // points.size)
    nearest_other = np.concatenate(
        [
            np.where(clusters[s : s + step, None] == clusters[None, :], np.inf, sq_dist(rows[s : s + step], rows)).min(
                1
            )
            for s in range(0, points.size, step)
        ]
    )
    radius = float(np.sqrt(np.quantile(nearest_other, 1.0 - purity)))
    graph = [
        np.flatnonzero(row <= radius * radius)
        for s in range(0, points.size, step)
        for row in sq_dist(rows[s : s + step], rows)
    ]  # the ball graph: one chunked radius pass
    covered = np.zeros(points.size, dtype=bool)
    for i in range(p.labeled.size):
        covered[graph[i]] = True
    gain = np.array([(~covered[g]).sum() for g in graph])
    gain[: p.labeled.size] = -1
    picks = []
    for _ in range(min(p.k, sample.size)):
        pick = int(np.argmax(gain))
        picks.append(points[pick])
        newly = graph[pick][~covered[graph[pick]]]
        covered[newly] = True
        for j in np.unique(np.concatenate([graph[n] for n in newly])) if newly.size else []:
            gain[j] -= np.count_nonzero(np.isin(graph[j], newly)) if gain[j] >= 0 else 0
        gain[pick] = -1
    return np.array(picks, dtype=np.int64)


# --- embeddings ----------------------------------------------------------------------------------------------------


def badge_floor(p: Problem) -> np.ndarray:
    def gradient(rows):
        a = p.model.predict_proba(rows)
        a[np.arange(a.shape[0]), a.argmax(axis=1)] -= 1.0
        return a

    a = per_chunk(p, gradient)
    hh = per_chunk(p, lambda rows: (rows * rows).sum(axis=1)) + 1.0
    aa = (a * a).sum(axis=1)
    rng = p.rng()
    first = int(np.argmax(aa * hh))
    picks, nearest = [first], np.full(a.shape[0], np.inf)
    for _ in range(min(p.k, a.shape[0]) - 1):
        c = picks[-1]
        h_c = p.X[p.unlabeled[c]]
        dots = (p.X @ h_c)[p.unlabeled]
        d2 = np.maximum(aa * hh + aa[c] * hh[c] - 2.0 * (a @ a[c]) * (dots + 1.0), 0.0)
        np.minimum(nearest, d2, out=nearest)
        nearest[picks] = 0.0
        picks.append(int(rng.choice(a.shape[0], p=nearest / nearest.sum())))
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def falcun_floor(p: Problem, gamma: float = 10.0) -> np.ndarray:
    proba = per_chunk(p, p.model.predict_proba)
    u = 1.0 - np.diff(np.sort(proba, axis=1)[:, -2:], axis=1)[:, 0]
    d, gumbel = u.copy(), _gumbel(p, u.size)
    picks = []
    available = np.ones(u.size, dtype=bool)
    for _ in range(min(p.k, u.size)):
        low, high = d[available].min(), d[available].max()
        scaled = (d - low) / (high - low) if high > low else np.zeros_like(d)
        key = np.where(available, gamma * np.log(np.maximum(u + scaled, TINY)) + gumbel, -np.inf)
        pick = int(np.argmax(key))
        picks.append(pick)
        available[pick] = False
        np.minimum(d, np.abs(proba - proba[pick]).sum(axis=1), out=d)
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def maxherding_floor(p: Problem, rescore: int = 256) -> np.ndarray:
    def unit(rows):
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), TINY)

    ref = unit(_reference(p))
    covered = np.exp(-sq_dist(ref, unit(p.X[p.labeled])) / 2.0).max(axis=1)
    step = max(1, CHUNK * 16 // ref.shape[0])

    def gains(positions):
        return np.concatenate(
            [
                np.maximum(np.exp(-sq_dist(unit(p.X[p.unlabeled[part]]), ref) / 2.0) - covered, 0.0).mean(axis=1)
                for part in parts(positions, step)
            ]
        )

    bound = gains(np.arange(p.unlabeled.size))
    fresh = np.ones(bound.size, dtype=bool)
    picks = []
    for _ in range(min(p.k, bound.size)):
        while not fresh[best := int(np.argmax(bound))]:
            stale = np.union1d(np.argpartition(-bound, min(rescore, bound.size - 1))[:rescore], [best])
            bound[stale], fresh[stale] = gains(stale), True
        picks.append(best)
        covered = np.maximum(covered, np.exp(-sq_dist(ref, unit(p.X[p.unlabeled[best : best + 1]])) / 2.0)[:, 0])
        bound[best], fresh[:] = -np.inf, False
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def epig_floor(p: Problem, n_targets: int = 100) -> np.ndarray:
    committee = members(p)
    targets = p.X[np.sort(p.rng().choice(p.unlabeled, min(n_targets, p.unlabeled.size), replace=False))]
    star = _member_proba(committee, targets)  # (K, T, C)
    p_star = star.mean(axis=0)

    def score(rows):
        proba = _member_proba(committee, rows)  # (K, n, C)
        joint = np.einsum("knc,ktd->ntcd", proba, star) / proba.shape[0]
        independent = proba.mean(axis=0)[:, None, :, None] * p_star[None, :, None, :]
        ratio = np.log(np.maximum(joint, TINY)) - np.log(np.maximum(independent, TINY))
        return (joint * ratio).sum(axis=(2, 3)).mean(axis=1)

    return top(p, np.concatenate([score(p.X[part]) for part in parts(p.unlabeled, CHUNK // 64)]))


def batchbald_floor(p: Problem, n_configurations: int = 100, block: int = 256) -> np.ndarray:
    """Lazy greedy BatchBALD: exact label configurations while at most ``n_configurations``, then sampled."""
    committee = members(p)
    proba = np.concatenate(
        [np.transpose(_member_proba(committee, p.X[part]), (1, 0, 2)) for part in parts(p.unlabeled)]
    )
    n, K, C = proba.shape
    rng = p.rng()
    mean_entropy = entropy(proba).mean(axis=1)
    bound = entropy(proba.mean(axis=1)) - mean_entropy  # BALD: the gain of the first pick, a bound on later gains
    configs = np.ones((1, K))  # prod_i p_k(y_i | x_i) per configuration
    sampled: np.ndarray | None = None  # the member each sampled configuration is drawn from
    picks = []

    def gains(positions):
        v = configs / np.maximum(configs.sum(axis=1, keepdims=True), TINY)
        mass = configs.mean(axis=1) if sampled is None else np.ones(configs.shape[0])  # exact: p(config); sampled: 1
        mixed = np.einsum("mk,nkc->nmc", v, proba[positions])
        return (entropy(mixed) * mass).sum(axis=1) / mass.sum() - mean_entropy[positions]

    for _ in range(min(p.k, n)):
        fresh = np.zeros(n, dtype=bool)
        while True:
            best = int(np.argmax(bound))
            if fresh[best]:
                break
            stale = np.argpartition(-bound, min(block, n - 1))[:block]
            stale = np.union1d(stale[~fresh[stale] & (bound[stale] > -np.inf)], [best])
            bound[stale], fresh[stale] = gains(stale), True
        picks.append(best)
        bound[best] = -np.inf
        column = proba[best]  # (K, C)
        if sampled is None and configs.shape[0] * C <= n_configurations:
            configs = (configs[:, None, :] * column.T[None, :, :]).reshape(-1, K)
            keep = configs.sum(axis=1) > 0
            configs = configs[keep]
        else:
            if sampled is None:  # switch to n_configurations // K draws per member: a stratified sample of the joint
                sampled = np.repeat(np.arange(K), max(1, n_configurations // K))
                configs = np.ones((sampled.size, K))
                for earlier in picks[:-1]:
                    configs *= _draw(proba[earlier], sampled, rng)
            configs *= _draw(column, sampled, rng)
    return p.unlabeled[np.array(picks, dtype=np.int64)]


def _draw(column: np.ndarray, member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One label per configuration drawn from its member's ``column[member]``; returns ``p_k(label)`` as (M, K)."""
    cumulative = np.cumsum(column[member], axis=1)
    labels = np.minimum((rng.random(member.size)[:, None] > cumulative).sum(axis=1), column.shape[1] - 1)
    return column[:, labels].T


def bait_floor(p: Problem, lam: float = 1.0, oversample: int = 2) -> np.ndarray:
    """BAIT: Fisher sums, then a forward pass to ``2 B`` and a backward prune, each step a rank-C Woodbury update."""
    proba = per_chunk(p, p.model.predict_proba)
    known = p.model.predict_proba(p.X[p.labeled])
    C, d = proba.shape[1], p.X.shape[1]

    def fisher(rows, pr):  # sum_x (diag(p) - p p^T) kron h h^T
        g = np.einsum("nc,ne->nce", pr, -pr)
        g[:, np.arange(C), np.arange(C)] += pr
        return np.einsum("nab,ni,nj->aibj", g, rows, rows).reshape(C * d, C * d)

    labeled_sum = fisher(p.X[p.labeled], known)
    pool_sum = labeled_sum + sum(
        fisher(p.X[part], proba[s : s + part.size])
        for s, part in zip(range(0, proba.shape[0], CHUNK // 16), parts(p.unlabeled, CHUNK // 16), strict=True)
    )
    F = pool_sum / (p.unlabeled.size + p.labeled.size)
    k = min(p.k, proba.shape[0])
    A = np.linalg.inv(lam * np.eye(C * d) + labeled_sum / (p.labeled.size + k))
    scale = np.sqrt(k / (p.labeled.size + k))
    G = np.sqrt(proba)[:, :, None] * (np.eye(C)[None] - proba[:, None, :]) * scale  # (n, C, C)

    def quad(M, rows, g):  # V_x M V_x^T per row: (n, C, C), h^T M_ab h by one matrix product per chunk
        Mr = M.reshape(C, d, C, d).transpose(1, 0, 2, 3).reshape(d, C * C * d)
        out = np.empty((rows.shape[0], C, C))
        for s in range(0, rows.shape[0], CHUNK // 16):
            r = rows[s : s + CHUNK // 16]
            inner = np.einsum("nabj,nj->nab", (r @ Mr).reshape(-1, C, C, d), r)
            out[s : s + r.shape[0]] = g[s : s + r.shape[0]] @ inner @ np.transpose(g[s : s + r.shape[0]], (0, 2, 1))
        return out

    X_u = p.X[p.unlabeled]
    inner, outer = quad(A, X_u, G), quad(A @ F @ A, X_u, G)

    def trace_ratio(out, inn, sign):
        return np.trace(np.linalg.solve(np.eye(C)[None] + sign * inn, out), axis1=1, axis2=2)

    def update(A, pick, sign, rows):  # Woodbury for adding (sign 1) or removing (-1) pick's Fisher information
        V = np.kron(G[pick], X_u[pick][None, :]).reshape(C, C * d)  # V_q = G kron h^T
        W = A @ V.T  # (Cd, C)
        S = np.linalg.inv(np.eye(C) + sign * V @ W)
        both = X_u[rows] @ np.hstack([W, A @ F @ W]).reshape(C, d, 2 * C).transpose(1, 0, 2).reshape(d, 2 * C * C)
        both = G[rows] @ both.reshape(-1, C, 2 * C)
        U, Z = both[:, :, :C], both[:, :, C:]
        WFW = W.T @ F @ W
        inner[rows] -= sign * U @ S @ np.transpose(U, (0, 2, 1))
        outer[rows] += -sign * (
            U @ S @ np.transpose(Z, (0, 2, 1)) + Z @ S @ np.transpose(U, (0, 2, 1))
        ) + U @ S @ WFW @ S @ np.transpose(U, (0, 2, 1))
        return A - sign * W @ S @ W.T

    everyone = np.arange(proba.shape[0])
    gain = trace_ratio(outer, inner, 1.0)
    chosen: list[int] = []
    for _ in range(min(oversample * k, proba.shape[0])):
        pick = int(np.argmax(np.where(np.isin(everyone, chosen), -np.inf, gain)))
        chosen.append(pick)
        A = update(A, pick, 1.0, everyone)
        gain = trace_ratio(outer, inner, 1.0)
    kept = np.array(chosen)
    while kept.size > k:
        cost = trace_ratio(outer[kept], inner[kept], -1.0)
        drop = int(np.argmax(-cost))
        position = kept[drop]
        kept = np.delete(kept, drop)
        A = update(A, position, -1.0, kept)
    return p.unlabeled[kept]


FLOORS: dict[str, tuple[str, Callable[[Problem], np.ndarray]]] = {
    "random": ("uncertainty", random_floor),
    "least_confident": ("uncertainty", least_confident_floor),
    "margin": ("uncertainty", margin_floor),
    "breaking_ties": ("uncertainty", margin_floor),
    "entropy": ("uncertainty", entropy_floor),
    "power_margin": ("uncertainty", power_margin_floor),
    "power_entropy": ("uncertainty", power_entropy_floor),
    "softrank_margin": ("uncertainty", softrank_margin_floor),
    "class_balanced_margin": ("uncertainty", class_balanced_margin_floor),
    "vote_entropy": ("committee", vote_entropy_floor),
    "kl_divergence": ("committee", kl_divergence_floor),
    "bald": ("committee", bald_floor),
    "power_bald": ("committee", power_bald_floor),
    "committee_variance": ("committee", committee_variance_floor),
    "information_density": ("density", information_density_floor),
    "dwus": ("density", dwus_floor),
    "eer_log_loss": ("eer", eer_log_loss_floor),
    "eer_zero_one": ("eer", eer_zero_one_floor),
    "k_center_greedy": ("k-center", k_center_greedy_floor),
    "gsx": ("k-center", k_center_greedy_floor),
    "margin_k_center": ("k-center", margin_k_center_floor),
    "gsy": ("k-center", gsy_floor),
    "igs": ("k-center", igs_floor),
    "ranked_batch": ("k-center", ranked_batch_floor),
    "kmeans": ("k-means", kmeans_floor),
    "cluster_margin": ("k-means", cluster_margin_floor),
    "clue": ("k-means", clue_floor),
    "dropquery": ("k-means", dropquery_floor),
    "typiclust": ("kNN", typiclust_floor),
    "probcover": ("kNN", probcover_floor),
    "badge": ("embedding", badge_floor),
    "bait": ("embedding", bait_floor),
    "batchbald": ("embedding", batchbald_floor),
    "epig": ("embedding", epig_floor),
    "falcun": ("embedding", falcun_floor),
    "maxherding": ("embedding", maxherding_floor),
}
