"""alfunc's BatchBALD against scikit-activeml's ``batch_bald`` on identical member probabilities.

Random committees (Dirichlet member probabilities, 60 candidates, 5 members,
2-4 classes) are given to both implementations as the same arrays:

* exact regime (both sum over every label configuration: ``n_MC_samples`` and
  ``n_configurations`` at least ``C ** (batch - 1)``): how often the picks are
  the same, and the largest difference between scikit-activeml's utility of
  each pick (the joint information of the batch so far) and the running sum
  of alfunc's gains;
* sampled regime (batch 8 of 2 classes, 20 members; scikit-activeml's default
  ``n_MC_samples`` = one configuration per member, alfunc's default 100
  configurations): the batches differ (other random draws), so the script
  compares their quality: the batch's joint mutual information with the
  members, computed exactly by enumerating the 2**8 configurations, for
  both, for alfunc's exact greedy batch (2**8 configurations allowed), for
  the top 8 by BALD and for a random batch.

    /work/benchvenv/bin/python benchmarks/batchbald_agreement.py [--trials 50]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from measure import print_table

from alfunc.strategies.batchbald import greedy_joint_information

MEMBERS = 20  # committee size in the sampled comparison


def joint_information(proba: np.ndarray, batch: list[int]) -> float:
    """I(y_batch; w) by enumeration (proba is candidates x members x classes)."""
    n_members, n_classes = proba.shape[1:]
    joint = np.ones((1, n_members))
    for i in batch:
        joint = (joint[:, None, :] * proba[i].T[None]).reshape(-1, n_members)
    marginal = joint.mean(axis=1)
    marginal = marginal[marginal > 0]
    conditional = sum(-(p * np.log(np.where(p > 0, p, 1))).sum(axis=1).mean() for p in proba[batch])
    return float(-(marginal * np.log(marginal)).sum() - conditional)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args(argv)
    try:
        from skactiveml.pool._bald import batch_bald
    except ImportError:
        print("[skipped] scikit-activeml is not importable here")
        return
    rng = np.random.default_rng(0)
    same, gap = 0, 0.0
    for trial in range(args.trials):
        n_classes = 2 + trial % 3
        batch_size = 4 if n_classes < 4 else 3
        proba = rng.dirichlet(np.ones(n_classes), size=(60, 5))
        limit = n_classes ** (batch_size - 1)
        theirs = batch_bald(proba.transpose(1, 0, 2).copy(), batch_size, n_MC_samples=limit, eps=1e-300, random_state=0)
        their_picks = np.nanargmax(theirs, axis=1)
        picks, gains = greedy_joint_information(proba, rng.random(60), batch_size, limit, rng)
        same += bool(np.array_equal(picks, their_picks))
        gap = max(gap, float(np.abs(np.cumsum(gains) - theirs[np.arange(batch_size), their_picks]).max()))
    print(f"exact regime, {args.trials} committees: same picks in {same} of {args.trials}; "
          f"largest |joint information difference| {gap:.2e}")  # fmt: skip

    quality: dict[str, list[float]] = {name: [] for name in ("alfunc exact greedy", "alfunc sampled (100)",
                                                              f"scikit-activeml sampled (n_MC_samples={MEMBERS})",
                                                              "top 8 by BALD", "random 8")}  # fmt: skip
    for _ in range(args.trials):
        proba = rng.dirichlet(np.full(2, 0.5), size=(60, MEMBERS))
        hashes = rng.random(60)
        exact = greedy_joint_information(proba, hashes, 8, 2**8, rng)[0]
        sampled = greedy_joint_information(proba, hashes, 8, 100, np.random.default_rng(int(rng.integers(2**31))))[0]
        theirs = np.nanargmax(batch_bald(proba.transpose(1, 0, 2).copy(), 8, random_state=int(rng.integers(2**31))), 1)
        mean = proba.mean(axis=1)
        bald = -(mean * np.log(mean)).sum(1) + (proba * np.log(proba)).sum(2).mean(1)
        batches = [exact, sampled, theirs, np.argsort(-bald)[:8], rng.choice(60, 8, replace=False)]
        for name, batch in zip(quality, batches, strict=True):
            quality[name].append(joint_information(proba, [int(i) for i in batch]))
    print_table(
        [f"batch of 8 (2 classes, {MEMBERS} members)", "mean I(y_batch; w) nats", "SE"],
        [[name, f"{np.mean(v):.4f}", f"{np.std(v) / np.sqrt(len(v)):.4f}"] for name, v in quality.items()],
    )
    print(f"upper bound log({MEMBERS} members) = {np.log(MEMBERS):.3f} nats")


if __name__ == "__main__":
    main(sys.argv[1:])
