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
from alfunc.strategies.base import Strategy, uses_classifier, uses_ensemble, uses_proba
from alfunc.strategies.committee import (
    as_committee_source,
    ensemble_members,
    member_probabilities,
    member_votes,
)
from alfunc.strategies.uncertainty import shannon_entropy


def vote_entropy(committee: Any = None) -> Strategy:
    """Entropy of the members' votes (Dagan & Engelson 1995): high where they disagree.

    Parameters
    ----------
    committee : None, list of estimators or callable, default=None
        The committee: ``None`` (``bagging(5)`` of the state's model), a list of estimators (each fitted on the
        labeled set), or a committee source such as ``ensemble_members()`` or ``bagging(n)``.

    Returns
    -------
    callable
        A utility strategy ``(model, X, context) -> utilities``.

    Examples
    --------
    The default committee is ``bagging(5)`` of the state's model. Five voters
    on two classes split 5-0, 4-1 or 3-2, so the utilities take three values,
    and the first pick is one of the most split votes:

    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.strategies import vote_entropy
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, GaussianNB())
    >>> strategy = vote_entropy()  # create once: its committee is fitted once per selection
    >>> idx, utilities = al.select(state, X, strategy, state.n_unlabeled, return_utilities=True)
    >>> set(utilities.round(3).tolist()) <= {0.0, 0.5, 0.673}
    True
    >>> round(float(utilities[0]), 3)
    0.673

    A committee can also be a list of estimators, each fitted on the labeled
    set; three voters split 3-0 or 2-1:

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> trio = vote_entropy([GaussianNB(), LogisticRegression(), DecisionTreeClassifier(random_state=0)])
    >>> _, utilities = al.select(state, X, trio, state.n_unlabeled, return_utilities=True)
    >>> set(utilities.round(3).tolist()) <= {0.0, 0.637}
    True
    """
    members_of = as_committee_source(committee)

    @uses_classifier
    def vote_entropy(model: Any, X: Any, context: Context) -> np.ndarray:
        classes = np.unique(context.state.labels)
        votes = member_votes(members_of(model, context), X, classes)
        return shannon_entropy(vote_counts(votes, classes.size) / votes.shape[0])

    return vote_entropy


def vote_counts(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """``(n_rows, n_classes)`` counts of the members' votes: one ``bincount`` over row-offset votes.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.disagreement import vote_counts
    >>> votes = np.array([[0, 2, 1], [0, 1, 1]])  # two members, three rows
    >>> vote_counts(votes, 3).tolist()
    [[2, 0, 0], [0, 1, 1], [0, 2, 0]]
    """
    n_rows = votes.shape[1]
    offsets = votes + (np.arange(n_rows) * n_classes)[None, :]
    return np.bincount(offsets.ravel(), minlength=n_rows * n_classes).reshape(n_rows, n_classes)


def kl_divergence(committee: Any = None) -> Strategy:
    """Mean KL divergence of each member's p(.|x) from the consensus (McCallum & Nigam 1998).

    Parameters
    ----------
    committee : None, list of estimators or callable, default=None
        The committee: ``None`` (``bagging(5)`` of the state's model), a list of estimators (each fitted on the
        labeled set), or a committee source such as ``ensemble_members()`` or ``bagging(n)``.

    Returns
    -------
    callable
        A utility strategy ``(model, X, context) -> utilities``.

    Examples
    --------
    The utilities are never negative, and zero where the members agree, so a
    committee of identical members finds nothing to ask:

    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.strategies import kl_divergence
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, GaussianNB())
    >>> _, utilities = al.select(state, X, kl_divergence(), state.n_unlabeled, return_utilities=True)
    >>> bool((utilities >= 0).all()), bool(utilities.max() > 0)
    (True, True)
    >>> twins = kl_divergence([GaussianNB(), GaussianNB()])
    >>> _, utilities = al.select(state, X, twins, state.n_unlabeled, return_utilities=True)
    >>> float(np.abs(utilities).max())
    0.0
    """
    members_of = as_committee_source(committee)

    @uses_proba
    @uses_classifier
    def kl_divergence(model: Any, X: Any, context: Context) -> np.ndarray:
        proba = member_probabilities(members_of(model, context), X, np.unique(context.state.labels))
        return mean_kl_to_consensus(proba)

    return kl_divergence


def mean_kl_to_consensus(proba: np.ndarray) -> np.ndarray:
    """Mean over members of KL(p_m || consensus), the consensus being the members' mean (nats, never inf).

    ``proba`` is ``(n_members, n_rows, n_classes)``. Since the consensus is at
    least ``p_m / n_members``, each ratio ``p_m / consensus`` lies in
    ``(0, n_members]``; it is clipped there, so a probability too small for its
    mean to be represented (the consensus underflows to 0 while ``p_m > 0``)
    gives a finite term instead of ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.disagreement import mean_kl_to_consensus
    >>> agree = [[[0.5, 0.5]], [[0.5, 0.5]]]
    >>> split = [[[1.0, 0.0]], [[0.0, 1.0]]]
    >>> mean_kl_to_consensus(np.array(agree)).tolist(), mean_kl_to_consensus(np.array(split)).round(4).tolist()
    ([0.0], [0.6931])

    One member gives the smallest positive double where the others give 0: the
    consensus underflows to 0, and the term is still finite (and negligible):

    >>> tiny = np.nextafter(0.0, 1.0)
    >>> proba = np.array([[[1.0, tiny]], [[1.0, 0.0]], [[1.0, 0.0]]])
    >>> float(proba[:, :, 1].mean()), mean_kl_to_consensus(proba).tolist()
    (0.0, [0.0])
    """
    proba = np.asarray(proba, dtype=np.float64)
    n_members = proba.shape[0]
    consensus = proba.mean(axis=0)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.divide(proba, consensus, out=np.ones_like(proba), where=proba > 0)
    np.clip(ratio, np.nextafter(0.0, 1.0), n_members, out=ratio)
    return (proba * np.log(ratio)).sum(axis=2).mean(axis=0)


def bald(committee: Any = None) -> Strategy:
    """Mutual information between the label and the member (Houlsby et al. 2011, BALD).

    H(mean_m p_m) - mean_m H(p_m), over the members of a fitted ensemble by
    default (``ensemble_members()``: use a random forest or pass a committee).
    For equally weighted members this equals ``kl_divergence`` exactly; the two
    differ only in their default committee.

    Parameters
    ----------
    committee : None, list of estimators or callable, default=None
        The committee: ``None`` (``bagging(5)`` of the state's model), a list of estimators (each fitted on the
        labeled set), or a committee source such as ``ensemble_members()`` or ``bagging(n)``.

    Returns
    -------
    callable
        A utility strategy ``(model, X, context) -> utilities``.

    Examples
    --------
    By default the committee is the trees of a fitted forest, so nothing is
    refitted; the utilities are those of ``kl_divergence`` over the same
    members:

    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> import alfunc as al
    >>> from alfunc.strategies import bald, ensemble_members, kl_divergence
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=5, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, forest)
    >>> n = state.n_unlabeled
    >>> idx, mutual_information = al.select(state, X, bald(), n, return_utilities=True)
    >>> idx_kl, kl = al.select(state, X, kl_divergence(ensemble_members()), n, return_utilities=True)
    >>> bool(np.allclose(mutual_information[np.argsort(idx)], kl[np.argsort(idx_kl)]))
    True

    A model that is not an ensemble needs a committee, e.g. ``bald(bagging(5))``:

    >>> from sklearn.naive_bayes import GaussianNB
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, GaussianNB())
    >>> al.select(state, X, bald(), 3)
    Traceback (most recent call last):
    ...
    TypeError: ensemble_members needs a fitted ensemble with estimators_ over all features ...
    """
    members_of = ensemble_members() if committee is None else as_committee_source(committee)

    @uses_classifier
    def bald(model: Any, X: Any, context: Context) -> np.ndarray:
        proba = member_probabilities(members_of(model, context), X, np.unique(context.state.labels))
        return shannon_entropy(proba.mean(axis=0)) - shannon_entropy(proba).mean(axis=0)

    return uses_ensemble(bald) if committee is None else bald
