"""Labelling sessions: a person labels a pool over days; every answer is durable and the whole session replays.

* ``session``: ``Session`` (``create``/``open``, ``ask``, ``tell``, ``skip``,
  ``unsure``, ``correct``, ``refit``), ``replay_session``, ``events_of``.
* ``ledger``: what a session's events add up to (the fold that live answers,
  reopening and replay share).
* ``journal``: the append-only, checksummed, ``fsync``ed event file.
* ``lock``: one process per session.
"""

from alfunc.session.journal import JournalError
from alfunc.session.lock import SessionLocked
from alfunc.session.session import Session, SessionDivergence, events_of, replay_session

__all__ = ["JournalError", "Session", "SessionDivergence", "SessionLocked", "events_of", "replay_session"]
