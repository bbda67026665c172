"""The second-wave embedding strategies over 100,000 x 64 embeddings, batch 100: alfunc against scikit-activeml.

The pool is ``bench_embeddings``' seeded Gaussian mixture in float32 (20
clusters over 5 classes), a LogisticRegression is fitted on 300 seeded
labeled points by alfunc's ``fit_step`` and by scikit-activeml's
``SklearnClassifier`` on the same rows (the script checks that the two agree).
Both libraries then choose a batch of 100 from the same unlabeled pool:

* alfunc ``select(state, X, name, 100)`` for ``bait``, ``dropquery``,
  ``falcun``, ``clue``, ``maxherding`` and ``badge`` (the embeddings are the
  pool: representation ``"input"``);
* scikit-activeml ``DropQuery(n_dropout_samples=3)``, ``Falcun()``, ``Clue()``
  and ``Badge()`` with ``fit_clf=False``, and ``MaxHerding`` with alfunc's
  kernel (``gamma = 1 / (2 bandwidth^2)``) only on pools of at most 20,000
  points: it builds the candidate x candidate kernel (8 n^2 bytes; 80 GB at
  100,000), next to alfunc's with every candidate as a reference (the
  same objective, so the same picks). BAIT has no scikit-activeml version.

Per method: median wall time over interleaved repeats, the tracemalloc peak
above the baseline in a separate call, whether the batch is ``k`` distinct
unlabeled points, and two cheap descriptions of the batch: the mean margin
uncertainty ``1 - (p1 - p2)`` of the picks (higher = closer to the
boundary) and the k-center radius of labeled + batch (lower = covers the pool
better). Then, per pair, the time and memory ratios and the picks in common
(FALCUN and DropQuery draw at random, so their batches agree only in kind).

    python benchmarks/bench_second_wave_embedding.py            # 100,000 x 64, batch 100, 3 repeats
    python benchmarks/bench_second_wave_embedding.py --quick    # 3,000 x 16, batch 10 (smoke test)
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
from bench_embeddings import k_center_radius, make_embeddings
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.engine.steps import initial_state
from alfunc.strategies import maxherding

NAMES = ("bait", "dropquery", "falcun", "clue", "maxherding", "badge")
PEERS = {"dropquery": "DropQuery", "falcun": "Falcun", "clue": "Clue", "maxherding": "MaxHerding", "badge": "Badge"}
PEER_MAXHERDING_LIMIT = 20_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=64)
    parser.add_argument("--n-classes", type=int, default=5)
    parser.add_argument("--n-labeled", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategies", nargs="+", default=list(NAMES), choices=NAMES)
    parser.add_argument("--no-peers", action="store_true", help="skip scikit-activeml")
    parser.add_argument("--quick", action="store_true", help="3,000 x 16, 60 labeled, batch 10, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.n_features, args.n_labeled, args.batch_size, args.repeats = 3_000, 16, 60, 10, 1
    return args


def margin_uncertainty(model, X: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``1 - (p1 - p2)`` of the rows ``indices``."""
    proba = np.sort(model.predict_proba(X[indices].astype(np.float64)), axis=1)
    return 1.0 - (proba[:, -1] - proba[:, -2])


def peer_methods(names, X, y_partial, classes, k) -> tuple[dict, object | None]:
    """scikit-activeml's versions of ``names``, when importable, and its fitted classifier."""
    if importlib.util.find_spec("skactiveml") is None:
        print("  [skipped] scikit-activeml is not importable here")
        return {}, None
    from skactiveml import pool
    from skactiveml.classifier import SklearnClassifier

    wrapped = SklearnClassifier(LogisticRegression(max_iter=1000), classes=classes).fit(X, y_partial)
    methods = {}
    for name in names:
        if name not in PEERS:
            continue
        if name == "maxherding" and X.shape[0] > PEER_MAXHERDING_LIMIT:
            print(
                f"  [skipped] scikit-activeml MaxHerding: it builds the {X.shape[0]:,} x {X.shape[0]:,} kernel "
                f"({8 * X.shape[0] ** 2 / 2**30:.0f} GiB); run with --n-pool {PEER_MAXHERDING_LIMIT} or less"
            )
            continue
        label = f"scikit-activeml {PEERS[name]}"
        if name == "maxherding":
            peer = pool.MaxHerding(metric_dict={"gamma": 0.5}, random_state=0)  # alfunc's bandwidth 1
            methods[label] = lambda peer=peer: np.asarray(peer.query(X, y_partial, batch_size=k))
        elif name == "clue":
            peer = pool.Clue(random_state=0)
            methods[label] = lambda peer=peer: np.asarray(
                peer.query(X, y_partial, wrapped, fit_estimator=False, batch_size=k)
            )
        else:
            options = {"n_dropout_samples": 3} if name == "dropquery" else {}
            peer = getattr(pool, PEERS[name])(random_state=0, **options)
            methods[label] = lambda peer=peer: np.asarray(
                peer.query(X, y_partial, wrapped, fit_clf=False, batch_size=k)
            )
    return methods, wrapped


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    k = args.batch_size
    X, y = make_embeddings(args.n_pool, args.n_features, args.n_classes)
    labeled = np.sort(np.random.default_rng(1).choice(args.n_pool, args.n_labeled, replace=False))
    start = initial_state(labeled, y[labeled], args.n_pool, al.History(0))
    state = al.fit_step(start, X, LogisticRegression(max_iter=1000))
    y_partial = np.full(args.n_pool, np.nan)
    y_partial[labeled] = y[labeled]

    methods = {f"alfunc {name}": (lambda name=name: al.select(state, X, name, k)) for name in args.strategies}
    if not args.no_peers:
        peers, wrapped = peer_methods(args.strategies, X, y_partial, state.model.classes_, k)
        methods |= peers
        if "scikit-activeml MaxHerding" in peers:  # the peer scores against every candidate: so can alfunc
            exact = maxherding(n_reference=args.n_pool)
            methods["alfunc maxherding, every candidate a reference"] = lambda: al.select(state, X, exact, k)
        if wrapped is not None:
            same = np.allclose(wrapped.estimator_.coef_, state.model.coef_, rtol=1e-6, atol=1e-9)
            print(f"# scikit-activeml's classifier has alfunc's coefficients: {'yes' if same else 'NO'}")

    batches = {name: np.asarray(method()) for name, method in methods.items()}  # warm-up, and the answers
    seconds = interleaved_medians(methods, args.repeats)
    memory = {name: peak_extra_bytes(method)[0] for name, method in methods.items()}
    batches["random batch (for scale)"] = al.select(state, X, "random", k)

    print(
        f"# batch of {k} over {args.n_pool:,} x {args.n_features} float32 embeddings ({args.n_labeled} labeled, "
        f"{args.n_classes} classes), LogisticRegression"
    )
    print(f"# {machine()}; median of {args.repeats} interleaved repeats; memory = tracemalloc peak above baseline")
    print(
        f"# pool: {X.nbytes / 2**20:.1f} MiB; k-center radius of the labeled set alone: {k_center_radius(X, labeled):.3f}"
    )
    rows = []
    for name, batch in batches.items():
        valid = batch.shape == (k,) and np.unique(batch).size == k and not np.isin(batch, labeled).any()
        timed = name in seconds
        rows.append(
            [
                name,
                seconds[name] if timed else "",
                mib(memory[name]) if timed else "",
                "yes" if valid else "NO",
                float(margin_uncertainty(state.model, X, batch).mean()),
                k_center_radius(X, np.concatenate([labeled, batch])),
            ]
        )
    print_table(["method", "median s", "peak extra MiB", "valid batch", "mean margin unc", "k-center radius"], rows)
    pairs = [(f"alfunc {name}", f"scikit-activeml {PEERS.get(name, '')}") for name in args.strategies]
    pairs.append(("alfunc maxherding, every candidate a reference", "scikit-activeml MaxHerding"))
    for ours, theirs in pairs:
        if ours in seconds and theirs in seconds:
            overlap = np.intersect1d(batches[ours], batches[theirs]).size
            print(
                f"  {ours} vs {theirs}: {seconds[ours] / seconds[theirs]:.3g}x the time, "
                f"{memory[ours] / max(memory[theirs], 1):.3g}x the peak memory, {overlap}/{k} picks in common"
            )


if __name__ == "__main__":
    main()
