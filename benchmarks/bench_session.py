"""Labelling sessions: answers per second with durability on, journal bytes per label, reopen time.

Three measurements on a generated pool (20,000 x 20, logistic regression, margin):

* answers per second: ``tell`` on pending points with ``fsync`` on (``durable=True``)
  and off, next to the floor: a hand-written loop that appends the same kind of
  JSON line to a file and ``fsync``s it per answer (the disk's limit). Refits are
  excluded here (``fit_every`` larger than the run) and measured separately with
  the default ``fit_every=10``, where the fit dominates. Medians of repeats,
  interleaved.
* journal bytes per label: the journal's size over the labels it holds (asks of
  10, every event timestamped).
* reopen: ``Session.open`` on a journal of 10,000 labels (100 fits), which folds
  every event and fits the last model once; ``replay_session`` (which refits at
  every recorded fit and re-runs every ask) for comparison.

    python benchmarks/bench_session.py            # 10,000 labels
    python benchmarks/bench_session.py --quick    # 300 labels (smoke test)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from measure import machine, print_table
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from alfunc.session import Session, replay_session


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=20_000)
    parser.add_argument("--labels", type=int, default=10_000, help="labels in the journal that is reopened")
    parser.add_argument("--answers", type=int, default=1_000, help="answers per timed repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a 2,000 pool, 300 labels, 100 answers, 2 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.labels, args.answers, args.repeats = 2_000, 300, 100, 2
    return args


def answers_per_second(X: np.ndarray, y: np.ndarray, answers: int, durable: bool, fit_every: int) -> float:
    """Time ``answers`` tells (asked first, untimed) in a fresh session; answers per second."""
    with tempfile.TemporaryDirectory() as folder:
        with Session.create(
            Path(folder) / "s", X, LogisticRegression(), fit_every=fit_every, durable=durable
        ) as session:
            keys = session.ask(answers)
            started = time.perf_counter()
            for key in keys:
                session.tell(key, int(y[key]))
            return answers / (time.perf_counter() - started)


def floor_answers_per_second(answers: int) -> float:
    """The disk's limit: append one small JSON line and fsync it, per answer."""
    with tempfile.TemporaryDirectory() as folder:
        fd = os.open(Path(folder) / "floor.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            started = time.perf_counter()
            for key in range(answers):
                os.write(fd, json.dumps({"event": "tell", "index": key, "label": key % 2}).encode() + b"\n")
                os.fsync(fd)
            return answers / (time.perf_counter() - started)
        finally:
            os.close(fd)


def build_journal(folder: Path, X: np.ndarray, y: np.ndarray, labels: int) -> Session:
    """A session holding ``labels`` labels, asked 10 at a time, fitted every ``labels // 100``."""
    session = Session.create(folder, X, LogisticRegression(), fit_every=max(2, labels // 100), durable=False)
    while session.n_labeled < labels:
        for key in session.ask(10):
            session.tell(key, int(y[key]))
    session.close()
    return session


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    X, y = make_classification(n_samples=args.n_pool, n_features=20, n_informative=8, random_state=0)
    print(f"# labelling sessions on {args.n_pool:,} x 20 ({machine()})")
    rates: dict[str, list[float]] = {"floor": [], "durable": [], "not durable": [], "durable, fit_every=10": []}
    for _ in range(args.repeats):  # interleaved, so load on a shared machine hits every method alike
        rates["floor"].append(floor_answers_per_second(args.answers))
        rates["durable"].append(answers_per_second(X, y, args.answers, True, 10**9))
        rates["not durable"].append(answers_per_second(X, y, args.answers, False, 10**9))
        rates["durable, fit_every=10"].append(answers_per_second(X, y, max(20, args.answers // 10), True, 10))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print_table(
        ["answers", "per second (median)", "vs floor"],
        [[name, rate, rate / medians["floor"]] for name, rate in medians.items()],
    )
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "long"
        session = build_journal(folder, X, y, args.labels)
        journal = folder / "journal.jsonl"
        opened, replayed = [], []
        for _ in range(max(1, args.repeats // 2)):
            started = time.perf_counter()
            with Session.open(folder, X, LogisticRegression()) as again:
                opened.append(time.perf_counter() - started)
                assert again.labels == session.labels and again.history == session.history
        started = time.perf_counter()
        replay = replay_session(folder, X, LogisticRegression())
        replayed.append(time.perf_counter() - started)
        assert replay.history == session.history
        size = journal.stat().st_size
        print_table(
            ["journal", "value"],
            [
                ["labels", session.n_labeled],
                ["fits", len(session.history)],
                ["events", sum(1 for _ in open(journal, "rb"))],
                ["bytes per label", size / session.n_labeled],
                ["Session.open, s (median)", statistics.median(opened)],
                ["replay_session, s", replayed[0]],
            ],
        )


if __name__ == "__main__":
    main()
