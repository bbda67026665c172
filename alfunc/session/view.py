"""What a person sees of a pool row, as plain JSON data: a text, an image path, or named fields.

The labelling page, the terminal mode and the labelling-tool exports all
show a record the same way: ``record_view`` turns the row ``Session.row``
gives into ``{"kind": "text", "text": ...}``, ``{"kind": "image", "image":
path}`` (a string that names an image file) or ``{"kind": "fields",
"fields": [[name, value], ...]}`` (a table's row; an array's row as
``x0``, ``x1``, ...). ``shortcuts`` gives the keys that answer each class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

import numpy as np
import scipy.sparse as sp

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg"})
RESERVED_KEYS = frozenset({"s", "u", "q"})  # skip, unsure, quit
MAX_SHORTCUT_DIGITS = 9


def is_image_path(value: Any) -> bool:
    """Whether ``value`` is a string naming an image file (by its extension), to show as a picture.

    Parameters
    ----------
    value : object
        A pool value.

    Returns
    -------
    bool

    Examples
    --------
    >>> from alfunc.session.view import is_image_path
    >>> is_image_path("photos/cat 1.JPG"), is_image_path("a cat sat on the mat."), is_image_path(3)
    (True, False, False)
    """
    if not isinstance(value, str) or not value or len(value) > 4096 or "\n" in value:
        return False
    return PurePath(value).suffix.lower() in IMAGE_SUFFIXES


def plain_value(value: Any) -> Any:
    """``value`` as JSON data: numpy scalars unwrapped, missing values (NaN, None, pandas' NA) as ``None``.

    Parameters
    ----------
    value : object
        A cell of a pool row.

    Returns
    -------
    str, int, float, bool or None

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.session.view import plain_value
    >>> plain_value(np.float64(1.5)), plain_value(float("nan")), plain_value(np.int64(3)), plain_value("red")
    (1.5, None, 3, 'red')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        if bool(value != value):  # pandas' NA and NaT are not equal to themselves
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def record_view(session: Any, id: Any) -> dict[str, Any]:
    """How to show the pool row of ``id``: its kind and its text, image path or fields (plain JSON data).

    Parameters
    ----------
    session : Session
        An open or replayed session.
    id : int or str
        A pool id.

    Returns
    -------
    dict
        ``{"id", "kind", ...}`` with ``"text"``, ``"image"`` or ``"fields"``.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.view import record_view
    >>> with Session.create(tempfile.mkdtemp(), [[0.5, 2.0], [1.0, 3.0]], GaussianNB(), durable=False) as session:
    ...     record_view(session, 1)
    {'id': 1, 'kind': 'fields', 'fields': [['x0', 1.0], ['x1', 3.0]]}
    >>> with Session.create(tempfile.mkdtemp(), ["a cat", "img/dog.png"], GaussianNB(), durable=False) as session:
    ...     record_view(session, 0), record_view(session, 1)["kind"]
    ({'id': 0, 'kind': 'text', 'text': 'a cat'}, 'image')
    """
    index = session.index_of(id)
    key = session.id_at(index)
    row = session.row(key)
    if hasattr(row, "items") and hasattr(row, "index"):  # a DataFrame's row
        return {"id": key, "kind": "fields", "fields": [[str(name), plain_value(value)] for name, value in row.items()]}
    if sp.issparse(row):
        row = row.toarray().ravel()
    if isinstance(row, (list, tuple)) or (isinstance(row, np.ndarray) and row.ndim == 1):
        return {"id": key, "kind": "fields", "fields": [[f"x{i}", plain_value(value)] for i, value in enumerate(row)]}
    if is_image_path(row):
        return {"id": key, "kind": "image", "image": row}
    return {"id": key, "kind": "text", "text": "" if plain_value(row) is None else str(row)}


def shortcuts(classes: Sequence[Any]) -> dict[str, Any]:
    """The keys that answer each class: ``1``..``9`` in order, and a class's first letter when no other shares it.

    ``s``, ``u`` and ``q`` (skip, unsure, quit) are never a class's letter.

    Parameters
    ----------
    classes : sequence
        The session's classes.

    Returns
    -------
    dict
        Key (one character) -> class.

    Examples
    --------
    >>> from alfunc.session.view import shortcuts
    >>> shortcuts(["positive", "negative", "spam", "neutral"])
    {'1': 'positive', '2': 'negative', '3': 'spam', '4': 'neutral', 'p': 'positive'}
    """
    keys: dict[str, Any] = {str(position): label for position, label in enumerate(classes[:MAX_SHORTCUT_DIGITS], 1)}
    firsts = [str(label)[:1].lower() for label in classes]
    for letter, label in zip(firsts, classes, strict=True):
        if letter.isalpha() and letter not in RESERVED_KEYS and firsts.count(letter) == 1:
            keys[letter] = label
    return keys


def match_label(value: Any, classes: Sequence[Any] | None) -> Any:
    """The class a typed or imported answer names: itself, or the one class whose text it is (``"2"`` -> ``2``).

    Parameters
    ----------
    value : object
        The answer as read (often text).
    classes : sequence or None
        The session's classes; ``None`` takes ``value`` as it is.

    Returns
    -------
    object
        The class, or ``value`` unchanged when it names none (the session then refuses it).

    Examples
    --------
    >>> from alfunc.session.view import match_label
    >>> match_label("2", [0, 1, 2]), match_label("cat", ["cat", "dog"]), match_label("cow", ["cat", "dog"])
    (2, 'cat', 'cow')
    """
    if classes is None or value in classes:
        return value
    named = [label for label in classes if str(label) == str(value)]
    return named[0] if len(named) == 1 else value
