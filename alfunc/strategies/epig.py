"""EPIG (Bickford Smith, Kirsch, Farquhar, Gal, Foster and Rainforth 2023) for ensembles and committees.

"Prediction-Oriented Bayesian Active Learning" (AISTATS 2023). BALD asks
which label tells most about the model's parameters; EPIG asks which label
tells most about the model's *predictions* on the inputs that matter, a
target distribution ``p*(x*)``:

    EPIG(x) = E_{x* ~ p*} I(y; y* | x, x*),   I(y; y*) = H(y) + H(y*) - H(y, y*),

where the members ``w_1..w_K`` of a committee are the posterior samples:
``p(y) = mean_k p_k(y | x)``, ``p(y*) = mean_k p_k(y* | x*)`` and the joint
predictive ``p(y, y*) = mean_k p_k(y | x) p_k(y* | x*)`` (the labels are
independent given a member, dependent through the members). Without a
separate target set, as in the paper's pool-based experiments, ``p*`` is
estimated by a seeded sample of ``n_targets`` unlabeled pool points (drawn
once per selection from ``context.generator``, so every chunk sees the same
targets); pass ``targets=`` rows to use inputs of your own.

Cost per candidate: ``n_targets x C^2`` joint probabilities and logarithms
(``K`` multiply-adds each). Memory: the members' probabilities of one chunk
and of the targets, and one block of at most ``WORKING_ELEMENTS / 4`` joint
probabilities; never pool x pool.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.rows import n_rows, take_rows
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import Strategy, described, uses_classifier, uses_ensemble
from alfunc.strategies.committee import as_committee_source, ensemble_members, member_probabilities
from alfunc.strategies.pooled import WORKING_ELEMENTS
from alfunc.strategies.uncertainty import shannon_entropy

DEFAULT_TARGETS = 100


def epig(committee: Any = None, n_targets: int = DEFAULT_TARGETS, targets: Any = None) -> Strategy:
    """Expected predictive information gain about a target sample (Bickford Smith et al. 2023).

    Each candidate's utility is the mean over the target inputs ``x*`` of the
    mutual information between its label and the label of ``x*``, under the
    committee's members (see the module docstring). High where learning
    ``y`` would change the predictions on many target inputs; low for
    outliers that BALD may favour but that say little about the rest of the
    pool.

    Parameters
    ----------
    committee : None, list of estimators or committee source, default=None
        Who predicts: ``None`` for the members of the fitted ensemble model
        (``ensemble_members()``: use e.g. a random forest), a list of
        estimators or a source such as ``bagging(10)``.
    n_targets : int, default=100
        Size of the seeded sample of target inputs (unlabeled pool points, or
        rows of ``targets``); all of them when fewer. Cost grows linearly with it.
    targets : rows or None, default=None
        Target inputs of your own, in any container the estimator takes
        (e.g. unlabeled test-distribution inputs). ``None`` samples the
        unlabeled pool.

    Returns
    -------
    callable
        A utility strategy named ``"epig"`` (``"epig(...)"`` when a parameter
        differs from its default).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> import alfunc as al
    >>> from alfunc.strategies import epig
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=10, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, forest)
    >>> indices, gains = al.select(state, X, epig(), 5, return_utilities=True)
    >>> bool((gains >= 0).all()), bool((indices == al.select(state, X, epig(), 5, chunk_size=7)).all())
    (True, True)
    >>> epig(n_targets=0)
    Traceback (most recent call last):
    ...
    ValueError: n_targets must be an int >= 1, got 0
    """
    members_of = ensemble_members() if committee is None else as_committee_source(committee)
    n_targets = check_positive_int(n_targets, "n_targets")
    if targets is not None and n_rows(targets) == 0:
        raise ValueError("targets must hold at least one row")

    @uses_classifier
    def epig(model: Any, X: Any, context: Context) -> np.ndarray:
        members = members_of(model, context)
        classes = np.unique(context.state.labels)
        target_rows = _target_rows(context, targets, n_targets)
        return expected_predictive_information_gain(
            member_probabilities(members, X, classes), member_probabilities(members, target_rows, classes)
        )

    options = [f"n_targets={n_targets}"] * (n_targets != DEFAULT_TARGETS) + ["targets=..."] * (targets is not None)
    epig.__name__ = epig.__qualname__ = "epig" + (f"({', '.join(options)})" if options else "")
    strategy = uses_ensemble(epig) if committee is None else epig
    return described(
        strategy,
        "EPIG, expected predictive information gain (Bickford Smith et al. 2023): the mutual information between "
        "a candidate's label and the labels of a target sample of the pool, under a committee's members.",
        f"Made by ``epig(committee={'the fitted ensemble' if committee is None else committee!r}, "
        f"n_targets={n_targets}{', targets=<rows>' if targets is not None else ''})``.",
    )


def expected_predictive_information_gain(proba: np.ndarray, target_proba: np.ndarray) -> np.ndarray:
    """Mean over targets of ``I(y; y*)`` in nats; ``proba`` is ``(K, n, C)``, ``target_proba`` ``(K, T, C)``.

    Computed as ``H(y) + mean_t H(y*_t) - mean_t H(y, y*_t)``, the joint
    ``p(y, y*) = mean_k p_k(y) p_k(y*)`` built for a block of candidates at a
    time. Clipped at 0 (mutual information is never negative; rounding can
    make it -1e-17).

    Examples
    --------
    Two members who disagree completely on both points: each label reveals the
    member and so the other label, ``ln 2``. Members who agree share nothing:

    >>> import numpy as np
    >>> from alfunc.strategies.epig import expected_predictive_information_gain
    >>> split = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])  # (members, rows, classes)
    >>> agree = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])
    >>> expected_predictive_information_gain(split, split).round(4).tolist()
    [0.6931]
    >>> expected_predictive_information_gain(agree, split).tolist()
    [0.0]
    """
    n_members, n, n_classes = proba.shape
    n_targets = target_proba.shape[1]
    marginal = shannon_entropy(proba.mean(axis=0))
    target_marginal = shannon_entropy(target_proba.mean(axis=0)).mean()
    right = target_proba.reshape(n_members, n_targets * n_classes) / n_members
    step = max(1, WORKING_ELEMENTS // (4 * n_targets * n_classes * n_classes))
    joint_entropy = np.empty(n)
    for start in range(0, n, step):
        left = proba[:, start : start + step].transpose(1, 2, 0).reshape(-1, n_members)
        joint = (left @ right).reshape(-1, n_classes, n_targets, n_classes)
        joint_entropy[start : start + step] = shannon_entropy(
            joint.transpose(0, 2, 1, 3).reshape(-1, n_targets, n_classes * n_classes)
        ).mean(axis=1)
    return np.maximum(marginal + target_marginal - joint_entropy, 0.0)


def _target_rows(context: Context, targets: Any, n_targets: int) -> Any:
    """A seeded sample of ``n_targets`` unlabeled pool rows (or rows of ``targets``), the same for every chunk."""
    rng = context.generator("epig-targets")
    if targets is None:
        pool = context.state.unlabeled()
        chosen = np.sort(rng.choice(pool, size=min(n_targets, pool.size), replace=False))
        return take_rows(context.X, chosen)
    total = n_rows(targets)
    if total <= n_targets:
        return targets
    return take_rows(targets, np.sort(rng.choice(total, size=n_targets, replace=False)))
