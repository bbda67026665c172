"""alfunc: pool-based active learning as pure functions over a frozen state.

state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, estimator)
state = al.fit_step(al.query_step(state, X, y, "margin", 10), X, estimator)
final = al.run(X, y, estimator, strategy="margin", budget=100)
al.save_history(final.history, "run.json")
again = al.replay(al.load_history("run.json"), X, y, estimator, verify=True)
"""

from importlib.metadata import PackageNotFoundError, version

from alfunc.compat import StandardAL
from alfunc.core.context import Context
from alfunc.core.neighbours import NeighbourIndex, neighbour_index
from alfunc.core.oracle import PartialLabels
from alfunc.core.rows import row_ids
from alfunc.core.state import ALState, History, Query, Record
from alfunc.engine.loop import run, trace, until
from alfunc.engine.selection import select
from alfunc.engine.steps import correct, fit_step, init_step, query_step, teach
from alfunc.history.checkpoint import RunFailed, checkpointed
from alfunc.history.io import history_digest, load_history, save_history
from alfunc.history.replay import (
    ReplayDivergence,
    replay,
    replay_trace,
    resume,
    resume_trace,
)
from alfunc.strategies import STRATEGIES

try:
    __version__ = version("alfunc")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "ALState",
    "Context",
    "History",
    "NeighbourIndex",
    "PartialLabels",
    "Query",
    "Record",
    "ReplayDivergence",
    "RunFailed",
    "STRATEGIES",
    "StandardAL",
    "checkpointed",
    "correct",
    "fit_step",
    "history_digest",
    "init_step",
    "load_history",
    "neighbour_index",
    "query_step",
    "replay",
    "replay_trace",
    "resume",
    "resume_trace",
    "row_ids",
    "run",
    "save_history",
    "select",
    "teach",
    "trace",
    "until",
]
