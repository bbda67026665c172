"""The scale table: every registered strategy at 10k / 100k / 1M x 20, batch 10 / 100, against its floor and the peers.

For every name in ``alfunc.STRATEGIES`` (the registry is iterated, never
listed here), every pool size and every batch size, one *cell*:

* the pool is ``make_classification(n, 20, n_informative=10, n_classes=3,
  random_state=0)`` in float64; ``init_step(X, y, n_init=1000, random_state=0)``
  labels 1,000 rows and ``fit_step`` fits the estimator the strategy needs
  (``alfunc.strategies.needs_*``): a 20-tree ``RandomForestClassifier`` for
  ensembles, ``Ridge`` (on the class labels as numbers) for regression
  strategies, else ``LogisticRegression``;
* alfunc ``select(state, X, name, batch)`` and the family's floor
  (``floors.py``) are timed in the same process, interleaved, median of
  ``--repeats`` (``--repeats-large`` at 1M or more; fewer when one call is so
  slow that the repeats would not fit in ``--timeout``); peak extra memory is
  the ``tracemalloc`` peak above the baseline in one separate, untimed call;
* each peer implementation of the strategy (scikit-activeml, modAL; skipped
  when not importable, or above the size at which it builds a pool x pool
  matrix) is timed the same way in a process of its own, in the same run.

Every cell runs in its own subprocess with a time limit (``--timeout``) and
an address-space limit (``--memory-limit-gb``), so one slow or greedy strategy
cannot sink the run; a cell over the limit is recorded as "> limit" and
alfunc's call is then profiled (cProfile, top 10 by cumulative time) at a
tenth of the size, and so is every 1M / batch 100 cell that misses a target;
profiles go to ``--profile-dir``. Results are appended to the JSONL file
``--out``, so a table can be assembled from several runs; ``--table FILE``
prints the Markdown table (time, peak extra MiB, x floor, x each peer, the
scaling exponent: the log-log slope of time over pool size) and the targets
of every largest-pool / largest-batch cell: <= 1.5x floor, <= 64 MB extra,
faster than every peer.

Run with one BLAS thread, one cell at a time, and the peers importable::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=. /work/benchvenv/bin/python benchmarks/bench_scale.py \\
        --strategies margin,entropy --out scale.jsonl --profile-dir scale-profiles
    python benchmarks/bench_scale.py --table scale.jsonl
    python benchmarks/bench_scale.py --quick --out /tmp/quick.jsonl   # 2,000 rows, batch 5, a few strategies
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import importlib.util
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from floors import EER_CANDIDATES, EER_EVALUATION, FLOORS, Problem
from measure import interleaved_medians, machine, mib, peak_extra_bytes
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge

import alfunc as al
from alfunc.strategies import needs_ensemble, needs_regressor

HERE = Path(__file__).resolve()
N_FEATURES = 20
N_LABELED = 1_000
LARGE = 1_000_000
FLOOR_LIMIT, MEMORY_LIMIT_MB = 1.5, 64.0
QUICK_STRATEGIES = "margin,k_center_greedy,random,badge"

# peer label -> (strategies it implements, largest pool it is run on or None)
PEERS: dict[str, tuple[tuple[str, ...], int | None]] = {
    "skactiveml UncertaintySampling": (("margin", "breaking_ties", "entropy", "least_confident"), None),
    "skactiveml CoreSet": (("k_center_greedy", "gsx"), None),
    "skactiveml GreedySamplingX": (("gsx",), None),
    "skactiveml GreedySamplingTarget": (("gsy", "igs"), None),
    "skactiveml TypiClust": (("typiclust",), None),
    "skactiveml ProbCover": (("probcover",), 20_000),  # pool x pool distances
    "skactiveml GreedyBALD": (("bald",), None),
    "skactiveml QueryByCommittee": (("vote_entropy", "kl_divergence"), None),
    "skactiveml MonteCarloEER": (("eer_log_loss", "eer_zero_one"), None),
    "skactiveml BatchBALD": (("batchbald",), None),
    "skactiveml Badge": (("badge",), None),
    "skactiveml Clue": (("clue",), None),
    "skactiveml DropQuery": (("dropquery",), None),
    "skactiveml Falcun": (("falcun",), None),
    "skactiveml MaxHerding": (("maxherding",), 20_000),  # candidate x candidate kernel
    "modAL ranked batch": (("ranked_batch",), 100_000),  # unlabeled x labeled distances at once (8 GB at 1M)
    "modAL information density": (("information_density",), 20_000),  # pool x pool similarities
}


def peers_of(name: str) -> list[str]:
    return [label for label, (names, _) in PEERS.items() if name in names]


# --- one cell (runs in a subprocess) ---------------------------------------------------------------------------------


def estimator_for(name: str) -> Any:
    strategy = al.STRATEGIES[name]
    if needs_regressor(strategy):
        return Ridge()
    if needs_ensemble(strategy):
        return RandomForestClassifier(n_estimators=20, random_state=0)
    return LogisticRegression(max_iter=1000)


def make_problem(name: str, n: int, k: int) -> tuple[np.ndarray, al.ALState, Problem]:
    X, y = make_classification(n, N_FEATURES, n_informative=10, n_classes=3, random_state=0)
    target = y.astype(float) if needs_regressor(al.STRATEGIES[name]) else y
    state = al.fit_step(al.init_step(X, target, n_init=min(N_LABELED, n // 2), random_state=0), X, estimator_for(name))
    labeled = np.asarray(state.labeled)
    labels = np.asarray(state.labels)
    order = np.argsort(labeled)
    unlabeled = np.flatnonzero(~state.labeled_mask())
    problem = Problem(X, labels[order], labeled[order], unlabeled, state.model, k)
    return X, state, problem


def peer_call(label: str, name: str, X: np.ndarray, state: al.ALState, p: Problem) -> Callable[[], Any]:
    """A zero-argument call of the peer on the same pool, labeled set and (for fit-free peers) fitted model."""
    k = p.k
    if label.startswith("modAL"):
        from modAL.density import information_density
        from modAL.models import ActiveLearner
        from modAL.uncertainty import classifier_entropy

        learner = ActiveLearner(estimator=clone(p.model), X_training=X[p.labeled], y_training=p.y)
        pool = X[p.unlabeled]
        if label == "modAL ranked batch":
            from modAL.batch import uncertainty_batch_sampling

            return lambda: uncertainty_batch_sampling(learner, pool, n_instances=k)

        def density_query():
            utility = classifier_entropy(learner, pool) * information_density(pool, "cosine")
            return np.argpartition(-utility, k)[:k]

        return density_query

    from skactiveml import pool as skpool
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.regressor import SklearnRegressor

    y_partial = np.full(X.shape[0], np.nan)
    y_partial[p.labeled] = p.y
    classes = getattr(p.model, "classes_", None)
    cls = label.split()[-1]

    def wrapped(estimator: Any) -> Any:
        return SklearnClassifier(estimator, classes=classes, random_state=0).fit(X, y_partial)

    if cls == "UncertaintySampling":
        method = {"entropy": "entropy", "least_confident": "least_confident"}.get(name, "margin_sampling")
        clf = wrapped(clone(p.model))
        peer = skpool.UncertaintySampling(method=method, random_state=0)
        return lambda: peer.query(X, y_partial, clf, fit_clf=False, batch_size=k)
    if cls in ("CoreSet", "GreedySamplingX", "TypiClust", "ProbCover", "MaxHerding"):
        options = {"metric_dict": {"gamma": 0.5}} if cls == "MaxHerding" else {}
        peer = getattr(skpool, cls)(random_state=0, **options)
        return lambda: peer.query(X, y_partial, batch_size=k)
    if cls == "GreedySamplingTarget":
        reg = SklearnRegressor(Ridge(), random_state=0).fit(X, y_partial)
        peer = skpool.GreedySamplingTarget(method="GSy" if name == "gsy" else "GSi", random_state=0)
        return lambda: peer.query(X, y_partial, reg, fit_reg=False, batch_size=k)
    if cls in ("GreedyBALD", "BatchBALD"):
        forest = wrapped(clone(p.model))
        peer = getattr(skpool, cls)(random_state=0)
        return lambda: peer.query(X, y_partial, forest, fit_ensemble=False, batch_size=k)
    if cls == "QueryByCommittee":  # like the registered name: the committee (5 bagged clones) is fitted by the query
        from sklearn.ensemble import BaggingClassifier

        bagged = SklearnClassifier(BaggingClassifier(clone(p.model), n_estimators=5, random_state=0), classes=classes)
        method = "vote_entropy" if name == "vote_entropy" else "KL_divergence"
        peer = skpool.QueryByCommittee(method=method, random_state=0)
        return lambda: peer.query(X, y_partial, bagged, fit_ensemble=True, batch_size=k)
    if cls == "MonteCarloEER":  # the same bounded candidate and evaluation set sizes as the floor
        rng = np.random.default_rng(0)
        candidates = np.sort(rng.choice(p.unlabeled, min(EER_CANDIDATES, p.unlabeled.size), replace=False))
        X_eval = X[np.sort(rng.choice(p.unlabeled, min(EER_EVALUATION, p.unlabeled.size), replace=False))]
        clf = wrapped(clone(p.model))
        method = "log_loss" if name == "eer_log_loss" else "misclassification_loss"
        peer = skpool.MonteCarloEER(method=method, random_state=0)
        return lambda: peer.query(X, y_partial, clf, fit_clf=False, candidates=candidates, X_eval=X_eval, batch_size=k)
    clf = wrapped(clone(p.model))
    if cls == "Clue":
        peer = skpool.Clue(random_state=0)
        return lambda: peer.query(X, y_partial, clf, fit_estimator=False, batch_size=k)
    options = {"n_dropout_samples": 3} if cls == "DropQuery" else {}
    peer = getattr(skpool, cls)(random_state=0, **options)  # Badge, DropQuery, Falcun
    return lambda: peer.query(X, y_partial, clf, fit_clf=False, batch_size=k)


def repeats_within(first_call: float, repeats: int, n_methods: int, timeout: float) -> int:
    """As many repeats as fit in about half the remaining time limit (at least 1)."""
    per_round = max(first_call, 1e-6) * n_methods
    return max(1, min(repeats, int(timeout * 0.5 / per_round)))


def run_cell(args: argparse.Namespace) -> dict[str, Any]:
    name, n, k = args.cell, args.size, args.batch
    started = time.perf_counter()
    X, state, p = make_problem(name, n, k)
    setup = time.perf_counter() - started
    record: dict[str, Any] = {"strategy": name, "n": n, "batch": k, "estimator": type(p.model).__name__}
    repeats = args.repeats_large if n >= LARGE else args.repeats
    budget = args.timeout - setup - 5.0
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        al.select(state, X, name, k)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(10)
        path = Path(args.profile_dir) / f"{name}_{n}_{k}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.getvalue())
        return record | {"method": "profile", "status": "ok", "path": str(path)}
    if args.peer:
        methods = {args.peer: peer_call(args.peer, name, X, state, p)}
    else:
        methods = {"alfunc": lambda: al.select(state, X, name, k)}
        if name in FLOORS:
            floor = FLOORS[name][1]
            methods["floor"] = lambda: floor(p)
            record["family"] = FLOORS[name][0]
    answers, first = {}, {}
    for label, call in methods.items():  # warm-up, the answers, and how long one call takes
        t0 = time.perf_counter()
        answers[label] = call()
        first[label] = time.perf_counter() - t0
    repeats = repeats_within(sum(first.values()), repeats, 1, budget - 2 * sum(first.values()))
    slow = repeats == 1 and 4 * sum(first.values()) > budget  # one more round would not fit: the warm-up is the time
    seconds = first if slow else interleaved_medians(methods, repeats)
    memory = {label: peak_extra_bytes(call)[0] for label, call in methods.items()}
    record |= {"method": args.peer or "alfunc", "status": "ok", "repeats": repeats, "setup_s": round(setup, 2)}
    record |= {"seconds": seconds[record["method"]], "mib": mib(memory[record["method"]])}
    picks = np.asarray(
        answers[record["method"]][0] if isinstance(answers[record["method"]], tuple) else answers[record["method"]]
    )
    if not args.peer:
        record["valid"] = bool(
            picks.size == min(k, p.unlabeled.size)
            and np.unique(picks).size == picks.size
            and not state.labeled_mask()[picks].any()
        )
        if "floor" in seconds:
            record |= {"floor_seconds": seconds["floor"], "floor_mib": mib(memory["floor"])}
    return record


# --- the run (one subprocess per cell) -----------------------------------------------------------------------------


def limit_memory(gigabytes: float) -> Callable[[], None]:
    def apply() -> None:
        limit = int(gigabytes * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def cell_command(args: argparse.Namespace, name: str, n: int, k: int, extra: list[str]) -> list[str]:
    return [
        sys.executable, str(HERE), "--cell", name, "--size", str(n), "--batch", str(k), "--timeout", str(args.timeout),
        "--repeats", str(args.repeats), "--repeats-large", str(args.repeats_large), "--profile-dir", args.profile_dir,
        *extra,
    ]  # fmt: skip


def spawn(args: argparse.Namespace, command: list[str], timeout: float) -> tuple[str, dict[str, Any] | str]:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit_memory(args.memory_limit_gb)
        )
    except subprocess.TimeoutExpired:
        return "timeout", f"> {timeout:g} s"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return "error", tail[-300:]
    return "ok", json.loads(lines[-1])


def append(path: str, record: dict[str, Any]) -> None:
    with open(path, "a") as handle:
        handle.write(json.dumps(record) + "\n")


def profile(args: argparse.Namespace, name: str, n: int, k: int, reason: str) -> None:
    status, result = spawn(args, cell_command(args, name, n, k, ["--profile"]), args.timeout)
    record = {"strategy": name, "n": n, "batch": k, "method": "profile", "reason": reason}
    record |= result if isinstance(result, dict) else {"status": status, "detail": result}
    append(args.out, record | {"when": now()})
    print(f"    profile ({reason}) at {n:,}: {record.get('path', record.get('detail'))}", flush=True)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(args: argparse.Namespace) -> None:
    names = list(al.STRATEGIES) if args.strategies == "all" else args.strategies.split(",")
    unknown = sorted(set(names) - set(al.STRATEGIES))
    if unknown:
        raise ValueError(f"--strategies: unknown {unknown}; registered: {sorted(al.STRATEGIES)}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent)
    common = {"commit": commit.stdout.strip(), "machine": machine(), "blas": os.environ.get("OPENBLAS_NUM_THREADS")}
    print(f"# {common['machine']}; OPENBLAS_NUM_THREADS={common['blas']}; appending to {args.out}", flush=True)
    for name in names:
        for n in args.sizes:
            for k in args.batches:
                status, result = spawn(args, cell_command(args, name, n, k, []), args.timeout)
                base = {"strategy": name, "n": n, "batch": k, "method": "alfunc"}
                record = result if isinstance(result, dict) else base | {"status": status, "detail": result}
                append(args.out, record | common | {"when": now()})
                print(f"  {name} {n:,} batch {k}: {describe(record)}", flush=True)
                if status == "timeout" and n // 10 >= 1_000:
                    profile(args, name, n // 10, k, "over the time limit")
                elif status == "ok" and n >= LARGE and k == max(args.batches) and misses(record):
                    small = n if record["seconds"] * 3 < args.timeout else n // 10
                    profile(args, name, small, k, "misses a target: " + ", ".join(misses(record)))
                if args.no_peers:
                    continue
                for label in peers_of(name):
                    limit = PEERS[label][1]
                    library = "modAL" if label.startswith("modAL") else "skactiveml"
                    peer = {"strategy": name, "n": n, "batch": k, "method": label}
                    if importlib.util.find_spec(library) is None:
                        record = peer | {"status": "skipped", "detail": f"{library} not importable"}
                    elif limit is not None and n > limit:
                        record = peer | {
                            "status": "skipped",
                            "detail": f"builds n x n or n x labeled; run up to {limit:,}",
                        }
                    else:
                        status, result = spawn(args, cell_command(args, name, n, k, ["--peer", label]), args.timeout)
                        record = result if isinstance(result, dict) else peer | {"status": status, "detail": result}
                    append(args.out, record | common | {"when": now()})
                    print(f"    {label}: {describe(record)}", flush=True)


def describe(record: dict[str, Any]) -> str:
    if record.get("status") != "ok":
        return f"{record.get('status')}: {record.get('detail')}"
    text = f"{record['seconds']:.3g} s, {record['mib']:.3g} MiB"
    if "floor_seconds" in record:
        text += f", floor {record['floor_seconds']:.3g} s (x{record['seconds'] / record['floor_seconds']:.2f})"
    return text + ("" if record.get("valid", True) else ", INVALID batch")


def misses(record: dict[str, Any]) -> list[str]:
    missed = []
    if "floor_seconds" in record and record["seconds"] > FLOOR_LIMIT * record["floor_seconds"]:
        missed.append(f"> {FLOOR_LIMIT}x floor")
    if record["mib"] * 2**20 > MEMORY_LIMIT_MB * 1e6:
        missed.append(f"> {MEMORY_LIMIT_MB:.0f} MB")
    return missed


# --- the table -----------------------------------------------------------------------------------------------------


def load(path: str) -> dict[tuple, dict[str, Any]]:
    """The latest record per (strategy, n, batch, method)."""
    latest: dict[tuple, dict[str, Any]] = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            latest[(record["strategy"], record["n"], record["batch"], record["method"])] = record
    return latest


def fmt_seconds(record: dict[str, Any] | None) -> str:
    if record is None:
        return ""
    if record.get("status") == "timeout":
        return record.get("detail", "> limit")
    if record.get("status") != "ok":
        return str(record.get("status"))
    return f"{record['seconds']:.3g}"


def slope(points: list[tuple[int, float]]) -> str:
    if len(points) < 2:
        return ""
    x, y = np.log([n for n, _ in points]), np.log([s for _, s in points])
    return f"{np.polyfit(x, y, 1)[0]:.2f}"


def table(path: str) -> None:
    records = load(path)
    cells = sorted({key[:3] for key in records if key[3] == "alfunc"}, key=lambda c: (c[0], c[2], c[1]))
    order = {name: i for i, name in enumerate(al.STRATEGIES)}
    cells.sort(key=lambda c: (order.get(c[0], 999), c[2], c[1]))
    times: dict[tuple, list[tuple[int, float]]] = defaultdict(list)
    for (name, n, k, method), record in records.items():
        if method == "alfunc" and record.get("status") == "ok":
            times[(name, k)].append((n, record["seconds"]))
    print("| strategy | n | batch | alfunc s | MiB | floor s | x floor | peers (s, alfunc / peer) | exponent |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, k in cells:
        ours = records[(name, n, k, "alfunc")]
        ok = ours.get("status") == "ok"
        floor = f"{ours['floor_seconds']:.3g}" if ok and "floor_seconds" in ours else ("no floor" if ok else "")
        ratio = f"{ours['seconds'] / ours['floor_seconds']:.2f}" if ok and "floor_seconds" in ours else ""
        peers = []
        for label in peers_of(name):
            peer = records.get((name, n, k, label))
            if peer is None:
                continue
            if peer.get("status") == "ok" and ok:
                peers.append(f"{label}: {peer['seconds']:.3g} s, x{ours['seconds'] / peer['seconds']:.2f}")
            elif peer.get("status") == "timeout":
                peers.append(f"{label}: {peer.get('detail')}")
            else:
                peers.append(f"{label}: {peer.get('status')}")
        exponent = slope(sorted(times[(name, k)])) if n == max((m for m, _ in times[(name, k)]), default=0) else ""
        mem = f"{ours['mib']:.3g}" if ok else ""
        print(
            f"| {name} | {n:,} | {k} | {fmt_seconds(ours)} | {mem} | {floor} | {ratio} | {'; '.join(peers)} | {exponent} |"
        )
    targets(records)


def targets(records: dict[tuple, dict[str, Any]]) -> None:
    largest = max((key[1] for key in records if key[3] == "alfunc"), default=0)
    batch = max((key[2] for key in records if key[3] == "alfunc" and key[1] == largest), default=0)
    print(f"\nTargets at {largest:,} rows, batch {batch}: <= {FLOOR_LIMIT}x floor, <= {MEMORY_LIMIT_MB:.0f} MB extra, "
          "faster than every peer measured\n")  # fmt: skip
    for key, ours in sorted(records.items(), key=lambda item: item[0]):
        name, n, k, method = key
        if method != "alfunc" or n != largest or k != batch:
            continue
        if ours.get("status") != "ok":
            print(f"- {name}: NOT met ({fmt_seconds(ours)})")
            continue
        missed = misses(ours)
        slower = [
            label
            for label in peers_of(name)
            if records.get((name, n, k, label), {}).get("status") == "ok"
            and records[(name, n, k, label)]["seconds"] < ours["seconds"]
        ]
        missed += [f"slower than {label}" for label in slower]
        floor = "no floor" if "floor_seconds" not in ours else f"x{ours['seconds'] / ours['floor_seconds']:.2f} floor"
        line = f"{'met' if not missed else 'NOT met: ' + ', '.join(missed)} ({floor}, {ours['mib']:.3g} MiB)"
        profiled = records.get((name, n, k, "profile")) or records.get((name, n // 10, k, "profile"))
        print(
            f"- {name}: {line}"
            + (f"; profile: {profiled['path']}" if missed and profiled and "path" in profiled else "")
        )


# --- command line --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="all", help="comma-separated registered names (default: all)")
    parser.add_argument("--sizes", help="comma-separated pool sizes (default 10000,100000,1000000)")
    parser.add_argument("--batches", help="comma-separated batch sizes (default 10,100)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell (each subprocess)")
    parser.add_argument("--memory-limit-gb", type=float, default=12.0, help="address-space limit per cell")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--repeats-large", type=int, default=3, help="repeats at 1M rows or more")
    parser.add_argument("--out", default="scale.jsonl", help="JSONL file the results are appended to")
    parser.add_argument("--profile-dir", default="scale-profiles")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--table", metavar="JSONL", help="print the Markdown table of a results file and exit")
    parser.add_argument("--quick", action="store_true", help="2,000 rows, batch 5, a few strategies, one repeat")
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.batches = args.sizes or "2000", args.batches or "5"
        args.repeats, args.repeats_large = 1, 1
        args.strategies = QUICK_STRATEGIES if args.strategies == "all" else args.strategies
        args.timeout = min(args.timeout, 120.0)
    args.sizes = [int(size) for size in (args.sizes or "10000,100000,1000000").split(",")]
    args.batches = [int(batch) for batch in (args.batches or "10,100").split(",")]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.table:
        table(args.table)
    elif args.cell:
        print(json.dumps(run_cell(args)), flush=True)
    else:
        run(args)
        table(args.out)


if __name__ == "__main__":
    main()
