"""A results file: one JSON object per line, appended as runs finish.

Each line is written whole, flushed and fsynced before the next run is
reported, so a crash or Ctrl-C loses only the runs still in flight. A line
cut short by a crash is skipped when reading (and a newline is written before
the next append, so it cannot corrupt the line after it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def append_result(path: str | os.PathLike, line: Mapping[str, Any]) -> None:
    """Append ``line`` as one JSON line and make it durable (flush + fsync) before returning."""
    text = json.dumps(line, sort_keys=True, separators=(",", ":"), allow_nan=False)
    with open(path, "ab") as file:
        if file.tell() and not _ends_with_newline(path):
            file.write(b"\n")
        file.write(text.encode("utf-8") + b"\n")
        file.flush()
        os.fsync(file.fileno())


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every complete result line of ``path`` in file order ([] if the file does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return []
    if path.is_dir():
        raise ValueError(f"results must be a file, got the folder {str(path)!r}")
    results = []
    with open(path, "rb") as file:
        for raw in file:
            try:
                line = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue  # a line cut short by a crash
            if isinstance(line, dict):
                results.append(line)
    return results


def _ends_with_newline(path: str | os.PathLike) -> bool:
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
