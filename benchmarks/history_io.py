"""Size and speed of a saved history: save, load, digest, replay (each / last / verified).

Also the cost ``init_step`` now pays to fingerprint a large pool, next to the
finiteness pass ``check_pool`` already made.

The measured history: make_classification(500 points, 2 informative
features), LogisticRegression, margin, n_init=10, batch_size=10 -> 49 query
rounds (50 records). Prints medians over --repeats runs, and ratios to the
original run measured in the same process.

    python benchmarks/history_io.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.core.facts import data_fingerprint
from alfunc.core.validation import check_pool


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``action`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats

    X, y = make_classification(500, n_informative=2, random_state=0)
    estimator = LogisticRegression()

    def run():
        return al.run(X, y, estimator, strategy="margin", n_init=10, batch_size=10, random_state=0)

    final = run()
    history = final.history
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.json"
        al.save_history(history, path)
        size = os.path.getsize(path)
        loaded = al.load_history(path)
        assert loaded == history
        assert al.replay(loaded, X, y, estimator, verify=True) == final
        timings = {
            "run (original)": median_seconds(run, repeats),
            "save_history": median_seconds(lambda: al.save_history(history, path), repeats),
            "load_history": median_seconds(lambda: al.load_history(path), repeats),
            "history_digest": median_seconds(lambda: al.history_digest(history), repeats),
            "replay fit=each": median_seconds(lambda: al.replay(loaded, X, y, estimator), repeats),
            "replay verify=True": median_seconds(lambda: al.replay(loaded, X, y, estimator, verify=True), repeats),
            "replay fit=last": median_seconds(lambda: al.replay(loaded, X, y, estimator, fit="last"), repeats),
            "resume last record": median_seconds(lambda: al.resume(loaded, X, y, estimator), repeats),
        }
    print(f"history: {len(history)} records ({len(history) - 1} query rounds), {final.n_labeled} labeled of 500")
    print(f"size on disk: {size} bytes ({size / 1024:.1f} KiB)")
    original = timings["run (original)"]
    print(f"{'operation':<22}{'median ms':>12}{'x run':>10}   (median of {repeats})")
    for name, seconds in timings.items():
        print(f"{name:<22}{seconds * 1e3:>12.2f}{seconds / original:>10.3f}")

    big = np.random.default_rng(0).normal(size=(200_000, 50))
    hashing = median_seconds(lambda: data_fingerprint(big), repeats)
    checking = median_seconds(lambda: check_pool(big), repeats)
    print(
        f"fingerprint of a {big.nbytes / 1e6:.0f} MB pool: {hashing * 1e3:.1f} ms "
        f"({big.nbytes / hashing / 1e9:.2f} GB/s), {hashing / checking:.2f}x the check_pool finiteness pass"
    )


if __name__ == "__main__":
    main()
