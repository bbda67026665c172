"""Run-level facts as plain data: a fingerprint of the pool, the estimator and run parameters.

A ``History`` keeps these in ``info`` so that a saved run says what it was made
from without holding any object: only ``None``, bools, numbers, strings, tuples
and ``FrozenMap``. Anything that cannot be rebuilt from data (a function, an
arbitrary object) is described by a ``{"callable": path}`` or ``{"object": path}``
marker, never by a ``repr`` that could hold a memory address.
"""

from __future__ import annotations

import hashlib
import numbers
import platform
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import sklearn

from alfunc.core.dask_rows import dask_fingerprint
from alfunc.core.frozen import FrozenMap
from alfunc.core.rows import n_rows, pool_kind, row_block, row_blocks, row_layout

FINGERPRINT_CHUNK_ROWS = 8192
NOT_REBUILDABLE = ("callable", "object")


def data_fingerprint(values: Any) -> str:
    """A SHA-256 hex digest of a pool or label array of any kind, read in row chunks.

    Covers kind, shape, dtype (columns and index for pandas) and values; memory
    use is bounded by one chunk, so a large pool or a memmap is never copied whole.
    A Dask pool is hashed on its workers in one pass and never gathered (see
    ``alfunc.core.dask_rows.dask_fingerprint`` for what is hashed: a dask
    DataFrame has the fingerprint of the pandas DataFrame it computes to, a
    dask array one of its own, independent of its chunks).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.facts import data_fingerprint
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> fingerprint = data_fingerprint(X)
    >>> len(fingerprint), fingerprint == data_fingerprint(X.copy())
    (64, True)
    >>> fingerprint == data_fingerprint(X.astype(np.float32))  # same values, another dtype
    False
    >>> data_fingerprint(sp.csr_matrix(X)) == data_fingerprint(sp.csc_matrix(X))  # any sparse format
    True
    >>> data_fingerprint(["a doc", "b doc"]) == data_fingerprint(["a doc", "b doc!"])
    False
    """
    digest = hashlib.sha256()
    kind = pool_kind(values)
    if kind == "dask":
        return dask_fingerprint(values, FINGERPRINT_CHUNK_ROWS)
    if kind == "sparse":
        _hash_sparse(digest, values)
    elif kind == "frame":
        _hash_frame(digest, values)
    elif kind == "array":
        _hash_array(digest, values)
    else:
        digest.update(f"sequence|{len(values)}|".encode())
        for start, stop in row_blocks(len(values), FINGERPRINT_CHUNK_ROWS):
            digest.update(_objects_token(row_block(values, start, stop)))
    return digest.hexdigest()


def _hash_sparse(digest: Any, values: Any) -> None:
    digest.update(f"sparse|{values.dtype.str}|{values.shape}|".encode())
    values = values.tocsr()
    for start, stop in row_blocks(values.shape[0], FINGERPRINT_CHUNK_ROWS):
        block = values[start:stop]
        block.sort_indices()
        for part in (block.indptr - block.indptr[0], block.indices, block.data):
            digest.update(np.ascontiguousarray(part).tobytes())


def _hash_array(digest: Any, values: np.ndarray) -> None:
    digest.update(f"dense|{values.dtype.str}|{values.shape}|".encode())
    for start, stop in row_blocks(values.shape[0], FINGERPRINT_CHUNK_ROWS):
        block = values[start:stop]
        digest.update(_objects_token(block) if block.dtype.kind == "O" else np.ascontiguousarray(block).tobytes())


def _hash_frame(digest: Any, frame: Any) -> None:
    """A DataFrame or Series by its layout, dtypes, index and values (pandas' own stable row hash)."""
    from pandas.util import hash_pandas_object

    columns = list(frame.columns) if frame.ndim == 2 else [frame.name]
    dtypes = list(frame.dtypes) if frame.ndim == 2 else [frame.dtype]
    digest.update(f"frame|{frame.shape}|{columns!r}|{[str(dtype) for dtype in dtypes]}|".encode())
    for start, stop in row_blocks(frame.shape[0], FINGERPRINT_CHUNK_ROWS):
        block = frame.iloc[start:stop]
        try:
            digest.update(np.ascontiguousarray(hash_pandas_object(block, index=True)).tobytes())
        except TypeError:  # cells pandas cannot hash (lists, dicts): fall back to their text
            digest.update(_objects_token(block.index) + _objects_token(block.to_numpy(dtype=object).tolist()))


def _objects_token(items: Any) -> bytes:
    """Bytes standing for a block of Python objects: type and repr, arrays by their bytes."""
    parts = []
    for item in items:
        if isinstance(item, np.ndarray):
            parts.append(f"ndarray:{item.dtype.str}:{item.shape}:{hashlib.sha256(item.tobytes()).hexdigest()}")
        else:
            parts.append(f"{type(item).__name__}:{item!r}")
    return "\x1f".join(parts).encode()


def pool_facts(X: Any, y: Any) -> dict[str, Any]:
    """The pool as plain data: its size, row layout and fingerprints of ``X`` and ``y`` (``None`` for a callable oracle).

    ``init_step`` stores these in the history's ``info``, so a replay can check
    it is given the same pool and later steps that the rows keep their layout.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.facts import data_fingerprint, pool_facts
    >>> X, y = np.zeros((5, 3)), np.array([0, 1, 0, 1, 1])
    >>> facts = pool_facts(X, y)
    >>> facts["n_pool"], facts["row_layout"], facts["y_fingerprint"] == data_fingerprint(y)
    (5, (3,), True)
    >>> pool_facts(X, None)["y_fingerprint"] is None
    True
    >>> pool_facts(["a doc", "another"], None)["row_layout"] is None  # documents have no fixed layout
    True
    """
    return {
        "n_pool": n_rows(X),
        "row_layout": row_layout(X),
        "X_fingerprint": data_fingerprint(X),
        "y_fingerprint": None if y is None else data_fingerprint(y),
    }


def run_facts(
    estimator: Any,
    strategy: Any,
    X_test: Any,
    y_test: Any,
    **parameters: Any,
) -> dict[str, Any]:
    """The configuration of a run as plain data: estimator, strategy, parameters, test set, versions.

    A strategy given by name stays a name; a function becomes a ``callable``
    marker (it must be passed again to resume). The test set is kept as two
    fingerprints, so a replay can check it was given the same one.

    Examples
    --------
    >>> import math
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.facts import run_facts
    >>> facts = run_facts(LogisticRegression(C=0.5), "margin", None, None, batch_size=5, stop=math.isfinite)
    >>> facts["estimator"]["params"]["C"], facts["strategy"], facts["batch_size"]
    (0.5, 'margin', 5)
    >>> facts["stop"]  # a function cannot be rebuilt from data: it is named
    FrozenMap({'callable': 'math.isfinite'})
    >>> facts["X_test_fingerprint"] is None, sorted(facts["versions"])
    (True, ['alfunc', 'numpy', 'python', 'scikit-learn'])
    """
    return {
        "estimator": estimator_facts(estimator),
        "strategy": plain_data(strategy),
        **{name: plain_data(value) for name, value in parameters.items()},
        "X_test_fingerprint": None if X_test is None else data_fingerprint(X_test),
        "y_test_fingerprint": None if y_test is None else data_fingerprint(y_test),
        "versions": library_versions(),
    }


def library_versions() -> FrozenMap:
    """The versions of Python, alfunc, numpy and scikit-learn doing the work.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.facts import library_versions
    >>> versions = library_versions()
    >>> list(versions)
    ['python', 'alfunc', 'numpy', 'scikit-learn']
    >>> versions["numpy"] == np.__version__
    True
    """
    try:
        alfunc_version = version("alfunc")
    except PackageNotFoundError:
        alfunc_version = "0+unknown"
    return FrozenMap(
        {
            "python": platform.python_version(),
            "alfunc": alfunc_version,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        }
    )


def qualified_name(obj: Any) -> str:
    """``module.QualName`` of a class or function (of the type, for other objects).

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from alfunc.core.facts import qualified_name
    >>> from alfunc.core.frozen import FrozenMap
    >>> qualified_name(math.sqrt), qualified_name(np.ndarray)
    ('math.sqrt', 'numpy.ndarray')
    >>> qualified_name(FrozenMap()) == qualified_name(FrozenMap)  # an instance is named by its type
    True
    >>> qualified_name(FrozenMap)
    'alfunc.core.frozen.FrozenMap'
    """
    target = obj if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")) else type(obj)
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(target).__name__)}"


def estimator_facts(estimator: Any) -> FrozenMap:
    """An estimator as data: its class path and ``get_params(deep=False)``, nested estimators included.

    Examples
    --------
    >>> from sklearn.ensemble import BaggingClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.facts import estimator_facts
    >>> facts = estimator_facts(BaggingClassifier(LogisticRegression(C=0.5), n_estimators=3))
    >>> facts["class"]
    'sklearn.ensemble...BaggingClassifier'
    >>> facts["params"]["n_estimators"], facts["params"]["estimator"]["params"]["C"]
    (3, 0.5)
    """
    return FrozenMap({"class": qualified_name(type(estimator)), "params": plain_data(estimator.get_params(deep=False))})


def plain_data(value: Any) -> Any:
    """``value`` as immutable plain data (tuples for sequences, ``FrozenMap`` for mappings).

    Estimators become their ``estimator_facts``; functions and other objects
    become a ``{"callable": path}`` / ``{"object": path}`` marker.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.facts import plain_data
    >>> plain_data({"sizes": [10, 20], "rate": np.float32(0.5), "labels": np.array([0, 1]), "stop": None})
    FrozenMap({'sizes': (10, 20), 'rate': 0.5, 'labels': (0, 1), 'stop': None})
    >>> plain_data(len)
    FrozenMap({'callable': 'builtins.len'})
    >>> plain_data(object())
    FrozenMap({'object': 'builtins.object'})
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray):
        return plain_data(value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(plain_data(item) for item in value)
    if isinstance(value, Mapping):
        return FrozenMap({str(key): plain_data(item) for key, item in value.items()})
    if hasattr(value, "get_params") and not isinstance(value, type):
        return estimator_facts(value)
    kind = "callable" if callable(value) else "object"
    return FrozenMap({kind: qualified_name(value)})


def is_rebuildable(value: Any) -> bool:
    """False when ``plain_data`` had to replace something by a ``callable``/``object`` marker.

    A run whose parameters are all rebuildable can be resumed from its history
    alone; otherwise the marked objects must be passed again.

    Examples
    --------
    >>> from alfunc.core.facts import is_rebuildable, plain_data
    >>> is_rebuildable(plain_data({"strategy": "margin", "batch_size": 10}))
    True
    >>> is_rebuildable(plain_data({"strategy": "margin", "stop": [len]}))
    False
    """
    if isinstance(value, Mapping):
        if len(value) == 1 and next(iter(value)) in NOT_REBUILDABLE:
            return False
        return all(is_rebuildable(item) for item in value.values())
    if isinstance(value, tuple):
        return all(is_rebuildable(item) for item in value)
    return True
