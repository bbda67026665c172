"""Labelling sessions: a person labels a pool over days; every answer is durable and the whole session replays.

* ``session``: ``Session`` (``create``/``open``, ``ask``, ``tell``, ``skip``,
  ``unsure``, ``correct``, ``refit``), ``replay_session``, ``events_of``.
* ``ledger``: what a session's events add up to (the fold that live answers,
  reopening and replay share).
* ``journal``: the append-only, checksummed, ``fsync``ed event file.
* ``lock``: one process per session.
* ``formats``: the pending batch out as Label Studio tasks, JSONL or CSV, and
  the answers back in (``export_pending``, ``import_answers``).
* ``page``: the labelling page (``label_app``, ``serve``; needs ``alfunc[label]``),
  ``tui``: the same in a terminal (``label_in_terminal``); ``view`` and
  ``progress`` are what both show.
"""

from alfunc.session.formats import ImportSummary, export_pending, import_answers, label_studio_tasks
from alfunc.session.journal import JournalError
from alfunc.session.lock import SessionLocked
from alfunc.session.page import label_app, serve
from alfunc.session.session import Session, SessionDivergence, events_of, replay_session
from alfunc.session.tui import label_in_terminal

__all__ = [
    "ImportSummary",
    "JournalError",
    "Session",
    "SessionDivergence",
    "SessionLocked",
    "events_of",
    "export_pending",
    "import_answers",
    "label_app",
    "label_in_terminal",
    "label_studio_tasks",
    "replay_session",
    "serve",
]
