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
    """Append ``line`` as one JSON line and make it durable (flush + fsync) before returning.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import append_result
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> append_result(path, {"id": "a", "metrics": {"final_score": 0.9}})
    >>> append_result(path, {"id": "b", "metrics": {"final_score": 0.8}})
    >>> print(open(path).read(), end="")  # keys sorted, no spaces: one run per line
    {"id":"a","metrics":{"final_score":0.9}}
    {"id":"b","metrics":{"final_score":0.8}}
    >>> append_result(path, {"id": "c", "metrics": {"final_score": float("nan")}})  # strict JSON only
    Traceback (most recent call last):
    ...
    ValueError: Out of range float values are not JSON compliant...
    """
    text = json.dumps(line, sort_keys=True, separators=(",", ":"), allow_nan=False)
    with open(path, "ab") as file:
        if file.tell() and not _ends_with_newline(path):
            file.write(b"\n")
        file.write(text.encode("utf-8") + b"\n")
        file.flush()
        os.fsync(file.fileno())


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every complete result line of ``path`` in file order ([] if the file does not exist yet).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import append_result, read_results
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> read_results(path)  # nothing run yet
    []
    >>> append_result(path, {"id": "a"})
    >>> with open(path, "a") as file:  # a crash in the middle of writing the next line
    ...     _ = file.write('{"id": "b", "met')
    >>> append_result(path, {"id": "c"})
    >>> read_results(path)  # the cut line is skipped, the lines around it are kept
    [{'id': 'a'}, {'id': 'c'}]
    """
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
