"""Query by committee: vote entropy, KL divergence to the consensus, BALD.

Each factory takes a committee (``None`` for ``bagging(5)``, a list of
estimators, or a source from ``alfunc.strategies.committee``) and returns a
utility strategy. The registered names (``"vote_entropy"``,
``"kl_divergence"``, ``"bald"``) build a fresh strategy on every call, so they
hold no state between calls; for large pools (several chunks) create the
strategy once with the factory, whose committee is then fitted once per
selection (see ``benchmarks/committee_refit.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.strategies.base import Strategy, uses_classifier, uses_ensemble
from alfunc.strategies.committee import (
    as_committee_source,
    ensemble_members,
    member_probabilities,
    member_votes,
)
from alfunc.strategies.uncertainty import shannon_entropy


def vote_entropy(committee: Any = None) -> Strategy:
    """Entropy of the members' votes (Dagan & Engelson 1995): high where they disagree."""
    members_of = as_committee_source(committee)

    @uses_classifier
    def vote_entropy(model: Any, X: Any, context: Context) -> np.ndarray:
        classes = np.unique(context.state.labels)
        votes = member_votes(members_of(model, context), X, classes)
        counts = np.stack([np.bincount(column, minlength=classes.size) for column in votes.T])
        return shannon_entropy(counts / votes.shape[0])

    return vote_entropy


def kl_divergence(committee: Any = None) -> Strategy:
    """Mean KL divergence of each member's p(.|x) from the consensus (McCallum & Nigam 1998)."""
    members_of = as_committee_source(committee)

    @uses_classifier
    def kl_divergence(model: Any, X: Any, context: Context) -> np.ndarray:
        proba = member_probabilities(members_of(model, context), X, np.unique(context.state.labels))
        consensus = proba.mean(axis=0)
        ratio = np.divide(proba, consensus, out=np.ones_like(proba), where=proba > 0)
        return (proba * np.log(ratio)).sum(axis=2).mean(axis=0)

    return kl_divergence


def bald(committee: Any = None) -> Strategy:
    """Mutual information between the label and the member (Houlsby et al. 2011, BALD).

    H(mean_m p_m) - mean_m H(p_m), over the members of a fitted ensemble by
    default (``ensemble_members()``: use a random forest or pass a committee).
    For equally weighted members this equals ``kl_divergence`` exactly; the two
    differ only in their default committee.
    """
    members_of = ensemble_members() if committee is None else as_committee_source(committee)

    @uses_classifier
    def bald(model: Any, X: Any, context: Context) -> np.ndarray:
        proba = member_probabilities(members_of(model, context), X, np.unique(context.state.labels))
        return shannon_entropy(proba.mean(axis=0)) - shannon_entropy(proba).mean(axis=0)

    return uses_ensemble(bald) if committee is None else bald
