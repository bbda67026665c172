"""The geometry a strategy measures distances in: the input, the model's own features, embeddings or a function.

Uncertainty needs only the model's predictions, but diversity, density and
coverage strategies need rows as points in a vector space. A run's
``representation`` says which space:

* ``"input"``: the rows themselves (numeric pools only; images are flattened);
* ``"model"``: the fitted model's own features: for a ``Pipeline`` every step but
  the last applied with ``transform``; for ``MLPClassifier``/``MLPRegressor``
  (alone or last in a pipeline) the last hidden layer; for any other estimator
  its numeric input;
* an array aligned with the pool (precomputed embeddings; a memmap or a sparse
  matrix is welcome);
* a callable ``rows -> features``.

The default (``None``) is ``"input"`` for numeric pools and ``"model"``
otherwise. ``features_for`` turns a representation into ``Features``, the
object strategies read rows from, a bounded chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp

from alfunc.core.facts import data_fingerprint, qualified_name
from alfunc.core.frozen import FrozenMap
from alfunc.core.rows import is_numeric, n_rows, numeric_rows, pool_kind, row_block, row_blocks, take_rows
from alfunc.core.validation import check_pool

NAMED = ("input", "model")
MATERIALIZE_ELEMENTS = 1 << 22


@attrs.frozen
class Features:
    """Feature rows of pool points, ``rows(indices) -> (len(indices), width)`` float64.

    ``stored`` is True when rows are read from an array (cheap to read again)
    and False when each read computes them (a model transform or a function);
    ``materialized`` turns the second kind into the first, once per selection.
    ``table`` is that array when stored (else None): ``block`` reads a run of
    consecutive rows from it without a gather (a view of a float64 array).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import features_for
    >>> X = np.arange(12.0).reshape(4, 3)
    >>> features = features_for("input", X, model=None)
    >>> features.width, features.stored, features.rows(np.array([3, 0])).tolist()
    (3, True, [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]])
    >>> doubled = features_for(lambda rows: 2 * rows[:, :1], X, model=None)
    >>> doubled.width, doubled.stored, doubled.materialized(4).stored
    (1, False, True)
    >>> features.block(1, 3).tolist(), np.shares_memory(features.block(1, 3), X)
    ([[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], True)
    """

    compute: Callable[[np.ndarray], Any] = attrs.field(repr=False)
    width: int
    stored: bool
    table: Any = attrs.field(default=None, repr=False, eq=False)

    def raw(self, indices: np.ndarray) -> Any:
        """The feature rows of ``indices`` as computed: a 2-D float array or a CSR matrix."""
        return self.compute(np.asarray(indices, dtype=np.int64))

    def rows(self, indices: np.ndarray) -> np.ndarray:
        """The feature rows of ``indices`` as a dense float64 array (read in chunks for wide features)."""
        values = self.raw(indices)
        return np.asarray(values.toarray() if sp.issparse(values) else values, dtype=np.float64)

    def block(self, start: int, stop: int) -> Any:
        """The feature rows ``start:stop`` as computed (a view of a stored float64 array, else a copy of just them)."""
        if self.table is None:
            return self.raw(np.arange(start, stop, dtype=np.int64))
        return numeric_rows(row_block(self.table, start, stop), "representation")

    def materialized(self, n_pool: int) -> Features:
        """The same features stored for every pool row (computed in chunks), so reads are cheap."""
        if self.stored:
            return self
        step = max(1, MATERIALIZE_ELEMENTS // max(1, self.width))
        parts = [self.raw(np.arange(start, stop)) for start, stop in row_blocks(n_pool, step)]
        table = sp.vstack(parts, format="csr") if sp.issparse(parts[0]) else np.concatenate(parts)
        return stored_features(table)


def stored_features(table: Any) -> Features:
    """``Features`` read from an array aligned with the pool (dense, memmap, sparse or numeric frame).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> features = stored_features(np.eye(3, dtype=np.float32))
    >>> features.width, features.rows(np.array([1])).dtype.name
    (3, 'float64')
    """

    def compute(indices: np.ndarray) -> Any:
        return numeric_rows(take_rows(table, indices), "representation")

    return Features(compute, int(compute(np.zeros(1, dtype=np.int64)).shape[1]), stored=True, table=table)


def check_representation(representation: Any, X: Any) -> Any:
    """Check a representation against the pool before any work, and return it (arrays never copied).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import check_representation
    >>> X = np.zeros((4, 2))
    >>> check_representation(None, X) is None, check_representation("model", X)
    (True, 'model')
    >>> check_representation("input", ["a doc", "another"])
    Traceback (most recent call last):
    ...
    ValueError: representation='input' needs numeric rows, but X holds list rows of str; use 'model' (the fitted pipeline's features), precomputed embeddings or a callable
    >>> check_representation(np.zeros((3, 5)), X)
    Traceback (most recent call last):
    ...
    ValueError: representation has 3 rows but X has 4; embeddings must hold one row per pool row
    """
    if representation is None or callable(representation) and not hasattr(representation, "shape"):
        return representation
    if isinstance(representation, str):
        if representation not in NAMED:
            raise ValueError(
                f"representation must be 'input', 'model', an array of embeddings or a callable, got {representation!r}"
            )
        if representation == "input" and not is_numeric(X):
            raise ValueError(
                f"representation='input' needs numeric rows, but X holds {_describe_rows(X)}; use 'model' "
                "(the fitted pipeline's features), precomputed embeddings or a callable"
            )
        return representation
    if not hasattr(representation, "shape") and not isinstance(representation, list):
        raise TypeError(
            "representation must be 'input', 'model', an array of embeddings or a callable, "
            f"got {type(representation).__name__}"
        )
    table = check_pool(representation, "representation")
    if not is_numeric(table):
        raise TypeError(f"representation must hold numeric embeddings, got {_describe_rows(table)}")
    if n_rows(table) != n_rows(X):
        raise ValueError(
            f"representation has {n_rows(table)} rows but X has {n_rows(X)}; embeddings must hold one row per pool row"
        )
    return table


def default_representation(X: Any) -> str:
    """``"input"`` for a numeric pool, ``"model"`` for documents, paths, mixed tables and other rows.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import default_representation
    >>> default_representation(np.zeros((2, 3))), default_representation(["a doc", "another"])
    ('input', 'model')
    """
    return "input" if is_numeric(X) else "model"


def features_for(representation: Any, X: Any, model: Any) -> Features:
    """The ``Features`` of a (checked) representation over the pool ``X`` with the fitted ``model``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.representation import features_for
    >>> X = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, [0, 1, 1])
    >>> features_for("model", X, model).rows(np.array([0, 1])).round(2).tolist()  # scaled by the pipeline
    [[-1.22, -1.22], [0.0, 1.22]]
    >>> features_for(None, X, model).rows(np.array([0])).tolist()  # numeric pool: the input
    [[0.0, 10.0]]
    """
    if isinstance(representation, Features):
        return representation
    if representation is None:
        representation = default_representation(X)
    if isinstance(representation, str):
        if representation == "input":
            return stored_features(X)
        return _computed(lambda rows: model_features(model, rows), X)
    if callable(representation) and not hasattr(representation, "shape"):
        return _computed(lambda rows: _called(representation, rows), X)
    return stored_features(representation)


def _computed(function: Callable[[Any], Any], X: Any) -> Features:
    def compute(indices: np.ndarray) -> Any:
        values = function(take_rows(X, indices))
        if values.shape[0] != indices.size:
            raise ValueError(f"representation gave {values.shape[0]} feature rows for {indices.size} pool rows")
        return values

    width = int(compute(np.zeros(1, dtype=np.int64)).shape[1])
    return Features(compute, width, stored=False)


def _called(function: Callable[[Any], Any], rows: Any) -> Any:
    values = function(rows)
    if not sp.issparse(values):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2:
            raise ValueError(f"representation callable must return a 2-D array, got shape {values.shape}")
    return values


def model_features(model: Any, rows: Any) -> Any:
    """The fitted ``model``'s own features of ``rows``: what its last layer sees.

    A ``Pipeline``'s transforms; an MLP's last hidden layer (after the
    pipeline's transforms, if it ends one); otherwise the numeric rows
    themselves. A sparse transform output stays sparse.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPClassifier
    >>> from alfunc.core.representation import model_features
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    >>> mlp = MLPClassifier((5, 3), solver="lbfgs", max_iter=500, random_state=0).fit(X, [0, 1, 1, 0])
    >>> model_features(mlp, X).shape  # the last hidden layer has 3 units
    (4, 3)
    >>> model_features(None, X)
    Traceback (most recent call last):
    ...
    ValueError: representation='model' needs a fitted model; fit the state first or use 'input' or embeddings
    """
    if model is None:
        raise ValueError(
            "representation='model' needs a fitted model; fit the state first or use 'input' or embeddings"
        )
    final = model
    steps = getattr(model, "steps", None)
    if isinstance(steps, list) and steps:
        final = steps[-1][1]
        if len(steps) > 1:
            rows = model[:-1].transform(rows)
    if hasattr(final, "coefs_") and hasattr(final, "activation"):
        return _last_hidden_layer(final, rows)
    if not is_numeric(rows):
        raise ValueError(
            f"representation='model' needs a Pipeline whose transforms make numbers, or an MLP; "
            f"{type(model).__name__} takes {_describe_rows(rows)} as they are. Pass embeddings or a callable"
        )
    return rows.tocsr().astype(np.float64) if sp.issparse(rows) else numeric_rows(rows)


def _last_hidden_layer(mlp: Any, rows: Any) -> np.ndarray:
    """Forward ``rows`` through every layer of a fitted MLP but the output one."""
    activation = _ACTIVATIONS[mlp.activation]
    values = rows.tocsr().astype(np.float64) if sp.issparse(rows) else numeric_rows(rows)
    for weights, bias in zip(mlp.coefs_[:-1], mlp.intercepts_[:-1], strict=True):
        values = activation(np.asarray(values @ weights) + bias)
    return np.asarray(values.toarray() if sp.issparse(values) else values, dtype=np.float64)


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def describe_representation(representation: Any) -> Any:
    """A representation as plain data for a history: its name, or a fingerprint of the embeddings.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import describe_representation
    >>> describe_representation(None), describe_representation("model")
    (None, 'model')
    >>> sorted(describe_representation(np.zeros((3, 2))))
    ['embedding', 'shape']
    >>> describe_representation(len)
    FrozenMap({'callable': 'builtins.len'})
    """
    if representation is None or isinstance(representation, str):
        return representation
    if callable(representation) and not hasattr(representation, "shape"):
        return FrozenMap({"callable": qualified_name(representation)})
    shape = (n_rows(representation), *tuple(int(size) for size in getattr(representation, "shape", ())[1:]))
    return FrozenMap({"embedding": data_fingerprint(representation), "shape": shape})


def _describe_rows(X: Any) -> str:
    kind = pool_kind(X)
    if kind == "array":
        return f"an array of dtype {X.dtype}"
    if kind == "frame":
        return "a DataFrame with non-numeric columns" if X.ndim == 2 else f"a Series of dtype {X.dtype}"
    first = type(X[0]).__name__ if len(X) else "nothing"
    return f"{type(X).__name__} rows of {first}"
