"""The engine layer: the pure steps and the loop that folds them.

* ``selection``: ``select`` scores the unlabeled pool in chunks with a streaming top-k.
* ``steps``: ``init_step``, ``teach``, ``correct``, ``query_step`` (select + teach) and ``fit_step``.
* ``loop``: ``trace`` (every state, lazily), ``run`` (the last one) and ``until``.
* ``progress``: the optional progress bar and per-state callback of a run.

It imports from ``core`` and ``strategies`` only.
"""

from alfunc.engine.loop import run, trace, until
from alfunc.engine.selection import select
from alfunc.engine.steps import correct, fit_step, init_step, query_step, teach

__all__ = ["correct", "fit_step", "init_step", "query_step", "run", "select", "teach", "trace", "until"]
