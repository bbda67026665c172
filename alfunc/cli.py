"""The ``alfunc`` command line (``--help`` and ``--version`` for now)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import alfunc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``alfunc`` command."""
    parser = argparse.ArgumentParser(
        prog="alfunc",
        description="Pool-based active learning as pure functions over a frozen state.",
    )
    parser.add_argument("--version", action="version", version=f"alfunc {alfunc.__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    build_parser().parse_args(argv)
    return 0
