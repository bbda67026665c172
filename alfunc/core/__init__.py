"""The core layer: the values and primitives every other layer shares.

* ``state``: the frozen ``ALState``, ``Record``, ``History`` and ``Query``.
* ``frozen``: read-only arrays and ``FrozenMap``, the immutable building blocks.
* ``rng``: every random draw derived from (seed, iteration, purpose).
* ``ranking``: ``top_k`` with seeded tie-breaking.
* ``context``: what a strategy may know besides the model and its rows.
* ``validation``: argument checks that name the argument.
* ``oracle``: a label array or a callable behind one interface.
* ``scoring``: scikit-learn scorers resolved as ``cross_validate`` does.
* ``facts``: data fingerprints and run parameters as plain data.

Nothing here imports from a higher layer (strategies, engine, ...).
"""

from alfunc.core.context import Context
from alfunc.core.frozen import FrozenMap
from alfunc.core.ranking import top_k
from alfunc.core.state import ALState, History, Query, Record

__all__ = ["ALState", "Context", "FrozenMap", "History", "Query", "Record", "top_k"]
