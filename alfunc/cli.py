"""The ``alfunc`` command: ``simulate`` a paired experiment, ``replay`` a history, ``report`` on results.

    alfunc simulate                       # digits, logistic regression, margin vs random, 5 seeds
    alfunc simulate --data flowers.csv --target species [--id name]   # your own table
    alfunc simulate --data reviews.parquet --target stars --text review  # your own documents
    alfunc replay alfunc-out/histories/<id>.json [--data FILE --target COLUMN ...]
    alfunc report alfunc-out/results.jsonl
    alfunc label reviews.csv --text review --classes pos,neg   # label your own data in a browser page

``--data`` reads a CSV/TSV, Parquet, ``.npy`` or ``.npz`` file (see
``alfunc.experiments.files``). A table's model is ``table+<estimator>``: its
categorical columns one-hot encoded and its numeric ones imputed and scaled,
selected by name, before the estimator; ``--text COLUMN`` makes the documents
of that column the rows and the model ``tfidf+<estimator>`` (TF-IDF features;
the other columns are not used); arrays go to the estimator as they are, scaled
like the bundled datasets. With ``--data`` the output folder also holds
``picks.csv``: one line per labeled point of every run, with the columns
``run,strategy,seed,iteration,position,id``: the run's id (as in
``results.jsonl`` and ``histories/<run>.json``), its strategy and seed, the
iteration that labeled the point (0 = the initial set), the point's 0-based row
among the file's data rows, and its id (the ``--id`` column's value, else the
table's index: the row number of a CSV).

Progress goes to stderr, tables to stdout. Every error is one line on stderr
(``alfunc: error: ...``) with exit code 2; a replay that does not match exits 1.
An unexpected error (a bug, or an estimator failing) is one line too, naming
its type; set ``ALFUNC_DEBUG=1`` to see its traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import alfunc
from alfunc.experiments.catalog import DATASETS, ESTIMATORS, load_dataset, make_estimator
from alfunc.experiments.files import UserData, read_data, run_picks, table_estimator, text_estimator, write_picks
from alfunc.experiments.grid import Grid, Run, experiment_grid, paired_split, run_from_info, run_grid
from alfunc.experiments.plots import plot_experiment
from alfunc.experiments.results import read_results
from alfunc.experiments.summary import format_summaries, rank_settings, summarize
from alfunc.history.io import load_history
from alfunc.history.replay import ReplayDivergence, replay
from alfunc.metrics import AULC_CONVENTIONS
from alfunc.strategies import STRATEGIES

RESULTS_NAME = "results.jsonl"
FIGURE_NAME = "learning_curves.png"
HISTORIES_NAME = "histories"
PICKS_NAME = "picks.csv"
DEBUG_VARIABLE = "ALFUNC_DEBUG"  # set it to see the traceback of an unexpected error
DEFAULT_BUDGET = 300
OWN_DATA_OPTIONS = (("--target", "target"), ("--text", "text"), ("--id", "id_column"))
DENSE_ONLY = frozenset({"naive_bayes"})  # GaussianNB takes no sparse input
DATA_HELP = (
    "--data FILE (.csv or .tsv, also compressed; .parquet; .npy; .npz) replaces --dataset. A table needs "
    "--target COLUMN; its model is table+ESTIMATOR: categorical columns one-hot encoded, numeric ones imputed and "
    "scaled (selected by name), then the estimator. --text COLUMN makes that column's documents the rows and the "
    "model tfidf+ESTIMATOR (the other columns are not used; naive_bayes takes no sparse TF-IDF features). An .npy "
    "array holds the labels in its last column (or --target INDEX); an .npz file the arrays X and y (or --target "
    "NAME). Rows without a label are refused. The output folder gains picks.csv (see --out). Tables need pandas "
    "(pip install 'alfunc[tables]'), Parquet also pyarrow ('alfunc[parquet]')."
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are a single line on stderr (exit code 2).

    Examples
    --------
    >>> import contextlib
    >>> import io
    >>> from alfunc.cli import OneLineParser
    >>> parser = OneLineParser(prog="demo")
    >>> _ = parser.add_argument("--seeds", type=int)
    >>> parser.parse_args(["--seeds", "3"]).seeds
    3
    >>> stderr = io.StringIO()
    >>> with contextlib.redirect_stderr(stderr):
    ...     try:
    ...         parser.parse_args(["--seeds", "three"])
    ...     except SystemExit as stop:
    ...         print("exit code", stop.code)
    exit code 2
    >>> print(stderr.getvalue(), end="")  # no usage block, only the error and where to look
    demo: error: argument --seeds: invalid int value: 'three' (see demo --help)
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``alfunc`` command.

    Examples
    --------
    >>> from alfunc.cli import build_parser
    >>> arguments = build_parser().parse_args(["simulate", "--dataset", "iris", "wine", "--seeds", "3"])
    >>> arguments.command, arguments.dataset, arguments.seeds, arguments.handler.__name__
    ('simulate', ['iris', 'wine'], 3, 'simulate_command')
    >>> arguments.estimator, arguments.strategies, arguments.n_init, arguments.batch_size  # defaults
    (['logistic'], ['margin', 'random'], 20, [20])
    >>> arguments.budget is None  # not given: 300, or the whole pool of a smaller --data file
    True
    """
    parser = OneLineParser(
        prog="alfunc",
        description="Pool-based active learning as pure functions over a frozen state.",
    )
    parser.add_argument("--version", action="version", version=f"alfunc {alfunc.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    simulate = commands.add_parser(
        "simulate",
        help="run a paired experiment (default: digits, logistic, margin vs random, 5 seeds)",
        description="Run every strategy on the same seeds (same split, scaling and initial set per seed), "
        "print AULC and final scores with paired statistics, and write the results, histories and a figure.",
    )
    source = simulate.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        nargs="+",
        default=["digits"],
        choices=sorted(DATASETS),
        metavar="NAME",
        help=f"bundled datasets (default digits; one of {', '.join(sorted(DATASETS))})",
    )
    source.add_argument("--data", type=Path, default=None, metavar="FILE", help="your own data file (see below)")
    own = simulate.add_argument_group("your own data", DATA_HELP)
    _add_data_options(own)
    simulate.add_argument(
        "--estimator",
        nargs="+",
        default=["logistic"],
        choices=sorted(ESTIMATORS),
        metavar="NAME",
        help=f"estimators (default logistic; one of {', '.join(sorted(ESTIMATORS))})",
    )
    simulate.add_argument(
        "--strategies",
        nargs="+",
        default=["margin", "random"],
        choices=sorted(STRATEGIES),
        metavar="NAME",
        help=f"strategies (default margin random; from {', '.join(sorted(STRATEGIES))})",
    )
    simulate.add_argument(
        "--representation",
        nargs="+",
        default=[None],
        choices=["input", "model"],
        help="geometry of distance-based strategies: input (the rows) or model (the fitted pipeline's features); "
        "default: input for numeric data, model otherwise",
    )
    simulate.add_argument("--seeds", type=int, default=5, help="number of seeds, 0..N-1 (default 5)")
    simulate.add_argument("--n-init", type=int, default=20, help="initial labeled points (default 20)")
    simulate.add_argument("--batch-size", type=int, nargs="+", default=[20], help="points per query (default 20)")
    simulate.add_argument(
        "--budget",
        type=int,
        default=None,
        help=f"labeled points at the end, initial set included (default {DEFAULT_BUDGET}; with --data, "
        "at most the pool: the file's rows less the test split)",
    )
    simulate.add_argument(
        "--test-size", type=float, default=0.25, help="test fraction of each seed's split (default 0.25)"
    )
    simulate.add_argument("--scoring", default=None, help="scikit-learn scorer name (default: the estimator's score)")
    simulate.add_argument(
        "--reference", default="random", help="strategy the others are compared with (default random)"
    )
    simulate.add_argument(
        "--aulc", default="trapezoid", choices=AULC_CONVENTIONS, help="AULC convention of the table (default trapezoid)"
    )
    simulate.add_argument("--n-jobs", type=int, default=1, help="parallel runs, -1 = all cores (default 1)")
    simulate.add_argument(
        "--backend",
        default=None,
        help="joblib backend: loky (default for n-jobs > 1), threading, or dask (needs alfunc[distributed])",
    )
    simulate.add_argument(
        "--scheduler",
        default=None,
        help="with --backend dask: address of a running Dask scheduler (default: a local cluster)",
    )
    simulate.add_argument(
        "--out",
        type=Path,
        default=Path("alfunc-out"),
        help="output folder (default alfunc-out): results.jsonl, histories/, learning_curves.png and, with --data, "
        "picks.csv: one line per labeled point of every run, columns run,strategy,seed,iteration,position,id "
        "(run id as in results.jsonl; iteration 0 = the initial set; position = the point's 0-based data row in "
        "the file; id = its --id value, else the table's index: a CSV's row number)",
    )
    simulate.add_argument("--no-progress", action="store_true", help="no progress bar")
    simulate.set_defaults(handler=simulate_command)

    replay_parser = commands.add_parser(
        "replay",
        help="replay a saved history with verification",
        description="Rebuild every state of a history written by `alfunc simulate`, "
        "re-running each query, and say whether it selects the recorded points.",
    )
    replay_parser.add_argument("file", type=Path, help="a history JSON file (alfunc-out/histories/<id>.json)")
    replay_parser.add_argument(
        "--data", type=Path, default=None, metavar="FILE", help="the data file of a history made with --data"
    )
    _add_data_options(replay_parser.add_argument_group("the data file's options, as given to simulate"))
    replay_parser.set_defaults(handler=replay_command)

    report = commands.add_parser(
        "report",
        help="tables and a figure from a results file",
        description="Summarise a results file: AULC and final scores with paired statistics "
        "per setting, ranks across settings, and a learning-curve figure.",
    )
    report.add_argument("results", type=Path, help="a results file (alfunc-out/results.jsonl)")
    report.add_argument("--reference", default="random", help="strategy the others are compared with (default random)")
    report.add_argument(
        "--aulc", default="trapezoid", choices=AULC_CONVENTIONS, help="AULC convention of the table (default trapezoid)"
    )
    report.add_argument(
        "--figure", type=Path, default=None, help=f"figure path (default: {FIGURE_NAME} next to RESULTS)"
    )
    report.set_defaults(handler=report_command)
    _add_label_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code.

    Examples
    --------
    ``alfunc simulate`` on iris, one seed, 30 labels in the end:

    >>> import contextlib
    >>> import os
    >>> import sys
    >>> import tempfile
    >>> from alfunc.cli import main
    >>> out = tempfile.mkdtemp()
    >>> main(["simulate", "--dataset", "iris", "--seeds", "1", "--n-init", "10", "--batch-size", "10",
    ...       "--budget", "30", "--no-progress", "--out", out])
    iris | logistic | n_init 10, batch 10, budget 30 | 1 seeds | test score (the estimator's default)
    strategy  AULC           final          ΔAULC vs random  W/T/L  Wilcoxon p  deficiency
    --------  -------------  -------------  ---------------  -----  ----------  ----------
    margin    0... ± 0.000  0... ± 0.000  ...
    random    0... ± 0.000  0... ± 0.000  (reference)
    AULC: normalised trapezoid area (mean ± sd over seeds); Δ: paired mean ± SE;
    deficiency of the mean curves (full-pool target) < 1 beats the reference; blank: a curve passes the target
    <BLANKLINE>
    2 runs (0 already in .../results.jsonl) in ... s
    results: .../results.jsonl
    histories: .../histories/
    figure: .../learning_curves.png
    0

    An error is one line on stderr and exit code 2:

    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["report", os.path.join(out, "missing.jsonl")])
    alfunc: error: results: no file '.../missing.jsonl'
    2
    """
    arguments = build_parser().parse_args(argv)
    try:
        code = arguments.handler(arguments)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return code
    except KeyboardInterrupt:
        print("alfunc: interrupted; finished runs are saved (run the same command again to resume)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) stopped early: quietly send what is left to nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except ReplayDivergence as divergence:
        print(f"alfunc: replay does not match: {divergence}", file=sys.stderr)
        return 1
    except (ValueError, TypeError, OSError, ImportError, OverflowError, RecursionError) as error:
        print(f"alfunc: error: {_one_line(error)}", file=sys.stderr)  # bad input: the message says what to fix
        return 2
    except Exception as error:  # anything else (a bug, or an estimator's own failure): still one line
        if os.environ.get(DEBUG_VARIABLE):
            raise
        print(
            f"alfunc: error: {type(error).__name__}: {_one_line(error)} "
            f"(unexpected; set {DEBUG_VARIABLE}=1 to see the traceback)",
            file=sys.stderr,
        )
        return 2


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def simulate_command(arguments: argparse.Namespace) -> int:
    """Run the grid, print the tables, write results, histories and the figure.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.cli import build_parser, simulate_command
    >>> out = tempfile.mkdtemp()
    >>> arguments = build_parser().parse_args(
    ...     ["simulate", "--dataset", "iris", "--strategies", "entropy", "random", "--seeds", "1",
    ...      "--n-init", "10", "--batch-size", "10", "--budget", "30", "--no-progress", "--out", out]
    ... )
    >>> simulate_command(arguments)
    iris | logistic | n_init 10, batch 10, budget 30 | 1 seeds | test score (the estimator's default)
    strategy  AULC ...
    figure: .../learning_curves.png
    0
    >>> sorted(os.listdir(out)), len(os.listdir(os.path.join(out, "histories")))  # one history per run
    (['histories', 'learning_curves.png', 'results.jsonl'], 2)
    """
    _check_reference(arguments.reference, arguments.strategies, "--strategies")
    data = _user_data(arguments)
    grid = _simulation_grid(arguments, data)
    out = arguments.out
    histories = out / HISTORIES_NAME
    histories.mkdir(parents=True, exist_ok=True)
    results_path = out / RESULTS_NAME
    started = time.perf_counter()
    new_runs: list[dict[str, Any]] = []
    with _backend(arguments.backend, arguments.scheduler, arguments.n_jobs):
        results = run_grid(
            grid,
            results_path,
            n_jobs=arguments.n_jobs,
            histories=histories,
            progress=not arguments.no_progress,
            callback=new_runs.append,
        )
    elapsed = time.perf_counter() - started
    picks = "" if data is None else f"\npicks: {_write_picks(out / PICKS_NAME, results, histories, data)}"
    print(_report(results, arguments.reference, arguments.aulc, out / FIGURE_NAME))
    print(
        f"\n{len(results)} runs ({len(results) - len(new_runs)} already in {results_path}) in {elapsed:.1f} s\n"
        f"results: {results_path}\nhistories: {histories}/\nfigure: {out / FIGURE_NAME}{picks}"
    )
    return 0


def _check_reference(reference: str, strategies: Sequence[str], where: str) -> None:
    """Refuse a reference strategy the others cannot be compared with: their paired columns would be blank."""
    if reference not in strategies:
        raise ValueError(
            f"--reference {reference} is not among {where} ({', '.join(sorted(set(strategies)))}), so nothing "
            "could be compared with it; add it there or give one of them"
        )


def _add_data_options(group: Any) -> None:
    group.add_argument(
        "--target",
        default=None,
        metavar="COLUMN",
        help="the labels: a table's column (required), an .npy array's column index (default: the last), "
        "an .npz file's array (default y)",
    )
    group.add_argument(
        "--text",
        default=None,
        metavar="COLUMN",
        help="a table's column of documents: they are the rows (TF-IDF + the estimator; other columns not used)",
    )
    group.add_argument(
        "--id",
        dest="id_column",
        default=None,
        metavar="COLUMN",
        help="a table's column (or an .npz file's array) of unique row ids, reported in picks.csv "
        "(default: the table's index, the row number of a CSV)",
    )


def _user_data(arguments: argparse.Namespace) -> UserData | None:
    """The ``--data`` file read with its options, or None without ``--data``."""
    if arguments.data is None:
        given = [option for option, name in OWN_DATA_OPTIONS if getattr(arguments, name) is not None]
        if given:
            raise ValueError(f"{' and '.join(given)} need{'s' if len(given) == 1 else ''} --data FILE")
        return None
    return read_data(arguments.data, arguments.target, text=arguments.text, id_column=arguments.id_column)


def _simulation_grid(arguments: argparse.Namespace, data: UserData | None) -> Grid:
    """The grid of ``simulate``: bundled datasets by name, or the ``--data`` file with its models."""
    budget = DEFAULT_BUDGET if arguments.budget is None else arguments.budget
    if data is None:
        datasets: Any = arguments.dataset
        estimators: Any = arguments.estimator
    else:
        budget = _check_rows(arguments, data)
        datasets = {data.name: (data.X, data.y)}
        if len(set(arguments.estimator)) != len(arguments.estimator):
            raise ValueError(f"estimators must list distinct names, got {arguments.estimator!r}")
        estimators = dict(_file_estimator(name, data) for name in arguments.estimator)
    return experiment_grid(
        datasets,
        arguments.strategies,
        arguments.seeds,
        estimators,
        arguments.batch_size,
        n_init=arguments.n_init,
        budget=budget,
        test_size=arguments.test_size,
        scoring=arguments.scoring,
        scale=data is None or data.kind == "array",  # a table's or a text's pipeline does its own scaling
        representations=arguments.representation,
    )


def _check_rows(arguments: argparse.Namespace, data: UserData) -> int | None:
    """The budget for the ``--data`` file, after checking its pool holds n_init and a given budget."""
    n_rows, test_size = int(data.y.size), arguments.test_size
    if not 0.0 < test_size < 1.0:
        return arguments.budget  # the grid refuses the test size with its own message
    n_pool = n_rows - math.ceil(test_size * n_rows)
    for option, count in (("--n-init", arguments.n_init), ("--budget", arguments.budget)):
        if count is not None and count > n_pool:
            raise ValueError(
                f"{arguments.data}: {n_rows} rows leave a pool of {n_pool} after the test split "
                f"(--test-size {test_size}), fewer than {option} {count}; lower {option} or --test-size"
            )
    return min(DEFAULT_BUDGET, n_pool) if arguments.budget is None else arguments.budget


def _file_estimator(name: str, data: UserData) -> tuple[str, Any]:
    """``(grid name, estimator)`` of a named estimator on the ``--data`` file's kind of rows."""
    if data.kind == "array":
        return name, make_estimator(name)
    if data.kind == "table":
        return f"table+{name}", table_estimator(data.X, make_estimator(name), sparse=name not in DENSE_ONLY)
    if name in DENSE_ONLY:
        usable = ", ".join(sorted(set(ESTIMATORS) - DENSE_ONLY))
        raise ValueError(
            f"--estimator {name} takes no sparse input, as the TF-IDF features of --text are; use {usable}"
        )
    return f"tfidf+{name}", text_estimator(make_estimator(name))


def _write_picks(path: Path, results: list[dict[str, Any]], histories: Path, data: UserData) -> Path:
    """``picks.csv`` of every run in ``results``, from the histories saved next to it."""
    rows = []
    for line in results:
        run = run_from_info({"experiment": line["run"]})
        rows.extend(run_picks(run, load_history(histories / f"{line['id']}.json"), data))
    return write_picks(path, rows)


def replay_command(arguments: argparse.Namespace) -> int:
    """Replay a history written by ``simulate`` with verification; exit 0 when every query matches.

    Examples
    --------
    >>> import contextlib
    >>> import os
    >>> import tempfile
    >>> from alfunc.cli import build_parser, replay_command
    >>> from alfunc.experiments import experiment_grid, run_grid
    >>> out = tempfile.mkdtemp()
    >>> grid = experiment_grid(["iris"], ["margin"], seeds=1, budget=30)
    >>> (line,) = run_grid(grid, os.path.join(out, "results.jsonl"), histories=out)  # as simulate saves them
    >>> os.replace(os.path.join(out, f"{line['id']}.json"), os.path.join(out, "margin.json"))
    >>> with contextlib.chdir(out):  # like `alfunc replay margin.json` run in that folder
    ...     replay_command(build_parser().parse_args(["replay", "margin.json"]))
    margin.json: 3 fits of margin on iris (seed 0) replayed; every query selected the recorded points
    0
    """
    history = _history(arguments.file)
    try:
        run = run_from_info(history.info)
    except ValueError as error:
        raise ValueError(f"{arguments.file}: {error}") from None
    data = _user_data(arguments)
    if data is not None:
        X, y, estimator = data.X, data.y, _history_estimator(run, data, arguments.data)
    elif run.dataset in DATASETS and run.estimator in ESTIMATORS:
        (X, y), estimator = load_dataset(run.dataset), make_estimator(run.estimator)
    else:
        raise ValueError(
            f"{arguments.file}: the history was made on dataset {run.dataset!r} with estimator {run.estimator!r}, "
            "which are not bundled; give its file and options as to simulate (--data FILE --target COLUMN ...), "
            "or replay it from Python with alfunc.replay(history, X, y, estimator, verify=True)"
        )
    X_pool, X_test, y_pool, y_test = paired_split(run, X, y)
    final = replay(history, X_pool, y_pool, estimator, verify=True, X_test=X_test, y_test=y_test)
    scores_match = [r.scores for r in final.history] == [r.scores for r in history]
    print(
        f"{arguments.file}: {len(history)} fits of {run.strategy} on {run.dataset} (seed {run.seed}) replayed; "
        f"every query selected the recorded points{'' if scores_match else ', but some scores differ'}"
    )
    return 0 if scores_match else 1


def _history(path: Path) -> Any:
    """``load_history(path)``, every failure to read it a ``ValueError`` that names the file."""
    try:
        return load_history(path)
    except (ValueError, OverflowError, RecursionError) as error:
        message = _one_line(error)
        raise ValueError(message if str(path) in message else f"{path}: {message}") from None


def _history_estimator(run: Run, data: UserData, path: Path) -> Any:
    """The estimator a history made with ``--data`` was run with, after checking the file is the one it used."""
    name = run.estimator.partition("+")[2] if data.kind != "array" else run.estimator
    if name not in ESTIMATORS:
        raise ValueError(f"{path}: the history's estimator {run.estimator!r} was not made for this kind of data")
    grid_name, estimator = _file_estimator(name, data)
    same = experiment_grid(
        {run.dataset: (data.X, data.y)},
        [run.strategy],
        [run.seed],
        {grid_name: estimator},
        run.batch_size,
        n_init=run.n_init,
        budget=run.budget,
        test_size=run.test_size,
        scoring=run.scoring,
        scale=run.scale,
        representations=[run.representation],
    ).runs[0]
    if same != run:
        differ = [field for field in ("estimator", "data", "model") if getattr(same, field) != getattr(run, field)]
        raise ValueError(
            f"{path}: with these options the data file is not what the history was made on "
            f"(its {' and '.join(differ)} differ); give the file and options given to simulate"
        )
    return estimator


def report_command(arguments: argparse.Namespace) -> int:
    """Print the tables of a results file and write its figure.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.cli import build_parser, report_command
    >>> from alfunc.experiments import experiment_grid, run_grid
    >>> out = tempfile.mkdtemp()
    >>> path = os.path.join(out, "results.jsonl")
    >>> results = run_grid(experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=30), path)
    >>> report_command(build_parser().parse_args(["report", path, "--aulc", "zhan"]))
    iris | logistic | n_init 10, batch 10, budget 30 | 1 seeds | test score (the estimator's default)
    strategy  AULC ...
    AULC: Zhan et al. 2021 AUBC (mean ± sd over seeds); Δ: paired mean ± SE;
    deficiency of the mean curves (full-pool target) < 1 beats the reference; blank: a curve passes the target
    <BLANKLINE>
    2 runs from .../results.jsonl
    figure: .../learning_curves.png
    0
    >>> report_command(build_parser().parse_args(["report", os.path.join(out, "missing.jsonl")]))
    Traceback (most recent call last):
    ...
    ValueError: results: no file '.../missing.jsonl'
    """
    if not arguments.results.is_file():
        raise ValueError(f"results: no file {str(arguments.results)!r}")
    results = read_results(arguments.results)
    if not results:
        raise ValueError(f"results: {str(arguments.results)!r} holds no result lines")
    _check_reference(arguments.reference, [line["run"]["strategy"] for line in results], "the results' strategies")
    figure = arguments.figure or arguments.results.with_name(FIGURE_NAME)
    print(_report(results, arguments.reference, arguments.aulc, figure))
    print(f"\n{len(results)} runs from {arguments.results}\nfigure: {figure}")
    return 0


def _report(results: list[dict], reference: str, convention: str, figure: Path) -> str:
    summaries = summarize(results, reference=reference, convention=convention)
    plot_experiment(results, figure)
    return format_summaries(summaries, rank_settings(summaries))


@contextlib.contextmanager
def _backend(backend: str | None, scheduler: str | None, n_jobs: int) -> Iterator[None]:
    """The joblib backend to run the grid on; for Dask, a client on the given or a local cluster."""
    from joblib import parallel_config

    if scheduler is not None and backend != "dask":
        raise ValueError("--scheduler needs --backend dask")
    if backend != "dask":
        with parallel_config(backend=backend) if backend else contextlib.nullcontext():
            yield
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("--backend dask needs the distributed extra: pip install 'alfunc[distributed]'") from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            workers = n_jobs if n_jobs > 0 else None
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True))
            stack.enter_context(Client(cluster))
        else:
            stack.enter_context(Client(scheduler))
        stack.enter_context(parallel_config(backend="dask"))
        yield


# --- alfunc label -------------------------------------------------------------------------------------------------

LABEL_HELP = (
    "Label DATA yourself: a page on http://127.0.0.1:PORT/ shows one record at a time (a text with --text, else "
    "a table's row or an array's row; a value naming an image file, relative to DATA's folder, as the picture), with buttons and keys for the "
    "classes (1..9 or a class's first letter), s skip, u unsure, a progress line and a learning curve. Every "
    "answer is saved in the session folder when the next record shows; run the same command again (the next day, "
    "after a crash) to continue. The model is TF-IDF + logistic regression for --text, one-hot/scaled columns + "
    "logistic regression for a table, scaled columns + logistic regression for an array. --tui asks in the "
    "terminal instead. The page needs the label extra: pip install 'alfunc[label]'."
)
COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz", ".zst")


def _add_label_parser(commands: Any) -> None:
    """Add ``alfunc label`` to the subcommands."""
    label = commands.add_parser(
        "label",
        help="label your own data in a local web page (or the terminal); every answer is kept",
        description=LABEL_HELP,
    )
    label.add_argument("data", type=Path, metavar="DATA", help="a .csv/.tsv (also compressed), .parquet, .npy or .npz")
    label.add_argument("--text", default=None, metavar="COLUMN", help="the column of documents to label")
    label.add_argument("--id", dest="id_column", default=None, metavar="COLUMN", help="a column of unique row ids")
    classes = label.add_mutually_exclusive_group(required=True)
    classes.add_argument("--classes", default=None, metavar="A,B,...", help="the labels to choose from")
    classes.add_argument(
        "--classes-from",
        default=None,
        metavar="COLUMN",
        help="take the labels to choose from as the distinct values of this column (for a simulation); the page "
        "never shows the column",
    )
    label.add_argument(
        "--session", type=Path, default=None, metavar="FOLDER", help="the session folder (default: DATA-session)"
    )
    label.add_argument("--port", type=int, default=8765, help="the page's port on 127.0.0.1 (default 8765)")
    label.add_argument("--tui", action="store_true", help="ask in the terminal instead of a web page")
    label.add_argument("--batch", type=int, default=5, help="records asked for at a time (default 5)")
    label.add_argument(
        "--fit-every", type=int, default=10, help="refit after this many answers (default 10; set at creation)"
    )
    label.add_argument(
        "--strategy",
        default=None,
        choices=sorted(STRATEGIES),
        metavar="NAME",
        help="how to choose what to ask (default margin; set at creation)",
    )
    files = label.add_mutually_exclusive_group()
    files.add_argument(
        "--export",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the pending batch for another tool instead (.json Label Studio tasks, .jsonl, .csv) and exit",
    )
    files.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        default=None,
        metavar="FILE",
        help="apply a tool's answers instead (a Label Studio JSON export, .jsonl or .csv with id,label) and exit",
    )
    label.set_defaults(handler=label_command)


def label_command(arguments: argparse.Namespace) -> int:
    """Open (or create) the session of ``DATA`` and serve its labelling page, ask in the terminal, or move files.

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.cli import build_parser, label_command
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "pets.csv")
    >>> _ = open(path, "w").write("text\\na purring cat\\na barking dog\\na sleepy cat\\n")
    >>> batch = os.path.join(folder, "batch.csv")
    >>> arguments = build_parser().parse_args(
    ...     ["label", path, "--text", "text", "--classes", "cat,dog", "--export", batch, "--batch", "2"]
    ... )
    >>> label_command(arguments)  # the pending batch as a CSV file, for another tool
    session: .../pets-session (new; 0 labels)
    2 pending records written to .../batch.csv
    0
    >>> print(open(batch).read(), end="")
    id,label,text
    1,,a barking dog
    0,,a purring cat
    >>> sorted(os.listdir(os.path.join(folder, "pets-session")))
    ['journal.jsonl', 'lock']
    """
    from alfunc.session import Session, SessionLocked
    from alfunc.session.formats import export_pending, import_answers
    from alfunc.session.page import _web_module, serve
    from alfunc.session.tui import label_in_terminal

    serving = not (arguments.tui or arguments.export or arguments.import_file)
    if serving:  # before reading the data: a missing extra is the first thing to say
        _web_module("starlette.applications")
        _web_module("uvicorn")
    for option, value in (("--batch", arguments.batch), ("--fit-every", arguments.fit_every)):
        if value < 1:
            raise ValueError(f"{option} must be at least 1, got {value}")
    pool, classes, ids, kind = _label_data(arguments)
    estimator = _label_estimator(pool, kind)
    folder = arguments.session or arguments.data.parent / f"{_stem(arguments.data)}-session"
    try:
        if (folder / "journal.jsonl").exists():
            session = Session.open(folder, pool, estimator, strategy=arguments.strategy, ids=ids)
            state = "reopened"
        else:
            session = Session.create(
                folder,
                pool,
                estimator,
                arguments.strategy or "margin",
                classes=classes,
                ids=ids,
                fit_every=arguments.fit_every,
            )
            state = "new"
    except SessionLocked as error:
        raise ValueError(str(error)) from None
    with session:
        if session.classes != classes:
            raise ValueError(
                f"{'--classes-from' if arguments.classes_from else '--classes'} gives {classes}, but the session in "
                f"{folder} was created with {session.classes}; give those"
            )
        print(f"session: {folder} ({state}; {session.n_labeled} labels)", flush=True)
        if arguments.export:
            if not session.pending:
                session.ask(arguments.batch)
            print(f"{len(session.pending)} pending records written to {export_pending(session, arguments.export)}")
        elif arguments.import_file:
            print(f"{arguments.import_file}: {import_answers(session, arguments.import_file)}")
        elif arguments.tui:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the labelling; every answer is saved
                label_in_terminal(session, batch=arguments.batch)
            print(f"{session.n_labeled} labels saved in {folder}")
        else:
            print(f"labelling page: http://127.0.0.1:{arguments.port}/ (Ctrl-C to stop)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops on Ctrl-C, then raises it again
                serve(
                    session,
                    port=arguments.port,
                    batch=arguments.batch,
                    title=arguments.data.name,
                    base=arguments.data.parent,
                )
            print(f"stopped; {session.n_labeled} labels saved in {folder}")
    return 0


def _stem(path: Path) -> str:
    name = path.name
    for compression in COMPRESSIONS:
        name = name.removesuffix(compression)
    return Path(name).stem


def _label_data(arguments: argparse.Namespace) -> tuple[Any, list[Any], Any, str]:
    """``(pool, classes, ids, kind)`` of ``alfunc label``'s DATA: the rows to show, never the --classes-from column."""
    import numpy as np

    from alfunc.experiments import files

    path = arguments.data
    if arguments.classes_from is not None:
        data = read_data(path, arguments.classes_from, text=arguments.text, id_column=arguments.id_column)
        ids = data.ids if data.kind == "array" and arguments.id_column is not None else None
        return data.X, np.unique(data.y).tolist(), ids, data.kind
    classes = list(dict.fromkeys(name.strip() for name in arguments.classes.split(",") if name.strip()))
    if len(classes) < 2:
        raise ValueError(
            f"--classes must name at least two distinct labels separated by commas, got {arguments.classes!r}"
        )
    if not path.is_file():
        raise ValueError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    suffix = files._format(path)
    if suffix == ".npy":
        for option, value in (("--text", arguments.text), ("--id", arguments.id_column)):
            if value is not None:
                raise ValueError(f"{path}: {option} needs a table (CSV, TSV or Parquet), not an .npy file")
        table = files._load(path, lambda: np.load(path, allow_pickle=False), files.NPY_MAGIC)
        if table.ndim != 2 or table.dtype.kind not in "biuf":
            raise ValueError(
                f"{path}: an .npy file must hold a 2-D numeric array, got shape {table.shape} of {table.dtype}"
            )
        return table, classes, None, "array"
    if suffix == ".npz":
        raise ValueError(f"{path}: label an .npz file with --classes-from NAME (its label array), or save X as .npy")
    frame = files._read_table(path, suffix)
    if arguments.id_column is not None:
        column = files._column(path, frame, arguments.id_column, "--id")
        files._ids(path, frame[column], f"id column {column!r}")
        frame = frame.set_index(column)
    if arguments.text is not None:
        column = files._column(path, frame, arguments.text, "--text")
        return frame[column].fillna("").astype(str), classes, None, "text"
    return frame, classes, None, "table"


def _label_estimator(pool: Any, kind: str) -> Any:
    """The model ``alfunc label`` fits: TF-IDF for texts, the table pipeline for tables, scaling for arrays."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "text":
        return text_estimator()
    if kind == "table":
        return table_estimator(pool)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
