"""The history layer: histories as files, replayed and resumed.

* ``io``: ``save_history`` (atomic, pickle-free JSON), ``load_history`` and ``history_digest``.
* ``replay``: ``replay`` / ``resume`` rebuild or continue a run from its recorded indices.
* ``checkpoint``: ``checkpointed`` saves a run as it goes; ``RunFailed`` keeps the last good state.

It imports from ``core``, ``strategies`` and ``engine`` only.
"""

from alfunc.history.checkpoint import RunFailed, checkpointed
from alfunc.history.io import FORMAT_VERSION, history_digest, load_history, save_history
from alfunc.history.replay import ReplayDivergence, replay, replay_trace, resume, resume_trace

__all__ = [
    "FORMAT_VERSION",
    "ReplayDivergence",
    "RunFailed",
    "checkpointed",
    "history_digest",
    "load_history",
    "replay",
    "replay_trace",
    "resume",
    "resume_trace",
    "save_history",
]
