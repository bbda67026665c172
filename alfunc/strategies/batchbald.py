"""BatchBALD (Kirsch, van Amersfoort and Gal 2019) over the members of an ensemble or committee.

"BatchBALD: Efficient and Diverse Batch Acquisition for Deep Bayesian Active
Learning" (NeurIPS 2019). The members ``w_1..w_K`` of a committee stand for
samples of the model's posterior, each giving ``p_k(y | x)``. BatchBALD picks
the batch greedily by the mutual information between the batch's labels and
the model, ``I(y_1, ..., y_b; w)``: each pick adds the candidate with the
largest gain

    I(y_1..y_b, y; w) - I(y_1..y_b; w) = H(y | y_1..y_b) - E_w H(y | w),

where ``E_w H(y | w)`` is the members' mean entropy at ``x`` and
``H(y | y_1..y_b) = E_{y_1..y_b} H(y | y_1..y_b)``. Given a configuration
``y_1..y_b`` of the batch's labels, the members are reweighted by how likely
they make it (``v_k ∝ prod_i p_k(y_i | x_i)``), and ``p(y | y_1..y_b)`` is
the reweighted mixture ``sum_k v_k p_k(y | x)``. The expectation is over the
configurations:

* exactly, summing over every configuration with positive probability, while
  there are at most ``n_configurations`` of them (``C ** b`` for ``C`` classes
  and soft probabilities; at most ``K`` for members that give 0/1
  probabilities, as fully grown trees do);
* beyond that, by Monte Carlo over ``n_configurations`` sampled
  configurations, as in the paper: ``n_configurations // K`` per member,
  each label drawn from that member's ``p_k(y_i | x_i)``, so the sample is
  stratified over the members. A sampled configuration is extended by one
  draw when a point joins the batch, so all picks of a selection share one
  sample; the draws come from ``context.generator`` (seeded by the state's
  seed and iteration).

The first pick is BALD's (``bald`` stays the greedy top-k of single-point
mutual information). The joint mutual information is submodular (Kirsch et
al. 2019, appendix), so a candidate's gain never grows as the batch grows:
picks are made by lazy greedy evaluation (Minoux 1978), recomputing a
candidate's gain only while its last gain (an upper bound) could still beat
the best one found for this pick. With exact configurations this is the
greedy batch; with sampled ones the bound holds for the exact gains, not for
their estimates, so the batch is that of lazy greedy over the estimates.

A committee of ``K`` members holds at most ``log K`` nats about its members,
and the batch's information cannot exceed it: once the picks have told the
members apart (with 10 nearly certain trees, two picks can be enough), every
gain is 0 and the rest of the batch goes by the seeded tie-break, i.e. at
random. Use more members (``n_estimators``, ``bagging(n)``) for larger batches.

Memory: the members' probabilities of every candidate,
``n_candidates x K x C`` floats (40 MB for 100,000 candidates, 10 members and
5 classes), and one block of ``block_rows x n_configurations x C`` floats
(at most ``WORKING_ELEMENTS / 4``); never a pool x pool or pool x
configurations matrix.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from scipy.special import logsumexp

from alfunc.core.context import Context
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.core.rows import take_rows
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_classifier, uses_ensemble
from alfunc.strategies.committee import Committee, as_committee_source, ensemble_members, member_probabilities
from alfunc.strategies.pooled import WORKING_ELEMENTS, scoring_chunk_rows
from alfunc.strategies.uncertainty import shannon_entropy

DEFAULT_CONFIGURATIONS = 100
FIRST_BLOCK_ROWS = 32
TINY = np.finfo(np.float64).tiny


def batchbald(
    committee: Any = None, n_configurations: int = DEFAULT_CONFIGURATIONS, block_rows: int | None = None
) -> BatchStrategy:
    """BatchBALD: the batch of largest joint mutual information with the model, picked greedily (Kirsch et al. 2019).

    See the module docstring for what is computed: each pick's gain
    ``H(y | y_batch) - E_w H(y | w)`` over the committee's members, exact
    over the batch's label configurations while there are at most
    ``n_configurations`` of them, estimated from ``n_configurations`` seeded
    samples beyond. The utilities are the gains at pick time; their sum is
    the batch's mutual information ``I(y_batch; w)`` (exactly, in the exact
    regime), and the first is the BALD of the first pick.

    Parameters
    ----------
    committee : None, list of estimators or committee source, default=None
        Who votes: ``None`` for the members of the fitted ensemble model
        (``ensemble_members()``: use e.g. a random forest), a list of
        estimators (each fitted on the labeled set) or a source such as
        ``bagging(10)``; see ``alfunc.strategies.committee``.
    n_configurations : int, default=100
        The most label configurations summed exactly, and the number sampled
        beyond that (rounded down to a multiple of the number of members,
        at least one per member). Cost and memory per evaluated candidate
        grow with it.
    block_rows : int or None, default=None
        Most candidates evaluated at once (memory: ``block_rows x
        n_configurations x C`` floats); ``None`` sizes blocks to about
        ``WORKING_ELEMENTS / 4`` floats. The batch does not depend on it.

    Returns
    -------
    callable
        A batch strategy named ``"batchbald"`` (``"batchbald(...)"`` when a
        parameter differs from its default).

    Examples
    --------
    Two rows that are copies of each other carry the same information: BALD
    takes both, BatchBALD takes one and then the next most informative row.

    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> import alfunc as al
    >>> from alfunc.strategies import bald, batchbald
    >>> X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    >>> X = np.vstack([X, X[:30]])  # rows 60..89 repeat rows 0..29
    >>> y = np.concatenate([y, y[:30]])
    >>> forest = RandomForestClassifier(n_estimators=10, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, forest)
    >>> greedy = al.select(state, X, bald(), 4)
    >>> joint, gains = al.select(state, X, batchbald(), 4, return_utilities=True)
    >>> int(joint[0]) == int(greedy[0])  # the first pick is BALD's
    True
    >>> np.unique(greedy % 60).size, np.unique(joint % 60).size  # distinct rows among the four picks
    (3, 4)
    >>> gains.round(3).tolist()
    [0.693, 0.673, 0.468, 0.33]
    >>> bool((np.diff(gains) <= 1e-12).all())  # exact here: gains never grow
    True
    >>> batchbald(n_configurations=0)
    Traceback (most recent call last):
    ...
    ValueError: n_configurations must be an int >= 1, got 0
    """
    members_of = ensemble_members() if committee is None else as_committee_source(committee)
    n_configurations = check_positive_int(n_configurations, "n_configurations")
    if block_rows is not None:
        block_rows = check_positive_int(block_rows, "block_rows")

    @batch_strategy
    @uses_classifier
    def batchbald(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates = context.candidates
        members = members_of(model, context)
        proba = candidate_member_probabilities(members, X, candidates, np.unique(context.state.labels))
        salt = step_salt(context.state.seed, context.iteration, "tie-break")
        rng = context.generator("batchbald")
        positions, gains = greedy_joint_information(
            proba, hashed_uniform(candidates, salt), batch_size, n_configurations, rng, block_rows
        )
        return candidates[positions], gains

    options = [f"n_configurations={n_configurations}"] * (n_configurations != DEFAULT_CONFIGURATIONS)
    options += [f"block_rows={block_rows}"] * (block_rows is not None)
    batchbald.__name__ = batchbald.__qualname__ = "batchbald" + (f"({', '.join(options)})" if options else "")
    strategy = uses_ensemble(batchbald) if committee is None else batchbald
    return described(
        strategy,
        "BatchBALD (Kirsch et al. 2019): the batch of largest joint mutual information between its labels and "
        "the model, picked greedily over a committee's members.",
        f"Made by ``batchbald(committee={'the fitted ensemble' if committee is None else committee!r}, "
        f"n_configurations={n_configurations})``: exact over label configurations while there are at most "
        f"{n_configurations}, estimated from that many seeded samples beyond.",
    )


def candidate_member_probabilities(
    members: Committee, X: Any, candidates: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """``(n_candidates, n_members, n_classes)`` probabilities of each member, computed in model-sized chunks.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies.batchbald import candidate_member_probabilities
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> members = (LogisticRegression().fit(X, [0, 0, 1, 1]), LogisticRegression().fit(X, [0, 1, 1, 1]))
    >>> proba = candidate_member_probabilities(members, X, np.array([1, 3]), np.array([0, 1]))
    >>> proba.shape, bool(np.allclose(proba.sum(axis=2), 1.0))
    ((2, 2, 2), True)
    """
    proba = np.empty((candidates.size, len(members), classes.size))
    step = scoring_chunk_rows(X)
    for start in range(0, candidates.size, step):
        part = candidates[start : start + step]
        proba[start : start + part.size] = member_probabilities(members, take_rows(X, part), classes).transpose(1, 0, 2)
    return proba


@attrs.frozen
class Configurations:
    """Label configurations of the batch so far: members' log-likelihoods ``(M, K)`` and their weights ``(M,)``.

    ``log_likelihood[m, k] = sum_i log p_k(y_i^m | x_i)`` over the batch's
    points; ``weight[m]`` is the configuration's probability (exact) or
    ``1 / M`` (sampled); ``member[m]`` is the member a sampled configuration
    was drawn from (empty when exact).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.batchbald import Configurations
    >>> start = Configurations.empty(n_members=2)
    >>> one = start.extended(np.array([[0.9, 0.1], [0.5, 0.5]]), 100, np.random.default_rng(0), [])
    >>> one.weight.round(2).tolist(), one.sampled  # p(y=0) = (0.9 + 0.5) / 2
    ([0.7, 0.3], False)
    >>> one.posterior().round(3).tolist()  # members reweighted by each configuration
    [[0.643, 0.357], [0.167, 0.833]]
    """

    log_likelihood: np.ndarray
    weight: np.ndarray
    member: np.ndarray
    sampled: bool = False

    @classmethod
    def empty(cls, n_members: int) -> Configurations:
        """The configuration of an empty batch: every member equally likely."""
        return cls(np.zeros((1, n_members)), np.ones(1), np.empty(0, dtype=np.int64))

    def posterior(self) -> np.ndarray:
        """``(M, K)`` member weights given each configuration (rows sum to 1)."""
        return np.exp(self.log_likelihood - logsumexp(self.log_likelihood, axis=1, keepdims=True))

    def extended(
        self, proba: np.ndarray, limit: int, rng: np.random.Generator, batch: list[np.ndarray]
    ) -> Configurations:
        """The configurations once a point with member probabilities ``proba`` ``(K, C)`` joins the batch.

        ``batch`` holds the member probabilities of the points already in the
        batch (needed to draw their labels when the exact configurations
        outgrow ``limit``).
        """
        with np.errstate(divide="ignore"):
            log_proba = np.log(proba)
        if self.sampled:
            return attrs.evolve(self, log_likelihood=self.log_likelihood + _drawn(log_proba, proba, self.member, rng))
        n_members, n_classes = proba.shape
        grown = (self.log_likelihood[:, None, :] + log_proba.T[None, :, :]).reshape(-1, n_members)
        log_weight = logsumexp(grown, axis=1) - np.log(n_members)
        possible = log_weight > -np.inf
        if possible.sum() <= limit:
            return Configurations(grown[possible], np.exp(log_weight[possible]), self.member)
        return Configurations.drawn([*batch, proba], limit, rng)

    @classmethod
    def drawn(cls, batch: list[np.ndarray], limit: int, rng: np.random.Generator) -> Configurations:
        """``limit`` (rounded down to a multiple of ``K``) configurations, an equal share drawn from each member."""
        n_members = batch[0].shape[0]
        member = np.repeat(np.arange(n_members), max(1, limit // n_members))
        log_likelihood = np.zeros((member.size, n_members))
        for proba in batch:
            with np.errstate(divide="ignore"):
                log_likelihood += _drawn(np.log(proba), proba, member, rng)
        return cls(log_likelihood, np.full(member.size, 1.0 / member.size), member, sampled=True)


def _drawn(log_proba: np.ndarray, proba: np.ndarray, member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(M, K)`` log-probabilities of one label per configuration, drawn from that configuration's member."""
    cdf = np.cumsum(proba, axis=1)
    cdf /= cdf[:, -1:]
    uniform = rng.random(member.size)
    labels = (uniform[:, None] >= cdf[member]).sum(axis=1)
    return log_proba[:, labels].T


def joint_gains(configurations: Configurations, proba: np.ndarray, conditional: np.ndarray) -> np.ndarray:
    """Each candidate's gain ``sum_m weight_m H(sum_k v_mk p_k) - E_w H``; ``proba`` is ``(B, K, C)``.

    Each candidate's value depends only on its own rows, so any blocking
    gives the same numbers.

    Examples
    --------
    With no point in the batch, the gain is BALD: the entropy of the mean
    minus the mean entropy.

    >>> import numpy as np
    >>> from alfunc.strategies.batchbald import Configurations, joint_gains
    >>> proba = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5], [0.5, 0.5]]])  # split members; agreeing ones
    >>> conditional = np.array([0.0, np.log(2)])
    >>> joint_gains(Configurations.empty(2), proba, conditional).round(4).tolist()
    [0.6931, 0.0]
    """
    n_block, n_members, n_classes = proba.shape
    mixed = configurations.posterior() @ proba.transpose(1, 0, 2).reshape(n_members, n_block * n_classes)
    terms = mixed * np.log(np.maximum(mixed, TINY))  # (M, B x C); 0 log 0 = 0
    terms *= configurations.weight[:, None]
    entropy = -terms.sum(axis=0).reshape(n_block, n_classes).sum(axis=1)  # sums row by row: the same for any block
    return entropy - conditional


def greedy_joint_information(
    proba: np.ndarray,
    hashes: np.ndarray,
    batch_size: int,
    n_configurations: int,
    rng: np.random.Generator,
    block_rows: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lazy greedy BatchBALD over candidates' member probabilities ``(N, K, C)``: ``(positions, gains)``.

    Ties between gains are broken by ``hashes`` (higher first), then by
    position.

    Examples
    --------
    Three members; candidate 1 copies candidate 0, on which member 0 disagrees
    with the other two. Once candidate 0 is in the batch, its copy tells
    nothing more (gain 0), while candidate 2, less uncertain alone, still
    does: ``H(y_2 | y_0) - E_w H = (1/3) 0.325 + (2/3) ln 2 - 0.325``.

    >>> import numpy as np
    >>> from alfunc.strategies.batchbald import greedy_joint_information
    >>> first = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    >>> proba = np.array([first, first, [[0.9, 0.1], [0.9, 0.1], [0.1, 0.9]]])
    >>> hashes = np.array([0.3, 0.2, 0.1])  # tie-breaks: candidate 0 before its copy
    >>> positions, gains = greedy_joint_information(proba, hashes, 3, 100, np.random.default_rng(0))
    >>> positions.tolist(), gains.round(4).tolist()
    ([0, 2, 1], [0.6365, 0.2454, 0.0])
    """
    n, n_members, n_classes = proba.shape
    batch_size = min(batch_size, n)
    conditional, bounds = np.empty(n), np.empty(n)  # BALD: the exact gains for an empty batch
    step = max(1, WORKING_ELEMENTS // (n_members * n_classes))  # rows whose entropies fit one working block
    for start in range(0, n, step):
        part = proba[start : start + step]
        conditional[start : start + step] = shannon_entropy(part).mean(axis=1)
        bounds[start : start + step] = shannon_entropy(part.mean(axis=1)) - conditional[start : start + step]
    most_configurations = max(n_configurations, n_members)  # a sample holds at least one per member
    widest = max(1, WORKING_ELEMENTS // (4 * n_classes * most_configurations)) if block_rows is None else block_rows
    positions = np.arange(n)
    available = np.ones(n, dtype=bool)
    configurations = Configurations.empty(n_members)
    picks: list[int] = []
    gains: list[float] = []
    for step in range(batch_size):
        if step == 0:
            best = _best(positions, bounds, hashes)
            best_gain = float(bounds[best])
        else:
            best, best_gain = _lazy_best(configurations, proba, conditional, bounds, hashes, available, widest)
        picks.append(best)
        gains.append(best_gain)
        available[best] = False
        if step + 1 < batch_size:
            configurations = configurations.extended(proba[best], n_configurations, rng, [proba[p] for p in picks[:-1]])
    return np.array(picks, dtype=np.int64), np.array(gains)


def _lazy_best(
    configurations: Configurations,
    proba: np.ndarray,
    conditional: np.ndarray,
    bounds: np.ndarray,
    hashes: np.ndarray,
    available: np.ndarray,
    widest: int,
) -> tuple[int, float]:
    """The available candidate of largest gain, evaluating the candidates of largest bound first (updates ``bounds``)."""
    unevaluated = available.copy()
    best, best_gain, rows = -1, -np.inf, min(FIRST_BLOCK_ROWS, widest)
    while unevaluated.any():
        open_positions = np.flatnonzero(unevaluated)
        block = _ranked(open_positions, bounds[open_positions], hashes[open_positions], rows)
        top = block[0]
        if best >= 0 and (bounds[top], hashes[top]) < (best_gain, hashes[best]):
            break  # no open candidate can beat the best gain: their gains are at most their bounds
        bounds[block] = joint_gains(configurations, proba[block], conditional[block])
        unevaluated[block] = False
        challenger = _best(block, bounds[block], hashes[block])
        if best < 0 or (bounds[challenger], hashes[challenger]) > (best_gain, hashes[best]):
            best, best_gain = challenger, float(bounds[challenger])
        rows = min(2 * rows, widest)
    return best, best_gain


def _ranked(positions: np.ndarray, values: np.ndarray, hashes: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` positions of largest (value, hash), best first."""
    if positions.size > k:
        cut = np.partition(values, values.size - k)[values.size - k]
        above, tied = np.flatnonzero(values > cut), np.flatnonzero(values == cut)
        places = k - above.size
        if tied.size > places:  # only the tied entries whose hash can still make the cut
            tied = tied[hashes[tied] >= np.partition(hashes[tied], tied.size - places)[tied.size - places]]
        keep = np.concatenate([above, tied])
        positions, values, hashes = positions[keep], values[keep], hashes[keep]
    order = np.lexsort((positions, -hashes, -values))[:k]
    return positions[order]


def _best(positions: np.ndarray, values: np.ndarray, hashes: np.ndarray) -> int:
    return int(_ranked(positions, values, hashes, 1)[0])
