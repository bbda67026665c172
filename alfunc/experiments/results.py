"""A results file: one JSON object per line, appended as runs finish.

Each line is written whole, flushed and fsynced before the next run is
reported, so a crash or Ctrl-C loses only the runs still in flight. A line
cut short by a crash is skipped when reading (and a newline is written before
the next append, so it cannot corrupt the line after it). Appends hold an
advisory lock on the file (``fcntl.flock``, where the platform has it), so
runners in several processes can share one file; a run id written twice (two
runners that did not cooperate) is read once, its first line kept.

Every other line is refused when reading, naming the file and the line: a
results file holds alfunc results only (``check_result`` says what one is).
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from alfunc.metrics import AULC_CONVENTIONS, check_curve

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: appends are not locked (one runner per file)
    fcntl = None  # type: ignore[assignment]

RUN_TEXT_FIELDS = ("dataset", "estimator", "strategy")
RUN_COUNT_FIELDS = ("seed", "batch_size", "n_init")
METRIC_FIELDS = (*(f"aulc_{convention}" for convention in AULC_CONVENTIONS), "final_score")


def append_result(path: str | os.PathLike, line: Mapping[str, Any]) -> None:
    """Append ``line`` (an alfunc result) as one JSON line and make it durable (flush + fsync) before returning.

    The append holds an exclusive ``flock`` on the file, so lines of runners in
    other processes never interleave with it.

    Parameters
    ----------
    path : str or path-like
        The results file (created if missing).
    line : mapping
        An alfunc result.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import append_result, experiment_grid, run_one
    >>> grid = experiment_grid(["iris"], ["margin"], seeds=1, budget=20)
    >>> line, _ = run_one(grid.runs[0], grid.data["iris"], grid.estimators["logistic"], grid.strategies["margin"])
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> append_result(path, line)
    >>> print(open(path).read()[:60])  # keys sorted, no spaces: one run per line
    {"full_pool_score":0.9736842105263158,"history_digest":"...
    >>> append_result(path, {"id": "b", "metrics": {"final_score": 0.8}})
    Traceback (most recent call last):
    ...
    ValueError: line: not an alfunc result: it has no 'full_pool_score', 'n_labeled', 'run', 'test_score'
    >>> append_result(path, {**line, "full_pool_score": float("nan")})  # strict JSON only
    Traceback (most recent call last):
    ...
    ValueError: line: not an alfunc result: 'full_pool_score' must be a finite number, got nan
    """
    check_result(line, "line")
    text = json.dumps(line, sort_keys=True, separators=(",", ":"), allow_nan=False)
    with open(path, "ab") as file, _locked(file):
        if file.tell() and not _ends_with_newline(path):
            file.write(b"\n")
        file.write(text.encode("utf-8") + b"\n")
        file.flush()
        os.fsync(file.fileno())


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every result of ``path`` in file order, each run id once ([] if the file does not exist yet).

    A line cut short by a crash is skipped; a second line with a run id seen
    before (two runners that did not cooperate) is ignored; any other line that
    is not an alfunc result raises ``ValueError`` naming the file and the line.

    Parameters
    ----------
    path : str or path-like
        The results file.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import append_result, experiment_grid, read_results, run_one
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=20)
    >>> a, b = (run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies[run.strategy])[0]
    ...         for run in grid.runs)
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> read_results(path)  # nothing run yet
    []
    >>> append_result(path, a)
    >>> with open(path, "a") as file:  # a crash in the middle of writing the next line
    ...     _ = file.write('{"id": "b", "met')
    >>> append_result(path, b)
    >>> append_result(path, a)  # the same run again
    >>> [line["run"]["strategy"] for line in read_results(path)]  # the cut line is skipped, the repeat ignored
    ['margin', 'random']
    >>> with open(path, "a") as file:
    ...     _ = file.write('{"a": 1}\\n')
    >>> read_results(path)
    Traceback (most recent call last):
    ...
    ValueError: .../results.jsonl: line 5: not an alfunc result: it has no 'full_pool_score', 'id', ...
    """
    path = Path(path)
    if not path.exists():
        return []
    if path.is_dir():
        raise ValueError(f"results must be a file, got the folder {str(path)!r}")
    results: dict[str, dict[str, Any]] = {}
    with open(path, "rb") as file:
        for line in ResultsTail(file, path).read(to_end=True):
            results.setdefault(line["id"], line)
    return list(results.values())


def check_result(line: Any, where: str = "result") -> dict[str, Any]:
    """``line`` if it is an alfunc result (a line of a results file), else ``ValueError`` saying why.

    A result holds a string ``id``; a ``run`` with the names of its
    ``dataset``, ``estimator`` and ``strategy`` and integer ``seed``,
    ``batch_size`` and ``n_init`` (its other fields may be missing in lines
    from older versions); a learning curve (``n_labeled``, strictly increasing
    counts, and ``test_score``, one finite score each); a finite
    ``full_pool_score``; and ``metrics`` with a finite number for each AULC
    convention and ``final_score``. ``where`` starts the message.

    Parameters
    ----------
    line : object
        The candidate result (a parsed JSON line).
    where : str, default="result"
        How the message starts (e.g. the file and line number).

    Returns
    -------
    dict
        ``line`` itself.

    Examples
    --------
    >>> from alfunc.experiments import experiment_grid, run_one
    >>> from alfunc.experiments.results import check_result
    >>> grid = experiment_grid(["iris"], ["margin"], seeds=1, budget=20)
    >>> line, _ = run_one(grid.runs[0], grid.data["iris"], grid.estimators["logistic"], grid.strategies["margin"])
    >>> check_result(line) is line
    True
    >>> check_result({**line, "metrics": {}}, "results.jsonl: line 3")
    Traceback (most recent call last):
    ...
    ValueError: results.jsonl: line 3: not an alfunc result: metrics has no 'aulc_mean', 'aulc_trapezoid', ...
    >>> check_result({**line, "run": {**line["run"], "seed": "0"}})
    Traceback (most recent call last):
    ...
    ValueError: result: not an alfunc result: run['seed'] must be an int >= 0, got '0'
    """
    try:
        _check_result(line)
    except ValueError as error:
        raise ValueError(f"{where}: not an alfunc result: {error}") from None
    return line


class ResultsTail:
    """Reads the results of an open results file from where it stopped: each call only the lines added since.

    ``read()`` returns the complete lines (ending with a newline) added since
    the last call, checked as ``read_results`` checks them; a line still being
    written by another runner waits for the next call. A last line without a
    newline that is a whole result is returned too, and again once it has its
    newline (callers keep the first line of a run). ``read(to_end=True)``
    takes the last line without a newline for good (one cut short by a crash is
    then skipped). ``name`` is the file's name in messages.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import append_result, experiment_grid, run_one
    >>> from alfunc.experiments.results import ResultsTail
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=20)
    >>> a, b = (run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies[run.strategy])[0]
    ...         for run in grid.runs)
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> append_result(path, a)
    >>> with open(path, "rb") as file:
    ...     tail = ResultsTail(file, path)
    ...     first = [line["run"]["strategy"] for line in tail.read()]
    ...     append_result(path, b)  # another runner appends
    ...     second = [line["run"]["strategy"] for line in tail.read()]
    >>> first, second
    (['margin'], ['random'])
    """

    def __init__(self, file: IO[bytes], name: str | os.PathLike) -> None:
        self._file = file
        self._name = os.fspath(name)
        self._offset = 0
        self._number = 0

    def read(self, to_end: bool = False) -> list[dict[str, Any]]:
        """The results added since the last call (see the class)."""
        self._file.seek(self._offset)
        data = self._file.read()
        end = len(data) if to_end else data.rfind(b"\n") + 1
        lines = data[:end].split(b"\n")
        if data[:end].endswith(b"\n"):
            lines.pop()  # nothing after the last newline
        results = []
        for raw in lines:
            self._number += 1
            line = self._parse(raw)
            if line is not None:
                results.append(line)
        self._offset += end
        last = self._complete(data[end:])
        if last is not None:  # a whole result without its newline: counted, and read again once it has one
            results.append(last)
        return results

    def _complete(self, raw: bytes) -> dict[str, Any] | None:
        """The result in ``raw`` if it is one whole result, else None (a line being written, or cut short)."""
        try:
            return check_result(json.loads(raw)) if raw.strip() else None
        except (ValueError, RecursionError):
            return None

    def _parse(self, raw: bytes) -> dict[str, Any] | None:
        where = f"{self._name}: line {self._number}"
        text = raw.strip()
        if not text:
            return None
        try:
            line = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if text.startswith(b"{"):
                return None  # a line cut short by a crash
            raise ValueError(f"{where}: not an alfunc result (not a line of JSON)") from None
        except RecursionError:
            raise ValueError(f"{where}: not an alfunc result (JSON nested too deep)") from None
        except ValueError as error:  # e.g. an integer of more than 4,300 digits
            raise ValueError(f"{where}: not an alfunc result ({error})") from None
        return check_result(line, where)


def _check_result(line: Any) -> None:
    if not isinstance(line, Mapping):
        raise ValueError(f"it is a JSON {type(line).__name__}, not an object")
    missing = sorted({"id", "run", "n_labeled", "test_score", "full_pool_score", "metrics"} - set(line))
    if missing:
        raise ValueError(f"it has no {', '.join(map(repr, missing))}")
    if not isinstance(line["id"], str) or not line["id"]:
        raise ValueError(f"'id' must be a non-empty string, got {line['id']!r}")
    run, metrics = line["run"], line["metrics"]
    if not isinstance(run, Mapping):
        raise ValueError(f"'run' must be an object, got {type(run).__name__}")
    missing = sorted(set(RUN_TEXT_FIELDS + RUN_COUNT_FIELDS) - set(run))
    if missing:
        raise ValueError(f"run has no {', '.join(map(repr, missing))}")
    for field in RUN_TEXT_FIELDS:
        if not isinstance(run[field], str):
            raise ValueError(f"run[{field!r}] must be a name, got {run[field]!r}")
    for field in RUN_COUNT_FIELDS:
        value = run[field]
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if field == "seed" else 1):
            raise ValueError(f"run[{field!r}] must be an int >= {0 if field == 'seed' else 1}, got {value!r}")
    for field in ("budget", "scoring"):
        value = run.get(field)
        if value is not None and not isinstance(value, int if field == "budget" else str):
            raise ValueError(f"run[{field!r}] must be {'an int' if field == 'budget' else 'a name'} or null")
    if not isinstance(line["n_labeled"], list) or not isinstance(line["test_score"], list):
        raise ValueError("'n_labeled' and 'test_score' must be lists (the learning curve)")
    try:
        check_curve(line["n_labeled"], line["test_score"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"its learning curve: {error}") from None
    _check_number(line["full_pool_score"], "'full_pool_score'")
    if not isinstance(metrics, Mapping):
        raise ValueError(f"'metrics' must be an object, got {type(metrics).__name__}")
    missing = sorted(set(METRIC_FIELDS) - set(metrics))
    if missing:
        raise ValueError(f"metrics has no {', '.join(map(repr, missing))}")
    for field in METRIC_FIELDS:
        _check_number(metrics[field], f"metrics[{field!r}]")


def _check_number(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


@contextlib.contextmanager
def _locked(file: IO[bytes]) -> Iterator[None]:
    """An exclusive advisory lock on ``file`` while appending (none where the platform or file system has none)."""
    locked = False
    if fcntl is not None:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            locked = True
        except OSError:  # pragma: no cover - a file system without locks: one runner per file
            pass
    try:
        yield
    finally:
        if locked:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def _ends_with_newline(path: str | os.PathLike) -> bool:
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
