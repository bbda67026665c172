"""Paired experiment grids: datasets x estimators x representations x batch sizes x seeds x strategies, through joblib.

The design is paired: for one seed, every strategy sees the same stratified
train/test split, the same scaling (fitted on the pool only, never on the
test set) and the same initial set (``init_step`` depends only on the pool
and the seed). Differences between strategies at one seed are then due to
the strategy alone, which is what the paired statistics in
``alfunc.metrics`` assume.

A dataset's ``X`` is any pool alfunc takes (numeric or object arrays, sparse
matrices, pandas DataFrames or Series, lists of documents): it is split by
position (``alfunc.core.rows``), so a DataFrame keeps its columns, dtypes and
index. Only numeric pools are scaled; documents and mixed tables are left to
the estimator's own preprocessing (a ``Pipeline``).

Runs go through ``joblib.Parallel``, so ``n_jobs`` spreads them over local
processes and ``joblib.parallel_config(backend="dask")`` sends them to a Dask
cluster; nothing here schedules work itself. Each finished run is appended to
the results file at once (see ``alfunc.experiments.results``); running the same grid
again skips the runs already in the file.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import attrs
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from alfunc.core.facts import data_fingerprint, estimator_facts, plain_data
from alfunc.core.representation import check_representation
from alfunc.core.rows import is_numeric, n_rows, pool_kind, take_rows
from alfunc.core.scoring import resolve_scorers
from alfunc.core.state import History
from alfunc.core.validation import check_estimator, check_labels_for, check_pool, check_positive_int
from alfunc.engine.loop import run as run_al
from alfunc.engine.progress import check_callback, observed
from alfunc.experiments.catalog import Dataset, load_dataset, make_estimator
from alfunc.experiments.claims import RunClaims
from alfunc.experiments.results import ResultsTail, append_result
from alfunc.history.io import history_digest, save_history
from alfunc.metrics import aulc, labels_to_reach, learning_curve
from alfunc.strategies import check_model_kind, resolve_strategy

REACH_FRACTIONS = (0.9, 0.95, 0.99)
MAX_RUNS = 10_000_000  # a grid larger than this is a typo (seeds=10**9), refused before it fills the memory


@attrs.frozen
class Run:
    """One cell of a grid, as plain data: what identifies it in a results file.

    ``data`` and ``model`` are fingerprints of the dataset and of the
    estimator's parameters, so a rerun only skips a run that really is the same.
    ``representation`` names the geometry distance-based strategies measure in
    (None: the library's default, see ``alfunc.core.representation``); like a
    strategy function, embeddings or a callable are known by their name.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    estimator : str
        The estimator's name.
    strategy : str
        The strategy's name.
    seed : int
        The run's seed (split, scaling, initial set and queries).
    batch_size : int
        Points labeled per query round.
    n_init : int
        Size of the initial set.
    budget : int or None
        Total labeled at the end (``None``: the whole pool).
    test_size : float
        Share of the dataset held out for testing.
    scoring : str or None
        A scorer name (``None``: the estimator's ``score``).
    scale : bool
        Whether numeric pools are standardized.
    data : str
        Fingerprint of the dataset.
    model : str
        Fingerprint of the estimator's parameters.
    representation : str or None, default=None
        Name of the representation (``None``: the default geometry).

    Examples
    --------
    >>> import attrs
    >>> from alfunc.experiments import experiment_grid
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=30)
    >>> run = grid.runs[0]
    >>> run.dataset, run.estimator, run.strategy, run.seed, run.batch_size, run.budget
    ('iris', 'logistic', 'margin', 0, 10, 30)
    >>> len(run.id), run.id == grid.runs[1].id  # 16 hex digits, one id per cell
    (16, False)
    >>> experiment_grid(["iris"], ["margin"], seeds=1, budget=30).runs[0].id == run.id  # stable across grids
    True
    >>> attrs.evolve(run, seed=1).id == run.id  # any other field gives another run
    False
    >>> run.representation, attrs.evolve(run, representation="model").id == run.id
    (None, False)
    """

    dataset: str
    estimator: str
    strategy: str
    seed: int
    batch_size: int
    n_init: int
    budget: int | None
    test_size: float
    scoring: str | None
    scale: bool
    data: str
    model: str
    representation: str | None = None

    @property
    def id(self) -> str:
        """A short stable identifier of the run (a hash of every field).

        The default representation (None) is left out of the hash, so runs
        written before representations were a grid axis keep their ids and a
        results file from then is still resumed.
        """
        fields = attrs.asdict(self)
        if fields["representation"] is None:
            del fields["representation"]
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@attrs.frozen(eq=False)
class Grid:
    """The runs of an experiment and what they need: data, estimators and strategies by name.

    Parameters
    ----------
    runs : tuple of Run
        Every run of the grid, in order.
    data : mapping of str to (X, y)
        The datasets by name.
    estimators : mapping of str to estimator
        The estimators by name.
    strategies : mapping of str to strategy
        The strategies by name.
    representations : mapping, default={}
        The representations by name (``None``: the default geometry).

    Examples
    --------
    >>> from alfunc.experiments import experiment_grid
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, batch_sizes=[5, 10], budget=30)
    >>> len(grid.runs)  # 1 dataset x 1 estimator x 2 batch sizes x 2 seeds x 2 strategies
    8
    >>> [(run.batch_size, run.seed, run.strategy) for run in grid.runs[:4]]
    [(5, 0, 'margin'), (5, 0, 'random'), (5, 1, 'margin'), (5, 1, 'random')]
    >>> sorted(grid.data), sorted(grid.estimators), sorted(grid.strategies)
    (['iris'], ['logistic'], ['margin', 'random'])
    >>> X, y = grid.data["iris"]
    >>> X.shape
    (150, 4)
    """

    runs: tuple[Run, ...]
    data: Mapping[str, Dataset] = attrs.field(repr=False)
    estimators: Mapping[str, Any] = attrs.field(repr=False)
    strategies: Mapping[str, Any] = attrs.field(repr=False)
    representations: Mapping[str | None, Any] = attrs.field(repr=False, factory=lambda: {None: None})


def experiment_grid(
    datasets: Sequence[str] | Mapping[str, Dataset] = ("digits",),
    strategies: Sequence[Any] = ("margin", "random"),
    seeds: int | Sequence[int] = 5,
    estimators: Sequence[str] | Mapping[str, Any] = ("logistic",),
    batch_sizes: int | Sequence[int] = 10,
    *,
    n_init: int = 10,
    budget: int | None = None,
    test_size: float = 0.25,
    scoring: str | None = None,
    scale: bool = True,
    representations: Any = None,
) -> Grid:
    """Every combination, checked before any model is fitted.

    ``datasets`` are names from ``alfunc.experiments.catalog.DATASETS`` or a mapping
    ``name -> (X, y)``, where ``X`` is any pool alfunc takes (numeric or object
    arrays, sparse matrices, DataFrames, Series or lists of documents);
    ``estimators`` names from ``ESTIMATORS`` or a mapping ``name -> estimator``
    (a ``Pipeline`` that turns documents or mixed columns into numbers, for
    those); ``strategies`` names or strategy functions; ``seeds`` a count
    (seeds 0..n-1) or explicit seeds. ``budget`` is the total labeled at the
    end (initial set included; None = the whole pool). ``scoring`` is None
    (the estimator's ``score``) or a scorer name. ``scale`` standardizes
    numeric pools with the pool's statistics (sparse ones without centring);
    other pools are left as they are.

    ``representations`` is the axis of geometries distance-based strategies
    measure in (see ``alfunc.core.representation``): None (the default
    geometry), ``"input"``, ``"model"``, a callable ``rows -> features``, an
    array of embeddings aligned with the rows of every dataset (split with
    them), a list of these, or a mapping ``name -> representation``. Each run
    records its representation's name (a callable's ``__name__``,
    ``"embedding"`` for an unnamed array).

    Parameters
    ----------
    datasets : sequence of str or mapping, default=("digits",)
        Names from ``alfunc.experiments.catalog.DATASETS``, or a mapping ``name -> (X, y)``.
    strategies : sequence of str or callable, default=("margin", "random")
        Registered names or strategy functions.
    seeds : int or sequence of int, default=5
        A count (seeds 0..n-1) or explicit seeds; a seed fixes the split, scaling and initial set of every strategy.
    estimators : sequence of str or mapping, default=("logistic",)
        Names from ``ESTIMATORS``, or a mapping ``name -> estimator``.
    batch_sizes : int or sequence of int, default=10
        Points labeled per query round; one run per value.
    n_init : int, default=10
        Size of the random initial set.
    budget : int, default=None
        Total labeled at the end, initial set included (``None``: the whole pool).
    test_size : float, default=0.25
        Share of each dataset held out for testing (a stratified split per seed).
    scoring : str, default=None
        A scorer name (``None``: the estimator's ``score``).
    scale : bool, default=True
        Standardize numeric pools with the pool's statistics.
    representations : object, default=None
        The geometries of distance-based strategies: one, a list, or a mapping ``name -> representation``.

    Returns
    -------
    Grid
        The runs (``grid.runs``) and what they need, ready for ``run_grid``.

    Examples
    --------
    Your own data, estimator and strategy function, under names of your choice:

    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.experiments import experiment_grid
    >>> X, y = make_classification(n_samples=60, random_state=0)
    >>> def smallest_norm(model, X, context):
    ...     return -np.linalg.norm(X, axis=1)
    >>> grid = experiment_grid(
    ...     {"toy": (X, y)}, ["margin", smallest_norm], seeds=[0, 7], estimators={"nb": GaussianNB()}, budget=30
    ... )
    >>> [(run.dataset, run.estimator, run.strategy, run.seed) for run in grid.runs]
    [('toy', 'nb', 'margin', 0), ('toy', 'nb', 'smallest_norm', 0),
     ('toy', 'nb', 'margin', 7), ('toy', 'nb', 'smallest_norm', 7)]

    A mistake is reported before anything is fitted:

    >>> experiment_grid(["iris"], ["margin", "random"], budget=5)
    Traceback (most recent call last):
    ...
    ValueError: budget (5) must be at least n_init (10): it counts the initial set

    Documents with a text pipeline, under two representations:

    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> docs = ["a cat sat", "dogs bark", "the cat purrs", "a dog runs"] * 10
    >>> text = make_pipeline(TfidfVectorizer(), LogisticRegression())
    >>> grid = experiment_grid({"docs": (docs, [0, 1] * 20)}, ["margin"], seeds=1, estimators={"tfidf": text},
    ...                        n_init=4, budget=8, representations=[None, "model"])
    >>> [run.representation for run in grid.runs]
    [None, 'model']
    >>> experiment_grid({"docs": (docs, [0, 1] * 20)}, ["margin"], estimators={"tfidf": text}, n_init=4,
    ...                 representations="input")
    Traceback (most recent call last):
    ...
    ValueError: representations['input'] on datasets['docs']: representation='input' needs numeric rows, ...
    """
    data = _named(datasets, "datasets", load_dataset)
    data = {name: _check_dataset(name, value) for name, value in data.items()}
    models = _named(estimators, "estimators", make_estimator)
    for name, estimator in models.items():
        check_estimator(estimator, f"estimators[{name!r}]")
    named_strategies = _strategies(strategies)
    seed_list = _seeds(seeds)
    batches = _batch_sizes(batch_sizes)
    n_init = check_positive_int(n_init, "n_init")
    if budget is not None and check_positive_int(budget, "budget") < n_init:
        raise ValueError(f"budget ({budget}) must be at least n_init ({n_init}): it counts the initial set")
    if isinstance(test_size, bool) or not (isinstance(test_size, numbers.Real) and 0.0 < float(test_size) < 1.0):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    for name, (_, y) in data.items():
        _check_stratifiable(name, y, float(test_size))
        _check_pool_size(name, y.size, float(test_size), n_init)
    named_representations = _representations(representations)
    for r_name, representation in named_representations.items():
        for d_name, (X, _) in data.items():
            _check_representation(r_name, representation, d_name, X)
    if not isinstance(scale, bool | np.bool_):
        raise TypeError(f"scale must be True or False, got {_described(scale)}")
    if scoring is not None and not isinstance(scoring, str):
        raise TypeError(f"scoring must be None or a scorer name (results are plain data), got {type(scoring).__name__}")
    for e_name, estimator in models.items():
        resolve_scorers(estimator, scoring)
        for s_name, strategy in named_strategies.items():
            check_model_kind(s_name, resolve_strategy(strategy)[1], estimator, f"estimators[{e_name!r}]")
    size = len(data) * len(models) * len(named_representations) * len(batches) * len(seed_list) * len(named_strategies)
    if size > MAX_RUNS:
        raise ValueError(f"the grid would hold {size:,} runs, more than {MAX_RUNS:,}: fewer seeds or settings")
    fingerprints = {name: _fingerprint_data(*value) for name, value in data.items()}
    params = {name: _fingerprint_params(estimator) for name, estimator in models.items()}
    runs = tuple(
        Run(
            dataset=d,
            estimator=e,
            strategy=s,
            seed=seed,
            batch_size=b,
            n_init=n_init,
            budget=budget,
            test_size=float(test_size),
            scoring=scoring,
            scale=bool(scale),
            data=fingerprints[d],
            model=params[e],
            representation=r,
        )
        for d in data
        for e in models
        for r in named_representations
        for b in batches
        for seed in seed_list
        for s in named_strategies
    )
    return Grid(runs, data, models, named_strategies, named_representations)


def run_grid(
    grid: Grid,
    results: str | os.PathLike,
    *,
    n_jobs: int | None = 1,
    histories: str | os.PathLike | None = None,
    progress: bool = False,
    callback: Callable[[dict[str, Any]], Any] | None = None,
) -> list[dict[str, Any]]:
    """Run the grid's unfinished runs and return one result per run of the grid, in grid order.

    Runs already in ``results`` are skipped; each new one is appended there as
    soon as it finishes. Runners in several processes (or on several machines
    sharing the folder) may run grids on one results file at the same time:
    each claims a run before computing it (see ``alfunc.experiments.claims``),
    so every run is computed once; a runner then waits for the runs others
    hold and returns their lines too, and the runs of a runner that died are
    computed by the others. ``n_jobs`` is passed to ``joblib.Parallel`` (the
    backend comes from ``joblib.parallel_config``, e.g. ``"dask"``). With
    ``histories`` (a folder), each run's history is also saved there as
    ``<id>.json`` before its line is appended, for ``alfunc replay``; workers
    never write files, so they need no shared file system. ``progress=True``
    shows a bar of runs done (here or by other runners) with an ETA on stderr;
    ``callback(result)`` is called once per run computed here, after it is saved.

    Parameters
    ----------
    grid : Grid
        The runs, from ``experiment_grid``.
    results : str or path-like
        The JSON-lines results file: read to skip finished runs, appended to as runs finish.
    n_jobs : int or None, default=1
        Passed to ``joblib.Parallel`` (``-1``: every core of the backend).
    histories : str or path-like, default=None
        A folder to save each run's history in, as ``<id>.json``.
    progress : bool, default=False
        Show a bar of runs done, with an ETA, on stderr.
    callback : callable, default=None
        Called with each result computed here, after it is saved.

    Returns
    -------
    list of dict
        One result per run of the grid, in grid order (the lines of the results file).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, read_results, run_grid
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=30)
    >>> folder = tempfile.mkdtemp()
    >>> path, histories = os.path.join(folder, "results.jsonl"), tempfile.mkdtemp()
    >>> results = run_grid(grid, path, histories=histories)
    >>> [(line["run"]["strategy"], line["n_labeled"]) for line in results]
    [('margin', [10, 20, 30]), ('random', [10, 20, 30])]
    >>> [round(line["metrics"]["final_score"], 2) for line in results]  # test accuracy after 30 labels
    [0.92, 0.87]
    >>> len(read_results(path)), sorted(os.listdir(histories)) == sorted(f"{line['id']}.json" for line in results)
    (2, True)
    >>> run_grid(grid, path) == results  # a rerun finds both runs in the file and runs nothing
    True
    """
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be an alfunc.experiments.Grid (see experiment_grid), got {type(grid).__name__}")
    check_callback(callback)
    _check_folder(os.path.dirname(os.path.abspath(results)), "results")
    if histories is not None:
        _check_folder(histories, "histories")
    finished = _Finished(results)
    with finished, RunClaims(results) as claims:
        done = finished.refresh()  # the whole file is read, and checked, before any work
        todo = {run.id for run in grid.runs if run.id not in done}
        lines = _cooperating(grid, finished, claims, n_jobs=n_jobs, results=results, histories=histories)
        for line, computed_here in observed(lines, len(todo), progress=progress, description="runs", unit="run"):
            if computed_here and callback is not None:
                callback(line)
        return [done[run.id] for run in grid.runs]


def _cooperating(
    grid: Grid,
    finished: _Finished,
    claims: RunClaims,
    *,
    n_jobs: int | None,
    results: str | os.PathLike,
    histories: str | os.PathLike | None,
) -> Iterator[tuple[dict[str, Any], bool]]:
    """``(line, computed here)`` once for each run of the grid not yet in the file, as it is saved (here or by another runner).

    Rounds: claim and compute every unfinished run no other runner holds;
    then, if some are held by others, wait for one of them to be released and
    start again (its line is in the file, or its runner ended and the run is
    free to claim).
    """
    reported = {run.id for run in grid.runs if run.id in finished.lines}
    while True:
        todo = [run for run in grid.runs if run.id not in finished.refresh()]
        outputs = _run_claimed(todo, grid, finished, claims, n_jobs)
        computed = 0
        for line, history in outputs:
            _save(results, histories, line, history)
            finished.lines.setdefault(line["id"], line)
            claims.release(line["id"])
            computed += 1
            reported.add(line["id"])
            yield line, True
        others = [run for run in grid.runs if run.id in finished.refresh() and run.id not in reported]
        for run in others:  # saved by another runner meanwhile
            reported.add(run.id)
            yield finished.lines[run.id], False
        left = [run for run in todo if run.id not in finished.lines]
        if not left:
            return
        if not computed:
            claims.wait(left[0].id)  # every run left is held by another runner: wait for one


def _run_claimed(
    todo: Sequence[Run], grid: Grid, finished: _Finished, claims: RunClaims, n_jobs: int | None
) -> Iterator[tuple[dict[str, Any], History]]:
    """The runs of ``todo`` this runner claims, computed through joblib (claimed lazily, as joblib dispatches them)."""

    def claimed() -> Iterator[Any]:
        for run in todo:
            if run.id in finished.lines or not claims.claim(run.id):
                continue  # saved or held by another runner
            if run.id in finished.refresh():  # saved by another runner between our last read and the claim
                claims.release(run.id)
                continue
            yield delayed(run_one)(
                run,
                grid.data[run.dataset],
                grid.estimators[run.estimator],
                grid.strategies[run.strategy],
                representation=grid.representations[run.representation],
            )

    tasks = claimed()
    first = next(tasks, None)
    if first is None:  # nothing to compute here: no pool of workers is started
        return iter(())
    return Parallel(n_jobs=n_jobs, return_as="generator_unordered")(itertools.chain([first], tasks))


class _Finished:
    """The results already in the file, read on from where the last read stopped (thread-safe)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = path
        self.lines: dict[str, dict[str, Any]] = {}
        self._file: IO[bytes] | None = None
        self._tail: ResultsTail | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> _Finished:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._file is not None:
            self._file.close()

    def refresh(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._tail is None:
                if os.path.isdir(self.path):
                    raise ValueError(f"results must be a file, got the folder {os.fspath(self.path)!r}")
                if not os.path.exists(self.path):
                    return self.lines
                self._file = open(self.path, "rb")  # noqa: SIM115 - closed by __exit__
                self._tail = ResultsTail(self._file, self.path)
            for line in self._tail.read():
                self.lines.setdefault(line["id"], line)
            return self.lines


def run_one(
    run: Run, data: Dataset, estimator: Any, strategy: Any, *, representation: Any = None
) -> tuple[dict[str, Any], History]:
    """One AL run of the grid: its results line (run, history digest, curve, metrics) and its history.

    Pure given its arguments (the split, scaling, initial set and queries all
    derive from ``run.seed``), so any worker computes the same line; only
    ``seconds`` differs between two executions. The history's ``info`` gains
    the run under ``"experiment"``, which is what ``alfunc replay`` rebuilds
    the data and the estimator from. BLAS and OpenMP run one thread per run:
    parallelism comes from running runs side by side, small fits do not gain
    from threads (they lose a lot when cores are oversubscribed), and results
    then do not depend on how many cores a worker has. ``representation`` is
    the value the grid holds under ``run.representation`` (embeddings aligned
    with the whole dataset are split with it).

    Parameters
    ----------
    run : Run
        The grid run.
    data : (X, y)
        Its dataset.
    estimator : estimator
        Its estimator (cloned for each fit).
    strategy : str or callable
        Its strategy.
    representation : object, default=None
        Its representation.

    Returns
    -------
    result : dict
        The results line.
    history : History
        The run's history.

    Examples
    --------
    >>> from alfunc.experiments import experiment_grid, run_one
    >>> grid = experiment_grid(["iris"], ["margin"], seeds=1, budget=30)
    >>> run = grid.runs[0]
    >>> line, history = run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies["margin"])
    >>> line["id"] == run.id, line["n_pool"], line["n_labeled"]
    (True, 112, [10, 20, 30])
    >>> sorted(line["metrics"])
    ['aulc_mean', 'aulc_trapezoid', 'aulc_zhan', 'final_score', 'labels_to_90pct', 'labels_to_95pct', 'labels_to_99pct']
    >>> len(history), history.info["experiment"]["strategy"]  # three fits: 10, 20 and 30 labels
    (3, 'margin')
    >>> again, _ = run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies["margin"])
    >>> again["test_score"] == line["test_score"] and again["history_digest"] == line["history_digest"]
    True
    """
    with threadpool_limits(limits=1):
        return _run_one(run, data, estimator, strategy, representation)


def _run_one(
    run: Run, data: Dataset, estimator: Any, strategy: Any, representation: Any
) -> tuple[dict[str, Any], History]:
    started = time.perf_counter()
    X, y = data
    pool, _ = split_positions(run, y)
    X_pool, X_test, y_pool, y_test = paired_split(run, X, y)
    if _is_embedding(representation):
        representation = take_rows(representation, pool)
    final = run_al(
        X_pool,
        y_pool,
        estimator,
        strategy,
        n_init=run.n_init,
        batch_size=run.batch_size,
        budget=run.budget,
        X_test=X_test,
        y_test=y_test,
        scoring=run.scoring,
        random_state=run.seed,
        representation=representation,
    )
    history = final.history.with_info({"experiment": plain_data(attrs.asdict(run))})
    n_labeled, scores = learning_curve(history, "test_score")
    full = float(check_scoring(estimator, scoring=run.scoring)(clone(estimator).fit(X_pool, y_pool), X_test, y_test))
    line = {
        "id": run.id,
        "run": attrs.asdict(run),
        "history_digest": history_digest(history),
        "n_pool": int(n_rows(X_pool)),
        "n_labeled": n_labeled.tolist(),
        "test_score": scores.tolist(),
        "full_pool_score": full,
        "metrics": run_metrics(n_labeled, scores, full),
        "seconds": time.perf_counter() - started,
    }
    return line, history


def split_positions(run: Run, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """The seed's stratified pool/test split as row positions of the dataset: ``(pool, test)``.

    Pool position ``p`` of every run with this seed and test size is row
    ``pool[p]`` of the dataset, which is how a run's picks (pool positions in
    its history) are traced back to the user's rows.

    Parameters
    ----------
    run : Run
        The grid run (its seed and test size).
    y : array-like
        The dataset's labels (the split is stratified).

    Returns
    -------
    pool : ndarray of int
        Dataset rows of the pool, in pool order.
    test : ndarray of int
        Dataset rows of the test set.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.experiments import experiment_grid, load_dataset, split_positions
    >>> run = experiment_grid(["iris"], ["margin"], seeds=1).runs[0]
    >>> pool, test = split_positions(run, load_dataset("iris")[1])
    >>> pool.size, test.size, np.union1d(pool, test).size  # a partition of the 150 rows
    (112, 38, 150)
    """
    labels = np.asarray(y)
    pool, test = train_test_split(
        np.arange(labels.shape[0]), test_size=run.test_size, stratify=labels, random_state=run.seed
    )
    return pool, test


def paired_split(run: Run, X: Any, y: Any) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    """The seed's stratified pool/test split, numeric pools scaled with statistics of the pool only.

    Rows are taken by position (``split_positions``), so ``X`` may be any pool:
    a DataFrame keeps its columns, dtypes and index, a list of documents stays
    a list. With ``run.scale``, a numeric pool is standardized (a numeric
    DataFrame stays a DataFrame with its column names; a sparse matrix is
    scaled without centring, so it stays sparse); documents and mixed tables
    are returned as they are, for the estimator's own preprocessing.

    Parameters
    ----------
    run : Run
        The grid run (its seed, test size and ``scale``).
    X : array-like, sparse matrix, DataFrame or list
        The dataset's rows.
    y : array-like
        Its labels.

    Returns
    -------
    X_pool, X_test, y_pool, y_test
        The split, numeric pools scaled.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.experiments import experiment_grid, load_dataset, paired_split, split_positions
    >>> margin_run, random_run = experiment_grid(["iris"], ["margin", "random"], seeds=1).runs
    >>> X, y = load_dataset("iris")
    >>> X_pool, X_test, y_pool, y_test = paired_split(margin_run, X, y)
    >>> X_pool.shape, X_test.shape, np.bincount(y_test).tolist()  # stratified: every class in the test set
    ((112, 4), (38, 4), [13, 13, 12])
    >>> bool(np.allclose(X_pool.mean(axis=0), 0))  # standardized with the pool's mean and scale
    True
    >>> other = paired_split(random_run, X, y)  # same seed, other strategy: the very same split
    >>> all(np.array_equal(a, b) for a, b in zip(other, (X_pool, X_test, y_pool, y_test)))
    True

    Documents are split the same way and left as they are:

    >>> docs = [f"document {i}" for i in range(150)]
    >>> docs_pool, docs_test, _, _ = paired_split(margin_run, docs, y)
    >>> len(docs_pool), len(docs_test), docs_pool[0] == docs[split_positions(margin_run, y)[0][0]]
    (112, 38, True)
    """
    labels = np.asarray(y)
    pool, test = split_positions(run, labels)
    X_pool, X_test = take_rows(X, pool), take_rows(X, test)
    if run.scale and is_numeric(X):
        X_pool, X_test = _standardized(X_pool, X_test)
    return X_pool, X_test, labels[pool], labels[test]


def _standardized(X_pool: Any, X_test: Any) -> tuple[Any, Any]:
    """Scale both sides with the pool's statistics, keeping the pool's kind (frame, sparse or array)."""
    kind = pool_kind(X_pool)
    scaler = StandardScaler(with_mean=kind != "sparse")
    if kind == "frame":
        scaler.set_output(transform="pandas")
    scaler.fit(X_pool)
    return scaler.transform(X_pool), scaler.transform(X_test)


def run_metrics(n_labeled: np.ndarray, scores: np.ndarray, full_score: float) -> dict[str, Any]:
    """The per-run metrics of a results line (paired ones are computed when reporting).

    Parameters
    ----------
    n_labeled : ndarray of int
        The learning curve's label counts.
    scores : ndarray of float
        Its test scores.
    full_score : float
        The score with the whole pool labeled.

    Returns
    -------
    dict
        AULC in each convention, final score and labels to reach 90/95/99 % of ``full_score``.

    Examples
    --------
    A learning curve (test score after 10, 20 and 30 labels) against a score of
    0.95 with the whole pool labeled; ``labels_to_95pct`` is None because the
    curve never reaches 95 % of it:

    >>> import numpy as np
    >>> from alfunc.experiments import run_metrics
    >>> metrics = run_metrics(np.array([10, 20, 30]), np.array([0.6, 0.8, 0.9]), full_score=0.95)
    >>> {name: round(value, 3) if isinstance(value, float) else value for name, value in metrics.items()}
    {'aulc_trapezoid': 0.775, 'aulc_mean': 0.767, 'aulc_zhan': 0.775, 'final_score': 0.9,
     'labels_to_90pct': 30, 'labels_to_95pct': None, 'labels_to_99pct': None}
    """
    metrics: dict[str, Any] = {f"aulc_{c}": aulc(n_labeled, scores, c) for c in ("trapezoid", "mean", "zhan")}
    metrics["final_score"] = float(scores[-1])
    for fraction in REACH_FRACTIONS:
        metrics[f"labels_to_{round(fraction * 100)}pct"] = labels_to_reach(n_labeled, scores, full_score, fraction)
    return metrics


def run_from_info(info: Mapping[str, Any]) -> Run:
    """The grid run a history was made by (``info["experiment"]``, written by ``run_one``).

    Parameters
    ----------
    info : mapping
        A history's ``info``.

    Returns
    -------
    Run

    Examples
    --------
    >>> from alfunc.experiments import experiment_grid, run_from_info, run_one
    >>> grid = experiment_grid(["iris"], ["margin"], seeds=1, budget=30)
    >>> run = grid.runs[0]
    >>> _, history = run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies["margin"])
    >>> run_from_info(history.info) == run  # what to rebuild the data and the estimator from
    True
    >>> run_from_info({})
    Traceback (most recent call last):
    ...
    ValueError: the history was not made by an alfunc experiment grid: its info has no 'experiment' entry
    >>> run_from_info({"experiment": {**history.info["experiment"], "seed": "0"}})
    Traceback (most recent call last):
    ...
    ValueError: the history's 'experiment' entry is not a grid run: seed must be int, got '0'
    """
    if not isinstance(info, Mapping) or "experiment" not in info:
        raise ValueError("the history was not made by an alfunc experiment grid: its info has no 'experiment' entry")
    fields = info["experiment"]
    try:
        if not isinstance(fields, Mapping):
            raise TypeError(f"it is a {type(fields).__name__}, not a mapping")
        run = Run(**dict(fields))
        _check_run(run)
    except (TypeError, ValueError) as error:
        raise ValueError(f"the history's 'experiment' entry is not a grid run: {error}") from None
    return run


RUN_FIELD_KINDS: dict[str, tuple[type, ...]] = {
    "dataset": (str,),
    "estimator": (str,),
    "strategy": (str,),
    "seed": (int,),
    "batch_size": (int,),
    "n_init": (int,),
    "budget": (int, type(None)),
    "test_size": (float,),
    "scoring": (str, type(None)),
    "scale": (bool,),
    "data": (str,),
    "model": (str,),
    "representation": (str, type(None)),
}


def _check_run(run: Run) -> None:
    """The fields of a run read from a file have the kinds ``experiment_grid`` gives them."""
    for field, kinds in RUN_FIELD_KINDS.items():
        value = getattr(run, field)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join("null" if kind is type(None) else kind.__name__ for kind in kinds)
            raise TypeError(f"{field} must be {names}, got {value!r}")
    for field, lowest in (("seed", 0), ("batch_size", 1), ("n_init", 1), ("budget", run.n_init)):
        value = getattr(run, field)
        if value is not None and value < lowest:
            raise ValueError(f"{field} must be >= {lowest}, got {value}")
    if not 0.0 < run.test_size < 1.0:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {run.test_size!r}")


def _save(path: str | os.PathLike, histories: str | os.PathLike | None, line: dict[str, Any], history: History) -> None:
    if histories is not None:
        save_history(history, os.path.join(histories, f"{line['id']}.json"))
    append_result(path, line)


def _check_folder(folder: str | os.PathLike, name: str) -> None:
    if not os.path.isdir(folder):
        raise ValueError(f"{name}: folder {os.fspath(folder)!r} does not exist")


def _named(values: Any, name: str, by_name: Callable[[str], Any]) -> dict[str, Any]:
    """``{name: value}`` of a list of names (looked up with ``by_name``) or of a mapping ``name -> value``."""
    if isinstance(values, Mapping):
        if not values:
            raise ValueError(f"{name} must not be empty")
        named = {str(key): value for key, value in values.items()}
        if len(named) != len(values):
            raise ValueError(f"{name} must have distinct names, got the keys {list(values)!r}")
        return named
    names = _listed(values, name, "names or a mapping name -> value")
    for position, key in enumerate(names):
        if not isinstance(key, str):
            raise TypeError(
                f"{name}[{position}] must be a name (your own ones go in a mapping name -> value), "
                f"got {_described(key)}"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"{name} must list distinct names, got {names!r}")
    result = {}
    for key in names:
        try:
            result[key] = by_name(key)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return result


def _listed(values: Any, name: str, what: str) -> list[Any]:
    """``values`` as a non-empty list: a lone string, a mapping or a value that is not iterable is refused."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of {what}, got {_described(values)}")
    items = list(values)
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items


def _described(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _check_dataset(name: str, value: Any) -> Dataset:
    if not (isinstance(value, tuple) and len(value) == 2):
        raise TypeError(f"datasets[{name!r}] must be a tuple (X, y), got {type(value).__name__}")
    X = check_pool(value[0], f"datasets[{name!r}] X")
    return X, check_labels_for(value[1], n_rows(X), f"datasets[{name!r}] y")


def _check_stratifiable(name: str, y: np.ndarray, test_size: float) -> None:
    """A stratified split needs two members per class and room for every class on both sides."""
    _, counts = np.unique(y, return_counts=True)
    n_test = math.ceil(test_size * y.size)
    if counts.min() < 2 or min(n_test, y.size - n_test) < counts.size:
        raise ValueError(
            f"datasets[{name!r}] cannot be split with stratification at test_size={test_size}: "
            f"{counts.size} classes, smallest with {counts.min()} samples, {y.size} samples in all"
        )


def _check_pool_size(name: str, n_samples: int, test_size: float, n_init: int) -> None:
    n_pool = n_samples - math.ceil(test_size * n_samples)
    if n_init > n_pool:
        raise ValueError(
            f"datasets[{name!r}] has {n_samples} rows, so a pool of {n_pool} after the test split "
            f"(test_size={test_size}), fewer than n_init ({n_init})"
        )


def _is_embedding(representation: Any) -> bool:
    return not (representation is None or isinstance(representation, str) or _is_function(representation))


def _is_function(representation: Any) -> bool:
    return callable(representation) and not hasattr(representation, "shape")


def _representations(representations: Any) -> dict[str | None, Any]:
    """``{name: representation}`` of the axis; None is the library's default geometry."""
    if isinstance(representations, Mapping):
        if not representations:
            raise ValueError("representations must not be empty")
        return {str(key): value for key, value in representations.items()}
    if isinstance(representations, bool | numbers.Number):
        raise TypeError(
            "representations must be None, 'input', 'model', a callable, an array of embeddings, a list of these "
            f"or a mapping name -> representation, got {_described(representations)}"
        )
    if representations is None or isinstance(representations, str) or not isinstance(representations, list | tuple):
        values = [representations]
    else:
        values = list(representations)
    named: dict[str | None, Any] = {}
    for value in values:
        if value is None or isinstance(value, str):
            name = value
        elif _is_function(value):
            name = getattr(value, "__name__", type(value).__name__)
        else:
            name = "embedding"
        if name in named:
            raise ValueError(
                f"representations must be distinct (name embeddings in a mapping name -> array), got {name!r} twice"
            )
        named[name] = value
    if not named:
        raise ValueError("representations must not be empty")
    return named


def _check_representation(name: str | None, representation: Any, dataset: str, X: Any) -> None:
    try:
        check_representation(representation, X)
    except (ValueError, TypeError) as error:
        raise type(error)(f"representations[{name!r}] on datasets[{dataset!r}]: {error}") from None


def _strategies(strategies: Any) -> dict[str, Any]:
    values = _listed(strategies, "strategies", "names or strategy functions")
    named = {}
    for position, strategy in enumerate(values):
        try:
            name = resolve_strategy(strategy)[0]
        except (TypeError, ValueError) as error:
            raise type(error)(f"strategies[{position}]: {error}") from None
        if name in named:
            raise ValueError(f"strategies must list distinct strategies, got {name!r} twice")
        named[name] = strategy
    return named


def _seeds(seeds: Any) -> Sequence[int]:
    if _is_count(seeds):
        return range(check_positive_int(seeds, "seeds"))
    if isinstance(seeds, bool | numbers.Number) or seeds is None:
        raise TypeError(f"seeds must be a count >= 1 or a list of distinct ints >= 0, got {_described(seeds)}")
    values = _listed(seeds, "seeds", "distinct ints >= 0 (or a count >= 1)")
    checked = [check_positive_int(seed, f"seeds[{i}]", allow_zero=True) for i, seed in enumerate(values)]
    if len(set(checked)) != len(checked):
        raise ValueError(f"seeds must be distinct, got {checked!r}")
    return checked


def _batch_sizes(batch_sizes: Any) -> list[int]:
    if _is_count(batch_sizes):
        return [check_positive_int(batch_sizes, "batch_sizes")]
    if isinstance(batch_sizes, bool | numbers.Number) or batch_sizes is None:
        raise TypeError(f"batch_sizes must be an int >= 1 or a list of distinct ints, got {_described(batch_sizes)}")
    values = _listed(batch_sizes, "batch_sizes", "distinct ints >= 1 (or one int)")
    checked = [check_positive_int(b, f"batch_sizes[{i}]") for i, b in enumerate(values)]
    if len(set(checked)) != len(checked):
        raise ValueError(f"batch_sizes must be distinct, got {checked!r}")
    return checked


def _is_count(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _fingerprint_data(X: Any, y: Any) -> str:
    return hashlib.sha256(f"{data_fingerprint(X)}:{data_fingerprint(y)}".encode()).hexdigest()[:16]


def _fingerprint_params(estimator: Any) -> str:
    return hashlib.sha256(repr(estimator_facts(estimator)).encode()).hexdigest()[:16]
