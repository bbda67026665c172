"""How long ``check_strategy`` takes per registered strategy with the default number of examples.

Prints the median wall time of ``--repeats`` runs per strategy (each run is
derandomized, so all runs check the same examples).

    python benchmarks/check_strategy_time.py [--repeats 3] [name ...]
"""

from __future__ import annotations

import argparse
import statistics
import time

import alfunc as al
from alfunc.testing import check_strategy
from alfunc.testing.strategy_check import DEFAULT_MAX_EXAMPLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="strategies to time (default: all of alfunc.STRATEGIES)")
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    names = arguments.names or sorted(al.STRATEGIES)
    print(f"check_strategy, max_examples={DEFAULT_MAX_EXAMPLES} (+ 4 edge cases), median of {arguments.repeats} runs")
    for name in names:
        times = []
        for _ in range(arguments.repeats):
            started = time.perf_counter()
            check_strategy(name)
            times.append(time.perf_counter() - started)
        print(f"  {name:<24} {statistics.median(times):6.2f} s   (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
