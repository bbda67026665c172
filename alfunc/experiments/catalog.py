"""Named datasets and estimators for experiment grids and the CLI.

Only bundled or generated data: scikit-learn's iris, wine, breast cancer and
digits, plus fixed-seed synthetic problems; nothing is downloaded. Names keep a
grid description small and picklable, so a worker (a process or a Dask node)
rebuilds the data and the model itself instead of receiving them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

# (X, y): X any pool alfunc takes (numeric or object arrays, sparse, pandas, lists), y one label per row.
Dataset = tuple[Any, np.ndarray]

DATASETS: MappingProxyType[str, Callable[[], Dataset]] = MappingProxyType(
    {
        "iris": partial(datasets.load_iris, return_X_y=True),
        "wine": partial(datasets.load_wine, return_X_y=True),
        "breast_cancer": partial(datasets.load_breast_cancer, return_X_y=True),
        "digits": partial(datasets.load_digits, return_X_y=True),
        "classification": partial(
            datasets.make_classification,
            n_samples=1000,
            n_features=20,
            n_informative=6,
            n_classes=3,
            random_state=0,
        ),
        "moons": partial(datasets.make_moons, n_samples=600, noise=0.25, random_state=0),
    }
)

ESTIMATORS: MappingProxyType[str, Callable[[], Any]] = MappingProxyType(
    {
        "logistic": partial(LogisticRegression, max_iter=1000),
        "svm": partial(SVC, kernel="rbf"),
        "random_forest": partial(RandomForestClassifier, n_estimators=100, random_state=0),
        "knn": partial(KNeighborsClassifier, n_neighbors=5),
        "naive_bayes": GaussianNB,
    }
)


def load_dataset(name: str) -> Dataset:
    """``(X, y)`` of a named dataset (see ``DATASETS``).

    Parameters
    ----------
    name : str
        A name of ``DATASETS``.

    Returns
    -------
    X : ndarray
    y : ndarray

    Examples
    --------
    >>> from alfunc.experiments import load_dataset
    >>> X, y = load_dataset("iris")
    >>> X.shape, sorted(set(y.tolist()))
    ((150, 4), [0, 1, 2])
    >>> load_dataset("moons")[0].shape  # generated with a fixed seed: the same data every time
    (600, 2)
    >>> load_dataset("mnist")
    Traceback (most recent call last):
    ...
    ValueError: unknown dataset 'mnist'; expected one of ['breast_cancer', 'classification', 'digits', 'iris',
    'moons', 'wine']
    """
    return _lookup(DATASETS, name, "dataset")()


def make_estimator(name: str) -> Any:
    """A fresh, unfitted estimator by name (see ``ESTIMATORS``); seeded ones use a fixed seed.

    Parameters
    ----------
    name : str
        A name of ``ESTIMATORS``.

    Returns
    -------
    estimator

    Examples
    --------
    >>> from alfunc.experiments import make_estimator
    >>> forest = make_estimator("random_forest")
    >>> type(forest).__name__, forest.n_estimators, forest.random_state
    ('RandomForestClassifier', 100, 0)
    >>> make_estimator("logistic") is make_estimator("logistic")  # a new object on every call
    False
    >>> make_estimator(None)
    Traceback (most recent call last):
    ...
    TypeError: estimator must be a name, got NoneType
    """
    return _lookup(ESTIMATORS, name, "estimator")()


def _lookup(registry: MappingProxyType, name: Any, kind: str) -> Callable:
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a name, got {type(name).__name__}")
    if name not in registry:
        raise ValueError(f"unknown {kind} {name!r}; expected one of {sorted(registry)}")
    return registry[name]
