"""Your own data from a file: read it into rows, labels and row ids; write a run's picks back by those ids.

``read_data(path, target, text=..., id_column=...)`` reads

* a table, ``.csv`` or ``.tsv`` (optionally compressed: ``.gz``, ``.bz2``,
  ``.zip``, ``.xz``, ``.zst``; needs pandas, ``pip install 'alfunc[tables]'``) or
  ``.parquet`` (needs pandas and pyarrow, ``pip install 'alfunc[parquet]'``):
  ``target`` names the label column. ``X`` is a DataFrame of the other columns
  (``kind="table"``), or with ``text`` the Series of that one column of
  documents (``kind="text"``; missing texts are empty documents, the other
  columns are not used). ``id_column`` names the column whose values identify
  the rows (unique, no gaps); it becomes the index and leaves ``X``. Without
  it, a row's id is the table's index: its 0-based position among the data
  rows of a CSV (the header is not a row), the stored index of a Parquet file.
* ``.npy``: one 2-D numeric array whose last column holds the labels, or the
  column at index ``target`` (an int, negative from the end); ids are row
  positions (``kind="array"``).
* ``.npz``: the arrays ``X`` (2-D, numeric) and ``y``, or the label array named
  ``target``; ``id_column`` may name a 1-D array of row ids.

Rows whose label is missing are refused (their count is in the message), and
so is a label column with one class or continuous values: a simulation needs
every label. pandas is imported when a table is read, never before.

``table_estimator`` and ``text_estimator`` are the defaults for tables and
documents: one-hot encoded categorical columns and imputed, scaled numeric
ones (by column name) before a classifier, or TF-IDF before it.

``run_picks`` traces a grid run's picks back to the file: one row per
labeled point, ``PICKS_COLUMNS`` = run id, strategy, seed, iteration (0 = the
initial set), position (0-based row of the file's data) and id (the row's id
as above). ``write_picks`` writes such rows as a CSV file (atomically).
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import type_of_target

from alfunc.core.rows import row_ids
from alfunc.core.state import History
from alfunc.experiments.grid import Run, split_positions

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst")
FORMATS = ".csv, .tsv (also compressed), .parquet, .npy or .npz"
PICKS_COLUMNS = ("run", "strategy", "seed", "iteration", "position", "id")
SHOWN_NAMES = 12
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK"  # an .npz file is a zip archive of .npy files


@attrs.frozen(eq=False)
class UserData:
    """A data file read for an experiment: rows ``X``, labels ``y`` and one id per row.

    ``kind`` is ``"table"`` (a DataFrame of feature columns), ``"text"`` (a
    Series of documents) or ``"array"`` (a numeric 2-D array); ``name`` is the
    file's name, which experiments use as the dataset's name.

    Parameters
    ----------
    name : str
        The file's name.
    X : DataFrame, Series or ndarray
        The rows.
    y : ndarray
        The labels.
    ids : ndarray
        One id per row.
    kind : {"table", "text", "array"}
        What the rows are.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> import numpy as np
    >>> from alfunc.experiments.files import read_data
    >>> path = os.path.join(tempfile.mkdtemp(), "points.npy")
    >>> np.save(path, np.array([[0.5, 1.0, 0], [1.5, 0.0, 1], [2.5, 1.0, 1]]))
    >>> data = read_data(path)  # the last column holds the labels
    >>> data.name, data.kind, data.X.shape, data.y.tolist(), data.ids.tolist()
    ('points.npy', 'array', (3, 2), [0, 1, 1], [0, 1, 2])
    """

    name: str
    X: Any
    y: np.ndarray
    ids: np.ndarray
    kind: str


def read_data(
    path: str | os.PathLike,
    target: str | int | None = None,
    *,
    text: str | None = None,
    id_column: str | None = None,
) -> UserData:
    """Read a CSV/TSV, Parquet, ``.npy`` or ``.npz`` file into rows, labels and row ids.

    See the module's docstring for what each format holds and what ``target``,
    ``text`` and ``id_column`` name. Every problem is a one-line ``ValueError``
    (``ImportError`` for a missing optional dependency) that starts with the
    file's path.

    Parameters
    ----------
    path : str or path-like
        A CSV/TSV, Parquet, ``.npy`` or ``.npz`` file.
    target : str or int, default=None
        The label column (name, or index for arrays).
    text : str, default=None
        A column of documents, to use as the rows.
    id_column : str, default=None
        A column of row ids.

    Returns
    -------
    UserData

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments.files import read_data
    >>> path = os.path.join(tempfile.mkdtemp(), "flowers.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("name,petal,colour,species\\nann,1.4,white,a\\nbob,4.7,blue,b\\ncy,1.3,white,a\\n")
    >>> data = read_data(path, "species", id_column="name")
    >>> data.kind, list(data.X.columns), data.y.tolist(), data.ids.tolist()
    ('table', ['petal', 'colour'], ['a', 'b', 'a'], ['ann', 'bob', 'cy'])
    >>> read_data(path, "kind")
    Traceback (most recent call last):
    ...
    ValueError: ...flowers.csv: no column 'kind' (--target); columns: name, petal, colour, species
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    suffix = _format(path)
    if suffix in (".npy", ".npz"):
        if text is not None:
            raise ValueError(f"{path}: --text needs a table (CSV, TSV or Parquet), not a {suffix} file")
        return _read_npy(path, target, id_column) if suffix == ".npy" else _read_npz(path, target, id_column)
    frame = _read_table(path, suffix)
    return _from_table(path, frame, target, text, id_column)


def table_estimator(X: Any, estimator: Any = None, *, sparse: bool = True) -> Pipeline:
    """The default model of a table: categorical columns one-hot encoded, numeric ones imputed and scaled.

    Columns are selected by name from the DataFrame ``X``: numeric ones (bools
    excepted) get their missing values replaced by the median and are
    standardized, all others are one-hot encoded (``handle_unknown="ignore"``,
    a missing value is a category of its own); then ``estimator`` (default
    ``LogisticRegression(max_iter=1000)``). ``sparse=False`` asks for dense
    features, for estimators that take no sparse input (``GaussianNB``).

    Parameters
    ----------
    X : DataFrame
        The table (its columns' dtypes choose the preprocessing).
    estimator : estimator, default=None
        The final estimator (``None``: ``LogisticRegression(max_iter=1000)``).
    sparse : bool, default=True
        Let the one-hot encoding give sparse features.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Examples
    --------
    >>> import pandas as pd
    >>> from alfunc.experiments.files import table_estimator
    >>> X = pd.DataFrame({"petal": [1.4, 4.7, None, 5.1], "colour": ["white", "blue", "white", None]})
    >>> model = table_estimator(X).fit(X, ["a", "b", "a", "b"])
    >>> [(name, columns) for name, _, columns in model[0].transformers]
    [('numeric', ['petal']), ('categorical', ['colour'])]
    >>> model.predict(X).tolist()
    ['a', 'b', 'a', 'b']
    """
    if not (hasattr(X, "columns") and getattr(X, "ndim", 0) == 2):
        raise TypeError(f"table_estimator needs a DataFrame, got {type(X).__name__}")
    numeric = [column for column in X.columns if X[column].dtype.kind in "iuf"]
    categorical = [column for column in X.columns if column not in set(numeric)]
    transformers = []
    if numeric:
        transformers.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    if categorical:
        transformers.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    columns = ColumnTransformer(transformers, sparse_threshold=0.3 if sparse else 0.0)
    return make_pipeline(columns, LogisticRegression(max_iter=1000) if estimator is None else estimator)


def text_estimator(estimator: Any = None) -> Pipeline:
    """The default model of documents: TF-IDF features, then ``estimator`` (default logistic regression).

    Parameters
    ----------
    estimator : estimator, default=None
        The final estimator (``None``: a logistic regression).

    Returns
    -------
    sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from alfunc.experiments.files import text_estimator
    >>> docs = ["a cat purrs", "a dog barks", "the cat sleeps", "the dog runs"]
    >>> text_estimator().fit(docs, ["cat", "dog", "cat", "dog"]).predict(["my cat", "my dog"]).tolist()
    ['cat', 'dog']
    """
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000) if estimator is None else estimator)


def run_picks(run: Run, history: History, data: UserData) -> list[tuple[Any, ...]]:
    """The points a grid run labeled, as rows of ``PICKS_COLUMNS``, traced back to the rows of ``data``.

    A history holds positions in the run's pool; the pool is the seed's split
    of the data (``split_positions``), so ``position`` is the row of the file
    and ``id`` that row's id (``alfunc.core.rows.row_ids``).

    Parameters
    ----------
    run : Run
        The grid run.
    history : History
        Its history.
    data : UserData
        The data file it ran on.

    Returns
    -------
    list of tuple
        One row of ``PICKS_COLUMNS`` per labeled point.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from alfunc.experiments import experiment_grid, run_one
    >>> from alfunc.experiments.files import read_data, run_picks
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.npz")
    >>> np.savez(path, X=X, y=y, names=np.array([f"flower-{i}" for i in range(150)]))
    >>> data = read_data(path, id_column="names")
    >>> grid = experiment_grid({data.name: (data.X, data.y)}, ["margin"], seeds=1, n_init=10, budget=20)
    >>> run = grid.runs[0]
    >>> _, history = run_one(run, grid.data[data.name], grid.estimators["logistic"], "margin")
    >>> picks = run_picks(run, history, data)
    >>> len(picks), [row[3] for row in picks].count(0)  # 20 labeled, 10 of them the initial set
    (20, 10)
    >>> _, strategy, seed, iteration, position, key = picks[-1]
    >>> strategy, seed, iteration, key == f"flower-{position}"
    ('margin', 0, 1, True)
    """
    pool, _ = split_positions(run, data.y)
    rows: list[tuple[Any, ...]] = []
    for record in history:
        positions = pool[np.asarray(record.queried, dtype=np.int64)]
        keys = row_ids(data.X, positions, data.ids)
        rows.extend(
            (run.id, run.strategy, run.seed, int(record.iteration), int(position), _plain(key))
            for position, key in zip(positions, keys, strict=True)
        )
    return rows


def write_picks(path: str | os.PathLike, rows: Iterable[Sequence[Any]]) -> Path:
    """Write picks (rows of ``PICKS_COLUMNS``) as a CSV file with a header, atomically.

    Parameters
    ----------
    path : str or path-like
        The CSV file to write.
    rows : iterable of sequence
        Rows of ``PICKS_COLUMNS``.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments.files import write_picks
    >>> path = write_picks(os.path.join(tempfile.mkdtemp(), "picks.csv"), [("3f2a", "margin", 0, 1, 17, "ann")])
    >>> print(path.read_text(), end="")
    run,strategy,seed,iteration,position,id
    3f2a,margin,0,1,17,ann
    """
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PICKS_COLUMNS)
    writer.writerows(rows)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(buffer.getvalue())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _format(path: Path) -> str:
    name = path.name.lower()
    for compression in ("", *COMPRESSION_SUFFIXES):
        for suffix in (*TABLE_SUFFIXES, ".parquet", ".npy", ".npz"):
            if name.endswith(suffix + compression) and (not compression or suffix in TABLE_SUFFIXES):
                return suffix
    found = "".join(path.suffixes[-2:]) or "no extension"
    raise ValueError(f"{path}: unknown format ({found}); expected {FORMATS}")


def _pandas(path: Path, extra: str) -> ModuleType:
    """pandas, imported only when a table is read (an optional dependency)."""
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise ImportError(f"{path}: reading a table needs pandas: pip install 'alfunc[{extra}]'") from None


def _read_table(path: Path, suffix: str) -> Any:
    if suffix == ".parquet":
        pandas = _pandas(path, "parquet")
        try:
            importlib.import_module("pyarrow")
        except ImportError:
            raise ImportError(f"{path}: reading Parquet needs pyarrow: pip install 'alfunc[parquet]'") from None
        reader, what = (lambda: pandas.read_parquet(path, engine="pyarrow")), "Parquet"
    else:
        pandas = _pandas(path, "tables")
        reader, what = (lambda: pandas.read_csv(path, sep=TABLE_SUFFIXES[suffix])), suffix[1:].upper()
    try:
        frame = reader()
    except (ValueError, OSError, UnicodeError) as error:  # pandas' parser and pyarrow's errors are ValueErrors
        raise ValueError(f"{path}: cannot be read as {what}: {_one_line(error)}") from None
    if len(frame) == 0:
        raise ValueError(f"{path}: holds no data rows")
    return frame


def _from_table(path: Path, frame: Any, target: Any, text: str | None, id_column: str | None) -> UserData:
    if target is None:
        raise ValueError(f"{path}: --target must name the label column of a table; columns: {_names(frame.columns)}")
    names = {"--target": _column(path, frame, target, "--target")}
    for option, value in (("--text", text), ("--id", id_column)):
        if value is not None:
            name = _column(path, frame, value, option)
            twice = [other for other, taken in names.items() if taken == name]
            if twice:
                raise ValueError(f"{path}: column {name!r} cannot be both {twice[0]} and {option}")
            names[option] = name
    y = _labels(path, frame[names["--target"]], f"target column {names['--target']!r}")
    if "--id" in names:
        _ids(path, frame[names["--id"]], f"id column {names['--id']!r}")
        frame = frame.set_index(names["--id"])
    if "--text" in names:
        X = frame[names["--text"]].fillna("").astype(str)
        return UserData(path.name, X, y, np.asarray(X.index), "text")
    X = frame.drop(columns=[names["--target"]])
    if X.shape[1] == 0:
        raise ValueError(f"{path}: no feature columns besides {', '.join(map(repr, names.values()))}")
    return UserData(path.name, X, y, np.asarray(X.index), "table")


def _column(path: Path, frame: Any, name: Any, option: str) -> Any:
    matches = [column for column in frame.columns if str(column) == str(name)]
    if not matches:
        raise ValueError(f"{path}: no column {name!r} ({option}); columns: {_names(frame.columns)}")
    if len(matches) > 1:
        raise ValueError(f"{path}: {len(matches)} columns are named {name!r} ({option})")
    return matches[0]


def _names(columns: Any) -> str:
    names = [str(column) for column in columns]
    more = f", ... ({len(names) - SHOWN_NAMES} more)" if len(names) > SHOWN_NAMES else ""
    return ", ".join(names[:SHOWN_NAMES]) + more


def _labels(path: Path, values: Any, what: str) -> np.ndarray:
    """Class labels with no gaps, at least two classes, not continuous."""
    missing = values.isna() if hasattr(values, "isna") else _missing(values)
    if missing.any():
        raise ValueError(
            f"{path}: {int(missing.sum())} of {len(missing)} rows have no label in the {what}; "
            "label or drop them (a simulation needs every label)"
        )
    y = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
    if y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)  # labels stored as floats (a numeric array, a column with gaps elsewhere)
    if y.dtype.kind == "O":
        y = np.array(y.tolist())  # str labels from pandas' string dtype, as a numpy str array
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(f"{path}: the {what} has one class ({_plain(classes[0])!r}); classification needs two or more")
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"{path}: the {what} holds {kind} values ({classes.size} distinct); alfunc simulate needs class labels"
        )
    return y


def _missing(values: np.ndarray) -> np.ndarray:
    return np.isnan(values) if values.dtype.kind == "f" else np.zeros(values.shape, dtype=bool)


def _ids(path: Path, values: Any, what: str) -> Any:
    missing = values.isna() if hasattr(values, "isna") else _missing(values)
    if missing.any():
        raise ValueError(f"{path}: {int(missing.sum())} rows have no value in the {what}; every row needs an id")
    keys = values.to_numpy() if hasattr(values, "to_numpy") else values
    unique, counts = np.unique(np.asarray(keys).astype(str), return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            f"{path}: the {what} has {int((counts > 1).sum())} repeated values (e.g. {str(unique[counts > 1][0])!r}); "
            "ids must identify rows"
        )
    return values


def _read_npy(path: Path, target: Any, id_column: str | None) -> UserData:
    if id_column is not None:
        raise ValueError(f"{path}: --id needs a table or an .npz file (rows of an .npy file are known by position)")
    table = _load(path, lambda: np.load(path, allow_pickle=False), NPY_MAGIC)
    if table.ndim != 2 or table.dtype.kind not in "biuf" or table.shape[1] < 2:
        raise ValueError(
            f"{path}: an .npy file must hold a 2-D numeric array with the labels in a column, "
            f"got shape {table.shape} of dtype {table.dtype}"
        )
    column = -1 if target is None else _column_index(path, target, table.shape[1])
    position = column % table.shape[1]
    X = np.delete(table, position, axis=1)
    y = _labels(path, table[:, position], f"label column {column}")
    return UserData(path.name, X, y, np.arange(table.shape[0]), "array")


def _column_index(path: Path, target: Any, width: int) -> int:
    try:
        column = int(target)
    except (TypeError, ValueError):
        raise ValueError(f"{path}: --target of an .npy file is a column index, got {target!r}") from None
    if not -width <= column < width:
        raise ValueError(f"{path}: no column {column} (--target); the array has {width} columns")
    return column


def _read_npz(path: Path, target: Any, id_column: str | None) -> UserData:
    def read() -> dict[str, np.ndarray]:
        with np.load(path, allow_pickle=False) as arrays:
            return {name: arrays[name] for name in arrays.files}

    arrays = _load(path, read, ZIP_MAGIC)
    label_name = "y" if target is None else str(target)
    for name, option in (("X", "X"), (label_name, "--target"), (id_column, "--id")):
        if name is not None and name not in arrays:
            raise ValueError(f"{path}: no array {name!r} ({option}); arrays: {_names(arrays)}")
    X = arrays["X"]
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise ValueError(
            f"{path}: array 'X' must be 2-D and numeric, got shape {X.shape} of dtype {X.dtype} "
            "(documents belong in a CSV or Parquet table, with --text)"
        )
    for name in (label_name, id_column):
        if name is not None and arrays[name].shape != (X.shape[0],):
            raise ValueError(
                f"{path}: array {name!r} must hold one value per row of X ({X.shape[0]}), got shape {arrays[name].shape}"
            )
    y = _labels(path, arrays[label_name], f"label array {label_name!r}")
    ids = np.arange(X.shape[0]) if id_column is None else _ids(path, arrays[id_column], f"id array {id_column!r}")
    return UserData(path.name, X, y, ids, "array")


def _load(path: Path, read: Any, magic: bytes) -> Any:
    with open(path, "rb") as file:
        if file.read(len(magic)) != magic:  # numpy would take any other file for a pickle, and refuse it as such
            raise ValueError(f"{path}: not an {path.suffix.lower()} file (numpy's format starts otherwise)")
    try:
        return read()
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path}: cannot be read: {_one_line(error)}") from None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
