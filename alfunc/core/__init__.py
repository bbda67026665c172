"""The core layer: the values and primitives every other layer shares.

* ``state``: the frozen ``ALState``, ``Record``, ``History`` and ``Query``.
* ``frozen``: read-only arrays and ``FrozenMap``, the immutable building blocks.
* ``rng``: every random draw derived from (seed, iteration, purpose).
* ``ranking``: ``top_k`` with seeded tie-breaking.
* ``context``: what a strategy may know besides the model and its rows.
* ``rows``: how many rows a pool has and how to take some, for every container kind.
* ``representation``: the geometry distance-based strategies measure in.
* ``validation``: argument checks that name the argument.
* ``oracle``: a label array or a callable behind one interface; missing labels.
* ``scoring``: scikit-learn scorers resolved as ``cross_validate`` does.
* ``facts``: data fingerprints and run parameters as plain data.

Nothing here imports from a higher layer (strategies, engine, ...).
"""

from alfunc.core.context import Context
from alfunc.core.frozen import FrozenMap
from alfunc.core.oracle import PartialLabels
from alfunc.core.ranking import top_k
from alfunc.core.representation import Features
from alfunc.core.state import ALState, History, Query, Record

__all__ = ["ALState", "Context", "Features", "FrozenMap", "History", "PartialLabels", "Query", "Record", "top_k"]
