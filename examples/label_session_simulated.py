"""A labelling session over two days, with a crash in the middle
===============================================================

A simulated person labels documents (the docstrings of a few standard-library
modules, by family: ``email``, ``web`` or ``testing``) in an ``alfunc.session``:
they answer in random order after random delays, skip a few documents, mark a
few as unsure, and sometimes pick the wrong family. On day one the labelling
process is killed (``SIGKILL``) in the middle of its work; on day two the
session is reopened from its folder, the person corrects one wrong label they
notice and labels on. Finally the session is replayed from its journal
(``replay_session`` re-runs every ask and fit) and its history is replayed with
``alfunc.replay``: both give the same model as the live session, which is
what a person labelling in the browser (``alfunc label``) gets too.

The figure shows how the session's model improved: its accuracy on the whole
pool (the simulation knows every true label) after each fit, rebuilt from the
history with ``alfunc.replay_trace``.

    python examples/label_session_simulated.py    # POSIX: day one runs in a forked process
"""

from __future__ import annotations

import inspect
import os
import random
import signal
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

import alfunc as al  # noqa: E402
from alfunc.session import Session, events_of, replay_session  # noqa: E402

FAMILIES = {
    "email": ("email.message", "email.utils", "email.headerregistry", "smtplib", "mailbox"),
    "web": ("http.client", "http.cookies", "urllib.request", "urllib.parse", "html.parser"),
    "testing": ("unittest.case", "unittest.mock", "doctest"),
}
CLASSES = sorted(FAMILIES)
DAY_ONE_ANSWERS, TOTAL_LABELS = 60, 120


def corpus() -> tuple[list[str], list[str], list[str]]:
    """Documents, their families and their dotted names (the session's ids), sorted by name."""
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family, names in FAMILIES.items():
            for module_name in names:
                module = __import__(module_name, fromlist=["_"])
                for name, obj in vars(module).items():
                    text = " ".join((inspect.getdoc(obj) or "").split())
                    if getattr(obj, "__module__", None) == module.__name__ and len(text.split()) >= 8:
                        rows[f"{module_name}.{name}"] = (text, family)
    names = sorted(rows)
    return [rows[name][0] for name in names], [rows[name][1] for name in names], names


def text_model() -> object:
    """What the session fits: TF-IDF of the words, then a logistic regression."""
    return make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(C=10, max_iter=1000))


def open_or_create(folder: Path, documents: list[str], names: list[str]) -> Session:
    if (folder / "journal.jsonl").exists():
        return Session.open(folder, documents, text_model(), ids=names)
    return Session.create(folder, documents, text_model(), "margin", classes=CLASSES, ids=names, fit_every=10)


def person(session: Session, truth: dict[str, str], answers: int, rng: random.Random, crash: bool) -> None:
    """Answer ``answers`` times, in random order and after random delays; maybe crash half way."""
    for count in range(answers):
        if crash and count == answers // 2:
            os.kill(os.getpid(), signal.SIGKILL)  # the labelling process dies: no close, no goodbye
        batch = session.pending or session.ask(5)
        key = rng.choice(batch)
        time.sleep(rng.uniform(0, 0.003))  # reading the document
        roll = rng.random()
        if roll < 0.05:
            session.skip(key)
        elif roll < 0.10:
            session.unsure(key)
        elif roll < 0.15:
            session.tell(key, rng.choice([family for family in CLASSES if family != truth[key]]))  # a slip
        else:
            session.tell(key, truth[key])


def day_one(folder: Path) -> None:
    """The labelling process of day one (run in its own process, which kills itself half way)."""
    documents, families, names = corpus()
    with open_or_create(folder, documents, names) as session:
        person(session, dict(zip(names, families, strict=True)), DAY_ONE_ANSWERS, random.Random(1), crash=True)


def main() -> None:
    documents, families, names = corpus()
    truth = dict(zip(names, families, strict=True))
    folder = Path(tempfile.mkdtemp()) / "docstrings-session"

    # Day one, in a process of its own (a fork of this one) that is killed half way through its answers.
    child = os.fork()
    if child == 0:
        day_one(folder)
        os._exit(0)  # not reached: day one kills itself
    _, status = os.waitpid(child, 0)
    print(f"day one: the labelling process ended with signal {os.WTERMSIG(status)} (SIGKILL is {signal.SIGKILL})")

    # Day two: the same folder gives the session as it was at its last acknowledged answer.
    with open_or_create(folder, documents, names) as session:
        print(
            f"day two: reopened with {session.n_labeled} labels, {len(session.pending)} pending, "
            f"{len(session.skipped)} skipped, {len(session.history)} fits"
        )
        wrong = [key for key, label in session.labels.items() if label != truth[key]]
        if wrong:
            session.correct(wrong[0], truth[wrong[0]])  # the person notices one slip and fixes it
            print(f"corrected {wrong[0]!r} to {truth[wrong[0]]!r} ({len(wrong) - 1} slips left unnoticed)")
        rng = random.Random(2)
        while session.n_labeled < TOTAL_LABELS and (session.pending or session.ask(5)):
            person(session, truth, 1, rng, crash=False)
        session.refit()
        live = session

    counts = {kind: 0 for kind in ("ask", "tell", "skip", "unsure", "correct", "fit")}
    for event in events_of(folder):
        counts[event["event"]] = counts.get(event["event"], 0) + 1
    print("journal events:", counts)

    # The journal replays exactly: every ask selects the recorded documents, every fit scores the same.
    replayed = replay_session(folder, documents, text_model(), ids=names)
    same_session = replayed.history == live.history and replayed.labels == live.labels
    # And the history alone (no oracle, no journal) rebuilds the same model.
    states = list(al.replay_trace(live.history, documents, None, text_model(), ids=names))
    same_model = bool((states[-1].model.predict_proba(documents) == live.model.predict_proba(documents)).all())
    print(f"replay_session gives the live session: {same_session}; alfunc.replay gives the same model: {same_model}")
    assert same_session and same_model

    truth_array = np.asarray(families)
    accuracy = [float((state.model.predict(documents) == truth_array).mean()) for state in states]
    labeled = [state.n_labeled for state in states]
    figure, axes = plt.subplots(figsize=(6, 3.5), layout="constrained")
    axes.plot(labeled, accuracy, marker="o", label="session model (replayed)")
    corrected_at = next((n for n, record in zip(labeled, live.history, strict=True) if record.corrected.size), None)
    if corrected_at is not None:
        axes.axvline(corrected_at, color="grey", linestyle=":", label="fit with the correction")
    axes.set_xlabel("labels given by the person")
    axes.set_ylabel("accuracy on the whole pool")
    axes.set_title(f"{len(documents)} docstrings, {len(CLASSES)} families")
    axes.legend(loc="lower right")
    figure.savefig(folder.parent / "session_learning_curve.png", dpi=100)
    print(f"final accuracy on the pool: {accuracy[-1]:.3f} with {labeled[-1]} labels")


if __name__ == "__main__":
    main()
